/* The circuit the engine solves, taken from the deck data (dwmtj_spice.h):
 * the subset of dwmtj_engine.h, everything else refused by name. */
#include "engine_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGSPICE_HINT "; run this circuit with --backend ngspice"

int eng_fail(dwmtj_circuit *c, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return status;
}

int eng_grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int n = *cap ? 2 * *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int rehash(dwmtj_circuit *c, int n_hash)
{
    int *h = malloc(sizeof(int) * (size_t)n_hash);
    if (!h)
        return -1;
    for (int k = 0; k < n_hash; k++)
        h[k] = -1;
    for (int i = 0; i < c->n_nodes; i++) {
        uint64_t k = dwmtj_key_from_name(c->node_name[i]) & (uint64_t)(n_hash - 1);
        while (h[k] >= 0)
            k = (k + 1) & (uint64_t)(n_hash - 1);
        h[k] = i;
    }
    free(c->hash);
    c->hash = h;
    c->n_hash = n_hash;
    return 0;
}

int eng_find_node(const dwmtj_circuit *c, const char *name)
{
    if (strcmp(name, "0") == 0 || strcmp(name, "gnd") == 0)
        return 0;
    if (!c->n_hash)
        return -1;
    uint64_t k = dwmtj_key_from_name(name) & (uint64_t)(c->n_hash - 1);
    while (c->hash[k] >= 0) {
        if (strcmp(c->node_name[c->hash[k]], name) == 0)
            return c->hash[k];
        k = (k + 1) & (uint64_t)(c->n_hash - 1);
    }
    return -1;
}

int eng_node(dwmtj_circuit *c, const char *name)
{
    int i = eng_find_node(c, name);
    if (i >= 0)
        return i;
    if ((c->n_nodes + 1) * 2 > c->n_hash && rehash(c, c->n_hash ? 2 * c->n_hash : 1024) != 0)
        return -1;
    char **nn = realloc(c->node_name, sizeof(char *) * (size_t)(c->n_nodes + 1));
    if (!nn)
        return -1;
    c->node_name = nn;
    if (!(nn[c->n_nodes] = strdup(name)))
        return -1;
    uint64_t k = dwmtj_key_from_name(name) & (uint64_t)(c->n_hash - 1);
    while (c->hash[k] >= 0)
        k = (k + 1) & (uint64_t)(c->n_hash - 1);
    c->hash[k] = c->n_nodes;
    return c->n_nodes++;
}

typedef struct {
    dwmtj_circuit *c;
    const dwmtj_spice_deck *d;
    const dwmtj_spice_card *card; /* the card being read */
    char where[600];
} reader;

static int refuse(reader *R, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A message that starts with where the card is. */
static int refuse(reader *R, int status, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eng_fail(R->c, status, "%s: %s", R->where, msg);
}

static int add_res(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    if (e->rest || e->n_node != 2 || isnan(e->value))
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "resistor %s: the klu backend takes 'Rname n1 n2 value' with a number and "
                      "nothing after it" NGSPICE_HINT, e->name);
    if (!(e->value > 0.0) || !isfinite(e->value))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, "resistor %s: value %g Ohm: must be finite and > 0",
                      e->name, e->value);
    if (eng_grow((void **)&c->res, &c->cap_res, c->n_res + 1, sizeof *c->res) != 0)
        return DWMTJ_E_ERR_NOMEM;
    int a = eng_node(c, e->node[0]), b = eng_node(c, e->node[1]);
    if (a < 0 || b < 0)
        return DWMTJ_E_ERR_NOMEM;
    c->res[c->n_res++] = (eng_res){ .a = a, .b = b, .g = 1.0 / e->value, .sw = -1 };
    return DWMTJ_E_OK;
}

static int add_point(eng_vsrc *s, double t, double v)
{
    if (eng_grow((void **)&s->t, &s->cap, s->n + 1, sizeof(double)) != 0)
        return -1;
    double *nv = realloc(s->v, sizeof(double) * (size_t)s->cap);
    if (!nv)
        return -1;
    s->v = nv;
    s->t[s->n] = t;
    s->v[s->n++] = v;
    return 0;
}

