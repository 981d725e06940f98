/* Netlists: a user's deck read into the circuit data (dwmtj_spice.h), its
 * dwmtj4t neurons and energy sources found at every depth of its
 * subcircuits, and the deck instrumented for the harness
 * (netlist_instrument.c).
 *
 * Neurons: instances "aNAME IN GND A B (NULL | [n1 .. nk]) MODEL" whose
 * MODEL is a .model of type dwmtj4t visible from where the instance is
 * (%g / %v port modifiers, the ports' defaults, are accepted; others are
 * refused), at the top level or in a .subckt, named as ngspice names them
 * ("a.x2.an" for an in instance x2).  Sources for the circuit energy: V,
 * I, B (V= or I=), and E, G (n+ n- nc+ nc- gain), F, H (n+ n- vcontrol
 * gain) at any depth; other forms of E, F, G, H are not counted. */
#define _POSIX_C_SOURCE 200809L

#include "harness_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const dwmtj_h_term_name[4] = { "in", "gnd", "a", "b" };

#define MAX_DEPTH 64          /* subcircuit instances inside each other */
#define MAX_INSTANCES 1000000 /* elements of every instance together */

static void neuron_free(dwmtj_nl_neuron *n)
{
    free(n->name);
    free(n->path);
    free(n->local);
}

static void source_free(dwmtj_nl_source *s)
{
    free(s->name);
    free(s->node[0]);
    free(s->node[1]);
    free(s->current);
}

void dwmtj_netlist_free(dwmtj_netlist *nl)
{
    if (!nl)
        return;
    dwmtj_spice_free(nl->deck);
    for (int k = 0; k < nl->n_neuron; k++)
        neuron_free(&nl->neuron[k]);
    free(nl->neuron);
    for (int k = 0; k < nl->n_source; k++)
        source_free(&nl->source[k]);
    free(nl->source);
    free(nl);
}

int dwmtj_netlist_neuron_count(const dwmtj_netlist *nl) { return nl ? nl->n_neuron : 0; }

const char *dwmtj_netlist_neuron_name(const dwmtj_netlist *nl, int k)
{
    if (!nl || k < 0 || k >= nl->n_neuron)
        return NULL;
    return nl->neuron[k].name;
}

int dwmtj_netlist_tran(const dwmtj_netlist *nl, double *tstep, double *tstop, double *tmax)
{
    if (!nl)
        return DWMTJ_H_ERR_USAGE;
    if (nl->tran_rc != DWMTJ_H_OK)
        return nl->tran_rc;
    if (tstep)
        *tstep = nl->tran[0];
    if (tstop)
        *tstop = nl->tran[1];
    if (tmax)
        *tmax = nl->tran[3];
    return DWMTJ_H_OK;
}

const char *nl_vec_mon(const dwmtj_netlist *nl, int j, int k, char *buf, size_t n)
{
    const dwmtj_nl_neuron *u = &nl->neuron[j];
    snprintf(buf, n, "v(%s%s%s_m%d)", u->path, nl->prefix, u->local, k);
    return buf;
}

const char *nl_vec_term(const dwmtj_netlist *nl, int j, int t, char *buf, size_t n)
{
    const dwmtj_nl_neuron *u = &nl->neuron[j];
    snprintf(buf, n, "v(%s%s%s_%s)", u->path, nl->prefix, u->local, dwmtj_h_term_name[t]);
    return buf;
}

const char *nl_vec_probe(const dwmtj_netlist *nl, int j, int t, char *buf, size_t n)
{
    const dwmtj_nl_neuron *u = &nl->neuron[j];
    if (*u->path)
        snprintf(buf, n, "v.%sv%s%s_%s#branch", u->path, nl->prefix, u->local,
                 dwmtj_h_term_name[t]);
    else
        snprintf(buf, n, "v%s%s_%s#branch", nl->prefix, u->local, dwmtj_h_term_name[t]);
    return buf;
}

