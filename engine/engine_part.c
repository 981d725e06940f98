/* Each Newton group on its own time points (DWMTJ_E_STEPS_NEURON, issue
 * 14).  Without logic, what drives a group is the linear groups' outputs
 * alone, and those are known for the whole run once the sources are: the
 * sources are linear between the corners and clock edges, so their
 * outputs at the ends of those pieces fix them everywhere.  Each group is
 * then stepped through the whole transient by itself, at the pieces' ends
 * and at its own events only: the instants at which its B sources' min()
 * or max() switch, its devices' step limits (dwmtj_eval.t_next), turns
 * (dwmtj_eval.t_turn) and wall crossings (dwmtj_eval.t_cross).  Those are
 * the points DWMTJ_E_STEPS_EXACT gives it, less the other groups' events,
 * at which its drive is linear and nothing of its own happens: the
 * continuous circuit's answer, at about one device step per group and
 * clock period instead of one per event of any group. */
#include "engine_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void part_clear(eng_part *p)
{
    free(p->u);
    free(p->bv);
    free(p->sw);
    free(p->out);
    free(p->res);
    free(p->vs);
    free(p->bs);
    free(p->line);
    free(p->lo);
    free(p->hi);
    free(p->ctl);
    free(p->dev);
    free(p->vec);
    free(p->time);
    memset(p, 0, sizeof *p);
}

void eng_parts_free(dwmtj_circuit *c)
{
    for (int g = 0; g < c->n_part; g++)
        part_clear(&c->part[g]);
    free(c->part);
    free(c->piece_t);
    free(c->piece_cur);
    free(c->nz);
    free(c->nz_order);
    free(c->nz_start);
    free(c->fmap);
    free(c->fline0);
    free(c->node_part);
    c->node_part = NULL;
    c->logic_parts = 0;
    c->fmap = c->fline0 = NULL;
    c->nz = NULL;
    c->nz_order = c->nz_start = NULL;
    c->n_nz = c->cap_nz = c->cap_nz_order = c->cap_nz_start = 0;
    c->part = NULL;
    c->piece_t = c->piece_cur = NULL;
    c->n_part = c->n_piece = 0;
}

/* The V sources whose currents e reads, marked. */
static void expr_sources(const eng_expr *e, unsigned char *mark)
{
    if (!e)
        return;
    if (e->op == X_CUR)
        mark[e->src] = 1;
    expr_sources(e->a, mark);
    expr_sources(e->b, mark);
}

/* The Newton group of node, -1 for ground or a node of another kind. */
static int node_group(const dwmtj_circuit *c, int node)
{
    return node && c->node_kind[node] == KIND_NEWTON ? c->row_group[c->node_row[node]] : -1;
}

/* The Newton group of resistor k (a node of it on ground or not). */
static int res_group(const dwmtj_circuit *c, int k)
{
    return node_group(c, c->res[k].a ? c->res[k].a : c->res[k].b);
}

/* The group a saved vector belongs to, -1 none (the linear groups'). */
static int vec_group(const dwmtj_circuit *c, const eng_vec *v)
{
    switch (v->kind) {
    case KIND_NEWTON: return node_group(c, v->node);
    case VEC_BRANCH_NEWTON: return c->row_group[c->vs[v->idx].row];
    case KIND_MON: return c->dev[v->idx].group;
    case KIND_LOGIC:
    case KIND_RC: return c->node_part ? c->node_part[v->node] : -1;
    default: return -1;
    }
}

/* Appends x to list *l of *n (room for it reserved by the counting pass). */
#define APPEND(l, n, x) ((l)[(n)++] = (x))

/* The lists of every group, in two passes: count (fill 0), then fill. */
static void part_lists(dwmtj_circuit *c, int fill)
{
    for (int r = 0; r < c->n_nl_res; r++) {
        int k = c->nl_res[r];
        eng_part *p = &c->part[res_group(c, k)];
        if (fill)
            APPEND(p->res, p->n_res, k);
        else
            p->n_res++;
    }
    for (int r = 0; r < c->n_nl_vs; r++) {
        eng_part *p = &c->part[c->row_group[c->vs[c->nl_vs[r]].row]];
        if (fill)
            APPEND(p->vs, p->n_vs, c->nl_vs[r]);
        else
            p->n_vs++;
    }
    for (int k = 0; k < c->n_bs; k++) {
        int gp = node_group(c, c->bs[k].p), gm = node_group(c, c->bs[k].m);
        for (int side = 0; side < 2; side++) {
            int g = side ? gm : gp;
            if (g < 0 || (side && g == gp))
                continue;
            if (fill)
                APPEND(c->part[g].bs, c->part[g].n_bs, k);
            else
                c->part[g].n_bs++;
        }
    }
    for (int k = 0; k < c->n_dev; k++) {
        eng_part *p = &c->part[c->dev[k].group];
        if (fill)
            APPEND(p->dev, p->n_dev, k);
        else
            p->n_dev++;
    }
    for (int k = 0; k < c->n_vec; k++) {
        int g = vec_group(c, &c->vec[k]);
        c->vec[k].axis = g;
        if (g < 0)
            continue;
        if (fill)
            APPEND(c->part[g].vec, c->part[g].n_vec, k);
        else
            c->part[g].n_vec++;
    }
}

