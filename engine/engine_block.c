/* The Newton matrix solved block by block (issue 14): each Newton group
 * is independent of the others, so each is factored and solved on its
 * own, and a group that has converged costs nothing more in that Newton
 * call.  A small group (a neuron cell: 3 to ~10 unknowns) is a dense LU
 * with partial pivoting; the big groups (neurons coupled through wire
 * resistance, say) share one KLU matrix of their own.  Both are behind
 * eng_block_ops: newton() calls eng_blocks_solve and nothing else. */
#include "engine_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Dense LU of order n costs n^3/3 multiply-adds: at 16 about 1,400, under
 * a microsecond from a 2 KB matrix in L1, where KLU's refactor, solve and
 * rcond of even a tiny block cost several microseconds of bookkeeping.
 * Above it the cubic cost and the dense storage grow past what KLU pays
 * on a sparse coupled pattern; the cells are well below it. */
#define ENG_DENSE_MAX 16

static void block_clear(dwmtj_circuit *c, eng_block *b)
{
    if (b->ops)
        b->ops->release(c, b);
    free(b->row);
    free(b->group);
    memset(b, 0, sizeof *b);
}

/* ---- the dense path ------------------------------------------------------ */

/* A[i][j] of the block from the Newton matrix's columns (all entries of a
 * group's columns are in its rows); rows scaled by their max-abs entry as
 * KLU's scale = 2 does, where a branch unknown's unit entries sit beside
 * conductances. */
static int dense_gather(dwmtj_circuit *c, eng_block *b)
{
    int n = b->n;
    double *a = b->lu;
    memset(a, 0, sizeof(double) * (size_t)n * (size_t)n);
    for (int j = 0; j < n; j++) {
        int col = b->row[j];
        for (int p = c->Ap[col]; p < c->Ap[col + 1]; p++)
            a[(size_t)c->row_local[c->Ai[p]] * n + j] += c->Ax[p];
    }
    for (int i = 0; i < n; i++) {
        double m = 0.0;
        for (int j = 0; j < n; j++)
            m = fmax(m, fabs(a[(size_t)i * n + j]));
        if (m == 0.0)
            return i; /* an empty row: nothing ties this unknown */
        b->rs[i] = b->scale ? 1.0 / m : 1.0;
        for (int j = 0; j < n && b->scale; j++)
            a[(size_t)i * n + j] *= b->rs[i];
    }
    return -1;
}

static int dense_singular(dwmtj_circuit *c, const eng_block *b, int k)
{
    return eng_fail(c, DWMTJ_E_ERR_SINGULAR,
                    "singular neuron matrix (zero pivot) at unknown %s: a node without a "
                    "path to ground or a loop of voltage sources",
                    eng_unknown_name(c, KIND_NEWTON, b->row[k]));
}

/* In place, row-major: L below the diagonal (unit), U on and above it;
 * perm[k] the row swapped into step k.  Its condition as KLU's klu_rcond
 * estimates it, the smallest over the largest pivot magnitude. */
static int dense_factor(dwmtj_circuit *c, eng_block *b)
{
    int n = b->n, empty = dense_gather(c, b);
    if (empty >= 0)
        return dense_singular(c, b, empty);
    double *a = b->lu;
    for (int k = 0; k < n; k++) {
        int p = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(a[(size_t)i * n + k]) > fabs(a[(size_t)p * n + k]))
                p = i;
        b->perm[k] = p;
        if (a[(size_t)p * n + k] == 0.0)
            return dense_singular(c, b, k);
        if (p != k)
            for (int j = 0; j < n; j++) {
                double t = a[(size_t)k * n + j];
                a[(size_t)k * n + j] = a[(size_t)p * n + j];
                a[(size_t)p * n + j] = t;
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
    int worst = 0;
    double lo = INFINITY, hi = 0.0;
    for (int k = 0; k < n; k++) {
        double d = fabs(a[(size_t)k * n + k]);
        if (d < lo) {
            lo = d;
            worst = k;
        }
        hi = fmax(hi, d);
    }
    double rcond = lo / hi;
    if (!(rcond >= ENG_RCOND_MIN))
        return eng_fail(c, DWMTJ_E_ERR_SINGULAR,
                        "ill-conditioned neuron matrix (rcond %.3g < %g) near unknown %s",
                        rcond, ENG_RCOND_MIN, eng_unknown_name(c, KIND_NEWTON, b->row[worst]));
    return DWMTJ_E_OK;
}

/* dx = -A^-1 f on the block's rows. */
static int dense_solve(dwmtj_circuit *c, eng_block *b, double *dx)
{
    int n = b->n;
    const double *a = b->lu;
    double *y = b->rhs;
    for (int i = 0; i < n; i++)
        y[i] = -c->f[b->row[i]] * b->rs[i];
    for (int k = 0; k < n; k++) {
        int p = b->perm[k];
        if (p != k) {
            double t = y[k];
            y[k] = y[p];
            y[p] = t;
        }
        for (int i = k + 1; i < n; i++)
            y[i] -= a[(size_t)i * n + k] * y[k];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int j = i + 1; j < n; j++)
            s -= a[(size_t)i * n + j] * y[j];
        y[i] = s / a[(size_t)i * n + i];
    }
    for (int i = 0; i < n; i++)
        dx[b->row[i]] = y[i];
    return DWMTJ_E_OK;
}

