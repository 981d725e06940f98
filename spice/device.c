/* dwmtj4t .model cards into libdwmtj parameters, as the code model reads
 * them (dwmtj_spice.h): the one reader for the engine, the crossbar
 * generator, the harness and the lint. */
#include "spice_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dwmtj_spice_device(const dwmtj_spice_deck *d, const dwmtj_spice_card *m, dwmtj_params *p,
                       int sel[DWMTJ_NMON], int *n_sel, char **error)
{
    if (error)
        *error = NULL;
    if (!m || !p || m->kind != DWMTJ_SPICE_MODEL)
        return DWMTJ_SPICE_ERR_USAGE;
    char where[600];
    dwmtj_spice_where(d, m, where, sizeof where);
    const char *name = m->model.name;
    /* the set first, then the parameters over it (in the card's order) */
    const dwmtj_spice_param *set = dwmtj_spice_param_of(m, "set");
    dwmtj_params_set(p, "proto");
    if (set) {
        char low[32];
        size_t n = set->text ? strlen(set->text) : 0;
        if (n >= sizeof low) n = sizeof low - 1;
        for (size_t k = 0; k < n; k++)
            low[k] = (char)(set->text[k] >= 'A' && set->text[k] <= 'Z' ? set->text[k] + 32
                                                                        : set->text[k]);
        low[n] = '\0';
        if (!set->text || dwmtj_params_set(p, low) != DWMTJ_OK)
            return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                           ".model %s: invalid parameter set = \"%s\": not one of proto, "
                           "proto-pn, proto-paper, scaled",
                           name, set->text ? set->text : "");
    }
    const char *mon = NULL;
    for (int k = 0; k < m->model.n_param; k++) {
        const dwmtj_spice_param *q = &m->model.param[k];
        if (!strcmp(q->name, "set"))
            continue;
        if (!strcmp(q->name, "monitors")) {
            mon = q->text;
            continue;
        }
        if (!q->numeric)
            return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                           ".model %s: parameter %s = %s%s%s is not a number", name, q->name,
                           q->quoted ? "\"" : "", q->text ? q->text : "",
                           q->quoted ? "\"" : "");
        int st = dwmtj_param_set_by_name(p, q->name, q->value);
        if (st == DWMTJ_ERR_NAME)
            return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                           ".model %s: unknown parameter %s (dwmtj4t has no such parameter)",
                           name, q->name);
        if (st != DWMTJ_OK)
            return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                           ".model %s: invalid parameter %s = %s: %s", name, q->name, q->text,
                           dwmtj_status_string(st));
    }
    dwmtj_set_ambient(p, dwmtj_spice_temperature(d)); /* as the code model: the circuit's */
    int st = dwmtj_params_check(p);
    if (st < 0) {
        const char *which = dwmtj_status_param(st);
        double v = 0.0;
        if (which)
            dwmtj_param_get_by_name(p, which, &v);
        return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                       ".model %s: invalid parameter %s = %g: %s", name, which ? which : "?", v,
                       dwmtj_status_string(st));
    }
    int s[DWMTJ_NMON], bad = 0, bad_len = 0;
    int ns = dwmtj_monitor_select(mon, s, &bad, &bad_len);
    if (ns < 0) {
        char names[256] = "";
        for (int k = 0; dwmtj_monitor_name(k); k++) {
            strncat(names, k ? " " : "", sizeof names - strlen(names) - 1);
            strncat(names, dwmtj_monitor_name(k), sizeof names - strlen(names) - 1);
        }
        return sp_fail(error, DWMTJ_SPICE_ERR_PARAM, where, 0,
                       ".model %s: invalid parameter monitors = \"%s\": unknown or repeated "
                       "name \"%.*s\" (names: %s)",
                       name, mon, bad_len, mon + bad, names);
    }
    if (sel)
        memcpy(sel, s, sizeof s);
    if (n_sel)
        *n_sel = ns;
    if (st == DWMTJ_WARN_RANGE) {
        int k = 0;
        double v, lo, hi;
        const char *unit;
        const char *which = dwmtj_param_implausible(p, &k, &v, &lo, &hi, &unit);
        sp_fail(error, st, where, 0,
                ".model %s: warning: parameter %s = %g %s: outside %g..%g %s, the range of a "
                "physical device (a SPICE suffix? M is milli, MEG mega)",
                name, which ? which : "?", v, unit, lo, hi, unit);
    } else if (st > 0) {
        const char *which = dwmtj_status_param(st);
        double v = 0.0;
        if (which)
            dwmtj_param_get_by_name(p, which, &v);
        sp_fail(error, st, where, 0, ".model %s: warning: parameter %s = %g: %s", name,
                which ? which : "?", v, dwmtj_status_string(st));
    }
    return st;
}

int dwmtj_spice_temp_card(const dwmtj_spice_card *c, double *celsius, int *number)
{
    if (!c || c->kind != DWMTJ_SPICE_DOT || !c->text)
        return 0;
    const char *t = c->text + strspn(c->text, " \t");
    if (strncasecmp(t, ".temp", 5) != 0)
        return 0;
    /* ngspice (inp.c): any card that starts so; blanks, an optional '=',
     * then strtod with nothing but blanks after (an empty one is 0 C) */
    t += 5;
    t += strspn(t, " \t");
    if (*t == '=')
        t += 1 + strspn(t + 1, " \t");
    char *end;
    double v = strtod(t, &end);
    int ok = isfinite(v) && end[strspn(end, " \t\r\n")] == '\0';
    if (celsius)
        *celsius = ok ? v : 27.0;
    if (number)
        *number = ok;
    return 1;
}

double dwmtj_spice_temperature(const dwmtj_spice_deck *d)
{
    double opt = 27.0, temp = 27.0; /* C, ngspice's default */
    int has_temp = 0;
    if (!d)
        return opt + 273.15;
    const dwmtj_spice_scope *top = &d->top;
    for (int k = 0; k < top->n_card; k++) {
        const dwmtj_spice_card *x = &top->card[k];
        if (x->kind == DWMTJ_SPICE_OPTIONS) {
            for (int i = 0; i < x->n_item; i++)
                if (x->item[i].name && !strcmp(x->item[i].name, "temp") && x->item[i].numeric)
                    opt = x->item[i].value;
        } else if (dwmtj_spice_temp_card(x, &temp, NULL)) {
            has_temp = 1; /* ngspice sets it after the options, so it wins */
        }
    }
    return (has_temp ? temp : opt) + 273.15;
}
