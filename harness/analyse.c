/* Analysis of a run of an instrumented deck: events, energy and latency
 * per spike (dwmtj_harness.h).
 *
 * Conventions (checked in ngspice 39 with a resistor on a source):
 *  - the branch current "V#branch" of a voltage source flows from its +
 *    node through the source to its - node; the harness's probe
 *    "vdwmtj_NAME_T USER dwmtj_NAME_T 0" has + on the user's node, so its
 *    branch current is the current into the device terminal T;
 *  - "@I[current]" of a current source, "@B[i]" of a behavioural current
 *    source and "@F[i]", "@G[i]" of the controlled current sources also
 *    flow from n+ through the source to n-, as do the branch currents of
 *    B (V=), E and H;
 *  - so every source delivers p = -(V(n+) - V(n-)) * i to the circuit
 *    (1 V across 1 kOhm: V#branch = -1 mA, p = +1 mW).
 * Energies are trapezoids over the simulator's own time points, the rule
 * the code model uses for its energy monitors. */
#include "harness_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PJ 1e-12 /* J per pJ: the energy monitors are in pJ */

/* Monitor of the energy of each phase (dwmtj_phase order). */
static const int phase_mon[DWMTJ_NPHASE] = {
    [DWMTJ_PHASE_IDLE] = DWMTJ_MON_EIDLE,
    [DWMTJ_PHASE_WRITE] = DWMTJ_MON_EW,
    [DWMTJ_PHASE_INTEGRATE] = DWMTJ_MON_EI,
    [DWMTJ_PHASE_FIRE] = DWMTJ_MON_EF,
    [DWMTJ_PHASE_RESET] = DWMTJ_MON_ER,
};

/* Trapezoid of y over t from index i0 to i1. */
static double trapezoid(const double *t, const double *y, int i0, int i1)
{
    double e = 0.0;
    for (int i = i0 + 1; i <= i1; i++)
        e += 0.5 * (y[i] + y[i - 1]) * (t[i] - t[i - 1]);
    return e;
}

/* First index in [from, to) where the count c went up against the point
 * before, the count before the first point being 0 (the clocked periphery
 * writes at the operating point, index 0); -1 if none. */
static int next_increment(const double *c, int from, int to)
{
    for (int i = from > 0 ? from : 0; i < to; i++)
        if (c[i] >= (i > 0 ? c[i - 1] : 0.0) + 0.5)
            return i;
    return -1;
}

/* Start of the first integrating pulse between the write (index iw) and
 * the fire (index ifire): the first rising crossing of half the largest
 * |v_drive| in [iw, ifire], interpolated linearly between time points.
 * With no drive, or a drive already above half when the domain was
 * written and not falling below it before the fire, the write time. */
static double first_pulse(const double *t, const double *vd, int iw, int ifire)
{
    double vmax = 0.0;
    for (int i = iw; i <= ifire; i++)
        vmax = fmax(vmax, fabs(vd[i]));
    if (!(vmax > 0.0))
        return t[iw];
    double half = 0.5 * vmax;
    for (int i = iw + 1; i <= ifire; i++) {
        double a = fabs(vd[i - 1]), b = fabs(vd[i]);
        if (a <= half && b > half)
            return t[i - 1] + (half - a) / (b - a) * (t[i] - t[i - 1]);
    }
    return t[iw];
}

/* Boundary before the write at index iw when no reset preceded it (the
 * domain before was lost, or the run started with the write): the start
 * of the run of write-energy increases that ends at the write, not before
 * lo. */
static int write_phase_start(const double *ew, int lo, int iw)
{
    int b = iw;
    while (b - 1 >= lo && ew[b] > ew[b - 1])
        b--;
    return b;
}

