/* The Newton matrix solved block by block (issue 14): each Newton group
 * is independent of the others, so each is factored and solved on its
 * own, and a group that has converged costs nothing more in that Newton
 * call.  A small group (a neuron cell: 3 to ~10 unknowns) is a dense LU
 * with partial pivoting; the big groups (neurons coupled through wire
 * resistance, say) share one KLU matrix of their own.  What a block does
 * is in its eng_block_ops; newton() marks the open blocks
 * (eng_blocks_open), loads them and has them solved (eng_blocks_solve). */
#include "engine_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Dense LU of order n costs n^3/3 multiply-adds: at 16 about 1,400, well
 * under a microsecond from a 2 KB matrix in L1.  A 7-unknown cell's block
 * costs about 0.12 us to factor and solve here, what one shared KLU matrix
 * paid per block (but that matrix had to be refactored whole), while a
 * KLU matrix of its own per group would pay KLU's fixed cost per call.
 * Above 16 the cubic cost and the dense storage grow past what KLU pays
 * on the sparse pattern of coupled neurons (a chain of 30 cells, ~200
 * unknowns, would be 2.7 million multiply-adds dense). */
#define ENG_DENSE_MAX 16

static void block_clear(dwmtj_circuit *c, eng_block *b)
{
    if (b->ops)
        b->ops->release(c, b);
    free(b->row);
    free(b->group);
    free(b->rhs);
    free(b->Ap);
    free(b->Ai);
    free(b->gather);
    memset(b, 0, sizeof *b);
}

/* ---- the dense path ------------------------------------------------------ */

/* The order of the rows is kept from one factorisation of a block to the
 * next, as klu_refactor keeps KLU's: the Jacobian of a cell changes little
 * between Newton iterations and time points, so the pivots chosen once
 * stay good, and the pivot search and row swaps (most of a 7 x 7 LU) are
 * saved.  Partial pivoting is redone when the kept order gives a zero
 * pivot or a condition (min/max pivot) below DENSE_KEEP of the one it had
 * when chosen. */
#define DENSE_KEEP 1e-3

/* A of the block from the Newton matrix's Ax by the block's entries, row
 * i at position pos[i]; rows scaled by their max-abs entry as KLU's
 * scale = 2 does, where a branch unknown's unit entries sit beside
 * conductances.  (No fmax: it is a library call here, and this runs per
 * block and iteration.)  Returns the position of an empty row, or -1. */
static int dense_gather(dwmtj_circuit *c, eng_block *b)
{
    int n = b->n;
    double *a = b->lu, *rs = b->rs;
    memset(a, 0, sizeof(double) * (size_t)n * (size_t)n);
    for (int k = 0; k < n; k++)
        rs[k] = 0.0;
    for (int q = 0; q < b->nnz; q++) {
        double v = c->Ax[b->gather[q]], m = fabs(v);
        a[b->dst[q]] = v;
        if (m > rs[b->dr[q]])
            rs[b->dr[q]] = m;
    }
    for (int k = 0; k < n; k++) {
        if (rs[k] == 0.0)
            return k; /* nothing ties this unknown */
        rs[k] = b->scale ? 1.0 / rs[k] : 1.0;
    }
    if (b->scale)
        for (int q = 0; q < b->nnz; q++)
            a[b->dst[q]] *= rs[b->dr[q]];
    return -1;
}

/* Where each entry lands with the rows in the order prow. */
static void dense_places(eng_block *b)
{
    for (int k = 0; k < b->n; k++)
        b->pos[b->prow[k]] = k;
    for (int j = 0; j < b->n; j++)
        for (int q = b->Ap[j]; q < b->Ap[j + 1]; q++) {
            b->dr[q] = b->pos[b->Ai[q]];
            b->dst[q] = b->dr[q] * b->n + j;
        }
}

/* LU in place, row-major: L below the diagonal (unit), U on and above it.
 * pivot: partial pivoting, the swaps of whole rows carried into prow and
 * rs; else the rows in their present order.  Returns the step of a zero
 * pivot, or -1. */
