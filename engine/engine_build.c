/* Groups, the linear groups' map and the Newton matrix's pattern
 * (dwmtj_engine.h). */
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGSPICE_HINT "; run this circuit with --backend ngspice"

double eng_vs_value(const eng_vsrc *s, double t)
{
    if (t <= s->t[0])
        return s->v[0];
    if (t >= s->t[s->n - 1])
        return s->v[s->n - 1];
    int lo = 0, hi = s->n - 1; /* t[lo] < t <= t[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (s->t[mid] < t)
            lo = mid;
        else
            hi = mid;
    }
    double f = (t - s->t[lo]) / (s->t[hi] - s->t[lo]);
    return s->v[lo] + f * (s->v[hi] - s->v[lo]);
}

static int find(int *up, int a)
{
    while (up[a] != a) {
        up[a] = up[up[a]];
        a = up[a];
    }
    return a;
}

static void join(int *up, int a, int b)
{
    if (a == 0 || b == 0)
        return; /* ground joins nothing */
    a = find(up, a);
    b = find(up, b);
    if (a != b)
        up[a] = b;
}

/* A sparse pattern built from (row, col) pairs, then compressed. */
typedef struct {
    int n, m, cap; /* order, pairs */
    int *r, *c;
} pattern;

static int pat_add(pattern *p, int r, int c)
{
    if (r < 0 || c < 0)
        return 0;
    if (p->m == p->cap) {
        int cap = p->cap ? 2 * p->cap : 1024;
        int *nr = realloc(p->r, sizeof(int) * (size_t)cap);
        if (!nr)
            return -1;
        p->r = nr;
        int *nc = realloc(p->c, sizeof(int) * (size_t)cap);
        if (!nc)
            return -1;
        p->c = nc;
        p->cap = cap;
    }
    p->r[p->m] = r;
    p->c[p->m++] = c;
    return 0;
}

/* Compressed column form with duplicates merged. */
static int pat_compress(const pattern *p, int **Ap, int **Ai, int *nnz)
{
    int n = p->n;
    int *cnt = calloc((size_t)n + 1, sizeof(int));
    int *tmp = malloc(sizeof(int) * (size_t)(p->m > 0 ? p->m : 1));
    int *ap = calloc((size_t)n + 1, sizeof(int));
    int *mark = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (!cnt || !tmp || !ap || !mark) {
        free(cnt);
        free(tmp);
        free(ap);
        free(mark);
        return -1;
    }
    for (int k = 0; k < p->m; k++)
        cnt[p->c[k] + 1]++;
    for (int j = 0; j < n; j++)
        cnt[j + 1] += cnt[j];
    int *next = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (!next) {
        free(cnt);
        free(tmp);
        free(ap);
        free(mark);
        return -1;
    }
    memcpy(next, cnt, sizeof(int) * (size_t)n);
    for (int k = 0; k < p->m; k++)
        tmp[next[p->c[k]]++] = p->r[k];
    /* merge duplicates and sort rows within each column */
    for (int j = 0; j < n; j++)
        mark[j] = -1;
    int out = 0;
    for (int j = 0; j < n; j++) {
        int start = out;
        for (int k = cnt[j]; k < cnt[j + 1]; k++)
            if (mark[tmp[k]] != j) {
                mark[tmp[k]] = j;
                tmp[out++] = tmp[k];
            }
        /* insertion sort: columns are short */
        for (int a = start + 1; a < out; a++) {
            int v = tmp[a], b = a - 1;
            while (b >= start && tmp[b] > v) {
                tmp[b + 1] = tmp[b];
                b--;
            }
            tmp[b + 1] = v;
        }
        ap[j + 1] = out;
    }
    free(cnt);
    free(mark);
    free(next);
    *Ap = ap;
    *Ai = tmp;
    *nnz = out;
    return 0;
}

/* Position of (r, c) in the compressed pattern, -1 for a ground row or
 * column. */
