/* The thermal model (doc/model.md, "The thermal model"): the domain held
 * at pinning stops fixed on the track escapes by thermal activation
 * (Neel-Brown), moves freely between them, heats with the power it takes,
 * and is written by thermally activated spin-transfer switching.  Every
 * random event draws its Exp(1) threshold once from the counter-based
 * generator and integrates its rate over time, so escape statistics do
 * not depend on the step and a retried step sees the same draw. */
#include "dwmtj_internal.h"

#include <math.h>
#include <string.h>

#define K_B 1.380649e-23      /* J/K, Boltzmann constant (SI 2019) */
#define EV 1.602176634e-19    /* J per eV */
#define STREAM_ESCAPE 0x65736361706531ULL /* keys the draws of each stream */
#define STREAM_WRITE 0x7772697465ULL
#define STREAM_DEVICE 0x646576696365ULL
#define MAX_EVENTS 100000     /* arrivals and escapes one step may take */
#define HZ_REL 1e-6           /* relative accuracy of a hazard integral: an escape
                                 instant to 1e-6 of its hazard, far below any physical
                                 meaning, at a quarter of 1e-9's cost */
#define HZ_DEPTH 40

double dwmtj_ms_at(const dwmtj_derived *d, double T)
{
    double tc = d->p.t_curie, ms = d->p.ms;
    if (!(tc > 0.0) || d->model != DWMTJ_MODEL_THERMAL)
        return ms;
    /* Bloch's law up to Tc, normalised to Ms given at 300 K */
    double x = fmin(T / tc, 1.0), x0 = 300.0 / tc;
    /* x^1.5 as x sqrt(x): the rates call this at every point of their
     * integrals, and pow is most of their cost */
    return ms * fmax(1.0 - x * sqrt(x), 1e-3) / (1.0 - x0 * sqrt(x0));
}

double dwmtj_escape_rate(const dwmtj_derived *d, double jc, double eb, double J, double T,
                         double u)
{
    const dwmtj_params *p = &d->p;
    if (!(J > 0.0))
        return 0.0; /* no drive, no direction to escape in */
    if (J < jc) {
        double y = 1.0 - J / jc;
        double e = eb * (p->n_pin == 1.5 ? y * sqrt(y) : pow(y, p->n_pin));
        return p->f0 * exp(-e / (K_B * T));
    }
    double r = jc / J;
    return p->f0 + u / p->w_pin * sqrt(1.0 - r * r);
}

double dwmtj_write_rate(const dwmtj_derived *d, double i, double T)
{
    const dwmtj_params *p = &d->p;
    if (!(i > 0.0))
        return 0.0; /* the other polarity favours P: nothing is written */
    double x = d->eb_wr / (K_B * T);
    if (i < p->i_c0)
        return p->f0 * exp(-x * (1.0 - i / p->i_c0));
    return p->f0 * (1.0 + x * (i / p->i_c0 - 1.0));
}

/* ---- heat ---------------------------------------------------------------- */

void dwmtj_heat_init(const dwmtj_derived *d, const dwmtj_state *s0, double t1, double p1,
                     dwmtj_heat *q)
{
    q->t0 = s0->t;
    q->h = t1 - s0->t;
    q->t_amb = d->t_amb;
    q->r = d->p.r_th;
    q->tau = d->p.r_th * d->p.c_th;
    q->y0 = (s0->temp > 0.0 ? s0->temp : d->t_amb) - d->t_amb;
    q->p0 = s0->power;
    q->p1 = p1;
}

/* C dy/dt = P(t) - y / R with P linear over the step: exact. */
double dwmtj_heat_temp(const dwmtj_heat *q, double t)
{
    if (!(q->r > 0.0))
        return q->t_amb;
    double s = t - q->t0;
    if (s <= 0.0 || q->h <= 0.0)
        return q->t_amb + q->y0;
    double k = (q->p1 - q->p0) / q->h, R = q->r, tau = q->tau;
    double e = exp(-s / tau);
    double y = (q->y0 - R * q->p0 + R * k * tau) * e + R * (q->p0 + k * s) - R * k * tau;
    return q->t_amb + y;
}

/* ---- the device as drawn ------------------------------------------------- */

