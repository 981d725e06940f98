/* Parameter sets, name-based access and validation. */
#include "dwmtj.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Track current density per volt across the proto track when the MTJs carry
 * (almost) no current: 1 / (R_track w d) with R_track = rho L / (w d).  The
 * proto pinning thresholds below are written as volts times this, so that
 * they read as the pulse amplitudes of the paper's Fig. 3a. */
#define PROTO_J_PER_V (1.0 / (1.5e-6 * 2.0e-6))

void dwmtj_params_defaults(dwmtj_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    /* proto: the fabricated device (paper, "Device Data Results"). */
    p->length = 2.0e-6;     /* assumption: SEM of Fig. 1c, two 450 nm pillars */
    p->width = 250e-9;      /* paper: track width */
    p->thick = 5.4e-9;      /* paper stack: Ta(3 nm) + CoFeB/Ta/CoFeB(2.4 nm) */
    p->xa = 0.45e-6;        /* assumption: 225 nm from the IN end to the pillar */
    p->la = 450e-9;         /* paper: pillar length along the track */
    p->xb = 1.35e-6;        /* assumption: 450 nm gap between the pillars */
    p->lb = 450e-9;         /* paper */
    p->ms = 1.0e6;          /* assumption: CoFeB */
    p->pol = 0.7;           /* paper, Methods */
    p->alpha = 0.05;        /* paper, Methods */
    p->dw_width = 9.7e-9;   /* paper, Methods */
    p->heff = 0.0;          /* a uniform H_bias breathes the domain, no drift */
    p->eta = 1.0;           /* paper's formula */
    p->rho = 1.5e-6;        /* assumption: 150 uOhm cm, thin Ta/CoFeB */
    p->rp_a = 1650.0;       /* paper */
    p->rap_a = 1930.0;      /* paper */
    p->rp_b = 1180.0;       /* paper */
    p->rap_b = 1180.0 * 1930.0 / 1650.0; /* assumption: same TMR as MTJ_A */
    p->i_nuc = 1.0e-3;      /* fit: 3.1 V write through MTJ_A nucleates */
    p->t_nuc = 10e-9;       /* fit: within the 50 ns write pulse */
    p->l_nuc = 0.0;         /* the write pillar's length */
    /* fit to Fig. 3a (doc/calibration.md): thresholds as pulse volts */
    p->j_pin_w = 1.75 * PROTO_J_PER_V;  /* pinned at 1.4 V, leaves by 2.0 V */
    p->j_pin_t0 = 1.70 * PROTO_J_PER_V;
    p->j_pin_t1 = 2.45 * PROTO_J_PER_V; /* integrates 2.0-2.4 V, fires 2.5 V */
    p->j_pin_r = 2.62 * PROTO_J_PER_V;  /* held under B at 2.5 V, reset 2.7 V */
    p->j_pin_out = 1.0 * PROTO_J_PER_V;
    p->pin_width = 0.02;
    p->sigma = 0.0;
    p->t_slot = 0.1e-9;     /* paper, Methods: dt */
    p->seed = 1;
    p->dx_max = 20e-9;
}

static void scaled(dwmtj_params *p)
{
    /* scaled: the simulation device of the paper's Methods table. */
    dwmtj_params_defaults(p);
    p->width = 25e-9;       /* paper, Methods */
    p->thick = 1.5e-9;      /* paper, Methods */
    p->ms = 8e5;            /* paper, Methods */
    p->pol = 0.7;
    p->alpha = 0.05;
    p->dw_width = 9.7e-9;
    p->length = 500e-9;     /* assumption: 350 nm travel between pillars */
    p->xa = 50e-9;
    p->la = 50e-9;
    p->xb = 400e-9;
    p->lb = 50e-9;
    p->rho = 1.5e-6;
    p->rp_a = 8e3;          /* assumption: RA 10 Ohm um^2 on 25 x 50 nm^2 */
    p->rap_a = 16e3;        /* assumption: TMR 100 % */
    p->rp_b = 8e3;
    p->rap_b = 16e3;
    p->i_nuc = 100e-6;      /* assumption: 8 MA/cm^2 through the pillar */
    p->t_nuc = 1e-9;
    p->j_pin_w = 0.0;       /* the network's device has no pinning */
    p->j_pin_t0 = 0.0;
    p->j_pin_t1 = 0.0;
    p->j_pin_r = 0.0;
    p->j_pin_out = 0.0;
    p->dx_max = 2e-9;
}

