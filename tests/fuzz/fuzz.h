/* fuzz.h - what the fuzz harnesses of tests/fuzz/ share.
 *
 * Every harness defines libFuzzer's two entry points,
 *
 *   int LLVMFuzzerInitialize(int *argc, char ***argv);
 *   int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 *
 * and uses the public API (segc.h) only. The same object file is linked
 * either with libFuzzer (clang -fsanitize=fuzzer: make fuzz) or with
 * replay.c, a plain main() that feeds it files (make check replays
 * tests/fuzz/regress/HARNESS/ that way, with gcc as well as with clang).
 *
 * A harness reports a bug it can see itself (two engines disagree, an
 * invariant of the API is broken, the allocator hook got a wrong size or
 * lost a block) with fuzz_fail(), which prints the reason and aborts: the
 * harness, never the library. Memory errors, undefined behaviour and leaks
 * are the sanitizers' to report. */
#ifndef SEGC_FUZZ_H
#define SEGC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "segc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
#define FUZZ_NORETURN __attribute__((noreturn))
#define FUZZ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FUZZ_NORETURN
#define FUZZ_PRINTF(f, a)
#endif

/* Prints "segc fuzz: <harness>: <reason>" and the diagnostics of ctx (may
 * be NULL), then aborts. */
FUZZ_NORETURN void fuzz_fail(const segc_ctx *ctx, const char *fmt, ...)
    FUZZ_PRINTF(2, 3);
#define FUZZ_CHECK(ctx, cond, ...)        \
    do {                                  \
        if (!(cond))                      \
            fuzz_fail((ctx), __VA_ARGS__); \
    } while (0)

/* The path of a file of the source tree: $SEGC_SOURCE_DIR/rel when the
 * variable is set, else the tree the harness was built from (the Makefile
 * passes -DSEGC_SOURCE_DIR). The result is static until the next call. */
const char *fuzz_source_path(const char *rel);
/* A whole file, NUL-terminated, malloc'd; aborts when it cannot be read. */
char *fuzz_read_file(const char *path, size_t *len);

/* A stream that discards what is written (diagnostics, dumps, members). */
FILE *fuzz_sink(void);

/* An in-memory file (memfd) holding the given bytes; returns its path
 * (/proc/self/fd/N), valid until the next call with the same slot. The
 * API loads CSV from paths only. slot: 0..3. */
const char *fuzz_memfile(int slot, const void *data, size_t size);

/* FNV-1a: a stable hash of the input, for choices the harness makes from
 * it (which allocation to fail, where to put a buffer boundary). */
uint64_t fuzz_hash(const void *data, size_t size);

/* ---- an allocator hook that checks every call ------------------------------
 * Every block carries a header with its size and a tag, so that a wrong old
 * size, a double free or a pointer the hook never made aborts at once, and
 * the live bytes are known (a context must give every byte back). It can
 * make one allocation fail (fail_at: the number of the call, 0: never). */
typedef struct fuzz_hook {
    size_t live_bytes;
    long calls;    /* allocations and resizes so far */
    long fail_at;  /* make call number fail_at fail; 0: never */
    long failures; /* calls made to fail */
} fuzz_hook;

void *fuzz_hook_fn(void *ud, void *ptr, size_t osize, size_t nsize);

/* A new context on h; aborts if that fails while h fails nothing. */
segc_ctx *fuzz_ctx_new(fuzz_hook *h);
/* Frees ctx and checks that every byte went back to h. */
void fuzz_ctx_free(segc_ctx *ctx, fuzz_hook *h);

/* Checks what every diagnostic of ctx promises (file and message never
 * NULL, spans in order) and prints them all to the sink. */
void fuzz_check_diags(const segc_ctx *ctx);

/* Compile options with the library folder stdlib/ of the source tree (for
 * `import "rfm"`) and LLVM's opt_level (0: the default). */
const segc_compile_opts *fuzz_compile_opts(int opt_level);

/* Writes the program as SQL in every dialect (segc_program_sql), to the
 * sink: each must succeed or explain itself with an error diagnostic. */
void fuzz_program_sql(segc_ctx *ctx, const segc_program *p);

/* Checks what segc.h and docs/language.md promise about a schema: one
 * key (int or string, not nullable), sizes by type, the record layout (8-,
 * then 4-, then 1-byte values in declaration order, then one null bit per
 * nullable field, padded to the alignment), unique field names. */
void fuzz_check_schema(const segc_ctx *ctx, const segc_schema *s);
/* Checks a compiled program: segment names unique and not field names,
 * lookups past the end NULL, classifications (plain segments first, then
 * each classification's tiers in order), annotations, parameters; dumps
 * it to the sink. */
void fuzz_check_program(const segc_ctx *ctx, const segc_program *p);

/* Evaluates prog over data at as_of with the interpreter and with the JIT
 * (the program's machine code, or code made for the evaluation) in ctx,
 * and aborts unless both give the same bitmaps; checks that each count is
 * the number of bits set, that no bit past the last record is set, and
 * that no record is in two tiers of a classification;
 * writes every segment's members to the sink. A JIT that fails to compile
 * a program the checker accepted is a failure too. */
void fuzz_compare_engines(segc_ctx *ctx, const segc_program *prog,
                          const segc_data *data, int64_t as_of);

/* The harness's name, for fuzz_fail (set by each harness). */
extern const char *fuzz_harness_name;

#endif