static double draw(uint64_t seed, int64_t what)
{
    return dwmtj_noise_normal(seed, STREAM_DEVICE, what);
}

/* Candidate stops of one wall site: the domain's lower wall at x (centre
 * x + ell/2) and its upper wall at x (centre x - ell/2). */
struct cand {
    double c, jc, eb;
};

static int cmp_c(const void *a, const void *b)
{
    double x = ((const struct cand *)a)->c, y = ((const struct cand *)b)->c;
    return (x > y) - (x < y);
}

/* Stops of a domain of length ell from the four edge sites at x[] with
 * depinning jc[] and barrier eb[] (J): candidates within w_pin merge (both
 * walls pinned: drives and barriers add); the drive that depins is the sum
 * over the walls at sites divided by the walls on the track, whose drives
 * add in the rigid domain's force balance. */
static int edge_stops(const dwmtj_derived *d, double ell, const double x[4], const double jc[4],
                      const double eb[4], dwmtj_stop out[DWMTJ_MAX_STOPS])
{
    struct cand c[8];
    int n = 0;
    for (int k = 0; k < 4; k++) {
        c[n++] = (struct cand){ x[k] + 0.5 * ell, jc[k], eb[k] };
        c[n++] = (struct cand){ x[k] - 0.5 * ell, jc[k], eb[k] };
    }
    /* insertion sort: eight entries */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_c(&c[j - 1], &c[j]) > 0; j--) {
            struct cand t = c[j];
            c[j] = c[j - 1];
            c[j - 1] = t;
        }
    int m = 0;
    double L = d->p.length;
    for (int i = 0; i < n;) {
        double sc = c[i].c, sj = c[i].jc, se = c[i].eb;
        int cnt = 1, j = i + 1;
        while (j < n && c[j].c - c[i].c <= d->p.w_pin) {
            sc += c[j].c;
            sj += c[j].jc;
            se += c[j].eb;
            cnt++;
            j++;
        }
        double cc = sc / cnt;
        int on = (cc - 0.5 * ell >= 0.0 && cc - 0.5 * ell <= L) +
                 (cc + 0.5 * ell >= 0.0 && cc + 0.5 * ell <= L);
        if (on > 0 && m < DWMTJ_MAX_STOPS)
            out[m++] = (dwmtj_stop){ cc, sj / on, se };
        i = j;
    }
    return m;
}

/* The device drawn with dev_seed (doc/model.md, "Variation"): each
 * spread a normal draw keyed by (dev_seed, what); DWMTJ_ERR_DRAWN when the
 * draw is no device. */
static int draw_device(dwmtj_params *p)
{
    if (p->model != DWMTJ_MODEL_THERMAL || p->dev_seed == 0.0)
        return DWMTJ_OK;
    uint64_t sd = (uint64_t)p->dev_seed;
    double tmr_a = p->rap_a / p->rp_a - 1.0, tmr_b = p->rap_b / p->rp_b - 1.0;
    p->rho *= 1.0 + p->var_rho * draw(sd, 1);
    p->rp_a *= 1.0 + p->var_r * draw(sd, 2);
    p->rp_b *= 1.0 + p->var_r * draw(sd, 3);
    tmr_a *= 1.0 + p->var_tmr * draw(sd, 4);
    tmr_b *= 1.0 + p->var_tmr * draw(sd, 5);
    p->rap_a = p->rp_a * (1.0 + tmr_a);
    p->rap_b = p->rp_b * (1.0 + tmr_b);
    double *jc[4] = { &p->jc_a1, &p->jc_a2, &p->jc_b1, &p->jc_b2 };
    for (int k = 0; k < 4; k++)
        *jc[k] *= 1.0 + p->var_jc * draw(sd, 6 + k);
    if (!(p->rho > 0.0 && p->rp_a > 0.0 && p->rp_b > 0.0 && tmr_a > 0.0 && tmr_b > 0.0 &&
          p->jc_a1 > 0.0 && p->jc_a2 > 0.0 && p->jc_b1 > 0.0 && p->jc_b2 > 0.0))
        return DWMTJ_ERR_DRAWN;
    return DWMTJ_OK;
}

