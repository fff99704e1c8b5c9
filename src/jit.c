/* jit.c - the LLVM session: one LLJIT and target machine per context, module
 * verification, the pass pipeline, and running the compiled scan (jit_).
 *
 * After PostgreSQL's llvmjit.c: every LLVMErrorRef becomes a diagnostic and
 * is disposed of; every hand-over of ownership to LLVM is commented. */
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "jit_emit.h"
#include "par.h"

struct jit {
    mem *m;
    LLVMOrcLLJITRef lljit;
    LLVMTargetMachineRef tm; /* for the optimisation passes */
    char *triple;            /* LLVM's strings, disposed with LLVMDisposeMessage */
    char *cpu;
    char *features;
    uint64_t serial;         /* for unique function names */
};

struct jit_code {
    jit *j;
    LLVMOrcResourceTrackerRef rt;
    jit_scan_fn scan;
    jit_stats_fn *stats; /* per level, 1.. (index level - 1) */
    int levels;
    jit_one_fn one;      /* jit_compile_one's code (then scan is NULL) */
};

/* LLVM's target registry is process-wide; it is filled exactly once. This
 * once-flag is the only static state segc has, and it belongs to LLVM. */
static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;
static int llvm_init_failed;

static void llvm_init(void)
{
    llvm_init_failed = LLVMInitializeNativeTarget() ||
                       LLVMInitializeNativeAsmPrinter();
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Reports err (if any) as a diagnostic and disposes of it. */
static bool llvm_ok(diag_list *d, LLVMErrorRef err, const char *what)
{
    if (!err)
        return true;
    char *msg = LLVMGetErrorMessage(err); /* consumes err */
    diag_place(d, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0, "JIT: %s: %s",
               what, msg);
    LLVMDisposeErrorMessage(msg);
    return false;
}

static LLVMTargetMachineRef host_machine(jit *j, int level)
{
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(j->triple, &target, &err)) {
        LLVMDisposeMessage(err);
        return NULL;
    }
    LLVMCodeGenOptLevel lv = level <= 0   ? LLVMCodeGenLevelNone
                             : level == 1 ? LLVMCodeGenLevelLess
                             : level == 2 ? LLVMCodeGenLevelDefault
                                          : LLVMCodeGenLevelAggressive;
    return LLVMCreateTargetMachine(target, j->triple, j->cpu, j->features, lv,
                                   LLVMRelocDefault, LLVMCodeModelJITDefault);
}

