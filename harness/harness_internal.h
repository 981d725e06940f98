/* Internals of the dwmtj harness shared between netlist*.c, analyse.c and
 * spice_number.c: the parsed netlist and the SPICE number parser.  Not
 * installed; the public API is dwmtj_harness.h. */
#ifndef DWMTJ_HARNESS_INTERNAL_H
#define DWMTJ_HARNESS_INTERNAL_H

#include "dwmtj_harness.h"

/* Monitor outputs of dwmtj4t (ifspec.ifs): x, R_A, R_B, energy total, by
 * phase (write, integrate, fire, reset, idle), counts (writes, depins,
 * fires, resets). */
#define DWMTJ_H_NMON 13
enum {
    DWMTJ_MON_X = 0, DWMTJ_MON_RA, DWMTJ_MON_RB, DWMTJ_MON_E,
    DWMTJ_MON_EW, DWMTJ_MON_EI, DWMTJ_MON_EF, DWMTJ_MON_ER, DWMTJ_MON_EIDLE,
    DWMTJ_MON_NW, DWMTJ_MON_ND, DWMTJ_MON_NF, DWMTJ_MON_NR
};

/* ---- SPICE numbers (spice_number.c) ----------------------------------- */

/* Parses a SPICE number at the start of s: [sign] mantissa [exponent
 * e/E/d/D] [scale t g meg k mil m u n p f, any case] [unit letters], e.g.
 * "1.6u", "100ns", "5MEG", "2.5e-3V".  On success returns 0, sets *value
 * and, if end is not NULL, *end just past the last character used (unit
 * letters included).  Returns -1 (value untouched) if s does not start
 * with a number. */
int dwmtj_spice_number(const char *s, double *value, const char **end);
/* The same for a whole token: -1 unless all of tok (up to its NUL) is one
 * number. */
int dwmtj_spice_number_token(const char *tok, double *value);

/* ---- the parsed netlist (netlist*.c) ---------------------------------- */

/* One logical card: continuations joined, inline comments removed. */
typedef struct dwmtj_nl_card {
    char *text;        /* the card, trimmed */
    int file;          /* index into dwmtj_netlist.file */
    int line;          /* its first physical line, 1-based */
    int depth;         /* .subckt nesting level, 0 at the top */
    int control;       /* 1 inside .control ... .endc */
} dwmtj_nl_card;

typedef struct dwmtj_nl_neuron {
    char name[64];     /* instance name, lower case */
    int card;          /* index of its card */
    char *node[4];     /* the user's IN, GND, A, B nodes (as written) */
    int n_mon;         /* -1 for NULL, else number of user monitor nodes */
    char **mon;        /* the user's monitor nodes */
    char *model;       /* the model name (as written) */
} dwmtj_nl_neuron;

/* A source whose energy dwmtj_analyse counts: independent V and I,
 * behavioural B (V= or I=), and the linear controlled sources E, F, G, H
 * (plain gain forms only). */
enum {
    DWMTJ_SRC_V = 0, DWMTJ_SRC_I, DWMTJ_SRC_BV, DWMTJ_SRC_BI,
    DWMTJ_SRC_E, DWMTJ_SRC_F, DWMTJ_SRC_G, DWMTJ_SRC_H
};
typedef struct dwmtj_nl_source {
    char *name;        /* lower case, e.g. "vamp" */
    int kind;          /* DWMTJ_SRC_* */
    char *node[2];     /* n+, n-, lower case; NULL for the ground node */
    char *current;     /* vector of its current, e.g. "vamp#branch",
                        * "@i1[current]", "@b1[i]", "@g1[i]" (ngspice:
                        * through the source from n+ to n-) */
} dwmtj_nl_source;

struct dwmtj_netlist {
    int n_file;
    char **file;       /* file names for messages; 0 is the deck itself */
    char *title;
    int n_card;
    dwmtj_nl_card *card;  /* every card after the title, .control included */
    int n_neuron;
    dwmtj_nl_neuron *neuron;
    int n_source;
    dwmtj_nl_source *source;
    int tran_card;     /* index of the first .tran card, or -1 */
    int tran_control;  /* index of the first tran command in .control, or -1 */
    int n_param;
    char **param_name; /* .param assignments, lower case name, raw value */
    char **param_value;
};

/* Name of a generated node or source: fmt gets the lower-case instance
 * name, e.g. "dwmtj_%s_m%d".  These are the names the instrumented deck
 * uses and dwmtj_analyse reads. */
#define DWMTJ_H_NODE_FMT "dwmtj_%s_%s"     /* instance, "in" "gnd" "a" "b" */
#define DWMTJ_H_MON_FMT "dwmtj_%s_m%d"      /* instance, 0 .. 12 */
#define DWMTJ_H_PROBE_FMT "vdwmtj_%s_%s"    /* instance, terminal */
#define DWMTJ_H_USERMON_FMT "vdwmtj_%s_u%d" /* instance, user monitor k */

extern const char *const dwmtj_h_term_name[4]; /* "in", "gnd", "a", "b" */

#endif