static int pos_of(const int *Ap, const int *Ai, int r, int c)
{
    if (r < 0 || c < 0)
        return -1;
    int lo = Ap[c], hi = Ap[c + 1] - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (Ai[mid] == r)
            return mid;
        if (Ai[mid] < r)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Name of unknown k of a matrix: its node, or the branch of a source. */
const char *eng_unknown_name(const dwmtj_circuit *c, int kind, int k)
{
    for (int i = 1; i < c->n_nodes; i++)
        if (c->node_kind[i] == kind && c->node_row[i] == k)
            return c->node_name[i];
    for (int s = 0; s < c->n_vs; s++)
        if (c->node_kind[c->vs[s].p ? c->vs[s].p : c->vs[s].m] == kind && c->vs[s].row == k)
            return c->vs[s].name;
    return "?";
}

int eng_fail_singular(dwmtj_circuit *c, int kind, const char *why, int unknown)
{
    return eng_fail(c, DWMTJ_E_ERR_SINGULAR,
                    "singular %s matrix (%s) at unknown %s: a node without a path to ground "
                    "or a loop of voltage sources",
                    kind == KIND_LIN ? "crossbar" : "neuron", why,
                    unknown >= 0 ? eng_unknown_name(c, kind, unknown) : "?");
}

int eng_fail_ill(dwmtj_circuit *c, int kind, double rcond, int unknown)
{
    return eng_fail(c, DWMTJ_E_ERR_SINGULAR,
                    "ill-conditioned %s matrix (rcond %.3g < %g) near unknown %s",
                    kind == KIND_LIN ? "crossbar" : "neuron", rcond, ENG_RCOND_MIN,
                    eng_unknown_name(c, kind, unknown));
}

/* Factors (Ap, Ai, Ax) into *num; a singular or ill-conditioned matrix is
 * an error naming the node of the weakest pivot. */
int eng_factor(dwmtj_circuit *c, int kind, int n, int *Ap, int *Ai, double *Ax,
               klu_symbolic *sym, klu_numeric **num, int refactor, int scale,
               const int *unknown)
{
    klu_common *cm = &c->common;
    /* rows that mix conductances with a source's unit entries are scaled
     * for pivoting; blocks of conductances only (the neurons) need not be,
     * and scaling them at every Newton iteration costs ~8 % of a run */
    cm->scale = scale;
    int ok = refactor && *num ? klu_refactor(Ap, Ai, Ax, sym, *num, cm) : 0;
    if (!ok) {
        if (*num)
            klu_free_numeric(num, cm);
        *num = klu_factor(Ap, Ai, Ax, sym, cm);
    }
    if (!*num || cm->status == KLU_SINGULAR) {
        int col = cm->singular_col >= 0 && cm->singular_col < n ? (int)cm->singular_col : -1;
        char why[32];
        snprintf(why, sizeof why, "KLU status %d", cm->status);
        return eng_fail_singular(c, kind, why, col >= 0 && unknown ? unknown[col] : col);
    }
    if (!klu_rcond(sym, *num, cm) || cm->rcond < ENG_RCOND_MIN) {
        /* the weakest pivot names the place */
        int worst = 0;
        double wv = INFINITY;
        for (int k = 0; k < n; k++) {
            double d = fabs(((const double *)(*num)->Udiag)[k]);
            if (d < wv) {
                wv = d;
                worst = k;
            }
        }
        return eng_fail_ill(c, kind, cm->rcond,
                            unknown ? unknown[sym->Q[worst]] : (int)sym->Q[worst]);
    }
    return DWMTJ_E_OK;
}

static int groups(dwmtj_circuit *c)
{
    int n = c->n_nodes;
    int *up = malloc(sizeof(int) * (size_t)n);
    c->node_group = malloc(sizeof(int) * (size_t)n);
    c->node_kind = calloc((size_t)n, sizeof(int));
    c->node_row = malloc(sizeof(int) * (size_t)n);
    c->mon_dev = malloc(sizeof(int) * (size_t)n);
    c->mon_k = malloc(sizeof(int) * (size_t)n);
    int *newton = calloc((size_t)n, sizeof(int)); /* per root */
    int *used = calloc((size_t)n, sizeof(int));
    if (!up || !c->node_group || !c->node_kind || !c->node_row || !c->mon_dev || !c->mon_k ||
        !newton || !used) {
        free(up);
        free(newton);
        free(used);
        return DWMTJ_E_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        up[i] = i;
        c->node_row[i] = -1;
        c->mon_dev[i] = -1;
    }
    for (int k = 0; k < c->n_res; k++) {
        join(up, c->res[k].a, c->res[k].b);
        used[c->res[k].a] = used[c->res[k].b] = 1;
    }
    for (int k = 0; k < c->n_vs; k++) {
        join(up, c->vs[k].p, c->vs[k].m);
        used[c->vs[k].p] = used[c->vs[k].m] = 1;
    }
    for (int k = 0; k < c->n_dev; k++)
        for (int j = 0; j < 4; j++) {
            join(up, c->dev[k].node[0], c->dev[k].node[j]);
            used[c->dev[k].node[j]] = 1;
        }
    for (int k = 0; k < c->n_bs; k++)
        used[c->bs[k].p] = used[c->bs[k].m] = 1;
    int rc = DWMTJ_E_OK;
    for (int k = 0; k < c->n_dev && rc == DWMTJ_E_OK; k++)
        for (int j = 0; j < c->dev[k].n_mon; j++) {
            int m = c->dev[k].mon[j];
            if (m == 0 || used[m] || c->mon_dev[m] >= 0) {
                rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                              "%s: A element %s: monitor node %s is also driven by another "
                              "element (or is ground)" NGSPICE_HINT,
                              c->dev[k].where, c->dev[k].name, c->node_name[m]);
                break;
            }
            c->mon_dev[m] = k;
            c->mon_k[m] = j;
        }
    for (int k = 0; k < c->n_dev; k++)
        for (int j = 0; j < 4; j++)
            if (c->dev[k].node[j])
                newton[find(up, c->dev[k].node[j])] = 1;
    for (int k = 0; k < c->n_bs; k++) {
        if (c->bs[k].p)
            newton[find(up, c->bs[k].p)] = 1;
        if (c->bs[k].m)
            newton[find(up, c->bs[k].m)] = 1;
    }
    for (int i = 1; i < n; i++) {
        c->node_group[i] = find(up, i);
        c->node_kind[i] = c->mon_dev[i] >= 0 ? KIND_MON : !used[i] ? KIND_NONE
                          : newton[c->node_group[i]] ? KIND_NEWTON : KIND_LIN;
    }
    c->node_group[0] = -1;
    free(up);
    free(newton);
    free(used);
    return rc;
}

