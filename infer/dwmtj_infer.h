/* Circuit-level inference of a trained DW-MTJ spiking network in ngspice
 * (issue 4; doc/inference.md).
 *
 * Mapping.  Layer l (size[l] inputs + a bias row, size[l+1] neurons) is a
 * crossbar of differential conductance pairs: weight w (and bias b) of the
 * layer with largest magnitude w_max becomes
 *   G+ = g_min + (g_max - g_min) max(w, 0) / w_max,
 *   G- = g_min + (g_max - g_min) max(-w, 0) / w_max,
 * optionally rounded to `levels` levels of |w| / w_max.  Word line i carries
 * the input's spike train as a pulse train of amplitude v_read; each bit
 * line is held at 0 V by a sense source, so the pair's differential
 * current is v_read (G+ - G-) per input spike.  The periphery of neuron o
 * mirrors it into the neuron's IN terminal with gain
 *   k = gain w_max / (v_read (g_max - g_min)),
 * clamped to +-i_max (the network's drive clamp), so the neuron sees
 * exactly the network's I = gain (sum_i w s_i + b).  The neuron is a
 * dwmtj4t instance of the network's scaled device; its periphery
 * (dwmtj_infer_options.periphery) is either the network's idealised mode
 * (t_rewrite = dt, the clocked write, and A, B open) or the behavioural
 * cell of doc/cell.md at its four terminals.
 *
 * Time.  A spike train s(0..T-1) is the piecewise-linear wave through
 * (0, 0) and ((t+1) dt, v_read s(t)): the network's step t integrates a
 * current linear between the step's ends (dwmtj_step_current), so the
 * circuit and the network see the same drive (up to the clamp, which the
 * circuit applies to the continuous current).  The bias row ramps from 0
 * at t = 0 to v_read at dt and has a point at every clock edge.
 *
 * Layers.  Each layer is its own circuit; a layer's output spike in clock
 * period t is the step on which the neuron's fire count rises (sampled at
 * the clock edges), and the spikes go to the next layer's word lines as
 * its pulse trains (digital spike routing between crossbar tiles, as in
 * AER-based neuromorphic chips).  Physically the layers run pipelined, one
 * clock period apart: latency (T + L - 1) dt.
 *
 * Spikes: ideal, the clock periods in which the fire count rises; the
 * cell, a rising crossing of vdd/2 by v(spk<o>) in the period that holds
 * it.
 *
 * Prediction: the network's rule, argmax of the output spike counts, ties
 * broken by the larger summed output membrane u = 1 - m / D0 over the
 * clock edges (a readout probe: the position monitor), then the lower
 * class.
 *
 * Energy per image: the word lines' drive (exact for the ideal-wire
 * crossbar: each source delivers v(t)^2 sum_o (G+ + G-), integrated over
 * the piecewise-linear wave), the devices (the model's energy monitor,
 * sum V I at the four terminals), and the ideal writes, each charged
 * i_nuc^2 (R_segment(IN-A) + R_AP,A) t_nuc (ideal periphery; the cell's
 * writes are in the devices' energy).  By component: what each source of
 * the periphery delivers (dwmtj_infer_result, doc/inference.md).
 *
 * Status codes: those of dwmtj_harness.h (negative = error); a message in
 * *error or dwmtj_infer_error names what went wrong. */
#ifndef DWMTJ_INFER_H
#define DWMTJ_INFER_H

#include <stdint.h>

#include "dwmtj_engine.h"
#include "dwmtj_harness.h"
#include "dwmtj_weights.h"

/* dwmtj_infer_options.klu_steps: the klu backend's time points (DEFAULT:
 * the backend's choice, dwmtj_infer_klu_steps) */
enum { DWMTJ_INFER_STEPS_DEFAULT = -1, DWMTJ_INFER_STEPS_NGSPICE = 0, DWMTJ_INFER_STEPS_EXACT = 1,
       DWMTJ_INFER_STEPS_NEURON = 2, DWMTJ_INFER_STEPS_COUNT = 3 };
/* Their names, as --klu-steps takes them: "ngspice", "exact", "neuron". */
extern const char *const dwmtj_infer_steps_names[DWMTJ_INFER_STEPS_COUNT];

