/* The behavioural cell's logic (dwmtj_engine.h, doc/engine.md "The cell"):
 * B voltage sources whose every v() is under a u() are piecewise constant
 * logic outputs, not unknowns; a capacitor with resistors to ground,
 * charged through a switch from a DC source, is a one-shot whose voltage
 * is an exponential between the switch's changes; switches hold a state
 * (hysteresis) that changes only at events; a switch between two other
 * nodes is a resistor of a Newton group whose value follows its state.
 * Each u() is a step whose value changes at an event: solved exactly for
 * a one-shot's exponential or a source's linear piece, located by
 * re-solving for the comparators of Newton unknowns (engine_run.c). */
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGSPICE_HINT "; run this circuit with --backend ngspice"

/* ngspice's PULSE (vsrcload.c): TR, TF default to TSTEP, PW and PER to
 * TSTOP; the corners of every period up to TSTOP as PWL points. */
static int pulse_points(dwmtj_circuit *c, eng_vsrc *s)
{
    double p[7] = { 0, 0, 0, 0, 0, 0, 0 };
    for (int k = 0; k < s->n_pulse; k++)
        p[k] = s->pp[k];
    double v1 = p[0], v2 = s->n_pulse > 1 ? p[1] : 0.0, td = p[2];
    double tr = p[3] > 0.0 ? p[3] : c->tstep, tf = p[4] > 0.0 ? p[4] : c->tstep;
    double pw = p[5] > 0.0 ? p[5] : c->tstop, per = p[6] > 0.0 ? p[6] : c->tstop;
    if (td < 0.0 || p[3] < 0.0 || p[4] < 0.0 || p[5] < 0.0 || p[6] < 0.0)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "%s: voltage source %s: PULSE times must be >= 0",
                        s->where, s->name);
    if (tr + pw + tf > per * (1.0 + 1e-12) && td + per < c->tstop)
        return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                        "%s: voltage source %s: a PULSE whose rise, width and fall (%g s) are "
                        "longer than its period (%g s)" NGSPICE_HINT,
                        s->where, s->name, tr + pw + tf, per);
    double periods = td < c->tstop ? ceil((c->tstop - td) / per) : 1.0;
    if (periods > 1e6)
        return eng_fail(c, DWMTJ_E_ERR_LIMIT, "%s: voltage source %s: %g PULSE periods before "
                        "TSTOP: more than the engine's bound of 1e6", s->where, s->name, periods);
    int n = 4 * (int)(periods > 1.0 ? periods : 1.0) + 1;
    free(s->t);
    free(s->v);
    s->t = malloc(sizeof(double) * (size_t)n);
    s->v = malloc(sizeof(double) * (size_t)n);
    if (!s->t || !s->v)
        return DWMTJ_E_ERR_NOMEM;
    s->cap = n;
    s->n = 0;
    if (td > 0.0) {
        s->t[0] = 0.0;
        s->v[s->n++] = v1;
    }
    for (int k = 0; k < periods || k == 0; k++) {
        double b = td + k * per, q[4] = { b, b + tr, b + tr + pw, b + tr + pw + tf };
        double y[4] = { v1, v2, v2, v1 };
        for (int j = 0; j < 4; j++) {
            if (s->n && !(q[j] > s->t[s->n - 1]))
                continue; /* a corner on the last one (no rise, or the next period) */
            s->t[s->n] = q[j];
            s->v[s->n++] = y[j];
        }
    }
    return DWMTJ_E_OK;
}

static int find_swmodel(const dwmtj_circuit *c, const char *name)
{
    for (int k = 0; k < c->n_swm; k++)
        if (strcmp(c->swm[k].name, name) == 0)
            return k;
    return -1;
}

/* The V source holding node n at a DC value against ground, or -1. */
static int dc_source_of(const dwmtj_circuit *c, int n)
{
    for (int s = 0; s < c->n_vs; s++)
        if (c->vs[s].p == n && c->vs[s].m == 0 && !c->vs[s].pulse && c->vs[s].n == 1)
            return s;
    return -1;
}

/* What else uses node n (for messages), besides the one-shot's own
 * capacitor, resistors and switch terminals: "" when nothing. */
