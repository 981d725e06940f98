/* dwmtj command-line tool: what it writes.  The progress line, output
 * files written whole or not at all, JSON, CSV, the text report and the
 * gnuplot figure (output.c); the command line is cli.h's. */
#ifndef DWMTJ_OUTPUT_H
#define DWMTJ_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "dwmtj_file.h"
#include "dwmtj_harness.h"

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

/* Every file the tool writes goes through util/dwmtj_file (dwmtj_file.h):
 * nothing or a regular file at PATH is replaced whole by PATH.part once
 * complete, a symbolic link keeps pointing at the file it names (which is
 * replaced so), a device or FIFO is written in place (never renamed over),
 * a directory is refused.  A failed or interrupted run leaves no .part
 * file: SIGINT, SIGTERM and SIGHUP remove every one still open
 * (dwmtj_out_signals installs dwmtj_file_on_signal for them, and ignores
 * SIGPIPE so that a vanished reader is an error, not a crash). */
void dwmtj_out_signals(void);

/* An output file: a dwmtj_file (write to its f) whose failures are
 * printed.  An unopened one is set up by dwmtj_outfile_init. */
typedef dwmtj_file dwmtj_outfile;

void dwmtj_outfile_init(dwmtj_outfile *o);
/* Opens path for writing (dwmtj_file_open with flags 0); -1 with a
 * message naming the file. */
int dwmtj_outfile_open(dwmtj_outfile *o, const char *path);
/* The same with dwmtj_file_open's flags (DWMTJ_FILE_SYNC, _REGULAR). */
int dwmtj_outfile_open_flags(dwmtj_outfile *o, const char *path, int flags);
/* Completes the file (dwmtj_file_commit); on any error the target is as
 * it was, no .part file is left, and -1 comes back with a message. */
int dwmtj_outfile_commit(dwmtj_outfile *o);
/* Closes it and removes its .part file (no-op on an initialised or closed
 * outfile). */
void dwmtj_outfile_abort(dwmtj_outfile *o);

/* Writes text to path whole (dwmtj_file_write_text); -1 with a message. */
int dwmtj_write_file(const char *path, const char *text);

/* A results file that grows as a run goes and is resumed from (dwmtj mc;
 * the scheme of dwmtj infer --results): 1 if path is (or links to) a
 * regular file with something in it, which a new run must not replace
 * unasked. */
int dwmtj_out_holds_data(const char *path);
/* What o holds so far (its first lines, the rows kept) becomes the file:
 * a regular target is replaced whole now and the stream returned appends
 * to the new file; a device or FIFO stays open in place and the stream is
 * o's own.  NULL with a message on failure (o aborted).  End with
 * dwmtj_out_append_end. */
FILE *dwmtj_out_append_start(dwmtj_outfile *o);
/* Closes the stream f of dwmtj_out_append_start (commits o when in
 * place); -1 with a message. */
int dwmtj_out_append_end(dwmtj_outfile *o, FILE *f);

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
 * spike as a PNG into the open file o (gnuplot writes it there); the
 * caller commits o, or aborts it on -1 (message printed). */
int dwmtj_plot(dwmtj_outfile *o, const char *title, const dwmtj_report *r);

#endif