int dwmtj_derive_thermal(dwmtj_derived *d)
{
    dwmtj_params *p = &d->p;
    if (p->model != DWMTJ_MODEL_THERMAL)
        return DWMTJ_OK;
    int st = draw_device(p);
    if (st < 0)
        return st;
    double x[4] = { p->xa - 0.5 * p->la, p->xa + 0.5 * p->la, p->xb - 0.5 * p->lb,
                    p->xb + 0.5 * p->lb };
    if (p->dev_seed != 0.0)
        for (int k = 0; k < 4; k++)
            x[k] += p->var_x * draw((uint64_t)p->dev_seed, 10 + k);
    double jc[4] = { p->jc_a1, p->jc_a2, p->jc_b1, p->jc_b2 };
    double eb[4];
    for (int k = 0; k < 4; k++)
        eb[k] = p->eb_edge * EV;
    for (int w = 0; w < 2; w++) {
        d->ell[w] = p->l_nuc > 0.0 ? p->l_nuc : (w == 0 ? p->la : p->lb);
        d->n_stop[w] = edge_stops(d, d->ell[w], x, jc, eb, d->stop[w]);
    }
    d->eb_trk = p->eb_trk * EV;
    d->eb_wr = p->eb_wr * EV;
    return DWMTJ_OK;
}

/* ---- stops ----------------------------------------------------------------- */

/* Depinning drive of distributed site k (dev_seed draws each one). */
static double trk_jc(const dwmtj_derived *d, int64_t k)
{
    const dwmtj_params *p = &d->p;
    if (p->dev_seed == 0.0 || p->var_jc == 0.0)
        return p->jc_trk;
    return p->jc_trk * fmax(0.05, 1.0 + p->var_jc * draw((uint64_t)p->dev_seed, 1000 + k));
}

/* Walls of a domain of length ell centred at c that are on the track. */
static int walls_on(const dwmtj_derived *d, double c, double ell)
{
    double L = d->p.length, lo = c - 0.5 * ell, hi = c + 0.5 * ell;
    return (lo >= 0.0 && lo <= L) + (hi >= 0.0 && hi <= L);
}

/* 1 when a wall at x is on the track and not under a pillar: where the
 * distributed sites are.  The pillar etch stops on the MgO over the track
 * everywhere but under the pillars, so only there does the film keep the
 * grain-scale disorder of the exposed surface out of its energy. */
static int exposed(const dwmtj_derived *d, double x)
{
    if (x < 0.0 || x > d->p.length)
        return 0;
    for (int k = 0; k < 2; k++)
        if (fabs(x - d->x_mtj[k]) < 0.5 * d->l_mtj[k])
            return 0;
    return 1;
}

/* The first stop strictly beyond centre c along dir (+1 or -1) for the
 * domain of s, within reach (m); 0 when none. */
int dwmtj_next_stop(const dwmtj_derived *d, const dwmtj_state *s, double c, int dir,
                    double reach, dwmtj_stop *out)
{
    int w = s->writer;
    double ell = d->ell[w], best = INFINITY;
    const dwmtj_stop *e = NULL;
    /* a stop at or ahead of c counts, but the one the domain was released
     * from while it still sits there: which stops a domain meets must not
     * depend on where the host's time points fall */
    double tiny = 1e-15 * (d->p.length + ell);
    for (int k = 0; k < d->n_stop[w]; k++) {
        double cs = d->stop[w][k].c, dist = dir * (cs - c);
        if (dist < -tiny || (fabs(cs - s->c_left) <= tiny && fabs(c - s->c_left) <= tiny))
            continue;
        if (dist < best) {
            best = fmax(dist, 0.0);
            e = &d->stop[w][k];
        }
    }
    double a = d->p.a_trk;
    if (a > 0.0) {
        /* the next grid point of the distributed sites, skipping those within
         * w_pin of an edge stop (which holds there instead) */
        /* from the grid point at or just behind c */
        int64_t k = dir > 0 ? (int64_t)floor(c / a) : (int64_t)ceil(c / a);
        /* up to the whole track: stretches under the pillars have none */
        double span = (d->p.length + ell) / a + 2.0;
        int64_t n_scan = span < 1e6 ? (int64_t)span : 1000000;
        for (int64_t guard = 0; guard < n_scan; guard++, k += dir) {
            double cg = (double)k * a, dist = dir * (cg - c);
            if (dist < -tiny || (fabs(cg - s->c_left) <= tiny && fabs(c - s->c_left) <= tiny))
                continue;
            dist = fmax(dist, 0.0);
            if (dist >= best || dist > reach)
                break;
            int near_edge = 0;
            for (int m = 0; m < d->n_stop[w]; m++)
                if (fabs(d->stop[w][m].c - cg) <= d->p.w_pin)
                    near_edge = 1;
            /* the walls at sites: those in the exposed track; the rigid
             * domain's force balance, as for the edge stops, spreads their
             * drive over the walls on the track */
            int on = walls_on(d, cg, ell);
            int at = exposed(d, cg - 0.5 * ell) + exposed(d, cg + 0.5 * ell);
            if (near_edge || at == 0)
                continue;
            out->c = cg;
            out->jc = trk_jc(d, k) * at / on;
            out->eb = d->eb_trk * 0.5 * at;
            return dist <= reach;
        }
    }
    if (e && best <= reach) {
        *out = *e;
        return 1;
    }
    return 0;
}

