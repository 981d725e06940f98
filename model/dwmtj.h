/* libdwmtj: compact model of the four-terminal domain-wall MTJ
 * integrate-fire-reset neuron (Cui, Liu, Kwon, Incorvia, "Domain Wall
 * Magnetic Tunnel Junction Reliable Integrate and Fire Neuron").
 *
 * Pure C99: no I/O, no globals, no simulator headers.  The caller owns all
 * memory.  Status codes: 0 = DWMTJ_OK, negative = error, positive = warning.
 *
 * Terminals, in this order everywhere: IN, GND, A, B (dwmtj_terminal).
 * The track runs along x from the IN end (x = 0) to the GND end (x = L).
 * MTJ_A joins terminal A to the track point under its centre, MTJ_B joins B
 * to the point under its centre.  Conventional current from IN to GND drives
 * the domain towards +x (the paper's j applied along -x with its axis
 * reversed; see doc/model.md).
 */
#ifndef DWMTJ_H
#define DWMTJ_H

#include <stdint.h>

#define DWMTJ_VERSION "0.1.0"

enum dwmtj_terminal { DWMTJ_IN = 0, DWMTJ_GND = 1, DWMTJ_A = 2, DWMTJ_B = 3 };
#define DWMTJ_NTERM 4

/* Energy is accounted by the phase the device is in at the start of a step. */
enum dwmtj_phase {
    DWMTJ_PHASE_IDLE = 0,      /* no domain, no write current */
    DWMTJ_PHASE_WRITE = 1,     /* a write MTJ carries >= i_nuc/2 */
    DWMTJ_PHASE_INTEGRATE = 2, /* domain present, reader not yet switched */
    DWMTJ_PHASE_FIRE = 3,      /* reader resistance past its midpoint */
    DWMTJ_PHASE_RESET = 4      /* domain beyond the reader, on its way out */
};
#define DWMTJ_NPHASE 5

/* Status codes.  Each invalid parameter has its own code so that a caller
 * can name it (dwmtj_status_param). */