static int add_vsrc(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    const dwmtj_spice_wave *w = &e->wave;
    if (!e->has_wave || e->rest)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "voltage source %s: only DC values, PWL(...) and PULSE(...) waves are "
                      "supported by the klu backend" NGSPICE_HINT, e->name);
    if (w->shape != DWMTJ_SPICE_DC && w->dc != 0.0)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "voltage source %s: a DC value with a %s wave" NGSPICE_HINT, e->name,
                      w->shape == DWMTJ_SPICE_PWL ? "PWL" : "PULSE");
    if (!isfinite(w->dc))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, "voltage source %s: DC value %g is not finite",
                      e->name, w->dc);
    if (eng_grow((void **)&c->vs, &c->cap_vs, c->n_vs + 1, sizeof *c->vs) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_vsrc *s = &c->vs[c->n_vs];
    memset(s, 0, sizeof *s);
    s->out = -1;
    s->lin_index = -1;
    if (!(s->name = strdup(e->name)) || !(s->where = strdup(R->where)) ||
        (s->p = eng_node(c, e->node[0])) < 0 || (s->m = eng_node(c, e->node[1])) < 0) {
        free(s->name);
        free(s->where);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_vs++;
    if (w->shape == DWMTJ_SPICE_DC)
        return add_point(s, 0.0, w->dc) ? DWMTJ_E_ERR_NOMEM : DWMTJ_E_OK;
    if (w->shape == DWMTJ_SPICE_PULSE) {
        /* its corners once TSTOP is known (eng_logic_read) */
        for (int k = 0; k < w->n && k < 7; k++) {
            if (!isfinite(w->v[k]))
                return refuse(R, DWMTJ_E_ERR_SYNTAX,
                              "voltage source %s: PULSE parameter %d (%g) is not finite",
                              e->name, k + 1, w->v[k]);
            s->pp[k] = w->v[k];
        }
        s->pulse = 1;
        s->n_pulse = w->n;
        return DWMTJ_E_OK;
    }
    for (int k = 0; k < w->n; k++) {
        if (!isfinite(w->t[k]) || !isfinite(w->v[k]))
            return refuse(R, DWMTJ_E_ERR_SYNTAX,
                          "voltage source %s: PWL point %d (%g s, %g V) is not finite", e->name,
                          k, w->t[k], w->v[k]);
        if (k && !(w->t[k] > w->t[k - 1]))
            return refuse(R, DWMTJ_E_ERR_SYNTAX,
                          "voltage source %s: PWL times must increase (point %d at %g s)",
                          e->name, k, w->t[k]);
        if (add_point(s, w->t[k], w->v[k]) != 0)
            return DWMTJ_E_ERR_NOMEM;
    }
    return DWMTJ_E_OK;
}

/* I n+ n- DC value: a constant current from n+ through it to n-, kept as
 * a B current source of a number. */
static int add_isrc(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    if (!e->has_wave || e->rest || e->wave.shape != DWMTJ_SPICE_DC)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "current source %s: only DC values are supported by the klu "
                      "backend" NGSPICE_HINT, e->name);
    if (!isfinite(e->wave.dc))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, "current source %s: DC value %g is not finite",
                      e->name, e->wave.dc);
    if (eng_grow((void **)&c->bs, &c->cap_bs, c->n_bs + 1, sizeof *c->bs) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_bsrc *b = &c->bs[c->n_bs];
    memset(b, 0, sizeof *b);
    if (!(b->e = calloc(1, sizeof *b->e)) || !(b->name = strdup(e->name)) ||
        !(b->where = strdup(R->where)) || (b->p = eng_node(c, e->node[0])) < 0 ||
        (b->m = eng_node(c, e->node[1])) < 0) {
        free(b->e);
        free(b->name);
        free(b->where);
        return DWMTJ_E_ERR_NOMEM;
    }
    b->e->op = X_NUM;
    b->e->num = e->wave.dc;
    c->n_bs++;
    return DWMTJ_E_OK;
}