static const char *other_use(const dwmtj_circuit *c, int n, const char **who)
{
    for (int s = 0; s < c->n_vs; s++)
        if (c->vs[s].p == n || c->vs[s].m == n) {
            *who = c->vs[s].name;
            return "voltage source";
        }
    for (int k = 0; k < c->n_bs; k++)
        if (c->bs[k].p == n || c->bs[k].m == n) {
            *who = c->bs[k].name;
            return "current source";
        }
    for (int k = 0; k < c->n_dev; k++) {
        for (int j = 0; j < 4; j++)
            if (c->dev[k].node[j] == n) {
                *who = c->dev[k].name;
                return "dwmtj4t terminal";
            }
        for (int j = 0; j < c->dev[k].n_mon; j++)
            if (c->dev[k].mon[j] == n) {
                *who = c->dev[k].name;
                return "dwmtj4t monitor";
            }
    }
    return "";
}

int eng_logic_read(dwmtj_circuit *c)
{
    int n = c->n_nodes, rc = DWMTJ_E_OK;
    for (int s = 0; s < c->n_vs && rc == DWMTJ_E_OK; s++)
        if (c->vs[s].pulse)
            rc = pulse_points(c, &c->vs[s]);
    if (rc != DWMTJ_E_OK)
        return rc;
    if (!c->n_bv && !c->n_sw && !c->n_cap && !c->n_u)
        return DWMTJ_E_OK;
    c->node_rc = malloc(sizeof(int) * (size_t)n);
    c->lv = calloc((size_t)n, sizeof(double));
    int *logic = calloc((size_t)n, sizeof(int)); /* 1 + the B source driving it */
    if (!c->node_rc || !c->lv || !logic) {
        free(logic);
        return DWMTJ_E_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++)
        c->node_rc[i] = -1;
    for (int k = 0; k < c->n_bv; k++) {
        const eng_bvsrc *v = &c->bv[k];
        if (v->p == 0 || logic[v->p]) {
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: B source %s: its + node %s is ground or driven by B source %s as "
                          "well" NGSPICE_HINT, v->where, v->name, c->node_name[v->p],
                          v->p ? c->bv[logic[v->p] - 1].name : "-");
            goto out;
        }
        logic[v->p] = k + 1;
    }
    /* the one-shots: capacitors to ground */
    if (c->n_cap && !(c->rc = calloc((size_t)c->n_cap, sizeof *c->rc))) {
        rc = DWMTJ_E_ERR_NOMEM;
        goto out;
    }
    for (int k = 0; k < c->n_cap; k++) {
        const eng_cap *q = &c->cap[k];
        int d = q->a ? q->a : q->b;
        if ((q->a && q->b) || !d || logic[d]) {
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: capacitor %s between %s and %s: the klu backend takes capacitors "
                          "only in one-shots: C and R from a node to ground, charged through a "
                          "switch from a DC source" NGSPICE_HINT,
                          q->where, q->name, c->node_name[q->a], c->node_name[q->b]);
            goto out;
        }
        if (c->node_rc[d] < 0) {
            c->node_rc[d] = c->n_rc;
            c->rc[c->n_rc++] = (eng_rc){ .node = d, .cap = k, .sw = -1 };
        }
        c->rc[c->node_rc[d]].c += q->c;
    }
    /* their resistors leave the networks: to ground only */
    int kept = 0;
    for (int k = 0; k < c->n_res; k++) {
        eng_res *r = &c->res[k];
        int ra = c->node_rc[r->a], rb = c->node_rc[r->b];
        if (ra < 0 && rb < 0) {
            c->res[kept++] = *r;
            continue;
        }
        if ((ra >= 0 && r->b) || (rb >= 0 && r->a)) {
            int d = ra >= 0 ? r->a : r->b, o = ra >= 0 ? r->b : r->a;
            const eng_cap *q = &c->cap[c->rc[ra >= 0 ? ra : rb].cap];
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: capacitor %s at node %s: a resistor from the node to %s, not to "
                          "ground: the klu backend takes capacitors only in one-shots: C and R "
                          "from a node to ground, charged through a switch from a DC "
                          "source" NGSPICE_HINT,
                          q->where, q->name, c->node_name[d], c->node_name[o]);
            goto out;
        }
        c->rc[ra >= 0 ? ra : rb].g += r->g;
    }
    c->n_res = kept;
    for (int k = 0; k < c->n_sw && rc == DWMTJ_E_OK; k++) {
        eng_sw *w = &c->sw[k];
        if ((w->model = find_swmodel(c, w->model_name)) < 0) {
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED, "%s: switch %s: model %s is not a sw "
                          ".model of this deck" NGSPICE_HINT, w->where, w->name, w->model_name);
            break;
        }
        for (int j = 2; j < 4; j++)
            if (w->node[j] && !logic[w->node[j]]) {
                rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                              "%s: switch %s: its control node %s is not driven by a B voltage "
                              "source (the klu backend takes switches controlled by logic "
                              "outputs)" NGSPICE_HINT, w->where, w->name,
                              c->node_name[w->node[j]]);
                goto out;
            }
        int r0 = c->node_rc[w->node[0]], r1 = c->node_rc[w->node[1]];
        if (r0 >= 0 || r1 >= 0) {
            int o = r0 >= 0 ? w->node[1] : w->node[0], r = r0 >= 0 ? r0 : r1;
            int s = dc_source_of(c, o);
            if ((r0 >= 0 && r1 >= 0) || s < 0 || c->rc[r].sw >= 0) {
                rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                              "%s: switch %s charges one-shot node %s from node %s, which is not "
                              "held by a DC voltage source to ground (or the node has a second "
                              "switch)" NGSPICE_HINT,
                              w->where, w->name, c->node_name[c->rc[r].node], c->node_name[o]);
                break;
            }
            c->rc[r].sw = k;
            c->rc[r].vsup = c->vs[s].v[0];
            w->rc = r;
            continue;
        }
        if (logic[w->node[0]] || logic[w->node[1]]) {
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED, "%s: switch %s: a terminal on logic node "
                          "%s" NGSPICE_HINT, w->where, w->name,
                          c->node_name[logic[w->node[0]] ? w->node[0] : w->node[1]]);
            break;
        }
        if (eng_grow((void **)&c->res, &c->cap_res, c->n_res + 1, sizeof *c->res) != 0) {
            rc = DWMTJ_E_ERR_NOMEM;
            break;
        }
        w->res = c->n_res;
        c->res[c->n_res++] = (eng_res){ .a = w->node[0], .b = w->node[1],
                                        .g = 1.0 / c->swm[w->model].roff, .sw = k };
    }
    if (rc != DWMTJ_E_OK)
        goto out;
    for (int r = 0; r < c->n_rc; r++) {
        const eng_rc *q = &c->rc[r];
        const char *who = "", *what = other_use(c, q->node, &who);
        if (q->sw < 0 || *what || logic[q->node]) {
            char why[200];
            if (*what)
                snprintf(why, sizeof why, "the node is also on %s %s", what, who);
            else
                snprintf(why, sizeof why, "%s", q->sw < 0 ? "no switch charges it"
                                                          : "the node is a logic output");
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: capacitor %s at node %s: %s: the klu backend takes capacitors "
                          "only in one-shots: C and R from a node to ground, charged through a "
                          "switch from a DC source" NGSPICE_HINT,
                          c->cap[q->cap].where, c->cap[q->cap].name, c->node_name[q->node], why);
            goto out;
        }
    }
    /* a logic node is read, never loaded: nothing else may be on it */
    for (int i = 1; i < n; i++) {
        if (!logic[i])
            continue;
        const char *who = "", *what = other_use(c, i, &who);
        for (int k = 0; k < c->n_res && !*what; k++)
            if (c->res[k].a == i || c->res[k].b == i) {
                what = c->res[k].sw >= 0 ? "switch" : "resistor";
                who = c->res[k].sw >= 0 ? c->sw[c->res[k].sw].name : "";
            }
        if (*what) {
            const eng_bvsrc *v = &c->bv[logic[i] - 1];
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "%s: B source %s: its node %s is also on %s %s: the klu backend takes "
                          "B voltage sources only as logic outputs read by expressions and "
                          "switch controls" NGSPICE_HINT,
                          v->where, v->name, c->node_name[i], what, who);
            goto out;
        }
    }