typedef struct dwmtj_infer_options {
    double g_min;     /* S, low end of the conductance window (default 1 uS) */
    double g_max;     /* S, high end of the conductance window (default 20 uS) */
    int levels;       /* conductance levels of |w|, 0 = continuous (default) */
    double v_read;    /* V, pulse amplitude on the word lines (default 0.1) */
    double i_max;     /* A, drive clamp of the periphery (default 200 uA, the
                         network's) */
    int batch;        /* images run through each layer's circuit per parse
                         (default 1: a deck per image, without the word
                         lines of silent inputs) */
    int naive;        /* 1: the unoptimised path for comparison: a new deck per
                         image and layer with its inputs written in, the
                         device's own step limit and event breakpoints, and
                         every vector saved (default 0) */
    double timeout_s; /* s, wall-time limit of one transient, <= 0 none */
    double tmax;      /* s, the transient's largest time step (.tran's tmax);
                         0 (default): the clock period.  Smaller makes
                         ngspice's discretised circuit approach the
                         continuous one (doc/engine.md, Parity); the klu
                         backend's exact points are cut at it too */
    double r_wire;    /* Ohm, wire resistance per cell pitch of word and bit
                         lines (default 0 = ideal wires).  With wires every
                         word line is in the deck (a silent line then still
                         carries current) and the crossbar energy reported is
                         the ideal-wire formula's: for benchmarks */
    int backend;      /* DWMTJ_INFER_NGSPICE (default) or DWMTJ_INFER_KLU: the
                         same decks through the exact KLU engine
                         (dwmtj_engine.h); batch and naive do not apply */
    int klu_steps;    /* klu backend's time points, DWMTJ_INFER_STEPS_*:
                         ngspice's (the same discretised circuit as the
                         ngspice backend), the engine's exact ones for all
                         neurons at once (DWMTJ_E_STEPS_EXACT: the continuous
                         circuit's answer), or each neuron on its own exact
                         points (DWMTJ_E_STEPS_NEURON: the same answer,
                         faster); default DWMTJ_INFER_STEPS_DEFAULT, which is
                         the last.  The behavioural cell runs at the shared
                         exact points whatever is set (its logic's events
                         are the whole circuit's) */
    int periphery;    /* DWMTJ_INFER_PERIPH_*: the neurons' periphery; default
                         DWMTJ_INFER_PERIPH_NET (the one the network was
                         trained for: behavioural for DWMTJ_PERIPH_CELL, else
                         ideal) */
    int probe_fires;  /* 1: also save the devices' own fire counts (the nf
                         monitor) into dwmtj_infer_result.neuron_fires, for
                         tests; the behavioural cell never reads them */
    const char *cell_dir; /* directory of cell_cmos.lib and bsim4_45nm.lib,
                         which the cmos periphery's decks read (the cell's
                         subcircuits and its transistor cards), and of
                         cell_cmos_macro.txt (the macromodel's); NULL: no
                         cmos periphery at either level */
    int allow_unsafe; /* 1: run an operating point outside the device's safe
                         operating area (dwmtj_infer_check_soa), which the
                         report then says; 0 (default): refuse it before any run */
} dwmtj_infer_options;

enum { DWMTJ_INFER_NGSPICE = 0, DWMTJ_INFER_KLU = 1 };

/* The periphery around each neuron (doc/inference.md, "Periphery").
 * IDEAL: the network's idealised mode, the code model's clocked write
 * (t_rewrite = dt) and its fire counter read at the clock edges, A and B
 * open.  BEHAVIOURAL: the cell of doc/cell.md at the device's four
 * terminals (mirror into IN, read bias and bridge comparator on B, clear
 * and write one-shots from the neuron's own reset, write source across
 * IN-A), both backends.  CMOS: the transistor-level cell of
 * doc/cell-cmos.md (netlists/cell_cmos.lib, BSIM4 45 nm-class cards) at
 * the same terminals, fed by an ideal current gain k from the column pair
 * (the cell's input stage is unity gain; doc/inference.md, "The cmos
 * periphery"), ngspice only.  CMOS_MACRO: the cmos cell's macromodel, both
 * backends: the behavioural cell with the cmos cell's clamp, clear,
 * sense delay and (fitted) write width, and each block's energy from its
 * static power and its energy per spike (netlists/cell_cmos_macro.txt,
 * written by scripts/cmos-macro from transistor-level runs;
 * doc/inference.md, "The cmos macromodel"). */
enum { DWMTJ_INFER_PERIPH_NET = -1, DWMTJ_INFER_PERIPH_IDEAL = 0,
       DWMTJ_INFER_PERIPH_BEHAVIOURAL = 1, DWMTJ_INFER_PERIPH_CMOS = 2,
       DWMTJ_INFER_PERIPH_CMOS_MACRO = 3 };

