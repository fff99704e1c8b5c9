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

jit_code *jit_compile(jit *j, const ir_program *p, const jit_opts *o,
                      diag_list *d, uint64_t *ns)
{
    uint64_t t0 = now_ns();
    int level = o ? o->opt_level : 2;
    char name[48];
    snprintf(name, sizeof name, "segc_scan_%llu",
             (unsigned long long)++j->serial);

    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMContextRef ctx = LLVMOrcThreadSafeContextGetContext(tsc);
    LLVMModuleRef mod = jit_emit_module(ctx, p, name, d);
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
    c->scan = (jit_scan_fn)(uintptr_t)addr;
    if (ns)
        *ns = now_ns() - t0;
    return c;
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
    mem_free(c->j->m, c, sizeof *c);
}

/* blocks whose words are staged together, and the segment count from which
 * staging pays (measured in make bench: W100 and W1000) */
#define STAGE 8
#define STAGE_MIN_SEGS 16

segc_status jit_run(const jit_code *c, mem *m, const ir_program *p,
                    const dataset *d, int64_t as_of, result *res)
{
    eval_bound *b = eval_bind(m, p, d, as_of);
    if (!b)
        return SEGC_ERR_NOMEM;
    size_t full = d->n / JIT_BLOCK, rem = d->n % JIT_BLOCK;
    memset(res->bits, 0, res->nsegs * res->nwords * sizeof *res->bits);
    if (full && res->nsegs <= STAGE_MIN_SEGS) {
        c->scan(d->records, full, b, d, res->bits, res->nwords, 0);
    } else if (full) {
        /* Many segments: each block writes one word into every segment's
         * bitmap, so the scan writes nsegs streams at once, which thrashes
         * the caches and the TLB. The words of STAGE blocks are staged
         * together (a cache line per segment) and copied out line by line. */
        size_t size = res->nsegs * STAGE * sizeof(uint64_t);
        uint64_t *stage = mem_alloc(m, size);
        if (!stage) {
            eval_unbind(m, p, b);
            return SEGC_ERR_NOMEM;
        }
        size_t rs = d->sch->record_size;
        for (size_t blk = 0; blk < full; blk += STAGE) {
            size_t k = full - blk < STAGE ? full - blk : STAGE;
            c->scan(d->records + blk * JIT_BLOCK * rs, k, b, d, stage, STAGE, 0);
            for (size_t s = 0; s < res->nsegs; s++)
                memcpy(res->bits + s * res->nwords + blk, stage + s * STAGE,
                       k * sizeof(uint64_t));
        }
        mem_free(m, stage, size);
    }
    if (rem) {
        /* the last records, copied into a zeroed block of 64; the words are
         * masked to the records that exist */
        size_t rs = d->sch->record_size, size = JIT_BLOCK * rs + 64;
        unsigned char *raw = mem_zalloc(m, size);
        if (!raw) {
            eval_unbind(m, p, b);
            return SEGC_ERR_NOMEM;
        }
        unsigned char *blk =
            raw + ((64 - ((uintptr_t)raw & 63)) & 63);
        memcpy(blk, d->records + full * JIT_BLOCK * rs, rem * rs);
        c->scan(blk, 1, b, d, res->bits, res->nwords, full);
        uint64_t keep = (UINT64_C(1) << rem) - 1;
        for (size_t s = 0; s < res->nsegs; s++)
            res->bits[s * res->nwords + full] &= keep;
        mem_free(m, raw, size);
    }
    eval_unbind(m, p, b);
    result_count(res);
    return SEGC_OK;
}