/* The B sources' controls must come from the linear groups. */
static int check_controls(dwmtj_circuit *c, const eng_expr *e, const eng_bsrc *b)
{
    if (!e)
        return DWMTJ_E_OK;
    if (e->op == X_CUR) {
        const eng_vsrc *s = &c->vs[e->src];
        int node = s->p ? s->p : s->m;
        if (c->node_kind[node] != KIND_LIN)
            return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                            "%s: B source %s: controlled by i(%s), which is not in a "
                            "resistor-and-source network that no B source drives; the klu "
                            "backend supports crossbar -> periphery -> neuron" NGSPICE_HINT,
                            b->where, b->name, s->name);
    }
    int rc = check_controls(c, e->a, b);
    return rc ? rc : check_controls(c, e->b, b);
}

static void mark_outputs(dwmtj_circuit *c, const eng_expr *e)
{
    if (!e)
        return;
    if (e->op == X_CUR && c->vs[e->src].out < 0)
        c->vs[e->src].out = c->n_out++;
    mark_outputs(c, e->a);
    mark_outputs(c, e->b);
}

static int vec_add(dwmtj_circuit *c, const char *name, int node)
{
    eng_vec *v = &c->vec[c->n_vec];
    memset(v, 0, sizeof *v);
    if (!(v->name = strdup(name)))
        return DWMTJ_E_ERR_NOMEM;
    v->node = node;
    v->axis = -1;
    c->n_vec++;
    return DWMTJ_E_OK;
}

