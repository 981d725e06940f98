/* The events of the paper's device protocols per cycle, from a figure
 * netlist under the ngspice binary and from `dwmtj mc --events`: shared by
 * tests/check_mc.c and tests/check_mc_stops.c.
 *
 * Environment: DWMTJ_SRCDIR (netlists/), DWMTJ_CM (the code model),
 * DWMTJ_NGSPICE (the binary, else ngspice on PATH), DWMTJ_TOOL (dwmtj). */
#ifndef MCRUN_H
#define MCRUN_H

#include "toolrun.h"

#define MC_MAX_CYCLES 16
enum { MC_WRITE, MC_DEPIN, MC_FIRE, MC_RESET, MC_NEV };

typedef struct mc_events {
    int cycles;
    double t[MC_MAX_CYCLES][MC_NEV];      /* s, first of each event in the cycle;
                                             ngspice: the time point that shows it
                                             (NaN: none) */
    double before[MC_MAX_CYCLES][MC_NEV]; /* s, ngspice: the time point before it */
} mc_events;

/* Runs netlists/NAME with the ngspice binary for cycles of t_cycle, its
 * .control writing the counters nw nd nf nr, and reads the events back.
 * Fails the test on any error. */
void mc_ngspice_events(const char *name, double t_cycle, int cycles, mc_events *e);

/* The events of device dev_seed in the text of a --events file. */
void mc_tool_events(const char *text, double dev_seed, int cycles, mc_events *e);

/* Every event of mc in the same cycle as in ng, within tol of the
 * interval of ngspice's time points that shows it; what names the run. */
void mc_assert_agree(const mc_events *ng, const mc_events *mc, double tol, const char *what);

/* Runs the tool (DWMTJ_TOOL) with args (NULL-terminated, no argv[0]). */
void mc_tool(const char *const *args, tool_result *r);

#endif
