/* Crossbar netlists: M inputs driving N dwmtj4t neurons through
 * differential conductance pairs (G+ - G-).  Pure text generation: no
 * simulator needed; status codes as in dwmtj_harness.h. */
#ifndef DWMTJ_CROSSBAR_H
#define DWMTJ_CROSSBAR_H

#include <stdint.h>

#include "dwmtj_harness.h"
#include "dwmtj_spice.h"

/* How the neurons' writes are triggered (dwmtj_crossbar.arm). */
enum dwmtj_crossbar_arm {
    DWMTJ_CROSSBAR_ARM_RESET = 0, /* each neuron's own reset: clear, then write
                                     (the cell of doc/cell.md); one initial write */
    DWMTJ_CROSSBAR_ARM_CLOCK = 1  /* one clock shared by all neurons writes every
                                     t_arm, empty track or not */
};

typedef struct dwmtj_crossbar {
    int rows;              /* M, inputs (word lines) */
    int cols;              /* N, neurons (pairs of bit lines) */
    const double *weight;  /* M*N row-major weights in [-1, 1]; NULL = random */
    uint64_t seed;         /* seed of the random weights and input phases */
    double g_min;          /* S, low end of the conductance window */
    double g_max;          /* S, high end of the conductance window */
    int levels;            /* conductance levels, 0 = continuous */
    double r_wire;         /* Ohm per wire segment between cells, 0 = ideal */
    /* inputs: pulse trains on the word lines */
    const double *rate;    /* M input strengths in [0, 1]; NULL = all `drive` */
    double drive;          /* 1, common input strength when rate is NULL */
    double v_pulse;        /* V, input pulse amplitude */
    double t_pulse;        /* s, input pulse width */
    double t_period;       /* s, slot per pulse; strength = probability of a
                              pulse in a slot (seeded) */
    double t_stop;         /* s, length of the run */
    /* neurons and their periphery */
    const char *model_card;/* dwmtj4t parameters, e.g. "set=\"scaled\"" */
    double v_write;        /* V, write driver amplitude */
    double t_write;        /* s, write pulse width */
    int arm;               /* enum dwmtj_crossbar_arm: what triggers a write */
    double t_arm;          /* s, period of the re-arming write (arm = CLOCK) */
    double i_clear;        /* A, clear current into IN after a fire (arm = RESET) */
    double t_clear;        /* s, clear width (arm = RESET) */
    double t_start;        /* s, start of the initial write (arm = RESET) */
    double v_read;         /* V, read bias on MTJ_B */
    double r_sense;        /* Ohm, read sense resistor */
} dwmtj_crossbar;

/* Fills every field with defaults: 4x2 array, window 1-10 uS, scaled
 * neurons, ideal wires, writes armed by each neuron's own reset. */
void dwmtj_crossbar_defaults(dwmtj_crossbar *x);
/* Checks the fields; a bad one gives DWMTJ_H_ERR_USAGE and a message
 * naming it in *error (malloc'd, may be NULL). */
int dwmtj_crossbar_check(const dwmtj_crossbar *x, char **error);
/* The conductances the netlist uses: g_plus, g_minus M*N each (S). */
int dwmtj_crossbar_conductances(const dwmtj_crossbar *x, double *g_plus, double *g_minus);
/* The whole circuit (sources, crossbar, neurons, periphery, .tran) as
 * data into *d (dwmtj_spice.h; free with dwmtj_spice_free). */
int dwmtj_crossbar_deck(const dwmtj_crossbar *x, dwmtj_spice_deck **d, char **error);
/* The same deck as ngspice text into *text (malloc'd).  Node names: word line i "wl<i>", neuron k
 * "n<k>" with terminals n<k>_in, n<k>_a, n<k>_b, its spike output
 * "spk<k>"; with arm = RESET its clear and write controls "clr<k>",
 * "wen<k>" (doc/crossbar.md). */
int dwmtj_crossbar_netlist(const dwmtj_crossbar *x, char **text, char **error);

#endif
