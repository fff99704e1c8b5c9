/* layout.c - `segc layout`: the record layout of a schema, as a table or as
 * a C header with a struct a host can fill directly (docs/cli.md,
 * docs/embedding.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "segc.h"

const char layout_help[] =
    "usage: segc layout --schema FILE [--c-header]\n"
    "\n"
    "Prints the record layout of a schema: the size and alignment of a\n"
    "record, and each field's offset, size, null bit and type, in the order\n"
    "of their offsets. A host that packs its own records (docs/embedding.md)\n"
    "writes every value at its offset.\n"
    "\n"
    "  --schema FILE   the customer schema\n"
    "  --c-header      print a C header instead: a struct with every field at\n"
    "                  its offset (explicit padding where needed), the null\n"
    "                  bitmap, #defines for enum values and null bits, and\n"
    "                  static asserts on every offset and on the size\n"
    "\n"
    "Exit status: 0 success, 1 errors in the schema, 2 usage or I/O errors.\n";

static void usage(const char *fmt, const char *arg)
{
    cli_usage("layout", fmt, arg);
}

/* ---- names in C ------------------------------------------------------------ */

static const char *const c_keywords[] = {
    "alignas", "alignof", "auto", "bool", "break", "case", "char", "const",
    "constexpr", "continue", "default", "do", "double", "else", "enum",
    "extern", "false", "float", "for", "goto", "if", "inline", "int", "long",
    "nullptr", "register", "restrict", "return", "short", "signed", "sizeof",
    "static", "static_assert", "struct", "switch", "thread_local", "true",
    "typedef", "typeof", "typeof_unqual", "union", "unsigned", "void",
    "volatile", "while", "asm", "class", "delete", "new", "private",
    "protected", "public", "this", "template", "throw", "try", "catch",
    "operator", "virtual", "friend", "namespace", "using", "mutable",
    "explicit", "export", "typename", "noexcept", "decltype", "and", "or",
    "not", "xor", "compl", "bitand", "bitor", "and_eq", "or_eq", "xor_eq",
    "not_eq", "wchar_t", "char8_t", "char16_t", "char32_t", "concept",
    "requires", "co_await", "co_yield", "co_return", "consteval", "constinit",
    "dynamic_cast", "static_cast", "const_cast", "reinterpret_cast",
    "typeid"};

static int needs_suffix(const char *name)
{
    if (strncmp(name, "segc_", 5) == 0)
        return 1;
    for (size_t k = 0; k < sizeof c_keywords / sizeof *c_keywords; k++)
        if (strcmp(name, c_keywords[k]) == 0)
            return 1;
    return 0;
}

/* The member names of the fields: each field's name (segc names are C
 * identifiers), with '_' appended when it is a C or C++ keyword or could
 * clash with the members the header adds (segc_nulls, segc_pad*), and
 * more while that gives the name of another field. NULL: no memory. */
static char **member_names(const segc_schema *s)
{
    size_t n = segc_schema_field_count(s);
    char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++) {
        segc_field_info f;
        segc_schema_field(s, i, &f);
        size_t len = strlen(f.name), extra = 0;
        if (needs_suffix(f.name)) {
            for (int taken = 1; taken;) {
                extra++;
                taken = 0;
                for (size_t j = 0; j < n && !taken; j++) {
                    segc_field_info g;
                    segc_schema_field(s, j, &g);
                    const char *other = j < i ? names[j] : g.name;
                    taken = strlen(other) == len + extra &&
                            strncmp(other, f.name, len) == 0 &&
                            strspn(other + len, "_") == extra;
                }
            }
        }
        if (!(names[i] = malloc(len + extra + 1))) {
            for (size_t j = 0; j < i; j++)
                free(names[j]);
            free(names);
            return NULL;
        }
        memcpy(names[i], f.name, len);
        memset(names[i] + len, '_', extra);
        names[i][len + extra] = 0;
    }
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- the table --------------------------------------------------------------- */