out:
    free(logic);
    return rc;
}

double eng_node_v(const dwmtj_circuit *c, int node, double t)
{
    if (!node)
        return 0.0;
    switch (c->node_kind[node]) {
    case KIND_LOGIC: return c->lv[node];
    case KIND_NEWTON: return c->x[c->node_row[node]];
    case KIND_LIN: return c->yt[c->node_out[node]];
    case KIND_RC: {
        const eng_rc *r = &c->rc[c->node_rc[node]];
        return r->tau > 0.0 ? r->vinf + (r->v0 - r->vinf) * exp(-(t - r->t0) / r->tau)
                            : r->vinf;
    }
    default: return 0.0;
    }
}

double eng_u_arg(const dwmtj_circuit *c, const eng_u *u, double t)
{
    double a = u->k;
    for (int j = 0; j < u->n; j++)
        a += u->coef[j] * eng_node_v(c, u->node[j], t);
    return a;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case KIND_LIN: return "a source network";
    case KIND_NEWTON: return "a neuron";
    case KIND_MON: return "a monitor";
    case KIND_LOGIC: return "a logic output";
    case KIND_RC: return "a one-shot";
    default: return "nothing";
    }
}

int eng_logic_kinds(dwmtj_circuit *c)
{
    c->node_out = malloc(sizeof(int) * (size_t)c->n_nodes);
    if (!c->node_out)
        return DWMTJ_E_ERR_NOMEM;
    for (int i = 0; i < c->n_nodes; i++)
        c->node_out[i] = -1;
    for (int k = 0; k < c->n_bv; k++)
        c->node_kind[c->bv[k].p] = KIND_LOGIC;
    for (int r = 0; r < c->n_rc; r++)
        c->node_kind[c->rc[r].node] = KIND_RC;
    for (int k = 0; k < c->n_u; k++) {
        eng_u *u = &c->u[k];
        int cnt[6] = { 0 };
        for (int j = 0; j < u->n; j++)
            cnt[c->node_kind[u->node[j]]]++;
        if (cnt[KIND_LOGIC] == u->n) {
            u->kind = U_LOGIC;
        } else if (u->n == 1 && cnt[KIND_RC] == 1) {
            u->kind = U_RC;
            u->rc = c->node_rc[u->node[0]];
        } else if (u->n == 1 && cnt[KIND_LIN] == 1) {
            u->kind = U_SRC;
            if (c->node_out[u->node[0]] < 0)
                c->node_out[u->node[0]] = c->n_out++;
        } else if (cnt[KIND_NEWTON] == u->n) {
            u->kind = U_NEWTON;
            c->n_un++;
        } else {
            char list[400];
            size_t m = 0;
            list[0] = '\0';
            for (int j = 0; j < u->n && m + 1 < sizeof list; j++)
                m += (size_t)snprintf(list + m, sizeof list - m, "%sv(%s) (%s)", j ? ", " : "",
                                      c->node_name[u->node[j]],
                                      kind_name(c->node_kind[u->node[j]]));
            return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                            "%s: B source %s: u() of %s: the klu backend takes u() of logic "
                            "outputs only, of one one-shot node, of one source-driven node, or "
                            "of neuron nodes only" NGSPICE_HINT,
                            u->where, u->src, list);
        }
    }
    return DWMTJ_E_OK;
}

