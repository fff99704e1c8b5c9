/* udiff.h - unified diffs (udiff.c), for segc fmt --diff. */
#ifndef SEGC_CLI_UDIFF_H
#define SEGC_CLI_UDIFF_H

#include <stddef.h>
#include <stdio.h>

/* Writes the unified diff that turns a into b, with the headers
 * "--- a/NAME" and "+++ b/NAME" (nothing when they are equal). Returns 0
 * when memory ran out (reported on stderr). */
int cli_udiff(FILE *out, const char *name, const char *a, size_t alen,
              const char *b, size_t blen);

#endif
