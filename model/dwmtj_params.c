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

/* The thermal model's constants shared by its sets. */
static void common_thermal(dwmtj_params *p)
{
    p->model = DWMTJ_MODEL_THERMAL;
    p->temp = 0.0;          /* the circuit's */
    p->t_curie = 1000.0;    /* assumption: CoFeB films, Tc ~ 1000 K */
    p->n_pin = 1.5;         /* cubic potential near its inflection (doc/model.md) */
    p->f0 = 1e9;            /* assumption: attempt frequency, the usual 1 GHz */
    p->w_pin = 10e-9;       /* assumption: about a wall width */
    p->eb_edge = 2.2;       /* fit (doc/calibration.md): the lowest barrier with which
                               all of Fig. 3d's 100 cycles reset by the 2.8 V pulse */
    p->a_trk = 0.0;
    p->jc_trk = 0.0;
    p->eb_trk = 0.0;
    p->eb_wr = 0.9;         /* assumption: thermal stability of the nucleation
                               volume, 35 kT at 300 K */
    p->dev_seed = 0.0;
    p->var_jc = 0.05;       /* assumption: spreads of a device drawn with dev_seed */
    p->var_x = 5e-9;
    p->var_r = 0.05;
    p->var_tmr = 0.05;
    p->var_rho = 0.03;
}

/* proto-paper: the fabricated device in the paper's model, its pinning
 * fitted to Fig. 3a in the writer's frame (doc/calibration.md, "The
 * paper's model"); what proto was before the thermal model. */
static void proto_paper(dwmtj_params *p)
{
    memset(p, 0, sizeof *p);
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
    /* the thermal model's fields: off or inert in the paper's model */
    common_thermal(p);
    p->model = DWMTJ_MODEL_PAPER;
    p->r_th = 0.0;
    p->v_bd = p->j_max = p->t_max = 0.0;
    p->v_h = 0.0;
}

/* Track current density per volt across the thermal proto track with A
 * and B open: 1 / (rho L), rho from the two-terminal readings (below). */
#define THERMAL_J_PER_V (1.0 / (PROTO_RHO * 2.0e-6))
/* Ohm m: the readings R_A - R_B = 470 Ohm are the track between identical
 * pillars (450 nm, 900 nm apart): rho = 470 w d / 0.9 um. */
#define PROTO_RHO (470.0 * 250e-9 * 5.4e-9 / 0.9e-6)
/* Ohm, the pillars' R_P: R_B's reading 1180 Ohm less the track from B's
 * centre to GND (650 nm); R_A's 1650 Ohm less 1550 nm gives the same. */
#define PROTO_RP (1180.0 - PROTO_RHO * 0.65e-6 / (250e-9 * 5.4e-9))
/* 1, zero-bias TMR: R_A's AP reading 1930 Ohm less its track, over R_P,
 * read at a small bias (<= 0.1 V on the reading, 58 mV on the pillar). */
#define PROTO_TMR0 (((1930.0 - PROTO_RHO * 1.55e-6 / (250e-9 * 5.4e-9)) / PROTO_RP - 1.0) \
                    * (1.0 + (0.058 / 0.5) * (0.058 / 0.5)))

