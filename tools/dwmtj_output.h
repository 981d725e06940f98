/* dwmtj command-line tool: what the subcommands share.  Writing the
 * results (JSON, CSV, gnuplot PNG), numbers from the command line, the
 * progress line, and the simulation pipeline (dwmtj_run.c).
 *
 * Only main() (dwmtj.c) and the subcommand entry points return exit codes;
 * everything else returns 0 or -1 and says what went wrong on stderr. */
#ifndef DWMTJ_OUTPUT_H
#define DWMTJ_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "dwmtj_harness.h"

#define DWMTJ_TOOL "dwmtj"

/* Exit codes of the tool. */
enum dwmtj_exit {
    DWMTJ_EXIT_OK = 0,     /* success */
    DWMTJ_EXIT_SIM = 1,    /* the simulation failed (input file, netlist,
                              model, convergence, timeout) */
    DWMTJ_EXIT_USAGE = 2,  /* bad command line */
    DWMTJ_EXIT_OUTPUT = 3  /* an output file could not be written */
};

/* Subcommands (dwmtj_run.c, dwmtj_array.c).  argv[0] is the subcommand. */
int dwmtj_cmd_run(int argc, char **argv);
int dwmtj_cmd_array(int argc, char **argv);
void dwmtj_usage_run(FILE *f);
void dwmtj_usage_array(FILE *f);

/* ---- command-line values --------------------------------------------- */

/* A SPICE-style number: strtod syntax, then an optional scale suffix
 * (f p n u m k meg g t mil, any case) and unit letters, which are ignored
 * as SPICE does ("10n", "1e-6", "2.5meg", "10us").  Finite only.
 * Returns 0 on success. */
int dwmtj_parse_number(const char *s, double *out);
/* Option i of argv named name ("--name VALUE" or "--name=VALUE"): 1 and
 * *val set (i advanced past a separate value), 0 if argv[*i] is another
 * option, -1 with a message if the value is missing. */
int dwmtj_opt(int argc, char **argv, int *i, const char *name, const char **val);
/* For option loops over argv with int i, int m and const char *v in scope
 * and SUB the subcommand's name: DWMTJ_OPT("--name") matches option i and
 * sets v; DWMTJ_NEED() then returns SUB's usage hint if the value was
 * missing (dwmtj_opt has said which). */
#define DWMTJ_OPT(name) ((m = dwmtj_opt(argc, argv, &i, (name), &v)) != 0)
#define DWMTJ_NEED() \
    do { \
        if (m < 0) \
            return dwmtj_usage_hint(SUB); \
    } while (0)
/* A decimal integer in [lo, hi]. */
int dwmtj_parse_int(const char *s, long lo, long hi, long *out);
/* Option opt of subcommand sub with value v: an integer in lo..hi into
 * *out and 0, else a usage message and DWMTJ_EXIT_USAGE. */
int dwmtj_opt_int(const char *sub, const char *opt, const char *v, long lo, long hi, int *out);
/* Option opt of subcommand sub with value v, one of the n names: its index
 * into *out and 0, else a usage message listing them and DWMTJ_EXIT_USAGE. */
int dwmtj_opt_choice(const char *sub, const char *opt, const char *v, const char *const *names,
                     int n, int *out);
/* The shipped network file name: $DWMTJ_NETDIR/name, else in the
 * installed networks directory; into buf. */
const char *dwmtj_network_path(char *buf, size_t n, const char *name);
/* A decimal or 0x hexadecimal unsigned 64-bit integer. */
int dwmtj_parse_u64(const char *s, uint64_t *out);

/* ---- progress --------------------------------------------------------- */

/* dwmtj_progress_fn: "\r run: 45 %" on stderr when stderr is a terminal
 * (userdata: a struct dwmtj_progress). */
struct dwmtj_progress {
    int enabled;
    int last;          /* last percentage shown, -1 before the first */
};
void dwmtj_progress_init(struct dwmtj_progress *p);
void dwmtj_progress_cb(double fraction, void *userdata);
/* Clears the progress line. */
void dwmtj_progress_done(struct dwmtj_progress *p);

/* ---- files written whole or not at all -------------------------------- */

/* Output files are written to PATH.part and renamed to PATH when complete;
 * a failed or interrupted run removes the .part file.  SIGINT, SIGTERM and
 * SIGHUP remove every .part file still open (dwmtj_out_signals installs
 * the handlers and ignores SIGPIPE, so that a vanished gnuplot is an
 * error, not a crash). */
void dwmtj_out_signals(void);

typedef struct dwmtj_outfile {
    char *path;        /* final name */
    char *part;        /* PATH.part */
    FILE *f;
    int slot;          /* index in the signal handler's table */
} dwmtj_outfile;

/* Opens PATH.part for writing; -1 with a message naming the file. */
int dwmtj_outfile_open(dwmtj_outfile *o, const char *path);
/* Flushes, closes and renames to PATH; on any error removes the .part file
 * and returns -1 with a message. */
