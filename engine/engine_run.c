/* The transient (dwmtj_engine.h): linear groups by their map, the rest by
 * Newton, each group's block on its own (engine_block.c), time points at
 * corners, clock edges and the B sources' switch instants. */
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENG_RELTOL 1e-9 /* relative change of an unknown for convergence */
#define ENG_VNTOL 1e-12 /* V, absolute, node voltages */
#define ENG_ABSTOL 1e-15 /* A, absolute, branch currents */
#define EVENT_TOL 1e-15 /* s: a comparator's crossing is located to this */
#define CASCADE_MAX 64 /* logic changes at one instant before it counts as chatter */

double eng_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Outputs of the linear groups at t: y = sum_j map_j v_j(t). */
static void lin_outputs(dwmtj_circuit *c, double t, double *y)
{
    double t0 = eng_wall_s();
    int no = c->n_out;
    memset(y, 0, sizeof(double) * (size_t)(no > 0 ? no : 1));
    for (int j = 0; j < c->n_lin_src && no > 0; j++) {
        double v = eng_vs_value(&c->vs[c->lin_src[j]], t);
        if (v == 0.0)
            continue;
        const double *col = c->map + (size_t)j * no;
        for (int o = 0; o < no; o++)
            y[o] += v * col[o];
    }
    c->stats.seconds_linear += eng_wall_s() - t0;
}

static void controls(const dwmtj_circuit *c, const double *y, double *cur)
{
    for (int q = 0; q < ENG_SC_N(c, ctl); q++) {
        int s = c->ctl[ENG_SC_AT(c, ctl, q)];
        cur[s] = y[c->vs[s].out];
    }
}

int eng_push(double **v, int *n, int *cap, double x)
{
    if (eng_grow((void **)v, cap, *n + 1, sizeof **v) != 0)
        return -1;
    (*v)[(*n)++] = x;
    return 0;
}

/* Memory the recorded vectors of a run may take: beyond it a run is
 * refused as too long rather than attempted. */
#define MAX_RECORD_BYTES (2.0 * 1024 * 1024 * 1024)

long eng_point_limit(const dwmtj_circuit *c)
{
    double by_memory = MAX_RECORD_BYTES / (8.0 * (c->n_vec + 1));
    return by_memory < (double)c->max_points ? (long)by_memory : c->max_points;
}

int eng_too_long(dwmtj_circuit *c, double t, double points)
{
    return eng_fail(c, DWMTJ_E_ERR_LIMIT,
                    "%s: the transient (.tran %g %g, tmax %g) needs %s%.3g time points at "
                    "t = %g s, more than the engine's bound of %ld for this circuit (%d saved "
                    "vectors); use a coarser time step",
                    c->name, c->tstep, c->tstop, c->tmax, points < 0 ? "more than " : "",
                    points < 0 ? (double)eng_point_limit(c) : points, t, eng_point_limit(c),
                    c->n_vec);
}

double eng_vec_value(const dwmtj_circuit *c, const eng_vec *v, double t)
{
    switch (v->kind) {
    case KIND_LIN: return c->yt[v->idx];
    case KIND_NEWTON: return c->x[c->node_row[v->node]];
    case KIND_LOGIC:
    case KIND_RC: return eng_node_v(c, v->node, t);
    case VEC_BRANCH_NEWTON: return c->x[c->vs[v->idx].row];
    case VEC_BRANCH_LIN: return c->yt[c->vs[v->idx].out];
    default:
        return v->slot < 0 ? 0.0
                           : dwmtj_monitor(&c->model[c->dev[v->idx].model].d,
                                           &c->dev[v->idx].s0, v->slot);
    }
}

int eng_bounds(dwmtj_circuit *c, int n_time, double t)
{
    if (n_time >= eng_point_limit(c))
        return eng_too_long(c, t, -1.0);
    if (c->deadline > 0.0 && (n_time & 255) == 0 && eng_wall_s() > c->deadline)
        return eng_fail(c, DWMTJ_E_ERR_TIMEOUT, "%s: the run exceeded its time limit of %g s "
                        "at t = %g s", c->name, c->timeout_s, t);
    return DWMTJ_E_OK;
}

static int record(dwmtj_circuit *c, double t)
{
    int rc = eng_bounds(c, c->n_time, t);
    if (rc != DWMTJ_E_OK)
        return rc;
    if (eng_push(&c->time, &c->n_time, &c->cap_time, t) != 0)
        return DWMTJ_E_ERR_NOMEM;
    for (int k = 0; k < c->n_vec; k++) {
        eng_vec *v = &c->vec[k];
        if (eng_push(&v->v, &v->n, &v->cap, eng_vec_value(c, v, t)) != 0)
            return DWMTJ_E_ERR_NOMEM;
    }
    c->stats.time_points++;
    return DWMTJ_E_OK;
}

