/* Internals of the dwmtj harness shared between netlist*.c, analyse.c and
 * session_stream.c: the netlist, a user's deck read into the circuit data
 * (dwmtj_spice.h) and instrumented in place.  Not installed; the public
 * API is dwmtj_harness.h. */
#ifndef DWMTJ_HARNESS_INTERNAL_H
#define DWMTJ_HARNESS_INTERNAL_H

#include "dwmtj_harness.h"
#include "dwmtj_spice.h"

#include <stddef.h>

/* Monitor outputs of dwmtj4t in table order (dwmtj_monitor_name): x, R_A,
 * R_B, energy total, by phase (write, integrate, fire, reset, idle),
 * counts (writes, depins, fires, resets).  The harness sets monitors=all
 * on every dwmtj4t card, so monitor k is on node k. */
#define DWMTJ_H_NMON DWMTJ_NMON
enum {
    DWMTJ_MON_X = 0, DWMTJ_MON_RA, DWMTJ_MON_RB, DWMTJ_MON_E,
    DWMTJ_MON_EW, DWMTJ_MON_EI, DWMTJ_MON_EF, DWMTJ_MON_ER, DWMTJ_MON_EIDLE,
    DWMTJ_MON_NW, DWMTJ_MON_ND, DWMTJ_MON_NF, DWMTJ_MON_NR, DWMTJ_MON_T, DWMTJ_MON_NSOA
};

/* One dwmtj4t instance of the circuit (every instance of a subcircuit
 * that holds a neuron is one). */
typedef struct dwmtj_nl_neuron {
    char *name;        /* as ngspice names it: "aneuron", "a.x2.an" */
    char *path;        /* its subcircuit instance path, "" or "x1.x2." */
    char *local;       /* its name in its definition: "an" */
} dwmtj_nl_neuron;

/* A source whose energy dwmtj_analyse counts: independent V and I,
 * behavioural B (V= or I=), and the linear controlled sources E, G (n+ n-
 * nc+ nc- gain), F, H (n+ n- vcontrol gain), at any depth. */
typedef struct dwmtj_nl_source {
    char *name;        /* as ngspice names it: "vamp", "v.x1.vsub" */
    char *node[2];     /* n+, n- as ngspice names them; NULL for ground */
    char *current;     /* vector of its current through it from n+ to n-:
                        * "vamp#branch", "@i1[current]", "@b.x1.b1[i]" */
} dwmtj_nl_source;

struct dwmtj_netlist {
    dwmtj_spice_deck *deck; /* the user's deck, instrumented */
    char prefix[16];   /* starts every name the harness adds; not in the deck */
    int n_neuron;
    dwmtj_nl_neuron *neuron;
    int n_source;
    dwmtj_nl_source *source;
    int tran_rc;       /* DWMTJ_H_OK, or why dwmtj_netlist_tran fails */
    double tran[4];    /* s: tstep, tstop, tstart, tmax (0: not given) */
    int minbreak;      /* 1: the deck's options set minbreak */
    int nostepsizelimit; /* 1: ... and nostepsizelimit */
};

/* Vectors of neuron j, into buf (size n): monitor k "v(x1.dwmtj_an_m3)",
 * the node of terminal t (0..3: in gnd a b) and its probe's current. */
const char *nl_vec_mon(const dwmtj_netlist *nl, int j, int k, char *buf, size_t n);
const char *nl_vec_term(const dwmtj_netlist *nl, int j, int t, char *buf, size_t n);
const char *nl_vec_probe(const dwmtj_netlist *nl, int j, int t, char *buf, size_t n);

extern const char *const dwmtj_h_term_name[4]; /* "in", "gnd", "a", "b" */

/* netlist_instrument.c: instruments nl->deck in place (the neurons and
 * sources of nl found); error message in *error. */
int nl_instrument(dwmtj_netlist *nl, char **error);

#endif
