/* The deck instrumented for the harness, in place (harness_internal.h):
 *  - every dwmtj4t instance gets 13 monitor nodes P<name>_m0 .. _m12 and
 *    its .model monitors="all", so monitor k is on node k whatever the card
 *    selected; the user's monitor nodes are driven through 0 V sources from
 *    the monitors the card gave them, so the user's circuit keeps working;
 *  - its four terminals are fed through 0 V probes vP<name>_in ... so that
 *    ngspice reports the terminal currents;
 *  - P is a prefix that no name of the deck contains ("dwmtj_", else
 *    "dwmtj1_", ...), so nothing the harness adds meets a user's node;
 *  - .control sections, output requests and analyses other than the first
 *    .tran are dropped (a tran command of .control becomes a .tran card,
 *    its option commands .options cards), and .save cards keep only what
 *    dwmtj_analyse reads.
 * A subcircuit's definition is instrumented once; each of its instances
 * then carries the probes under its own path. */
#define _POSIX_C_SOURCE 200809L

#include "harness_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- a prefix the deck does not use --------------------------------------- */

static int has(const char *s, const char *p)
{
    if (!s)
        return 0;
    size_t n = strlen(p);
    for (; *s; s++)
        if (strncasecmp(s, p, n) == 0)
            return 1;
    return 0;
}

static int params_have(const dwmtj_spice_param *q, int n, const char *p)
{
    for (int k = 0; k < n; k++)
        if (has(q[k].name, p) || has(q[k].text, p))
            return 1;
    return 0;
}

static int scope_has(const dwmtj_spice_scope *s, const char *p)
{
    if (has(s->name, p) || params_have(s->param, s->n_param, p))
        return 1;
    for (int k = 0; k < s->n_port; k++)
        if (has(s->port[k], p))
            return 1;
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        const dwmtj_spice_elem *e = &c->el;
        if (has(c->text, p) || has(e->name, p) || has(e->ctrl, p) || has(e->ref, p) ||
            has(e->rest, p) || has(c->model.name, p) ||
            params_have(c->model.param, c->model.n_param, p) ||
            params_have(c->item, c->n_item, p) || params_have(e->param, e->n_param, p))
            return 1;
        for (int k = 0; k < e->n_node; k++)
            if (has(e->node[k], p))
                return 1;
        for (int k = 0; k < e->n_vec; k++)
            if (has(e->vec[k], p))
                return 1;
        if (c->kind == DWMTJ_SPICE_SUBCKT && scope_has(c->sub, p))
            return 1;
    }
    return 0;
}

static int choose_prefix(dwmtj_netlist *nl)
{
    for (int k = 0; k < 1000; k++) {
        if (k == 0)
            snprintf(nl->prefix, sizeof nl->prefix, "dwmtj_");
        else
            snprintf(nl->prefix, sizeof nl->prefix, "dwmtj%d_", k);
        if (!scope_has(&nl->deck->top, nl->prefix))
            return 0;
    }
    return -1;
}

/* ---- cards the instrumented deck leaves out ------------------------------ */

static int dropped_word(const char *text)
{
    static const char *const drop[] = {
        ".print", ".plot", ".probe", ".four", ".meas", ".measure", ".op", ".ac", ".dc",
        ".noise", ".tf", ".sens", ".pz", ".disto", ".pss", ".sp", ".width"
    };
    size_t n = strcspn(text, " \t");
    for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++)
        if (strlen(drop[k]) == n && strncasecmp(text, drop[k], n) == 0)
            return 1;
    return 0;
}

static int first_is(const char *line, const char *w)
{
    size_t n = strcspn(line, " \t");
    return strlen(w) == n && strncasecmp(line, w, n) == 0;
}

static const char *after(const char *line)
{
    line += strcspn(line, " \t");
    return line + strspn(line, " \t");
}

/* Adds ".WORD rest" as a card of its own. */
static int add_dot(dwmtj_spice_scope *s, const char *word, const char *rest)
{
    dwmtj_spice_card *c = dwmtj_spice_add(s, DWMTJ_SPICE_DOT);
    if (!c)
        return -1;
    size_t n = strlen(word) + strlen(rest) + 3;
    if (!(c->text = malloc(n)))
        return -1;
    snprintf(c->text, n, ".%s %s", word, rest);
    return 0;
}