static double xv(const dwmtj_circuit *c, int node)
{
    return node ? c->x[c->node_row[node]] : 0.0;
}

/* 1 when group g's entries are needed: its block is factored in this
 * iteration (eng_blocks_open). */
static int live(const dwmtj_circuit *c, int g)
{
    return c->blk[c->group_block[g]].solved;
}

void eng_stamp_res(dwmtj_circuit *c, int k)
{
    const int *q = c->res_pos + 4 * k;
    int a = c->res[k].a, b = c->res[k].b;
    double g = c->res[k].g, i = g * (xv(c, a) - xv(c, b));
    if (a) {
        c->f[c->node_row[a]] += i;
        c->Ax[q[0]] += g;
    }
    if (b) {
        c->f[c->node_row[b]] -= i;
        c->Ax[q[3]] += g;
    }
    if (a && b) {
        c->Ax[q[1]] -= g;
        c->Ax[q[2]] -= g;
    }
}

void eng_stamp_vs(dwmtj_circuit *c, int s, double t)
{
    const int *q = c->vs_pos + 4 * s;
    const eng_vsrc *v = &c->vs[s];
    double ib = c->x[v->row];
    c->f[v->row] = xv(c, v->p) - xv(c, v->m) - eng_vs_value(v, t);
    if (v->p) {
        c->f[c->node_row[v->p]] += ib;
        c->Ax[q[0]] += 1.0;
        c->Ax[q[2]] += 1.0;
    }
    if (v->m) {
        c->f[c->node_row[v->m]] -= ib;
        c->Ax[q[1]] -= 1.0;
        c->Ax[q[3]] -= 1.0;
    }
}

void eng_stamp_bs(dwmtj_circuit *c, int k)
{
    double i = c->bval[k];
    if (c->bs[k].p)
        c->f[c->node_row[c->bs[k].p]] += i;
    if (c->bs[k].m)
        c->f[c->node_row[c->bs[k].m]] -= i;
}

/* The device's partials into the Jacobian (dc: the static ones). */
static void stamp_partials(dwmtj_circuit *c, const eng_dev *d, int dc)
{
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            if (d->pos[a][b] >= 0)
                c->Ax[d->pos[a][b]] += dc ? d->ev.g_static[a][b] : d->ev.g[a][b];
}

/* libdwmtj's status st of device d's step to t. */
static int dev_status(dwmtj_circuit *c, eng_dev *d, double t, int st)
{
    if (st < 0)
        return eng_fail(c, DWMTJ_E_ERR_DEVICE, "%s: step to t = %g s failed: %s", d->name, t,
                        dwmtj_status_string(st));
    d->st = st; /* a warning is recorded if the point is accepted */
    return DWMTJ_E_OK;
}

int eng_eval_dev(dwmtj_circuit *c, int k, double t, const double v[4], int dc)
{
    eng_dev *d = &c->dev[k];
    const dwmtj_derived *dd = &c->model[d->model].d;
    /* the operating point is libdwmtj's, as in the code model */
    return dev_status(c, d, t,
                      dc ? dwmtj_dc(dd, d->key, v, &d->s1, &d->ev)
                         : dwmtj_step_for(dd, d->key, &d->s0, t, v, &d->s1, &d->ev, 0));
}

int eng_eval_open(dwmtj_circuit *c, int k, double t, double i_in)
{
    eng_dev *d = &c->dev[k];
    return dev_status(c, d, t,
                      dwmtj_step_open(&c->model[d->model].d, d->key, &d->s0, t, i_in, &d->s1,
                                      &d->ev, NULL, 0));
}

int eng_stamp_dev(dwmtj_circuit *c, int k, double t, int dc)
{
    eng_dev *d = &c->dev[k];
    double v[4];
    for (int j = 0; j < 4; j++)
        v[j] = xv(c, d->node[j]);
    int rc = eng_eval_dev(c, k, t, v, dc);
    if (rc != DWMTJ_E_OK)
        return rc;
    for (int a = 0; a < 4; a++)
        if (d->node[a])
            c->f[c->node_row[d->node[a]]] += d->ev.i[a];
    stamp_partials(c, d, dc);
    return DWMTJ_E_OK;
}

/* F(x) and its Jacobian into c->f, c->Ax; the devices step from s0 to t
 * (dc: from a fresh state, static partials).  The groups of blocks that
 * are not factored in this iteration are left out. */