static const char *type_name(segc_type t)
{
    static const char *const names[] = {
        [SEGC_TYPE_BOOL] = "bool",     [SEGC_TYPE_INT] = "int",
        [SEGC_TYPE_FLOAT] = "float",   [SEGC_TYPE_MONEY] = "money",
        [SEGC_TYPE_STRING] = "string", [SEGC_TYPE_ENUM] = "enum",
        [SEGC_TYPE_DATE] = "date",     [SEGC_TYPE_TIMESTAMP] = "timestamp",
        [SEGC_TYPE_SET] = "set<string>"};
    return names[t];
}

/* The type as written in a schema: money(EUR), enum(a, b), int? */
static void print_type(FILE *out, const segc_schema *s, size_t i,
                       const segc_field_info *f)
{
    fputs(type_name(f->type), out);
    if (f->type == SEGC_TYPE_MONEY)
        fprintf(out, "(%s)", f->currency);
    if (f->type == SEGC_TYPE_ENUM) {
        fputc('(', out);
        for (size_t k = 0, n = segc_schema_enum_count(s, i); k < n; k++)
            fprintf(out, "%s%s", k ? ", " : "", segc_schema_enum_value(s, i, k));
        fputc(')', out);
    }
    if (f->nullable)
        fputc('?', out);
    if (f->is_key)
        fputs(" key", out);
}