/* Drops the control sections, output requests, other analyses and every
 * .tran after the first; what the control sections say about the
 * transient and the options comes back as cards. */
static int top_cards(dwmtj_spice_scope *top)
{
    int have_tran = 0;
    char **tran = NULL, **opt = NULL;
    int n_opt = 0, rc = 0;
    for (int i = 0; i < top->n_card && !rc; i++) {
        dwmtj_spice_card *c = &top->card[i];
        int drop = c->kind == DWMTJ_SPICE_SAVE ||
                   (c->kind == DWMTJ_SPICE_DOT && c->text && dropped_word(c->text)) ||
                   (c->kind == DWMTJ_SPICE_TRAN && have_tran) || c->kind == DWMTJ_SPICE_CONTROL;
        if (c->kind == DWMTJ_SPICE_TRAN)
            have_tran = 1;
        if (c->kind == DWMTJ_SPICE_CONTROL)
            for (int k = 0; k < c->n_item && !rc; k++) {
                const char *line = c->item[k].text;
                if (first_is(line, "tran") && !tran) {
                    tran = malloc(sizeof *tran);
                    if (!tran || !(tran[0] = strdup(after(line))))
                        rc = -1;
                } else if (first_is(line, "option") || first_is(line, "options")) {
                    char **o = realloc(opt, sizeof *o * (size_t)(n_opt + 1));
                    if (o)
                        opt = o;
                    if (!o || !(o[n_opt] = strdup(after(line))))
                        rc = -1;
                    else
                        n_opt++;
                }
            }
        if (drop)
            dwmtj_spice_remove(top, i--);
    }
    if (!rc && !have_tran && tran && add_dot(top, "tran", tran[0]) != 0)
        rc = -1;
    for (int k = 0; k < n_opt; k++) {
        if (!rc && add_dot(top, "options", opt[k]) != 0)
            rc = -1;
        free(opt[k]);
    }
    free(opt);
    if (tran)
        free(tran[0]);
    free(tran);
    return rc;
}

/* ---- the neurons ----------------------------------------------------------- */

static int is_dwmtj_model(const dwmtj_spice_scope *s, const char *name,
                          const dwmtj_spice_card **m)
{
    *m = name ? dwmtj_spice_find_model(s, name) : NULL;
    return *m && strcmp((*m)->model.type, "dwmtj4t") == 0;
}

/* "P<local>_<what>" into buf. */
static const char *gen(const dwmtj_netlist *nl, const char *local, const char *what, char *buf,
                       size_t n)
{
    snprintf(buf, n, "%s%s_%s", nl->prefix, local, what);
    return buf;
}