/* The controlling currents group p's B sources read, as indices into
 * c->ctl; mark: scratch of n_vs, left cleared. */
static int part_controls(dwmtj_circuit *c, eng_part *p, unsigned char *mark)
{
    for (int q = 0; q < p->n_bs; q++)
        expr_sources(c->bs[p->bs[q]].e, mark);
    for (int q = 0; q < c->n_ctl; q++)
        p->n_ctl += mark[c->ctl[q]];
    if (!(p->ctl = malloc(sizeof(int) * (size_t)(p->n_ctl > 0 ? p->n_ctl : 1))))
        return DWMTJ_E_ERR_NOMEM;
    p->n_ctl = 0;
    for (int q = 0; q < c->n_ctl; q++)
        if (mark[c->ctl[q]])
            p->ctl[p->n_ctl++] = q;
    memset(mark, 0, (size_t)(c->n_vs > 0 ? c->n_vs : 1));
    return DWMTJ_E_OK;
}

/* 1 when group g (its lists in p) is one device with GND on ground, A and
 * B on nodes nothing else touches and IN fed only by current sources to
 * ground: KCL then reads i_IN = the sources' sum, i_A = i_B = 0, which the
 * device's open voltages satisfy whatever its state. */
static int part_is_open(const dwmtj_circuit *c, const eng_part *p, int g)
{
    if (p->n_res || p->n_vs || p->n_dev != 1 || c->blk[c->group_block[g]].n != 3)
        return 0;
    const int *nd = c->dev[p->dev[0]].node;
    if (nd[DWMTJ_GND] != 0 || nd[DWMTJ_IN] == nd[DWMTJ_A] || nd[DWMTJ_IN] == nd[DWMTJ_B] ||
        nd[DWMTJ_A] == nd[DWMTJ_B])
        return 0;
    for (int k = 0; k < DWMTJ_NTERM; k++)
        if (k != DWMTJ_GND && node_group(c, nd[k]) != g)
            return 0;
    for (int q = 0; q < p->n_bs; q++) {
        const eng_bsrc *s = &c->bs[p->bs[q]];
        if (!(s->p == 0 && s->m == nd[DWMTJ_IN]) && !(s->p == nd[DWMTJ_IN] && s->m == 0))
            return 0;
    }
    return 1;
}

/* c->fmap and c->fline0 when every part is open and fed by one clamp of a
 * line, and no vector reads the linear outputs: each line is affine in its
 * controlling currents (eng_expr_clamp's plain line), its coefficients
 * read off by evaluating it at the unit currents. */
static int fold(dwmtj_circuit *c)
{
    for (int g = 0; g < c->n_part; g++)
        if (!c->part[g].open || c->part[g].n_bs != 1 || !c->part[g].line[0])
            return DWMTJ_E_OK;
    for (int k = 0; k < c->n_vec; k++)
        if (c->vec[k].kind == KIND_LIN || c->vec[k].kind == VEC_BRANCH_LIN)
            return DWMTJ_E_OK;
    size_t np = (size_t)c->n_part;
    c->fmap = calloc((size_t)(c->n_lin_src > 0 ? c->n_lin_src : 1) * np, sizeof(double));
    c->fline0 = malloc(sizeof(double) * np);
    if (!c->fmap || !c->fline0)
        return DWMTJ_E_ERR_NOMEM;
    memset(c->cur, 0, sizeof(double) * (size_t)(c->n_vs > 0 ? c->n_vs : 1));
    for (int g = 0; g < c->n_part; g++) {
        const eng_part *p = &c->part[g];
        double c0 = eng_expr_eval(c, p->line[0], c->cur);
        c->fline0[g] = c0;
        for (int q = 0; q < p->n_ctl; q++) {
            int s = c->ctl[p->ctl[q]];
            c->cur[s] = 1.0;
            double a = eng_expr_eval(c, p->line[0], c->cur) - c0;
            c->cur[s] = 0.0;
            const double *col = c->map + c->vs[s].out;
            for (int j = 0; j < c->n_lin_src; j++)
                c->fmap[(size_t)j * np + (size_t)g] += a * col[(size_t)j * (size_t)c->n_out];
        }
    }
    return DWMTJ_E_OK;
}