/* *error = "FILE:LINE: message" for card c. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(char **error, int status, const dwmtj_spice_deck *d, const dwmtj_spice_card *c,
                const char *fmt, ...)
{
    if (!error)
        return status;
    char where[600], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dwmtj_spice_where(d, c, where, sizeof where);
    size_t n = strlen(where) + strlen(msg) + 3;
    free(*error);
    if ((*error = malloc(n)))
        snprintf(*error, n, "%s: %s", where, msg);
    return status;
}

static int is_ground(const char *n) { return strcmp(n, "0") == 0 || strcmp(n, "gnd") == 0; }

/* ---- why an A card is not a neuron's form -------------------------------- */

/* The A card text c (its model a dwmtj4t) is not in the dwmtj4t form:
 * the message says what is wrong with it. */
static int explain_a(const dwmtj_spice_deck *d, const dwmtj_spice_card *c, char **error)
{
    const char *text = c->text ? c->text : c->el.name; /* the deck's own spelling */
    /* words, with [ and ] words of their own */
    char *w[512];
    int n = 0, open = 0, bad_br = 0;
    const char *p = text;
    int rc = DWMTJ_H_ERR_NETLIST;
    while (*p && n < 512) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t m = (*p == '[' || *p == ']') ? 1 : strcspn(p, " \t[]");
        w[n] = malloc(m + 1);
        if (!w[n]) {
            rc = DWMTJ_H_ERR_NOMEM;
            break;
        }
        memcpy(w[n], p, m);
        w[n][m] = '\0';
        if (!strcmp(w[n], "["))
            bad_br |= ++open > 1;
        else if (!strcmp(w[n], "]"))
            bad_br |= --open < 0;
        n++;
        p += m;
    }
    if (rc == DWMTJ_H_ERR_NOMEM)
        goto out;
    if (bad_br || open) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                  "dwmtj4t instance %s: unbalanced brackets in its connections%s", w[0],
                  !bad_br && open > 0 ? " ('[' without ']')" : "");
        goto out;
    }
    int k = 1, nt = 0;
    for (; k < n - 1 && nt < 4; k++) {
        if (!strcmp(w[k], "[") || !strcmp(w[k], "]"))
            break;
        if (w[k][0] == '%') {
            if (strcasecmp(w[k], "%g") != 0) {
                rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                          "dwmtj4t instance %s: port type %s is not supported by the harness",
                          w[0], w[k]);
                goto out;
            }
            continue;
        }
        if (!strcasecmp(w[k], "null"))
            break;
        nt++;
    }
    if (nt < 4) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                  "dwmtj4t instance %s has %d terminal node%s; it needs 4 (IN GND A B), "
                  "then NULL or [monitor nodes], then the model",
                  w[0], nt, nt == 1 ? "" : "s");
        goto out;
    }
    for (; k < n - 1 && w[k][0] == '%'; k++)
        if (strcasecmp(w[k], "%v") != 0) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                      "dwmtj4t instance %s: port type %s is not supported by the harness", w[0],
                      w[k]);
            goto out;
        }
    if (k >= n - 1) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                  "dwmtj4t instance %s: no monitor connection (NULL or [nodes]) before the "
                  "model %s", w[0], w[n - 1]);
        goto out;
    }
    if (!strcasecmp(w[k], "null")) {
        k++;
    } else if (!strcmp(w[k], "[")) {
        int j = k + 1, m = 0;
        for (; j < n && strcmp(w[j], "]"); j++) {
            if (w[j][0] == '%' && strcasecmp(w[j], "%v") != 0) {
                rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                          "dwmtj4t instance %s: port type %s is not supported by the harness",
                          w[0], w[j]);
                goto out;
            }
            m += w[j][0] != '%';
        }
        if (m == 0) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                      "dwmtj4t instance %s: empty monitor vector []", w[0]);
            goto out;
        }
        k = j + 1;
    } else {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
                  "dwmtj4t instance %s has %s where its fifth connection (NULL or [monitor "
                  "nodes]) or its model belongs; it needs IN GND A B, NULL or [nodes], MODEL",
                  w[0], w[k]);
        goto out;
    }
    rc = fail(error, DWMTJ_H_ERR_NETLIST, d, c,
              "dwmtj4t instance %s: %s after the monitor connection; expected only the model "
              "name", w[0], k < n - 1 ? w[k] : "nothing");
out:
    for (int j = 0; j < n; j++)
        free(w[j]);
    return rc;
}

/* ---- the instances ------------------------------------------------------- */

/* Where the walk is: a definition, the instance path and the nodes its
 * ports are connected to (as ngspice names them; NULL for ground). */