static int load(dwmtj_circuit *c, double t, int dc)
{
    memset(c->Ax, 0, sizeof(double) * (size_t)c->nnz);
    memset(c->f, 0, sizeof(double) * (size_t)c->n_nl);
    for (int r = 0; r < c->n_nl_res; r++) {
        int k = c->nl_res[r], a = c->res[k].a, b = c->res[k].b;
        if (live(c, c->row_group[c->node_row[a ? a : b]]))
            eng_stamp_res(c, k);
    }
    for (int r = 0; r < c->n_nl_vs; r++)
        if (live(c, c->row_group[c->vs[c->nl_vs[r]].row]))
            eng_stamp_vs(c, c->nl_vs[r], t);
    for (int k = 0; k < c->n_bs; k++)
        eng_stamp_bs(c, k);
    for (int k = 0; k < c->n_dev; k++) {
        eng_dev *d = &c->dev[k];
        if (d->group >= 0 && !live(c, d->group))
            continue;
        if (d->group >= 0 && c->group_done[d->group]) {
            stamp_partials(c, d, dc); /* converged: its last partials keep the
                                         block factorable */
            continue;
        }
        int rc = eng_stamp_dev(c, k, t, dc);
        if (rc != DWMTJ_E_OK)
            return rc;
    }
    for (int k = 0; k < c->n_nl; k++)
        if (c->group_done[c->row_group[k]])
            c->f[k] = 0.0; /* no further change there */
    return DWMTJ_E_OK;
}

int eng_bs_eval(dwmtj_circuit *c, int k, double t)
{
    c->bval[k] = eng_expr_eval(c, c->bs[k].e, c->cur);
    return eng_bs_check(c, k, t);
}

int eng_bs_check(dwmtj_circuit *c, int k, double t)
{
    if (!isfinite(c->bval[k]))
        return eng_fail(c, DWMTJ_E_ERR_VALUE, "%s: B source %s: its current is %g A at "
                        "t = %g s", c->bs[k].where, c->bs[k].name, c->bval[k], t);
    return DWMTJ_E_OK;
}

double eng_update(dwmtj_circuit *c, int k)
{
    c->x[k] += c->dx[k];
    double tol = ENG_RELTOL * fabs(c->x[k]) + (k >= c->n_nl_nodes ? ENG_ABSTOL : ENG_VNTOL);
    return fabs(c->dx[k]) / tol;
}

int eng_fail_newton(dwmtj_circuit *c, double t, int worst)
{
    return eng_fail(c, DWMTJ_E_ERR_CONVERGENCE,
                    "no convergence at t = %g s after %d Newton iterations (largest change at "
                    "%s)", t, ENG_NEWTON_MAX, eng_unknown_name(c, KIND_NEWTON, worst));
}

double eng_devices_limit(const dwmtj_circuit *c, const int *dev, int n, double t)
{
    double lim = INFINITY;
    for (int q = 0; q < n; q++) {
        double tn = c->dev[dev ? dev[q] : q].ev.t_next;
        if (tn > t * (1.0 + 1e-12) + 1e-21 && tn < lim)
            lim = tn;
    }
    return lim;
}

double eng_devices_turn(const dwmtj_circuit *c, const int *dev, int n, double t0, double t1,
                        int *cross)
{
    double tol = 1e-9 * c->tstep, first = INFINITY;
    *cross = 0;
    for (int q = 0; q < n; q++) {
        const dwmtj_eval *e = &c->dev[dev ? dev[q] : q].ev;
        for (int k = 0; k < 2; k++) {
            double tt = k ? e->t_cross : e->t_turn;
            if (tt > t0 + tol && tt < t1 - tol && tt < first) {
                first = tt;
                *cross = k;
            }
        }
    }
    return first;
}

void eng_count_turn(dwmtj_circuit *c, int cross)
{
    if (cross)
        c->stats.cross_points++;
    else
        c->stats.turn_points++;
}

int eng_tmax_parts(const dwmtj_circuit *c, double t0, double t1)
{
    int parts = c->tmax > 0.0 ? (int)ceil((t1 - t0) / c->tmax - 1e-9) : 1;
    return parts < 1 ? 1 : parts;
}

double eng_part_end(double t0, double t1, int p, int parts)
{
    return p == parts ? t1 : t0 + (t1 - t0) * p / parts;
}

/* Solves the Newton groups at t; the devices' trial states in s1.  A
 * group is done once its own update is within tolerance (as in ngspice,
 * the states of the last load stand: they differ from the final voltages
 * by less than that); later iterations evaluate only the groups still
 * open.  A neuron whose drive did not change converges on its first
 * solve.  only >= 0: that group alone (the others keep their values and
 * trial states), for locating a comparator's crossing. */