static int uf_find(int *up, int a)
{
    while (up[a] != a)
        a = up[a] = up[up[a]];
    return a;
}

/* The smaller root stays: a class's root is its group when it has one. */
static void uf_join(int *up, int a, int b)
{
    a = uf_find(up, a);
    b = uf_find(up, b);
    if (a != b)
        up[a < b ? b : a] = a < b ? a : b;
}

/* Joins every step of e to item owner (steps at u0 + index). */
static void expr_join(const eng_expr *e, int *up, int owner, int u0)
{
    if (!e)
        return;
    if (e->op == X_U)
        uf_join(up, owner, u0 + e->u);
    expr_join(e->a, up, owner, u0);
    expr_join(e->b, up, owner, u0);
}

/* The items logic_classes sorts, one index range per kind: the groups
 * [0, G), then the logic outputs from b0, the one-shots from r0, the steps
 * from u0; n in all. */
struct items {
    int b0, r0, u0, n;
};

static struct items items_of(const dwmtj_circuit *c)
{
    struct items it = { c->n_groups, c->n_groups + c->n_bv, 0, 0 };
    it.u0 = it.r0 + c->n_rc;
    it.n = it.u0 + c->n_u;
    return it;
}

/* The item a switch belongs with: its one-shot, or its resistor's group. */
static int sw_item(const dwmtj_circuit *c, const eng_sw *w, const struct items *it)
{
    return w->rc >= 0 ? it->r0 + w->rc : res_group(c, w->res);
}

/* With logic: which group each step, logic output, one-shot and switch
 * belongs to, through what reads what (a step in an expression, a logic
 * node a step or a switch reads, a one-shot's switch, a Newton switch's
 * resistor); the sources' nodes belong to none.  *part: per item (groups,
 * then logic outputs, one-shots, steps) its group; 0 when a class holds
 * two groups or none (the logic then couples them: the shared path). */
static int logic_classes(dwmtj_circuit *c, int **part)
{
    const struct items it = items_of(c);
    int G = c->n_groups, B0 = it.b0, R0 = it.r0, U0 = it.u0, n = it.n;
    int *up = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    int *node_bv = malloc(sizeof(int) * (size_t)c->n_nodes);
    if (!up || !node_bv) {
        free(up);
        free(node_bv);
        return -1;
    }
    for (int i = 0; i < n; i++)
        up[i] = i;
    for (int i = 0; i < c->n_nodes; i++)
        node_bv[i] = -1;
    for (int k = 0; k < c->n_bv; k++)
        node_bv[c->bv[k].p] = k;
    int ok = 1;
    for (int k = 0; k < c->n_u && ok; k++) {
        const eng_u *u = &c->u[k];
        if (u->kind == U_NEWTON)
            ok = u->group >= 0 && (uf_join(up, U0 + k, u->group), 1);
        else if (u->kind == U_RC)
            uf_join(up, U0 + k, R0 + u->rc);
        else if (u->kind == U_LOGIC)
            for (int j = 0; j < u->n; j++)
                uf_join(up, U0 + k, B0 + node_bv[u->node[j]]);
    }
    for (int k = 0; k < c->n_bv; k++)
        expr_join(c->bv[k].e, up, B0 + k, U0);
    for (int k = 0; k < c->n_bs && ok; k++) {
        int g = node_group(c, c->bs[k].p);
        if (g < 0)
            g = node_group(c, c->bs[k].m);
        ok = g >= 0;
        if (ok)
            expr_join(c->bs[k].e, up, g, U0);
    }
    for (int k = 0; k < c->n_sw && ok; k++) {
        const eng_sw *w = &c->sw[k];
        int item = sw_item(c, w, &it);
        ok = item >= 0;
        for (int j = 2; j < 4 && ok; j++)
            if (w->node[j] && c->node_kind[w->node[j]] == KIND_LOGIC)
                uf_join(up, item, B0 + node_bv[w->node[j]]);
    }
    for (int g = 0; g < G && ok; g++)
        ok = uf_find(up, g) == g; /* no two groups in one class */
    for (int i = G; i < n && ok; i++)
        ok = uf_find(up, i) < G; /* and every item with one */
    for (int i = 0; i < n && ok; i++)
        up[i] = uf_find(up, i);
    free(node_bv);
    if (ok && !(c->node_part = malloc(sizeof(int) * (size_t)c->n_nodes)))
        ok = -1;
    if (ok <= 0) {
        free(up);
        return ok;
    }
    /* the part of every logic and one-shot node, for their vectors */
    for (int i = 0; i < c->n_nodes; i++)
        c->node_part[i] = -1;
    for (int k = 0; k < c->n_bv; k++)
        c->node_part[c->bv[k].p] = up[B0 + k];
    for (int r = 0; r < c->n_rc; r++)
        c->node_part[c->rc[r].node] = up[R0 + r];
    *part = up;
    return 1;
}

