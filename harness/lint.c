/* dwmtj_lint (dwmtj_harness.h): what ngspice would only warn about, or run
 * with quietly, in a deck with dwmtj4t neurons: unknown and implausible
 * parameters, values ngspice cannot read, monitor outputs that drive a
 * node of the circuit, terminals that connect to nothing. */
#define _POSIX_C_SOURCE 200809L

#include "harness_internal.h"
#include "dwmtj_str.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const dwmtj_spice_deck *d;
    dwmtj_str report; /* "WHERE: error|warning: what\n" per finding */
    int errors, warnings;
} lint;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void say(lint *L, const dwmtj_spice_card *c, int error, const char *fmt, ...)
{
    char where[600];
    dwmtj_spice_where(L->d, c, where, sizeof where);
    dwmtj_str_printf(&L->report, "%s: %s: ", where, error ? "error" : "warning");
    va_list ap;
    va_start(ap, fmt);
    dwmtj_str_vprintf(&L->report, fmt, ap);
    va_end(ap);
    dwmtj_str_puts(&L->report, "\n");
    if (error)
        L->errors++;
    else
        L->warnings++;
}

/* Edit distance, to suggest the parameter a misspelt name meant. */
static int distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    int d[32][32];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
        }
    return d[la][lb];
}

static int known(const char *name)
{
    if (!strcmp(name, "set") || !strcmp(name, "monitors"))
        return 1;
    for (int k = 0; dwmtj_param_name(k); k++)
        if (!strcmp(dwmtj_param_name(k), name))
            return 1;
    return 0;
}

static const char *nearest(const char *name)
{
    const char *best = NULL;
    int bd = 3;
    static const char *const extra[] = { "set", "monitors" };
    for (int k = 0; k < 2 + dwmtj_param_count(); k++) {
        const char *c = k < 2 ? extra[k] : dwmtj_param_name(k - 2);
        int dd = c ? distance(name, c) : 99;
        if (dd < bd) {
            bd = dd;
            best = c;
        }
    }
    return best;
}

/* A dwmtj4t .model card, parameter by parameter, then as a whole. */
static void model_card(lint *L, const dwmtj_spice_card *c)
{
    const dwmtj_spice_model *m = &c->model;
    int bad = 0;
    for (int k = 0; k < m->n_param; k++) {
        const dwmtj_spice_param *q = &m->param[k];
        if (!known(q->name)) {
            const char *n = nearest(q->name);
            say(L, c, 1,
                ".model %s: dwmtj4t has no parameter %s (ngspice only warns, and runs with "
                "the default)%s%s%s",
                m->name, q->name, n ? "; did you mean " : "", n ? n : "", n ? "?" : "");
            bad = 1;
        } else if (!strcmp(q->name, "set") || !strcmp(q->name, "monitors")) {
            if (q->text && !q->quoted) {
                say(L, c, 1,
                    ".model %s: %s=%s: a string must be quoted (%s=\"%s\"); ngspice reads "
                    "%s as the name of a .param",
                    m->name, q->name, q->text, q->name, q->text, q->text);
                bad = 1;
            }
        } else if (!q->numeric) {
            if (q->text && q->text[0] == '{')
                say(L, c, 0, ".model %s: %s=%s: an expression, not checked here", m->name,
                    q->name, q->text);
            else
                say(L, c, 1,
                    ".model %s: %s=%s%s%s is not a number ngspice can read (a .param of that "
                    "name would be needed)",
                    m->name, q->name, q->quoted ? "\"" : "", q->text ? q->text : "",
                    q->quoted ? "\"" : "");
            bad = 1;
        }
    }
    dwmtj_params p;
    if (!bad) {
        char *why = NULL;
        int st = dwmtj_spice_device(L->d, c, &p, NULL, NULL, &why);
        if (st < 0) {
            /* the message starts with where the card is: say() says that */
            const char *msg = why ? strstr(why, ".model ") : NULL;
            say(L, c, 1, "%s", msg ? msg : why ? why : dwmtj_spice_status_string(st));
            bad = 1;
        }
        free(why);
    }
    if (bad) {
        /* the values that can be read still get their range check: a card
         * with a typo may also have ms=1M */
        dwmtj_params_defaults(&p);
        for (int k = 0; k < m->n_param; k++) {
            const dwmtj_spice_param *q = &m->param[k];
            if (!strcmp(q->name, "set") && q->text)
                dwmtj_params_set(&p, q->text);
        }
        for (int k = 0; k < m->n_param; k++)
            if (m->param[k].numeric)
                dwmtj_param_set_by_name(&p, m->param[k].name, m->param[k].value);
    } else if (p.sigma > 0.0 && p.t_slot < DWMTJ_T_SLOT_SLOW) {
        say(L, c, 0, ".model %s: t_slot = %g s: %s", m->name, p.t_slot,
            dwmtj_status_string(DWMTJ_WARN_T_SLOT));
    }
    int k = 0;
    double v, lo, hi;
    const char *unit, *name;
    while ((name = dwmtj_param_implausible(&p, &k, &v, &lo, &hi, &unit)))
        say(L, c, 0,
            ".model %s: %s = %g %s is outside %g..%g %s, the range of a physical device (a "
            "SPICE suffix? M is milli, MEG mega)",
            m->name, name, v, unit, lo, hi, unit);
}