static int newton(dwmtj_circuit *c, double t, int dc, int only)
{
    int n = c->n_nl, worst = 0;
    if (n == 0)
        return DWMTJ_E_OK;
    memset(c->group_done, only >= 0, (size_t)c->n_groups);
    if (only >= 0)
        c->group_done[only] = 0;
    for (int k = 0; k < c->n_bs; k++)
        if (eng_bs_eval(c, k, t) != DWMTJ_E_OK)
            return DWMTJ_E_ERR_VALUE;
    for (int it = 0; it < ENG_NEWTON_MAX; it++) {
        eng_blocks_open(c);
        int rc = load(c, t, dc);
        if (rc != DWMTJ_E_OK)
            return rc;
        c->stats.newton_iterations++;
        /* only the blocks with a group still open are factored and solved */
        if ((rc = eng_blocks_solve(c, c->dx)) != DWMTJ_E_OK)
            return rc;
        int open = 0;
        double most = 0.0;
        for (int b = 0; b < c->n_blk; b++) {
            const eng_block *blk = &c->blk[b];
            if (!blk->solved)
                continue; /* done before this iteration: x stays */
            for (int j = 0; j < blk->n_groups; j++)
                c->group_done[blk->group[j]] = 1;
            for (int i = 0; i < blk->n; i++) {
                int k = blk->row[i];
                double r = eng_update(c, k);
                if (r > 1.0)
                    c->group_done[c->row_group[k]] = 0;
                if (r > most) {
                    most = r;
                    worst = k;
                }
            }
        }
        for (int g = 0; g < c->n_groups; g++)
            open += !c->group_done[g];
        if (!open)
            return DWMTJ_E_OK;
    }
    return eng_fail_newton(c, t, worst);
}

/* The run's first device warning, in the words of the code model's: one
 * that left the safe operating area says which quantity, its value and
 * limit, and when. */
static void first_warning(dwmtj_circuit *c, const eng_dev *d)
{
    const char *unit = "";
    const char *what = d->st == DWMTJ_WARN_SOA ? dwmtj_soa_string(d->s1.soa_what, &unit) : NULL;
    if (what)
        snprintf(c->warning, sizeof c->warning, "%s: at t = %g s: %s: %s %g %s above its limit "
                 "%g %s", d->name, d->s1.soa_t, dwmtj_status_string(d->st), what,
                 d->s1.soa_value, unit, dwmtj_soa_limit(&c->model[d->model].d, d->s1.soa_what),
                 unit);
    else
        snprintf(c->warning, sizeof c->warning, "%s: at t = %g s: %s", d->name, d->s1.t,
                 dwmtj_status_string(d->st));
}

void eng_accept_dev(dwmtj_circuit *c, int k)
{
    eng_dev *d = &c->dev[k];
    d->s0 = d->s1;
    if (d->st > 0 && c->stats.warnings++ == 0)
        first_warning(c, d);
}

static void accept(dwmtj_circuit *c)
{
    for (int k = 0; k < c->n_dev; k++)
        eng_accept_dev(c, k);
}

/* The ascending run r[0..nr) merged into the ascending, duplicate-free
 * acc[0..*na) through tmp (room for *na + nr); exact duplicates once.
 * Returns the merged array (acc or tmp: the other is the new scratch). */
static double *merge_run(double *acc, size_t *na, const double *r, size_t nr, double *tmp)
{
    size_t i = 0, j = 0, k = 0;
    while (i < *na || j < nr) {
        double x = j >= nr || (i < *na && acc[i] <= r[j]) ? acc[i++] : r[j++];
        if (k == 0 || x != tmp[k - 1])
            tmp[k++] = x;
    }
    *na = k;
    return tmp;
}

/* Corners of the sources, clock edges of the devices, tstop: sorted,
 * near-duplicates merged.  The sources' corners ascend in each source, and
 * most sources share them (the clock edges): merging each into the union
 * costs the union's length per source, where sorting all of them cost
 * about a sixth of a run of the network's first layer. */