/* the field indices in the order of their offsets */
static size_t *by_offset(const segc_schema *s, size_t n)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    size_t *off = malloc((n ? n : 1) * sizeof *off);
    if (!order || !off) {
        free(order);
        free(off);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        segc_field_info f;
        segc_schema_field(s, i, &f);
        off[i] = f.offset;
        size_t j = i;
        for (; j > 0 && off[order[j - 1]] > f.offset; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    free(off);
    return order;
}

static void print_table(FILE *out, const segc_schema *s, const size_t *order)
{
    size_t n = segc_schema_field_count(s), nb = segc_schema_null_bytes(s);
    fprintf(out, "schema %s: %zu bytes per record, aligned to %zu\n",
            segc_schema_name(s), segc_schema_record_size(s),
            segc_schema_record_align(s));
    if (nb)
        fprintf(out, "null bitmap: %zu byte%s at offset %zu\n", nb,
                nb == 1 ? "" : "s", segc_schema_null_offset(s));
    else
        fputs("null bitmap: none (no field is nullable)\n", out);
    fprintf(out, "fingerprint: %016" PRIx64 "\n\n",
            segc_schema_fingerprint(s));
    size_t w = strlen("field");
    for (size_t i = 0; i < n; i++) {
        segc_field_info f;
        segc_schema_field(s, i, &f);
        if (strlen(f.name) > w)
            w = strlen(f.name);
    }
    fprintf(out, "offset  size  null bit  %-*s  type\n", (int)w, "field");
    for (size_t k = 0; k < n; k++) {
        segc_field_info f;
        segc_schema_field(s, order[k], &f);
        char bit[16] = "-";
        if (f.null_bit >= 0)
            snprintf(bit, sizeof bit, "%d", f.null_bit);
        fprintf(out, "%6zu  %4zu  %8s  %-*s  ", f.offset, f.size, bit,
                (int)w, f.name);
        print_type(out, s, order[k], &f);
        fputc('\n', out);
    }
}

/* ---- the C header --------------------------------------------------------------- */

static const char *c_type(const segc_field_info *f)
{
    switch (f->type) {
    case SEGC_TYPE_BOOL:
        return "uint8_t";
    case SEGC_TYPE_INT:
    case SEGC_TYPE_MONEY:
    case SEGC_TYPE_TIMESTAMP:
        return "int64_t";
    case SEGC_TYPE_FLOAT:
        return "double";
    case SEGC_TYPE_DATE:
        return "int32_t";
    case SEGC_TYPE_STRING:
    case SEGC_TYPE_ENUM:
    case SEGC_TYPE_SET:
        return "uint32_t";
    }
    return "uint8_t";
}

/* what the value means, for the comment beside the member */
static void c_meaning(FILE *out, const segc_field_info *f, const char *p,
                      const char *member)
{
    switch (f->type) {
    case SEGC_TYPE_BOOL:
        fputs("0 or 1", out);
        break;
    case SEGC_TYPE_INT:
        fputs("int", out);
        break;
    case SEGC_TYPE_FLOAT:
        fputs("float", out);
        break;
    case SEGC_TYPE_MONEY:
        if (f->decimals)
            fprintf(out, "money(%s): units of 10^-%d %s", f->currency,
                    f->decimals, f->currency);
        else
            fprintf(out, "money(%s): whole %s", f->currency, f->currency);
        break;
    case SEGC_TYPE_STRING:
        fputs("string: id in the field's dictionary", out);
        break;
    case SEGC_TYPE_ENUM:
        fprintf(out, "enum: %s_%s_*", p, member);
        break;
    case SEGC_TYPE_DATE:
        fputs("date: days since 1970-01-01", out);
        break;
    case SEGC_TYPE_TIMESTAMP:
        fputs("timestamp: seconds since 1970-01-01T00:00:00Z", out);
        break;
    case SEGC_TYPE_SET:
        fputs("set<string>: id in the field's set dictionary", out);
        break;
    }
    if (f->is_key)
        fputs("; the key", out);
    if (f->null_bit >= 0)
        fprintf(out, "; null bit %s_NULL_%s", p, member);
}

static void print_header(FILE *out, const segc_schema *s, const size_t *order,
                         char *const *names)
{
    size_t n = segc_schema_field_count(s), size = segc_schema_record_size(s);
    size_t nb = segc_schema_null_bytes(s), noff = segc_schema_null_offset(s);
    char p[1024], guard[1100];
    const char *m;
    const char *sname = segc_schema_name(s);
    snprintf(p, sizeof p, "%s%s", sname, needs_suffix(sname) ? "_" : "");
    snprintf(guard, sizeof guard, "SEGC_LAYOUT_%s_H", p);
    for (char *c = guard; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');

    fprintf(out,
            "/* The record layout of schema %s, written by `segc layout "
            "--c-header`\n"
            " * (segc %s). Do not edit: generate it again when the schema "
            "changes.\n"
            " *\n"
            " * Zero a %s_record, write each value into its member and set "
            "the\n"
            " * null bit of each null value (%s_SET_NULL); an array of them "
            "is the\n"
            " * packed records segc evaluates (docs/embedding.md). Check "
            "%s_FINGERPRINT\n"
            " * against segc_schema_fingerprint() at run time. */\n",
            segc_schema_name(s), segc_version(), p, p, p);
    fprintf(out, "#ifndef %s\n#define %s\n\n", guard, guard);
    fputs("#include <stddef.h>\n#include <stdint.h>\n\n", out);
    fprintf(out, "#define %s_RECORD_SIZE %zu\n", p, size);
    fprintf(out, "#define %s_RECORD_ALIGN %zu\n", p,
            segc_schema_record_align(s));
    fprintf(out, "#define %s_FINGERPRINT UINT64_C(0x%016" PRIx64 ")\n\n", p,
            segc_schema_fingerprint(s));

    fprintf(out, "typedef struct %s_record {\n", p);
    size_t at = 0, pads = 0;
    for (size_t k = 0; k < n; k++) {
        segc_field_info f;
        segc_schema_field(s, order[k], &f);
        if (f.offset > at)
            fprintf(out, "    uint8_t segc_pad%zu[%zu];\n", pads++,
                    f.offset - at);
        m = names[order[k]];
        fprintf(out, "    %s %s; /* ", c_type(&f), m);
        c_meaning(out, &f, p, m);
        fputs(" */\n", out);
        at = f.offset + f.size;
    }
    if (nb) {
        if (noff > at)
            fprintf(out, "    uint8_t segc_pad%zu[%zu];\n", pads++,
                    noff - at);
        fprintf(out, "    uint8_t segc_nulls[%zu]; /* bit k of byte k/8: "
                     "null (%s_NULL_*) */\n", nb, p);
        at = noff + nb;
    }
    if (size > at)
        fprintf(out, "    uint8_t segc_pad%zu[%zu];\n", pads++, size - at);
    fprintf(out, "} %s_record;\n", p);

    for (size_t i = 0; i < n; i++) {
        size_t ne = segc_schema_enum_count(s, i);
        if (!ne)
            continue;
        segc_field_info f;
        segc_schema_field(s, i, &f);
        m = names[i];
        fprintf(out, "\n/* the values of %s */\n", f.name);
        for (size_t k = 0; k < ne; k++)
            fprintf(out, "#define %s_%s_%s %zu\n", p, m,
                    segc_schema_enum_value(s, i, k), k);
    }
    if (nb) {
        fputs("\n/* null bits */\n", out);
        for (size_t i = 0; i < n; i++) {
            segc_field_info f;
            segc_schema_field(s, i, &f);
            if (f.null_bit < 0)
                continue;
            m = names[i];
            fprintf(out, "#define %s_NULL_%s %d\n", p, m, f.null_bit);
        }
        fprintf(out,
                "#define %s_SET_NULL(rec, bit) \\\n"
                "    ((rec)->segc_nulls[(bit) / 8] |= (uint8_t)(1u << ((bit) "
                "%% 8)))\n"
                "#define %s_IS_NULL(rec, bit) \\\n"
                "    (((rec)->segc_nulls[(bit) / 8] >> ((bit) %% 8)) & 1u)\n",
                p, p);
    }

    fputs("\n#ifdef __cplusplus\n"
          "#define SEGC_LAYOUT_ASSERT static_assert\n"
          "#else\n"
          "#define SEGC_LAYOUT_ASSERT _Static_assert\n"
          "#endif\n",
          out);
    fprintf(out,
            "SEGC_LAYOUT_ASSERT(sizeof(%s_record) == %zu,\n"
            "                   \"segc layout: the size of %s_record\");\n",
            p, size, p);
    for (size_t k = 0; k < n; k++) {
        segc_field_info f;
        segc_schema_field(s, order[k], &f);
        m = names[order[k]];
        fprintf(out,
                "SEGC_LAYOUT_ASSERT(offsetof(%s_record, %s) == %zu,\n"
                "                   \"segc layout: the offset of %s\");\n",
                p, m, f.offset, m);
    }
    if (nb)
        fprintf(out,
                "SEGC_LAYOUT_ASSERT(offsetof(%s_record, segc_nulls) == %zu,\n"
                "                   \"segc layout: the offset of the null "
                "bitmap\");\n",
                p, noff);
    fputs("#undef SEGC_LAYOUT_ASSERT\n", out);
    fprintf(out, "\n#endif /* %s */\n", guard);
}

/* ---- the command ------------------------------------------------------------------ */

int cmd_layout(int argc, char **argv)
{
    const char *schema_path = NULL;
    int header = 0, err = 0;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(layout_help, stdout);
            return 0;
        } else if ((v = cli_opt_value("layout", argc, argv, &i, "--schema",
                                      &err))) {
            if (schema_path) {
                usage("%s", "one --schema at a time");
                return 2;
            }
            schema_path = v;
        } else if (err) {
            return 2;
        } else if (strcmp(argv[i], "--c-header") == 0) {
            header = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage("unknown option '%s'", argv[i]);
            return 2;
        } else {
            usage("unexpected argument '%s' (the schema is given with "
                  "--schema FILE)", argv[i]);
            return 2;
        }
    }
    if (!schema_path) {
        usage("%s", "no schema given (--schema FILE)");
        return 2;
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx) {
        fputs("segc layout: out of memory\n", stderr);
        return 2;
    }
    segc_schema *s = NULL;
    segc_status st = segc_schema_load(ctx, schema_path, &s);
    segc_diag_print_all(ctx, stderr);
    int code = st == SEGC_OK                                      ? 0
               : st == SEGC_ERR_COMPILE || st == SEGC_ERR_DATA ? 1
                                                              : 2;
    if (st == SEGC_OK) {
        size_t n = segc_schema_field_count(s);
        size_t *order = by_offset(s, n);
        char **names = header ? member_names(s) : NULL;
        if (!order || (header && !names)) {
            fputs("segc layout: out of memory\n", stderr);
            code = 2;
        } else {
            if (header)
                print_header(stdout, s, order, names);
            else
                print_table(stdout, s, order);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                perror("segc layout: writing the output");
                code = 2;
            }
        }
        free(order);
        free_names(names, n);
    }
    segc_schema_free(ctx, s);
    segc_ctx_free(ctx);
    return code;
}
