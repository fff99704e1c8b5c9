/*
 * events.h - per-customer event histories (ev_): the packed event arrays of
 * a dataset's event lists and their CSV loader.
 *
 * Each event list of the schema (purchases : events { at : date ... }) has
 * one array of event rows, laid out by the event's own schema (schema.h),
 * sorted by (customer, at) with the file's order kept among equal times.
 * A customer's 8-byte slot for the list holds its range in that array: the
 * index of its first event (low 32 bits) and its number of events (high 32
 * bits). A list that was never loaded is empty for every customer.
 */
#ifndef SEGC_EVENTS_H
#define SEGC_EVENTS_H

#include "data.h"

typedef struct ev_list {
    unsigned char *rows; /* n rows of the event schema's record_size */
    size_t n;
    size_t bytes;        /* allocated */
    bool loaded;
    dict *dicts;         /* per event field; used by string fields (their
                          * values are ids in it, as a record's) */
    size_t ndicts;
} ev_list;

typedef struct ev_store {
    mem *m;
    size_t nfields;      /* the schema's; lists[i] is used for event lists */
    ev_list *lists;
} ev_store;

void ev_store_free(ev_store *s);

/* Loads the events of list `list` (a field name of d's schema) from a CSV
 * file whose header names the customer key and the event's fields, in any
 * order. Rows with a bad cell or a key no customer has are reported like
 * the loader's (load_csv): an error that loads nothing, or with
 * skip_bad_rows a warning that loads the other rows. SEGC_ERR_ARG when the
 * schema has no such event list or its events were already loaded. */
segc_status ev_load_csv(mem *m, dataset *d, const char *list,
                        const char *path, const segc_load_opts *opts,
                        diag_list *dl, segc_load_stats *stats);

#endif