typedef struct ctx {
    const dwmtj_spice_scope *def;
    const char *path;         /* "" at the top, "x1." ... */
    char *const *conn;        /* per port of def */
    const struct ctx *up;
    int depth;
} ctx;

typedef struct {
    dwmtj_netlist *nl;
    char **error;
    long elements;            /* over all instances */
    char **global;            /* .global nodes */
    int n_global;
} walker;

/* The ngspice name of node n inside cx into *out (NULL for ground). */
static int map_node(const walker *W, const ctx *cx, const char *n, char **out)
{
    *out = NULL;
    if (is_ground(n))
        return 0;
    for (int k = 0; k < W->n_global; k++)
        if (!strcmp(W->global[k], n))
            return (*out = strdup(n)) ? 0 : -1;
    for (int k = 0; cx->def->name && k < cx->def->n_port; k++)
        if (!strcmp(cx->def->port[k], n))
            return cx->conn[k] && !(*out = strdup(cx->conn[k])) ? -1 : 0;
    size_t len = strlen(cx->path) + strlen(n) + 1;
    if (!(*out = malloc(len)))
        return -1;
    snprintf(*out, len, "%s%s", cx->path, n);
    return 0;
}

/* The ngspice name of element name inside cx: "name" at the top, else
 * "<letter>.<path><name>". */
static char *elem_name(const ctx *cx, const char *name)
{
    size_t len = strlen(cx->path) + strlen(name) + 3;
    char *s = malloc(len);
    if (s) {
        if (*cx->path)
            snprintf(s, len, "%c.%s%s", name[0], cx->path, name);
        else
            snprintf(s, len, "%s", name);
    }
    return s;
}

static int add_source(walker *W, const ctx *cx, const dwmtj_spice_elem *e)
{
    dwmtj_netlist *nl = W->nl;
    dwmtj_nl_source *v = realloc(nl->source, sizeof *v * (size_t)(nl->n_source + 1));
    if (!v)
        return DWMTJ_H_ERR_NOMEM;
    nl->source = v;
    dwmtj_nl_source *s = &v[nl->n_source++];
    memset(s, 0, sizeof *s);
    char kind = e->name[0];
    if (!(s->name = elem_name(cx, e->name)) || map_node(W, cx, e->node[0], &s->node[0]) ||
        map_node(W, cx, e->node[1], &s->node[1]))
        return DWMTJ_H_ERR_NOMEM;
    const char *fmt = kind == 'i' ? "@%s[current]"
                      : kind == 'v' || kind == 'e' || kind == 'h' || (kind == 'b' && e->bmode == 'v')
                          ? "%s#branch"
                          : "@%s[i]";
    size_t len = strlen(s->name) + 16;
    if (!(s->current = malloc(len)))
        return DWMTJ_H_ERR_NOMEM;
    snprintf(s->current, len, fmt, s->name);
    return DWMTJ_H_OK;
}

static int add_neuron(walker *W, const ctx *cx, const dwmtj_spice_elem *e)
{
    dwmtj_netlist *nl = W->nl;
    dwmtj_nl_neuron *v = realloc(nl->neuron, sizeof *v * (size_t)(nl->n_neuron + 1));
    if (!v)
        return DWMTJ_H_ERR_NOMEM;
    nl->neuron = v;
    dwmtj_nl_neuron *u = &v[nl->n_neuron++];
    memset(u, 0, sizeof *u);
    u->name = elem_name(cx, e->name);
    u->path = strdup(cx->path);
    u->local = strdup(e->name);
    return u->name && u->path && u->local ? DWMTJ_H_OK : DWMTJ_H_ERR_NOMEM;
}

static int is_neuron_model(const dwmtj_spice_scope *s, const char *model)
{
    const dwmtj_spice_card *m = dwmtj_spice_find_model(s, model);
    return m && strcmp(m->model.type, "dwmtj4t") == 0;
}