enum dwmtj_status {
    DWMTJ_OK = 0,
    DWMTJ_WARN_PRESENT = 2,       /* a domain is already on the track */
    DWMTJ_WARN_UNSEEN = 3,        /* dwmtj_step: the domain entered and left an
                                     MTJ's above-midpoint window within the step,
                                     so no time point showed that MTJ switched */
    DWMTJ_WARN_T_SLOT = 4,        /* dwmtj_params_check: sigma > 0 with t_slot
                                     below DWMTJ_T_SLOT_SLOW: legal, but slow */
    DWMTJ_WARN_RANGE = 5,         /* dwmtj_params_check: a parameter outside the
                                     range of a physical device (which ones:
                                     dwmtj_param_implausible) */
    DWMTJ_WARN_SOA = 6,           /* dwmtj_step: the device left its safe operating
                                     area within the step (barrier voltage above
                                     v_bd, track current density above j_max or
                                     temperature above t_max): which, the value and
                                     when are in the state (soa_what, soa_value,
                                     soa_t; dwmtj_soa_string) */
    DWMTJ_ERR_NULL = -1,          /* a required pointer was NULL */
    DWMTJ_ERR_SET = -2,           /* unknown parameter-set name */
    DWMTJ_ERR_TIME = -3,          /* step end before step start, or not finite */
    DWMTJ_ERR_INPUT = -4,         /* a terminal voltage is not finite */
    DWMTJ_ERR_NAME = -5,          /* unknown parameter name */
    DWMTJ_ERR_STEP_LONG = -6,     /* step covered more than DWMTJ_MAX_SLOTS noise
                                     slots or DWMTJ_MAX_WRITES writes */
    DWMTJ_ERR_LENGTH = -10,
    DWMTJ_ERR_WIDTH = -11,
    DWMTJ_ERR_THICK = -12,
    DWMTJ_ERR_XA = -13,
    DWMTJ_ERR_LA = -14,
    DWMTJ_ERR_XB = -15,
    DWMTJ_ERR_LB = -16,
    DWMTJ_ERR_MS = -17,
    DWMTJ_ERR_POL = -18,
    DWMTJ_ERR_ALPHA = -19,
    DWMTJ_ERR_DW_WIDTH = -20,
    DWMTJ_ERR_HEFF = -21,
    DWMTJ_ERR_ETA = -22,
    DWMTJ_ERR_RHO = -23,
    DWMTJ_ERR_RP_A = -24,
    DWMTJ_ERR_RAP_A = -25,
    DWMTJ_ERR_RP_B = -26,
    DWMTJ_ERR_RAP_B = -27,
    DWMTJ_ERR_I_NUC = -28,
    DWMTJ_ERR_T_NUC = -29,
    DWMTJ_ERR_L_NUC = -30,
    DWMTJ_ERR_J_PIN_W = -31,
    DWMTJ_ERR_J_PIN_T0 = -32,
    DWMTJ_ERR_J_PIN_T1 = -33,
    DWMTJ_ERR_J_PIN_R = -34,
    DWMTJ_ERR_J_PIN_OUT = -35,
    DWMTJ_ERR_PIN_WIDTH = -36,
    DWMTJ_ERR_SIGMA = -37,
    DWMTJ_ERR_T_SLOT = -38,
    DWMTJ_ERR_DX_MAX = -39,
    DWMTJ_ERR_OVERLAP = -40,      /* MTJ_A and MTJ_B overlap or touch */
    DWMTJ_ERR_T_REWRITE = -41,
    DWMTJ_ERR_SEED = -42,         /* the seed is not an integer in 0..DWMTJ_SEED_MAX */
    DWMTJ_ERR_MODEL = -43,
    DWMTJ_ERR_TEMP = -44,
    DWMTJ_ERR_R_TH = -45,
    DWMTJ_ERR_C_TH = -46,
    DWMTJ_ERR_T_CURIE = -47,
    DWMTJ_ERR_V_BD = -48,
    DWMTJ_ERR_J_MAX = -49,
    DWMTJ_ERR_T_MAX = -50,
    DWMTJ_ERR_V_H = -51,
    DWMTJ_ERR_JC_A1 = -52,
    DWMTJ_ERR_JC_A2 = -53,
    DWMTJ_ERR_JC_B1 = -54,
    DWMTJ_ERR_JC_B2 = -55,
    DWMTJ_ERR_EB_EDGE = -56,
    DWMTJ_ERR_A_TRK = -57,
    DWMTJ_ERR_JC_TRK = -58,
    DWMTJ_ERR_EB_TRK = -59,
    DWMTJ_ERR_N_PIN = -60,
    DWMTJ_ERR_F0 = -61,
    DWMTJ_ERR_W_PIN = -62,
    DWMTJ_ERR_I_C0 = -63,
    DWMTJ_ERR_EB_WR = -64,
    DWMTJ_ERR_DEV_SEED = -65,
    DWMTJ_ERR_VAR_JC = -66,
    DWMTJ_ERR_VAR_X = -67,
    DWMTJ_ERR_VAR_R = -68,
    DWMTJ_ERR_VAR_TMR = -69,
    DWMTJ_ERR_VAR_RHO = -70,
    DWMTJ_ERR_SIGMA_THERMAL = -71, /* sigma > 0 with model = 1: the paper's velocity
                                      noise and thermal escape are two models of
                                      one randomness; use one */
    DWMTJ_ERR_DRAWN = -72         /* the device drawn with dev_seed is not a device
                                     (a resistance, Jc or length <= 0, R_AP <= R_P,
                                     an MTJ off the track): smaller spreads */
};

/* The two models of the device (parameter model). */
enum dwmtj_model {
    DWMTJ_MODEL_PAPER = 0,   /* the paper's: gated flow in the writer's frame (j_pin_*),
                                velocity noise N(1, sigma) per slot, write at i_nuc for
                                t_nuc; the network's device (set "scaled") */
    DWMTJ_MODEL_THERMAL = 1  /* pinning sites fixed on the track with Neel-Brown
                                escape, Joule heating, stochastic STT write */
};

/* Quantities of the safe operating area (dwmtj_state.soa_what). */
enum dwmtj_soa {
    DWMTJ_SOA_NONE = 0,
    DWMTJ_SOA_BARRIER = 1,   /* V, barrier voltage of an MTJ above v_bd */
    DWMTJ_SOA_CURRENT = 2,   /* A/m^2, track current density above j_max */
    DWMTJ_SOA_TEMP = 3       /* K, device temperature above t_max */
};

/* K, the temperature of a host without one (ngspice's default 27 C). */
#define DWMTJ_T_DEFAULT 300.15

/* s, a noise slot below this (with sigma > 0) makes dwmtj_params_check
 * warn: each step draws one normal number per slot, 1e4 for every 10 ns. */
#define DWMTJ_T_SLOT_SLOW 1e-12
/* Largest seed: every integer up to 2^53 is a double, so a seed read as a
 * number (a .model card's) is the seed written. */
#define DWMTJ_SEED_MAX 9007199254740992.0
/* Most noise slots one step may cover, and most domains one step may
 * write; a longer step is refused (DWMTJ_ERR_STEP_LONG) and dwmtj_eval's
 * t_next keeps every step within both. */
