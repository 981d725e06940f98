/* dwmtj harness: runs netlists with dwmtj4t neurons through libngspice and
 * turns the output into spikes, energy and latency per spike.
 *
 * Status codes: 0 = DWMTJ_H_OK, negative = error.  After an error,
 * dwmtj_session_error() (or the netlist's error) holds one message that
 * names the file and line, or the instance, and what is wrong.  Nothing here
 * calls exit() or prints; free functions accept NULL.
 *
 * libngspice is one simulator per process: open one session at a time. */
#ifndef DWMTJ_HARNESS_H
#define DWMTJ_HARNESS_H

#include <stddef.h>

#include "dwmtj.h"
#include "dwmtj_spice.h"

enum dwmtj_h_status {
    DWMTJ_H_OK = 0,
    DWMTJ_H_ERR_NOMEM = -100,       /* out of memory */
    DWMTJ_H_ERR_USAGE = -101,       /* bad argument (NULL, out of range) */
    DWMTJ_H_ERR_INIT = -102,        /* libngspice failed to initialise */
    DWMTJ_H_ERR_CODEMODEL = -103,   /* dwmtj.cm missing or failed to load */
    DWMTJ_H_ERR_FILE = -104,        /* a file is missing or unreadable/unwritable */
    DWMTJ_H_ERR_NETLIST = -105,     /* malformed netlist, or ngspice rejected it */
    DWMTJ_H_ERR_MODEL = -106,       /* unknown model, or dwmtj4t rejected a parameter */
    DWMTJ_H_ERR_CONVERGENCE = -107, /* the analysis did not converge */
    DWMTJ_H_ERR_EXIT = -108,        /* ngspice asked to exit; the session is unusable */
    DWMTJ_H_ERR_COMMAND = -109,     /* an ngspice command failed */
    DWMTJ_H_ERR_VECTOR = -110,      /* a vector the analysis needs is missing */
    DWMTJ_H_ERR_TIMEOUT = -111,     /* the run exceeded its wall-clock limit */
    DWMTJ_H_ERR_NOANALYSIS = -112   /* the netlist has no transient analysis */
};

const char *dwmtj_h_status_string(int status);

/* ---- session: one libngspice simulator ---------------------------------- */

typedef struct dwmtj_session dwmtj_session;

/* Progress of a run: fraction in [0, 1] of the transient's stop time. */
typedef void (*dwmtj_progress_fn)(double fraction, void *userdata);

/* Initialises libngspice (ngSpice_Init; the callbacks carry the session
 * through their userdata) and loads the code model: cm_path, or when NULL
 * the environment variable DWMTJ_CM, or the installed dwmtj.cm. */
int dwmtj_session_open(dwmtj_session **s, const char *cm_path);
/* Stops a run still going (for up to 30 s), then frees the session; if
 * ngspice's thread will not stop, the session is left allocated (its
 * thread still uses it) and ngspice is marked unusable. */
void dwmtj_session_close(dwmtj_session *s);
/* Last error message (empty when none); valid until the next call. */
const char *dwmtj_session_error(const dwmtj_session *s);
/* ngspice's version string as it reports it, e.g. "39". */
const char *dwmtj_session_ngspice_version(const dwmtj_session *s);
/* The warnings the dwmtj4t devices printed since the last load (each once,
 * one per line: "FILE:LINE: instance X: dwmtj4t warning: WHY"), "" if none:
 * a run that warned still succeeds, and the caller says what it warned. */
const char *dwmtj_session_warnings(const dwmtj_session *s);
/* Everything ngspice printed since the last load, for diagnostics. */
const char *dwmtj_session_log(const dwmtj_session *s);

/* Loads netlist text (a whole deck: title line first, .end last); name is
 * used in messages (a file name).  Syntax errors and unknown models are
 * reported with the line ngspice names. */
int dwmtj_session_load(dwmtj_session *s, const char *name, const char *text);
/* Loads deck data (dwmtj_spice.h) as its text; what ngspice says about a
 * line names the file and line of the user's card it was written from. */
int dwmtj_session_load_deck(dwmtj_session *s, const dwmtj_spice_deck *d);
/* Runs the loaded deck's analysis ("run"), in ngspice's background thread,
 * calling progress (may be NULL) as it goes; waits at most timeout_s
 * seconds of wall time (<= 0: no limit) and then halts the run. */
int dwmtj_session_run(dwmtj_session *s, dwmtj_progress_fn progress, void *userdata,
                      double timeout_s);
