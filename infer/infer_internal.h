/* What the parts of the inference module share; not installed. */
#ifndef DWMTJ_INFER_INTERNAL_H
#define DWMTJ_INFER_INTERNAL_H

#include "dwmtj_infer.h"
#include "dwmtj_str.h"

#include <stddef.h>


/* Sets *error (when not NULL) to a malloc'd message and returns status. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int infer_fail(char **error, int status, const char *fmt, ...);

int infer_check_options(const dwmtj_infer_options *o, char **error);

/* The clock edges' times k dt, k = 0..T, as the decks carry them (the
 * nearest double to their 15-digit decimal), into t[T + 1]; the waves'
 * points at those times (dwmtj_infer_pwl_points without its decimal per
 * point, which the klu backend pays per source and image otherwise). */
void infer_edge_times(int T, double dt, double *t);
int infer_pwl_points_at(const unsigned char *s, int T, const double *edge_t, double v,
                        int all_edges, double *t, double *y);

/* Monitors inference reads, in the order the deck puts them on port mon
 * (parameter monitors="nf nw e x"); then the cells' nodes and source
 * currents: the behavioural cell's, then the cmos cell's (its terminals,
 * its ideal references' nodes, each block's rail meters, the device's
 * terminal meters; doc/cell-cmos.md).  infer_vector_name gives each one's
 * ngspice name for periphery (DWMTJ_INFER_PERIPH_*). */
enum { INFER_MON_NF = 0, INFER_MON_NW = 1, INFER_MON_E = 2, INFER_MON_X = 3,
       INFER_V_SPK, INFER_V_IN, INFER_V_IMIR, INFER_V_CLR, INFER_V_B, INFER_V_IWRITE,
       INFER_C_A, INFER_C_CP, INFER_C_NBP, INFER_C_NG, INFER_C_RB2, INFER_C_ST,
       INFER_C_ICP, INFER_C_IST,
       INFER_C_Q_IN_VDD, INFER_C_Q_IN_VDDH, INFER_C_Q_IN_VSS, INFER_C_Q_SEN_VDD,
       INFER_C_Q_SEN_VDDH, INFER_C_Q_PG_VDD, INFER_C_Q_WR_VDD, INFER_C_Q_WR_VDDH,
       INFER_C_Q_WR_VWR, INFER_C_Q_CLR_VDD, INFER_C_Q_CLR_VDDH,
       INFER_C_QDI, INFER_C_QDA, INFER_C_QDB,
       INFER_V_N };
void infer_vector_name(char *buf, size_t n, int what, int r, int periphery);
/* 1 when a layer's run saves and reads vector what: the ideal periphery
 * reads the fire counter, the cells their spk node and their sources; x
 * on the output layer only (the readout probe), nf in a cell only for
 * probe_fires. */
static inline int infer_wants(int what, int periphery, int last, int probe_fires)
{
    int cell = periphery != DWMTJ_INFER_PERIPH_IDEAL;
    switch (what) {
    case INFER_MON_NF: return !cell || probe_fires;
    case INFER_MON_NW:
    case INFER_MON_E: return 1;
    case INFER_MON_X: return last;
    case INFER_V_SPK:
    case INFER_V_IN:
    case INFER_V_CLR:
    case INFER_V_B: return cell;
    case INFER_V_IMIR:
    case INFER_V_IWRITE: return periphery == DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    default: return periphery == DWMTJ_INFER_PERIPH_CMOS;
    }
}

/* The cmos cell (netlists/cell_cmos.lib, doc/cell-cmos.md): its supplies
 * (V), the largest step its runs take (s: the step it was measured at),
 * and its clear's track current for the safe operating area (IN pulled
 * to vddh: measured in doc/cell-cmos.md). */
#define INFER_CMOS_VDD 1.0
#define INFER_CMOS_VDDH 6.0
#define INFER_CMOS_VSS (-5.0)
#define INFER_CMOS_VWR 1.5
#define INFER_CMOS_TMAX 2e-12
/* V, how far below ground the cmos cell's IN may go: its write switches
 * (nmos, gate and body at 0 V while off) conduct from about -0.5 V
 * (doc/cell-cmos.md, "Known limits"), so the drive's negative clamp is
 * INFER_CMOS_V_IN_MIN / R_track, not -i_max */
