/* events.c - the CLI's --events LIST=CSV option (segc run, segc explain):
 * event histories loaded after the customers (docs/cli.md). */
#include <string.h>

#include "cli.h"

bool cli_events_add(cli_events *e, const char *cmd, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        cli_usage(cmd, "--events needs LIST=CSV, as in "
                  "--events purchases=orders.csv, not '%s'", arg);
        return false;
    }
    if (e->n == CLI_MAX_EVENTS) {
        cli_usage(cmd, "--events can be given at most 16 times ('%s' is "
                  "one too many)", arg);
        return false;
    }
    /* the list name ends at '=': keep it in its own string */
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof e->name[0]) {
        cli_usage(cmd, "--events: the list name is too long in '%s'", arg);
        return false;
    }
    memcpy(e->name[e->n], arg, n);
    e->name[e->n][n] = 0;
    e->list[e->n] = e->name[e->n];
    e->path[e->n] = eq + 1;
    e->n++;
    return true;
}

segc_status cli_events_load(segc_ctx *ctx, segc_data *data,
                            const cli_events *e, const segc_load_opts *lopts)
{
    for (int i = 0; i < e->n; i++) {
        segc_load_stats st;
        segc_status s = segc_data_load_events(ctx, data, e->list[i],
                                              e->path[i], lopts, &st);
        if (s != SEGC_OK)
            return s;
    }
    return SEGC_OK;
}