static int vec_cmp(const void *a, const void *b)
{
    const eng_vec_name *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : (x->k > y->k) - (x->k < y->k);
}

/* c->vec_by_name, for looking a vector up by name (dwmtj_engine_vector:
 * a harness reads hundreds per run) in log time. */
static int vec_index(dwmtj_circuit *c)
{
    free(c->vec_by_name);
    c->vec_by_name = malloc(sizeof *c->vec_by_name * (size_t)(c->n_vec > 0 ? c->n_vec : 1));
    if (!c->vec_by_name)
        return DWMTJ_E_ERR_NOMEM;
    for (int k = 0; k < c->n_vec; k++)
        c->vec_by_name[k] = (eng_vec_name){ c->vec[k].name, k };
    qsort(c->vec_by_name, (size_t)c->n_vec, sizeof *c->vec_by_name, vec_cmp);
    return DWMTJ_E_OK;
}

/* The saved vectors and where their values come from. */
static int saves(dwmtj_circuit *c, int *node_out)
{
    int cap = c->n_save ? c->n_save : c->n_nodes;
    c->vec = calloc((size_t)(cap > 0 ? cap : 1), sizeof *c->vec);
    if (!c->vec)
        return DWMTJ_E_ERR_NOMEM;
    int rc = DWMTJ_E_OK;
    if (c->n_save) {
        for (int k = 0; k < c->n_save && rc == DWMTJ_E_OK; k++) {
            size_t len = strlen(c->save[k]);
            if (len > 7 && strcmp(c->save[k] + len - 7, "#branch") == 0) {
                /* a voltage source's current, as ngspice names it */
                char src[300];
                snprintf(src, sizeof src, "%.*s", (int)len - 7, c->save[k]);
                int s = 0;
                while (s < c->n_vs && strcmp(c->vs[s].name, src) != 0)
                    s++;
                if (s == c->n_vs)
                    return eng_fail(c, DWMTJ_E_ERR_VECTOR, ".save %s: no voltage source %s in "
                                    "the circuit", c->save[k], src);
                if ((rc = vec_add(c, c->save[k], 0)) != DWMTJ_E_OK)
                    return rc;
                eng_vec *v = &c->vec[c->n_vec - 1];
                int node = c->vs[s].p ? c->vs[s].p : c->vs[s].m;
                v->kind = c->node_kind[node] == KIND_LIN ? VEC_BRANCH_LIN : VEC_BRANCH_NEWTON;
                v->idx = s;
                if (v->kind == VEC_BRANCH_LIN && c->vs[s].out < 0)
                    c->vs[s].out = c->n_out++;
                continue;
            }
            char node[300];
            snprintf(node, sizeof node, "%.*s", (int)strlen(c->save[k]) - 3, c->save[k] + 2);
            int i = eng_find_node(c, node);
            if (i <= 0 || c->node_kind[i] == KIND_NONE)
                return eng_fail(c, DWMTJ_E_ERR_VECTOR, ".save %s: no such node in the circuit",
                                c->save[k]);
            rc = vec_add(c, c->save[k], i);
        }
    } else {
        for (int i = 1; i < c->n_nodes && rc == DWMTJ_E_OK; i++)
            if (c->node_kind[i] == KIND_MON || c->node_kind[i] == KIND_NEWTON) {
                char name[300];
                snprintf(name, sizeof name, "v(%s)", c->node_name[i]);
                rc = vec_add(c, name, i);
            }
    }
    for (int k = 0; k < c->n_vec && rc == DWMTJ_E_OK; k++) {
        eng_vec *v = &c->vec[k];
        if (v->kind >= VEC_BRANCH_NEWTON)
            continue;
        v->kind = c->node_kind[v->node];
        if (v->kind == KIND_MON) {
            v->idx = c->mon_dev[v->node];
            const eng_dev *d = &c->dev[v->idx];
            int j = c->mon_k[v->node];
            const eng_model *m = &c->model[d->model];
            v->slot = j < m->n_sel ? m->sel[j] : -1; /* more nodes than monitors: 0 V */
        } else if (v->kind == KIND_LIN) {
            if (node_out[v->node] < 0)
                node_out[v->node] = c->n_out++;
            v->idx = node_out[v->node];
        }
    }
    return rc == DWMTJ_E_OK ? vec_index(c) : rc;
}