int dwmtj_params_set(dwmtj_params *p, const char *name)
{
    if (!p || !name)
        return DWMTJ_ERR_NULL;
    if (strcmp(name, "proto") == 0) {
        dwmtj_params_defaults(p);
        return DWMTJ_OK;
    }
    if (strcmp(name, "scaled") == 0) {
        scaled(p);
        return DWMTJ_OK;
    }
    return DWMTJ_ERR_SET;
}

/* One row per real parameter: name, status code of its check, unit, and
 * the range a physical device of this kind has (doc/parameters.md): a
 * value outside it is legal but almost surely a mistake, e.g. ms=1M, which
 * SPICE reads as 1e-3 A/m (M is milli), and warns. */
#define DWMTJ_REAL_PARAMS(X) \
    X(length, DWMTJ_ERR_LENGTH, "m", 1e-8, 1e-3) \
    X(width, DWMTJ_ERR_WIDTH, "m", 1e-9, 1e-4) \
    X(thick, DWMTJ_ERR_THICK, "m", 1e-10, 1e-6) \
    X(xa, DWMTJ_ERR_XA, "m", 0.0, 1e-3) X(la, DWMTJ_ERR_LA, "m", 1e-9, 1e-4) \
    X(xb, DWMTJ_ERR_XB, "m", 0.0, 1e-3) X(lb, DWMTJ_ERR_LB, "m", 1e-9, 1e-4) \
    X(ms, DWMTJ_ERR_MS, "A/m", 1e4, 3e6) X(pol, DWMTJ_ERR_POL, "1", 1e-2, 1.0) \
    X(alpha, DWMTJ_ERR_ALPHA, "1", 1e-4, 1.0) \
    X(dw_width, DWMTJ_ERR_DW_WIDTH, "m", 5e-10, 1e-6) \
    X(heff, DWMTJ_ERR_HEFF, "A/m", -1e7, 1e7) X(eta, DWMTJ_ERR_ETA, "1", 1e-4, 10.0) \
    X(rho, DWMTJ_ERR_RHO, "Ohm m", 1e-8, 1e-3) \
    X(rp_a, DWMTJ_ERR_RP_A, "Ohm", 1.0, 1e9) X(rap_a, DWMTJ_ERR_RAP_A, "Ohm", 1.0, 1e9) \
    X(rp_b, DWMTJ_ERR_RP_B, "Ohm", 1.0, 1e9) X(rap_b, DWMTJ_ERR_RAP_B, "Ohm", 1.0, 1e9) \
    X(i_nuc, DWMTJ_ERR_I_NUC, "A", 1e-9, 1.0) X(t_nuc, DWMTJ_ERR_T_NUC, "s", 0.0, 1.0) \
    X(l_nuc, DWMTJ_ERR_L_NUC, "m", 0.0, 1e-3) \
    X(j_pin_w, DWMTJ_ERR_J_PIN_W, "A/m^2", 0.0, 1e14) \
    X(j_pin_t0, DWMTJ_ERR_J_PIN_T0, "A/m^2", 0.0, 1e14) \
    X(j_pin_t1, DWMTJ_ERR_J_PIN_T1, "A/m^2", 0.0, 1e14) \
    X(j_pin_r, DWMTJ_ERR_J_PIN_R, "A/m^2", 0.0, 1e14) \
    X(j_pin_out, DWMTJ_ERR_J_PIN_OUT, "A/m^2", 0.0, 1e14) \
    X(pin_width, DWMTJ_ERR_PIN_WIDTH, "1", 1e-4, 1.0) \
    X(sigma, DWMTJ_ERR_SIGMA, "1", 0.0, 10.0) \
    X(t_slot, DWMTJ_ERR_T_SLOT, "s", 1e-15, 1e-3) \
    X(dx_max, DWMTJ_ERR_DX_MAX, "m", 1e-12, INFINITY) \
    X(t_rewrite, DWMTJ_ERR_T_REWRITE, "s", 0.0, 1.0)

