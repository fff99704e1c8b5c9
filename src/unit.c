/* unit.c - the main rule file, its imports and parameter values (unit_). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "limit.h"
#include "parse.h"
#include "unit.h"

void unit_init(unit *u, mem *m, diag_list *d, const char *const *lib_paths,
               size_t nlib_paths)
{
    memset(u, 0, sizeof *u);
    u->m = m;
    u->d = d;
    u->lib_paths = lib_paths;
    u->nlib_paths = nlib_paths;
}

static char *dup_str(mem *m, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(m, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void free_str(mem *m, char *s)
{
    if (s)
        mem_free(m, s, strlen(s) + 1);
}

static void file_free(unit *u, unit_file *f)
{
    if (!f)
        return;
    arena_free(&f->a);
    source_free(&f->src);
    if (f->text)
        mem_free(u->m, f->text, f->cap);
    free_str(u->m, f->path);
    free_str(u->m, f->real);
    mem_free(u->m, f, sizeof *f);
}

void unit_free(unit *u)
{
    for (size_t i = 0; i < u->nfiles; i++)
        file_free(u, u->files[i]);
    mem_free(u->m, u->files, u->nfiles * sizeof *u->files);
    for (size_t i = 0; i < u->noverrides; i++)
        file_free(u, u->override_files[i]);
    mem_free(u->m, u->override_files,
             u->nparams * sizeof *u->override_files);
    mem_free(u->m, u->overrides, u->nparams * sizeof *u->overrides);
    mem_free(u->m, u->order, (UNIT_MAX_FILES + 1) * sizeof *u->order);
    memset(u, 0, sizeof *u);
}

/* a new file parsed from text (not copied when cap is 0) */
static unit_file *add_file(unit *u, const char *name, char *text, size_t len,
                           size_t cap, bool keep)
{
    unit_file *f = mem_zalloc(u->m, sizeof *f);
    if (!f)
        return NULL;
    arena_init(&f->a, u->m);
    f->text = cap ? text : NULL;
    f->cap = cap;
    if (!source_init(&f->src, u->m, name, text, len)) {
        f->text = NULL; /* the caller frees it */
        file_free(u, f);
        return NULL;
    }
    /* on failure the caller keeps (and frees) text */
    f->ast = parse_file(u->m, &f->a, &f->src, u->d);
    if (!f->ast) {
        f->text = NULL;
        file_free(u, f);
        return NULL;
    }
    if (!keep)
        return f;
    unit_file **v = mem_realloc(u->m, u->files, u->nfiles * sizeof *v,
                                (u->nfiles + 1) * sizeof *v);
    if (!v) {
        f->text = NULL;
        file_free(u, f);
        return NULL;
    }
    u->files = v;
    u->files[u->nfiles++] = f;
    return f;
}

/* ---- finding an imported file --------------------------------------------------- */

static bool is_path(const char *name)
{
    return strchr(name, '/') != NULL || name[0] == '.';
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* dir of path + name, or name when path has no folder */
static char *join(mem *m, const char *dir, size_t dirlen, const char *name,
                  const char *ext)
{
    /* exactly strlen + 1 bytes: free_str frees that many */
    size_t n = dirlen + (dirlen ? 1 : 0) + strlen(name) + strlen(ext) + 1;
    char *p = mem_alloc(m, n);
    if (p)
        snprintf(p, n, "%.*s%s%s%s", (int)dirlen, dir, dirlen ? "/" : "",
                 name, ext);
    return p;
}

/* the library files in the library folders, for a suggestion */
static const char *nearest_lib(unit *u, const char *name, char *out,
                               size_t cap)
{
    const char *best = NULL;
    char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < u->nlib_paths && n < 64; i++) {
        DIR *d = opendir(u->lib_paths[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) && n < 64) {
            size_t len = strlen(e->d_name);
            if (len > 4 && ends_with(e->d_name, ".seg")) {
                char *s = mem_alloc(u->m, len - 3);
                if (!s)
                    break;
                memcpy(s, e->d_name, len - 4);
                s[len - 4] = 0;
                names[n++] = s;
            }
        }
        closedir(d);
    }
    const char *s = text_nearest(name, strlen(name),
                                 (const char *const *)names, n);
    if (s) {
        snprintf(out, cap, "%s", s);
        best = out;
    }
    for (size_t i = 0; i < n; i++)
        mem_free(u->m, names[i], strlen(names[i]) + 1);
    return best;
}