/* A stop within w_pin of centre c (the domain just written there). */
static int stop_at(const dwmtj_derived *d, const dwmtj_state *s, double c, dwmtj_stop *out)
{
    int w = s->writer;
    for (int k = 0; k < d->n_stop[w]; k++)
        if (fabs(d->stop[w][k].c - c) <= d->p.w_pin) {
            *out = d->stop[w][k];
            return 1;
        }
    return 0;
}

static double exp1_draw(const dwmtj_derived *d, uint64_t key, uint64_t stream, double n)
{
    return -log(dwmtj_noise_uniform(d->p.seed, key ^ stream, (int64_t)n));
}

static void hold(const dwmtj_derived *d, uint64_t key, int keyed, dwmtj_state *s,
                 const dwmtj_stop *st)
{
    double shift = st->c - 0.5 * (s->x_lo + s->x_hi);
    s->x_lo += shift;
    s->x_hi += shift;
    s->held = 1;
    s->c_held = st->c;
    s->jc_held = st->jc;
    s->eb_held = st->eb;
    s->hz = 0.0;
    s->hz_draw = keyed ? exp1_draw(d, key, STREAM_ESCAPE, s->n_arrive) : NAN;
    s->n_arrive += 1.0;
    s->c_left = NAN;
    s->v = 0.0;
}

/* The escape draw of a held domain, made by the first step that knows the
 * instance's key (dwmtj_write does not). */
static void draw_now(const dwmtj_derived *d, uint64_t key, dwmtj_state *s)
{
    if (s->held && isnan(s->hz_draw))
        s->hz_draw = exp1_draw(d, key, STREAM_ESCAPE, s->n_arrive - 1.0);
}

void dwmtj_thermal_written(const dwmtj_derived *d, uint64_t key, int keyed, dwmtj_state *s)
{
    dwmtj_stop st;
    s->held = 0;
    s->c_left = NAN;
    if (d->model == DWMTJ_MODEL_THERMAL && stop_at(d, s, 0.5 * (s->x_lo + s->x_hi), &st))
        hold(d, key, keyed, s, &st);
    s->hz_wr[0] = s->hz_wr[1] = 0.0;
}

/* ---- rates over a step ------------------------------------------------------ */

/* What the rates of one step depend on: the wall current density linear
 * from j0 at t0 to j1 at t0 + h, the temperature from the heat path. */
struct path {
    const dwmtj_derived *d;
    const dwmtj_heat *q;
    double t0, h, j0, j1;
    /* the rate integrated: escape (jc, eb) or write (pillar k, i0 -> i1) */
    int write;
    double jc, eb, i0, i1;
    /* the variable integrated over: 0, t itself; +-1, s with t = anchor +- s^2
     * (the rate has a square-root kink at the anchor, where the drive
     * crosses jc, and dt = 2 s ds makes the integrand smooth in s) */
    int sub;
    double anchor;
};

static double path_j(const struct path *pa, double t)
{
    double c = pa->h > 0.0 ? (t - pa->t0) / pa->h : 1.0;
    return pa->j0 + (pa->j1 - pa->j0) * c;
}