int dwmtj_events(int neuron, int n, const double *t, const double *const mon[13],
                 const double *v_drive, const double *p_vi, dwmtj_spike **spikes,
                 int *n_spikes)
{
    if (n < 0 || (n > 0 && !t) || !mon || !spikes || !n_spikes || *n_spikes < 0)
        return DWMTJ_H_ERR_USAGE;
    if (n == 0)
        return DWMTJ_H_OK;
    for (int k = DWMTJ_MON_EW; k <= DWMTJ_MON_NR; k++)
        if (k != DWMTJ_MON_ND && !mon[k])
            return DWMTJ_H_ERR_USAGE;
    const double *nw = mon[DWMTJ_MON_NW], *nf = mon[DWMTJ_MON_NF], *nr = mon[DWMTJ_MON_NR];
    const double *ew = mon[DWMTJ_MON_EW];
    int start = 0; /* where the next spike's energy interval begins */
    int iw = next_increment(nw, 0, n);
    while (iw >= 0) {
        int inext = next_increment(nw, iw + 1, n); /* next write, or -1 */
        int lim = inext >= 0 ? inext : n;
        int ifire = next_increment(nf, iw, lim);
        if (ifire < 0) { /* no spike: its energy goes to the next spike */
            iw = inext;
            continue;
        }
        int ireset = next_increment(nr, ifire, lim);
        int end;
        if (ireset >= 0)
            end = ireset;
        else if (inext >= 0)
            end = write_phase_start(ew, ifire, inext);
        else
            end = n - 1;
        if (end < start)
            end = start;
        dwmtj_spike sp;
        memset(&sp, 0, sizeof sp);
        sp.neuron = neuron;
        sp.t_write = t[iw];
        sp.t_fire = t[ifire];
        sp.t_first = v_drive ? first_pulse(t, v_drive, iw, ifire) : NAN;
        sp.t_reset = ireset >= 0 ? t[ireset] : NAN;
        sp.latency = sp.t_fire - sp.t_first;
        sp.reset_latency = sp.t_reset - sp.t_fire;
        for (int ph = 0; ph < DWMTJ_NPHASE; ph++) {
            const double *e = mon[phase_mon[ph]];
            sp.energy[ph] = PJ * (e[end] - e[start]);
        }
        sp.energy_vi = p_vi ? trapezoid(t, p_vi, start, end) : NAN;
        dwmtj_spike *v = realloc(*spikes, (size_t)(*n_spikes + 1) * sizeof *v);
        if (!v)
            return DWMTJ_H_ERR_NOMEM;
        *spikes = v;
        v[(*n_spikes)++] = sp;
        start = end;
        iw = inext;
    }
    return DWMTJ_H_OK;
}

void dwmtj_report_free(dwmtj_report *r)
{
    if (!r)
        return;
    free(r->neuron);
    free(r->spike);
    memset(r, 0, sizeof *r);
}

/* Spikes in time order: by fire time, then neuron. */
static int spike_cmp(const void *a, const void *b)
{
    const dwmtj_spike *x = a, *y = b;
    if (x->t_fire < y->t_fire)
        return -1;
    if (x->t_fire > y->t_fire)
        return 1;
    return (x->neuron > y->neuron) - (x->neuron < y->neuron);
}

/* A vector of the run with the length of time. */
static int vec(dwmtj_session *s, const char *name, int n, const double **data)
{
    int len = 0;
    int rc = dwmtj_session_vector(s, name, data, &len);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!*data || len != n)
        return DWMTJ_H_ERR_VECTOR;
    return DWMTJ_H_OK;
}

int dwmtj_analyse(dwmtj_session *s, const dwmtj_netlist *nl, dwmtj_report *r)
{
    if (!r)
        return DWMTJ_H_ERR_USAGE;
    memset(r, 0, sizeof *r);
    if (!s || !nl)
        return DWMTJ_H_ERR_USAGE;
    const double *t;
    int n = 0;
    int rc = dwmtj_session_vector(s, "time", &t, &n);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!t || n < 1)
        return DWMTJ_H_ERR_VECTOR;
    double *p = malloc((size_t)n * sizeof *p), *vd = malloc((size_t)n * sizeof *vd);
    if (!p || !vd) {
        rc = DWMTJ_H_ERR_NOMEM;
        goto out;
    }
    r->t_stop = t[n - 1];
    if (nl->n_neuron > 0) {
        r->neuron = calloc((size_t)nl->n_neuron, sizeof *r->neuron);
        if (!r->neuron) {
            rc = DWMTJ_H_ERR_NOMEM;
            goto out;
        }
    }
    r->n_neuron = nl->n_neuron;
    char name[1024];
    for (int j = 0; j < nl->n_neuron && rc == DWMTJ_H_OK; j++) {
        dwmtj_neuron_report *nr = &r->neuron[j];
        snprintf(nr->name, sizeof nr->name, "%s", nl->neuron[j].name);
        const double *mon[DWMTJ_H_NMON], *v[4], *i[4];
        for (int k = 0; k < DWMTJ_H_NMON && rc == DWMTJ_H_OK; k++)
            rc = vec(s, nl_vec_mon(nl, j, k, name, sizeof name), n, &mon[k]);
        for (int k = 0; k < 4 && rc == DWMTJ_H_OK; k++) {
            rc = vec(s, nl_vec_term(nl, j, k, name, sizeof name), n, &v[k]);
            if (rc != DWMTJ_H_OK)
                break;
            rc = vec(s, nl_vec_probe(nl, j, k, name, sizeof name), n, &i[k]);
        }
        if (rc != DWMTJ_H_OK)
            break;
        for (int q = 0; q < n; q++) {
            p[q] = v[0][q] * i[0][q] + v[1][q] * i[1][q] + v[2][q] * i[2][q] +
                   v[3][q] * i[3][q];
            vd[q] = v[0][q] - v[1][q];
        }
        nr->writes = (int)lround(mon[DWMTJ_MON_NW][n - 1]);
        nr->depins = (int)lround(mon[DWMTJ_MON_ND][n - 1]);
        nr->fires = (int)lround(mon[DWMTJ_MON_NF][n - 1]);
        nr->resets = (int)lround(mon[DWMTJ_MON_NR][n - 1]);
        nr->n_soa = (int)lround(mon[DWMTJ_MON_NSOA][n - 1]);
        nr->temp_max = mon[DWMTJ_MON_T][0];
        for (int q = 1; q < n; q++)
            nr->temp_max = fmax(nr->temp_max, mon[DWMTJ_MON_T][q]);
        for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
            nr->energy[ph] = PJ * mon[phase_mon[ph]][n - 1];
        nr->energy_vi = trapezoid(t, p, 0, n - 1);
        rc = dwmtj_events(j, n, t, mon, vd, p, &r->spike, &r->n_spike);
    }
    /* energy delivered by the sources */
    for (int j = 0; j < nl->n_source && rc == DWMTJ_H_OK; j++) {
        const dwmtj_nl_source *src = &nl->source[j];
        const double *cur, *vn[2] = { NULL, NULL };
        rc = vec(s, src->current, n, &cur);
        for (int k = 0; k < 2 && rc == DWMTJ_H_OK; k++)
            if (src->node[k]) {
                snprintf(name, sizeof name, "v(%s)", src->node[k]);
                rc = vec(s, name, n, &vn[k]);
            }
        if (rc != DWMTJ_H_OK)
            break;
        for (int q = 0; q < n; q++) {
            double u = (vn[0] ? vn[0][q] : 0.0) - (vn[1] ? vn[1][q] : 0.0);
            p[q] = -u * cur[q];
        }
        r->energy_sources += trapezoid(t, p, 0, n - 1);
    }
    if (rc == DWMTJ_H_OK && r->n_spike > 1)
        qsort(r->spike, (size_t)r->n_spike, sizeof *r->spike, spike_cmp);