/* The file an import names, or NULL (reported). */
static char *resolve(unit *u, unit_file *from, const ast_import *im)
{
    const char *name = im->path;
    const char *ext = ends_with(name, ".seg") ? "" : ".seg";
    if (is_path(name)) {
        const char *dir = from->path ? from->path : "";
        const char *slash = strrchr(dir, '/');
        size_t dirlen = slash ? (size_t)(slash - dir) : 0;
        if (name[0] == '/')
            dirlen = 0;
        /* ./b.seg next to ./a.seg is ./b.seg, not ././b.seg */
        while (dirlen && name[0] == '.' && name[1] == '/')
            name += 2;
        char *p = join(u->m, dir, dirlen, name, "");
        if (p && !exists(p) && *ext) {
            char *q = join(u->m, dir, dirlen, name, ext);
            if (q && exists(q)) {
                free_str(u->m, p);
                return q;
            }
            free_str(u->m, q);
        }
        if (p && !exists(p)) {
            diag_at(u->d, SEGC_SEV_ERROR, &from->src, im->at, NULL, NULL,
                    "cannot find '%s' (looked for %s)", name, p);
            free_str(u->m, p);
            return NULL;
        }
        return p;
    }
    for (size_t i = 0; i < u->nlib_paths; i++) {
        const char *dir = u->lib_paths[i];
        char *p = join(u->m, dir, strlen(dir), name, ext);
        if (!p)
            return NULL;
        if (exists(p))
            return p;
        free_str(u->m, p);
    }
    buf b;
    buf_init(&b, u->m);
    for (size_t i = 0; i < u->nlib_paths; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", u->lib_paths[i]);
    char sug[128];
    const char *s = nearest_lib(u, name, sug, sizeof sug);
    if (s)
        diag_at(u->d, SEGC_SEV_ERROR, &from->src, im->at, NULL, NULL,
                "no library '%s'; did you mean '%s'? (searched %s)", name, s,
                b.len ? buf_cstr(&b) : "no library folders");
    else
        diag_at(u->d, SEGC_SEV_ERROR, &from->src, im->at, NULL, NULL,
                "no library '%s' (searched %s; add a folder with --lib-path "
                "or SEGC_PATH, or import a file by its path, as in "
                "\"./%s%s\")", name,
                b.len ? buf_cstr(&b) : "no library folders", name, ext);
    buf_free(&b);
    return NULL;
}

static char *read_all(unit *u, const char *path, size_t *len, size_t *cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b;
    buf_init(&b, u->m);
    char chunk[1 << 14];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (!buf_append(&b, chunk, n))
            break;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || !buf_reserve(&b, 1)) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    *cap = b.cap;
    return b.p;
}

/* ---- loading ------------------------------------------------------------------- */

static bool add_order(unit *u, unit_file *f, bool is_main,
                      const unit_file *by, loc at)
{
    if (!u->order) {
        u->order = mem_array(u->m, UNIT_MAX_FILES + 1, sizeof *u->order);
        if (!u->order)
            return false;
    }
    u->order[u->norder].ast = f->ast;
    u->order[u->norder].is_main = is_main;
    u->order[u->norder].import_src = by ? &by->src : NULL;
    u->order[u->norder].import_at = at;
    u->norder++;
    return true;
}

static bool load_imports(unit *u, unit_file *f, int depth);