#define DWMTJ_MAX_SLOTS 10000000L
/* s, the shortest step dwmtj_eval.t_next asks for.  An event nearer than
 * this is taken inside the next step, which places it at its own time: the
 * domain, at a few hundred m/s, moves a few pm in 10 fs, far below any
 * window, while a simulator's step of 1e-16 s makes C/h of its femtofarad
 * nodes so large that Newton stops converging on rounding (ngspice:
 * "Timestep too small" after the step approached a wall's arrival in
 * ever shorter steps, doc/cell-cmos.md). */
#define DWMTJ_H_MIN 1e-14
#define DWMTJ_MAX_WRITES 64

/* User-set parameters (NEST style: what a user writes on a .model card).
 * Names of the fields are the parameter names of the code model. */
typedef struct dwmtj_params {
    /* geometry of the racetrack and the two MTJ pillars */
    double length;   /* m, track length L from the IN end to the GND end */
    double width;    /* m, track width w */
    double thick;    /* m, track (free layer + underlayer) thickness d */
    double xa;       /* m, centre of MTJ_A along the track */
    double la;       /* m, length of MTJ_A along the track */
    double xb;       /* m, centre of MTJ_B along the track */
    double lb;       /* m, length of MTJ_B along the track */
    /* magnetic parameters of the 1D wall model (paper, Methods table) */
    double ms;       /* A/m, saturation magnetisation Msat */
    double pol;      /* 1, spin polarisation P, in (0, 1] */
    double alpha;    /* 1, Gilbert damping */
    double dw_width; /* m, domain-wall width parameter Delta */
    double heff;     /* A/m, net effective field driving the domain along +x */
    double eta;      /* 1, spin-transfer efficiency (1 = paper's formula) */
    /* electrical */
    double rho;      /* Ohm m, track resistivity */
    double rp_a;     /* Ohm, MTJ_A parallel resistance */
    double rap_a;    /* Ohm, MTJ_A antiparallel resistance */
    double rp_b;     /* Ohm, MTJ_B parallel resistance */
    double rap_b;    /* Ohm, MTJ_B antiparallel resistance */
    /* write (nucleation) */
    double i_nuc;    /* A, current from the track into a pillar that nucleates */
    double t_nuc;    /* s, time that current must last */
    double l_nuc;    /* m, nucleated domain length; 0 = the write MTJ's length */
    /* pinning landscape, in the frame of travel from writer to reader */
    double j_pin_w;  /* A/m^2, depinning threshold out of the write MTJ's well */
    double j_pin_t0; /* A/m^2, track threshold next to the write MTJ */
    double j_pin_t1; /* A/m^2, track threshold next to the read MTJ */
    double j_pin_r;  /* A/m^2, depinning threshold out of the read MTJ's well */
    double j_pin_out;/* A/m^2, threshold outside the span of the two MTJs */
    double pin_width;/* 1, relative drive above a threshold for full speed */
    /* noise: dx = v dt N(1, sigma) per slot (paper, Eq. for dx) */
    double sigma;    /* 1, relative standard deviation of each slot's step */
    double t_slot;   /* s, noise slot (the paper's dt) */
    uint64_t seed;   /* 1, noise seed; with the instance key selects the draws */
    /* numerics */
    double dx_max;   /* m, largest domain displacement wanted per step */
    /* periphery */
    double t_rewrite;/* s, clock period of an ideal write periphery: at every
                        multiple of it at which the track is empty (t = 0
                        included) a domain is written under the last writer,
                        with no write current; 0 = none (writes only by the
                        write current, i_nuc for t_nuc) */
    /* which model (dwmtj_model): the paper's or the thermal one */
    double model;    /* 1, 0 = DWMTJ_MODEL_PAPER, 1 = DWMTJ_MODEL_THERMAL */
    /* temperature and heat, both models (doc/model.md, "Heat") */
    double temp;     /* K, ambient temperature; 0 = the host's (dwmtj_set_ambient:
                        ngspice's .temp / .options temp), DWMTJ_T_DEFAULT without one */
    double r_th;     /* K/W, thermal resistance from the track to the ambient;
                        0 = no Joule heating (the device stays at temp) */
    double c_th;     /* J/K, heat capacity of the track and what heats with it */
    double t_curie;  /* K, Curie temperature of Ms(T) = Ms (1 - (T/Tc)^1.5) /
                        (1 - (T0/Tc)^1.5), Ms given at T0 = 300 K; 0 = Ms constant */
    /* safe operating area, both models; 0 = not checked */
    double v_bd;     /* V, breakdown voltage of an MTJ's tunnel barrier */
    double j_max;    /* A/m^2, largest track current density */
    double t_max;    /* K, highest device temperature */
    /* MTJ bias dependence: TMR(V) = TMR0 / (1 + (V / v_h)^2) */
    double v_h;      /* V, barrier voltage at which the TMR halves; 0 = none */
    /* thermal model: pinning sites fixed on the track, at the pillar edges
     * (1 = the edge nearer IN, 2 = nearer GND), for one wall at 0 K */
    double jc_a1;    /* A/m^2, depinning current density, MTJ_A's IN-side edge */
    double jc_a2;    /* A/m^2, MTJ_A's GND-side edge */
    double jc_b1;    /* A/m^2, MTJ_B's IN-side edge */
    double jc_b2;    /* A/m^2, MTJ_B's GND-side edge */
    double eb_edge;  /* eV, barrier of a wall at an edge site at zero drive */
    double a_trk;    /* m, spacing of the track's distributed sites, in the
                        domain centre; 0 = none */
    double jc_trk;   /* A/m^2, their depinning current density (domain) */
    double eb_trk;   /* eV, their barrier at zero drive (domain) */
    double n_pin;    /* 1, barrier exponent: E(J) = E0 (1 - J/Jc)^n */
    double f0;       /* Hz, attempt frequency of every escape */
    double w_pin;    /* m, width of a site: two walls within it of two sites
                        pin together; the length its force acts over */
    /* thermal model: write by spin-transfer switching under a pillar */
    double i_c0;     /* A, critical current from the pillar into the track
                        (P -> AP) at 0 K */
    double eb_wr;    /* eV, switching barrier at zero current */
    /* device-to-device variation (thermal model) */
    double dev_seed; /* 1, 0 = the nominal device; else the device drawn with this
                        seed (integer 1..2^53) */
    double var_jc;   /* 1, relative standard deviation of each site's Jc */
    double var_x;    /* m, standard deviation of each edge site's position */
    double var_r;    /* 1, relative standard deviation of each MTJ's R_P */
    double var_tmr;  /* 1, relative standard deviation of each MTJ's TMR */
    double var_rho;  /* 1, relative standard deviation of the track resistivity */
} dwmtj_params;