/* The linear groups: factor once, then the map from their sources to the
 * outputs, one KLU solve per source (in blocks of right-hand sides). */
static int linear_map(dwmtj_circuit *c, const int *node_out)
{
    int n = 0;
    for (int i = 1; i < c->n_nodes; i++)
        if (c->node_kind[i] == KIND_LIN)
            c->node_row[i] = n++;
    c->n_lin_src = 0;
    for (int s = 0; s < c->n_vs; s++) {
        int node = c->vs[s].p ? c->vs[s].p : c->vs[s].m;
        if (node == 0)
            return eng_fail(c, DWMTJ_E_ERR_SINGULAR, "%s: voltage source %s: both ends "
                            "on ground", c->vs[s].where, c->vs[s].name);
        if (c->node_kind[node] == KIND_LIN) {
            c->vs[s].row = n++;
            c->vs[s].lin_index = c->n_lin_src++;
        }
    }
    c->n_lin = n;
    c->stats.unknowns_linear = n;
    c->stats.linear_sources = c->n_lin_src;
    c->stats.linear_outputs = c->n_out;
    if (n == 0)
        return DWMTJ_E_OK;
    c->lin_src = malloc(sizeof(int) * (size_t)c->n_lin_src);
    c->out_row = malloc(sizeof(int) * (size_t)(c->n_out > 0 ? c->n_out : 1));
    if (!c->lin_src || !c->out_row)
        return DWMTJ_E_ERR_NOMEM;
    for (int s = 0; s < c->n_vs; s++) {
        if (c->vs[s].lin_index >= 0)
            c->lin_src[c->vs[s].lin_index] = s;
        if (c->vs[s].out >= 0)
            c->out_row[c->vs[s].out] = c->vs[s].row;
    }
    for (int i = 1; i < c->n_nodes; i++)
        if (node_out[i] >= 0)
            c->out_row[node_out[i]] = c->node_row[i];
    pattern p = { .n = n };
    int bad = 0;
    for (int k = 0; k < c->n_res; k++) {
        int a = c->res[k].a, b = c->res[k].b;
        int kind = c->node_kind[a ? a : b];
        if (kind != KIND_LIN)
            continue;
        int ra = a ? c->node_row[a] : -1, rb = b ? c->node_row[b] : -1;
        bad |= pat_add(&p, ra, ra) | pat_add(&p, ra, rb) | pat_add(&p, rb, ra) |
               pat_add(&p, rb, rb);
    }
    for (int s = 0; s < c->n_vs; s++) {
        if (c->vs[s].lin_index < 0)
            continue;
        int rp = c->vs[s].p ? c->node_row[c->vs[s].p] : -1;
        int rm = c->vs[s].m ? c->node_row[c->vs[s].m] : -1, br = c->vs[s].row;
        bad |= pat_add(&p, rp, br) | pat_add(&p, rm, br) | pat_add(&p, br, rp) |
               pat_add(&p, br, rm);
    }
    int *Ap = NULL, *Ai = NULL, nnz = 0, rc = DWMTJ_E_OK;
    double *Ax = NULL, *rhs = NULL;
    klu_symbolic *sym = NULL;
    klu_numeric *num = NULL;
    if (bad || pat_compress(&p, &Ap, &Ai, &nnz) != 0 ||
        !(Ax = calloc((size_t)(nnz > 0 ? nnz : 1), sizeof(double)))) {
        rc = DWMTJ_E_ERR_NOMEM;
        goto done;
    }
    for (int k = 0; k < c->n_res; k++) {
        int a = c->res[k].a, b = c->res[k].b;
        if (c->node_kind[a ? a : b] != KIND_LIN)
            continue;
        int ra = a ? c->node_row[a] : -1, rb = b ? c->node_row[b] : -1;
        double g = c->res[k].g;
        if (ra >= 0)
            Ax[pos_of(Ap, Ai, ra, ra)] += g;
        if (rb >= 0)
            Ax[pos_of(Ap, Ai, rb, rb)] += g;
        if (ra >= 0 && rb >= 0) {
            Ax[pos_of(Ap, Ai, ra, rb)] -= g;
            Ax[pos_of(Ap, Ai, rb, ra)] -= g;
        }
    }
    for (int s = 0; s < c->n_vs; s++) {
        if (c->vs[s].lin_index < 0)
            continue;
        int rp = c->vs[s].p ? c->node_row[c->vs[s].p] : -1;
        int rm = c->vs[s].m ? c->node_row[c->vs[s].m] : -1, br = c->vs[s].row;
        if (rp >= 0) {
            Ax[pos_of(Ap, Ai, rp, br)] += 1.0;
            Ax[pos_of(Ap, Ai, br, rp)] += 1.0;
        }
        if (rm >= 0) {
            Ax[pos_of(Ap, Ai, rm, br)] -= 1.0;
            Ax[pos_of(Ap, Ai, br, rm)] -= 1.0;
        }
    }
    if (!(sym = klu_analyze(n, Ap, Ai, &c->common))) {
        rc = eng_fail(c, DWMTJ_E_ERR_SINGULAR, "KLU could not analyse the crossbar matrix "
                      "(status %d)", c->common.status);
        goto done;
    }
    if ((rc = eng_factor(c, KIND_LIN, n, Ap, Ai, Ax, sym, &num, 0, 2, NULL)) != DWMTJ_E_OK)
        goto done;
    /* the map: column j = outputs for source j at 1 V, the others at 0 */
    enum { BLOCK = 32 };
    c->map = calloc((size_t)c->n_lin_src * (size_t)(c->n_out > 0 ? c->n_out : 1),
                    sizeof(double));
    rhs = malloc(sizeof(double) * (size_t)n * BLOCK);
    if (!c->map || !rhs) {
        rc = DWMTJ_E_ERR_NOMEM;
        goto done;
    }
    for (int j0 = 0; j0 < c->n_lin_src && c->n_out > 0; j0 += BLOCK) {
        int nb = c->n_lin_src - j0 < BLOCK ? c->n_lin_src - j0 : BLOCK;
        memset(rhs, 0, sizeof(double) * (size_t)n * (size_t)nb);
        for (int b = 0; b < nb; b++)
            rhs[(size_t)b * n + c->vs[c->lin_src[j0 + b]].row] = 1.0;
        if (!klu_solve(sym, num, n, nb, rhs, &c->common)) {
            rc = eng_fail(c, DWMTJ_E_ERR_SINGULAR, "KLU solve failed (status %d)",
                          c->common.status);
            goto done;
        }
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < c->n_out; o++)
                c->map[(size_t)(j0 + b) * c->n_out + o] = rhs[(size_t)b * n + c->out_row[o]];
    }