static bool import_one(unit *u, unit_file *from, const ast_import *im,
                       int depth)
{
    char *path = resolve(u, from, im);
    if (!path)
        return !u->m->failed;
    char rbuf[PATH_MAX];
    const char *real = realpath(path, rbuf) ? rbuf : path;
    for (size_t i = 0; i < u->nfiles; i++) {
        unit_file *g = u->files[i];
        if (!g->real || strcmp(g->real, real) != 0)
            continue;
        free_str(u->m, path);
        if (g->state == 1) {
            buf b;
            buf_init(&b, u->m);
            for (size_t k = 0; k < u->nfiles; k++)
                if (u->files[k]->state == 1)
                    buf_printf(&b, "%s -> ", u->files[k]->src.name);
            buf_puts(&b, g->src.name);
            diag_at(u->d, SEGC_SEV_ERROR, &from->src, im->at, NULL, NULL,
                    "import cycle: %s", buf_cstr(&b) ? b.p : "");
            buf_free(&b);
        }
        return true; /* imported already */
    }
    const limits *lim = u->lim ? u->lim : limits_default();
    char what[320]; /* (import_one recurses: kept small) */
    if ((size_t)depth + 1 > lim->v[LIM_IMPORT_DEPTH]) {
        snprintf(what, sizeof what, "'%.200s' is imported %d levels deep",
                 im->path, depth + 1);
        u->limit_errors++;
        limits_error(u->d, &from->src, im->at, LIM_IMPORT_DEPTH,
                     lim->v[LIM_IMPORT_DEPTH], (size_t)depth + 1, what);
        free_str(u->m, path);
        return true;
    }
    if (u->nfiles - 1 >= lim->v[LIM_IMPORTED_FILES] ||
        u->nfiles >= UNIT_MAX_FILES) {
        snprintf(what, sizeof what, "'%.200s' is imported file number %zu",
                 im->path, u->nfiles);
        u->limit_errors++;
        limits_error(u->d, &from->src, im->at, LIM_IMPORTED_FILES,
                     lim->v[LIM_IMPORTED_FILES], u->nfiles, what);
        free_str(u->m, path);
        return true;
    }
    size_t len, cap;
    char *text = read_all(u, path, &len, &cap);
    size_t total = len;
    for (size_t i = 0; text && i < u->nfiles; i++)
        total += u->files[i]->src.len;
    if (text && (len > lim->v[LIM_SOURCE_BYTES] ||
                 total > lim->v[LIM_TOTAL_SOURCE_BYTES])) {
        limit_kind k = len > lim->v[LIM_SOURCE_BYTES]
                           ? LIM_SOURCE_BYTES : LIM_TOTAL_SOURCE_BYTES;
        size_t v = k == LIM_SOURCE_BYTES ? len : total;
        if (k == LIM_SOURCE_BYTES)
            snprintf(what, sizeof what, "'%.200s' is %zu bytes", im->path, len);
        else
            snprintf(what, sizeof what, "with '%.200s', the rule files are %zu "
                     "bytes together", im->path, total);
        u->limit_errors++;
        limits_error(u->d, &from->src, im->at, k, lim->v[k], v, what);
        mem_free(u->m, text, cap);
        free_str(u->m, path);
        return true;
    }
    if (!text) {
        if (u->m->failed) {
            free_str(u->m, path);
            return false;
        }
        char eb[128];
        if (strerror_r(errno, eb, sizeof eb) != 0)
            snprintf(eb, sizeof eb, "error %d", errno);
        diag_at(u->d, SEGC_SEV_ERROR, &from->src, im->at, NULL, NULL,
                "cannot read '%s': %s", path, eb);
        free_str(u->m, path);
        return true;
    }
    unit_file *g = add_file(u, path, text, len, cap, true);
    if (!g) {
        mem_free(u->m, text, cap);
        free_str(u->m, path);
        return false;
    }
    g->path = path; /* source_init copied the name */
    g->real = dup_str(u->m, real);
    if (!g->real)
        return false;
    for (const ast_item *it = g->ast->items; it; it = it->next)
        if (it->kind == ITEM_SCHEMA)
            diag_at(u->d, SEGC_SEV_ERROR, &g->src, it->u.schema->name_at,
                    NULL, NULL, "an imported file cannot declare a schema: "
                    "schema '%s' belongs in the main rule file or in the "
                    "schema file (--schema)", it->u.schema->name);
    return load_imports(u, g, depth + 1) && add_order(u, g, false, from, im->at);
}

static bool load_imports(unit *u, unit_file *f, int depth)
{
    f->state = 1;
    bool ok = true;
    for (const ast_item *it = f->ast->items; it && ok; it = it->next)
        if (it->kind == ITEM_IMPORT)
            ok = import_one(u, f, it->u.import, depth);
    f->state = 2;
    return ok;
}