/* Most pinning stops of the domain centre from the edge sites, per writer. */
#define DWMTJ_MAX_STOPS 8

/* A place where the domain's centre is held (thermal model): walls at one or
 * two sites; escape at rate f0 exp(-eb/kT (1 - J/jc)^n_pin). */
typedef struct dwmtj_stop {
    double c;        /* m, domain centre */
    double jc;       /* A/m^2, depinning drive of the domain (the mean wall
                        current density that depins it at 0 K) */
    double eb;       /* J, barrier at zero drive */
} dwmtj_stop;

/* Derived constants, computed once by dwmtj_derive. */
typedef struct dwmtj_derived {
    dwmtj_params p;      /* validated copy of the parameters */
    double area;         /* m^2, track cross-section w d */
    double g_seg[3];     /* S, track segments IN-PA, PA-PB, PB-GND */
    double stt;          /* m^3/C, eta g muB P / (2 e Ms): v per unit j */
    double v_field;      /* m/s, gamma mu0 Delta Heff / alpha */
    double f_mid[2];     /* 1, overlap at which R_A, R_B cross (R_P+R_AP)/2 */
    double x_mtj[2];     /* m, centres of MTJ_A, MTJ_B */
    double l_mtj[2];     /* m, lengths of MTJ_A, MTJ_B */
    double gp[2];        /* S, parallel conductances of MTJ_A, MTJ_B */
    double gap[2];       /* S, antiparallel conductances of MTJ_A, MTJ_B */
    int flat;            /* 1 when every pinning threshold is 0: the velocity
                            is then linear in j everywhere, so one trapezoid
                            per step is exact (no sub-steps) */
    int model;           /* dwmtj_model */
    double t_amb;        /* K, ambient temperature */
    double tmr0[2];      /* 1, zero-bias TMR of MTJ_A, MTJ_B */
    /* thermal model: the device as drawn (dev_seed) */
    double ell[2];       /* m, length of a domain written by MTJ_A, MTJ_B */
    dwmtj_stop stop[2][DWMTJ_MAX_STOPS]; /* the edge stops by writer, sorted by c */
    int n_stop[2];
    double eb_trk;       /* J, the track sites' barrier */
    double eb_wr;        /* J, the write barrier */
    double r_open[DWMTJ_NTERM]; /* Ohm, each terminal's voltage per ampere of
                            an open drive (IN to GND, A and B carrying
                            nothing): the track's resistance from its point
                            to GND (dwmtj_open_voltages) */
} dwmtj_derived;

/* What evolves.  Plain old data, so that a simulator can copy and roll it
 * back (XSPICE cm_analog_alloc storage). */
