/*
 * interp.h - the reference interpreter (interp_).
 *
 * It defines the semantics of segc: the JIT and the SQL backend are tested
 * against it. It walks the IR tree of every segment for every record,
 * after a binding step that decides, once per evaluation, everything that
 * depends only on the data's dictionaries (which string ids a list holds,
 * which distinct sets contain an element) or on as_of.
 */
#ifndef SEGC_INTERP_H
#define SEGC_INTERP_H

#include "eval.h"

/* Evaluates every segment of p over d into res (sized for them). Returns
 * SEGC_OK or SEGC_ERR_NOMEM. */
segc_status interp_run(mem *m, const ir_program *p, const dataset *d,
                       int64_t as_of, result *res);

#endif
