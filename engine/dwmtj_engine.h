/* dwmtj engine: an exact transient solver on KLU for the circuits that
 * dwmtj infer generates (issue 5; doc/engine.md).
 *
 * It takes the circuit data (dwmtj_spice.h) of the subset those circuits
 * use: resistors, independent voltage sources (DC, PWL, or PULSE, taken
 * as the PWL of its corners), DC current sources, behavioural current
 * sources B ... I = expr whose expression is built from numbers,
 * i(vsource), + - * / by constants, min(), max() and u() of node
 * voltages, dwmtj4t instances (XSPICE A elements with a .model of type
 * dwmtj4t), and the behavioural cell's logic (doc/cell.md): B ... V = expr
 * logic outputs (to ground, every v() under a u(), read only by
 * expressions and switch controls), sw switches controlled by them, and
 * capacitors in one-shots (C and R from a node to ground, charged through
 * a switch from a DC source); with .tran, .save (v(node), vname#branch),
 * .options (ignored) and .end.  Anything else is refused with a message
 * naming the element or card and pointing to the ngspice backend.
 *
 * How it solves (same circuit, same answer as ngspice up to tolerances):
 *  - The nodes fall into groups joined by R, V and A elements (ground
 *    excluded).  A group of resistors and sources only that no B source
 *    drives is linear with constant matrix: it is factored once by KLU, and
 *    what the rest of the circuit reads from it (the branch currents that
 *    control B sources, saved voltages) is a fixed linear map of its source
 *    values, computed once with KLU solves: every later time point costs
 *    one matrix-vector product.  Its sources are piecewise linear, so its
 *    outputs are linear between their corners.
 *  - The other groups (the neurons with their terminals) are solved by
 *    Newton's method, each group on its own: a small one (at most 16
 *    unknowns, a neuron's cell) as a dense LU with partial pivoting, the
 *    big ones (coupled neurons) in one KLU matrix of their own (one
 *    symbolic analysis, klu_refactor when the device partials change); a
 *    group that has converged is not factored again at that point.  The
 *    dwmtj4t elements are evaluated by libdwmtj's dwmtj_step, the code
 *    model's own calls.
 *  - The logic is no unknown: its values are piecewise constant, changed
 *    by events.  Each u() is a step with a state: of logic outputs only it
 *    is read when needed; of a one-shot node it changes where the node's
 *    exponential (v0, vinf, tau from the switch's ron/roff and the R, C)
 *    crosses, solved exactly; of a source-driven node where its linear
 *    piece crosses; of Newton unknowns (the comparator) where a point
 *    finds its sign changed beyond the Newton tolerance: the crossing is
 *    then located to 1e-15 s by regula falsi, re-solving its group from
 *    the accepted states.  At an event the logic settles (outputs to
 *    their fixed point, switches by hysteresis: on above vt + vh, off
 *    below vt - vh; a one-shot restarts its exponential; a Newton-group
 *    switch is a resistor of ron or roff) and, when it changed, a second,
 *    zero-length point at the same instant gives the new circuit (the
 *    devices' states are continuous, their terminal voltages jump): the
 *    vectors show every jump as two points at one time.
 *  - Time points (DWMTJ_E_STEPS_NGSPICE, the default): ngspice's own
 *    step control for a circuit without charge storage: breakpoints at
 *    every source corner and every clock edge of a device's write
 *    periphery (t_rewrite), after a breakpoint a step of a tenth of the
 *    last one cut short, doubling up to tmax; the devices add libdwmtj's
 *    step limit (dwmtj_eval.t_next), as the code model's breakpoints do
 *    in ngspice.  So both simulators integrate the same discretised
 *    circuit and give the same spikes.  DWMTJ_E_STEPS_EXACT instead puts
 *    points at the corners and clock edges and at the instants at which a
 *    min()/max() of a B source switches branch, so that every drive is
 *    exactly linear between points: the continuous circuit's answer.
 *    Either way the logic's events add points and do not restart the
 *    steps.  (With one-shots ngspice's own points follow its truncation
 *    error control of the capacitors, which the engine does not copy.)
 *
 * Status codes: 0 = ok, negative = error; the message of
 * dwmtj_engine_error names the line, element or node. */