int eng_logic_groups(dwmtj_circuit *c)
{
    for (int k = 0; k < c->n_u; k++) {
        eng_u *u = &c->u[k];
        if (u->kind != U_NEWTON || !u->n)
            continue;
        u->group = c->row_group[c->node_row[u->node[0]]];
        for (int j = 1; j < u->n; j++)
            if (c->row_group[c->node_row[u->node[j]]] != u->group)
                u->group = -1;
    }
    for (int k = 0; k < c->n_sw; k++) {
        const eng_sw *w = &c->sw[k];
        if (w->res < 0)
            continue;
        const eng_res *r = &c->res[w->res];
        if (c->node_kind[r->a ? r->a : r->b] != KIND_NEWTON)
            return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                            "%s: switch %s: in a network of resistors and sources without a "
                            "device (the klu backend keeps those linear and fixed)" NGSPICE_HINT,
                            w->where, w->name);
    }
    return DWMTJ_E_OK;
}

static double rc_value(const eng_rc *r, double t)
{
    return r->tau > 0.0 ? r->vinf + (r->v0 - r->vinf) * exp(-(t - r->t0) / r->tau) : r->vinf;
}

/* The one-shot's exponential from t on for its switch's state. */
static void rc_restart(dwmtj_circuit *c, eng_rc *r, double t)
{
    const eng_sw *w = &c->sw[r->sw];
    const eng_swmodel *m = &c->swm[w->model];
    double gs = 1.0 / (w->on ? m->ron : m->roff), gt = r->g + gs;
    r->v0 = rc_value(r, t);
    r->t0 = t;
    r->vinf = gs * r->vsup / gt;
    r->tau = r->c / gt;
}

/* When step u next changes after the state it holds (a one-shot's or a
 * source's), +inf if it does not. */