/* Free velocity along +x at t (the paper's formula with Ms(T)). */
static double path_v(const struct path *pa, double t)
{
    const dwmtj_derived *d = pa->d;
    double T = dwmtj_heat_temp(pa->q, t);
    double stt = d->stt * d->p.ms / dwmtj_ms_at(d, T);
    return d->v_field + stt * path_j(pa, t);
}

static double path_rate(const struct path *pa, double t)
{
    const dwmtj_derived *d = pa->d;
    double T = dwmtj_heat_temp(pa->q, t);
    if (pa->write) {
        double c = pa->h > 0.0 ? (t - pa->t0) / pa->h : 1.0;
        return dwmtj_write_rate(d, pa->i0 + (pa->i1 - pa->i0) * c, T);
    }
    double v = path_v(pa, t);
    double stt = d->stt * d->p.ms / dwmtj_ms_at(d, T);
    return dwmtj_escape_rate(d, pa->jc, pa->eb, fabs(v) / stt, T, fabs(v));
}

/* The integrand in the variable of pa->sub. */
static double path_f(const struct path *pa, double x)
{
    if (!pa->sub)
        return path_rate(pa, x);
    return 2.0 * x * path_rate(pa, pa->anchor + pa->sub * x * x);
}

static double simpson(const struct path *pa, double a, double fa, double b, double fb,
                      double m, double fm, double whole, double tol, int depth)
{
    double lm = 0.5 * (a + m), rm = 0.5 * (m + b);
    double flm = path_f(pa, lm), frm = path_f(pa, rm);
    double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    double right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    double diff = left + right - whole;
    if (depth <= 0 || fabs(diff) <= 15.0 * tol)
        return left + right + diff / 15.0;
    return simpson(pa, a, fa, m, fm, lm, flm, left, 0.5 * tol, depth - 1) +
           simpson(pa, m, fm, b, fb, rm, frm, right, 0.5 * tol, depth - 1);
}

/* The integrand of pa over [a, b] of its variable (adaptive Simpson). */
static double simpson_whole(const struct path *pa, double a, double b)
{
    double fa = path_f(pa, a), fb = path_f(pa, b), m = 0.5 * (a + b);
    double fm = path_f(pa, m);
    double whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    double tol = HZ_REL * fabs(whole) + 1e-15;
    return simpson(pa, a, fa, b, fb, m, fm, whole, tol, HZ_DEPTH);
}

/* The rate over [p, q], with a kink at p (lo) and/or q (hi) integrated in
 * s = sqrt(t - kink): one piece per kink. */
static double hazard_piece(const struct path *pa0, double p, double q, int lo, int hi)
{
    struct path pa = *pa0;
    if (lo && hi) {
        double m = 0.5 * (p + q);
        return hazard_piece(pa0, p, m, 1, 0) + hazard_piece(pa0, m, q, 0, 1);
    }
    if (!lo && !hi) {
        pa.sub = 0;
        return simpson_whole(&pa, p, q);
    }
    pa.sub = lo ? 1 : -1;
    pa.anchor = lo ? p : q;
    return simpson_whole(&pa, 0.0, sqrt(q - p));
}

/* The rate integrated over [a, b]: an escape's rate split where the
 * drive's line crosses +-jc (its square-root kink, which plain adaptive
 * Simpson resolves only by deep recursion). */
static double hazard(const struct path *pa, double a, double b)
{
    if (!(b > a))
        return 0.0;
    double cut[2];
    int n = 0;
    if (!pa->write && pa->jc > 0.0) {
        double ja = path_j(pa, a), jb = path_j(pa, b);
        for (int k = 0; k < 2; k++) {
            double lim = k ? -pa->jc : pa->jc;
            if ((ja - lim) * (jb - lim) < 0.0) {
                double tc = a + (b - a) * (lim - ja) / (jb - ja);
                if (tc > a && tc < b)
                    cut[n++] = tc;
            }
        }
        if (n == 2 && cut[1] < cut[0]) {
            double c = cut[0];
            cut[0] = cut[1];
            cut[1] = c;
        }
    }
    double H = 0.0, p = a;
    for (int k = 0; k <= n; k++) {
        double q = k < n ? cut[k] : b;
        H += hazard_piece(pa, p, q, k > 0, k < n);
        p = q;
    }
    return H;
}