done:
    free(rhs);
    if (num)
        klu_free_numeric(&num, &c->common);
    if (sym)
        klu_free_symbolic(&sym, &c->common);
    free(Ap);
    free(Ai);
    free(Ax);
    free(p.r);
    free(p.c);
    return rc;
}

/* The Newton matrix: pattern, each element's positions, and the blocks
 * its groups are solved in. */
static int newton_pattern(dwmtj_circuit *c)
{
    int n = 0;
    for (int i = 1; i < c->n_nodes; i++)
        if (c->node_kind[i] == KIND_NEWTON)
            c->node_row[i] = n++;
    c->n_nl_nodes = n;
    for (int s = 0; s < c->n_vs; s++) {
        int node = c->vs[s].p ? c->vs[s].p : c->vs[s].m;
        if (c->node_kind[node] == KIND_NEWTON)
            c->vs[s].row = n++;
    }
    c->n_nl = n;
    c->stats.unknowns_newton = n;
    if (n == 0)
        return DWMTJ_E_OK;
    pattern p = { .n = n };
    int bad = 0;
#define ROW(node) ((node) ? c->node_row[node] : -1)
    for (int k = 0; k < c->n_res; k++) {
        int a = c->res[k].a, b = c->res[k].b;
        if (c->node_kind[a ? a : b] != KIND_NEWTON)
            continue;
        bad |= pat_add(&p, ROW(a), ROW(a)) | pat_add(&p, ROW(a), ROW(b)) |
               pat_add(&p, ROW(b), ROW(a)) | pat_add(&p, ROW(b), ROW(b));
    }
    for (int s = 0; s < c->n_vs; s++) {
        const eng_vsrc *v = &c->vs[s];
        if (c->node_kind[v->p ? v->p : v->m] != KIND_NEWTON)
            continue;
        bad |= pat_add(&p, ROW(v->p), v->row) | pat_add(&p, ROW(v->m), v->row) |
               pat_add(&p, v->row, ROW(v->p)) | pat_add(&p, v->row, ROW(v->m));
    }
    for (int k = 0; k < c->n_dev; k++)
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                bad |= pat_add(&p, ROW(c->dev[k].node[a]), ROW(c->dev[k].node[b]));
    if (bad || pat_compress(&p, &c->Ap, &c->Ai, &c->nnz) != 0) {
        free(p.r);
        free(p.c);
        return DWMTJ_E_ERR_NOMEM;
    }
    free(p.r);
    free(p.c);
    c->Ax = calloc((size_t)c->nnz, sizeof(double));
    c->res_pos = malloc(sizeof(int) * 4 * (size_t)(c->n_res > 0 ? c->n_res : 1));
    c->vs_pos = malloc(sizeof(int) * 4 * (size_t)(c->n_vs > 0 ? c->n_vs : 1));
    c->x = calloc((size_t)n, sizeof(double));
    c->dx = calloc((size_t)n, sizeof(double));
    c->f = calloc((size_t)n, sizeof(double));
    c->nl_res = malloc(sizeof(int) * (size_t)(c->n_res > 0 ? c->n_res : 1));
    c->nl_vs = malloc(sizeof(int) * (size_t)(c->n_vs > 0 ? c->n_vs : 1));
    if (!c->Ax || !c->res_pos || !c->vs_pos || !c->x || !c->dx || !c->f || !c->nl_res ||
        !c->nl_vs)
        return DWMTJ_E_ERR_NOMEM;
    for (int k = 0; k < c->n_res; k++)
        if (c->node_kind[c->res[k].a ? c->res[k].a : c->res[k].b] == KIND_NEWTON)
            c->nl_res[c->n_nl_res++] = k;
    /* the groups, numbered densely: Newton converges in each on its own */
    int *id = malloc(sizeof(int) * (size_t)c->n_nodes);
    c->row_group = malloc(sizeof(int) * (size_t)n);
    if (!id || !c->row_group) {
        free(id);
        return DWMTJ_E_ERR_NOMEM;
    }
    for (int i = 0; i < c->n_nodes; i++)
        id[i] = -1;
    for (int i = 1; i < c->n_nodes; i++)
        if (c->node_kind[i] == KIND_NEWTON) {
            int root = c->node_group[i];
            if (id[root] < 0)
                id[root] = c->n_groups++;
            c->row_group[c->node_row[i]] = id[root];
        }
    for (int s = 0; s < c->n_vs; s++) {
        int node = c->vs[s].p ? c->vs[s].p : c->vs[s].m;
        if (c->node_kind[node] == KIND_NEWTON)
            c->row_group[c->vs[s].row] = id[c->node_group[node]];
    }
    for (int k = 0; k < c->n_dev; k++) {
        int node = 0;
        for (int j = 0; j < 4 && !node; j++)
            node = c->dev[k].node[j];
        c->dev[k].group = node ? id[c->node_group[node]] : -1;
    }
    free(id);
    c->group_done = calloc((size_t)(c->n_groups > 0 ? c->n_groups : 1), 1);
    if (!c->group_done)
        return DWMTJ_E_ERR_NOMEM;
    for (int s = 0; s < c->n_vs; s++)
        if (c->node_kind[c->vs[s].p ? c->vs[s].p : c->vs[s].m] == KIND_NEWTON)
            c->nl_vs[c->n_nl_vs++] = s;
    for (int k = 0; k < c->n_res; k++) {
        int a = c->res[k].a, b = c->res[k].b, *q = c->res_pos + 4 * k;
        int newton = c->node_kind[a ? a : b] == KIND_NEWTON;
        q[0] = newton ? pos_of(c->Ap, c->Ai, ROW(a), ROW(a)) : -1;
        q[1] = newton ? pos_of(c->Ap, c->Ai, ROW(a), ROW(b)) : -1;
        q[2] = newton ? pos_of(c->Ap, c->Ai, ROW(b), ROW(a)) : -1;
        q[3] = newton ? pos_of(c->Ap, c->Ai, ROW(b), ROW(b)) : -1;
    }
    for (int s = 0; s < c->n_vs; s++) {
        const eng_vsrc *v = &c->vs[s];
        int *q = c->vs_pos + 4 * s;
        int newton = c->node_kind[v->p ? v->p : v->m] == KIND_NEWTON;
        q[0] = newton ? pos_of(c->Ap, c->Ai, ROW(v->p), v->row) : -1;
        q[1] = newton ? pos_of(c->Ap, c->Ai, ROW(v->m), v->row) : -1;
        q[2] = newton ? pos_of(c->Ap, c->Ai, v->row, ROW(v->p)) : -1;
        q[3] = newton ? pos_of(c->Ap, c->Ai, v->row, ROW(v->m)) : -1;
    }
    for (int k = 0; k < c->n_dev; k++)
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                c->dev[k].pos[a][b] =
                    pos_of(c->Ap, c->Ai, ROW(c->dev[k].node[a]), ROW(c->dev[k].node[b]));
#undef ROW
    return eng_blocks_plan(c, -1);
}

