/* api_sql.c - the public API of the SQL backend (segc_program_sql and
 * friends, in include/segc.h's SQL section). */
#include <stdio.h>

#include "api_internal.h"
#include "sql.h"

int segc_sql_dialect_parse(const char *name, segc_sql_dialect *out)
{
    sql_dialect d;
    if (!name || !sql_dialect_find(name, &d))
        return -1;
    *out = (segc_sql_dialect)d;
    return 0;
}

static bool opts_of(segc_ctx *ctx, const segc_sql_opts *o, sql_opts *so)
{
    if (!o || (unsigned)o->dialect > SEGC_SQL_TRINO) {
        diag_place(api_ctx_diags(ctx), SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL,
                   0, "no SQL dialect given, or an unknown one");
        return false;
    }
    so->dialect = (sql_dialect)o->dialect;
    so->table = o->table;
    so->as_of = o->as_of;
    so->counts = o->counts != 0;
    return true;
}

/* writes b to out, or reports why not */
static segc_status finish(segc_ctx *ctx, bool ok, buf *b, FILE *out)
{
    mem *m = api_ctx_mem(ctx);
    segc_status st = SEGC_OK;
    if (m->failed) {
        m->failed = false;
        diag_place(api_ctx_diags(ctx), SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL,
                   0, "out of memory");
        st = SEGC_ERR_NOMEM;
    } else if (!ok) {
        st = SEGC_ERR_COMPILE;
    } else if (fwrite(b->p ? b->p : "", 1, b->len, out) != b->len ||
               ferror(out)) {
        diag_place(api_ctx_diags(ctx), SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL,
                   0, "writing the SQL failed");
        st = SEGC_ERR_IO;
    }
    buf_free(b);
    return st;
}

segc_status segc_program_sql(segc_ctx *ctx, const segc_program *prog,
                             const segc_sql_opts *opts, FILE *out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    sql_opts so;
    if (!prog || !out || !opts_of(ctx, opts, &so))
        return SEGC_ERR_ARG;
    buf b;
    buf_init(&b, m);
    size_t errors = api_ctx_diags(ctx)->errors;
    bool ok = sql_query(m, api_program_ir(prog), &so, api_ctx_diags(ctx), &b);
    if (!ok && !m->failed && api_ctx_diags(ctx)->errors == errors)
        m->failed = true; /* no diagnostic: only memory can explain it */
    return finish(ctx, ok, &b, out);
}

segc_status segc_schema_sql_table(segc_ctx *ctx, const segc_schema *schema,
                                  const segc_sql_opts *opts, FILE *out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    sql_opts so;
    if (!schema || !out || !opts_of(ctx, opts, &so))
        return SEGC_ERR_ARG;
    buf b;
    buf_init(&b, m);
    bool ok = sql_create_table(m, schema, &so, &b);
    if (!ok && !m->failed)
        diag_place(api_ctx_diags(ctx), SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL,
                   0, "bad table name '%s' (an empty part between dots)",
                   so.table ? so.table : "");
    return finish(ctx, ok, &b, out);
}