typedef struct dwmtj_state {
    double t;            /* s, time this state belongs to */
    int present;         /* 1 while a domain is on the track */
    int writer;          /* 0 = MTJ_A, 1 = MTJ_B wrote the present domain */
    int fired;           /* 1 once the reader crossed its midpoint this cycle */
    int depinned;        /* 1 once the writer crossed back this cycle */
    double x_lo;         /* m, lower wall position (may leave [0, L]) */
    double x_hi;         /* m, upper wall position */
    double v;            /* m/s, domain velocity at t */
    double j;            /* A/m^2, mean wall current density at t */
    double t_wr[2];      /* s, time the write current of A, B has lasted */
    double i_mtj[2];     /* A, currents track -> pillar of A, B at t */
    double power;        /* W, power into the device at t */
    double energy[DWMTJ_NPHASE]; /* J, energy accumulated by phase */
    double n_write;      /* 1, domains nucleated */
    double n_depin;      /* 1, depinnings from the writer */
    double n_fire;       /* 1, fires */
    double n_reset;      /* 1, ejections past the reader's end */
    double n_lost;       /* 1, ejections past the writer's end */
    double t_write;      /* s, time of the last nucleation (-1: none) */
    double t_depin;      /* s, time of the last depinning */
    double t_fire;       /* s, time of the last fire */
    double t_reset;      /* s, time of the last reset */
    double v_term[DWMTJ_NTERM]; /* V, terminal voltages at t: with those at
                                   the step's end, the drive a domain written
                                   inside the next step moves under */
    double i_term[DWMTJ_NTERM]; /* A, terminal currents into the device at t:
                                   with v_term, the next step's energy */
    double temp;         /* K, device temperature at t */
    /* thermal model: the domain held at a stop, and its escape */
    int held;            /* 1 while the domain is held at a stop */
    double c_held;       /* m, the stop's centre */
    double jc_held;      /* A/m^2, its depinning drive */
    double eb_held;      /* J, its barrier */
    double hz;           /* 1, escape hazard integrated since it arrived */
    double hz_draw;      /* 1, the Exp(1) draw it escapes at; NaN until the first
                            step draws it (a domain written by dwmtj_write) */
    double c_left;       /* m, centre of the stop it was last released from, where
                            it then sits: not a stop ahead (NaN: none) */
    double n_arrive;     /* 1, arrivals at stops (numbers the draws) */
    double hz_wr[2];     /* 1, write hazard integrated at A, B since the last write */
    /* safe operating area */
    unsigned soa_on;     /* bit q: quantity q (dwmtj_soa) is outside its limit */
    double n_soa;        /* 1, times the device left its safe operating area */
    int soa_what;        /* dwmtj_soa of the last time it left */
    double soa_value;    /* V, A/m^2 or K: the value then */
    double soa_t;        /* s, when */
} dwmtj_state;

/* Electrical view of one instant: terminal currents (into the device) and
 * their derivatives with respect to the terminal voltages. */
typedef struct dwmtj_eval {
    double i[DWMTJ_NTERM];               /* A, current into each terminal */
    double g[DWMTJ_NTERM][DWMTJ_NTERM];  /* S, d i[k] / d v[j], full Jacobian */
    double g_static[DWMTJ_NTERM][DWMTJ_NTERM]; /* S, conductance at frozen state */
    double t_event;      /* s, predicted next event (nucleation, fire,
                            stop, ejection); +inf if none; NaN from
                            dwmtj_step_for without DWMTJ_NEED_EVENT on a
                            clocked device (t_rewrite > 0) */
    double h_max;        /* s, longest next step for dx_max; +inf if idle;
                            NaN as t_event */
    double t_next;       /* s, the library's one step-limit policy, for every
                            host: the latest time the next time point may
                            have (+inf: none).  Without t_rewrite the earlier
                            of t_event and t + h_max; with it the next clock
                            edge; within DWMTJ_MAX_SLOTS noise slots (sigma >
                            0); earlier when the domain, as it was at the
                            step's start, would pass an MTJ's above-midpoint
                            window before then with no time point in it;
                            never before t + DWMTJ_H_MIN.
                            That part depends only on the step's start (the
                            accepted state), not on the trial voltages, so a
                            simulator may set it in every Newton iteration */
    double t_turn;       /* s, the instant inside the step just taken at
                            which the domain turns (its velocity, linear in
                            time over the step, changes sign) inside or
                            outside an MTJ's above-midpoint window that both
                            of the step's ends are on the other side of: a
                            window entered and left on the turn, which the
                            step does not count (doc/model.md) and a host
                            that senses the MTJ needs a time point at; +inf
                            if none */
    double t_cross;      /* s, the first instant inside the step just taken
                            at which a wall crossed a pillar's centre whose
                            two segments carry different currents (the
                            domain's velocity steps there: a t_next event,
                            which the step outran); a host that solves the
                            continuous circuit needs a time point at it;
                            +inf if none */
    int phase;           /* dwmtj_phase of the step just taken */
    double dx_dv[DWMTJ_NTERM]; /* m/V, d (domain centre at t1) / d v[j];
                                  0 when the domain stopped at a pin */
} dwmtj_eval;