static int dense_eliminate(eng_block *b, int pivot)
{
    int n = b->n;
    double *a = b->lu;
    for (int k = 0; k < n; k++) {
        int p = k;
        for (int i = k + 1; i < n && pivot; i++)
            if (fabs(a[(size_t)i * n + k]) > fabs(a[(size_t)p * n + k]))
                p = i;
        if (a[(size_t)p * n + k] == 0.0)
            return k;
        if (p != k) {
            for (int j = 0; j < n; j++) {
                double t = a[(size_t)k * n + j];
                a[(size_t)k * n + j] = a[(size_t)p * n + j];
                a[(size_t)p * n + j] = t;
            }
            double t = b->rs[k];
            b->rs[k] = b->rs[p];
            b->rs[p] = t;
            int r = b->prow[k];
            b->prow[k] = b->prow[p];
            b->prow[p] = r;
        }
        double piv = a[(size_t)k * n + k];
        for (int i = k + 1; i < n; i++) {
            double l = a[(size_t)i * n + k] / piv;
            a[(size_t)i * n + k] = l;
            if (l != 0.0)
                for (int j = k + 1; j < n; j++)
                    a[(size_t)i * n + j] -= l * a[(size_t)k * n + j];
        }
    }
    return -1;
}

/* The condition as KLU's klu_rcond estimates it, the smallest over the
 * largest pivot magnitude; *worst the step of the smallest.  Also the
 * pivots' inverses. */
static double dense_rcond(eng_block *b, int *worst)
{
    int n = b->n;
    double lo = INFINITY, hi = 0.0;
    for (int k = 0; k < n; k++) {
        double d = fabs(b->lu[(size_t)k * n + k]);
        b->inv[k] = 1.0 / b->lu[(size_t)k * n + k]; /* for the solve: no division there */
        if (d < lo) {
            lo = d;
            *worst = k;
        }
        if (d > hi)
            hi = d;
    }
    return lo / hi;
}

/* A singular block names the unknown of the zero pivot's column (an empty
 * row: its own), an ill-conditioned one that of the weakest pivot, as
 * eng_factor does for KLU. */
static int dense_factor(dwmtj_circuit *c, eng_block *b)
{
    int empty = dense_gather(c, b), worst = 0;
    if (empty >= 0)
        return eng_fail_singular(c, KIND_NEWTON, "zero pivot", b->row[b->prow[empty]]);
    if (b->rcond0 > 0.0) {
        if (dense_eliminate(b, 0) < 0 && dense_rcond(b, &worst) >= DENSE_KEEP * b->rcond0)
            return DWMTJ_E_OK;
        dense_gather(c, b); /* the kept order failed: choose again */
    }
    int zero = dense_eliminate(b, 1);
    dense_places(b);
    b->rcond0 = 0.0;
    if (zero >= 0)
        return eng_fail_singular(c, KIND_NEWTON, "zero pivot", b->row[zero]);
    double rcond = dense_rcond(b, &worst);
    if (!(rcond >= ENG_RCOND_MIN))
        return eng_fail_ill(c, KIND_NEWTON, rcond, b->row[worst]);
    b->rcond0 = rcond;
    return DWMTJ_E_OK;
}

/* dx = -A^-1 f on the block's rows: the right-hand side in the rows'
 * order and scaled as they are, then L and U. */
static int dense_solve(dwmtj_circuit *c, eng_block *b, double *dx)
{
    int n = b->n;
    const double *a = b->lu;
    double *y = b->rhs;
    for (int k = 0; k < n; k++)
        y[k] = -c->f[b->row[b->prow[k]]] * b->rs[k];
    for (int k = 0; k < n; k++)
        for (int i = k + 1; i < n; i++)
            y[i] -= a[(size_t)i * n + k] * y[k];
    for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int j = i + 1; j < n; j++)
            s -= a[(size_t)i * n + j] * y[j];
        y[i] = s * b->inv[i];
    }
    for (int j = 0; j < n; j++)
        dx[b->row[j]] = y[j];
    return DWMTJ_E_OK;
}

static void dense_release(dwmtj_circuit *c, eng_block *b)
{
    (void)c;
    free(b->lu);
    free(b->rs);
    free(b->inv);
    free(b->prow);
    free(b->pos);
    free(b->dst);
    free(b->dr);
}

