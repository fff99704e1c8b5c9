/* check_ev.c - aggregates over a customer's events (check_):
 *
 *   count(purchases), count(purchases where coupon within 30d),
 *   sum(purchases.amount where at in this_year), avg, min, max, first, last,
 *   any(purchases where coupon), all(...), distinct_days(purchases),
 *   avg_gap(purchases)
 *
 * The argument names an event list of the schema (or one of its event
 * fields, list.field); that is what tells count(purchases) from the
 * population statistic count(...). Inside the filter the event's fields are
 * in scope by their bare names; the customer's fields are not (a filter is a
 * condition on one event: conditions on the customer go outside the
 * aggregate). docs/language.md, "Event histories", has the rules. */
#include <stdio.h>

#include "check.h"
#include "value.h"

typedef struct ev_def {
    const char *name;
    ev_agg agg;
    int field; /* 1: needs list.field; 0: takes the list alone */
} ev_def;

static const ev_def evs[] = {
    {"count", EV_COUNT, 0},         {"sum", EV_SUM, 1},
    {"avg", EV_AVG, 1},             {"min", EV_MIN, 1},
    {"max", EV_MAX, 1},             {"first", EV_FIRST, 1},
    {"last", EV_LAST, 1},           {"any", EV_ANY, 0},
    {"all", EV_ALL, 0},             {"distinct_days", EV_DISTINCT_DAYS, 0},
    {"avg_gap", EV_AVG_GAP, 0},
};

/* the event list a name starts with: "purchases" or "purchases.amount" */
static int ev_list_of(const checker *c, const char *text, size_t len,
                      const char **rest, size_t *rest_len)
{
    const char *dot = memchr(text, '.', len);
    size_t head = dot ? (size_t)(dot - text) : len;
    int f = schema_find(c->sch, text, head);
    if (f < 0 || !c->sch->fields[f].events)
        return -1;
    *rest = dot ? dot + 1 : NULL;
    *rest_len = dot ? len - head - 1 : 0;
    return f;
}

ir_node *check_ev_name(checker *c, const ast_node *e, bool *is)
{
    *is = false;
    if (c->ev_sch) {
        int k = schema_find(c->ev_sch, e->text, e->len);
        if (k >= 0) {
            *is = true;
            const schema_field *sf = &c->ev_sch->fields[k];
            ir_node *n = ir_new(c->p, IR_EVFIELD, sf->ty, e->at);
            if (n) {
                n->field = (uint32_t)k;
                n->evlist = c->ev_list;
                n->nullable = sf->nullable;
            }
            return n;
        }
    }
    const char *rest;
    size_t rl;
    int li = ev_list_of(c, e->text, e->len, &rest, &rl);
    if (li >= 0) {
        *is = true;
        const char *ln = c->sch->fields[li].name;
        if (rest)
            check_err(c, e->at, NULL, "'%s' is a field of the events of '%s': "
                      "aggregate it, as in sum(%s) or last(%s.at)", e->text,
                      ln, e->text, ln);
        else
            check_err(c, e->at, NULL, "'%s' is an event list: aggregate it, "
                      "as in count(%s) or count(%s within 30d)", ln, ln, ln);
        return NULL;
    }
    /* a bare event field outside an aggregate */
    if (schema_find(c->sch, e->text, e->len) >= 0 ||
        check_lookup(c, e->text, e->len))
        return NULL;
    for (size_t i = 0; i < c->sch->nfields; i++) {
        const schema *es = c->sch->fields[i].events;
        if (es && schema_find(es, e->text, e->len) >= 0) {
            *is = true;
            const char *ln = c->sch->fields[i].name;
            check_err(c, e->at, NULL, "'%s' is a field of the events of '%s'; "
                      "it can be used inside an aggregate over them, as in "
                      "count(%s where %s ...) or max(%s.%s)", e->text, ln, ln,
                      e->text, ln, e->text);
            return NULL;
        }
    }
    return NULL;
}