/* Instruments the dwmtj4t instance of card i of scope s. */
static int instrument_one(dwmtj_netlist *nl, dwmtj_spice_scope *s, int i,
                          const dwmtj_spice_card *model, char **error)
{
    dwmtj_spice_elem *e = &s->card[i].el;
    /* what the card puts on the user's monitor nodes: its own list */
    int sel[DWMTJ_NMON], bad = 0, bad_len = 0;
    const dwmtj_spice_param *mp = dwmtj_spice_param_of(model, "monitors");
    int n_sel = dwmtj_monitor_select(mp ? mp->text : NULL, sel, &bad, &bad_len);
    if (n_sel < 0) {
        char where[600];
        dwmtj_spice_where(nl->deck, model, where, sizeof where);
        size_t n = strlen(where) + strlen(mp->text) + 256;
        if (error && (*error = malloc(n)))
            snprintf(*error, n,
                     "%s: .model %s: invalid parameter monitors = \"%s\": unknown or repeated "
                     "name \"%.*s\" (names: x ra rb e ew ei ef er eidle nw nd nf nr)",
                     where, model->model.name, mp->text, bad_len, mp->text + bad);
        return DWMTJ_H_ERR_MODEL;
    }
    char *local = strdup(e->name);
    char *user[4] = { NULL, NULL, NULL, NULL };
    int n_user = e->n_vec;
    char **umon = e->vec;
    if (!local)
        return DWMTJ_H_ERR_NOMEM;
    char buf[512], buf2[512];
    int rc = DWMTJ_H_OK;
    /* the instance on the generated nodes */
    for (int k = 0; k < 4; k++) {
        user[k] = e->node[k];
        if (!(e->node[k] = strdup(gen(nl, local, dwmtj_h_term_name[k], buf, sizeof buf))))
            rc = DWMTJ_H_ERR_NOMEM;
    }
    e->vec = calloc(DWMTJ_NMON, sizeof *e->vec);
    e->n_vec = 0;
    for (int k = 0; k < DWMTJ_NMON && e->vec && rc == DWMTJ_H_OK; k++) {
        char what[16];
        snprintf(what, sizeof what, "m%d", k);
        if (!(e->vec[k] = strdup(gen(nl, local, what, buf, sizeof buf))))
            rc = DWMTJ_H_ERR_NOMEM;
        else
            e->n_vec++;
    }
    if (!e->vec)
        rc = DWMTJ_H_ERR_NOMEM;
    s->card[i].edited = 1;
    /* probes: + on the user's node, so the branch current flows into the
     * device terminal */
    for (int k = 0; k < 4 && rc == DWMTJ_H_OK; k++) {
        char name[600];
        snprintf(name, sizeof name, "v%s", gen(nl, local, dwmtj_h_term_name[k], buf, sizeof buf));
        if (!dwmtj_spice_add_v(s, name, user[k], buf, 0.0, 0, NULL, NULL))
            rc = DWMTJ_H_ERR_NOMEM;
    }
    /* the user's monitor nodes follow the monitors the card gave them; past
     * the card's list the code model drives them at 0 V */
    for (int k = 0; k < n_user && rc == DWMTJ_H_OK; k++) {
        if (!strcmp(umon[k], "0") || !strcmp(umon[k], "gnd"))
            continue;
        char what[16], name[600];
        snprintf(what, sizeof what, "u%d", k);
        snprintf(name, sizeof name, "v%s", gen(nl, local, what, buf, sizeof buf));
        const char *from = "0";
        if (k < n_sel) {
            snprintf(what, sizeof what, "m%d", sel[k]);
            from = gen(nl, local, what, buf2, sizeof buf2);
        }
        if (!dwmtj_spice_add_v(s, name, umon[k], from, 0.0, 0, NULL, NULL))
            rc = DWMTJ_H_ERR_NOMEM;
    }
    for (int k = 0; k < 4; k++)
        free(user[k]);
    for (int k = 0; k < n_user; k++)
        free(umon[k]);
    free(umon);
    free(local);
    return rc;
}

/* A card found by a lookup, by place: the probes added to its scope move
 * the scope's cards. */
typedef struct {
    dwmtj_spice_scope *scope;
    int index;
} place;

static place place_of(dwmtj_spice_scope *s, const dwmtj_spice_card *c)
{
    for (; s; s = s->parent)
        if (c >= s->card && c < s->card + s->n_card)
            return (place){ s, (int)(c - s->card) };
    return (place){ NULL, -1 };
}

/* Every dwmtj4t instance of scope s and the subcircuits defined in it;
 * the models they use collect in models (set to monitors=all afterwards). */
static int instrument_scope(dwmtj_netlist *nl, dwmtj_spice_scope *s, place **models,
                            int *n_models, char **error)
{
    int n = s->n_card; /* the probes added go after them */
    for (int i = 0; i < n; i++) {
        dwmtj_spice_card *c = &s->card[i];
        if (c->kind == DWMTJ_SPICE_SUBCKT) {
            int rc = instrument_scope(nl, c->sub, models, n_models, error);
            if (rc != DWMTJ_H_OK)
                return rc;
            continue;
        }
        const dwmtj_spice_card *m;
        if (c->kind != DWMTJ_SPICE_ELEM || c->el.name[0] != 'a' || c->el.n_node != 4 ||
            !is_dwmtj_model(s, c->el.ref, &m))
            continue;
        place pm = place_of(s, m);
        int rc = instrument_one(nl, s, i, m, error);
        if (rc != DWMTJ_H_OK)
            return rc;
        place *v = realloc(*models, sizeof *v * (size_t)(*n_models + 1));
        if (!v)
            return DWMTJ_H_ERR_NOMEM;
        *models = v;
        v[(*n_models)++] = pm;
    }
    return DWMTJ_H_OK;
}

/* ---- the .save cards --------------------------------------------------------- */