int eng_grid(dwmtj_circuit *c, double **out, int *n_out)
{
    double need = 1.0;
    for (int s = 0; s < c->n_vs; s++)
        need += c->vs[s].n;
    for (int m = 0; m < c->n_model; m++)
        if (c->model[m].d.p.t_rewrite > 0.0)
            need += c->tstop / c->model[m].d.p.t_rewrite + 2.0;
    if (need > (double)eng_point_limit(c))
        return eng_too_long(c, 0.0, need);
    size_t n = (size_t)need;
    double *g = malloc(sizeof(double) * n), *tmp = malloc(sizeof(double) * n);
    double *edges = malloc(sizeof(double) * n);
    if (!g || !tmp || !edges) {
        free(g);
        free(tmp);
        free(edges);
        return DWMTJ_E_ERR_NOMEM;
    }
    size_t k = 0; /* the union so far, in g; the PWL times increase (eng_read) */
    for (int m = 0; m < c->n_model; m++) {
        double tr = c->model[m].d.p.t_rewrite;
        size_t nr = 0;
        if (tr > 0.0)
            for (long e = 1; e * tr < c->tstop && nr < n - 1; e++)
                edges[nr++] = (double)e * tr;
        double *r = merge_run(g, &k, edges, nr, tmp);
        tmp = g;
        g = r;
    }
    free(edges);
    for (int s = 0; s < c->n_vs; s++) {
        const eng_vsrc *v = &c->vs[s];
        int a = 0, b = v->n;
        while (a < b && !(v->t[a] > 0.0))
            a++;
        while (b > a && !(v->t[b - 1] < c->tstop))
            b--;
        double *r = merge_run(g, &k, v->t + a, (size_t)(b - a), tmp);
        tmp = g;
        g = r;
    }
    double last = c->tstop;
    double *r = merge_run(g, &k, &last, 1, tmp);
    tmp = g;
    g = r;
    free(tmp);
    double tol = 1e-9 * c->tstep;
    size_t m = 0;
    for (size_t j = 0; j < k; j++)
        if (m == 0 || g[j] - g[m - 1] > tol)
            g[m++] = g[j];
        else if (j == k - 1)
            g[m - 1] = c->tstop;
    *out = g;
    *n_out = (int)m;
    return DWMTJ_E_OK;
}

/* Earliest next time point the devices ask for: libdwmtj's policy
 * (dwmtj_eval.t_next), the breakpoints the code model sets in ngspice. */
static double device_limit(const dwmtj_circuit *c, double t)
{
    return eng_devices_limit(c, c->sc->dev, ENG_SC_N(c, dev), t);
}

/* The linear outputs and controlling currents at t on the piece
 * [c->ta, c->tb] (linear on it). */
static void interp(dwmtj_circuit *c, double t)
{
    double f = c->tb > c->ta ? (t - c->ta) / (c->tb - c->ta) : 1.0;
    for (int q = 0; q < ENG_SC_N(c, out); q++) {
        int o = ENG_SC_AT(c, out, q);
        c->yt[o] = f >= 1.0 ? c->y1[o] : c->y0[o] + f * (c->y1[o] - c->y0[o]);
    }
    controls(c, c->yt, c->cur);
}

/* A trial solution at t from the accepted states. */
static int solve(dwmtj_circuit *c, double t, int only)
{
    interp(c, t);
    double t0 = eng_wall_s();
    int rc = c->sc->group >= 0 ? eng_part_newton(c, c->sc->group, t) : newton(c, t, 0, only);
    c->stats.seconds_newton += eng_wall_s() - t0;
    return rc;
}

/* The trial solution at t becomes the accepted point. */
static int take(dwmtj_circuit *c, double t)
{
    int g = c->sc->group;
    if (g < 0)
        accept(c);
    c->t_acc = t;
    for (int q = 0; q < ENG_SC_N(c, u); q++) {
        eng_u *u = &c->u[ENG_SC_AT(c, u, q)];
        if (u->kind == U_NEWTON)
            u->arg0 = eng_u_arg(c, u, t);
    }
    return g < 0 ? record(c, t) : eng_part_take(c, g, t);
}

/* 1 when comparator u's argument a says it changes: beyond the Newton
 * tolerance of the node voltages (within it the sign is the solver's
 * rounding: a neuron that rests on its threshold would chatter). */
static int changes(const eng_u *u, double a)
{
    return (a > 0.0) != (u->state != 0) && fabs(a) > ENG_VNTOL;
}

/* Events at t: the logic settles; while it changed what the Newton groups
 * see (or a logic output, which its vectors show), a zero-length point at
 * t with the new circuit (the devices' states are continuous, their
 * terminal voltages jump), and the comparators read again. */
