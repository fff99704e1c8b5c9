/* api_layout.c - the record layout of a schema, for hosts that pack their
 * own records (include/segc.h, "record layout"; docs/embedding.md). */
#include "api_internal.h"
#include "schema.h"

size_t segc_schema_record_align(const segc_schema *s)
{
    return s ? s->record_align : 0;
}

size_t segc_schema_null_offset(const segc_schema *s)
{
    return s ? s->null_offset : 0;
}

size_t segc_schema_null_bytes(const segc_schema *s)
{
    return s ? s->null_bytes : 0;
}

segc_status segc_schema_field_find(const segc_schema *s, const char *name,
                                   size_t *index)
{
    if (!s || !name || !index)
        return SEGC_ERR_ARG;
    int i = schema_find(s, name, strlen(name));
    if (i < 0)
        return SEGC_ERR_ARG;
    *index = (size_t)i;
    return SEGC_OK;
}

size_t segc_schema_enum_count(const segc_schema *s, size_t field)
{
    if (!s || field >= s->nfields || s->fields[field].ty->kind != TY_ENUM)
        return 0;
    return s->fields[field].ty->enm->n;
}

const char *segc_schema_enum_value(const segc_schema *s, size_t field,
                                   size_t k)
{
    if (k >= segc_schema_enum_count(s, field))
        return NULL;
    return s->fields[field].ty->enm->values[k];
}