void dwmtj_params_defaults(dwmtj_params *p)
{
    if (!p)
        return;
    /* proto: the fabricated device (paper, "Device Data Results") in the
     * thermal model; doc/parameters.md gives each value's source */
    proto_paper(p);
    common_thermal(p);
    p->rho = PROTO_RHO;     /* fit: the two-terminal readings (above) */
    p->rp_a = PROTO_RP;     /* fit: readings; identical pillars */
    p->rap_a = PROTO_RP * (1.0 + PROTO_TMR0);
    p->rp_b = PROTO_RP;
    p->rap_b = PROTO_RP * (1.0 + PROTO_TMR0);
    p->v_h = 0.5;           /* assumption: MgO barriers halve their TMR near 0.5 V */
    p->r_th = 3e4;          /* estimate (doc/model.md, "Heat"): 1e5 K/W through the
                               100 nm oxide alone, less through the pillars and the
                               Cr/Au electrodes */
    p->c_th = 1.3e-13;      /* estimate: the track and the oxide under it */
    p->v_bd = 2.6;          /* the paper's device held its 3.1 V writes (2.4 V on
                               the barrier) for 50 ns: a bound from below */
    p->j_max = 3e12;        /* assumption: pulsed limit of Ta/CoFeB tracks */
    p->t_max = 673.0;       /* assumption: the stack's 400 C annealing limit */
    /* fit to Fig. 3a (doc/calibration.md): the edge sites, as pulse volts,
     * that put the 50 % points of depin, fire and reset at 1.95, 2.45 and
     * 2.65 V over 100 cycles; the outer edges taken alike */
    p->jc_a1 = 2.42 * THERMAL_J_PER_V;
    p->jc_a2 = 1.93 * THERMAL_J_PER_V;
    p->jc_b1 = 3.55 * THERMAL_J_PER_V;
    p->jc_b2 = 2.42 * THERMAL_J_PER_V;
    p->i_c0 = 2.2e-3;       /* assumption, bounded by the data: the paper's 3.1 V write
                               (3.0 mA through the pillar) writes in every cycle */
    p->sigma = 0.0;         /* randomness is thermal */
}

static void scaled(dwmtj_params *p)
{
    /* scaled: the simulation device of the paper's Methods table, in the
     * paper's model. */
    proto_paper(p);
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
    /* heat (an estimate, as for proto: the 100 nm oxide under a 25 nm x
     * 500 nm track): the temperature monitor says how hot the network's
     * drive makes it; the paper's model does not feel it, and the safe
     * operating area stays unchecked here (the network's operating point is
     * chosen elsewhere) */
    p->r_th = 1.1e6;
    p->c_th = 1.0e-14;
}

/* scaled-thermal: the network's device (set scaled's geometry and
 * electrics) in the thermal model, for the neuron kind dwmtj-thermal at
 * the safe operating point of doc/operating-point.md: grain-scale sites
 * every a_trk hold the domain anywhere along the track at zero drive, and
 * the safe operating area is checked. */
static void scaled_thermal(dwmtj_params *p)
{
    scaled(p);
    common_thermal(p);
    p->eb_edge = 0.8;       /* assumption: a wall at a pillar edge held as strongly as
                               the domain at a grain site */
    p->jc_a1 = 2.5e11;      /* assumption: each edge as a grain site (below) */
    p->jc_a2 = 2.5e11;
    p->jc_b1 = 2.5e11;
    p->jc_b2 = 2.5e11;
    p->a_trk = 20e-9;       /* assumption: grain size of the sputtered film, as proto-pn */
    p->jc_trk = 2.5e11;     /* assumption: depinning at 9.4 uA through the 25 x 1.5 nm^2
                               track, a tenth of the operating clamp */
    p->eb_trk = 0.8;        /* assumption: 31 kT at 300 K, the domain held for hours at
                               zero drive (doc/operating-point.md) */
    p->i_c0 = 100e-6;       /* assumption: set scaled's i_nuc, 8 MA/cm^2 through the pillar */
    p->v_h = 0.5;           /* assumption: MgO, as proto */
    p->v_bd = 1.2;          /* assumption: lower end of the 1-1.5 V breakdown of a ~1 nm
                               MgO barrier */
    p->j_max = 3e12;        /* assumption: pulsed limit of Ta/CoFeB tracks, as proto */
    p->t_max = 673.0;       /* assumption: the stack's 400 C annealing limit, as proto */
    p->dx_max = 20e-9;      /* a grain spacing: the sites, not dx_max, resolve the motion */
    p->sigma = 0.0;         /* randomness is thermal */
}