static int dense_setup(dwmtj_circuit *c, eng_block *b)
{
    (void)c;
    size_t n = (size_t)b->n, nnz = (size_t)(b->nnz > 0 ? b->nnz : 1);
    b->lu = malloc(sizeof(double) * n * n);
    b->rs = malloc(sizeof(double) * n);
    b->inv = malloc(sizeof(double) * n);
    b->prow = malloc(sizeof(int) * n);
    b->pos = malloc(sizeof(int) * n);
    b->dst = malloc(sizeof(int) * nnz);
    b->dr = malloc(sizeof(int) * nnz);
    if (!b->lu || !b->rs || !b->inv || !b->prow || !b->pos || !b->dst || !b->dr)
        return DWMTJ_E_ERR_NOMEM;
    for (int k = 0; k < b->n; k++)
        b->prow[k] = k;
    dense_places(b);
    b->rcond0 = 0.0; /* no order chosen yet */
    return DWMTJ_E_OK;
}

static const eng_block_ops dense_ops = { dense_setup, dense_factor, dense_solve, dense_release };

/* ---- the KLU path: the big groups in one matrix of their own ------------ */

static int klu_block_factor(dwmtj_circuit *c, eng_block *b)
{
    for (int q = 0; q < b->nnz; q++)
        b->Ax[q] = c->Ax[b->gather[q]];
    return eng_factor(c, KIND_NEWTON, b->n, b->Ap, b->Ai, b->Ax, b->sym, &b->num, 1,
                      b->scale ? 2 : -1, b->row);
}

static int klu_block_solve(dwmtj_circuit *c, eng_block *b, double *dx)
{
    for (int i = 0; i < b->n; i++)
        b->rhs[i] = -c->f[b->row[i]]; /* 0 in the rows of groups already done */
    if (!klu_solve(b->sym, b->num, b->n, 1, b->rhs, &c->common))
        return eng_fail(c, DWMTJ_E_ERR_SINGULAR, "KLU solve failed (status %d)",
                        c->common.status);
    for (int i = 0; i < b->n; i++)
        dx[b->row[i]] = b->rhs[i];
    return DWMTJ_E_OK;
}

static void klu_block_release(dwmtj_circuit *c, eng_block *b)
{
    if (b->num)
        klu_free_numeric(&b->num, &c->common);
    if (b->sym)
        klu_free_symbolic(&b->sym, &c->common);
    free(b->Ax);
}

static int klu_block_setup(dwmtj_circuit *c, eng_block *b)
{
    if (!(b->Ax = malloc(sizeof(double) * (size_t)(b->nnz > 0 ? b->nnz : 1))))
        return DWMTJ_E_ERR_NOMEM;
    if (!(b->sym = klu_analyze(b->n, b->Ap, b->Ai, &c->common)))
        return eng_fail(c, DWMTJ_E_ERR_SINGULAR, "KLU could not analyse the neuron matrix "
                        "(status %d)", c->common.status);
    return DWMTJ_E_OK;
}

static const eng_block_ops klu_ops = { klu_block_setup, klu_block_factor, klu_block_solve,
                                       klu_block_release };

/* ---- the plan ------------------------------------------------------------ */

void eng_blocks_free(dwmtj_circuit *c)
{
    for (int k = 0; k < c->n_blk; k++)
        block_clear(c, &c->blk[k]);
    free(c->blk);
    free(c->group_block);
    free(c->row_local);
    c->blk = NULL;
    c->group_block = c->row_local = NULL;
    c->n_blk = 0;
}

/* The block's columns of the Newton matrix, renumbered (row[] ascends, so
 * the rows of each column stay sorted; all entries of a group's columns
 * are in its rows), and where each entry comes from in c->Ax. */