/* First t in [a, b] at which the hazard integrated from a reaches need,
 * or +inf; *got is what [a, min(t, b)] integrates to. */
static double hazard_reach(const struct path *pa, double a, double b, double need, double *got)
{
    double H = hazard(pa, a, b);
    if (H < need) {
        *got = H;
        return INFINITY;
    }
    /* the root of g(t) = H(a, t) - need, increasing in t, by false position
     * with the Illinois halving (Dowell and Jarratt, BIT 11, 168, 1971):
     * superlinear, where bisection took a hazard integral per bit of t;
     * fl, fh are the (halved) values of g the next guess is drawn from */
    double lo = a, hi = b, hlo = 0.0, fl = -need, fh = H - need;
    int side = 0;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * fmax(fabs(hi), 1e-30); it++) {
        double t = (lo * fh - hi * fl) / (fh - fl);
        if (!(t > lo && t < hi))
            t = 0.5 * (lo + hi);
        double ht = hlo + hazard(pa, lo, t), g = ht - need;
        if (fabs(g) <= 1e-12 * need) {
            hi = t;
            break;
        }
        if (g < 0.0) {
            lo = t;
            hlo = ht;
            fl = g;
            if (side < 0)
                fh *= 0.5;
            side = -1;
        } else {
            hi = t;
            fh = g;
            if (side > 0)
                fl *= 0.5;
            side = 1;
        }
    }
    *got = need;
    return hi;
}

double dwmtj_thermal_write_time(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                                int k, double t_from, double t1, double i0, double i1,
                                const dwmtj_heat *q, double *hz_end)
{
    struct path pa = { d, q, s0->t, t1 - s0->t, 0.0, 0.0, 1, 0.0, 0.0, i0, i1, 0, 0.0 };
    double need = exp1_draw(d, key, STREAM_WRITE, 2.0 * s0->n_write + k) - s0->hz_wr[k];
    double got = 0.0;
    double t = hazard_reach(&pa, t_from, t1, need, &got);
    *hz_end = s0->hz_wr[k] + got;
    return t;
}

/* ---- motion ------------------------------------------------------------------ */

int dwmtj_thermal_move(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                       dwmtj_state *s1, double j1, const dwmtj_heat *q, double *t_left,
                       unsigned *crossed, double *t_free)
{
    double t0 = s0->t, t1 = s1->t, h = t1 - t0;
    draw_now(d, key, s1);
    *t_free = s1->held ? NAN : t0;
    struct path pa = { d, q, t0, h, s0->j, j1, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0 };
    double vmax = fmax(fabs(path_v(&pa, t0)), fabs(path_v(&pa, t1)));
    double nsub = ceil(h * vmax / d->p.dx_max);
    int ns = nsub < 1.0 ? 1 : (nsub > 4096 ? 4096 : (int)nsub);
    int events = 0;
    for (int sub = 1; sub <= ns && s1->present; sub++) {
        double t = t0 + h * (double)(sub - 1) / ns, tb = sub == ns ? t1 : t0 + h * sub / ns;
        while (t < tb && s1->present) {
            if (++events > MAX_EVENTS)
                return DWMTJ_ERR_STEP_LONG;
            if (s1->held) {
                pa.jc = s1->jc_held;
                pa.eb = s1->eb_held;
                double got;
                double te = hazard_reach(&pa, t, tb, s1->hz_draw - s1->hz, &got);
                if (!isfinite(te)) {
                    s1->hz += got;
                    t = tb;
                    break;
                }
                s1->held = 0;
                s1->hz = 0.0;
                s1->c_left = s1->c_held;
                *t_free = te;
                t = te;
                continue;
            }
            double va = path_v(&pa, t), vb = path_v(&pa, tb), tend = tb;
            if (va * vb < 0.0) /* the drive turns: go to where it does first */
                tend = t + (tb - t) * va / (va - vb);
            double ve = va * vb < 0.0 ? 0.0 : vb;
            double dx = 0.5 * (va + ve) * (tend - t);
            if (dx == 0.0) {
                t = tend > t ? tend : tb;
                continue;
            }
            int dir = dx > 0.0 ? 1 : -1;
            double c = 0.5 * (s1->x_lo + s1->x_hi);
            dwmtj_stop st;
            int arrive = dwmtj_next_stop(d, s1, c, dir, fabs(dx), &st);
            double move = arrive ? st.c - c : dx;
            /* the path to the sub-step's end, and the instant on it the stop is
             * reached: the arrival's time does not depend on the sub-steps */
            dwmtj_sweep w = { t, tend, c, c + dx, va, ve, 0 };
            double ta = arrive ? dwmtj_sweep_time(&w, c + move) : tend;
            if (arrive) {
                w.tb = ta;
                w.cb = c + move;
                w.vb = va + (ve - va) * (ta - t) / (tend - t);
            }
            s1->x_lo += move;
            s1->x_hi += move;
            dwmtj_sweep_events(d, s1, &w, crossed);
            if (s1->x_lo >= d->p.length || s1->x_hi <= 0.0) {
                *t_left = dwmtj_eject(d, s1, &w);
                s1->held = 0;
                *t_free = NAN;
                return DWMTJ_OK;
            }
            if (arrive) {
                hold(d, key, 1, s1, &st);
                *t_free = NAN;
            }
            /* held from ta on, even when it was already at the stop at t (a
             * time point a hair short of it): the rest of the sub-step
             * integrates its escape, which a fast site may reach in it */
            t = arrive ? fmax(ta, t) : tend;
        }
    }
    return DWMTJ_OK;
}