/* The parts' logic: steps, logic outputs, switches, and the linear
 * outputs they read (after part_controls). */
static int part_logic_lists(dwmtj_circuit *c, const int *item)
{
    const struct items it = items_of(c);
    for (int g = 0; g < c->n_part; g++) {
        eng_part *p = &c->part[g];
        p->u = malloc(sizeof(int) * (size_t)(c->n_u + 1));
        p->bv = malloc(sizeof(int) * (size_t)(c->n_bv + 1));
        p->sw = malloc(sizeof(int) * (size_t)(c->n_sw + 1));
        p->out = malloc(sizeof(int) * (size_t)(p->n_ctl + c->n_u + 1));
        if (!p->u || !p->bv || !p->sw || !p->out)
            return DWMTJ_E_ERR_NOMEM;
        for (int q = 0; q < p->n_ctl; q++)
            p->out[p->n_out++] = c->vs[c->ctl[p->ctl[q]]].out;
    }
    for (int k = 0; k < c->n_u; k++) {
        eng_part *p = &c->part[item[it.u0 + k]];
        p->u[p->n_u++] = k;
        if (c->u[k].kind == U_SRC)
            p->out[p->n_out++] = c->node_out[c->u[k].node[0]];
    }
    for (int k = 0; k < c->n_bv; k++) {
        eng_part *p = &c->part[item[it.b0 + k]];
        p->bv[p->n_bv++] = k;
    }
    for (int k = 0; k < c->n_sw; k++) {
        const eng_sw *w = &c->sw[k];
        eng_part *p = &c->part[item[sw_item(c, w, &it)]]; /* a group is its own root */
        p->sw[p->n_sw++] = k;
    }
    c->logic_parts = 1;
    return DWMTJ_E_OK;
}

