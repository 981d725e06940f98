/* The DW-MTJ neuron: one libdwmtj "scaled" device per neuron, current
 * driven, with an ideal write after each ejection. */
#include "snn_neuron.h"

#include "dwmtj_snn.h"

#include <math.h>
#include <stdio.h>

/* Records a failed call; returns the snn status for it. */
int snn_devfail_set(snn_devfail *f, int rc, int status, const char *call, int layer,
                    int neuron, int step)
{
    f->status = status;
    f->call = call;
    f->layer = layer;
    f->neuron = neuron;
    f->step = step;
    return rc;
}

void snn_devfail_message(const snn_devfail *f, char *buf, size_t n)
{
    char where[96] = "";
    if (f->layer > 0 && f->step >= 0)
        snprintf(where, sizeof where, " at layer %d, neuron %d, step %d", f->layer, f->neuron,
                 f->step);
    else if (f->neuron >= 0)
        snprintf(where, sizeof where, " at neuron %d%s", f->neuron,
                 f->step < 0 ? " (the domain written at the image's start)" : "");
    if (f->status == 0) /* a value, not a status, was wrong */
        snprintf(buf, n, "%s%s", f->call ? f->call : "libdwmtj", where);
    else
        snprintf(buf, n, "%s returned %s %d (%s)%s%s", f->call ? f->call : "libdwmtj",
                 f->status > 0 ? "warning" : "error", f->status, dwmtj_status_string(f->status),
                 where,
                 f->status > 0 ? ": a warning of the device model is not a result here" : "");
}

const char *snn_dw_set(int kind)
{
    return kind == DWMTJ_KIND_DWMTJ_THERMAL ? "scaled-thermal" : "scaled";
}

double dwmtj_snn_default_i_max(int kind)
{
    return kind == DWMTJ_KIND_DWMTJ_THERMAL ? 100e-6 : 200e-6;
}

/* m/A, d (domain centre at t1) / d (drive at t1) of the free flow over one
 * trapezoid step of length h at temperature T: the thermal kind's
 * surrogate for the device's dx_di, which is 0 whenever the domain ends
 * the step held at a site (straight through the pinning and its escape). */
static double flow_dx_di(const dwmtj_derived *d, double T, double h)
{
    double stt = d->stt * d->p.ms / dwmtj_ms_at(d, T);
    return stt * 0.5 * h / (d->p.width * d->p.thick);
}

int snn_dw_setup(snn_dw *dw, const dwmtj_weights *net, double i_max, double k, int smooth,
                 int clamp_ramp, snn_devfail *fail)
{
    dwmtj_params p;
    int st = dwmtj_params_set(&p, snn_dw_set(net->kind));
    if (st != DWMTJ_OK)
        return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_params_set", 0, -1, -1);
    p.sigma = net->kind == DWMTJ_KIND_DWMTJ_NOISY ? net->sigma : 0.0;
    p.t_slot = net->dt;
    p.seed = net->seed;
    /* a warning too (dt below 1 ps with noise): the network is not run on it */
    if ((st = dwmtj_derive(&p, &dw->d)) != DWMTJ_OK)
        return snn_devfail_set(fail, st < 0 ? DWMTJ_SNN_ERR_VALUE : DWMTJ_SNN_ERR_DEVICE, st,
                       "dwmtj_derive", 0, -1, -1);
    dwmtj_state s;
    dwmtj_state_init(&s, 0.0);
    if ((st = dwmtj_write(&dw->d, &s, 0)) != DWMTJ_OK)
        return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_write", 0, -1, -1);
    dw->D0 = dwmtj_fire_distance(&dw->d, &s);
    if (!(dw->D0 > 0.0))
        return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, 0,
                       "dwmtj_fire_distance (not > 0 for a fresh domain)", 0, -1, -1);
    dw->gain = net->gain;
    dw->i_max = i_max;
    dw->dt = net->dt;
    dw->k = k;
    dw->smooth = smooth;
    dw->clamp_ramp = clamp_ramp || net->periphery == DWMTJ_PERIPH_CONTINUOUS;
    dw->cell = net->periphery == DWMTJ_PERIPH_CELL;
    /* the flat device: v = v_field + stt j, j = I / area (paper's formula) */
    dw->mu = dw->d.stt / dw->d.area;
    if (dw->cell)
        snn_cell_setup(dw, net);
    dw->thermal = net->kind == DWMTJ_KIND_DWMTJ_THERMAL;
    return DWMTJ_SNN_OK;
}