/* C n1 n2 value: kept until the one-shots are found (eng_logic_read). */
static int add_cap(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    if (e->rest || e->n_node != 2 || isnan(e->value))
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "capacitor %s: the klu backend takes 'Cname n1 n2 value' with a number and "
                      "nothing after it" NGSPICE_HINT, e->name);
    if (!(e->value > 0.0) || !isfinite(e->value))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, "capacitor %s: value %g F: must be finite and > 0",
                      e->name, e->value);
    if (eng_grow((void **)&c->cap, &c->cap_cap, c->n_cap + 1, sizeof *c->cap) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_cap *k = &c->cap[c->n_cap];
    memset(k, 0, sizeof *k);
    if (!(k->name = strdup(e->name)) || !(k->where = strdup(R->where)) ||
        (k->a = eng_node(c, e->node[0])) < 0 || (k->b = eng_node(c, e->node[1])) < 0) {
        free(k->name);
        free(k->where);
        return DWMTJ_E_ERR_NOMEM;
    }
    k->c = e->value;
    c->n_cap++;
    return DWMTJ_E_OK;
}

/* S n+ n- nc+ nc- model: its model found once all are read. */
static int add_sw(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    if (e->rest || e->n_node != 4 || !e->ref)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "switch %s: the klu backend takes 'Sname n+ n- nc+ nc- model' only (no "
                      "ON/OFF)" NGSPICE_HINT, e->name);
    if (eng_grow((void **)&c->sw, &c->cap_sw, c->n_sw + 1, sizeof *c->sw) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_sw *w = &c->sw[c->n_sw];
    memset(w, 0, sizeof *w);
    w->rc = w->res = -1;
    if (!(w->name = strdup(e->name)) || !(w->where = strdup(R->where)) ||
        !(w->model_name = strdup(e->ref))) {
        free(w->name);
        free(w->where);
        free(w->model_name);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_sw++;
    for (int j = 0; j < 4; j++)
        if ((w->node[j] = eng_node(c, e->node[j])) < 0)
            return DWMTJ_E_ERR_NOMEM;
    return DWMTJ_E_OK;
}

static int add_swmodel(reader *R)
{
    dwmtj_circuit *c = R->c;
    const dwmtj_spice_card *x = R->card;
    if (eng_grow((void **)&c->swm, &c->cap_swm, c->n_swm + 1, sizeof *c->swm) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_swmodel *m = &c->swm[c->n_swm];
    /* ngspice's defaults */
    *m = (eng_swmodel){ NULL, 0.0, 0.0, 1.0, 1e12 };
    for (int k = 0; k < x->model.n_param; k++) {
        const dwmtj_spice_param *q = &x->model.param[k];
        double *to = !strcmp(q->name, "vt") ? &m->vt : !strcmp(q->name, "vh") ? &m->vh
                     : !strcmp(q->name, "ron") ? &m->ron : !strcmp(q->name, "roff") ? &m->roff
                                                                               : NULL;
        if (!to || !q->numeric || !isfinite(q->value))
            return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                          ".model %s sw: parameter %s%s: the klu backend takes vt, vh, ron, roff "
                          "as numbers" NGSPICE_HINT, x->model.name, q->name,
                          to ? " is not a number" : " is not known");
        *to = q->value;
    }
    if (!(m->ron > 0.0) || !(m->roff > 0.0) || m->vh < 0.0)
        return refuse(R, DWMTJ_E_ERR_PARAM, ".model %s sw: ron %g and roff %g Ohm must be > 0, "
                      "vh %g V >= 0", x->model.name, m->ron, m->roff, m->vh);
    if (!(m->name = strdup(x->model.name)))
        return DWMTJ_E_ERR_NOMEM;
    c->n_swm++;
    return DWMTJ_E_OK;
}

static int find_vs(const dwmtj_circuit *c, const char *name)
{
    for (int k = 0; k < c->n_vs; k++)
        if (strcmp(c->vs[k].name, name) == 0)
            return k;
    return -1;
}

/* 1 and *v when x is made of numbers only. */
static int const_value(const dwmtj_spice_expr *x, double *v)
{
    double a, b;
    switch (x->op) {
    case DWMTJ_SPICE_X_NUM: *v = x->num; return 1;
    case DWMTJ_SPICE_X_NEG:
        if (!const_value(x->arg[0], &a))
            return 0;
        *v = -a;
        return 1;
    case DWMTJ_SPICE_X_ADD: case DWMTJ_SPICE_X_SUB: case DWMTJ_SPICE_X_MUL:
    case DWMTJ_SPICE_X_DIV:
        if (!const_value(x->arg[0], &a) || !const_value(x->arg[1], &b))
            return 0;
        *v = x->op == DWMTJ_SPICE_X_ADD ? a + b : x->op == DWMTJ_SPICE_X_SUB ? a - b
             : x->op == DWMTJ_SPICE_X_MUL ? a * b : a / b;
        return 1;
    default: return 0;
    }
}

static int u_term(dwmtj_circuit *c, eng_u *u, const char *node, double coef)
{
    int i = eng_node(c, node);
    if (i < 0)
        return -1;
    if (i == 0)
        return 0;
    for (int j = 0; j < u->n; j++)
        if (u->node[j] == i) {
            u->coef[j] += coef;
            return 0;
        }
    int *nn = realloc(u->node, sizeof(int) * (size_t)(u->n + 1));
    if (!nn)
        return -1;
    u->node = nn;
    double *nc = realloc(u->coef, sizeof(double) * (size_t)(u->n + 1));
    if (!nc)
        return -1;
    u->coef = nc;
    u->node[u->n] = i;
    u->coef[u->n++] = coef;
    return 0;
}

/* arg of a u(): scale x added to u, x affine in node voltages. */
static int u_affine(reader *R, eng_u *u, const dwmtj_spice_expr *x, double scale, char *why,
                    size_t n)
{
    double k;
    if (const_value(x, &k)) {
        u->k += scale * k;
        return 0;
    }
    switch (x->op) {
    case DWMTJ_SPICE_X_V:
        if (u_term(R->c, u, x->name, scale) != 0 ||
            (x->name2 && u_term(R->c, u, x->name2, -scale) != 0)) {
            snprintf(why, n, "out of memory");
            return -1;
        }
        return 0;
    case DWMTJ_SPICE_X_NEG: return u_affine(R, u, x->arg[0], -scale, why, n);
    case DWMTJ_SPICE_X_ADD:
    case DWMTJ_SPICE_X_SUB:
        if (u_affine(R, u, x->arg[0], scale, why, n) != 0)
            return -1;
        return u_affine(R, u, x->arg[1], x->op == DWMTJ_SPICE_X_SUB ? -scale : scale, why, n);
    case DWMTJ_SPICE_X_MUL:
        if (const_value(x->arg[0], &k))
            return u_affine(R, u, x->arg[1], scale * k, why, n);
        if (const_value(x->arg[1], &k))
            return u_affine(R, u, x->arg[0], scale * k, why, n);
        break;
    case DWMTJ_SPICE_X_DIV:
        if (const_value(x->arg[1], &k) && k != 0.0)
            return u_affine(R, u, x->arg[0], scale / k, why, n);
        break;
    default: break;
    }
    snprintf(why, n, "u() of something other than numbers and v() added and scaled by "
             "constants (the klu backend takes u() of a linear function of node voltages)");
    return -1;
}

/* A step u(x) of source src: its index in c->u, -1 with why. */
static int compile_u(reader *R, const dwmtj_spice_expr *x, const char *src, const char *where,
                     char *why, size_t n)
{
    dwmtj_circuit *c = R->c;
    if (eng_grow((void **)&c->u, &c->cap_u, c->n_u + 1, sizeof *c->u) != 0) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    eng_u *u = &c->u[c->n_u];
    memset(u, 0, sizeof *u);
    u->src = src;
    u->where = where;
    u->group = u->rc = -1;
    c->n_u++; /* freed with the circuit even when it fails */
    if (u_affine(R, u, x, 1.0, why, n) != 0)
        return -1;
    if (!isfinite(u->k)) {
        snprintf(why, n, "u() of a number that is not finite");
        return -1;
    }
    return c->n_u - 1;
}

/* The engine's evaluator of a B expression: numbers, i(vsource), + - * /,
 * unary -, min(a, b), max(a, b), u() of a linear function of node
 * voltages; at most DWMTJ_SPICE_X_DEPTH deep.  src and where name the
 * source, for its steps. */
static eng_expr *compile(reader *R, const dwmtj_spice_expr *x, int depth, char *why, size_t n,
                         const char *src, const char *where)
{
    if (depth > DWMTJ_SPICE_X_DEPTH) {
        snprintf(why, n, "nested deeper than %d levels", DWMTJ_SPICE_X_DEPTH);
        return NULL;
    }
    int op;
    switch (x->op) {
    case DWMTJ_SPICE_X_NUM: op = X_NUM; break;
    case DWMTJ_SPICE_X_I: op = X_CUR; break;
    case DWMTJ_SPICE_X_NEG: op = X_NEG; break;
    case DWMTJ_SPICE_X_ADD: op = X_ADD; break;
    case DWMTJ_SPICE_X_SUB: op = X_SUB; break;
    case DWMTJ_SPICE_X_MUL: op = X_MUL; break;
    case DWMTJ_SPICE_X_DIV: op = X_DIV; break;
    case DWMTJ_SPICE_X_CALL:
        if ((!strcmp(x->name, "min") || !strcmp(x->name, "max")) && x->n_arg == 2) {
            op = x->name[1] == 'i' ? X_MIN : X_MAX;
            break;
        }
        if (!strcmp(x->name, "u") && x->n_arg == 1) {
            op = X_U;
            break;
        }
        snprintf(why, n, "function %s() with %d argument%s is not supported by the klu backend "
                 "(it knows i(), min(a, b), max(a, b), u(x))", x->name, x->n_arg,
                 x->n_arg == 1 ? "" : "s");
        return NULL;
    default:
        snprintf(why, n, "%s is not supported by the klu backend (numbers, i(), + - * /, min, "
                 "max, u(); v() only inside u())",
                 x->op == DWMTJ_SPICE_X_V ? "v() outside u()" : x->op == DWMTJ_SPICE_X_POW ? "^"
                                                                                : "a name");
        return NULL;
    }
    eng_expr *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    e->op = op;
    if (op == X_NUM) {
        if (!isfinite(x->num)) {
            snprintf(why, n, "the number %g is not finite", x->num);
            free(e);
            return NULL;
        }
        e->num = x->num;
    } else if (op == X_CUR) {
        if ((e->src = find_vs(R->c, x->name)) < 0) {
            snprintf(why, n, "i(%s) of an unknown voltage source", x->name);
            free(e);
            return NULL;
        }
    } else if (op == X_U) {
        if ((e->u = compile_u(R, x->arg[0], src, where, why, n)) < 0) {
            free(e);
            return NULL;
        }
    } else {
        if (!(e->a = compile(R, x->arg[0], depth + 1, why, n, src, where)) ||
            (x->n_arg > 1 && !(e->b = compile(R, x->arg[1], depth + 1, why, n, src, where)))) {
            eng_expr_free(e);
            return NULL;
        }
    }
    return e;
}

/* B sources wait for all V sources (their controls). */
static int add_bsrc(reader *R, const dwmtj_spice_elem *e)
{
    dwmtj_circuit *c = R->c;
    if (e->bmode == 'v') {
        /* the logic: checked against its form in eng_logic_read */
        if (strcmp(e->node[1], "0") != 0 && strcmp(e->node[1], "gnd") != 0)
            return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                          "B source %s: a voltage source 'V = expression' must have its - node "
                          "on ground in the klu backend (a logic output)" NGSPICE_HINT, e->name);
        if (eng_grow((void **)&c->bv, &c->cap_bv, c->n_bv + 1, sizeof *c->bv) != 0)
            return DWMTJ_E_ERR_NOMEM;
        eng_bvsrc *v = &c->bv[c->n_bv];
        memset(v, 0, sizeof *v);
        if (!(v->name = strdup(e->name)) || !(v->where = strdup(R->where)) ||
            (v->p = eng_node(c, e->node[0])) < 0) {
            free(v->name);
            free(v->where);
            return DWMTJ_E_ERR_NOMEM;
        }
        c->n_bv++;
        return DWMTJ_E_OK;
    }
    if (eng_grow((void **)&c->bs, &c->cap_bs, c->n_bs + 1, sizeof *c->bs) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_bsrc *b = &c->bs[c->n_bs];
    memset(b, 0, sizeof *b);
    if (!(b->name = strdup(e->name)) || !(b->where = strdup(R->where)) ||
        (b->p = eng_node(c, e->node[0])) < 0 || (b->m = eng_node(c, e->node[1])) < 0) {
        free(b->name);
        free(b->where);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_bs++;
    return DWMTJ_E_OK;
}

static int add_model(reader *R)
{
    dwmtj_circuit *c = R->c;
    const dwmtj_spice_card *x = R->card;
    if (strcmp(x->model.type, "sw") == 0)
        return add_swmodel(R);
    if (strcmp(x->model.type, "dwmtj4t") != 0)
        return DWMTJ_E_OK; /* refused only when an element uses it */
    if (eng_grow((void **)&c->model, &c->cap_model, c->n_model + 1, sizeof *c->model) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_model *m = &c->model[c->n_model];
    memset(m, 0, sizeof *m);
    dwmtj_params p;
    char *why = NULL;
    int st = dwmtj_spice_device(R->d, x, &p, m->sel, &m->n_sel, &why);
    if (st == DWMTJ_SPICE_ERR_NOMEM) {
        free(why);
        return DWMTJ_E_ERR_NOMEM;
    }
    if (st < 0) {
        eng_fail(c, DWMTJ_E_ERR_PARAM, "%s", why ? why : dwmtj_spice_status_string(st));
        free(why);
        return DWMTJ_E_ERR_PARAM;
    }
    if (st > 0 && c->n_model_warnings++ == 0) /* every run reports it */
        snprintf(c->model_warning, sizeof c->model_warning, "%s",
                 why ? why : dwmtj_status_string(st));
    free(why);
    if ((st = dwmtj_derive(&p, &m->d)) < 0)
        return refuse(R, DWMTJ_E_ERR_PARAM, ".model %s: %s", x->model.name,
                      dwmtj_status_string(st));
    if (!(m->name = strdup(x->model.name)) || !(m->where = strdup(R->where)))
        return DWMTJ_E_ERR_NOMEM;
    c->n_model++;
    return DWMTJ_E_OK;
}

/* A elements keep their model name until all models are read. */
static int add_dev(reader *R, const dwmtj_spice_elem *e, char ***mname, int *cap_mname)
{
    dwmtj_circuit *c = R->c;
    if (e->n_node != 4)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "A element %s: the klu backend takes 'Aname in gnd a b (NULL | [monitor "
                      "nodes]) model' only" NGSPICE_HINT, e->name);
    if (eng_grow((void **)&c->dev, &c->cap_dev, c->n_dev + 1, sizeof *c->dev) != 0 ||
        eng_grow((void **)mname, cap_mname, c->n_dev + 1, sizeof **mname) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_dev *d = &c->dev[c->n_dev];
    memset(d, 0, sizeof *d);
    (*mname)[c->n_dev] = NULL;
    if (!(d->name = strdup(e->name)) || !(d->where = strdup(R->where))) {
        free(d->name);
        free(d->where);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_dev++;
    for (int j = 0; j < 4; j++)
        if ((d->node[j] = eng_node(c, e->node[j])) < 0)
            return DWMTJ_E_ERR_NOMEM;
    if (e->n_vec > 0) {
        if (!(d->mon = malloc(sizeof(int) * (size_t)e->n_vec)))
            return DWMTJ_E_ERR_NOMEM;
        d->n_mon = e->n_vec;
        for (int j = 0; j < e->n_vec; j++)
            if ((d->mon[j] = eng_node(c, e->vec[j])) < 0)
                return DWMTJ_E_ERR_NOMEM;
    }
    (*mname)[c->n_dev - 1] = strdup(e->ref);
    return (*mname)[c->n_dev - 1] ? DWMTJ_E_OK : DWMTJ_E_ERR_NOMEM;
}

static int add_save(reader *R)
{
    dwmtj_circuit *c = R->c;
    const dwmtj_spice_card *x = R->card;
    for (int k = 0; k < x->n_item; k++) {
        const char *w = x->item[k].name;
        size_t n = strlen(w);
        int branch = n > 7 && strcmp(w + n - 7, "#branch") == 0;
        if (!branch && (n < 4 || (w[0] != 'v' && w[0] != 'V') || w[1] != '(' ||
                        w[n - 1] != ')' || strchr(w + 2, ',')))
            return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                          ".save %s: the klu backend saves node voltages v(node) and voltage "
                          "sources' currents vname#branch only" NGSPICE_HINT,
                          w);
        if (eng_grow((void **)&c->save, &c->cap_save, c->n_save + 1, sizeof *c->save) != 0 ||
            !(c->save[c->n_save] = strdup(w)))
            return DWMTJ_E_ERR_NOMEM;
        for (char *p = c->save[c->n_save]; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        c->n_save++;
    }
    return DWMTJ_E_OK;
}

static int add_tran(reader *R)
{
    dwmtj_circuit *c = R->c;
    const dwmtj_spice_card *x = R->card;
    if (c->has_tran)
        return DWMTJ_E_OK; /* as ngspice: the first one runs */
    const double *v = x->tran;
    if (x->n_tran < 2)
        return refuse(R, DWMTJ_E_ERR_SYNTAX, ".tran: expected TSTEP TSTOP [TSTART [TMAX]] as "
                      "numbers");
    if (!(v[0] > 0.0) || !isfinite(v[0]) || !(v[1] > 0.0) || !isfinite(v[1]))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, ".tran %g %g: TSTEP and TSTOP must be finite and > 0",
                      v[0], v[1]);
    if (x->n_tran >= 3 && v[2] != 0.0)
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED, ".tran: TSTART other than 0 is not supported "
                      "by the klu backend" NGSPICE_HINT);
    if (x->n_tran == 4 && (!isfinite(v[3]) || v[3] < 0.0))
        return refuse(R, DWMTJ_E_ERR_SYNTAX, ".tran: TMAX %g must be finite and >= 0", v[3]);
    c->tstep = v[0];
    c->tstop = v[1];
    c->tmax = x->n_tran == 4 ? v[3] : 0.0;
    c->has_tran = 1;
    return DWMTJ_E_OK;
}

static int card(reader *R, char ***mname, int *cap_mname)
{
    const dwmtj_spice_card *x = R->card;
    switch (x->kind) {
    case DWMTJ_SPICE_ELEM:
        switch (x->el.name[0]) {
        case 'r': return add_res(R, &x->el);
        case 'v': return add_vsrc(R, &x->el);
        case 'b':
            if (!x->el.expr) {
                /* the reader kept it as text: say why it could not read it */
                char why[200];
                const char *eq = x->el.rest ? strchr(x->el.rest, '=') : NULL;
                dwmtj_spice_expr_free(dwmtj_spice_expr_parse(eq ? eq + 1 : "", why, sizeof why));
                return refuse(R, DWMTJ_E_ERR_UNSUPPORTED, "B source %s: its expression: %s"
                              NGSPICE_HINT, x->el.name, why);
            }
            return add_bsrc(R, &x->el);
        case 'a': return add_dev(R, &x->el, mname, cap_mname);
        case 'i': return add_isrc(R, &x->el);
        case 'c': return add_cap(R, &x->el);
        case 's': return add_sw(R, &x->el);
        default:
            return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                          "element %s is not supported by the klu backend (resistors, V and DC I "
                          "sources, B sources, the one-shots' capacitors and switches, dwmtj4t "
                          "only)" NGSPICE_HINT,
                          x->el.name);
        }
    case DWMTJ_SPICE_MODEL: return add_model(R);
    case DWMTJ_SPICE_TRAN: return add_tran(R);
    case DWMTJ_SPICE_SAVE: return add_save(R);
    case DWMTJ_SPICE_OPTIONS:
    case DWMTJ_SPICE_PARAM:
        return DWMTJ_E_OK; /* tolerances: the engine solves to its own, tighter ones */
    case DWMTJ_SPICE_SUBCKT:
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      ".subckt %s: subcircuits are not supported by the klu backend" NGSPICE_HINT,
                      x->sub->name);
    case DWMTJ_SPICE_CONTROL:
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      ".control sections are not run by the klu backend" NGSPICE_HINT);
    default: {
        int number;
        if (dwmtj_spice_temp_card(x, NULL, &number)) {
            if (number)
                return DWMTJ_E_OK; /* the devices' ambient (dwmtj_spice_temperature) */
            return refuse(R, DWMTJ_E_ERR_SYNTAX,
                          "card %s: the temperature is not a number (ngspice would run at "
                          "27 C)", x->text);
        }
        char w[32];
        snprintf(w, sizeof w, "%.*s", (int)strcspn(x->text ? x->text : "?", " \t"),
                 x->text ? x->text : "?");
        return refuse(R, DWMTJ_E_ERR_UNSUPPORTED,
                      "card %s is not supported by the klu backend" NGSPICE_HINT, w);
    }
    }
}