static int block_entries(dwmtj_circuit *c, eng_block *b)
{
    int nnz = 0;
    for (int j = 0; j < b->n; j++)
        nnz += c->Ap[b->row[j] + 1] - c->Ap[b->row[j]];
    b->Ap = malloc(sizeof(int) * ((size_t)b->n + 1));
    b->Ai = malloc(sizeof(int) * (size_t)(nnz > 0 ? nnz : 1));
    b->gather = malloc(sizeof(int) * (size_t)(nnz > 0 ? nnz : 1));
    b->rhs = malloc(sizeof(double) * (size_t)b->n);
    if (!b->Ap || !b->Ai || !b->gather || !b->rhs)
        return DWMTJ_E_ERR_NOMEM;
    b->nnz = 0;
    for (int j = 0; j < b->n; j++) {
        b->Ap[j] = b->nnz;
        for (int p = c->Ap[b->row[j]]; p < c->Ap[b->row[j] + 1]; p++) {
            b->Ai[b->nnz] = c->row_local[c->Ai[p]];
            b->gather[b->nnz++] = p;
        }
    }
    b->Ap[b->n] = b->nnz;
    return DWMTJ_E_OK;
}

int eng_blocks_plan(dwmtj_circuit *c, int dense_max)
{
    eng_blocks_free(c);
    c->stats.groups_dense = c->stats.groups_klu = 0;
    if (c->n_nl == 0)
        return DWMTJ_E_OK;
    if (dense_max < 0)
        dense_max = ENG_DENSE_MAX;
    int ng = c->n_groups;
    int *size = calloc((size_t)ng, sizeof(int));
    c->group_block = malloc(sizeof(int) * (size_t)ng);
    c->row_local = malloc(sizeof(int) * (size_t)c->n_nl);
    c->blk = calloc((size_t)ng, sizeof *c->blk); /* at most one a group */
    if (!size || !c->group_block || !c->row_local || !c->blk) {
        free(size);
        return DWMTJ_E_ERR_NOMEM;
    }
    for (int r = 0; r < c->n_nl; r++)
        size[c->row_group[r]]++;
    int klu_block = -1;
    for (int g = 0; g < ng; g++) {
        int k = klu_block;
        if (size[g] <= dense_max) {
            k = c->n_blk++;
            c->blk[k].ops = &dense_ops;
            c->stats.groups_dense++;
        } else {
            if (k < 0) {
                k = klu_block = c->n_blk++;
                c->blk[k].ops = &klu_ops;
            }
            c->stats.groups_klu++;
        }
        c->group_block[g] = k;
        c->blk[k].n += size[g];
        c->blk[k].n_groups++;
    }
    free(size);
    for (int k = 0; k < c->n_blk; k++) {
        eng_block *b = &c->blk[k];
        b->row = malloc(sizeof(int) * (size_t)b->n);
        b->group = malloc(sizeof(int) * (size_t)b->n_groups);
        if (!b->row || !b->group)
            return DWMTJ_E_ERR_NOMEM;
        b->n = b->n_groups = 0; /* counted again as filled */
    }
    for (int g = 0; g < ng; g++) {
        eng_block *b = &c->blk[c->group_block[g]];
        b->group[b->n_groups++] = g;
    }
    for (int r = 0; r < c->n_nl; r++) { /* ascending in each block */
        eng_block *b = &c->blk[c->group_block[c->row_group[r]]];
        c->row_local[r] = b->n;
        b->scale |= r >= c->n_nl_nodes; /* a branch unknown's unit entries */
        b->row[b->n++] = r;
    }
    int rc = DWMTJ_E_OK;
    for (int k = 0; k < c->n_blk && rc == DWMTJ_E_OK; k++) {
        rc = block_entries(c, &c->blk[k]);
        if (rc == DWMTJ_E_OK)
            rc = c->blk[k].ops->setup(c, &c->blk[k]);
    }
    return rc;
}

void eng_blocks_open(dwmtj_circuit *c)
{
    for (int k = 0; k < c->n_blk; k++) {
        eng_block *b = &c->blk[k];
        b->solved = 0;
        for (int j = 0; j < b->n_groups && !b->solved; j++)
            b->solved = !c->group_done[b->group[j]];
    }
}

int eng_blocks_solve(dwmtj_circuit *c, double *dx)
{
    for (int k = 0; k < c->n_blk; k++) {
        eng_block *b = &c->blk[k];
        if (!b->solved)
            continue; /* done: no further change there */
        c->stats.refactors++;
        int rc = b->ops->factor(c, b);
        if (rc == DWMTJ_E_OK)
            rc = b->ops->solve(c, b, dx);
        if (rc != DWMTJ_E_OK)
            return rc;
    }
    return DWMTJ_E_OK;
}