out:
    free(p);
    free(vd);
    if (rc != DWMTJ_H_OK)
        dwmtj_report_free(r);
    return rc;
}

/* Means over the spikes (NaN where no spike defines them); standard
 * deviations over the spikes themselves (divided by their number). */
void dwmtj_summarise(const dwmtj_report *r, dwmtj_summary *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->energy_per_spike = out->energy_per_spike_sd = NAN;
    out->energy_vi_per_spike = out->circuit_energy_per_spike = NAN;
    out->latency = out->latency_sd = out->reset_latency = NAN;
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
        out->energy_phase[ph] = NAN;
    if (!r || r->n_spike <= 0 || !r->spike)
        return;
    int n = r->n_spike;
    out->spikes = n;
    double e = 0.0, evi = 0.0, ph[DWMTJ_NPHASE] = { 0 }, lat = 0.0, rl = 0.0;
    int nlat = 0, nvi = 0, nrl = 0;
    for (int k = 0; k < n; k++) {
        const dwmtj_spike *sp = &r->spike[k];
        for (int q = 0; q < DWMTJ_NPHASE; q++) {
            ph[q] += sp->energy[q];
            e += sp->energy[q];
        }
        if (isfinite(sp->energy_vi)) {
            evi += sp->energy_vi;
            nvi++;
        }
        if (isfinite(sp->latency)) {
            lat += sp->latency;
            nlat++;
        }
        if (isfinite(sp->reset_latency)) {
            rl += sp->reset_latency;
            nrl++;
        }
    }
    double me = e / n, ml = nlat ? lat / nlat : NAN, se = 0.0, sl = 0.0;
    for (int k = 0; k < n; k++) { /* second pass: deviations */
        const dwmtj_spike *sp = &r->spike[k];
        double tot = 0.0;
        for (int q = 0; q < DWMTJ_NPHASE; q++)
            tot += sp->energy[q];
        se += (tot - me) * (tot - me);
        if (isfinite(sp->latency))
            sl += (sp->latency - ml) * (sp->latency - ml);
    }
    out->energy_per_spike = me;
    out->energy_per_spike_sd = sqrt(se / n);
    for (int q = 0; q < DWMTJ_NPHASE; q++)
        out->energy_phase[q] = ph[q] / n;
    if (nvi)
        out->energy_vi_per_spike = evi / nvi;
    out->circuit_energy_per_spike = r->energy_sources / n;
    if (nlat) {
        out->latency = ml;
        out->latency_sd = sqrt(sl / nlat);
    }
    if (nrl)
        out->reset_latency = rl / nrl;
}
