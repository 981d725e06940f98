/* Electrical side: derived constants, MTJ overlaps and resistances, and the
 * Kron reduction of the six-node network (four terminals, the two track
 * points under the MTJ centres) to the 4x4 terminal conductance matrix. */
#include "dwmtj_internal.h"

#include <math.h>
#include <string.h>

/* CODATA 2018. */
#define MU_B 9.2740100783e-24   /* J/T, Bohr magneton */
#define Q_E 1.602176634e-19     /* C, elementary charge */
#define G_LANDE 2.0             /* 1, electron g factor (paper's g) */
#define GAMMA_MU0 2.2127609e5   /* m/(A s), gyromagnetic ratio times mu0 */

int dwmtj_derive(const dwmtj_params *p, dwmtj_derived *d)
{
    if (!p || !d)
        return DWMTJ_ERR_NULL;
    int st = dwmtj_params_check(p);
    if (st < 0)
        return st;
    memset(d, 0, sizeof *d);
    d->p = *p;
    if (d->p.temp == 0.0)
        d->p.temp = DWMTJ_T_DEFAULT; /* no host said otherwise */
    d->area = p->width * p->thick;
    /* segment resistance rho l / (w d) between IN, the two MTJ points, GND */
    double r_per_m = p->rho / d->area;
    d->g_seg[0] = 1.0 / (r_per_m * p->xa);
    d->g_seg[1] = 1.0 / (r_per_m * (p->xb - p->xa));
    d->g_seg[2] = 1.0 / (r_per_m * (p->length - p->xb));
    /* paper, Eq. for v: spin-transfer term g muB P j / (2 e Msat) */
    d->stt = p->eta * G_LANDE * MU_B * p->pol / (2.0 * Q_E * p->ms);
    /* paper, Eq. for v: field term gamma Delta Heff / alpha (Heff in A/m) */
    d->v_field = GAMMA_MU0 * p->dw_width * p->heff / p->alpha;
    d->x_mtj[0] = p->xa;
    d->x_mtj[1] = p->xb;
    d->l_mtj[0] = p->la;
    d->l_mtj[1] = p->lb;
    d->gp[0] = 1.0 / p->rp_a;
    d->gap[0] = 1.0 / p->rap_a;
    d->gp[1] = 1.0 / p->rp_b;
    d->gap[1] = 1.0 / p->rap_b;
    d->flat = p->j_pin_w == 0.0 && p->j_pin_t0 == 0.0 && p->j_pin_t1 == 0.0 &&
              p->j_pin_r == 0.0 && p->j_pin_out == 0.0;
    d->model = p->model == DWMTJ_MODEL_THERMAL ? DWMTJ_MODEL_THERMAL : DWMTJ_MODEL_PAPER;
    d->t_amb = p->temp > 0.0 ? p->temp : DWMTJ_T_DEFAULT;
    if (d->model == DWMTJ_MODEL_THERMAL) {
        /* the device as drawn (dev_seed), then what depends on it */
        int dt = dwmtj_derive_thermal(d);
        if (dt < 0)
            return dt;
        p = &d->p;
        d->stt = G_LANDE * MU_B * p->pol / (2.0 * Q_E * p->ms); /* eta is the paper's */
        r_per_m = p->rho / d->area;
        d->g_seg[0] = 1.0 / (r_per_m * p->xa);
        d->g_seg[1] = 1.0 / (r_per_m * (p->xb - p->xa));
        d->g_seg[2] = 1.0 / (r_per_m * (p->length - p->xb));
        d->gp[0] = 1.0 / p->rp_a;
        d->gap[0] = 1.0 / p->rap_a;
        d->gp[1] = 1.0 / p->rp_b;
        d->gap[1] = 1.0 / p->rap_b;
    }
    /* pillar A's terminal sits at the track point between segments 1
     * and 2, B's between 2 and 3 (dwmtj_solve's network) */
    double r1 = 1.0 / d->g_seg[0], r2 = 1.0 / d->g_seg[1], r3 = 1.0 / d->g_seg[2];
    d->r_open[DWMTJ_IN] = r1 + r2 + r3;
    d->r_open[DWMTJ_GND] = 0.0;
    d->r_open[DWMTJ_A] = r2 + r3;
    d->r_open[DWMTJ_B] = r3;
    d->tmr0[0] = p->rap_a / p->rp_a - 1.0;
    d->tmr0[1] = p->rap_b / p->rp_b - 1.0;
    for (int k = 0; k < 2; k++) {
        double rp = 1.0 / d->gp[k], rap = 1.0 / d->gap[k];
        double g_mid = 2.0 / (rp + rap);
        d->f_mid[k] = (d->gp[k] - g_mid) / (d->gp[k] - d->gap[k]);
    }
    return st; /* DWMTJ_OK or a warning */
}

double dwmtj_velocity_free(const dwmtj_derived *d, double j)
{
    return d ? d->v_field + d->stt * j : NAN;
}

double dwmtj_position(const dwmtj_state *s)
{
    if (!s || !s->present)
        return NAN;
    return 0.5 * (s->x_lo + s->x_hi);
}

