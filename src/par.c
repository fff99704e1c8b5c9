/* par.c - independent tasks on several threads (par_; see par.h). */
#include <pthread.h>
#include <stdatomic.h>

#include "par.h"

typedef struct par_job {
    par_fn fn;
    void *arg;
    size_t ntasks;
    atomic_size_t next;
} par_job;

typedef struct par_worker {
    par_job *job;
    unsigned id;
    pthread_t th;
} par_worker;

static void work(par_job *j, unsigned id)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (t >= j->ntasks)
            return;
        j->fn(j->arg, t, id);
    }
}

static void *worker_main(void *p)
{
    par_worker *w = p;
    work(w->job, w->id);
    return NULL;
}

/* at most this many threads of one call (workers' records are on the
 * stack, so no allocation is needed) */
#define PAR_MAX 256

void par_run(unsigned nthreads, size_t ntasks, par_fn fn, void *arg)
{
    if (nthreads > PAR_MAX)
        nthreads = PAR_MAX;
    if (nthreads > ntasks)
        nthreads = (unsigned)ntasks;
    par_job j = {fn, arg, ntasks, 0};
    if (nthreads <= 1) {
        work(&j, 0);
        return;
    }
    par_worker w[PAR_MAX];
    unsigned started = 0;
    for (unsigned i = 1; i < nthreads; i++) {
        w[i].job = &j;
        w[i].id = i;
        if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
            break; /* fewer workers: the others do the tasks */
        started = i;
    }
    work(&j, 0);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(w[i].th, NULL);
}