jit *jit_new(mem *m, diag_list *d)
{
    pthread_once(&llvm_once, llvm_init);
    if (llvm_init_failed) {
        diag_place(d, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "JIT: LLVM has no code generator for this machine");
        return NULL;
    }
    jit *j = mem_zalloc(m, sizeof *j);
    if (!j)
        return NULL;
    j->m = m;
    j->triple = LLVMGetDefaultTargetTriple();
    j->cpu = LLVMGetHostCPUName();
    j->features = LLVMGetHostCPUFeatures();
    j->tm = host_machine(j, 2);
    LLVMTargetMachineRef jit_tm = host_machine(j, 2);
    if (!j->tm || !jit_tm) {
        diag_place(d, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "JIT: no target machine for '%s'", j->triple);
        if (jit_tm)
            LLVMDisposeTargetMachine(jit_tm);
        jit_free(j);
        return NULL;
    }
    LLVMOrcLLJITBuilderRef b = LLVMOrcCreateLLJITBuilder();
    /* jit_tm will be owned by the target machine builder, and that by b */
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
        b, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(jit_tm));
    /* b is consumed by LLVMOrcCreateLLJIT, whether it succeeds or not */
    if (!llvm_ok(d, LLVMOrcCreateLLJIT(&j->lljit, b), "cannot create LLJIT")) {
        j->lljit = NULL;
        jit_free(j);
        return NULL;
    }

    /* the runtime helpers, as absolute symbols of the main JITDylib */
    static const struct {
        const char *name;
        void (*fn)(void);
    } helpers[] = {
        {"segc_rt_shift_date", (void (*)(void))segc_rt_shift_date},
        {"segc_rt_shift_ts", (void (*)(void))segc_rt_shift_ts},
        {"segc_rt_in_i64", (void (*)(void))segc_rt_in_i64},
        {"segc_rt_in_f64", (void (*)(void))segc_rt_in_f64},
        {"segc_rt_str_eq", (void (*)(void))segc_rt_str_eq},
        {"segc_rt_ntile_i64", (void (*)(void))segc_rt_ntile_i64},
        {"segc_rt_ntile_f64", (void (*)(void))segc_rt_ntile_f64},
        {"segc_rt_date_part", (void (*)(void))segc_rt_date_part},
        {"segc_rt_div_half_even", (void (*)(void))segc_rt_div_half_even},
        {"segc_rt_date_part_of", (void (*)(void))segc_rt_date_part_of},
        {"segc_rt_evagg", (void (*)(void))segc_rt_evagg},
        {"segc_rt_evagg_null", (void (*)(void))segc_rt_evagg_null},
        {"segc_rt_evagg_block", (void (*)(void))segc_rt_evagg_block},
    };
    enum { NH = sizeof helpers / sizeof helpers[0] };
    LLVMOrcCSymbolMapPair syms[NH];
    for (size_t i = 0; i < NH; i++) {
        syms[i].Name = LLVMOrcLLJITMangleAndIntern(j->lljit, helpers[i].name);
        syms[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)helpers[i].fn;
        syms[i].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported |
                                         LLVMJITSymbolGenericFlagsCallable;
        syms[i].Sym.Flags.TargetFlags = 0;
    }
    /* the names are retained by MangleAndIntern and owned by the unit */
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(syms, NH);
    LLVMErrorRef err =
        LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->lljit), mu);
    if (err) {
        LLVMOrcDisposeMaterializationUnit(mu); /* still ours on failure */
        llvm_ok(d, err, "cannot define the runtime helpers");
        jit_free(j);
        return NULL;
    }
    return j;
}

void jit_free(jit *j)
{
    if (!j)
        return;
    if (j->lljit) {
        LLVMErrorRef err = LLVMOrcDisposeLLJIT(j->lljit);
        if (err)
            LLVMConsumeError(err);
    }
    if (j->tm)
        LLVMDisposeTargetMachine(j->tm);
    LLVMDisposeMessage(j->triple);
    LLVMDisposeMessage(j->cpu);
    LLVMDisposeMessage(j->features);
    mem_free(j->m, j, sizeof *j);
}

/* the scan and statistics passes of p, or (one_record) the function of
 * jit_compile_one over the dictionaries of data */