/* One ngspice command (e.g. "alter vin 2"); errors it prints are returned. */
int dwmtj_session_command(dwmtj_session *s, const char *command);
/* A real vector of the current plot, by ngspice name (e.g. "time",
 * "v(in)", "vprobe#branch"); *data points into ngspice's memory and stays
 * valid until the next load or run. */
int dwmtj_session_vector(dwmtj_session *s, const char *name, const double **data,
                         int *length);

/* ---- netlist: find the neurons and instrument them ---------------------- */

typedef struct dwmtj_netlist dwmtj_netlist;

/* Reads a netlist with the project's card reader (dwmtj_spice.h:
 * continuation lines, comments, .include, .control sections, subcircuits,
 * .model cards), finds its dwmtj4t neurons (at any depth of its
 * subcircuits, named as ngspice names them: "a.x2.an" for an in instance
 * x2) and its sources, and instruments it.  A malformed line gives
 * DWMTJ_H_ERR_NETLIST and a message "FILE:LINE: what" in *error (malloc'd,
 * may be NULL). */
int dwmtj_netlist_read(dwmtj_netlist **nl, const char *path, char **error);
int dwmtj_netlist_parse(dwmtj_netlist **nl, const char *name, const char *text,
                        char **error);
/* The same from a deck already read or built (dwmtj_spice.h); the netlist
 * takes d over (also on error, when d is freed). */
int dwmtj_netlist_from_deck(dwmtj_netlist **nl, dwmtj_spice_deck *d, char **error);
void dwmtj_netlist_free(dwmtj_netlist *nl);

int dwmtj_netlist_neuron_count(const dwmtj_netlist *nl);
const char *dwmtj_netlist_neuron_name(const dwmtj_netlist *nl, int k); /* e.g. "aneuron" */
/* Transient analysis of the deck (.tran card or tran in .control). */
int dwmtj_netlist_tran(const dwmtj_netlist *nl, double *tstep, double *tstop,
                       double *tmax);

/* Loads the instrumented deck of nl into s (dwmtj_session_load_deck): the
 * harness's messages name the user's files and lines. */
int dwmtj_session_load_netlist(dwmtj_session *s, const dwmtj_netlist *nl);

/* The instrumented deck as text, malloc'd into *text.  P below is a name
 * prefix that nothing in the deck contains ("dwmtj_", else "dwmtj1_", ...):
 *  - every dwmtj4t instance NAME gets its 13 monitors on nodes
 *    P NAME_m0 .. _m12 in table order (its .model gets monitors="all");
 *    the user's monitor nodes are driven by 0 V sources from the monitors
 *    the card gave them, so the user's circuit keeps working; its four
 *    terminals are fed through 0 V probes vP NAME_in, _gnd, _a, _b so that
 *    ngspice reports the terminal currents; in a subcircuit this is done
 *    once in its definition and holds for every instance;
 *  - the .control section is dropped (a tran command in it becomes a .tran
 *    card) and a .save card keeps only what the analysis reads;
 *  - every independent V and I source, behavioural source and linear
 *    controlled source is kept with its branch current saved, for the
 *    circuit energy. */
int dwmtj_netlist_instrument(const dwmtj_netlist *nl, char **text);

/* ---- lint: what ngspice would only warn about -------------------------- */

/* The findings of deck d as lines "FILE:LINE: error|warning: what" into
 * *report (malloc'd, "" when none) and their counts: dwmtj4t parameters
 * that do not exist (ngspice only warns and runs with the default), strings
 * not quoted and values that are not numbers (ngspice stops: "Undefined
 * parameter"), values no dwmtj4t accepts (errors); legal values outside the
 * range of a physical device (dwmtj_param_implausible), slow noise slots,
 * monitor outputs on nodes other elements use, an IN or GND terminal that
 * nothing else connects to, no transient analysis (warnings). */
int dwmtj_lint(const dwmtj_spice_deck *d, char **report, int *errors, int *warnings);

/* ---- analysis: events, energy and latency per spike --------------------- */

/* One write-integrate-fire(-reset) cycle of one neuron that fired. */
typedef struct dwmtj_spike {
    int neuron;              /* index into the report's neurons */
    double t_write;          /* s, nucleation of this cycle's domain */
    double t_first;          /* s, start of the first integrating pulse */
    double t_fire;           /* s, reader crossed its midpoint */
    double t_reset;          /* s, domain ejected; NaN if not within the run */
    double latency;          /* s, t_fire - t_first */
    double reset_latency;    /* s, t_reset - t_fire; NaN if no reset */
    double energy[DWMTJ_NPHASE]; /* J, device energy of the cycle by phase */
    double energy_vi;        /* J, integral of sum V*I over the cycle */
} dwmtj_spike;