static void dense_release(dwmtj_circuit *c, eng_block *b)
{
    (void)c;
    free(b->lu);
    free(b->rs);
    free(b->perm);
    free(b->rhs);
}

static int dense_setup(dwmtj_circuit *c, eng_block *b)
{
    (void)c;
    size_t n = (size_t)b->n;
    b->lu = malloc(sizeof(double) * n * n);
    b->rs = malloc(sizeof(double) * n);
    b->perm = malloc(sizeof(int) * n);
    b->rhs = malloc(sizeof(double) * n);
    return b->lu && b->rs && b->perm && b->rhs ? DWMTJ_E_OK : DWMTJ_E_ERR_NOMEM;
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
    free(b->Ap);
    free(b->Ai);
    free(b->Ax);
    free(b->gather);
    free(b->rhs);
}

/* The block's columns of the Newton matrix, renumbered (row[] ascends, so
 * the rows of each column stay sorted), and where each entry comes from. */
static int klu_block_setup(dwmtj_circuit *c, eng_block *b)
{
    int nnz = 0;
    for (int j = 0; j < b->n; j++)
        nnz += c->Ap[b->row[j] + 1] - c->Ap[b->row[j]];
    b->Ap = malloc(sizeof(int) * ((size_t)b->n + 1));
    b->Ai = malloc(sizeof(int) * (size_t)nnz);
    b->Ax = malloc(sizeof(double) * (size_t)nnz);
    b->gather = malloc(sizeof(int) * (size_t)nnz);
    b->rhs = malloc(sizeof(double) * (size_t)b->n);
    if (!b->Ap || !b->Ai || !b->Ax || !b->gather || !b->rhs)
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

/* Block k takes the groups g with take[g] == k, their unknowns in
 * ascending order. */
static int block_fill(dwmtj_circuit *c, eng_block *b, int k, const int *size)
{
    for (int g = 0; g < c->n_groups; g++)
        if (c->group_block[g] == k) {
            b->n += size[g];
            b->n_groups++;
        }
    b->row = malloc(sizeof(int) * (size_t)b->n);
    b->group = malloc(sizeof(int) * (size_t)b->n_groups);
    if (!b->row || !b->group)
        return DWMTJ_E_ERR_NOMEM;
    int m = 0, ng = 0;
    for (int g = 0; g < c->n_groups; g++)
        if (c->group_block[g] == k)
            b->group[ng++] = g;
    for (int r = 0; r < c->n_nl; r++)
        if (c->group_block[c->row_group[r]] == k) {
            c->row_local[r] = m;
            b->scale |= r >= c->n_nl_nodes; /* a branch unknown's unit entries */
            b->row[m++] = r;
        }
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
        if (size[g] <= dense_max) {
            c->group_block[g] = c->n_blk++;
            c->blk[c->group_block[g]].ops = &dense_ops;
            c->stats.groups_dense++;
        } else {
            if (klu_block < 0) {
                klu_block = c->n_blk++;
                c->blk[klu_block].ops = &klu_ops;
            }
            c->group_block[g] = klu_block;
            c->stats.groups_klu++;
        }
    }
    int rc = DWMTJ_E_OK;
    for (int k = 0; k < c->n_blk && rc == DWMTJ_E_OK; k++) {
        eng_block *b = &c->blk[k];
        rc = block_fill(c, b, k, size);
        if (rc == DWMTJ_E_OK)
            rc = b->ops->setup(c, b);
    }
    free(size);
    return rc;
}

int eng_blocks_solve(dwmtj_circuit *c, double *dx)
{
    for (int k = 0; k < c->n_blk; k++) {
        eng_block *b = &c->blk[k];
        int open = 0;
        for (int j = 0; j < b->n_groups && !open; j++)
            open = !c->group_done[b->group[j]];
        if (!open) {
            for (int i = 0; i < b->n; i++)
                dx[b->row[i]] = 0.0; /* done: no further change there */
            continue;
        }
        c->stats.refactors++;
        int rc = b->ops->factor(c, b);
        if (rc == DWMTJ_E_OK)
            rc = b->ops->solve(c, b, dx);
        if (rc != DWMTJ_E_OK)
            return rc;
    }
    return DWMTJ_E_OK;
}