/* Parameters */
void dwmtj_params_defaults(dwmtj_params *p);             /* fills every field: proto */
/* name: "proto", "proto-pn", "proto-paper", "scaled" or "scaled-thermal" */
int dwmtj_params_set(dwmtj_params *p, const char *name);
/* First invalid field (negative); else DWMTJ_WARN_T_SLOT when sigma > 0 and
 * t_slot < DWMTJ_T_SLOT_SLOW; else DWMTJ_WARN_RANGE when a value is outside
 * the range of a physical device (dwmtj_param_implausible); else DWMTJ_OK. */
int dwmtj_params_check(const dwmtj_params *p);
const char *dwmtj_status_string(int status);
const char *dwmtj_status_param(int status); /* parameter named by a status
                                               (error or warning), or NULL */
/* The next parameter from index *k on whose value lies outside the range of
 * a physical device (doc/parameters.md), with its value, range and unit
 * (each may be NULL); *k moves past it.  NULL when there is none more.
 * Start with *k = 0. */
const char *dwmtj_param_implausible(const dwmtj_params *p, int *k, double *value, double *lo,
                                    double *hi, const char **unit);

/* Name-based access, for adapters: sets or reads one real parameter. */
int dwmtj_param_set_by_name(dwmtj_params *p, const char *name, double value);
int dwmtj_param_get_by_name(const dwmtj_params *p, const char *name, double *value);
int dwmtj_param_count(void);
const char *dwmtj_param_name(int index); /* NULL past the end */
const char *dwmtj_param_unit(int index); /* SI unit of parameter index, "1" if none */
/* The interface a host builds on, as one number: FNV-1a 64 over
 * DWMTJ_VERSION, every real parameter's name and unit, and every monitor's
 * name, in table order.  Each host of a build gets the same number; a host
 * compares it with another's (the code model's, which has its own copy of
 * the library) to refuse one built from another version (a stale install
 * reads parameters and monitors that are not there as 0).  A change of the
 * physics alone, with the same version and tables, is not seen. */
uint64_t dwmtj_interface_id(void);

/* Validates p (dwmtj_params_check) and fills d; on a warning d is filled
 * and the warning returned. */
int dwmtj_derive(const dwmtj_params *p, dwmtj_derived *d);

/* Sets p->temp to the host's circuit temperature t_circuit (K) when the
 * card left it 0 (ngspice: .temp, .options temp; 300.15 K by default).
 * Every host calls it before dwmtj_derive. */
void dwmtj_set_ambient(dwmtj_params *p, double t_circuit);

/* State */
/* The device before any write, at rest at the ambient temperature. */
void dwmtj_state_init(dwmtj_state *s, double t0);
/* The operating point (DC analysis), and the state a transient starts
 * from: the pre-write device at voltages v, at the steady temperature of
 * the power it then takes.  Every host's DC is this call. */
int dwmtj_dc(const dwmtj_derived *d, uint64_t key, const double v[DWMTJ_NTERM],
             dwmtj_state *s, dwmtj_eval *out);
/* The quantity of dwmtj_soa as words, with its unit ("barrier voltage",
 * "V"); NULL for DWMTJ_SOA_NONE. */
const char *dwmtj_soa_string(int what, const char **unit);
/* The limit of quantity what for device d. */
double dwmtj_soa_limit(const dwmtj_derived *d, int what);

/* Overlaps f_A, f_B in [0, 1] of the domain with MTJ_A and MTJ_B. */
void dwmtj_overlap(const dwmtj_derived *d, const dwmtj_state *s, double f[2]);
/* Resistances of MTJ_A and MTJ_B: 1/R = f/R_AP + (1 - f)/R_P. */
void dwmtj_mtj_resistance(const dwmtj_derived *d, const dwmtj_state *s, double r[2]);
/* Domain centre in m (NaN with no domain). */
double dwmtj_position(const dwmtj_state *s);
/* Total device energy in J. */
double dwmtj_energy_total(const dwmtj_state *s);

/* Kron-reduced 4x4 terminal conductance matrix for MTJ conductances ga, gb. */
void dwmtj_conductance(const dwmtj_derived *d, double ga, double gb,
                       double G[DWMTJ_NTERM][DWMTJ_NTERM]);