static int cascade(dwmtj_circuit *c, double t)
{
    for (int it = 0; it < CASCADE_MAX; it++) {
        int ch = eng_logic_settle(c, t);
        if (ch <= 0)
            return ch;
        int rc = solve(c, t, -1);
        if (rc == DWMTJ_E_OK)
            rc = take(c, t);
        if (rc != DWMTJ_E_OK)
            return rc;
        int flips = 0;
        for (int q = 0; q < ENG_SC_N(c, u); q++) {
            eng_u *u = &c->u[ENG_SC_AT(c, u, q)];
            if (u->kind == U_NEWTON && changes(u, u->arg0)) {
                u->state = !u->state;
                flips++;
            }
        }
        if (!flips)
            return DWMTJ_E_OK;
    }
    return eng_fail(c, DWMTJ_E_ERR_CONVERGENCE,
                    "%s: the logic chatters at t = %g s: %d changes at one instant (a "
                    "comparator flipped back by what its own change did)",
                    c->name, t, CASCADE_MAX);
}

/* The instant in (c->t_acc, thi] at which comparator u changes, to
 * EVENT_TOL: regula falsi (Illinois) on its argument, each trial re-solving
 * its group from the accepted states; the trial solution at thi is in c. */
static int locate(dwmtj_circuit *c, eng_u *u, double thi, double *tc)
{
    double tlo = c->t_acc, flo = u->arg0, fhi = eng_u_arg(c, u, thi);
    int side = 0, rc = DWMTJ_E_OK;
    *tc = thi;
    if ((flo > 0.0) == (fhi > 0.0)) {
        *tc = tlo; /* it had changed already (a forced flip within noise) */
        return rc;
    }
    for (int it = 0; it < 200 && thi - tlo > EVENT_TOL; it++) {
        double tm = thi - fhi * (thi - tlo) / (fhi - flo);
        if (!(tm > tlo && tm < thi))
            tm = 0.5 * (tlo + thi);
        if ((rc = solve(c, tm, u->group)) != DWMTJ_E_OK)
            return rc;
        double fm = eng_u_arg(c, u, tm);
        if ((fm > 0.0) == (fhi > 0.0)) {
            thi = tm;
            fhi = fm;
            if (side == 1)
                flo *= 0.5;
            side = 1;
        } else {
            tlo = tm;
            flo = fm;
            if (side == -1)
                fhi *= 0.5;
            side = -1;
        }
    }
    *tc = thi;
    return rc;
}

/* With exact steps, the earliest turn of a device's domain inside
 * (c->t_acc, t) that the trial states report (dwmtj_eval.t_turn: an MTJ's
 * window entered and left on the turn, which the comparator reading MTJ_B
 * would see and the step does not count), or wall crossing (t_cross: the
 * velocity steps there); +inf if none; *cross: 1 for a crossing. */
static double turn_before(const dwmtj_circuit *c, double t, int *cross)
{
    *cross = 0;
    if (c->steps == DWMTJ_E_STEPS_NGSPICE)
        return INFINITY; /* ngspice's points have none: the code model sets none */
    return eng_devices_turn(c, c->sc->dev, ENG_SC_N(c, dev), c->t_acc, t, cross);
}

/* An accepted point at next, at the first device turn before it, or at
 * the first comparator crossing before that (*reached); sched: next is an
 * event of the one-shots or sources. */
static int advance(dwmtj_circuit *c, double next, int sched, double *reached)
{
    *reached = next;
    int rc = solve(c, next, -1);
    if (rc != DWMTJ_E_OK)
        return rc;
    int cross;
    double tt = turn_before(c, next, &cross);
    if (tt < next) {
        next = *reached = tt;
        sched = 0;
        eng_count_turn(c, cross);
        if ((rc = solve(c, next, -1)) != DWMTJ_E_OK)
            return rc;
    }
    int first = -1;
    double tc = next;
    for (int q = 0; q < ENG_SC_N(c, u) && c->n_un; q++) {
        int k = ENG_SC_AT(c, u, q);
        eng_u *u = &c->u[k];
        if (u->kind != U_NEWTON || !changes(u, eng_u_arg(c, u, next)))
            continue;
        if (first >= 0) /* the searches of other groups left c's solution */
            rc = solve(c, next, u->group);
        double tk;
        if (rc == DWMTJ_E_OK)
            rc = locate(c, u, next, &tk);
        if (rc != DWMTJ_E_OK)
            return rc;
        if (first < 0 || tk < tc) {
            tc = tk;
            first = k;
        }
    }
    if (first < 0) {
        rc = take(c, next);
        if (rc == DWMTJ_E_OK && sched) {
            eng_logic_flip_due(c, next);
            rc = cascade(c, next);
        }
        return rc;
    }
    *reached = tc;
    if ((rc = solve(c, tc, -1)) != DWMTJ_E_OK || (rc = take(c, tc)) != DWMTJ_E_OK)
        return rc;
    /* the located one changes here whatever its argument's last digits say;
     * the others if they have crossed too */
    for (int q = 0; q < ENG_SC_N(c, u); q++) {
        int k = ENG_SC_AT(c, u, q);
        eng_u *u = &c->u[k];
        if (k == first || (u->kind == U_NEWTON && changes(u, u->arg0)))
            u->state = !u->state;
    }
    if (sched && tc >= next)
        eng_logic_flip_due(c, next);
    return cascade(c, tc);
}

