/* report.c - diagnostics as JSON and as SARIF 2.1.0, for `segc check
 * --format json|sarif` (docs/cli.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static const char *sev_name(segc_severity s)
{
    return s == SEGC_SEV_ERROR ? "error" : s == SEGC_SEV_WARNING ? "warning"
                                                                  : "note";
}

void cli_report_json(const segc_ctx *ctx, FILE *out)
{
    fputc('[', out);
    for (size_t i = 0; i < segc_diag_count(ctx); i++) {
        const segc_diag *d = segc_diag_get(ctx, i);
        fprintf(out, "%s\n  {\"severity\": \"%s\", \"id\": ", i ? "," : "",
                sev_name(d->severity));
        if (d->code)
            cli_json_string(out, d->code);
        else
            fputs("null", out);
        fputs(", \"file\": ", out);
        cli_json_string(out, d->file);
        fprintf(out, ", \"line\": %u, \"column\": %u, \"end_line\": %u, "
                     "\"end_column\": %u, \"message\": ",
                d->line, d->column, d->end_line, d->end_column);
        cli_json_string(out, d->message);
        fputs(", \"fix\": ", out);
        if (d->fix)
            cli_json_string(out, d->fix);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs(segc_diag_count(ctx) ? "\n]\n" : "]\n", out);
}

/* a file name as a relative URI reference: unreserved characters and '/'
 * as they are, everything else percent-encoded */
static void uri(FILE *out, const char *path)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
    fputc('"', out);
}

static void location(FILE *out, const segc_diag *d)
{
    fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
    uri(out, d->file);
    fputc('}', out);
    if (d->line) {
        /* SARIF's end column is the one after the span */
        fprintf(out, ", \"region\": {\"startLine\": %u, \"startColumn\": %u, "
                     "\"endLine\": %u, \"endColumn\": %u}",
                d->line, d->column ? d->column : 1,
                d->end_line ? d->end_line : d->line,
                (d->end_column ? d->end_column : d->column) + 1);
    }
    fputs("}}", out);
}

static const char *level(segc_severity s)
{
    return s == SEGC_SEV_ERROR ? "error" : s == SEGC_SEV_WARNING ? "warning"
                                                                  : "note";
}

void cli_report_sarif(const segc_ctx *ctx, FILE *out)
{
    fputs("{\"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/"
          "errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
          " \"version\": \"2.1.0\",\n"
          " \"runs\": [{\n"
          "  \"tool\": {\"driver\": {\"name\": \"segc\", \"version\": ",
          out);
    cli_json_string(out, segc_version());
    fputs(", \"rules\": [", out);
    size_t nrules = segc_lint_rule_count();
    for (size_t r = 0; r < nrules; r++) {
        const char *id, *name, *summary;
        segc_lint_rule(r, &id, &name, &summary);
        fprintf(out, "%s\n    {\"id\": \"%s\", \"name\": \"%s\", "
                     "\"shortDescription\": {\"text\": ",
                r ? "," : "", id, name);
        cli_json_string(out, summary);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                strcmp(id, "SEG000") == 0 ? "error" : "warning");
    }
    fputs("]}},\n  \"columnKind\": \"unicodeCodePoints\",\n  \"results\": [",
          out);
    size_t n = segc_diag_count(ctx), nres = 0;
    for (size_t i = 0; i < n;) {
        const segc_diag *d = segc_diag_get(ctx, i);
        size_t j = i + 1; /* its notes */
        while (j < n && segc_diag_get(ctx, j)->severity == SEGC_SEV_NOTE)
            j++;
        if (d->severity == SEGC_SEV_NOTE) { /* a note on its own */
            i = j;
            continue;
        }
        const char *rule = d->code ? d->code : "SEG000";
        size_t ri = 0;
        for (size_t r = 0; r < nrules; r++) {
            const char *id, *name, *summary;
            segc_lint_rule(r, &id, &name, &summary);
            if (strcmp(id, rule) == 0)
                ri = r;
        }
        fprintf(out, "%s\n   {\"ruleId\": \"%s\", \"ruleIndex\": %zu, "
                     "\"level\": \"%s\", \"message\": {\"text\": ",
                nres++ ? "," : "", rule, ri, level(d->severity));
        cli_json_string(out, d->message);
        fputs("},\n    \"locations\": [", out);
        location(out, d);
        fputc(']', out);
        if (j > i + 1) {
            fputs(",\n    \"relatedLocations\": [", out);
            for (size_t k = i + 1; k < j; k++) {
                const segc_diag *nt = segc_diag_get(ctx, k);
                fprintf(out, "%s{\"id\": %zu, \"message\": {\"text\": ",
                        k > i + 1 ? ", " : "", k - i);
                cli_json_string(out, nt->message);
                fputs("}, ", out);
                /* a location object's members, after id and message */
                fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ",
                      out);
                uri(out, nt->file);
                fputc('}', out);
                if (nt->line)
                    fprintf(out, ", \"region\": {\"startLine\": %u, "
                                 "\"startColumn\": %u, \"endLine\": %u, "
                                 "\"endColumn\": %u}",
                            nt->line, nt->column ? nt->column : 1,
                            nt->end_line ? nt->end_line : nt->line,
                            (nt->end_column ? nt->end_column : nt->column) + 1);
                fputs("}}", out);
            }
            fputc(']', out);
        }
        if (d->fix && d->line) {
            fputs(",\n    \"fixes\": [{\"description\": {\"text\": ", out);
            cli_json_string(out, d->fix);
            fputs("}, \"artifactChanges\": [{\"artifactLocation\": {\"uri\": ",
                  out);
            uri(out, d->file);
            fprintf(out, "}, \"replacements\": [{\"deletedRegion\": "
                         "{\"startLine\": %u, \"startColumn\": %u, "
                         "\"endLine\": %u, \"endColumn\": %u}, "
                         "\"insertedContent\": {\"text\": ",
                    d->line, d->column ? d->column : 1,
                    d->end_line ? d->end_line : d->line,
                    (d->end_column ? d->end_column : d->column) + 1);
            cli_json_string(out, d->fix);
            fputs("}}]}]}]", out);
        }
        fputc('}', out);
        i = j;
    }
    fputs(nres ? "\n  ]\n }]\n}\n" : "]\n }]\n}\n", out);
}