int eng_read(dwmtj_circuit *c, const dwmtj_spice_deck *d)
{
    char **mname = NULL;
    int cap_mname = 0, rc = DWMTJ_E_OK;
    snprintf(c->title, sizeof c->title, "%s", d->title ? d->title : "");
    snprintf(c->name, sizeof c->name, "%s", d->n_file ? d->file[0] : "deck");
    /* node 0, ground, under its own name; "gnd" is found as it too */
    if (rehash(c, 1024) != 0 || !(c->node_name = malloc(sizeof(char *))) ||
        !(c->node_name[0] = strdup("0")))
        return DWMTJ_E_ERR_NOMEM;
    c->n_nodes = 1;
    reader R = { c, d, NULL, "" };
    const dwmtj_spice_scope *top = &d->top;
    for (int k = 0; k < top->n_card && rc == DWMTJ_E_OK; k++) {
        R.card = &top->card[k];
        dwmtj_spice_where(d, R.card, R.where, sizeof R.where);
        rc = card(&R, &mname, &cap_mname);
    }
    if (rc == DWMTJ_E_OK && !c->has_tran)
        rc = eng_fail(c, DWMTJ_E_ERR_SYNTAX, "%s: no .tran card: the klu backend runs transients "
                      "only", c->name);
    /* B-source expressions, once every V source is known (the I sources'
     * numbers are in bs already) */
    for (int k = 0, b = 0, bv = 0; k < top->n_card && rc == DWMTJ_E_OK; k++) {
        const dwmtj_spice_card *x = &top->card[k];
        if (x->kind != DWMTJ_SPICE_ELEM || x->el.name[0] != 'b')
            continue;
        char why[300];
        R.card = x;
        if (x->el.bmode == 'v') {
            eng_bvsrc *v = &c->bv[bv++];
            snprintf(R.where, sizeof R.where, "%s", v->where);
            if (!(v->e = compile(&R, x->el.expr, 0, why, sizeof why, v->name, v->where)))
                rc = refuse(&R, DWMTJ_E_ERR_UNSUPPORTED, "B source %s: %s" NGSPICE_HINT,
                            v->name, why);
            else if (eng_expr_has_current(v->e))
                rc = refuse(&R, DWMTJ_E_ERR_UNSUPPORTED, "B source %s: i() in a voltage "
                            "source's expression (the klu backend takes logic outputs: numbers, "
                            "u(), min, max)" NGSPICE_HINT, v->name);
            continue;
        }
        while (c->bs[b].e)
            b++;
        snprintf(R.where, sizeof R.where, "%s", c->bs[b].where);
        if (!(c->bs[b].e = compile(&R, x->el.expr, 0, why, sizeof why, c->bs[b].name,
                                   c->bs[b].where)))
            rc = refuse(&R, DWMTJ_E_ERR_UNSUPPORTED, "B source %s: %s" NGSPICE_HINT,
                        c->bs[b].name, why);
        else if (!eng_expr_linear(c->bs[b].e))
            rc = refuse(&R, DWMTJ_E_ERR_UNSUPPORTED, "B source %s: a product or quotient of "
                        "currents (not piecewise linear)" NGSPICE_HINT, c->bs[b].name);
    }
    for (int k = 0; k < c->n_dev && rc == DWMTJ_E_OK; k++) {
        int m = 0;
        while (m < c->n_model && strcmp(c->model[m].name, mname[k]) != 0)
            m++;
        if (m == c->n_model) {
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: A element %s: model %s is not a dwmtj4t .model of this deck; "
                          "the klu backend runs dwmtj4t only" NGSPICE_HINT,
                          c->dev[k].where, c->dev[k].name, mname[k]);
            break;
        }
        c->dev[k].model = m;
        /* the noise key the code model forms from the terminal node names */
        const char *names[4];
        for (int j = 0; j < 4; j++)
            names[j] = c->node_name[c->dev[k].node[j]];
        c->dev[k].key = dwmtj_noise_key(names);
    }
    for (int k = 0; k < c->n_dev; k++)
        free(mname ? mname[k] : NULL);
    free(mname);
    if (rc == DWMTJ_E_OK)
        rc = eng_logic_read(c);
    return rc;
}
