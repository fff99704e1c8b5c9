/*
 * segd.h - the packed data file (segd_): a dataset written once to a
 * binary file (.segd) and mapped back with mmap instead of parsing CSV.
 * The format, byte by byte, is in docs/segd.md.
 */
#ifndef SEGC_SEGD_H
#define SEGC_SEGD_H

#include "data.h"

#define SEGD_MAGIC "\x89SEGD\r\n\x1a"
#define SEGD_MAGIC_LEN 8
#define SEGD_VERSION 1
#define SEGD_HEADER 64
#define SEGD_ENTRY 32

/* XXH64 (seed as given), the checksum of every part of the file and the
 * hash of the dictionaries' lookup tables. */
uint64_t segd_hash64(const void *p, size_t n, uint64_t seed);

/* Writes d to path atomically (a temporary file in the same folder, fsync,
 * rename). */
segc_status segd_write(mem *m, const dataset *d, const char *path,
                       diag_list *dl);

/* Maps path for schema sch. verify: also check the records section's
 * checksum and every id in it; without, the records are trusted. */
segc_status segd_open(mem *m, const schema *sch, const char *path,
                      bool verify, diag_list *dl, dataset **out);

/* 1 when the file starts like a packed file (perhaps damaged): the first
 * byte of the magic, 0x89, or bytes 1..4 of it ("SEGD"); 0 when it does not
 * (CSV); -1 when it cannot be read (errno set). */
int segd_sniff(const char *path);

#endif