static double u_cross(const dwmtj_circuit *c, const eng_u *u)
{
    double a = u->coef[0];
    if (a == 0.0)
        return INFINITY;
    if (u->kind == U_RC) {
        const eng_rc *r = &c->rc[u->rc];
        if ((u->k + a * r->vinf > 0.0) == (u->state != 0))
            return INFINITY; /* it stays on its side */
        if (r->v0 == r->vinf || !(r->tau > 0.0))
            return r->t0;
        double q = (-u->k / a - r->vinf) / (r->v0 - r->vinf);
        return q >= 1.0 ? r->t0 : q > 0.0 ? r->t0 - r->tau * log(q) : INFINITY;
    }
    int o = c->node_out[u->node[0]];
    double a0 = u->k + a * c->y0[o], a1 = u->k + a * c->y1[o];
    if ((a1 > 0.0) == (u->state != 0))
        return INFINITY;
    if (a0 == a1 || !(c->tb > c->ta))
        return c->ta;
    double s = a0 / (a0 - a1);
    return c->ta + (s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s) * (c->tb - c->ta);
}

double eng_logic_next(const dwmtj_circuit *c, double t)
{
    double te = INFINITY;
    for (int q = 0; q < ENG_SC_N(c, u); q++) {
        const eng_u *u = &c->u[ENG_SC_AT(c, u, q)];
        if (u->kind == U_RC || u->kind == U_SRC) {
            double x = u_cross(c, u);
            if (x < te)
                te = x;
        }
    }
    return te < t ? t : te;
}

void eng_logic_flip_due(dwmtj_circuit *c, double te)
{
    for (int q = 0; q < ENG_SC_N(c, u); q++) {
        eng_u *u = &c->u[ENG_SC_AT(c, u, q)];
        if ((u->kind == U_RC || u->kind == U_SRC) && u_cross(c, u) <= te)
            u->state = !u->state;
    }
}

int eng_logic_settle(dwmtj_circuit *c, double t)
{
    int changed = 0, pass = 0;
    for (;; pass++) {
        int any = 0;
        for (int q = 0; q < ENG_SC_N(c, bv); q++) {
            int k = ENG_SC_AT(c, bv, q);
            double v = eng_expr_eval(c, c->bv[k].e, c->cur);
            if (!isfinite(v))
                return eng_fail(c, DWMTJ_E_ERR_VALUE, "%s: B source %s: its voltage is %g V at "
                                "t = %g s", c->bv[k].where, c->bv[k].name, v, t);
            if (v != c->lv[c->bv[k].p]) {
                c->lv[c->bv[k].p] = v;
                any = 1;
            }
        }
        if (!any)
            break;
        changed = 1;
        if (pass > ENG_SC_N(c, bv) + 2)
            return eng_fail(c, DWMTJ_E_ERR_CONVERGENCE,
                            "%s: the logic of the B voltage sources has no fixed point at t = %g "
                            "s (it oscillates)", c->name, t);
    }
    for (int q = 0; q < ENG_SC_N(c, sw); q++) {
        eng_sw *w = &c->sw[ENG_SC_AT(c, sw, q)];
        const eng_swmodel *m = &c->swm[w->model];
        double v = eng_node_v(c, w->node[2], t) - eng_node_v(c, w->node[3], t);
        int on = v > m->vt + m->vh ? 1 : v < m->vt - m->vh ? 0 : w->on;
        if (on == w->on)
            continue;
        w->on = on;
        if (w->rc >= 0) {
            rc_restart(c, &c->rc[w->rc], t);
        } else {
            c->res[w->res].g = 1.0 / (on ? m->ron : m->roff);
            changed = 1;
        }
    }
    return changed;
}

int eng_logic_start(dwmtj_circuit *c, int reset)
{
    if (reset) { /* switches off (ngspice's initial state), logic low */
        for (int k = 0; k < c->n_sw; k++) {
            eng_sw *w = &c->sw[k];
            w->on = 0;
            if (w->res >= 0)
                c->res[w->res].g = 1.0 / c->swm[w->model].roff;
        }
        for (int k = 0; k < c->n_bv; k++)
            c->lv[c->bv[k].p] = 0.0;
    }
    /* at the operating point the capacitors are open: each one-shot at the
     * divider of its switch and resistors */
    for (int r = 0; r < c->n_rc; r++) {
        eng_rc *q = &c->rc[r];
        q->tau = 0.0;
        rc_restart(c, q, 0.0);
        q->v0 = q->vinf;
    }
    int changed = 0;
    for (int k = 0; k < c->n_u; k++) {
        eng_u *u = &c->u[k];
        double a = eng_u_arg(c, u, 0.0);
        if (u->kind != U_LOGIC) {
            changed += u->state != (a > 0.0);
            u->state = a > 0.0;
        }
        u->arg0 = a;
    }
    return changed;
}
