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
/* The program's files (*n of them): those ir_node.file counts, in that
 * order, then the parameter values given from outside. */
const source *api_program_sources(const segc_program *p, size_t *n);

#endif
