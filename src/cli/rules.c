/* rules.c - the options every command that compiles rules shares:
 * --param NAME=VALUE and --lib-path DIR, and where the bundled standard
 * library is found (docs/cli.md). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* the source tree's stdlib/, set by the Makefile */
#ifndef SEGC_SOURCE_STDLIB
#define SEGC_SOURCE_STDLIB "stdlib"
#endif

static int push(const char ***v, size_t *n, const char *s)
{
    const char **w = realloc(*v, (*n + 1) * sizeof *w);
    if (!w)
        return 0;
    w[(*n)++] = s;
    *v = w;
    return 1;
}

/* --limit NAME=VALUE: one of segc_limits (docs/cli.md) */
static int limit_option(cli_rules *r, int argc, char **argv, int *i,
                        int *err)
{
    const char *a = argv[*i];
    if (strncmp(a, "--limit", 7) != 0 || (a[7] != 0 && a[7] != '='))
        return 0;
    const char *v = a[7] == '=' ? a + 8 : NULL;
    if (!v) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "segc: option --limit needs a value\n");
            *err = 1;
            return 1;
        }
        v = argv[++*i];
    }
    int rc = segc_limits_set(&r->limits, v);
    if (rc == 0)
        return 1;
    *err = 1;
    size_t n = strcspn(v, "="), def, max;
    if (rc == -1) {
        fprintf(stderr, "segc: --limit: no limit called '%.*s'; the limits "
                "are", (int)n, v);
        const char *name;
        for (size_t k = 0; (name = segc_limits_name(k, NULL, NULL)); k++)
            fprintf(stderr, "%s %s", k ? "," : "", name);
        fprintf(stderr, "\n");
        return 1;
    }
    for (size_t k = 0; segc_limits_name(k, &def, &max); k++)
        if (strncmp(segc_limits_name(k, NULL, NULL), v, n) == 0 &&
            segc_limits_name(k, NULL, NULL)[n] == 0)
            fprintf(stderr, "segc: --limit %.*s needs a number from 1 to "
                    "%zu (the default is %zu), not '%s'\n", (int)n, v, max,
                    def, v[n] ? v + n + 1 : "");
    return 1;
}

int cli_rules_option(cli_rules *r, int argc, char **argv, int *i, int *err)
{
    if (limit_option(r, argc, argv, i, err))
        return 1;
    const char *a = argv[*i];
    static const char *const names[] = {"--param", "--lib-path"};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(names[k]);
        if (strncmp(a, names[k], n) != 0 || (a[n] != 0 && a[n] != '='))
            continue;
        const char *v = a[n] == '=' ? a + n + 1 : NULL;
        if (!v) {
            if (*i + 1 >= argc) {
                fprintf(stderr, "segc: option %s needs a value\n", names[k]);
                *err = 1;
                return 1;
            }
            v = argv[++*i];
        }
        if (!(k == 0 ? push(&r->params, &r->nparams, v)
                     : push(&r->libs, &r->nlibs, v)))
            *err = 1;
        return 1;
    }
    return 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* the folder of the running executable, or "" */
static void exe_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0) {
        out[0] = 0;
        return;
    }
    out[n] = 0;
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = 0;
}

int cli_rules_finish(cli_rules *r, segc_compile_opts *o)
{
    /* SEGC_PATH: folders separated by ':', after --lib-path */
    const char *env = getenv("SEGC_PATH");
    if (env && *env) {
        r->env = strdup(env);
        if (!r->env)
            return 0;
        for (char *p = strtok(r->env, ":"); p; p = strtok(NULL, ":"))
            if (*p && !push(&r->libs, &r->nlibs, p))
                return 0;
    }
    /* the bundled library: installed (bin/segc -> share/segc/stdlib/), or
     * in the source tree the binary was built from */
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    static const char *const rel[] = {"/../share/segc/stdlib", "/../stdlib",
                                      ""};
    for (size_t k = 0; k < 3; k++) {
        int n = k < 2 ? snprintf(r->bundled, sizeof r->bundled, "%s%s", dir,
                                 rel[k])
                      : snprintf(r->bundled, sizeof r->bundled, "%s",
                                 SEGC_SOURCE_STDLIB);
        if (k < 2 && !dir[0])
            continue;
        if (n < 0 || (size_t)n >= sizeof r->bundled)
            continue;
        char real[PATH_MAX];
        if (is_dir(r->bundled) && realpath(r->bundled, real)) {
            memcpy(r->bundled, real, sizeof real);
            if (!push(&r->libs, &r->nlibs, r->bundled))
                return 0;
            break;
        }
    }
    o->lib_paths = r->libs;
    o->nlib_paths = r->nlibs;
    o->params = r->params;
    o->nparams = r->nparams;
    o->limits = &r->limits;
    return 1;
}

void cli_rules_free(cli_rules *r)
{
    free(r->params);
    free(r->libs);
    free(r->env);
    memset(r, 0, sizeof *r);
}

void cli_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "segc %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'segc %s --help')\n", cmd);
}

const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i,
                          const char *name, int *err)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        cli_usage(cmd, "option %s needs a value", name);
        *err = 1;
        return NULL;
    }
    return argv[++*i];
}