int snn_dw_begin(const snn_dw *dw, snn_dw_neuron *nr, int n, snn_devfail *fail)
{
    for (int o = 0; o < n && dw->cell; o++) {
        int st = snn_cell_begin(dw, &nr[o], o, fail);
        if (st)
            return st;
    }
    for (int o = 0; o < n && !dw->cell; o++) {
        dwmtj_state_init(&nr[o].s, 0.0);
        int st = dwmtj_write(&dw->d, &nr[o].s, 0);
        if (st != DWMTJ_OK)
            return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_write", 0, o, -1);
        nr[o].fresh = 1;
        nr[o].gm_prev = 0.0;
        nr[o].i_prev = 0.0;
    }
    return DWMTJ_SNN_OK;
}

/* The device from a (at a->t) to tb under the drive linear to ib there,
 * as the engine's per-neuron points take it: where libdwmtj reports that
 * the domain turns inside the step through an MTJ's window (t_turn, which
 * the step's ends do not show), the step ends at the turn, its drive the
 * line's there, and goes on from it (eng_devices_turn, engine_part.c's
 * part_advance); without that a domain that reaches the fire on a turn
 * would fire in the circuit and not here. */
static int piece_to(const snn_dw *dw, uint64_t key, dwmtj_state *a, double tb, double ib,
                    dwmtj_state *s1, double *dx_di)
{
    const double tol = 1e-9 * dw->dt;
    for (int turns = 0;; turns++) {
        dwmtj_eval ev;
        double ia = a->i_term[DWMTJ_IN], ta = a->t;
        int st = dwmtj_step_open(&dw->d, key, a, tb, ib, s1, &ev, dx_di, 0);
        if (st == DWMTJ_WARN_UNSEEN)
            st = DWMTJ_OK; /* A and B open: no circuit senses the MTJs */
        if (st != DWMTJ_OK || turns == 8 || !(ev.t_turn > ta + tol && ev.t_turn < tb - tol))
            return st;
        double tm = ev.t_turn;
        st = dwmtj_step_current(&dw->d, key, a, tm, ia + (ib - ia) * (tm - ta) / (tb - ta), s1,
                                NULL);
        if (st != DWMTJ_OK)
            return st;
        *a = *s1;
    }
}

/* The step from s0 to t1 under the drive I1 (clamped) at t1; with
 * clamp_ramp, the drive is the clamp of the line from i0 to i1 (both
 * unclamped), cut where that line crosses +-i_max so that each piece is a
 * straight line, as dwmtj_step_current integrates, and at the domain's
 * turns (piece_to), and w[1], w[0] are the drive's weights in the motion:
 * int s 1[|line(s)| < i_max] ds and the same with 1 - s over the step's
 * fraction s (issue 4's closing note: x(t1) gains mu h int clamp(line(s))
 * ds). */
static int ramp_step(const snn_dw *dw, uint64_t key, const dwmtj_state *s0, double t1,
                     double i0, double i1, double I1, dwmtj_state *s1, double *dx_di,
                     double w[2])
{
    w[0] = w[1] = 0.0;
    if (!dw->clamp_ramp)
        return dwmtj_step_current(&dw->d, key, s0, t1, I1, s1, dx_di);
    double cut[3];
    int n = 0;
    for (int k = 0; k < 2; k++) {
        double lim = k ? -dw->i_max : dw->i_max;
        if ((i0 - lim) * (i1 - lim) < 0.0)
            cut[n++] = (lim - i0) / (i1 - i0);
    }
    if (n == 2 && cut[1] < cut[0]) {
        double c = cut[0];
        cut[0] = cut[1];
        cut[1] = c;
    }
    cut[n] = 1.0;
    double ta = s0->t, h = t1 - ta, sa = 0.0;
    dwmtj_state a = *s0;
    for (int k = 0; k <= n; k++) {
        double sb = cut[k];
        if (fabs(i0 + (i1 - i0) * 0.5 * (sa + sb)) < dw->i_max) {
            double q = 0.5 * (sb * sb - sa * sa);
            w[1] += q;
            w[0] += (sb - sa) - q;
        }
        sa = sb;
        if (k == n)
            break;
        double ik = fmax(-dw->i_max, fmin(dw->i_max, i0 + (i1 - i0) * cut[k]));
        int st = piece_to(dw, key, &a, ta + h * cut[k], ik, s1, NULL);
        if (st != DWMTJ_OK)
            return st;
        a = *s1;
    }
    return piece_to(dw, key, &a, t1, I1, s1, dx_di);
}