#ifndef DWMTJ_ENGINE_H
#define DWMTJ_ENGINE_H

#include "dwmtj_spice.h"

enum dwmtj_engine_status {
    DWMTJ_E_OK = 0,
    DWMTJ_E_ERR_USAGE = -200,       /* NULL argument or call out of order */
    DWMTJ_E_ERR_NOMEM = -201,
    DWMTJ_E_ERR_SYNTAX = -202,      /* malformed card or value */
    DWMTJ_E_ERR_UNSUPPORTED = -203, /* element or card the engine does not do */
    DWMTJ_E_ERR_PARAM = -204,       /* invalid dwmtj4t parameter */
    DWMTJ_E_ERR_SINGULAR = -205,    /* singular or ill-conditioned matrix */
    DWMTJ_E_ERR_CONVERGENCE = -206, /* Newton did not converge */
    DWMTJ_E_ERR_DEVICE = -207,      /* libdwmtj refused a step */
    DWMTJ_E_ERR_VECTOR = -208,      /* no such vector or source */
    DWMTJ_E_ERR_LIMIT = -209,       /* the run would exceed a bound on its work */
    DWMTJ_E_ERR_TIMEOUT = -210,     /* the run exceeded its wall-clock limit */
    DWMTJ_E_ERR_VALUE = -211        /* a source's value is not finite (NaN, inf) */
};
const char *dwmtj_engine_status_string(int status);

typedef struct dwmtj_circuit dwmtj_circuit;

/* Takes the circuit from the deck data (dwmtj_spice.h; the deck may be
 * freed afterwards) and prepares the solver: groups, factorisations, the
 * linear maps.  *c is NULL on error, with the message in *error (malloc'd;
 * may be NULL). */
int dwmtj_engine_create(const dwmtj_spice_deck *d, dwmtj_circuit **c, char **error);
/* The same from deck text (read by dwmtj_spice_read; name for messages). */
int dwmtj_engine_parse(const char *name, const char *text, dwmtj_circuit **c, char **error);
void dwmtj_engine_free(dwmtj_circuit *c);
const char *dwmtj_engine_error(const dwmtj_circuit *c);
/* The first warning of libdwmtj in the last run ("" if none): a model's
 * parameter warning ("FILE:LINE: .model NAME: warning: ...", repeated by
 * every run) or a device step's, naming the device and the time ("NAME: at
 * t = T s: WHY"; one that left the safe operating area adds ": QUANTITY
 * VALUE UNIT above its limit LIMIT UNIT", T when it left); how many in
 * dwmtj_engine_stats.warnings.  A run with
 * warnings still returns DWMTJ_E_OK: the caller reports them. */
const char *dwmtj_engine_warning(const dwmtj_circuit *c);

/* Bounds on the work of each run: at most max_points accepted time points
 * (default DWMTJ_E_MAX_POINTS; a run that would need more stops with
 * DWMTJ_E_ERR_LIMIT before it allocates them) and timeout_s seconds of
 * wall time (<= 0: no limit; DWMTJ_E_ERR_TIMEOUT). */
#define DWMTJ_E_MAX_POINTS 10000000L
int dwmtj_engine_set_limits(dwmtj_circuit *c, long max_points, double timeout_s);

/* Replaces the wave of voltage source `source' by the piecewise-linear
 * wave through (t[k], v[k]), k < n (t increasing); the circuit stays. */
int dwmtj_engine_set_pwl(dwmtj_circuit *c, const char *source, int n, const double *t,
                         const double *v);
/* Index of a voltage source for dwmtj_engine_set_pwl_at (< 0: none). */
int dwmtj_engine_source(const dwmtj_circuit *c, const char *source);
int dwmtj_engine_set_pwl_at(dwmtj_circuit *c, int source, int n, const double *t,
                            const double *v);