/* From the accepted point at *t to a point at next, with a point at every
 * event of the logic on the way and the points the devices ask for after
 * one. */
static int reach(dwmtj_circuit *c, double next, double *t)
{
    int rc = DWMTJ_E_OK, due = 0;
    while (rc == DWMTJ_E_OK && *t < next) {
        double target = next, te = ENG_SC_N(c, u) ? eng_logic_next(c, *t) : INFINITY;
        int sched = te <= next;
        if (sched)
            target = te;
        if (target <= *t) {
            if (++due > CASCADE_MAX)
                return eng_fail(c, DWMTJ_E_ERR_CONVERGENCE, "%s: the logic does not settle at "
                                "t = %g s", c->name, *t);
            eng_logic_flip_due(c, *t);
            rc = cascade(c, *t);
            continue;
        }
        double lim = device_limit(c, *t);
        if (lim < target && lim > *t + 1e-9 * c->tstep) {
            target = lim;
            sched = 0;
        }
        rc = advance(c, target, sched, t);
    }
    return rc;
}

/* ngspice's time-step control for a circuit without charge storage
 * (dctran.c: no truncation error, so each step doubles the last, up to
 * the step limit; at a breakpoint the next step starts from a tenth of
 * the smaller of the step cut short there and the gap to the next one,
 * and from a further tenth at t = 0; a step that would pass a breakpoint
 * or a device's breakpoint ends on it). */
static int steps_ngspice(dwmtj_circuit *c, const double *g, int ng)
{
    double hmax = c->tmax > 0.0 ? c->tmax : fmin(c->tstep, c->tstop / 50.0);
    double t = 0.0, delta = fmin(c->tstop / 100.0, c->tstep) / 10.0, save = c->tstop / 50.0;
    double t_prev = 0.0; /* the last breakpoint passed */
    int bi = 0, at_break = 1, first = 1, rc = DWMTJ_E_OK;
    lin_outputs(c, g[0], c->y1);
    c->ta = 0.0;
    c->tb = g[0];
    while (bi < ng && rc == DWMTJ_E_OK) {
        if (at_break) {
            delta = fmin(delta, 0.1 * fmin(save, g[bi] - t));
            if (first)
                delta /= 10.0;
        }
        int hit = 0;
        if (t + delta >= g[bi]) {
            save = delta;
            delta = g[bi] - t;
            hit = 1;
        }
        double lim = device_limit(c, t);
        if (lim < t + delta && lim > t + 1e-9 * c->tstep) {
            save = delta;
            delta = lim - t;
            hit = 0;
        }
        double next = hit ? g[bi] : t + delta;
        rc = reach(c, next, &t);
        t = next;
        if (!first)
            delta = fmin(2.0 * delta, hmax);
        first = 0;
        at_break = hit;
        if (hit) {
            t_prev = g[bi];
            memcpy(c->y0, c->y1, sizeof(double) * (size_t)(c->n_out > 0 ? c->n_out : 1));
            if (++bi < ng)
                lin_outputs(c, g[bi], c->y1);
            c->ta = t_prev;
            c->tb = bi < ng ? g[bi] : t_prev;
        }
    }
    return rc;
}

int eng_piece_steps(dwmtj_circuit *c, double ta, double tb, double *tp)
{
    double t = *tp;
    int nk = 0, rc = DWMTJ_E_OK;
    controls(c, c->y0, c->cur0);
    controls(c, c->y1, c->cur1);
    for (int q = 0; q < ENG_SC_N(c, bs); q++)
        nk += eng_expr_kinks(c, c->bs[ENG_SC_AT(c, bs, q)].e, c->cur0, c->cur1, c->n_vs,
                             c->kink + nk, 32);
    qsort(c->kink, (size_t)nk, sizeof(double), eng_cmp_double);
    c->ta = ta;
    c->tb = tb;
    for (int j = 0; j <= nk && rc == DWMTJ_E_OK; j++) {
        double target = j < nk ? ta + c->kink[j] * (tb - ta) : tb;
        if (target - t <= 1e-9 * c->tstep && j < nk)
            continue; /* coincides with the last point */
        while (rc == DWMTJ_E_OK && t < target) {
            double next = target, lim = device_limit(c, t);
            if (lim < next && lim > t + 1e-9 * c->tstep)
                next = lim;
            rc = reach(c, next, &t);
            t = next;
        }
    }
    *tp = tb;
    return rc;
}

