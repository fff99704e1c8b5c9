/* api_events.c - the public entry point for event histories (segc.h):
 * loading an event list's CSV into a dataset (events.c does the work). */
#include "api_internal.h"
#include "events.h"

segc_status segc_data_load_events(segc_ctx *ctx, segc_data *data,
                                  const char *list, const char *path,
                                  const segc_load_opts *opts,
                                  segc_load_stats *stats)
{
    if (!ctx)
        return SEGC_ERR_ARG;
    mem *m = api_ctx_mem(ctx);
    diag_list *dl = api_ctx_diags(ctx);
    if (!data || !list || !path) {
        diag_place(dl, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "segc_data_load_events: data, list and path are needed");
        return SEGC_ERR_ARG;
    }
    m->failed = false;
    segc_status st = ev_load_csv(m, data, list, path, opts, dl, stats);
    if (m->failed) {
        m->failed = false;
        diag_place(dl, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "out of memory");
        return SEGC_ERR_NOMEM;
    }
    return st;
}