#define INFER_CMOS_V_IN_MIN 0.3
/* A, the cell's ib for a drive clamp i_max: its stage clamps at +0.94 ib */
#define INFER_CMOS_IB(i_max) ((i_max) / 0.94)
#define INFER_CMOS_I_CLEAR 280e-6 /* A, the clear's track current (measured) */

/* The cmos cell's macromodel (DWMTJ_INFER_PERIPH_CMOS_MACRO), as
 * netlists/cell_cmos_macro.txt gives it: a line "KEY VALUE" per field
 * below, '#' to the end of a line a comment.  scripts/cmos-macro writes
 * it from transistor-level runs of dwmtj infer --periphery cmos. */
typedef struct infer_cmos_macro {
    double i_max;       /* A, the drive clamp it was extracted at */
    double t_clear;     /* s, the network's clear width it was extracted at */
    double t_write;     /* s, the network's write width it was extracted at */
    double t_sense;     /* s, spk after R_B crosses its midpoint (measured) */
    double i_clear;     /* A, the clear's track current (measured) */
    double t_write_eff; /* s, the behavioural write width that gives the cmos
                           cell's spikes (fitted) */
    double p[4];        /* W per cell, static power of the input stage, the
                           sense, the clear driver, the write driver and
                           pulse generators (measured on an idle cell) */
    double e[4];        /* J per spike, the same blocks' (fitted) */
} infer_cmos_macro;

#define INFER_CMOS_MACRO_FILE "cell_cmos_macro.txt"

/* Reads dir/INFER_CMOS_MACRO_FILE into *m: every field once, finite and
 * positive (p, e: >= 0); a message naming the file, the line and what is
 * wrong into *error otherwise (DWMTJ_H_ERR_FILE, whether it does not
 * open or its content is wrong). */
int infer_cmos_macro_read(const char *dir, infer_cmos_macro *m, char **error);

/* The device every circuit of dwmtj infer carries (its decks' model card
 * names this set) and what the periphery and the operating point are
 * worked out on: *p its parameters, *d (may be NULL) derived from them. */
#define INFER_DEVICE_SET "scaled"
int infer_device(dwmtj_params *p, dwmtj_derived *d);

/* The behavioural cell's values (doc/cell.md, Parameters) for the
 * network's device and its dwmtj_cell. */
typedef struct infer_cell {
    double i_read;  /* A, read bias into B */
    double alpha;   /* 1, bridge tap R_track(B..GND) / R_track(IN..GND) */
    double r_th;    /* Ohm, sense threshold R_mid + R3 (1 - alpha) */
    double i_clear; /* A, clear current into IN */
    double t_clear; /* s, clear width */
    double v_write; /* V, V(IN) - V(A) during the write */
    double t_write; /* s, write width */
    double t_start; /* s, start of the initial write */
    double vdd;     /* V, logic level of spk and the control nodes */
    double r_track; /* Ohm, the track IN..GND */
    double i_lo;    /* A, the mirror's lower clamp: -i_max, or the cmos
                       cell's (-INFER_CMOS_V_IN_MIN / r_track) */
    double t_sense; /* s, delay of spk after the bridge flips (0: ideal) */
} infer_cell;

/* The cell of net (its dwmtj_cell on the scaled device), driven with a
 * clamp at +-i_max. */
void infer_cell_values(const dwmtj_weights *net, double i_max, infer_cell *c);
/* The cell o runs net with: infer_cell_values, or for the cmos
 * macromodel infer_cmos_macro_cell on o->cell_dir's file, which then also
 * goes to *mm (may be NULL). */
int infer_cell_for(const dwmtj_weights *net, const dwmtj_infer_options *o, infer_cell *c,
                   infer_cmos_macro *mm, char **error);
/* 1 when net was trained for a cmos macromodel (dwmtj train --periphery
 * cmos): a cell network with a negative limit or a sense delay. */
int infer_cmos_rule_net(const dwmtj_weights *net);
/* A, the cmos cell's own negative limit (INFER_CMOS_V_IN_MIN over c's
 * track), and its lower clamp at i_max. */