typedef struct dwmtj_neuron_report {
    char name[256];          /* instance name as ngspice has it: "aneuron", or
                                "a.x2.an" for an in subcircuit instance x2 */
    int writes, depins, fires, resets;
    double energy[DWMTJ_NPHASE]; /* J, device energy by phase over the run */
    double energy_vi;        /* J, integral of sum V*I over the run */
    double temp_max;         /* K, highest device temperature at a time point */
    int n_soa;               /* times it left its safe operating area */
} dwmtj_neuron_report;

typedef struct dwmtj_report {
    double t_stop;           /* s, end of the run */
    int n_neuron;
    dwmtj_neuron_report *neuron;
    int n_spike;
    dwmtj_spike *spike;      /* in time order */
    double energy_sources;   /* J, delivered by all independent sources */
} dwmtj_report;

/* Reads the vectors of the last run of an instrumented deck and fills r. */
int dwmtj_analyse(dwmtj_session *s, const dwmtj_netlist *nl, dwmtj_report *r);
void dwmtj_report_free(dwmtj_report *r);

/* The event extraction itself, on arrays (so that it can be tested without
 * a simulator): n time points t, the monitor traces of one neuron
 * (mon[k][i]), and v_drive[i] = V(IN) - V(GND).  The first integrating
 * pulse of a cycle starts at the first time after the write where
 * |v_drive| rises above half its largest value before the fire.  Appends
 * the neuron's spikes to *spikes (realloc'd), counting in *n_spikes. */
int dwmtj_events(int neuron, int n, const double *t, const double *const mon[13],
                 const double *v_drive, const double *p_vi, dwmtj_spike **spikes,
                 int *n_spikes);

/* ---- streaming: spikes as the run goes ---------------------------------- */

/* One complete spike of a streaming run; neuron_name is its neuron's
 * instance name (as in the report).  Both are valid during the call only. */
typedef void (*dwmtj_spike_fn)(const dwmtj_spike *spike, const char *neuron_name,
                               void *userdata);

/* dwmtj_session_run and dwmtj_analyse in one, handing out each spike as
 * soon as it is complete: the run pauses at a breakpoint every chunk_s
 * seconds of simulated time (ngspice's "stop when time gt T", then
 * "resume"), the data so far is analysed and on_spike (may be NULL) gets
 * the spikes completed since the last pause, in time order: a spike is
 * complete when its reset is seen or its neuron's next write; the rest
 * come at the end.  Every spike is handed out exactly once, with the
 * values it has in the final report.  chunk_s <= 0: no pauses (all spikes
 * at the end); no pause is set within 2 maximum time steps of the end.
 * Progress and timeout_s are those of the whole run, as for
 * dwmtj_session_run.  On success r holds what dwmtj_analyse would give
 * after dwmtj_session_run (the pauses do not change ngspice's time steps);
 * on error r is empty and spikes handed out so far stay handed out.
 * userdata goes to both progress and on_spike.  With pauses, the loaded
 * circuit's option minbreak is set to the value ngspice starts a transient
 * with (ngspice 39 resumes with another unless it is set; the deck's own
 * .options minbreak is kept), and each pause analyses all the data so
 * far: choose chunks of a few percent of the run. */
int dwmtj_run_streaming(dwmtj_session *s, const dwmtj_netlist *nl, double chunk_s,
                        dwmtj_progress_fn progress, dwmtj_spike_fn on_spike, void *userdata,
                        double timeout_s, dwmtj_report *r);

/* Summary over all spikes of a report. */
typedef struct dwmtj_summary {
    int spikes;
    double energy_per_spike;     /* J, device energy (model) per spike */
    double energy_per_spike_sd;  /* J */
    double energy_phase[DWMTJ_NPHASE]; /* J per spike */
    double energy_vi_per_spike;  /* J, from sum V*I */
    double circuit_energy_per_spike; /* J, sources' energy / spikes */
    double latency;              /* s, mean first pulse -> fire */
    double latency_sd;           /* s */
    double reset_latency;        /* s, mean fire -> reset */
} dwmtj_summary;
void dwmtj_summarise(const dwmtj_report *r, dwmtj_summary *out);

#endif