double dwmtj_energy_total(const dwmtj_state *s)
{
    double e = 0.0;
    if (s)
        for (int k = 0; k < DWMTJ_NPHASE; k++)
            e += s->energy[k];
    return e;
}

/* Overlap of [lo, hi] (clipped to the track) with pillar k, as a fraction
 * of the pillar length, and its derivative for a rigid shift of the domain. */
void dwmtj_overlap_one(const dwmtj_derived *d, double lo, double hi, int k,
                       double *f, double *df_dx)
{
    double len = d->p.length;
    double a = d->x_mtj[k] - 0.5 * d->l_mtj[k], b = d->x_mtj[k] + 0.5 * d->l_mtj[k];
    double clo = lo < 0.0 ? 0.0 : lo, chi = hi > len ? len : hi;
    double o = fmin(chi, b) - fmax(clo, a);
    double slope = 0.0;
    if (o > 0.0) {
        if (hi > a && hi < b && hi < len)
            slope += 1.0;
        if (lo > a && lo < b && lo > 0.0)
            slope -= 1.0;
    } else {
        o = 0.0;
    }
    *f = o / d->l_mtj[k];
    if (df_dx)
        *df_dx = slope / d->l_mtj[k];
}

void dwmtj_overlap(const dwmtj_derived *d, const dwmtj_state *s, double f[2])
{
    for (int k = 0; k < 2; k++) {
        f[k] = 0.0;
        if (d && s && s->present)
            dwmtj_overlap_one(d, s->x_lo, s->x_hi, k, &f[k], NULL);
    }
}

void dwmtj_mtj_conductance(const dwmtj_derived *d, const double f[2], double g[2])
{
    for (int k = 0; k < 2; k++)
        g[k] = f[k] * d->gap[k] + (1.0 - f[k]) * d->gp[k];
}

void dwmtj_mtj_resistance(const dwmtj_derived *d, const dwmtj_state *s, double r[2])
{
    double f[2], g[2];
    dwmtj_overlap(d, s, f);
    dwmtj_mtj_conductance(d, f, g);
    r[0] = 1.0 / g[0];
    r[1] = 1.0 / g[1];
}

void dwmtj_solve(const dwmtj_derived *d, double ga, double gb,
                 const double v[DWMTJ_NTERM], dwmtj_net *n)
{
    double g1 = d->g_seg[0], g2 = d->g_seg[1], g3 = d->g_seg[2];
    double a = g1 + g2 + ga, dd = g2 + g3 + gb;
    double det = a * dd - g2 * g2;
    n->ga = ga;
    n->gb = gb;
    /* rows of Y_ii^-1 Y_ie (sign flipped): sensitivities of the internal
     * voltages to the terminal voltages */
    double spa[DWMTJ_NTERM] = { dd * g1 / det, g2 * g3 / det, dd * ga / det, g2 * gb / det };
    double spb[DWMTJ_NTERM] = { g2 * g1 / det, a * g3 / det, g2 * ga / det, a * gb / det };
    memcpy(n->dvpa, spa, sizeof spa);
    memcpy(n->dvpb, spb, sizeof spb);
    n->vpa = n->vpb = 0.0;
    for (int k = 0; k < DWMTJ_NTERM; k++) {
        n->vpa += spa[k] * v[k];
        n->vpb += spb[k] * v[k];
    }
    /* G = Y_ee - Y_ei Y_ii^-1 Y_ie, row by row from the branch that joins
     * each terminal to its internal point */
    static const int e_in[DWMTJ_NTERM] = { 1, 0, 0, 0 };
    static const int e_gnd[DWMTJ_NTERM] = { 0, 1, 0, 0 };
    static const int e_a[DWMTJ_NTERM] = { 0, 0, 1, 0 };
    static const int e_b[DWMTJ_NTERM] = { 0, 0, 0, 1 };
    for (int j = 0; j < DWMTJ_NTERM; j++) {
        n->G[DWMTJ_IN][j] = g1 * (e_in[j] - spa[j]);
        n->G[DWMTJ_GND][j] = g3 * (e_gnd[j] - spb[j]);
        n->G[DWMTJ_A][j] = ga * (e_a[j] - spa[j]);
        n->G[DWMTJ_B][j] = gb * (e_b[j] - spb[j]);
    }
    n->i[DWMTJ_IN] = g1 * (v[DWMTJ_IN] - n->vpa);
    n->i[DWMTJ_GND] = g3 * (v[DWMTJ_GND] - n->vpb);
    n->i[DWMTJ_A] = ga * (v[DWMTJ_A] - n->vpa);
    n->i[DWMTJ_B] = gb * (v[DWMTJ_B] - n->vpb);
    /* track segment currents along +x and MTJ currents track -> pillar */
    n->i_seg[0] = n->i[DWMTJ_IN];
    n->i_seg[1] = g2 * (n->vpa - n->vpb);
    n->i_seg[2] = -n->i[DWMTJ_GND];
    n->i_mtj[0] = -n->i[DWMTJ_A];
    n->i_mtj[1] = -n->i[DWMTJ_B];
    for (int j = 0; j < DWMTJ_NTERM; j++) {
        n->di_seg[0][j] = n->G[DWMTJ_IN][j];
        n->di_seg[1][j] = g2 * (spa[j] - spb[j]);
        n->di_seg[2][j] = -n->G[DWMTJ_GND][j];
    }
    /* d i / d ga and d i / d gb at fixed terminal voltages: perturbing a
     * branch conductance shifts the internal voltages by -Y_ii^-1 r */
    double ra = n->vpa - v[DWMTJ_A], rb = n->vpb - v[DWMTJ_B];
    double dpa_a = -dd * ra / det, dpb_a = -g2 * ra / det;
    double dpa_b = -g2 * rb / det, dpb_b = -a * rb / det;
    n->di_dga[DWMTJ_IN] = -g1 * dpa_a;
    n->di_dga[DWMTJ_GND] = -g3 * dpb_a;
    n->di_dga[DWMTJ_A] = -ra - ga * dpa_a;
    n->di_dga[DWMTJ_B] = -gb * dpb_a;
    n->di_dgb[DWMTJ_IN] = -g1 * dpa_b;
    n->di_dgb[DWMTJ_GND] = -g3 * dpb_b;
    n->di_dgb[DWMTJ_A] = -ga * dpa_b;
    n->di_dgb[DWMTJ_B] = -rb - gb * dpb_b;
}