/* DWMTJ_E_STEPS_NEURON: the exact points, but each Newton group (a neuron
 * with its terminals) on its own: the corners and clock edges, and its own
 * switch instants, step limits and turns only, not every other neuron's
 * (issue 14).  The drive of a group is a function of the linear groups'
 * outputs and of its own logic alone when each piece of the logic is one
 * group's (the ideal periphery; the behavioural cell, each neuron's
 * comparator, one-shots and write switch its own), so each group is run
 * through the whole transient on its own; its vectors (its logic nodes'
 * included) then have a time axis of their own (dwmtj_engine_vector_time),
 * and "time" holds the corners and clock edges, the points of the linear
 * groups' vectors.  A circuit whose groups cannot be stepped on their own
 * (logic that couples groups, a KLU block of several groups) runs as
 * DWMTJ_E_STEPS_EXACT; dwmtj_engine_stats.groups_split says which. */
enum { DWMTJ_E_STEPS_NGSPICE = 0, DWMTJ_E_STEPS_EXACT = 1, DWMTJ_E_STEPS_NEURON = 2 };
/* Chooses the time points of the next runs (DWMTJ_E_STEPS_*). */
int dwmtj_engine_set_steps(dwmtj_circuit *c, int steps);

/* Runs the deck's .tran from the operating point at t = 0.  The vectors of
 * the previous run are replaced. */
int dwmtj_engine_run(dwmtj_circuit *c);

/* A vector of the last run: "time" or "v(node)" of a saved node (all
 * monitor and neuron nodes when the deck has no .save).  *v stays owned by
 * c until the next run. */
int dwmtj_engine_vector(const dwmtj_circuit *c, const char *name, const double **v, int *len);
/* The time axis of that vector, as long as it: "time" but with
 * DWMTJ_E_STEPS_NEURON, where a Newton group's vectors have their own. */
int dwmtj_engine_vector_time(const dwmtj_circuit *c, const char *name, const double **t,
                             int *len);

/* Work of the last run, for benchmarks. */
typedef struct dwmtj_engine_stats {
    int time_points;      /* accepted time points, t = 0 included (with
                             groups_split, the sum over the groups' own) */
    int turn_points;      /* of which at a device's turn inside a step
                             (dwmtj_eval.t_turn; exact steps only) */
    int cross_points;     /* of which at a wall's crossing of a pillar's
                             centre inside a step (dwmtj_eval.t_cross;
                             exact steps only) */
    int newton_iterations;/* over all time points */
    int refactors;        /* block factorisations of the Newton groups: per
                             Newton iteration one for each block with a group
                             still open (a small group's dense LU, or the big
                             groups' KLU matrix); before issue 14 the count of
                             factorisations of one matrix of all groups */
    int linear_outputs;   /* values read from the linear groups per point */
    int linear_sources;   /* sources of the linear groups */
    int unknowns_linear;  /* unknowns of the linear groups' matrix */
    int unknowns_newton;  /* unknowns of the Newton matrix */
    double seconds_linear;/* s, wall time reading the linear groups (their map
                             times the source values) */
    double seconds_newton;/* s, wall time in the Newton groups (devices, KLU) */
    int warnings;         /* models whose parameters warned and accepted device
                             steps that returned a libdwmtj warning (the
                             first: dwmtj_engine_warning) */
    int groups_dense;     /* Newton groups solved as a dense block of their own
                             (at most 16 unknowns: a neuron's cell) */
    int groups_klu;       /* Newton groups solved in the one KLU matrix of the
                             big groups (coupled neurons) */
    int groups_split;     /* Newton groups stepped on their own time points in
                             the last run (DWMTJ_E_STEPS_NEURON); 0: all on
                             shared points */
    int groups_open;      /* of those, groups solved in closed form: a device
                             with A and B open driven by current sources (the
                             ideal mirror), its voltages dwmtj_open_voltages',
                             one device step per point and no Newton
                             iteration */
    int groups_folded;    /* of those, groups whose drive is one clamped line
                             read from a column of its own (the mirror's
                             gain folded into the crossbar map): no
                             expression evaluated per point */
} dwmtj_engine_stats;
void dwmtj_engine_get_stats(const dwmtj_circuit *c, dwmtj_engine_stats *s);
/* sum += s, field by field (runs of several circuits). */
void dwmtj_engine_stats_add(dwmtj_engine_stats *sum, const dwmtj_engine_stats *s);

#endif
