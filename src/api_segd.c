/* api_segd.c - the public API of packed data files (segc_data_*_packed,
 * segc_data_load); the format is in docs/segd.md. */
#include "api_internal.h"
#include "segd.h"


segc_status segc_data_write_packed(segc_ctx *ctx, const segc_data *data,
                                   const char *path)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    if (!data || !path)
        return SEGC_ERR_ARG;
    return api_finish(ctx, segd_write(m, data, path, api_ctx_diags(ctx)));
}

segc_status segc_data_open_packed(segc_ctx *ctx, const segc_schema *schema,
                                  const char *path,
                                  const segc_open_opts *opts,
                                  segc_data **out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    *out = NULL;
    if (!schema || !path)
        return SEGC_ERR_ARG;
    bool verify = !(opts && opts->no_verify);
    return api_finish(ctx, segd_open(m, schema, path, verify,
                                 api_ctx_diags(ctx), out));
}

segc_status segc_data_load(segc_ctx *ctx, const segc_schema *schema,
                           const char *path, const segc_load_opts *lopts,
                           const segc_open_opts *popts, segc_data **out,
                           segc_load_stats *stats)
{
    if (segd_sniff(path) != 1)
        return segc_data_load_csv(ctx, schema, path, lopts, out, stats);
    segc_status st = segc_data_open_packed(ctx, schema, path, popts, out);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        if (st == SEGC_OK)
            stats->rows = stats->loaded = (*out)->n;
    }
    return st;
}

int segc_data_is_packed_file(const char *path)
{
    return segd_sniff(path);
}
