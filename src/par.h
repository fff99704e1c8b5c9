/*
 * par.h - running independent tasks on several threads (par_).
 *
 * The calling thread is worker 0 and takes part; workers 1 .. n-1 are
 * POSIX threads started for one par_run and joined before it returns.
 * Tasks are handed out in order from a shared counter, so which worker
 * runs a task varies, but a task's work must not depend on that: every
 * task writes only its own part of the output (a morsel of records is a
 * multiple of 64 records, so no bitmap word is shared). Workers never
 * allocate through the context's hook: whatever they need (scratch per
 * worker) is allocated by the caller before par_run. Nothing here is
 * global; a thread that cannot be started only means fewer workers.
 */
#ifndef SEGC_PAR_H
#define SEGC_PAR_H

#include "base.h"

/* The default morsel: records per task of a parallel scan (a multiple of
 * 64; docs/design.md, "Threads"). */
#define PAR_MORSEL 65536

/* fn(arg, task, worker) for task = 0 .. ntasks-1 on up to nthreads
 * workers (worker < nthreads). */
typedef void (*par_fn)(void *arg, size_t task, unsigned worker);
void par_run(unsigned nthreads, size_t ntasks, par_fn fn, void *arg);

/* The morsel (records per task) for an evaluation's options: a multiple
 * of 64, at least 64. */
static inline size_t par_morsel(size_t requested)
{
    if (!requested)
        return PAR_MORSEL;
    return requested < 64 ? 64 : requested / 64 * 64;
}

#endif