bool unit_load(unit *u, const char *name, const char *text, size_t len)
{
    unit_file *f = add_file(u, name, (char *)text, len, 0, true);
    if (!f)
        return false;
    char rbuf[PATH_MAX];
    if (name) { /* text without a name ("<input>") imports relative to . */
        f->path = dup_str(u->m, name);
        if (!f->path)
            return false;
        if (realpath(name, rbuf) && !(f->real = dup_str(u->m, rbuf)))
            return false;
    }
    return load_imports(u, f, 0) && add_order(u, f, true, NULL, (loc){0, 0});
}

const ast_file *unit_main(const unit *u)
{
    return u->nfiles ? u->files[0]->ast : NULL;
}

/* ---- parameter values ------------------------------------------------------------ */

bool unit_params(unit *u, const char *const *params, size_t n)
{
    if (!n)
        return true;
    u->nparams = n;
    u->overrides = mem_array(u->m, n, sizeof *u->overrides);
    u->override_files = mem_array(u->m, n, sizeof *u->override_files);
    if (!u->overrides || !u->override_files)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *p = params[i], *eq = strchr(p, '=');
        size_t nlen = eq ? (size_t)(eq - p) : 0;
        while (nlen && (p[nlen - 1] == ' ' || p[nlen - 1] == '\t'))
            nlen--;
        bool ident = nlen > 0 && !(p[0] >= '0' && p[0] <= '9');
        for (size_t k = 0; k < nlen && ident; k++)
            ident = (p[k] >= 'a' && p[k] <= 'z') ||
                    (p[k] >= 'A' && p[k] <= 'Z') ||
                    (p[k] >= '0' && p[k] <= '9') || p[k] == '_';
        if (!eq || !ident) {
            diag_place(u->d, SEGC_SEV_ERROR, "--param", 0, 0, 0, NULL, 0,
                       "a parameter value is NAME=VALUE, as in "
                       "dormant_after=120d; got '%s'", p);
            continue;
        }
        bool twice = false;
        for (size_t k = 0; k < u->noverrides; k++)
            if (strlen(u->overrides[k].name) == nlen &&
                memcmp(u->overrides[k].name, p, nlen) == 0)
                twice = true;
        if (twice) {
            diag_place(u->d, SEGC_SEV_ERROR, "--param", 0, 0, 0, NULL, 0,
                       "parameter '%.*s' is given twice", (int)nlen, p);
            continue;
        }
        /* "param NAME = VALUE" as a file of its own, named after the option */
        size_t tlen = strlen(p) + 16, cap = tlen + 1;
        char *text = mem_alloc(u->m, cap);
        if (!text)
            return false;
        snprintf(text, cap, "param %.*s = %s", (int)nlen, p, eq + 1);
        /* the source keeps its name: it lives as long as the file */
        char nbuf[80];
        snprintf(nbuf, sizeof nbuf, "--param %.*s", (int)SEGC_MIN(nlen, 60), p);
        char *name = dup_str(u->m, nbuf);
        if (!name) {
            mem_free(u->m, text, cap);
            return false;
        }
        size_t errors = u->d->errors;
        unit_file *f = add_file(u, name, text, strlen(text), cap, false);
        if (!f) {
            mem_free(u->m, text, cap);
            free_str(u->m, name);
            return false;
        }
        f->path = name;
        const ast_item *it = f->ast->items;
        if (u->d->errors == errors &&
            (!it || it->next || it->kind != ITEM_DEF ||
             it->u.def->kind != DEF_PARAM)) {
            diag_place(u->d, SEGC_SEV_ERROR, name, 0, 0, 0, NULL, 0,
                       "a parameter's value is one literal or list, as in "
                       "dormant_after=120d");
        }
        if (u->d->errors != errors) {
            file_free(u, f);
            continue;
        }
        u->override_files[u->noverrides] = f;
        check_override *o = &u->overrides[u->noverrides++];
        o->name = it->u.def->name;
        o->file = f->ast;
        o->used = false;
    }
    return true;
}

bool unit_main_in_library(const unit *u)
{
    if (!u->nfiles || !u->files[0]->real)
        return false;
    const char *real = u->files[0]->real;
    for (size_t i = 0; i < u->nlib_paths; i++) {
        char dir[PATH_MAX];
        if (!realpath(u->lib_paths[i], dir))
            continue;
        size_t n = strlen(dir);
        if (strncmp(real, dir, n) == 0 && real[n] == '/' &&
            !strchr(real + n + 1, '/'))
            return true;
    }
    return false;
}