static int walk(walker *W, const ctx *cx)
{
    const dwmtj_spice_deck *d = W->nl->deck;
    const dwmtj_spice_scope *s = cx->def;
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        if (c->kind != DWMTJ_SPICE_ELEM)
            continue;
        const dwmtj_spice_elem *e = &c->el;
        if (++W->elements > MAX_INSTANCES)
            return fail(W->error, DWMTJ_H_ERR_NETLIST, d, c,
                        "the circuit has more than %d elements once its subcircuits are "
                        "expanded", MAX_INSTANCES);
        int rc = DWMTJ_H_OK;
        switch (e->name[0]) {
        case 'a':
            if (!e->ref || !is_neuron_model(s, e->ref))
                break;
            if (e->n_node != 4)
                return explain_a(d, c, W->error);
            for (int j = 0; j < i; j++)
                if (s->card[j].kind == DWMTJ_SPICE_ELEM && !strcmp(s->card[j].el.name, e->name)) {
                    /* named as the deck writes it */
                    const char *t = c->text ? c->text : e->name;
                    return fail(W->error, DWMTJ_H_ERR_NETLIST, d, c,
                                "dwmtj4t instance %.*s defined twice", (int)strcspn(t, " \t"), t);
                }
            rc = add_neuron(W, cx, e);
            break;
        case 'v': case 'i': case 'b':
            rc = add_source(W, cx, e);
            break;
        case 'e': case 'g':
            if (e->n_node == 4)
                rc = add_source(W, cx, e);
            break;
        case 'f': case 'h':
            if (e->ctrl)
                rc = add_source(W, cx, e);
            break;
        case 'x': {
            const dwmtj_spice_card *sc = dwmtj_spice_find_subckt(s, e->ref);
            if (!sc)
                break; /* ngspice will name it */
            const dwmtj_spice_scope *def = sc->sub;
            if (def->n_port != e->n_node)
                return fail(W->error, DWMTJ_H_ERR_NETLIST, d, c,
                            "subcircuit instance %s has %d connection%s; %s has %d port%s",
                            e->name, e->n_node, e->n_node == 1 ? "" : "s", def->name,
                            def->n_port, def->n_port == 1 ? "" : "s");
            if (cx->depth + 1 > MAX_DEPTH)
                return fail(W->error, DWMTJ_H_ERR_NETLIST, d, c,
                            "subcircuit instances nested deeper than %d (does %s contain "
                            "itself?)", MAX_DEPTH, def->name);
            char **conn = calloc((size_t)(def->n_port ? def->n_port : 1), sizeof *conn);
            size_t plen = strlen(cx->path) + strlen(e->name) + 2;
            char *path = malloc(plen);
            if (!conn || !path) {
                free(conn);
                free(path);
                return DWMTJ_H_ERR_NOMEM;
            }
            snprintf(path, plen, "%s%s.", cx->path, e->name);
            for (int k = 0; k < e->n_node && rc == DWMTJ_H_OK; k++)
                if (map_node(W, cx, e->node[k], &conn[k]))
                    rc = DWMTJ_H_ERR_NOMEM;
            ctx in = { def, path, conn, cx, cx->depth + 1 };
            if (rc == DWMTJ_H_OK)
                rc = walk(W, &in);
            for (int k = 0; k < def->n_port; k++)
                free(conn[k]);
            free(conn);
            free(path);
            break;
        }
        default:
            break;
        }
        if (rc != DWMTJ_H_OK)
            return rc;
    }
    return DWMTJ_H_OK;
}

/* .global nodes of the top level. */
static int globals(walker *W)
{
    const dwmtj_spice_scope *s = &W->nl->deck->top;
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        if (c->kind != DWMTJ_SPICE_DOT || !c->text || strncasecmp(c->text, ".global", 7) != 0)
            continue;
        const char *p = c->text + 7;
        while (*p) {
            p += strspn(p, " \t");
            size_t m = strcspn(p, " \t");
            if (!m)
                break;
            char **g = realloc(W->global, sizeof *g * (size_t)(W->n_global + 1));
            if (!g)
                return DWMTJ_H_ERR_NOMEM;
            W->global = g;
            if (!(g[W->n_global] = malloc(m + 1)))
                return DWMTJ_H_ERR_NOMEM;
            for (size_t k = 0; k < m; k++)
                g[W->n_global][k] = (char)tolower((unsigned char)p[k]);
            g[W->n_global++][m] = '\0';
            p += m;
        }
    }
    return DWMTJ_H_OK;
}

