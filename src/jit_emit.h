/*
 * jit_emit.h - inside the JIT stage: typed IR -> LLVM IR (jit_emit_).
 * Only jit.c includes this; the rest of segc sees jit.h, free of LLVM.
 */
#ifndef SEGC_JIT_EMIT_H
#define SEGC_JIT_EMIT_H

#include <llvm-c/Core.h>

#include "jit.h"

/* The scan function that jit_emit_module defines:
 *
 *   void scan(const uint8_t *recs, uint64_t nblocks, const eval_bound *bound,
 *             const dataset *data, uint64_t *out, uint64_t stride,
 *             uint64_t first_block);
 *
 * For each block b of 64 records starting at recs + b * 64 * record_size,
 * it stores segment s's word at out[s * stride + first_block + b]. */
typedef void (*jit_scan_fn)(const uint8_t *recs, uint64_t nblocks,
                            const eval_bound *bound, const dataset *data,
                            uint64_t *out, uint64_t stride,
                            uint64_t first_block);

/* The statistics pass of level L (1..p->levels), NAME_statsL:
 *
 *   void stats(const uint8_t *recs, uint64_t nblocks,
 *              const eval_bound *bound, const dataset *data, void **out);
 *
 * For each statistic k of that level (in p->stats order, from the first of
 * the level), it stores the argument's 64 values of block b at
 * ((int64_t or double *)out[2k])[b * 64 ...] and a word of the records that
 * count (value not null, 'where' true) at ((uint64_t *)out[2k + 1])[b]. */
typedef void (*jit_stats_fn)(const uint8_t *recs, uint64_t nblocks,
                             const eval_bound *bound, const dataset *data,
                             void **out);

#define JIT_BLOCK 64

/* Builds the module for p in context ctx, with the scan function called
 * fn_name. Returns NULL (with a diagnostic) if something cannot be
 * compiled; the caller owns the module. */
LLVMModuleRef jit_emit_module(LLVMContextRef ctx, const ir_program *p,
                              const char *fn_name, diag_list *d);

/* The one-record function of p (jit_one.c) called fn_name:
 *
 *   void one(const uint8_t *rec, const eval_bound *bound,
 *            const dataset *data, uint64_t *out);
 *
 * NULL (with a diagnostic) when p has a construct without a scalar form. */
LLVMModuleRef jit_one_module(LLVMContextRef ctx, const ir_program *p,
                             const dataset *data, const char *fn_name,
                             diag_list *d);

#endif