struct param_row {
    const char *name;
    size_t offset;
    int status;
    const char *unit;
    double lo, hi;   /* the physical range (unit) */
};

#define ROW(f, st, u, a, b) { #f, offsetof(dwmtj_params, f), st, u, a, b },
static const struct param_row rows[] = { DWMTJ_REAL_PARAMS(ROW) };
#undef ROW
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

int dwmtj_param_count(void)
{
    return NROWS + 1; /* + seed */
}

const char *dwmtj_param_name(int index)
{
    if (index >= 0 && index < NROWS)
        return rows[index].name;
    return index == NROWS ? "seed" : NULL;
}

const char *dwmtj_param_unit(int index)
{
    if (index >= 0 && index < NROWS)
        return rows[index].unit;
    return index == NROWS ? "1" : NULL;
}

int dwmtj_param_set_by_name(dwmtj_params *p, const char *name, double value)
{
    if (!p || !name)
        return DWMTJ_ERR_NULL;
    for (int k = 0; k < NROWS; k++)
        if (strcmp(rows[k].name, name) == 0) {
            *(double *)((char *)p + rows[k].offset) = value;
            return DWMTJ_OK;
        }
    if (strcmp(name, "seed") == 0) {
        if (!(value >= 0.0 && value <= DWMTJ_SEED_MAX && value == floor(value)))
            return DWMTJ_ERR_SEED;
        p->seed = (uint64_t)value;
        return DWMTJ_OK;
    }
    return DWMTJ_ERR_NAME;
}

int dwmtj_param_get_by_name(const dwmtj_params *p, const char *name, double *value)
{
    if (!p || !name || !value)
        return DWMTJ_ERR_NULL;
    for (int k = 0; k < NROWS; k++)
        if (strcmp(rows[k].name, name) == 0) {
            *value = *(const double *)((const char *)p + rows[k].offset);
            return DWMTJ_OK;
        }
    if (strcmp(name, "seed") == 0) {
        *value = (double)p->seed;
        return DWMTJ_OK;
    }
    return DWMTJ_ERR_NAME;
}

const char *dwmtj_param_implausible(const dwmtj_params *p, int *k, double *value, double *lo,
                                    double *hi, const char **unit)
{
    if (!p || !k)
        return NULL;
    for (; *k >= 0 && *k < NROWS; (*k)++) {
        const struct param_row *r = &rows[*k];
        double v = *(const double *)((const char *)p + r->offset);
        /* an off switch (t_rewrite, t_nuc, l_nuc, sigma 0) is never out of range */
        if (v >= r->lo && v <= r->hi)
            continue;
        if (value)
            *value = v;
        if (lo)
            *lo = r->lo;
        if (hi)
            *hi = r->hi;
        if (unit)
            *unit = r->unit;
        return rows[(*k)++].name;
    }
    return NULL;
}

const char *dwmtj_status_param(int status)
{
    if (status == DWMTJ_WARN_T_SLOT)
        return "t_slot";
    if (status == DWMTJ_ERR_SEED)
        return "seed";
    for (int k = 0; k < NROWS; k++)
        if (rows[k].status == status)
            return rows[k].name;
    return NULL;
}