/* A filter reads the event and constants only: the first node that reads
 * anything else, or NULL. */
static const ir_node *foreign(const ir_node *n, const char **what)
{
    switch (n->op) {
    case IR_FIELD:
        *what = "a field of the customer";
        return n;
    case IR_STAT:
    case IR_NTILE:
        *what = "a statistic over the population";
        return n;
    case IR_DICTFN:
        *what = "a function of a string";
        return n;
    case IR_EVAGG:
        *what = "an aggregate over events";
        return n;
    default:
        break;
    }
    for (uint32_t k = 0; k < n->nkids; k++) {
        const ir_node *f = foreign(n->kids[k], what);
        if (f)
            return f;
    }
    return NULL;
}

ir_node *check_ev_call(checker *c, const ast_node *e, bool *is)
{
    *is = false;
    const ev_def *d = NULL;
    for (size_t i = 0; i < SEGC_ARRAY_LEN(evs) && !d; i++)
        if (strlen(evs[i].name) == e->len &&
            memcmp(evs[i].name, e->text, e->len) == 0)
            d = &evs[i];
    int li = -1;
    const char *rest = NULL;
    size_t rl = 0;
    if (d && e->nkids == 1 && e->kids->kind == AST_NAME)
        li = ev_list_of(c, e->kids->text, e->kids->len, &rest, &rl);
    if (li < 0) {
        /* not over events: only the population statistics remain */
        bool stat = d && (d->agg == EV_COUNT || d->agg == EV_SUM ||
                          d->agg == EV_AVG || d->agg == EV_MIN ||
                          d->agg == EV_MAX);
        if (e->window) {
            *is = true;
            check_err(c, e->window->at, NULL, "'within' is for aggregates "
                      "over an event list, as in count(purchases within "
                      "30d)");
            return NULL;
        }
        if (d && !stat) {
            *is = true;
            check_err(c, e->at, NULL, "%s() aggregates an event list: "
                      "%s(%s)", d->name, d->name,
                      d->field ? "purchases.at" : "purchases");
            return NULL;
        }
        return NULL;
    }
    *is = true;
    if (c->ev_sch) {
        check_err(c, e->at, NULL, "aggregates over events cannot be nested "
                  "inside the filter of another");
        return NULL;
    }
    const schema_field *lf = &c->sch->fields[li];
    const schema *es = lf->events;
    const schema_field *ef = NULL;
    int32_t evf = -1;
    if (d->field && !rest) {
        check_err(c, e->kids->at, NULL, "%s() takes a field of the events: "
                  "%s(%s.%s)", d->name, d->name, lf->name,
                  d->agg == EV_FIRST || d->agg == EV_LAST ? "at" :
                  es->nfields > 1 ? es->fields[es->at == 0 ? 1 : 0].name : "at");
        return NULL;
    }
    if (!d->field && rest) {
        check_err(c, e->kids->at, NULL, "%s() takes the event list itself: "
                  "%s(%s ...)", d->name, d->name, lf->name);
        return NULL;
    }
    if (rest) {
        int k = schema_find(es, rest, rl);
        if (k < 0) {
            const char *names[64];
            size_t nn = 0;
            for (size_t i = 0; i < es->nfields && nn < 64; i++)
                names[nn++] = es->fields[i].name;
            const char *s = text_nearest(rest, rl, names, nn);
            if (s)
                check_err(c, e->kids->at, s, "the events of '%s' have no "
                          "field '%.*s'; did you mean '%s'?", lf->name,
                          (int)rl, rest, s);
            else
                check_err(c, e->kids->at, NULL, "the events of '%s' have no "
                          "field '%.*s'", lf->name, (int)rl, rest);
            return NULL;
        }
        evf = k;
        ef = &es->fields[k];
    }
    const type *ty = &ty_int;
    bool nullable = true;
    type_kind fk = ef ? ef->ty->kind : TY_NULL;
    switch (d->agg) {
    case EV_COUNT:
    case EV_DISTINCT_DAYS:
        nullable = false;
        break;
    case EV_ANY:
    case EV_ALL:
        ty = &ty_bool;
        nullable = false;
        break;
    case EV_AVG_GAP:
        ty = &ty_float;
        break;
    case EV_SUM:
        if (fk != TY_INT && fk != TY_FLOAT && fk != TY_MONEY)
            goto bad;
        ty = ef->ty;
        break;
    case EV_AVG:
        if (fk == TY_INT || fk == TY_FLOAT) {
            ty = &ty_float;
        } else if (fk == TY_MONEY) {
            /* as the population avg: an amount with six more places */
            ty = type_money(&c->p->a, ef->ty->currency,
                            SEGC_MIN(ef->ty->scale + 6, 18));
            if (!ty)
                return NULL;
        } else {
            goto bad;
        }
        break;
    case EV_MIN:
    case EV_MAX:
        if (fk != TY_INT && fk != TY_FLOAT && fk != TY_MONEY &&
            fk != TY_DATE && fk != TY_TIMESTAMP)
            goto bad;
        ty = ef->ty;
        break;
    case EV_FIRST:
    case EV_LAST:
        if (fk == TY_STRING) {
            check_err(c, e->kids->at, NULL, "%s() of a string event field is "
                      "not supported yet; compare inside a filter, as in "
                      "any(%s where %s = \"...\")", d->name, lf->name,
                      ef->name);
            return NULL;
        }
        ty = ef->ty;
        break;
    }

    ir_node *filter = NULL;
    if (e->filter) {
        c->ev_sch = es;
        c->ev_list = (uint32_t)li;
        filter = check_cond(c, e->filter, "the 'where' of an event aggregate");
        c->ev_sch = NULL;
        if (!filter)
            return NULL;
        const char *what = NULL;
        const ir_node *bad = foreign(filter, &what);
        if (bad) {
            check_err(c, bad->at, NULL, "the 'where' of an aggregate over "
                      "events is a condition on one event: it can read the "
                      "event's fields, constants and parameters, but this is "
                      "%s (write conditions on the customer outside the "
                      "aggregate)", what);
            return NULL;
        }
    }
    int64_t months = 0, secs = 0;
    if (e->window) {
        ir_node *w = check_expr(c, e->window);
        if (!w)
            return NULL;
        if (w->op != IR_CONST || w->ty->kind != TY_DURATION) {
            char tb[128];
            type_format(w->ty, tb, sizeof tb);
            check_err(c, e->window->at, NULL, "'within' takes a duration, as "
                      "in within 30d or within 3mo; this is %s",
                      w->ty->kind == TY_DURATION ? "not a constant" : tb);
            return NULL;
        }
        months = w->months;
        secs = w->secs;
        if (months < 0 || secs < 0 || (months == 0 && secs == 0)) {
            check_err(c, e->window->at, NULL, "the window of 'within' must be "
                      "longer than zero");
            return NULL;
        }
        if (es->fields[es->at].ty->kind == TY_DATE && secs % SECS_PER_DAY) {
            check_err(c, e->window->at, NULL, "the events of '%s' are at "
                      "dates: the window must be whole days (or months)",
                      lf->name);
            return NULL;
        }
    }
    ir_node *n = ir_new(c->p, IR_EVAGG, ty, e->at);
    if (!n)
        return NULL;
    c->p->has_events = true;
    n->agg = d->agg;
    n->field = (uint32_t)li;
    n->evfield = evf;
    n->nullable = nullable;
    n->filter = filter;
    n->windowed = e->window != NULL;
    n->months = months;
    n->secs = secs;
    return n;
bad:;
    char tb[128];
    type_format(ef->ty, tb, sizeof tb);
    check_err(c, e->kids->at, NULL, "%s() of '%s.%s' (%s): it takes a number "
              "or an amount%s", d->name, lf->name, ef->name, tb,
              d->agg == EV_MIN || d->agg == EV_MAX ? ", a date or a time" : "");
    return NULL;
}