/* The nodes of an element as far as its kind says (the first ones of its
 * text for the kinds the reader keeps as text). */
static int nodes_of(const dwmtj_spice_elem *e, const char **out, int max)
{
    int n = 0;
    for (int k = 0; k < e->n_node && n < max; k++)
        out[n++] = e->node[k];
    for (int k = 0; k < e->n_vec && n < max; k++)
        out[n++] = e->vec[k];
    if (e->n_node > 0 || !e->rest)
        return n;
    static const struct { char kind; int nodes; } counts[] = {
        { 'd', 2 }, { 'q', 3 }, { 'm', 4 }, { 'j', 3 }, { 'z', 3 }, { 't', 4 }, { 'o', 4 },
        { 'u', 3 }, { 'y', 2 }, { 'p', 2 }
    };
    int want = 0;
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        if (counts[k].kind == e->name[0])
            want = counts[k].nodes;
    if (e->name[0] == 'a')
        want = max; /* another code model: every word but its model */
    static char buf[8][128];
    const char *p = e->rest;
    int words = 0;
    while (*p && n < max && words < want && words < 8) {
        p += strspn(p, " \t[]");
        size_t m = strcspn(p, " \t[]");
        if (!m)
            break;
        if (p[0] != '%' && !(m == 4 && strncmp(p, "null", 4) == 0)) {
            snprintf(buf[words], sizeof buf[0], "%.*s", (int)m, p);
            out[n++] = buf[words];
        }
        words++;
        p += m;
    }
    if (e->name[0] == 'a' && n > 0)
        n--; /* the last word is the model */
    return n;
}

static int is_gnd(const char *n) { return !strcmp(n, "0") || !strcmp(n, "gnd"); }

/* Other elements of scope s (not card skip) on node; the first into *who. */
static int uses(const dwmtj_spice_scope *s, int skip, const char *node, const char **who)
{
    int n = 0;
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        if (i == skip || c->kind != DWMTJ_SPICE_ELEM)
            continue;
        const char *nd[64];
        int k = nodes_of(&c->el, nd, 64);
        for (int j = 0; j < k; j++)
            if (!strcmp(nd[j], node)) {
                if (!n++ && who)
                    *who = c->el.name;
                break;
            }
    }
    for (int k = 0; s->name && k < s->n_port; k++)
        if (!strcmp(s->port[k], node)) {
            if (!n++ && who)
                *who = "a port of the subcircuit";
        }
    return n;
}

static void neuron(lint *L, const dwmtj_spice_scope *s, int i)
{
    const dwmtj_spice_card *c = &s->card[i];
    const dwmtj_spice_elem *e = &c->el;
    static const char *const term[4] = { "IN", "GND", "A", "B" };
    for (int k = 0; k < 2; k++) { /* the track's ends: A and B may be left open */
        const char *n = e->node[k];
        if (!is_gnd(n) && uses(s, i, n, NULL) == 0)
            say(L, c, 0,
                "dwmtj4t instance %s: terminal %s is on node %s, which nothing else connects "
                "to: no current can flow through the track",
                e->name, term[k], n);
    }
    for (int k = 0; k < e->n_vec; k++) {
        const char *n = e->vec[k], *who = NULL;
        if (is_gnd(n))
            continue;
        for (int j = 0; j < 4; j++)
            if (!strcmp(e->node[j], n))
                who = "its own terminal";
        if (who || uses(s, i, n, &who) > 0)
            say(L, c, 0,
                "dwmtj4t instance %s: monitor output %d is on node %s, which %s also connects "
                "to: the monitor's voltage drives that node",
                e->name, k, n, who);
    }
}

static void scope(lint *L, const dwmtj_spice_scope *s)
{
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        if (c->kind == DWMTJ_SPICE_SUBCKT) {
            scope(L, c->sub);
        } else if (c->kind == DWMTJ_SPICE_MODEL && !strcmp(c->model.type, "dwmtj4t")) {
            model_card(L, c);
        } else if (c->kind == DWMTJ_SPICE_ELEM && c->el.name[0] == 'a' && c->el.ref) {
            const dwmtj_spice_card *m = dwmtj_spice_find_model(s, c->el.ref);
            if (!m)
                continue; /* another code model's model, or ngspice will say */
            if (strcmp(m->model.type, "dwmtj4t") != 0)
                continue;
            if (c->el.n_node == 4)
                neuron(L, s, i);
        }
    }
}

int dwmtj_lint(const dwmtj_spice_deck *d, char **report, int *errors, int *warnings)
{
    if (!d || !report)
        return DWMTJ_H_ERR_USAGE;
    lint L = { .d = d };
    scope(&L, &d->top);
    double v[4];
    int n;
    int tr = dwmtj_spice_tran(d, v, &n, NULL);
    if (tr != DWMTJ_SPICE_OK)
        say(&L, NULL, 0, "%s", tr == 1 ? "no transient analysis (.tran): dwmtj run needs one"
                                       : "the transient analysis cannot be read (.tran)");
    if (L.report.err) {
        dwmtj_str_free(&L.report);
        *report = NULL;
        return DWMTJ_H_ERR_NOMEM;
    }
    *report = L.report.s ? L.report.s : strdup("");
    if (errors)
        *errors = L.errors;
    if (warnings)
        *warnings = L.warnings;
    return *report ? DWMTJ_H_OK : DWMTJ_H_ERR_NOMEM;
}