const char *dwmtj_status_string(int status)
{
    switch (status) {
    case DWMTJ_OK: return "ok";
    case DWMTJ_WARN_PRESENT: return "a domain is already on the track";
    case DWMTJ_WARN_UNSEEN: return "the domain entered and left an MTJ's above-midpoint window "
                                   "within one step: the event is counted, but no time point "
                                   "showed that MTJ switched (take shorter steps)";
    case DWMTJ_WARN_T_SLOT: return "noise slot below 1 ps with sigma > 0: each step draws one "
                                   "number per slot (1e4 per 10 ns), the run will be slow";
    case DWMTJ_WARN_RANGE: return "a parameter is legal but outside the range of a physical "
                                  "device (a SPICE suffix? M is milli, MEG mega): "
                                  "dwmtj_param_implausible names it";
    case DWMTJ_ERR_STEP_LONG: return "step covered more than 1e7 noise slots or 64 writes "
                                     "(take shorter steps)";
    case DWMTJ_ERR_NULL: return "a required pointer was NULL";
    case DWMTJ_ERR_SET: return "unknown parameter set (use proto or scaled)";
    case DWMTJ_ERR_TIME: return "step ends before it starts or time is not finite";
    case DWMTJ_ERR_INPUT: return "a terminal voltage or value is not finite or out of range";
    case DWMTJ_ERR_NAME: return "unknown parameter name";
    case DWMTJ_ERR_SEED: return "must be an integer from 0 to 2^53";
    case DWMTJ_ERR_LENGTH: return "track length must be > 0";
    case DWMTJ_ERR_WIDTH: return "track width must be > 0";
    case DWMTJ_ERR_THICK: return "track thickness must be > 0";
    case DWMTJ_ERR_XA: return "MTJ_A must lie inside the track";
    case DWMTJ_ERR_LA: return "MTJ_A length must be > 0";
    case DWMTJ_ERR_XB: return "MTJ_B must lie inside the track";
    case DWMTJ_ERR_LB: return "MTJ_B length must be > 0";
    case DWMTJ_ERR_MS: return "saturation magnetisation must be > 0";
    case DWMTJ_ERR_POL: return "spin polarisation must be in (0, 1]";
    case DWMTJ_ERR_ALPHA: return "damping must be > 0";
    case DWMTJ_ERR_DW_WIDTH: return "domain-wall width must be > 0";
    case DWMTJ_ERR_HEFF: return "effective field must be finite";
    case DWMTJ_ERR_ETA: return "spin-transfer efficiency must be > 0";
    case DWMTJ_ERR_RHO: return "track resistivity must be > 0";
    case DWMTJ_ERR_RP_A: return "MTJ_A R_P must be > 0";
    case DWMTJ_ERR_RAP_A: return "MTJ_A R_AP must exceed R_P";
    case DWMTJ_ERR_RP_B: return "MTJ_B R_P must be > 0";
    case DWMTJ_ERR_RAP_B: return "MTJ_B R_AP must exceed R_P";
    case DWMTJ_ERR_I_NUC: return "nucleation current must be > 0";
    case DWMTJ_ERR_T_NUC: return "nucleation time must be >= 0";
    case DWMTJ_ERR_L_NUC: return "domain length must be >= 0, fit on the track and be long enough to switch the reader past its midpoint";
    case DWMTJ_ERR_J_PIN_W: return "write-well depinning threshold must be >= 0";
    case DWMTJ_ERR_J_PIN_T0: return "track threshold near the writer must be >= 0";
    case DWMTJ_ERR_J_PIN_T1: return "track threshold near the reader must be >= 0";
    case DWMTJ_ERR_J_PIN_R: return "read-well depinning threshold must be >= 0";
    case DWMTJ_ERR_J_PIN_OUT: return "outer track threshold must be >= 0";
    case DWMTJ_ERR_PIN_WIDTH: return "depinning ramp width must be > 0";
    case DWMTJ_ERR_SIGMA: return "noise sigma must be >= 0";
    case DWMTJ_ERR_T_SLOT: return "noise slot must be > 0";
    case DWMTJ_ERR_DX_MAX: return "dx_max must be > 0";
    case DWMTJ_ERR_T_REWRITE: return "t_rewrite must be >= 0 and finite";
    case DWMTJ_ERR_OVERLAP: return "MTJ_A and MTJ_B overlap (xa + la/2 must be < xb - lb/2)";
    default: return "unknown status";
    }
}

static int pos(double x) { return isfinite(x) && x > 0.0; }
static int nonneg(double x) { return isfinite(x) && x >= 0.0; }

static int inside(double c, double l, double length)
{
    return isfinite(c) && c - 0.5 * l >= 0.0 && c + 0.5 * l <= length;
}