/* Free-flow wall velocity in m/s for track current density j in A/m^2
 * (paper: v = gamma Delta Heff / alpha + eta g muB P j / (2 e Msat)). */
double dwmtj_velocity_free(const dwmtj_derived *d, double j);

/* Standard normal draw for (seed, key, slot): counter-based, no state. */
double dwmtj_noise_normal(uint64_t seed, uint64_t key, int64_t slot);
/* Uniform draw in (0, 1) for (seed, key, counter), independent of the
 * normal draws of the same triple. */
double dwmtj_noise_uniform(uint64_t seed, uint64_t key, int64_t counter);

/* Thermal model: the escape rate in 1/s of a stop with depinning drive jc
 * (A/m^2) and barrier eb (J) under the drive J (A/m^2) at temperature T
 * (K) for a domain moving at u (m/s) when free: Neel-Brown
 * f0 exp(-eb/kT (1 - J/jc)^n) below jc; above, f0 plus the deterministic
 * passage over a site of width w_pin, u/w_pin sqrt(1 - (jc/J)^2) (the
 * overdamped wall in a tilted periodic potential). */
double dwmtj_escape_rate(const dwmtj_derived *d, double jc, double eb, double J, double T,
                         double u);
/* Thermal model: the write rate in 1/s under pillar k at current i (A,
 * pillar -> track) and temperature T: f0 exp(-eb_wr/kT (1 - i/i_c0)) below
 * i_c0, f0 (1 + eb_wr/kT (i/i_c0 - 1)) above; 0 for i <= 0. */
double dwmtj_write_rate(const dwmtj_derived *d, double i, double T);
/* Ms at temperature T (K), in A/m. */
double dwmtj_ms_at(const dwmtj_derived *d, double T);
/* 64-bit key from an instance name (FNV-1a), for adapters. */
uint64_t dwmtj_key_from_name(const char *name);
/* The noise key of an instance from the names of the nodes on its
 * terminals IN, GND, A, B (as the simulator names them; NULL counts as
 * ""): instances on different nodes draw different noise, and every host
 * (code model, engine) forms the same key for the same circuit. */
uint64_t dwmtj_noise_key(const char *const node[DWMTJ_NTERM]);

/* Advance s0 (at s0->t) to t1 with terminal voltages v at t1; the drive is
 * taken linear in time between the two ends of the step.  s1 may not alias
 * s0.  Fills out (may be NULL).  Deterministic in (s0, t1, v, key), so a
 * rejected and retried step sees the same noise.  Start a run with a
 * zero-length step at t0, which sets the power at t0 for the energy
 * trapezoid.  Every event on the domain's path within the step is counted
 * at its interpolated time (depin, fire, reset, and the writes: a domain
 * written inside the step moves for the rest of it).  A host places its
 * next time point no later than out->t_next.  DWMTJ_WARN_UNSEEN: an MTJ
 * switched and switched back within the step (counted, but invisible to
 * the circuit at both ends).  DWMTJ_ERR_STEP_LONG: more than
 * DWMTJ_MAX_SLOTS noise slots or DWMTJ_MAX_WRITES writes: refused, take
 * shorter steps.  On an error s1 is unspecified. */
int dwmtj_step(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
               double t1, const double v[DWMTJ_NTERM], dwmtj_state *s1,
               dwmtj_eval *out);

/* What of dwmtj_eval a host reads, for dwmtj_step_for (bits). */
enum dwmtj_need {
    DWMTJ_NEED_EVENT = 1 << 0, /* t_event and h_max (else: NaN when they do not
                                  enter t_next, i.e. with t_rewrite > 0) */
    DWMTJ_NEED_ALL = DWMTJ_NEED_EVENT /* every field: dwmtj_step */
};

/* dwmtj_step for a host that reads only the fields of out that needs
 * (dwmtj_need bits) names, besides i, g, g_static, phase, dx_dv and t_next,
 * which are always filled: s1, the status and those fields are the same as
 * dwmtj_step's bit for bit.  Skips the event prediction of a clocked device
 * (t_rewrite > 0), whose t_next is the next clock edge, unless
 * DWMTJ_NEED_EVENT.  needs = DWMTJ_NEED_ALL is dwmtj_step. */
int dwmtj_step_for(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                   double t1, const double v[DWMTJ_NTERM], dwmtj_state *s1,
                   dwmtj_eval *out, unsigned needs);

/* The terminal voltages (V, GND at 0) of the device driven by i_in (A)
 * into IN and out of GND with A and B open: the track's segments in
 * series, each pillar terminal at its track point (no MTJ current, so no
 * barrier voltage), whatever the domain.  dv_di (may be NULL): the same
 * per ampere, in Ohm.  A host that solves such a neuron's node equations
 * in closed form (dwmtj_engine's open groups) and dwmtj_step_current use
 * it. */