/* The time points the klu backend runs the ideal periphery at for o: its
 * klu_steps, DWMTJ_INFER_STEPS_NEURON for DWMTJ_INFER_STEPS_DEFAULT. */
int dwmtj_infer_klu_steps(const dwmtj_infer_options *o);
/* The time points it runs periphery at: the same, but a cell's logic at
 * the exact points at least (ngspice's become the shared exact ones). */
int dwmtj_infer_klu_steps_for(const dwmtj_infer_options *o, int periphery);

/* s, the transients' largest step for o on net: o's tmax when set and
 * below the clock period net->dt, else net->dt (for the periphery o asks
 * for on net, the cmos one: 2 ps, the step its cell was measured at,
 * doc/cell-cmos.md). */
double dwmtj_infer_tmax(const dwmtj_infer_options *o, const dwmtj_weights *net);
/* The periphery o asks for on net: o->periphery, or for
 * DWMTJ_INFER_PERIPH_NET the network's own. */
int dwmtj_infer_periphery(const dwmtj_infer_options *o, const dwmtj_weights *net);
/* "ideal", "behavioural", "cmos" or "cmos-macro". */
const char *dwmtj_infer_periphery_name(int periphery);
/* The files of cell_dir (dwmtj_infer_options.cell_dir) a periphery's
 * circuit is built from, as a NULL-terminated list of names: the BSIM4
 * cards and netlists/cell_cmos.lib for the cmos cell, the macromodel's
 * cell_cmos_macro.txt for cmos-macro, none for the others. */
const char *const *dwmtj_infer_periphery_files(int periphery);
/* The rule (dwmtj_periphery) the algorithm-level reference follows on the
 * circuit o asks for: the cell's with the behavioural periphery, whatever
 * the network was trained for; with the ideal one the network's own
 * (its edge clamp, or the continuous clamp a network trained for it
 * records), so that the reference and its agreement compare like with like
 * where the network allows it. */
int dwmtj_infer_network_rule(const dwmtj_infer_options *o, const dwmtj_weights *net);
/* 0 when backend can run periphery (both DWMTJ_INFER_*); else a status
 * with *error naming what the backend lacks (malloc'd). */
int dwmtj_infer_check_backend(int backend, int periphery, char **error);

void dwmtj_infer_defaults(dwmtj_infer_options *o);

/* The cell rule of the cmos cell's macromodel (cell_dir's
 * cell_cmos_macro.txt) at the drive clamp i_max: doc/cell.md's cell
 * (dwmtj_cell_defaults) with the cmos cell's negative limit (i_neg), clear
 * current, sense delay (t_sense) and fitted write width: the cell a
 * network trained for the cmos cell records (dwmtj train --periphery
 * cmos), which dwmtj infer then runs as the macromodel by default.  0, or a
 * harness status with *error (malloc'd) naming the file and what is wrong
 * in it, or the i_max it was not extracted at. */
int dwmtj_infer_cmos_rule(const char *cell_dir, double i_max, dwmtj_cell *cell, char **error);

/* The operating point the periphery gives the devices, at worst, against
 * the safe operating area (doc/operating-point.md, "At circuit level").
 * The network's device is the paper's model (set scaled), which states no
 * limits; the limits are those of the same stack and track, set
 * scaled-thermal's.  The temperature is not modelled by set scaled:
 * t_max is given, not checked. */
typedef struct dwmtj_infer_soa {
    double j_drive;     /* A/m^2, track current density at the drive clamp i_max */
    double j_clear;     /* A/m^2, during the cell's clear (0: ideal periphery) */
    double j_write;     /* A/m^2, track IN..A in the write: the cell's v_write over
                           R(IN..A) + R_P,A; ideal periphery: i_nuc */
    double v_barrier_a; /* V, MTJ_A's barrier in the write: the cell's v_write
                           divided onto R_AP,A; ideal periphery: i_nuc R_P,A */
    double v_barrier_b; /* V, MTJ_B's barrier under the cell's read bias, at R_AP
                           (0: ideal periphery) */
    double j_max;       /* A/m^2, limit of the track current density */
    double v_bd;        /* V, limit of a barrier voltage */
    double t_max;       /* K, temperature limit (not checked: no thermal model) */
    int unsafe;         /* quantities above their limit */
    char what[256];     /* the first of them, its value and its limit; "" if none */
} dwmtj_infer_soa;
/* Fills *op for net under o; 0, or a status with *error (malloc'd). */
int dwmtj_infer_operating_point(const dwmtj_weights *net, const dwmtj_infer_options *o,
                                dwmtj_infer_soa *op, char **error);