/* Exact steps: the corners, clock edges and tmax parts, and inside each
 * interval the instants at which a B source's min()/max() switches, so
 * that the drive between points is exactly linear. */
static int steps_exact(dwmtj_circuit *c, const double *g, int ng)
{
    double t = 0.0;
    int rc = DWMTJ_E_OK;
    for (int k = 0; k < ng && rc == DWMTJ_E_OK; k++) {
        double end = g[k];
        int parts = eng_tmax_parts(c, t, end);
        double t_start = t;
        for (int p = 1; p <= parts && rc == DWMTJ_E_OK; p++) {
            double ta = t, tb = eng_part_end(t_start, end, p, parts);
            lin_outputs(c, tb, c->y1);
            rc = eng_piece_steps(c, ta, tb, &t);
            memcpy(c->y0, c->y1, sizeof(double) * (size_t)(c->n_out > 0 ? c->n_out : 1));
        }
    }
    return rc;
}

int eng_run(dwmtj_circuit *c)
{
    c->n_time = 0;
    c->all = (eng_scope){ .group = -1 };
    c->sc = &c->all;
    c->deadline = c->timeout_s > 0.0 ? eng_wall_s() + c->timeout_s : 0.0;
    /* the steps are at most tmax (ngspice's limit) long: refuse a run
     * that cannot fit before it starts */
    double hmax = c->tmax > 0.0 ? c->tmax : fmin(c->tstep, c->tstop / 50.0);
    if ((c->steps == DWMTJ_E_STEPS_NGSPICE || c->tmax > 0.0) &&
        c->tstop / hmax > (double)eng_point_limit(c))
        return eng_too_long(c, 0.0, c->tstop / hmax);
    for (int k = 0; k < c->n_vec; k++)
        c->vec[k].n = 0;
    for (int g = 0; g < c->n_part; g++)
        c->part[g].n_time = 0;
    c->stats.time_points = c->stats.newton_iterations = c->stats.refactors = 0;
    c->stats.turn_points = 0;
    c->stats.cross_points = 0;
    c->stats.seconds_linear = c->stats.seconds_newton = 0.0;
    c->stats.warnings = c->n_model_warnings;
    snprintf(c->warning, sizeof c->warning, "%s", c->model_warning);
    for (int k = 0; k < c->n_nl; k++)
        c->x[k] = 0.0;
    /* operating point at t = 0 */
    lin_outputs(c, 0.0, c->y0);
    memcpy(c->yt, c->y0, sizeof(double) * (size_t)(c->n_out > 0 ? c->n_out : 1));
    controls(c, c->y0, c->cur);
    int rc = newton(c, 0.0, 1, -1);
    if (rc != DWMTJ_E_OK)
        return rc;
    if (c->n_u || c->n_sw) {
        /* the logic at the operating point: until the logic, the switches,
         * the one-shots' DC values and the comparators agree */
        eng_logic_start(c, 1);
        for (int it = 0;; it++) {
            int ch = eng_logic_settle(c, 0.0);
            if (ch < 0)
                return ch;
            int st = eng_logic_start(c, 0);
            if (!ch && !st)
                break;
            if (it > CASCADE_MAX)
                return eng_fail(c, DWMTJ_E_ERR_CONVERGENCE, "%s: the logic of the operating "
                                "point does not settle", c->name);
            if ((rc = newton(c, 0.0, 1, -1)) != DWMTJ_E_OK)
                return rc;
        }
    }
    accept(c);
    c->t_acc = 0.0;
    for (int k = 0; k < c->n_dev; k++)
        c->dev[k].ev.t_next = INFINITY; /* ngspice drops the operating point's breakpoints */
    if ((rc = record(c, 0.0)) != DWMTJ_E_OK)
        return rc;
    double *g = NULL;
    int ng = 0;
    if ((rc = eng_grid(c, &g, &ng)) != DWMTJ_E_OK)
        return rc;
    c->stats.groups_split = c->steps == DWMTJ_E_STEPS_NEURON ? c->n_part : 0;
    c->stats.groups_open = 0;
    for (int k = 0; k < c->n_part && c->stats.groups_split; k++)
        c->stats.groups_open += c->part[k].open;
    c->stats.groups_folded = c->stats.groups_split && c->fmap ? c->n_part : 0;
    if (c->stats.groups_split)
        rc = eng_parts_run(c, g, ng);
    else
        rc = c->steps == DWMTJ_E_STEPS_NGSPICE ? steps_ngspice(c, g, ng) : steps_exact(c, g, ng);
    free(g);
    return rc;
}