int eng_build(dwmtj_circuit *c)
{
    klu_defaults(&c->common);
    int rc = groups(c);
    if (rc == DWMTJ_E_OK)
        rc = eng_logic_kinds(c); /* also the per-node outputs */
    for (int k = 0; k < c->n_bs && rc == DWMTJ_E_OK; k++)
        rc = check_controls(c, c->bs[k].e, &c->bs[k]);
    if (rc != DWMTJ_E_OK)
        return rc;
    for (int k = 0; k < c->n_bs; k++)
        mark_outputs(c, c->bs[k].e);
    rc = saves(c, c->node_out);
    if (rc == DWMTJ_E_OK)
        rc = linear_map(c, c->node_out);
    if (rc == DWMTJ_E_OK)
        rc = newton_pattern(c);
    if (rc == DWMTJ_E_OK)
        rc = eng_logic_groups(c);
    if (rc != DWMTJ_E_OK)
        return rc;
    size_t no = (size_t)(c->n_out > 0 ? c->n_out : 1);
    c->y0 = calloc(no, sizeof(double));
    c->y1 = calloc(no, sizeof(double));
    c->yt = calloc(no, sizeof(double));
    size_t nv = (size_t)(c->n_vs > 0 ? c->n_vs : 1);
    c->cur0 = calloc(nv, sizeof(double));
    c->cur1 = calloc(nv, sizeof(double));
    c->cur = calloc(nv, sizeof(double));
    c->ctl = malloc(sizeof(int) * nv);
    c->kink = malloc(sizeof(double) * (size_t)(32 * (c->n_bs > 0 ? c->n_bs : 1) + 1));
    c->bval = calloc((size_t)(c->n_bs > 0 ? c->n_bs : 1), sizeof(double));
    if (!c->y0 || !c->y1 || !c->yt || !c->cur0 || !c->cur1 || !c->cur || !c->ctl || !c->kink ||
        !c->bval)
        return DWMTJ_E_ERR_NOMEM;
    for (int s = 0; s < c->n_vs; s++)
        if (c->vs[s].out >= 0)
            c->ctl[c->n_ctl++] = s;
    return eng_parts_plan(c);
}