int dwmtj_outfile_commit(dwmtj_outfile *o);
/* Closes and removes the .part file (no-op on an unopened outfile). */
void dwmtj_outfile_abort(dwmtj_outfile *o);

/* Writes text to PATH through PATH.part. */
int dwmtj_write_file(const char *path, const char *text);

/* ---- JSON ------------------------------------------------------------- */

#define DWMTJ_JSON_DEPTH 16
typedef struct dwmtj_json {
    FILE *f;
    int depth;
    int count[DWMTJ_JSON_DEPTH]; /* members written at each level */
    int pretty;
} dwmtj_json;

void dwmtj_json_init(dwmtj_json *j, FILE *f, int pretty);
/* key is NULL inside arrays and at the top level. */
void dwmtj_json_object(dwmtj_json *j, const char *key);
void dwmtj_json_array(dwmtj_json *j, const char *key);
void dwmtj_json_end(dwmtj_json *j);           /* closes the innermost */
void dwmtj_json_num(dwmtj_json *j, const char *key, double v); /* NaN, inf: null */
void dwmtj_json_int(dwmtj_json *j, const char *key, long v);
void dwmtj_json_u64(dwmtj_json *j, const char *key, uint64_t v);
void dwmtj_json_str(dwmtj_json *j, const char *key, const char *s); /* NULL: null */
/* s as a JSON string literal: quotes, escapes, invalid UTF-8 as U+FFFD. */
void dwmtj_json_write_string(FILE *f, const char *s);

/* ---- the results ------------------------------------------------------- */

/* The shared members of the JSON report (into the open top-level object):
 * netlist, ngspice_version, t_stop_s, spikes, energy_per_spike_J,
 * energy_per_spike_sd_J, energy_per_spike_vi_J, circuit_energy_per_spike_J,
 * energy_sources_J, latency_per_spike_s, latency_sd_s, reset_latency_s,
 * energy_by_phase_J, neurons. */
void dwmtj_json_report(dwmtj_json *j, const char *netlist, const char *ngspice_version,
                       const dwmtj_report *r, const dwmtj_summary *sm);

/* The plain-text report: per neuron, then totals. */
void dwmtj_text_report(FILE *f, const char *netlist, const char *ngspice_version,
                       const dwmtj_report *r, const dwmtj_summary *sm);

/* Spikes of neuron k; mean latency and energy by phase (J) over them. */
int dwmtj_neuron_spikes(const dwmtj_report *r, int k, double *latency,
                        double energy[DWMTJ_NPHASE], double *energy_vi);

/* CSV, one row per spike, each row flushed as it is written. */
int dwmtj_csv_header(dwmtj_outfile *o);
int dwmtj_csv_row(dwmtj_outfile *o, const dwmtj_report *r, const dwmtj_spike *sp);
/* The same with the neuron's name given (NULL: "?"). */
int dwmtj_csv_row_named(dwmtj_outfile *o, const char *neuron, const dwmtj_spike *sp);

/* ---- gnuplot ---------------------------------------------------------- */

/* 0 if an executable gnuplot is on PATH; otherwise -1 with a message. */
int dwmtj_plot_available(void);
/* Draws the spike raster (neuron vs fire time) and the energy of each
 * spike into PATH (PNG) through gnuplot; -1 with a message on failure,
 * and no file left behind. */
int dwmtj_plot(const char *path, const char *title, const dwmtj_report *r);

/* ---- the simulation pipeline (dwmtj_run.c) ---------------------------- */

/* What the subcommands have in common after their input is a parsed
 * netlist: outputs opened before the run (so that an unwritable one fails
 * fast), the run itself, the reports. */
struct dwmtj_outputs {
    int json;                 /* JSON on stdout instead of text */
    const char *csv;          /* CSV file or NULL */
    const char *plot;         /* PNG file or NULL */
    const char *cm;           /* code model or NULL (DWMTJ_CM, installed) */
    double timeout;           /* s of wall time, <= 0 none */
};

/* Extra JSON members and text lines of a subcommand, written after the
 * shared ones (may be NULL). */
typedef void (*dwmtj_extra_fn)(dwmtj_json *j, FILE *text, const dwmtj_report *r,
                               const dwmtj_summary *sm, void *userdata);

/* Instruments nl, runs it in a new session (name: for messages), analyses
 * it and writes every requested output.  Returns an exit code. */
int dwmtj_pipeline(const char *name, const dwmtj_netlist *nl, const struct dwmtj_outputs *o,
                   dwmtj_extra_fn extra, void *userdata);

/* Options shared by run and array (--json --csv --plot --cm --timeout):
 * 1 if argv[*i] was one of them, 0 if not, -1 on a bad or missing value
 * (message printed). */
int dwmtj_output_option(int argc, char **argv, int *i, struct dwmtj_outputs *o);
/* Prints "dwmtj: SUB: " and the message, then a hint to --help; returns
 * the usage exit code.  dwmtj_usage_hint prints only the hint (after a
 * message printed already). */
int dwmtj_usage_error(const char *sub, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int dwmtj_usage_hint(const char *sub);

/* "dwmtj: " + message on stderr. */
void dwmtj_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