int snn_dw_step(const snn_dw *dw, snn_dw_neuron *nr, int n, int layer, uint64_t image,
                int t, const double *a, double *s, double *psi, double *A, double *B,
                unsigned char *C, double *u, snn_devfail *fail)
{
    double t1 = (double)(t + 1) * dw->dt;
    uint64_t kl = snn_mix64(snn_mix64((uint64_t)layer + 0x5157ULL) ^ image);
    for (int o = 0; o < n && dw->cell; o++) {
        int st = snn_cell_step(dw, &nr[o], o, layer, snn_mix64(kl ^ (uint64_t)o), t, a[o], &s[o],
                               &psi[o], &A[o], &B[o], &C[o], &u[o], fail);
        if (st)
            return st;
    }
    for (int o = 0; o < n && !dw->cell; o++) {
        snn_dw_neuron *q = &nr[o];
        double I = dw->gain * a[o], gm = dw->gain;
        if (I > dw->i_max) {
            I = dw->i_max;
            gm = 0.0;
        } else if (I < -dw->i_max) {
            I = -dw->i_max;
            gm = 0.0;
        }
        dwmtj_state s1;
        double dx_di = 0.0, w[2];
        uint64_t key = snn_mix64(kl ^ (uint64_t)o);
        int st = ramp_step(dw, key, &q->s, t1, q->i_prev,
                           dw->gain * a[o], I, &s1, &dx_di, w);
        q->i_prev = dw->gain * a[o];
        if (st != DWMTJ_OK)
            return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_step_current", layer,
                                   o, t);
        if (dw->thermal)
            dx_di = flow_dx_di(&dw->d, s1.temp, dw->dt);
        int gate = q->s.present && !q->s.fired && s1.present;
        int fire = s1.n_fire > q->s.n_fire;
        double uo = 0.0;
        if (s1.present) {
            uo = 1.0 - dwmtj_fire_distance(&dw->d, &s1) / dw->D0;
            if (dw->clamp_ramp) {
                /* the continuous clamp: the line's weights over the whole
                 * step, at the free flow's dx/dI (mu h, the trapezoid's
                 * 2 dx_di; the thermal kind's at its temperature) */
                double k = dw->gain * 2.0 *
                           (dw->thermal ? dx_di : 0.5 * dw->mu * dw->dt) / dw->D0;
                A[o] = k * w[1];
                B[o] = k * w[0];
            } else {
                A[o] = gm * dx_di / dw->D0;
                B[o] = q->gm_prev * dx_di / dw->D0;
            }
            C[o] = (unsigned char)!q->fresh;
        } else {
            A[o] = B[o] = 0.0;
            C[o] = 0;
        }
        double x = uo - 1.0;
        psi[o] = gate ? snn_surrogate(x, dw->k) : 0.0;
        if (dw->smooth)
            s[o] = gate ? snn_smooth_spike(x, dw->k) : 0.0;
        else
            s[o] = fire ? 1.0 : 0.0;
        u[o] = uo;
        q->s = s1;
        q->gm_prev = gm;
        q->fresh = 0;
        if (!s1.present) {
            /* ejected (reset) or lost: the periphery writes a new domain at
             * the step's end, which feels the drive I from that instant (a
             * zero-length step sets its velocity) -- as the device with
             * t_rewrite = dt does in a circuit */
            dwmtj_state w;
            if ((st = dwmtj_write(&dw->d, &q->s, 0)) != DWMTJ_OK)
                return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_write", layer, o, t);
            /* the thermal kind: the new domain's escape draw is the neuron's */
            if ((st = dwmtj_step_current(&dw->d, dw->thermal ? key : 0, &q->s, t1, I, &w,
                                         NULL)) != DWMTJ_OK)
                return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_step_current",
                                       layer, o, t);
            q->s = w;
            q->fresh = 1;
        }
    }
    return DWMTJ_SNN_OK;
}

void snn_dw_backward(int T, int n, const double *psi, const double *A, const double *B,
                     const unsigned char *C, const double *ds, const double *direct,
                     double *da)
{
    for (int o = 0; o < n; o++) {
        double gn = 0.0, bn = 0.0, cn = 0.0; /* dL/du(t+1), B(t+1), C(t+1) */
        for (int t = T - 1; t >= 0; t--) {
            size_t k = (size_t)t * n + o;
            double g = psi[k] * ds[k] + (direct ? direct[k] : 0.0) + cn * gn;
            da[k] = A[k] * g + bn * gn;
            gn = g;
            bn = B[k];
            cn = C[k];
        }
    }
}
