/* api_fmt.c - the public API of the formatter (segc_format, in
 * include/segc.h's formatting section). */
#include "api_internal.h"
#include "fmt.h"

segc_status segc_format(segc_ctx *ctx, const char *name, const char *text,
                        size_t len, char **out, size_t *out_len)
{
    if (!ctx || !out || (!text && len))
        return SEGC_ERR_ARG;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    mem *m = api_ctx_mem(ctx);
    diag_list *diags = api_ctx_diags(ctx);
    m->failed = false;
    size_t start = diags->n;
    source src;
    buf b;
    buf_init(&b, m);
    bool ok = false;
    if (source_init(&src, m, name, text ? text : "", len)) {
        ok = fmt_source(m, &src, diags, &b);
        source_free(&src);
    }
    diag_sort_from(diags, start);
    if (ok)
        *out = buf_take(&b);
    else
        buf_free(&b);
    if (m->failed || (ok && !*out)) {
        m->failed = false;
        diag_place(diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "out of memory");
        if (*out) {
            mem_strfree(m, *out);
            *out = NULL;
        }
        return SEGC_ERR_NOMEM;
    }
    if (!ok)
        return SEGC_ERR_COMPILE;
    if (out_len)
        *out_len = strlen(*out);
    return SEGC_OK;
}

void segc_format_free(segc_ctx *ctx, char *text)
{
    if (ctx && text)
        mem_strfree(api_ctx_mem(ctx), text);
}