int eng_parts_plan(dwmtj_circuit *c)
{
    eng_parts_free(c);
    if (c->n_groups < 1)
        return DWMTJ_E_OK;
    for (int b = 0; b < c->n_blk; b++)
        if (c->blk[b].n_groups != 1)
            return DWMTJ_E_OK; /* groups factored together */
    for (int k = 0; k < c->n_dev; k++)
        if (c->dev[k].group < 0)
            return DWMTJ_E_OK;
    int *item = NULL, logic = c->n_u || c->n_sw || c->n_rc || c->n_bv;
    if (logic) {
        int k = logic_classes(c, &item); /* and c->node_part, for part_lists */
        if (k <= 0)
            return k < 0 ? DWMTJ_E_ERR_NOMEM : DWMTJ_E_OK; /* 0: the logic couples groups */
    }
    if (!(c->part = calloc((size_t)c->n_groups, sizeof *c->part))) {
        free(item);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_part = c->n_groups;
    part_lists(c, 0);
    for (int g = 0; g < c->n_part; g++) {
        eng_part *p = &c->part[g];
        p->res = malloc(sizeof(int) * (size_t)(p->n_res + 1));
        p->vs = malloc(sizeof(int) * (size_t)(p->n_vs + 1));
        p->bs = malloc(sizeof(int) * (size_t)(p->n_bs + 1));
        p->dev = malloc(sizeof(int) * (size_t)(p->n_dev + 1));
        p->vec = malloc(sizeof(int) * (size_t)(p->n_vec + 1));
        if (!p->res || !p->vs || !p->bs || !p->dev || !p->vec)
            return DWMTJ_E_ERR_NOMEM;
        p->n_res = p->n_vs = p->n_bs = p->n_dev = p->n_vec = 0;
    }
    part_lists(c, 1);
    unsigned char *mark = calloc((size_t)(c->n_vs > 0 ? c->n_vs : 1), 1);
    if (!mark)
        return DWMTJ_E_ERR_NOMEM;
    int rc = DWMTJ_E_OK;
    for (int g = 0; g < c->n_part && rc == DWMTJ_E_OK; g++) {
        eng_part *p = &c->part[g];
        size_t nb = (size_t)(p->n_bs > 0 ? p->n_bs : 1);
        p->line = malloc(sizeof *p->line * nb);
        p->lo = malloc(sizeof(double) * nb);
        p->hi = malloc(sizeof(double) * nb);
        if (!p->line || !p->lo || !p->hi)
            rc = DWMTJ_E_ERR_NOMEM;
        for (int q = 0; q < p->n_bs && rc == DWMTJ_E_OK; q++)
            if (!eng_expr_clamp(c->bs[p->bs[q]].e, &p->line[q], &p->lo[q], &p->hi[q]))
                p->line[q] = NULL;
        if (rc == DWMTJ_E_OK)
            rc = part_controls(c, p, mark);
        p->open = !logic && part_is_open(c, p, g);
    }
    free(mark);
    if (rc == DWMTJ_E_OK && logic)
        rc = part_logic_lists(c, item);
    free(item);
    /* a part with logic runs the exact steps' event loop on its scope */
    for (int g = 0; g < c->n_part && rc == DWMTJ_E_OK && logic; g++) {
        eng_part *p = &c->part[g];
        p->scope = (eng_scope){ g,         p->u,   p->n_u,   p->bv,  p->n_bv,
                                p->sw,     p->n_sw, p->dev,  p->n_dev, p->bs,
                                p->n_bs,   p->ctl, p->n_ctl, p->out, p->n_out };
    }
    return rc == DWMTJ_E_OK && !logic ? fold(c) : rc;
}

/* Group g's Newton solve at t from its devices' accepted states, the
 * controlling currents in c->cur; the trial states in s1, as newton()
 * leaves a group (done once its own update is within tolerance). */
int eng_part_newton(dwmtj_circuit *c, int g, double t)
{
    const eng_part *p = &c->part[g];
    eng_block *b = &c->blk[c->group_block[g]];
    for (int q = 0; q < p->n_bs && !c->fmap; q++)
        if (eng_bs_eval(c, p->bs[q], t) != DWMTJ_E_OK)
            return DWMTJ_E_ERR_VALUE;
    if (p->open) {
        /* the current the sources push into IN (eng_stamp_bs's signs) */
        const eng_dev *d = &c->dev[p->dev[0]];
        double i_in = 0.0, v[DWMTJ_NTERM];
        for (int q = 0; q < p->n_bs; q++)
            i_in += c->bs[p->bs[q]].m ? c->bval[p->bs[q]] : -c->bval[p->bs[q]];
        dwmtj_open_voltages(&c->model[d->model].d, i_in, v, NULL);
        for (int k = 0; k < DWMTJ_NTERM; k++)
            if (d->node[k])
                c->x[c->node_row[d->node[k]]] = v[k];
        return eng_eval_open(c, p->dev[0], t, i_in);
    }
    int worst = b->row[0];
    for (int it = 0; it < ENG_NEWTON_MAX; it++) {
        for (int q = 0; q < b->nnz; q++)
            c->Ax[b->gather[q]] = 0.0;
        for (int i = 0; i < b->n; i++)
            c->f[b->row[i]] = 0.0;
        for (int q = 0; q < p->n_res; q++)
            eng_stamp_res(c, p->res[q]);
        for (int q = 0; q < p->n_vs; q++)
            eng_stamp_vs(c, p->vs[q], t);
        for (int q = 0; q < p->n_bs; q++)
            eng_stamp_bs(c, p->bs[q]);
        for (int q = 0; q < p->n_dev; q++) {
            int rc = eng_stamp_dev(c, p->dev[q], t, 0);
            if (rc != DWMTJ_E_OK)
                return rc;
        }
        c->stats.newton_iterations++;
        c->stats.refactors++;
        int rc = b->ops->factor(c, b);
        if (rc == DWMTJ_E_OK)
            rc = b->ops->solve(c, b, c->dx);
        if (rc != DWMTJ_E_OK)
            return rc;
        int done = 1;
        double most = 0.0;
        for (int i = 0; i < b->n; i++) {
            int k = b->row[i];
            double r = eng_update(c, k);
            done &= r <= 1.0;
            if (r > most) {
                most = r;
                worst = k;
            }
        }
        if (done)
            return DWMTJ_E_OK;
    }
    return eng_fail_newton(c, t, worst);
}

/* The piece of the run a group is on: [ta, tb] with the controlling
 * currents at its ends in c->cur0, c->cur1 (the group's entries). */
typedef struct {
    double ta, tb;
    double x0, x1;    /* A, with c->fmap: the group's folded line at ta, tb */
} piece;

static int part_solve(dwmtj_circuit *c, int g, const piece *pc, double t)
{
    const eng_part *p = &c->part[g];
    double f = pc->tb > pc->ta ? (t - pc->ta) / (pc->tb - pc->ta) : 1.0;
    if (c->fmap) {
        /* the folded line, linear on the piece, through the mirror's clamp */
        int k = p->bs[0];
        double x = f >= 1.0 ? pc->x1 : pc->x0 + f * (pc->x1 - pc->x0);
        c->bval[k] = eng_clamp(x, p->lo[0], p->hi[0]);
        return eng_bs_check(c, k, t) == DWMTJ_E_OK ? eng_part_newton(c, g, t) : DWMTJ_E_ERR_VALUE;
    }
    for (int q = 0; q < p->n_ctl; q++) {
        int s = c->ctl[p->ctl[q]];
        c->cur[s] = f >= 1.0 ? c->cur1[s] : c->cur0[s] + f * (c->cur1[s] - c->cur0[s]);
    }
    return eng_part_newton(c, g, t);
}

/* The trial solution at t becomes group g's accepted point. */
int eng_part_take(dwmtj_circuit *c, int g, double t)
{
    eng_part *p = &c->part[g];
    int rc = eng_bounds(c, p->n_time, t);
    if (rc != DWMTJ_E_OK)
        return rc;
    for (int q = 0; q < p->n_dev; q++)
        eng_accept_dev(c, p->dev[q]);
    if (eng_push(&p->time, &p->n_time, &p->cap_time, t) != 0)
        return DWMTJ_E_ERR_NOMEM;
    for (int q = 0; q < p->n_vec; q++) {
        eng_vec *v = &c->vec[p->vec[q]];
        if (eng_push(&v->v, &v->n, &v->cap, eng_vec_value(c, v, t)) != 0)
            return DWMTJ_E_ERR_NOMEM;
    }
    c->stats.time_points++;
    return DWMTJ_E_OK;
}

/* From group g's accepted point at *t to one at next, or at the first turn
 * or wall crossing of its devices' domains before next (as advance() does
 * for all). */
static int part_advance(dwmtj_circuit *c, int g, const piece *pc, double next, double *t)
{
    const eng_part *p = &c->part[g];
    int rc = part_solve(c, g, pc, next);
    if (rc != DWMTJ_E_OK)
        return rc;
    int cross;
    double first = eng_devices_turn(c, p->dev, p->n_dev, *t, next, &cross);
    if (first < next) {
        next = first;
        eng_count_turn(c, cross);
        if ((rc = part_solve(c, g, pc, next)) != DWMTJ_E_OK)
            return rc;
    }
    *t = next;
    return eng_part_take(c, g, next);
}

/* Group g through the whole run, on the pieces c->piece_t. */
static int part_run(dwmtj_circuit *c, int g)
{
    eng_part *p = &c->part[g];
    if (eng_push(&p->time, &p->n_time, &p->cap_time, 0.0) != 0)
        return DWMTJ_E_ERR_NOMEM; /* the operating point's, recorded with all */
    c->stats.time_points++;
    double t = 0.0, tol = 1e-9 * c->tstep;
    int rc = DWMTJ_E_OK;
    for (int j = 1; j < c->n_piece && rc == DWMTJ_E_OK; j++) {
        piece pc = { c->piece_t[j - 1], c->piece_t[j], 0.0, 0.0 };
        int nk = 0;
        if (c->fmap) {
            pc.x0 = c->piece_cur[(size_t)(j - 1) * c->n_part + (size_t)g];
            pc.x1 = c->piece_cur[(size_t)j * c->n_part + (size_t)g];
            nk = eng_line_kinks(pc.x0, pc.x1, p->lo[0], p->hi[0], c->kink, 32);
        } else {
            const double *ca = c->piece_cur + (size_t)(j - 1) * c->n_ctl;
            const double *cb = ca + c->n_ctl;
            for (int q = 0; q < p->n_ctl; q++) {
                int s = c->ctl[p->ctl[q]];
                c->cur0[s] = ca[p->ctl[q]];
                c->cur1[s] = cb[p->ctl[q]];
            }
        }
        for (int q = 0; q < p->n_bs && !c->fmap; q++)
            nk += p->line[q] ? eng_clamp_kinks(c, p->line[q], p->lo[q], p->hi[q], c->cur0,
                                               c->cur1, c->kink + nk, 32)
                             : eng_expr_kinks(c, c->bs[p->bs[q]].e, c->cur0, c->cur1, c->n_vs,
                                              c->kink + nk, 32);
        if (p->n_bs > 1) /* one source's come sorted */
            qsort(c->kink, (size_t)nk, sizeof(double), eng_cmp_double);
        for (int k = 0; k <= nk && rc == DWMTJ_E_OK; k++) {
            double target = k < nk ? pc.ta + c->kink[k] * (pc.tb - pc.ta) : pc.tb;
            if (target - t <= tol && k < nk)
                continue; /* coincides with the last point */
            while (rc == DWMTJ_E_OK && t < target) {
                double next = target, lim = eng_devices_limit(c, p->dev, p->n_dev, t);
                if (lim < next && lim > t + tol)
                    next = lim;
                rc = part_advance(c, g, &pc, next, &t);
            }
        }
        t = pc.tb;
    }
    return rc;
}

/* The linear sources' values at the piece ends, the non-zero ones listed
 * by piece: each source swept once along its points (the ends ascend),
 * with eng_vs_value's arithmetic, so that the outputs are lin_outputs'
 * to the bit, without a search per source and point; silent word lines
 * give no entry. */
static int source_values(dwmtj_circuit *c)
{
    c->n_nz = 0;
    for (int j = 0; j < c->n_lin_src; j++) {
        const eng_vsrc *s = &c->vs[c->lin_src[j]];
        int live = 0;
        for (int q = 0; q < s->n && !live; q++)
            live = s->v[q] != 0.0;
        if (!live)
            continue; /* a silent word line: no sweep along the pieces */
        int q = 0; /* s->t[q] < t <= s->t[q + 1] inside the wave */
        for (int p = 0; p < c->n_piece; p++) {
            double t = c->piece_t[p], v;
            if (t <= s->t[0])
                v = s->v[0];
            else if (t >= s->t[s->n - 1])
                v = s->v[s->n - 1];
            else {
                while (s->t[q + 1] < t)
                    q++;
                double f = (t - s->t[q]) / (s->t[q + 1] - s->t[q]);
                v = s->v[q] + f * (s->v[q + 1] - s->v[q]);
            }
            if (v == 0.0)
                continue;
            if (eng_grow((void **)&c->nz, &c->cap_nz, c->n_nz + 1, sizeof *c->nz) != 0)
                return DWMTJ_E_ERR_NOMEM;
            c->nz[c->n_nz++] = (eng_nz){ j, p, v };
        }
    }
    if (eng_grow((void **)&c->nz_start, &c->cap_nz_start, c->n_piece + 1, sizeof(int)) != 0 ||
        eng_grow((void **)&c->nz_order, &c->cap_nz_order, c->n_nz + 1, sizeof(int)) != 0)
        return DWMTJ_E_ERR_NOMEM;
    memset(c->nz_start, 0, sizeof(int) * (size_t)(c->n_piece + 1));
    for (int k = 0; k < c->n_nz; k++)
        c->nz_start[c->nz[k].at + 1]++;
    for (int p = 0; p < c->n_piece; p++)
        c->nz_start[p + 1] += c->nz_start[p];
    for (int k = 0; k < c->n_nz; k++) /* a counting sort: stable */
        c->nz_order[c->nz_start[c->nz[k].at]++] = k;
    for (int p = c->n_piece; p > 0; p--) /* back to the starts */
        c->nz_start[p] = c->nz_start[p - 1];
    c->nz_start[0] = 0;
    return DWMTJ_E_OK;
}

/* The linear outputs at piece end p into y: lin_outputs from the list. */
static void piece_outputs(const dwmtj_circuit *c, int p, const double *map, int no, double *y)
{
    memset(y, 0, sizeof(double) * (size_t)(no > 0 ? no : 1));
    for (int e = c->nz_start[p]; e < c->nz_start[p + 1]; e++) {
        const eng_nz *z = &c->nz[c->nz_order[e]];
        double v = z->v;
        const double *col = map + (size_t)z->src * no;
        for (int o = 0; o < no; o++)
            y[o] += v * col[o];
    }
}

/* The ends of the pieces (the grid's points and the tmax parts between
 * them, as steps_exact cuts them), the controlling currents there, and
 * the linear groups' vectors at them on the run's time axis. */
static int pieces(dwmtj_circuit *c, const double *g, int ng)
{
    double t = 0.0;
    long n = 1;
    for (int k = 0; k < ng; k++) {
        n += eng_tmax_parts(c, t, g[k]);
        t = g[k];
    }
    if (n > eng_point_limit(c))
        return eng_too_long(c, 0.0, (double)n);
    free(c->piece_t);
    free(c->piece_cur);
    c->piece_t = malloc(sizeof(double) * (size_t)n);
    /* values per piece end */
    int width = c->fmap ? c->n_part : c->logic_parts ? c->n_out : c->n_ctl;
    c->piece_cur = malloc(sizeof(double) * (size_t)n * (size_t)(width > 0 ? width : 1));
    if (!c->piece_t || !c->piece_cur)
        return DWMTJ_E_ERR_NOMEM;
    c->piece_t[0] = t = 0.0;
    c->n_piece = 1;
    for (int k = 0; k < ng; k++) {
        int parts = eng_tmax_parts(c, t, g[k]);
        for (int q = 1; q <= parts; q++)
            c->piece_t[c->n_piece++] = eng_part_end(t, g[k], q, parts);
        t = g[k];
    }
    double t0 = eng_wall_s();
    int rc = source_values(c);
    if (rc != DWMTJ_E_OK)
        return rc;
    /* the linear groups' vectors, listed once (none when the map is
     * folded): a piece end records only those */
    int n_lin = 0, *lin = malloc(sizeof(int) * (size_t)(c->n_vec + 1));
    if (!lin)
        return DWMTJ_E_ERR_NOMEM;
    for (int k = 0; k < c->n_vec; k++)
        if (c->vec[k].axis < 0)
            lin[n_lin++] = k;
    for (int j = 0; j < c->n_piece && rc == DWMTJ_E_OK; j++) {
        double *cur = c->piece_cur + (size_t)j * width;
        if (c->fmap) {
            piece_outputs(c, j, c->fmap, c->n_part, cur);
            for (int g = 0; g < c->n_part; g++)
                cur[g] += c->fline0[g];
        } else if (c->logic_parts) {
            piece_outputs(c, j, c->map, c->n_out, cur);
            memcpy(c->yt, cur, sizeof(double) * (size_t)(c->n_out > 0 ? c->n_out : 1));
        } else {
            piece_outputs(c, j, c->map, c->n_out, c->yt);
            for (int q = 0; q < c->n_ctl; q++)
                cur[q] = c->yt[c->vs[c->ctl[q]].out];
        }
        if (j == 0)
            continue; /* t = 0: the operating point recorded every vector */
        rc = eng_bounds(c, c->n_time, c->piece_t[j]);
        if (rc == DWMTJ_E_OK && eng_push(&c->time, &c->n_time, &c->cap_time, c->piece_t[j]) != 0)
            rc = DWMTJ_E_ERR_NOMEM;
        for (int q = 0; q < n_lin && rc == DWMTJ_E_OK; q++) {
            eng_vec *v = &c->vec[lin[q]];
            if (eng_push(&v->v, &v->n, &v->cap, eng_vec_value(c, v, c->piece_t[j])) != 0)
                rc = DWMTJ_E_ERR_NOMEM;
        }
    }
    free(lin);
    c->stats.seconds_linear += eng_wall_s() - t0;
    return rc;
}

/* Group g with its logic through the whole run: the exact steps' event
 * loop (engine_run.c) on its scope, on the pieces c->piece_t, its linear
 * outputs at their ends. */
static int part_run_logic(dwmtj_circuit *c, int g)
{
    eng_part *p = &c->part[g];
    if (eng_push(&p->time, &p->n_time, &p->cap_time, 0.0) != 0)
        return DWMTJ_E_ERR_NOMEM; /* the operating point's, recorded with all */
    c->stats.time_points++;
    c->sc = &p->scope;
    c->t_acc = 0.0;
    double t = 0.0;
    int rc = DWMTJ_E_OK;
    for (int j = 1; j < c->n_piece && rc == DWMTJ_E_OK; j++) {
        const double *ya = c->piece_cur + (size_t)(j - 1) * (size_t)c->n_out;
        const double *yb = ya + c->n_out;
        for (int q = 0; q < p->n_out; q++) {
            int o = p->out[q];
            c->y0[o] = ya[o];
            c->y1[o] = yb[o];
        }
        rc = eng_piece_steps(c, c->piece_t[j - 1], c->piece_t[j], &t);
    }
    c->sc = &c->all;
    return rc;
}

int eng_parts_run(dwmtj_circuit *c, const double *g, int ng)
{
    int rc = pieces(c, g, ng);
    double t0 = eng_wall_s();
    c->stats.time_points = 0; /* the groups' points, each's t = 0 included */
    for (int k = 0; k < c->n_part && rc == DWMTJ_E_OK; k++)
        rc = c->logic_parts ? part_run_logic(c, k) : part_run(c, k);
    c->stats.seconds_newton += eng_wall_s() - t0;
    return rc;
}