/* The same, and DWMTJ_H_ERR_USAGE naming the quantity and its limit when
 * the point is outside and o->allow_unsafe is 0. */
int dwmtj_infer_check_soa(const dwmtj_weights *net, const dwmtj_infer_options *o,
                          dwmtj_infer_soa *op, char **error);

/* The network as conductances. */
typedef struct dwmtj_infer_map {
    int n_layers;
    int size[DWMTJ_W_MAX_LAYERS + 1];
    double *g_plus[DWMTJ_W_MAX_LAYERS];  /* S, size[l+1] x (size[l] + 1), row o,
                                            column i; column size[l] = bias */
    double *g_minus[DWMTJ_W_MAX_LAYERS]; /* S, same layout */
    double w_max[DWMTJ_W_MAX_LAYERS];    /* 1, largest |w| or |b| of the layer */
    double mirror[DWMTJ_W_MAX_LAYERS];   /* A/A, periphery gain k */
    dwmtj_weights eff;                   /* the weights the circuit realises
                                            (quantised); the algorithm-level
                                            reference runs on these */
} dwmtj_infer_map;

/* Maps net (a DW-MTJ kind) under o; *m need not be initialised. */
int dwmtj_infer_map_build(const dwmtj_weights *net, const dwmtj_infer_options *o,
                          dwmtj_infer_map *m, char **error);
void dwmtj_infer_map_free(dwmtj_infer_map *m);

/* The circuit of layer l (0-based) with the input spike trains in
 * (size[l] x T bytes, row i = input i; NULL = no spikes), as data into *d
 * (dwmtj_spice.h; free with dwmtj_spice_free).  active (size[l] flags,
 * NULL = all) leaves out the word lines of inputs that do not spike in the
 * run(s) the deck is for: such a line stays at 0 V against bit lines at
 * 0 V, so its cells carry no current and the circuit's answer is the same
 * without them.  Node and element names: word line x<i> driven by vx<i>,
 * bias row xb (vxb), bit lines cp<o>/cm<o> sensed by vsp<o>/vsm<o>,
 * mirror bi<o>, neuron an<o> with terminals in<o>, 0, na<o>, nb<o> and
 * monitors m<o>_0..m<o>_3 (fires, writes, energy, position); the cmos
 * periphery: gain bgi<o> through vgi<o> into ci<o>, the cell xc<o>
 * (dwmtj_cell_c) with its spike on spk<o>, supplies vcvdd, vcvddh, vcvss,
 * vcvwr. */
int dwmtj_infer_deck(const dwmtj_infer_map *m, const dwmtj_weights *net,
                     const dwmtj_infer_options *o, int layer, const unsigned char *in,
                     const unsigned char *active, dwmtj_spice_deck **d);
/* The same deck as ngspice text, into *text (malloc'd). */
int dwmtj_infer_netlist(const dwmtj_infer_map *m, const dwmtj_weights *net,
                        const dwmtj_infer_options *o, int layer,
                        const unsigned char *in, const unsigned char *active, char **text);

/* The piecewise-linear wave of spike train s (T steps of dt, amplitude v)
 * as points into t[], v[] (room for T + 1 each), without interior points
 * on a straight line (every edge kept when all_edges); returns their
 * number. */
int dwmtj_infer_pwl_points(const unsigned char *s, int T, double dt, double v, int all_edges,
                           double *t, double *y);

/* Integral of v(t)^2 over that wave (V^2 s). */
double dwmtj_infer_pwl_v2(const unsigned char *s, int T, double dt, double v);