/* The options the streaming run must know: minbreak, nostepsizelimit. */
static void options(dwmtj_netlist *nl)
{
    const dwmtj_spice_scope *s = &nl->deck->top;
    for (int i = 0; i < s->n_card; i++) {
        const dwmtj_spice_card *c = &s->card[i];
        if (c->kind == DWMTJ_SPICE_OPTIONS) {
            nl->minbreak |= dwmtj_spice_param_of(c, "minbreak") != NULL;
            nl->nostepsizelimit |= dwmtj_spice_param_of(c, "nostepsizelimit") != NULL;
        } else if (c->kind == DWMTJ_SPICE_DOT && c->text && strncasecmp(c->text, ".option", 7) == 0) {
            /* from a .control section, as written */
            for (const char *p = c->text; *p; p++) {
                nl->minbreak |= strncasecmp(p, "minbreak", 8) == 0;
                nl->nostepsizelimit |= strncasecmp(p, "nostepsizelimit", 15) == 0;
            }
        }
    }
}

static int spice_status(int rc)
{
    switch (rc) {
    case DWMTJ_SPICE_OK: return DWMTJ_H_OK;
    case DWMTJ_SPICE_ERR_NOMEM: return DWMTJ_H_ERR_NOMEM;
    case DWMTJ_SPICE_ERR_USAGE: return DWMTJ_H_ERR_USAGE;
    case DWMTJ_SPICE_ERR_FILE: return DWMTJ_H_ERR_FILE;
    case DWMTJ_SPICE_ERR_PARAM: return DWMTJ_H_ERR_MODEL;
    default: return DWMTJ_H_ERR_NETLIST;
    }
}

int dwmtj_netlist_from_deck(dwmtj_netlist **out, dwmtj_spice_deck *d, char **error)
{
    if (error)
        *error = NULL;
    if (!out) {
        dwmtj_spice_free(d);
        return DWMTJ_H_ERR_USAGE;
    }
    *out = NULL;
    if (!d)
        return DWMTJ_H_ERR_USAGE;
    dwmtj_netlist *nl = calloc(1, sizeof *nl);
    if (!nl) {
        dwmtj_spice_free(d);
        return DWMTJ_H_ERR_NOMEM;
    }
    nl->deck = d;
    double v[4];
    int nv = 0;
    char *terr = NULL;
    int tr = dwmtj_spice_tran(d, v, &nv, &terr);
    free(terr);
    nl->tran_rc = tr == 1 ? DWMTJ_H_ERR_NOANALYSIS : spice_status(tr);
    if (tr == DWMTJ_SPICE_OK)
        memcpy(nl->tran, v, sizeof v);
    walker W = { nl, error, 0, NULL, 0 };
    ctx top = { &d->top, "", NULL, NULL, 0 };
    int rc = globals(&W);
    if (rc == DWMTJ_H_OK)
        rc = walk(&W, &top);
    for (int k = 0; k < W.n_global; k++)
        free(W.global[k]);
    free(W.global);
    if (rc == DWMTJ_H_OK)
        rc = nl_instrument(nl, error);
    if (rc == DWMTJ_H_OK)
        options(nl);
    if (rc != DWMTJ_H_OK) {
        if (rc == DWMTJ_H_ERR_NOMEM && error && !*error)
            *error = strdup("out of memory");
        dwmtj_netlist_free(nl);
        return rc;
    }
    *out = nl;
    return DWMTJ_H_OK;
}

int dwmtj_netlist_parse(dwmtj_netlist **out, const char *name, const char *text, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!text) {
        if (error)
            *error = strdup("dwmtj_netlist_parse: no text");
        return DWMTJ_H_ERR_USAGE;
    }
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_spice_read(&d, name ? name : "netlist", text, error);
    if (rc != DWMTJ_SPICE_OK)
        return spice_status(rc);
    return dwmtj_netlist_from_deck(out, d, error);
}

int dwmtj_netlist_read(dwmtj_netlist **out, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!path) {
        if (error)
            *error = strdup("dwmtj_netlist_read: no path");
        return DWMTJ_H_ERR_USAGE;
    }
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_spice_read_file(&d, path, error);
    if (rc != DWMTJ_SPICE_OK)
        return spice_status(rc);
    return dwmtj_netlist_from_deck(out, d, error);
}