/* AP conductance of MTJ k at barrier voltage V (TMR(V) = TMR0/(1+(V/v_h)^2))
 * and its derivative in V. */
static double g_ap(const dwmtj_derived *d, int k, double V, double *dg_dv)
{
    double vh = d->p.v_h, t0 = d->tmr0[k];
    *dg_dv = 0.0;
    if (!(vh > 0.0))
        return d->gap[k];
    double x = V / vh, den = 1.0 + x * x, tmr = t0 / den;
    double g = d->gp[k] / (1.0 + tmr);
    /* d/dV 1/(R_P (1 + TMR)) = -gp TMR' / (1 + TMR)^2, TMR' = -2 t0 x / (vh den^2) */
    double dtmr = -2.0 * t0 * x / (vh * den * den);
    *dg_dv = -d->gp[k] * dtmr / ((1.0 + tmr) * (1.0 + tmr));
    return g;
}

void dwmtj_solve_mtj(const dwmtj_derived *d, const double f[2], const double v[DWMTJ_NTERM],
                     dwmtj_net *n, double vbar[2], double dg_df[2])
{
    double g[2], dg[2] = { 0.0, 0.0 }, vb[2] = { 0.0, 0.0 };
    for (int k = 0; k < 2; k++)
        g[k] = f[k] * d->gap[k] + (1.0 - f[k]) * d->gp[k];
    dwmtj_solve(d, g[0], g[1], v, n);
    vb[0] = v[DWMTJ_A] - n->vpa;
    vb[1] = v[DWMTJ_B] - n->vpb;
    int bias = d->p.v_h > 0.0 && (f[0] > 0.0 || f[1] > 0.0);
    for (int it = 0; bias && it < 100; it++) {
        double gn[2], delta = 0.0;
        for (int k = 0; k < 2; k++) {
            double dgv;
            gn[k] = f[k] * g_ap(d, k, vb[k], &dgv) + (1.0 - f[k]) * d->gp[k];
            delta = fmax(delta, fabs(gn[k] - g[k]) / g[k]);
        }
        g[0] = gn[0];
        g[1] = gn[1];
        dwmtj_solve(d, g[0], g[1], v, n);
        vb[0] = v[DWMTJ_A] - n->vpa;
        vb[1] = v[DWMTJ_B] - n->vpb;
        if (delta < 1e-14)
            break;
    }
    for (int k = 0; k < 2; k++) {
        double dgv, gap = g_ap(d, k, vb[k], &dgv);
        dg[k] = f[k] * dgv;
        if (dg_df)
            dg_df[k] = gap - d->gp[k];
    }
    if (vbar) {
        vbar[0] = vb[0];
        vbar[1] = vb[1];
    }
    if (bias && (dg[0] != 0.0 || dg[1] != 0.0)) {
        /* the Jacobian: incremental conductances g + V dg/dV */
        double G[DWMTJ_NTERM][DWMTJ_NTERM];
        dwmtj_conductance(d, g[0] + vb[0] * dg[0], g[1] + vb[1] * dg[1], G);
        memcpy(n->G, G, sizeof G);
    }
}

void dwmtj_conductance(const dwmtj_derived *d, double ga, double gb,
                       double G[DWMTJ_NTERM][DWMTJ_NTERM])
{
    static const double zero[DWMTJ_NTERM] = { 0, 0, 0, 0 };
    dwmtj_net n;
    if (!d || !G)
        return;
    dwmtj_solve(d, ga, gb, zero, &n);
    memcpy(G, n.G, sizeof n.G);
}