int dwmtj_params_check(const dwmtj_params *p)
{
    if (!p)
        return DWMTJ_ERR_NULL;
    if (!pos(p->length)) return DWMTJ_ERR_LENGTH;
    if (!pos(p->width)) return DWMTJ_ERR_WIDTH;
    if (!pos(p->thick)) return DWMTJ_ERR_THICK;
    if (!pos(p->la)) return DWMTJ_ERR_LA;
    if (!inside(p->xa, p->la, p->length)) return DWMTJ_ERR_XA;
    if (!pos(p->lb)) return DWMTJ_ERR_LB;
    if (!inside(p->xb, p->lb, p->length)) return DWMTJ_ERR_XB;
    if (!(p->xa + 0.5 * p->la < p->xb - 0.5 * p->lb)) return DWMTJ_ERR_OVERLAP;
    if (!pos(p->ms)) return DWMTJ_ERR_MS;
    if (!(pos(p->pol) && p->pol <= 1.0)) return DWMTJ_ERR_POL;
    if (!pos(p->alpha)) return DWMTJ_ERR_ALPHA;
    if (!pos(p->dw_width)) return DWMTJ_ERR_DW_WIDTH;
    if (!isfinite(p->heff)) return DWMTJ_ERR_HEFF;
    if (!pos(p->eta)) return DWMTJ_ERR_ETA;
    if (!pos(p->rho)) return DWMTJ_ERR_RHO;
    if (!pos(p->rp_a)) return DWMTJ_ERR_RP_A;
    if (!(isfinite(p->rap_a) && p->rap_a > p->rp_a)) return DWMTJ_ERR_RAP_A;
    if (!pos(p->rp_b)) return DWMTJ_ERR_RP_B;
    if (!(isfinite(p->rap_b) && p->rap_b > p->rp_b)) return DWMTJ_ERR_RAP_B;
    if (!pos(p->i_nuc)) return DWMTJ_ERR_I_NUC;
    if (!nonneg(p->t_nuc)) return DWMTJ_ERR_T_NUC;
    if (!nonneg(p->l_nuc)) return DWMTJ_ERR_L_NUC;
    {
        /* The reader fires when its resistance crosses (R_P + R_AP)/2, at
         * the overlap R_AP/(R_P + R_AP) of its length: a shorter domain
         * could never fire it.  One longer than the track cannot be
         * written.  la, lb: lengths of domains written by A, by B. */
        double la = p->l_nuc > 0.0 ? p->l_nuc : p->la;
        double lb = p->l_nuc > 0.0 ? p->l_nuc : p->lb;
        double fb = p->rap_b / (p->rp_b + p->rap_b), fa = p->rap_a / (p->rp_a + p->rap_a);
        if (la < fb * p->lb || lb < fa * p->la || la > p->length || lb > p->length)
            return DWMTJ_ERR_L_NUC;
    }
    if (!nonneg(p->j_pin_w)) return DWMTJ_ERR_J_PIN_W;
    if (!nonneg(p->j_pin_t0)) return DWMTJ_ERR_J_PIN_T0;
    if (!nonneg(p->j_pin_t1)) return DWMTJ_ERR_J_PIN_T1;
    if (!nonneg(p->j_pin_r)) return DWMTJ_ERR_J_PIN_R;
    if (!nonneg(p->j_pin_out)) return DWMTJ_ERR_J_PIN_OUT;
    if (!pos(p->pin_width)) return DWMTJ_ERR_PIN_WIDTH;
    if (!nonneg(p->sigma)) return DWMTJ_ERR_SIGMA;
    if (!pos(p->t_slot)) return DWMTJ_ERR_T_SLOT;
    if (!pos(p->dx_max)) return DWMTJ_ERR_DX_MAX;
    if (!nonneg(p->t_rewrite)) return DWMTJ_ERR_T_REWRITE;
    if (p->sigma > 0.0 && p->t_slot < DWMTJ_T_SLOT_SLOW) return DWMTJ_WARN_T_SLOT;
    int k = 0;
    if (dwmtj_param_implausible(p, &k, NULL, NULL, NULL, NULL)) return DWMTJ_WARN_RANGE;
    return DWMTJ_OK;
}