/* s, the predicted escape of a held domain at the rate of the step's end,
 * or its arrival at the next stop; +inf when neither. */
double dwmtj_thermal_predict(const dwmtj_derived *d, const dwmtj_state *s, double J, double T)
{
    if (!s->present)
        return INFINITY;
    double stt = d->stt * d->p.ms / dwmtj_ms_at(d, T);
    if (s->held) {
        double r = dwmtj_escape_rate(d, s->jc_held, s->eb_held, J, T, J * stt);
        double need = (isnan(s->hz_draw) ? 1.0 : s->hz_draw) - s->hz;
        return r > 0.0 ? s->t + fmax(need, 0.0) / r : INFINITY;
    }
    if (s->v == 0.0)
        return INFINITY;
    dwmtj_stop st;
    int dir = s->v > 0.0 ? 1 : -1;
    if (dwmtj_next_stop(d, s, 0.5 * (s->x_lo + s->x_hi), dir, d->p.length + d->ell[s->writer],
                        &st))
        return s->t + fabs(st.c - 0.5 * (s->x_lo + s->x_hi)) / fabs(s->v);
    return INFINITY;
}

double dwmtj_thermal_write_predict(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s,
                                   const double i_mtj[2])
{
    double t = INFINITY;
    if (s->present)
        return t;
    for (int k = 0; k < 2; k++) {
        double r = dwmtj_write_rate(d, -i_mtj[k], s->temp > 0.0 ? s->temp : d->t_amb);
        if (r > 0.0) {
            double need = exp1_draw(d, key, STREAM_WRITE, 2.0 * s->n_write + k) - s->hz_wr[k];
            t = fmin(t, s->t + fmax(need, 0.0) / r);
        }
    }
    return t;
}

double dwmtj_heat_peak(const dwmtj_heat *q, double *t_peak)
{
    double T0 = dwmtj_heat_temp(q, q->t0), T1 = dwmtj_heat_temp(q, q->t0 + q->h);
    double best = T0 > T1 ? T0 : T1, tb = T0 > T1 ? q->t0 : q->t0 + q->h;
    if (q->r > 0.0 && q->h > 0.0) {
        /* y = A e^(-s/tau) + R (p0 + k s) - R k tau has dy/ds = 0 at
         * s = tau ln(A / (R k tau)) */
        double k = (q->p1 - q->p0) / q->h, R = q->r, tau = q->tau;
        double A = q->y0 - R * q->p0 + R * k * tau;
        if (R * k * tau != 0.0 && A / (R * k * tau) > 1.0) {
            double sp = tau * log(A / (R * k * tau));
            if (sp > 0.0 && sp < q->h) {
                double Tp = dwmtj_heat_temp(q, q->t0 + sp);
                if (Tp > best) {
                    best = Tp;
                    tb = q->t0 + sp;
                }
            }
        }
    }
    if (t_peak)
        *t_peak = tb;
    return best;
}