/* One image at circuit level. */
typedef struct dwmtj_infer_result {
    int pred;               /* predicted class */
    int spikes;             /* spikes of all neurons of all layers */
    int n_out;              /* outputs of the network (classes) */
    int *out_counts;        /* n_out output spike counts */
    double *out_membrane;   /* n_out summed output membranes */
    double energy_crossbar; /* J, word-line drive */
    double energy_device;   /* J, the neurons (sum V I at their terminals) */
    double energy_write;    /* J, the ideal writes (0 for the behavioural cell,
                               whose writes are in energy_device) */
    int writes;             /* domains written (the devices' nw monitors) */
    double seconds;         /* s, wall time of this image's share of the run */
    /* Energy by component (doc/inference.md, "Energy by component"): what
     * each source of the periphery delivers.  Ideal periphery: the mirror
     * is the device's only source (mirror = energy_device), the writes are
     * charged by formula (write_driver = energy_write), no clear or sense.
     * cmos: each block's supplies (doc/cell-cmos.md): mirror = the input
     * stage, sense, clear = the clear driver, write_driver = the write
     * driver and the pulse generators; static power is inside each. */
    double energy_mirror;   /* J, into IN by the mirror outside the clears */
    double energy_clear;    /* J, into IN during the clears */
    double energy_sense;    /* J, the read bias into B */
    double energy_write_driver; /* J, the write source's integral of V I */
    double energy_static;   /* J, static and leakage: 0 for ideal elements */
    double energy_balance;  /* 1, conservation: |mirror + clear + sense +
                               write_driver - device| / device; cmos, whose
                               blocks dissipate most of what they take:
                               |terminals - device| / device */
    double energy_terminals; /* J, cmos: the integral of V I at the devices'
                               terminals (the cell's meters), against the
                               devices' own energy monitor; else 0 */
    double energy;          /* J, the inference: crossbar + devices + ideal
                               writes; cmos: crossbar + what the cell's
                               supplies deliver (its blocks' energies) */
    int n_neurons;          /* neurons of all layers, layer by layer */
    int *neuron_spikes;     /* spikes of each (read from spk, or the ideal
                               fire counter) */
    int *neuron_fires;      /* the devices' own fire counts (ideal periphery, or
                               the cell with probe_fires), else NULL */
    int *neuron_writes;     /* domains written in each */
    double *neuron_last;    /* s, time of each one's last spike, -1 if none */
} dwmtj_infer_result;

typedef struct dwmtj_infer dwmtj_infer;

/* A runner over an open session (NULL for the klu backend); net must
 * outlive it.  Each backend is one seam (infer/infer_internal.h). */
int dwmtj_infer_create(dwmtj_infer **ctx, dwmtj_session *s, const dwmtj_weights *net,
                       const dwmtj_infer_options *o, char **error);
void dwmtj_infer_free(dwmtj_infer *ctx);
const dwmtj_infer_map *dwmtj_infer_get_map(const dwmtj_infer *ctx);
/* The operating point ctx runs at (checked when it was created). */
const dwmtj_infer_soa *dwmtj_infer_get_soa(const dwmtj_infer *ctx);
/* s, the sense delay inside each clock period that ctx's latency
 * includes: 0 for the ideal periphery; the cell's t_sense for the
 * behavioural cell and the cmos cell's macromodel (netlists/
 * cell_cmos_macro.txt's, measured from the transistors); for the cmos
 * transistors, whose own sense makes the delay, that measured value when
 * ctx read the macromodel's file, else NaN (not known). */
double dwmtj_infer_sense_delay(const dwmtj_infer *ctx);
/* The device warnings of ctx's runs so far: how many into *count (may be
 * NULL) and the first ("" when none).  A run that warned still succeeds;
 * the caller says so. */
const char *dwmtj_infer_warning(const dwmtj_infer *ctx, int *count);
/* Last error message of ctx (empty when none). */
const char *dwmtj_infer_error(const dwmtj_infer *ctx);

/* Runs n images (n x size[0] bytes; index[k] = the image's index in its
 * data set, which keys its input spikes as in the network) through the
 * layers' circuits, o.batch images per parse; res[k] for each (written
 * over: free the arrays of earlier results first). */
int dwmtj_infer_run(dwmtj_infer *ctx, const unsigned char *images, const uint64_t *index,
                    int n, dwmtj_infer_result *res);
/* Frees the arrays of res[0..n-1] (not res itself); NULL is fine. */
void dwmtj_infer_results_free(dwmtj_infer_result *res, int n);

/* klu backend: the engine's work summed over the layers' runs since the
 * last call (which resets it); counts and times of dwmtj_engine_stats. */
void dwmtj_infer_engine_stats(dwmtj_infer *ctx, dwmtj_engine_stats *sum);

/* The input spike trains of one image (size[0] x T bytes), as the network
 * draws them. */
void dwmtj_infer_input_spikes(const dwmtj_weights *net, const unsigned char *image,
                              uint64_t index, unsigned char *s);

#endif