/* The names saved so far (a hash set), and the card being filled. */
typedef struct {
    dwmtj_spice_scope *top;
    dwmtj_spice_card *card; /* current .save card, NULL to start one */
    int on_card;
    char **slot;
    size_t n, cap;
    int err;
} saver;

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* 1 if name is new (and now in the set), 0 if seen, -1 out of memory. */
static int seen_add(saver *v, const char *name)
{
    if (2 * (v->n + 1) > v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 256;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t k = 0; k < v->cap; k++)
            if (v->slot[k]) {
                size_t h = hash(v->slot[k]) & (cap - 1);
                while (slot[h])
                    h = (h + 1) & (cap - 1);
                slot[h] = v->slot[k];
            }
        free(v->slot);
        v->slot = slot;
        v->cap = cap;
    }
    size_t h = hash(name) & (v->cap - 1);
    for (; v->slot[h]; h = (h + 1) & (v->cap - 1))
        if (!strcmp(v->slot[h], name))
            return 0;
    if (!(v->slot[h] = strdup(name)))
        return -1;
    v->n++;
    return 1;
}

static void save(saver *v, const char *name)
{
    if (v->err)
        return;
    int added = seen_add(v, name);
    if (added < 0)
        v->err = 1;
    if (added != 1)
        return;
    if (!v->card || v->on_card == 8) {
        v->card = dwmtj_spice_add(v->top, DWMTJ_SPICE_SAVE);
        v->on_card = 0;
    }
    if (!v->card || dwmtj_spice_add_param(v->card, name, NULL, 0) != DWMTJ_SPICE_OK)
        v->err = 1;
    v->on_card++;
}

static void save_break(saver *v) { v->card = NULL; }

static int saves(dwmtj_netlist *nl)
{
    saver v = { &nl->deck->top, NULL, 0, NULL, 0, 0, 0 };
    char buf[1024];
    save(&v, "time");
    save_break(&v);
    for (int j = 0; j < nl->n_neuron; j++) {
        for (int k = 0; k < DWMTJ_NMON; k++)
            save(&v, nl_vec_mon(nl, j, k, buf, sizeof buf));
        save_break(&v);
        for (int t = 0; t < 4; t++)
            save(&v, nl_vec_term(nl, j, t, buf, sizeof buf));
        for (int t = 0; t < 4; t++)
            save(&v, nl_vec_probe(nl, j, t, buf, sizeof buf));
        save_break(&v);
    }
    for (int j = 0; j < nl->n_source; j++) {
        const dwmtj_nl_source *src = &nl->source[j];
        save(&v, src->current);
        for (int k = 0; k < 2; k++)
            if (src->node[k]) {
                snprintf(buf, sizeof buf, "v(%s)", src->node[k]);
                save(&v, buf);
            }
    }
    for (size_t k = 0; k < v.cap; k++)
        free(v.slot[k]);
    free(v.slot);
    return v.err ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_OK;
}

int nl_instrument(dwmtj_netlist *nl, char **error)
{
    if (choose_prefix(nl) != 0) {
        if (error)
            *error = strdup("the deck uses every name prefix dwmtj_ .. dwmtj999_ the harness "
                            "could give its probes");
        return DWMTJ_H_ERR_NETLIST;
    }
    if (top_cards(&nl->deck->top) != 0)
        return DWMTJ_H_ERR_NOMEM;
    place *models = NULL;
    int n_models = 0;
    int rc = instrument_scope(nl, &nl->deck->top, &models, &n_models, error);
    /* all 13 monitors in table order on every instance */
    for (int k = 0; k < n_models && rc == DWMTJ_H_OK; k++)
        if (dwmtj_spice_set_param(&models[k].scope->card[models[k].index], "monitors", "all",
                                  1) != DWMTJ_SPICE_OK)
            rc = DWMTJ_H_ERR_NOMEM;
    free(models);
    if (rc == DWMTJ_H_OK && nl->tran_rc == DWMTJ_H_OK)
        rc = saves(nl);
    return rc;
}

int dwmtj_netlist_instrument(const dwmtj_netlist *nl, char **text)
{
    if (!nl || !text)
        return DWMTJ_H_ERR_USAGE;
    *text = NULL;
    if (nl->tran_rc == DWMTJ_H_ERR_NOANALYSIS)
        return DWMTJ_H_ERR_NOANALYSIS;
    int rc = dwmtj_spice_write(nl->deck, text);
    return rc == DWMTJ_SPICE_OK ? DWMTJ_H_OK : DWMTJ_H_ERR_NOMEM;
}