/* proto-pn: the pulse-number device of Fig. 4 ("a device in which the
 * variation of depinning is minimised"): the proto stack, pillar A and
 * the end segment at IN as in Fig. 1c, its own gap, read pillar and GND
 * end (the paper gives none of them; doc/calibration.md), weak pillar
 * edges and the distributed pinning of the exposed track, in which a
 * domain with both walls out of the pillars creeps. */
#define PN_LENGTH 2.5e-6    /* m: 225 + 450 (A) + 1350 (gap) + 250 (B) + 225 nm */
#define PN_J_PER_V (1.0 / (PROTO_RHO * PN_LENGTH)) /* A/m^2 per pulse volt */
static void proto_pn(dwmtj_params *p)
{
    dwmtj_params_defaults(p);
    p->length = PN_LENGTH;
    p->xa = 0.45e-6;        /* as proto: 225 nm from IN, 450 nm pillar (paper) */
    p->xb = 2.15e-6;        /* assumption: a 1350 nm gap, three pillar lengths */
    p->lb = 250e-9;         /* assumption: a 250 nm x 250 nm read pillar */
    p->l_nuc = 450e-9;      /* the domain MTJ_A writes: its pillar's length */
    p->rp_b = PROTO_RP * 450e-9 / p->lb; /* the same barrier (R x area) as A */
    p->rap_b = p->rp_b * (1.0 + PROTO_TMR0);
    p->r_th = 3e4 * 2.0e-6 / PN_LENGTH;   /* proto's estimate per track length */
    p->c_th = 1.3e-13 * PN_LENGTH / 2.0e-6;
    p->jc_a1 = 2.0 * PN_J_PER_V;          /* assumption: weak edges, the first */
    p->jc_a2 = 2.0 * PN_J_PER_V;          /* pulse releases the domain */
    p->jc_b1 = 2.0 * PN_J_PER_V;
    p->jc_b2 = 2.0 * PN_J_PER_V;
    p->a_trk = 20e-9;       /* assumption: grain size of the sputtered film */
    p->jc_trk = 3.29 * PN_J_PER_V; /* fit: 12 pulses to fire at 2.4 V (Fig. 5) */
    p->eb_trk = 0.5;        /* assumption: a weak site, 0.5 eV for the domain */
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
    if (strcmp(name, "scaled-thermal") == 0) {
        scaled_thermal(p);
        return DWMTJ_OK;
    }
    if (strcmp(name, "proto-paper") == 0) {
        proto_paper(p);
        return DWMTJ_OK;
    }
    if (strcmp(name, "proto-pn") == 0) {
        proto_pn(p);
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
    X(t_rewrite, DWMTJ_ERR_T_REWRITE, "s", 0.0, 1.0) \
    X(model, DWMTJ_ERR_MODEL, "1", 0.0, 1.0) \
    X(temp, DWMTJ_ERR_TEMP, "K", 0.0, 1000.0) \
    X(r_th, DWMTJ_ERR_R_TH, "K/W", 0.0, 1e8) X(c_th, DWMTJ_ERR_C_TH, "J/K", 0.0, 1e-9) \
    X(t_curie, DWMTJ_ERR_T_CURIE, "K", 0.0, 2000.0) \
    X(v_bd, DWMTJ_ERR_V_BD, "V", 0.0, 10.0) \
    X(j_max, DWMTJ_ERR_J_MAX, "A/m^2", 0.0, 1e14) \
    X(t_max, DWMTJ_ERR_T_MAX, "K", 0.0, 2000.0) \
    X(v_h, DWMTJ_ERR_V_H, "V", 0.0, 10.0) \
    X(jc_a1, DWMTJ_ERR_JC_A1, "A/m^2", 0.0, 1e14) X(jc_a2, DWMTJ_ERR_JC_A2, "A/m^2", 0.0, 1e14) \
    X(jc_b1, DWMTJ_ERR_JC_B1, "A/m^2", 0.0, 1e14) X(jc_b2, DWMTJ_ERR_JC_B2, "A/m^2", 0.0, 1e14) \
    X(eb_edge, DWMTJ_ERR_EB_EDGE, "eV", 0.0, 10.0) \
    X(a_trk, DWMTJ_ERR_A_TRK, "m", 0.0, 1e-6) \
    X(jc_trk, DWMTJ_ERR_JC_TRK, "A/m^2", 0.0, 1e14) \
    X(eb_trk, DWMTJ_ERR_EB_TRK, "eV", 0.0, 10.0) \
    X(n_pin, DWMTJ_ERR_N_PIN, "1", 1.0, 2.0) \
    X(f0, DWMTJ_ERR_F0, "Hz", 1e7, 1e12) \
    X(w_pin, DWMTJ_ERR_W_PIN, "m", 1e-10, 1e-6) \
    X(i_c0, DWMTJ_ERR_I_C0, "A", 1e-7, 1.0) \
    X(eb_wr, DWMTJ_ERR_EB_WR, "eV", 0.0, 10.0) \
    X(dev_seed, DWMTJ_ERR_DEV_SEED, "1", 0.0, DWMTJ_SEED_MAX) \
    X(var_jc, DWMTJ_ERR_VAR_JC, "1", 0.0, 0.25) X(var_x, DWMTJ_ERR_VAR_X, "m", 0.0, 1e-7) \
    X(var_r, DWMTJ_ERR_VAR_R, "1", 0.0, 0.25) X(var_tmr, DWMTJ_ERR_VAR_TMR, "1", 0.0, 0.25) \
    X(var_rho, DWMTJ_ERR_VAR_RHO, "1", 0.0, 0.25)

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

void dwmtj_set_ambient(dwmtj_params *p, double t_circuit)
{
    if (p && p->temp == 0.0)
        p->temp = isfinite(t_circuit) && t_circuit > 0.0 ? t_circuit : DWMTJ_T_DEFAULT;
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

/* 1 when model m reads parameter name: the paper's model has no use for
 * the thermal model's sites, write and spreads, the thermal model none for
 * the paper's landscape, write and velocity noise. */
static int used_by(double m, const char *name)
{
    static const char *const paper_only[] = { "eta", "i_nuc", "t_nuc", "j_pin_w", "j_pin_t0",
                                              "j_pin_t1", "j_pin_r", "j_pin_out", "pin_width",
                                              "sigma", "t_slot" };
    static const char *const thermal_only[] = { "jc_a1", "jc_a2", "jc_b1", "jc_b2", "eb_edge",
                                                "a_trk", "jc_trk", "eb_trk", "n_pin", "f0",
                                                "w_pin", "i_c0", "eb_wr", "dev_seed", "var_jc",
                                                "var_x", "var_r", "var_tmr", "var_rho" };
    const char *const *list = m == DWMTJ_MODEL_THERMAL ? paper_only : thermal_only;
    size_t n = m == DWMTJ_MODEL_THERMAL ? sizeof paper_only / sizeof *paper_only
                                        : sizeof thermal_only / sizeof *thermal_only;
    for (size_t k = 0; k < n; k++)
        if (strcmp(list[k], name) == 0)
            return 0;
    return 1;
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
        if ((v >= r->lo && v <= r->hi) || !used_by(p->model, r->name))
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
    if (status == DWMTJ_ERR_SIGMA_THERMAL)
        return "sigma";
    if (status == DWMTJ_ERR_DRAWN)
        return "dev_seed";
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
    case DWMTJ_WARN_SOA: return "the device left its safe operating area";
    case DWMTJ_ERR_STEP_LONG: return "step covered more than 1e7 noise slots or 64 writes "
                                     "(take shorter steps)";
    case DWMTJ_ERR_NULL: return "a required pointer was NULL";
    case DWMTJ_ERR_SET: return "unknown parameter set (use proto, proto-pn, proto-paper, "
                               "scaled or scaled-thermal)";
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
    case DWMTJ_ERR_MODEL: return "model must be 0 (the paper's) or 1 (thermal)";
    case DWMTJ_ERR_TEMP: return "temperature must be > 0 K (0: the circuit's)";
    case DWMTJ_ERR_R_TH: return "thermal resistance must be > 0 in the thermal model (>= 0 "
                                "in the paper's, 0: no heating)";
    case DWMTJ_ERR_C_TH: return "heat capacity must be > 0 when r_th > 0";
    case DWMTJ_ERR_T_CURIE: return "Curie temperature must be 0 (Ms constant) or above "
                                   "the temperature and t_max";
    case DWMTJ_ERR_V_BD: return "breakdown voltage must be >= 0 (0: not checked)";
    case DWMTJ_ERR_J_MAX: return "largest current density must be >= 0 (0: not checked)";
    case DWMTJ_ERR_T_MAX: return "highest temperature must be >= 0 (0: not checked)";
    case DWMTJ_ERR_V_H: return "TMR half-bias voltage must be >= 0 (0: no bias dependence)";
    case DWMTJ_ERR_JC_A1: return "depinning current density must be > 0 in the thermal model";
    case DWMTJ_ERR_JC_A2: return "depinning current density must be > 0 in the thermal model";
    case DWMTJ_ERR_JC_B1: return "depinning current density must be > 0 in the thermal model";
    case DWMTJ_ERR_JC_B2: return "depinning current density must be > 0 in the thermal model";
    case DWMTJ_ERR_EB_EDGE: return "barrier must be > 0 in the thermal model";
    case DWMTJ_ERR_A_TRK: return "site spacing must be >= 0 (0: no distributed sites) and "
                                 "above w_pin";
    case DWMTJ_ERR_JC_TRK: return "depinning current density must be > 0 with a_trk > 0";
    case DWMTJ_ERR_EB_TRK: return "barrier must be > 0 with a_trk > 0";
    case DWMTJ_ERR_N_PIN: return "barrier exponent must be > 0";
    case DWMTJ_ERR_F0: return "attempt frequency must be > 0";
    case DWMTJ_ERR_W_PIN: return "site width must be > 0";
    case DWMTJ_ERR_I_C0: return "critical write current must be > 0";
    case DWMTJ_ERR_EB_WR: return "write barrier must be > 0 in the thermal model";
    case DWMTJ_ERR_DEV_SEED: return "must be an integer from 0 to 2^53";
    case DWMTJ_ERR_VAR_JC: return "relative spread must be in [0, 0.25): a larger one draws "
                                  "negative depinning currents";
    case DWMTJ_ERR_VAR_X: return "position spread must be >= 0 and below w_pin";
    case DWMTJ_ERR_VAR_R: return "relative spread must be in [0, 0.25): a larger one draws "
                                 "negative resistances";
    case DWMTJ_ERR_VAR_TMR: return "relative spread must be in [0, 0.25): a larger one draws "
                                   "R_AP below R_P";
    case DWMTJ_ERR_VAR_RHO: return "relative spread must be in [0, 0.25): a larger one draws "
                                   "negative resistivities";
    case DWMTJ_ERR_SIGMA_THERMAL: return "sigma is the paper's velocity noise (model = 0); the "
                                         "thermal model's randomness is its escape: set sigma = 0";
    case DWMTJ_ERR_DRAWN: return "the device drawn with dev_seed is not a device (a value <= 0, "
                                 "R_AP <= R_P or an MTJ off the track): use smaller spreads";
    default: return "unknown status";
    }
}

static int pos(double x) { return isfinite(x) && x > 0.0; }
static int nonneg(double x) { return isfinite(x) && x >= 0.0; }

static int inside(double c, double l, double length)
{
    return isfinite(c) && c - 0.5 * l >= 0.0 && c + 0.5 * l <= length;
}

static int integer(double x, double hi) { return x >= 0.0 && x <= hi && x == floor(x); }
static int spread(double x) { return isfinite(x) && x >= 0.0 && x < 0.25; }

/* The fields of heat, the safe operating area and the thermal model. */
static int check_thermal(const dwmtj_params *p)
{
    int thermal = p->model == DWMTJ_MODEL_THERMAL;
    if (!(p->model == DWMTJ_MODEL_PAPER || thermal)) return DWMTJ_ERR_MODEL;
    if (!nonneg(p->temp)) return DWMTJ_ERR_TEMP;
    if (!(thermal ? pos(p->r_th) : nonneg(p->r_th))) return DWMTJ_ERR_R_TH;
    if (p->r_th > 0.0 && !pos(p->c_th)) return DWMTJ_ERR_C_TH;
    if (!nonneg(p->c_th)) return DWMTJ_ERR_C_TH;
    if (!nonneg(p->t_curie) ||
        (p->t_curie > 0.0 && (p->t_curie <= p->temp || p->t_curie <= p->t_max ||
                              p->t_curie <= 300.0)))
        return DWMTJ_ERR_T_CURIE;
    if (!nonneg(p->v_bd)) return DWMTJ_ERR_V_BD;
    if (!nonneg(p->j_max)) return DWMTJ_ERR_J_MAX;
    if (!nonneg(p->t_max)) return DWMTJ_ERR_T_MAX;
    if (!nonneg(p->v_h)) return DWMTJ_ERR_V_H;
    if (!integer(p->dev_seed, DWMTJ_SEED_MAX)) return DWMTJ_ERR_DEV_SEED;
    if (!thermal)
        return DWMTJ_OK;
    if (p->sigma > 0.0) return DWMTJ_ERR_SIGMA_THERMAL;
    if (!pos(p->jc_a1)) return DWMTJ_ERR_JC_A1;
    if (!pos(p->jc_a2)) return DWMTJ_ERR_JC_A2;
    if (!pos(p->jc_b1)) return DWMTJ_ERR_JC_B1;
    if (!pos(p->jc_b2)) return DWMTJ_ERR_JC_B2;
    if (!pos(p->eb_edge)) return DWMTJ_ERR_EB_EDGE;
    if (!pos(p->n_pin)) return DWMTJ_ERR_N_PIN;
    if (!pos(p->f0)) return DWMTJ_ERR_F0;
    if (!pos(p->w_pin)) return DWMTJ_ERR_W_PIN;
    if (!nonneg(p->a_trk) || (p->a_trk > 0.0 && p->a_trk <= p->w_pin)) return DWMTJ_ERR_A_TRK;
    if (p->a_trk > 0.0 && !pos(p->jc_trk)) return DWMTJ_ERR_JC_TRK;
    if (!nonneg(p->jc_trk)) return DWMTJ_ERR_JC_TRK;
    if (p->a_trk > 0.0 && !pos(p->eb_trk)) return DWMTJ_ERR_EB_TRK;
    if (!nonneg(p->eb_trk)) return DWMTJ_ERR_EB_TRK;
    if (!pos(p->i_c0)) return DWMTJ_ERR_I_C0;
    if (!pos(p->eb_wr)) return DWMTJ_ERR_EB_WR;
    if (!spread(p->var_jc)) return DWMTJ_ERR_VAR_JC;
    if (!nonneg(p->var_x) || p->var_x >= p->w_pin) return DWMTJ_ERR_VAR_X;
    if (!spread(p->var_r)) return DWMTJ_ERR_VAR_R;
    if (!spread(p->var_tmr)) return DWMTJ_ERR_VAR_TMR;
    if (!spread(p->var_rho)) return DWMTJ_ERR_VAR_RHO;
    return DWMTJ_OK;
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
    int st = check_thermal(p);
    if (st < 0)
        return st;
    if (p->sigma > 0.0 && p->t_slot < DWMTJ_T_SLOT_SLOW) return DWMTJ_WARN_T_SLOT;
    int k = 0;
    if (dwmtj_param_implausible(p, &k, NULL, NULL, NULL, NULL)) return DWMTJ_WARN_RANGE;
    return DWMTJ_OK;
}
