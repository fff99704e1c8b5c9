/*
 * api_internal.h - what API modules outside api.c (such as api_sql.c) need
 * of the private handles defined in api.c.
 */
#ifndef SEGC_API_INTERNAL_H
#define SEGC_API_INTERNAL_H

#include "diag.h"
#include "ir.h"

mem *api_ctx_mem(segc_ctx *ctx);
diag_list *api_ctx_diags(segc_ctx *ctx);
const ir_program *api_program_ir(const segc_program *p);
/* Ends an entry point: a failed allocation anywhere below becomes
 * SEGC_ERR_NOMEM (with its diagnostic), else st. */
segc_status api_finish(segc_ctx *ctx, segc_status st);
/* An error diagnostic of the API itself (no file position). */
void api_say(segc_ctx *ctx, const char *fmt, ...) SEGC_PRINTF(2, 3);
/* The program's files (*n of them): those ir_node.file counts, in that
 * order, then the parameter values given from outside. */
const source *api_program_sources(const segc_program *p, size_t *n);

#endif