static jit_code *compile(jit *j, const ir_program *p, const jit_opts *o,
                         bool one_record, const dataset *data, diag_list *d,
                         uint64_t *ns)
{
    uint64_t t0 = now_ns();
    int level = o ? o->opt_level : 2;
    char name[48];
    snprintf(name, sizeof name, "segc_scan_%llu",
             (unsigned long long)++j->serial);

    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMContextRef ctx = LLVMOrcThreadSafeContextGetContext(tsc);
    LLVMModuleRef mod = one_record ? jit_one_module(ctx, p, data, name, d)
                                   : jit_emit_module(ctx, p, name, d);
    if (!mod) {
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    LLVMSetTarget(mod, LLVMOrcLLJITGetTripleString(j->lljit));
    LLVMSetDataLayout(mod, LLVMOrcLLJITGetDataLayoutStr(j->lljit));

    /* verify before optimising: malformed IR must never reach LLVM's passes */
    char *msg = NULL;
    if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
        diag_place(d, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "JIT: internal error: the generated code does not verify: %s",
                   msg ? msg : "");
        LLVMDisposeMessage(msg);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    LLVMDisposeMessage(msg);

    char passes[32];
    snprintf(passes, sizeof passes, "default<O%d>", level < 0 ? 0 : level > 3 ? 3 : level);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef err = LLVMRunPasses(mod, passes, j->tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (!llvm_ok(d, err, "optimising failed")) {
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    if (o && o->emit_llvm) {
        char *ir = LLVMPrintModuleToString(mod);
        fputs(ir, o->emit_llvm);
        LLVMDisposeMessage(ir);
    }

    jit_code *c = mem_zalloc(j->m, sizeof *c);
    if (!c) {
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    c->j = j;
    /* mod will be owned by the thread-safe module, which keeps the context
     * alive; our reference to the context can go */
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc);
    c->rt = LLVMOrcJITDylibCreateResourceTracker(
        LLVMOrcLLJITGetMainJITDylib(j->lljit));
    /* tsm will be owned by LLJIT */
    if (!llvm_ok(d, LLVMOrcLLJITAddLLVMIRModuleWithRT(j->lljit, c->rt, tsm),
                 "cannot add the module")) {
        jit_code_free(c);
        return NULL;
    }
    /* the lookup makes LLJIT generate the machine code */
    LLVMOrcExecutorAddress addr = 0;
    if (!llvm_ok(d, LLVMOrcLLJITLookup(j->lljit, &addr, name),
                 "cannot generate the machine code")) {
        jit_code_free(c);
        return NULL;
    }
    if (one_record) {
        c->one = (jit_one_fn)(uintptr_t)addr;
        if (ns)
            *ns = now_ns() - t0;
        return c;
    }
    c->scan = (jit_scan_fn)(uintptr_t)addr;
    if (p->levels) {
        c->stats = mem_array(j->m, (size_t)p->levels, sizeof *c->stats);
        if (!c->stats) {
            jit_code_free(c);
            return NULL;
        }
        c->levels = p->levels;
        for (int l = 1; l <= p->levels; l++) {
            char sname[96];
            snprintf(sname, sizeof sname, "%s_stats%d", name, l);
            if (!llvm_ok(d, LLVMOrcLLJITLookup(j->lljit, &addr, sname),
                         "cannot generate the statistics pass")) {
                jit_code_free(c);
                return NULL;
            }
            c->stats[l - 1] = (jit_stats_fn)(uintptr_t)addr;
        }
    }
    if (ns)
        *ns = now_ns() - t0;
    return c;
}

jit_code *jit_compile(jit *j, const ir_program *p, const jit_opts *o,
                      diag_list *d, uint64_t *ns)
{
    return compile(j, p, o, false, NULL, d, ns);
}

jit_code *jit_compile_one(jit *j, const ir_program *p, const dataset *data,
                          diag_list *d, uint64_t *ns)
{
    return compile(j, p, NULL, true, data, d, ns);
}

jit_one_fn jit_code_one(const jit_code *c)
{
    return c->one;
}

void jit_code_free(jit_code *c)
{
    if (!c)
        return;
    if (c->rt) {
        LLVMErrorRef err = LLVMOrcResourceTrackerRemove(c->rt);
        if (err)
            LLVMConsumeError(err);
        LLVMOrcReleaseResourceTracker(c->rt);
    }
    if (c->stats)
        mem_free(c->j->m, c->stats, (size_t)c->levels * sizeof *c->stats);
    mem_free(c->j->m, c, sizeof *c);
}

/* blocks whose words are staged together, and the segment count from which
 * staging pays (measured in make bench: W100 and W1000) */
#define STAGE 8
#define STAGE_MIN_SEGS 16

/* one parallel scan: task t scans the full blocks of morsel t */
typedef struct scan_job {
    const jit_code *c;
    const dataset *d;
    const eval_bound *b;
    result *res;
    size_t full;      /* full blocks */
    size_t mblocks;   /* blocks per morsel */
    bool staged;
    uint64_t *stage;  /* per worker: nsegs * STAGE words */
} scan_job;

static void scan_morsel(void *arg, size_t t, unsigned w)
{
    scan_job *j = arg;
    const jit_code *c = j->c;
    result *res = j->res;
    size_t rs = j->d->sch->record_size;
    size_t blk0 = t * j->mblocks;
    size_t end = j->full - blk0 < j->mblocks ? j->full : blk0 + j->mblocks;
    if (!j->staged) {
        c->scan(j->d->records + blk0 * JIT_BLOCK * rs, end - blk0, j->b, j->d,
                res->bits, res->nwords, blk0);
        return;
    }
    /* Many segments: each block writes one word into every segment's
     * bitmap, so the scan writes nsegs streams at once, which thrashes the
     * caches and the TLB. The words of STAGE blocks are staged together (a
     * cache line per segment) and copied out line by line. */
    uint64_t *stage = j->stage + (size_t)w * res->nsegs * STAGE;
    for (size_t blk = blk0; blk < end; blk += STAGE) {
        size_t k = end - blk < STAGE ? end - blk : STAGE;
        c->scan(j->d->records + blk * JIT_BLOCK * rs, k, j->b, j->d, stage,
                STAGE, 0);
        for (size_t s = 0; s < res->nsegs; s++)
            memcpy(res->bits + s * res->nwords + blk, stage + s * STAGE,
                   k * sizeof(uint64_t));
    }
}

segc_status jit_run(const jit_code *c, mem *m, const ir_program *p,
                    const dataset *d, const eval_bound *b, result *res,
                    const eval_par *par)
{
    (void)p;
    size_t full = d->n / JIT_BLOCK, rem = d->n % JIT_BLOCK;
    unsigned threads = par && par->threads > 1 ? par->threads : 1;
    memset(res->bits, 0, res->nsegs * res->nwords * sizeof *res->bits);
    if (full) {
        scan_job j = {c, d, b, res, full, full, res->nsegs > STAGE_MIN_SEGS,
                      NULL};
        if (threads > 1 || (par && par->morsel))
            j.mblocks = par_morsel(par->morsel) / JIT_BLOCK;
        size_t ntasks = (full + j.mblocks - 1) / j.mblocks;
        if (threads > ntasks)
            threads = (unsigned)ntasks;
        /* the workers' scratch, allocated here: workers never allocate */
        size_t size = j.staged ? threads * res->nsegs * STAGE * sizeof(uint64_t)
                               : 0;
        if (size && !(j.stage = mem_alloc(m, size)))
            return SEGC_ERR_NOMEM;
        par_run(threads, ntasks, scan_morsel, &j);
        if (size)
            mem_free(m, j.stage, size);
    }
    if (rem) {
        /* the last records, copied into a zeroed block of 64; the words are
         * masked to the records that exist */
        size_t rs = d->sch->record_size, size = JIT_BLOCK * rs + 64;
        unsigned char *raw = mem_zalloc(m, size);
        if (!raw)
            return SEGC_ERR_NOMEM;
        unsigned char *blk =
            raw + ((64 - ((uintptr_t)raw & 63)) & 63);
        memcpy(blk, d->records + full * JIT_BLOCK * rs, rem * rs);
        c->scan(blk, 1, b, d, res->bits, res->nwords, full);
        uint64_t keep = (UINT64_C(1) << rem) - 1;
        for (size_t s = 0; s < res->nsegs; s++)
            res->bits[s * res->nwords + full] &= keep;
        mem_free(m, raw, size);
    }
    result_count(res);
    return SEGC_OK;
}

/* the statistics pass, compiled: the code writes each statistic's values and
 * the words of the records that count, a chunk of blocks at a time; the
 * values are fed to the same reduction as the interpreter's (stat.c), in
 * record order. With threads, a round computes one chunk per worker at once
 * (each into its own slot of buffers), then the calling thread feeds the
 * slots in order: the reduction sees the same values in the same order as
 * with one thread, so sums of floats and variances are bit for bit the
 * same. */
#define STATS_CHUNK 256 /* blocks: 16384 records */

typedef struct stats_job {
    jit_stats_fn fn;
    const dataset *d;
    const eval_bound *b;
    const unsigned char *tail; /* the last, partial block, padded */
    size_t full, nblocks, rem;
    size_t chunk;       /* blocks per chunk */
    size_t base;        /* the round's first block */
    size_t ns;          /* statistics of the level */
    void ***out;        /* per slot: 2 * ns buffers (values, words) */
    void ***shifted;    /* per slot: room for the tail's pointers */
} stats_job;

static void stats_chunk(void *arg, size_t t, unsigned w)
{
    (void)w;
    stats_job *j = arg;
    size_t rs = j->d->sch->record_size;
    size_t blk = j->base + t * j->chunk;
    size_t k = j->nblocks - blk < j->chunk ? j->nblocks - blk : j->chunk;
    size_t kfull = blk + k <= j->full ? k : j->full - blk;
    void **out = j->out[t];
    if (kfull)
        j->fn(j->d->records + blk * JIT_BLOCK * rs, kfull, j->b, j->d, out);
    if (kfull < k) {
        /* the tail block goes last in its chunk's buffers */
        void **shifted = j->shifted[t];
        for (size_t q = 0; q < j->ns; q++) {
            shifted[2 * q] = (int64_t *)out[2 * q] + kfull * JIT_BLOCK;
            shifted[2 * q + 1] = (uint64_t *)out[2 * q + 1] + kfull;
        }
        j->fn(j->tail, 1, j->b, j->d, shifted);
        for (size_t q = 0; q < j->ns; q++)
            ((uint64_t *)out[2 * q + 1])[kfull] &=
                (UINT64_C(1) << j->rem) - 1;
    }
}

/* feeds the k blocks of one slot's buffers to the accumulators */
static void stats_feed(const ir_program *p, stat_acc *acc, size_t i,
                       size_t j, void **out, size_t k)
{
    for (size_t q = i; q < j; q++) {
        stat_acc *a = &acc[q];
        const uint64_t *w = out[2 * (q - i) + 1];
        const int64_t *vi = out[2 * (q - i)];
        const double *vf = out[2 * (q - i)];
        bool has_value = p->stats[q]->nkids > 0;
        for (size_t x = 0; x < k; x++) {
            uint64_t word = w[x];
            if (!has_value) {
                a->count += (size_t)__builtin_popcountll(word);
                continue;
            }
            while (word) {
                unsigned bit = (unsigned)__builtin_ctzll(word);
                word &= word - 1;
                size_t at = x * JIT_BLOCK + bit;
                if (a->fl)
                    stat_add_f(a, vf[at]);
                else
                    stat_add_i(a, vi[at]);
            }
        }
    }
}

segc_status jit_stats(const jit_code *c, mem *m, const ir_program *p,
                      const dataset *d, eval_bound *b, const eval_par *par)
{
    segc_status st = SEGC_OK;
    size_t rs = d->sch->record_size;
    size_t nblocks = (d->n + JIT_BLOCK - 1) / JIT_BLOCK;
    size_t full = d->n / JIT_BLOCK, rem = d->n % JIT_BLOCK;
    unsigned threads = par && par->threads > 1 ? par->threads : 1;
    size_t chunk = par && par->morsel ? par_morsel(par->morsel) / JIT_BLOCK
                                      : STATS_CHUNK;
    size_t nchunks = (nblocks + chunk - 1) / chunk;
    if (threads > nchunks)
        threads = nchunks ? (unsigned)nchunks : 1;
    size_t slots = threads;
    /* the last records, copied into a zeroed block (as jit_run does) */
    size_t tsize = JIT_BLOCK * rs + 64;
    unsigned char *traw = rem ? mem_zalloc(m, tsize) : NULL;
    unsigned char *tail = traw ? traw + ((64 - ((uintptr_t)traw & 63)) & 63)
                               : NULL;
    if (rem && !traw)
        return SEGC_ERR_NOMEM;
    if (tail)
        memcpy(tail, d->records + full * JIT_BLOCK * rs, rem * rs);
    stat_acc *acc = mem_array(m, p->nstats + 1, sizeof *acc);
    /* every buffer of every slot, allocated here: workers never allocate */
    size_t nptr = 2 * p->nstats + 1;
    void ***out = mem_array(m, slots, sizeof *out);
    void ***shifted = mem_array(m, slots, sizeof *shifted);
    if (out)
        memset(out, 0, slots * sizeof *out);
    if (shifted)
        memset(shifted, 0, slots * sizeof *shifted);
    if (!acc || !out || !shifted)
        st = SEGC_ERR_NOMEM;
    for (size_t t = 0; t < slots && st == SEGC_OK; t++) {
        out[t] = mem_array(m, nptr, sizeof **out);
        shifted[t] = mem_array(m, nptr, sizeof **shifted);
        if (!out[t] || !shifted[t])
            st = SEGC_ERR_NOMEM;
        else
            memset(out[t], 0, nptr * sizeof **out);
    }
    for (size_t i = 0; i < p->nstats && st == SEGC_OK;) {
        int level = p->stats[i]->level;
        size_t j = i;
        while (j < p->nstats && p->stats[j]->level == level)
            j++;
        size_t made = i;
        for (; made < j; made++) {
            if (!stat_acc_init(m, &acc[made], p->stats[made], d->n))
                break;
            bool ok = true;
            for (size_t t = 0; t < slots; t++) {
                void **o = out[t];
                o[2 * (made - i)] =
                    mem_array(m, chunk * JIT_BLOCK, sizeof(int64_t));
                o[2 * (made - i) + 1] = mem_array(m, chunk, sizeof(uint64_t));
                ok = ok && o[2 * (made - i)] && o[2 * (made - i) + 1];
            }
            if (!ok) {
                made++; /* its buffers are freed below */
                st = SEGC_ERR_NOMEM;
                break;
            }
        }
        if (made < j)
            st = SEGC_ERR_NOMEM;
        stats_job job = {c->stats[level - 1], d, b, tail, full, nblocks, rem,
                         chunk, 0, j - i, out, shifted};
        for (size_t base = 0; base < nblocks && st == SEGC_OK;
             base += slots * chunk) {
            size_t left = (nblocks - base + chunk - 1) / chunk;
            size_t ntasks = left < slots ? left : slots;
            job.base = base;
            par_run(threads, ntasks, stats_chunk, &job);
            for (size_t t = 0; t < ntasks; t++) {
                size_t blk = base + t * chunk;
                size_t k = nblocks - blk < chunk ? nblocks - blk : chunk;
                stats_feed(p, acc, i, j, out[t], k);
            }
        }
        for (size_t q = i; q < made; q++) {
            if (st == SEGC_OK && !stat_finish(m, &acc[q], &b[p->stats[q]->id]))
                st = SEGC_ERR_NOMEM;
            stat_acc_free(m, &acc[q]);
            for (size_t t = 0; t < slots; t++) {
                void **o = out[t];
                if (o[2 * (q - i)])
                    mem_free(m, o[2 * (q - i)],
                             chunk * JIT_BLOCK * sizeof(int64_t));
                if (o[2 * (q - i) + 1])
                    mem_free(m, o[2 * (q - i) + 1], chunk * sizeof(uint64_t));
                o[2 * (q - i)] = o[2 * (q - i) + 1] = NULL;
            }
        }
        i = j;
    }
    for (size_t t = 0; t < slots; t++) {
        if (out && out[t])
            mem_free(m, out[t], nptr * sizeof **out);
        if (shifted && shifted[t])
            mem_free(m, shifted[t], nptr * sizeof **shifted);
    }
    if (out)
        mem_free(m, out, slots * sizeof *out);
    if (shifted)
        mem_free(m, shifted, slots * sizeof *shifted);
    if (acc)
        mem_free(m, acc, (p->nstats + 1) * sizeof *acc);
    if (traw)
        mem_free(m, traw, tsize);
    return st;
}
