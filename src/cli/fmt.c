/* fmt.c - segc fmt: rule files and schemas in their canonical layout
 * (segc_format), rewritten in place, or checked (--check) or shown as a
 * unified diff (--diff: udiff.c, no external diff). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "udiff.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

const char fmt_help[] =
    "usage: segc fmt [--check] [--diff] [FILE...]\n"
    "\n"
    "Rewrites rule files and schemas in segc's canonical layout: one\n"
    "layout for every file, so that changes to rules read as changes to\n"
    "rules. Comments and blank lines between declarations are kept, and\n"
    "the result is checked to be the same program before a file is\n"
    "written. A file with syntax errors is reported and left as it is.\n"
    "\n"
    "  FILE...   files to format in place (written only when they change);\n"
    "            without files, or with '-', standard input is formatted to\n"
    "            standard output\n"
    "  --check   write nothing; list the files whose layout would change\n"
    "  --diff    write nothing; print a unified diff (--- a/FILE, +++ b/FILE)\n"
    "            of what would change\n"
    "\n"
    "Exit status: 0 done (with --check or --diff: nothing would change);\n"
    "1 a file has errors, or (with --check or --diff) would change; 2 usage\n"
    "or I/O errors.\n";

/* ---- files ------------------------------------------------------------------------ */

static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 14, n = 0;
    char *p = malloc(cap);
    if (!p)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *q = cap > SIZE_MAX / 2 ? NULL : realloc(p, cap * 2);
            if (!q) {
                free(p);
                return NULL;
            }
            p = q;
            cap *= 2;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(p);
        return NULL;
    }
    *len = n;
    return p;
}

/* Replaces the file at path (through symbolic links) with text: a new
 * file beside it, with the old one's permissions, renamed over it. */
static int write_in_place(const char *path, const char *text, size_t len)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0) {
        fprintf(stderr, "segc fmt: cannot write '%s': %s\n", path,
                strerror(errno));
        return EXIT_USAGE;
    }
    size_t n = strlen(real);
    char *tmp = malloc(n + 32);
    if (!tmp)
        return EXIT_USAGE;
    const char *slash = strrchr(real, '/');
    size_t dir = slash ? (size_t)(slash - real) + 1 : 0;
    memcpy(tmp, real, dir);
    strcpy(tmp + dir, ".segc-fmt-XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "segc fmt: cannot write '%s': %s\n", path,
                strerror(errno));
        free(tmp);
        return EXIT_USAGE;
    }
    size_t done = 0;
    int ok = 1;
    while (ok && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (size_t)w;
    }
    ok = ok && fchmod(fd, st.st_mode & 07777) == 0;
    ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, real) == 0;
    if (!ok) {
        fprintf(stderr, "segc fmt: cannot write '%s': %s\n", path,
                strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? EXIT_OK : EXIT_USAGE;
}

/* ---- the command ----------------------------------------------------------------------- */

static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* Formats one file (path NULL: standard input). */
static int fmt_one(segc_ctx *ctx, const char *path, int check, int diff)
{
    const char *name = path ? path : "<stdin>";
    FILE *in = path ? fopen(path, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "segc fmt: cannot open '%s': %s\n", path,
                strerror(errno));
        return EXIT_USAGE;
    }
    size_t len = 0;
    char *text = read_stream(in, &len);
    int read_errno = errno;
    if (path)
        fclose(in);
    if (!text) {
        fprintf(stderr, "segc fmt: cannot read '%s': %s\n", name,
                strerror(read_errno));
        return EXIT_USAGE;
    }
    char *out = NULL;
    size_t out_len = 0;
    segc_status st = segc_format(ctx, name, text, len, &out, &out_len);
    segc_diag_print_all(ctx, stderr);
    segc_diag_clear(ctx);
    int code = EXIT_OK;
    if (st != SEGC_OK) {
        if (st == SEGC_ERR_COMPILE)
            fprintf(stderr, "%s: not formatted\n", name);
        free(text);
        return st == SEGC_ERR_COMPILE ? EXIT_ERRORS : EXIT_USAGE;
    }
    int changed = out_len != len || memcmp(out, text, len) != 0;
    if (check && changed)
        printf("%s\n", name);
    if (diff && changed && !cli_udiff(stdout, name, text, len, out, out_len))
        code = EXIT_USAGE;
    if ((check || diff) && changed)
        code = worse(code, EXIT_ERRORS);
    if (!check && !diff) {
        if (!path) {
            if (fwrite(out, 1, out_len, stdout) != out_len)
                code = EXIT_USAGE;
        } else if (changed) {
            code = worse(code, write_in_place(path, out, out_len));
        }
    }
    segc_format_free(ctx, out);
    free(text);
    return code;
}

int cmd_fmt(int argc, char **argv)
{
    int check = 0, diff = 0, nfiles = 0, opts_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || strcmp(a, "-") == 0) {
            nfiles++;
        } else if (strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(fmt_help, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--check") == 0) {
            check = 1;
        } else if (strcmp(a, "--diff") == 0) {
            diff = 1;
        } else {
            fprintf(stderr, "segc fmt: unknown option '%s'\n"
                            "(see 'segc fmt --help')\n", a);
            return EXIT_USAGE;
        }
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx)
        return EXIT_USAGE;
    int code = EXIT_OK;
    if (nfiles == 0)
        code = fmt_one(ctx, NULL, check, diff);
    opts_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
            continue;
        }
        if (!opts_done && a[0] == '-' && a[1])
            continue;
        code = worse(code, fmt_one(ctx, strcmp(a, "-") == 0 && !opts_done
                                             ? NULL
                                             : a,
                                   check, diff));
    }
    if (fflush(stdout) != 0)
        code = EXIT_USAGE;
    segc_ctx_free(ctx);
    return code;
}