double infer_cmos_i_neg(const infer_cell *c);
double infer_cmos_i_lo(const infer_cell *c, double i_max);
/* The behavioural cell as the cmos macromodel m has it: the cmos clamp,
 * clear current, sense delay (folded into the clear, which follows the
 * spike) and the fitted write width; a network trained for a macromodel
 * (infer_cmos_rule_net) carries these itself and must carry m's.  0, or
 * DWMTJ_H_ERR_USAGE with a message when net's cell or i_max is not the
 * one m was extracted at or gives. */
int infer_cmos_macro_cell(const infer_cmos_macro *m, const dwmtj_weights *net, double i_max,
                          infer_cell *c, char **error);

/* Largest relative difference of the cell's sources' energy and the
 * devices' before a run warns (1 %). */
#define INFER_BALANCE_TOL 0.01

/* One seam per backend (infer_ngspice.c, infer_klu.c): the runner
 * (infer_run.c) calls these for every layer and image, whatever runs the
 * circuits.  Each returns a harness status and leaves its message in
 * ctx->error (infer_set_error). */
typedef struct infer_backend {
    const char *name;
    /* The circuit of layer l for the images of a chunk: active marks the
     * word lines that spike in any of them (NULL: all). */
    int (*layer)(dwmtj_infer *c, int l, const unsigned char *active);
    /* One image's input spikes on layer l (size[l] x T), then its run. */
    int (*run)(dwmtj_infer *c, int l, const unsigned char *in);
    /* A vector of the last run of layer l, and its time axis (the run's
     * time, or with the klu engine's per-neuron points its neuron's). */
    int (*vector)(dwmtj_infer *c, int l, const char *name, const double **v, int *len,
                  const double **t, int *n_t);
    /* The image's vectors have been read. */
    int (*done)(dwmtj_infer *c, int l);
    /* Frees what the backend keeps in c. */
    void (*free)(dwmtj_infer *c);
} infer_backend;

extern const infer_backend infer_ngspice, infer_klu;

struct dwmtj_infer {
    const infer_backend *be;
    dwmtj_session *s;    /* ngspice backend */
    const dwmtj_weights *net;
    dwmtj_infer_options o;
    dwmtj_infer_map map;
    dwmtj_derived dev;   /* the neurons' device, for the membrane */
    double d0;           /* m, fire distance of a fresh domain */
    double e_write;      /* J, charged per ideal write */
    int cell;            /* 1: a cell, behavioural or cmos (o.periphery resolved) */
    int cmos;            /* 1: the cmos cell */
    int macro;           /* 1: the cmos cell's macromodel (a behavioural cell) */
    infer_cmos_macro mm; /* its values */
    infer_cell cv;       /* the cell's values */
    dwmtj_infer_soa soa; /* the operating point against the safe operating area */
    double *g_sum[DWMTJ_W_MAX_LAYERS]; /* S, per word line (bias last): sum of its row */
    unsigned char *applied; /* ngspice: spike trains on the word lines of the
                               loaded deck, size[layer] x T */
    unsigned char *active;  /* word lines that spike in the chunk, size[layer] */
    /* klu backend: each layer's circuit, made once, and its word lines'
     * sources */
    dwmtj_circuit *eng[DWMTJ_W_MAX_LAYERS];
    int *eng_src[DWMTJ_W_MAX_LAYERS];
    double *pw_t, *pw_v;    /* a wave's points, T + 1 each */
    double *edge_t;         /* s, the clock edges' decimal times, T + 1 */
    dwmtj_engine_stats eng_sum; /* the engine's work since the last read */
    int n_warnings;         /* device warnings of the runs so far */
    int warn_seen;          /* ngspice: warning lines of the loaded deck counted */
    char warning[1024];     /* the first of them, "" if none */
    char error[2048];
};

/* ctx->error = "WHAT: DETAIL" (detail: the backend's own message, or the
 * status's string when it left none); returns rc. */
int infer_set_error(dwmtj_infer *c, int rc, const char *what, const char *detail);
/* n more device warnings, the first of them first (when c has none yet). */
void infer_warned(dwmtj_infer *c, int n, const char *first);

#endif