void dwmtj_open_voltages(const dwmtj_derived *d, double i_in, double v[DWMTJ_NTERM],
                         double dv_di[DWMTJ_NTERM]);

/* dwmtj_step_for for the device driven by i_in (A) into IN and out of GND
 * with A and B open, at the voltages of dwmtj_open_voltages: the track
 * network in closed form (every segment carries i_in, the pillars
 * nothing, so no Kron reduction and no barrier-voltage fixed point).  s1,
 * the status and out's i, phase, t_turn, t_next (and t_event, h_max as
 * needs says) are dwmtj_step_for's at those voltages to rounding (the
 * general step's track solve gives the open currents to rounding).  A host
 * that solves such a neuron in closed form reads no Jacobian: out's g,
 * g_static and dx_dv are NaN; *dx_di (may be NULL) is d (domain centre at
 * t1) / d i_in in m/A, 0 while held.  out may be NULL (then no prediction
 * is made at all). */
int dwmtj_step_open(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0, double t1,
                    double i_in, dwmtj_state *s1, dwmtj_eval *out, double *dx_di,
                    unsigned needs);

/* Drive by a current: i_in (A) into IN and out of GND, A and B open (no
 * MTJ current), as a neuron behind an ideal current read-out sees it.
 * Advances s0 to t1 through dwmtj_step_open (the step of dwmtj_step at
 * the terminal voltages of that drive); *dx_di (may be NULL) is d (domain
 * centre at t1) / d i_in in m/A, for surrogate-gradient training.  Never
 * DWMTJ_WARN_UNSEEN: with A and B open nothing senses the MTJs. */
int dwmtj_step_current(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                       double t1, double i_in, dwmtj_state *s1, double *dx_di);

/* Ideal write: nucleates a domain under MTJ mtj (0 = A, 1 = B) at s->t as
 * a write pulse would (counts n_write).  Returns DWMTJ_WARN_PRESENT and
 * changes nothing when a domain is already on the track. */
int dwmtj_write(const dwmtj_derived *d, dwmtj_state *s, int mtj);

/* Distance in m the domain still has to travel towards its reader before
 * the reader crosses its midpoint (fires); negative past it, NaN with no
 * domain.  The membrane potential of the neuron, in metres. */
double dwmtj_fire_distance(const dwmtj_derived *d, const dwmtj_state *s);
/* The same for a domain known by its centre x (m) only, as a host that
 * reads the x monitor knows it: a domain of the written length (l_nuc, or
 * MTJ_A's length) centred at x.  Equal to dwmtj_fire_distance while the
 * whole written domain is on the track; the membrane readout of the neuron
 * cell in the network and in its circuit alike.  NaN for a non-finite x. */
double dwmtj_fire_distance_at(const dwmtj_derived *d, double x);

/* s, the first clock edge of the write periphery (parameter t_rewrite)
 * after t; t within 1e-6 of a period of an edge counts as on it.  +inf when
 * t_rewrite is 0 or d is NULL. */
double dwmtj_next_rewrite_edge(const dwmtj_derived *d, double t);

/* Terminal currents and Jacobian for state s at voltages v without moving
 * the domain (DC and AC analysis). */
int dwmtj_eval_static(const dwmtj_derived *d, const dwmtj_state *s,
                      const double v[DWMTJ_NTERM], dwmtj_eval *out);

/* Monitors: what the code model puts on its mon port, in this order by
 * default: x (um, domain centre, -1 with no domain), ra, rb (Ohm, MTJ
 * resistances), e, ew, ei, ef, er, eidle (pJ, device energy: total, then by
 * phase), nw, nd, nf, nr (writes, depinnings, fires, resets), t (K, device
 * temperature), nsoa (times the device left its safe operating area). */
#define DWMTJ_NMON 15
const char *dwmtj_monitor_name(int k); /* NULL past the end */
/* Value of monitor k for state s (0 for k out of range). */
double dwmtj_monitor(const dwmtj_derived *d, const dwmtj_state *s, int k);
/* um, the x monitor's value with no domain on the track (a domain on it
 * has its centre above minus half its length: above -0.5 um in every set) */
#define DWMTJ_MON_X_NONE (-1.0)
/* Parses a monitor list: names separated by blanks, commas or colons;
 * "all", "" or NULL = all in table order.  Fills sel with their indices and
 * returns how many; -1 for an unknown name or one past the last,
 * whose offset and length in list go to *bad and *bad_len (may be NULL). */
int dwmtj_monitor_select(const char *list, int sel[DWMTJ_NMON], int *bad, int *bad_len);

#endif
