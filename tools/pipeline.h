/* dwmtj command-line tool: the simulation pipeline of run and array
 * (pipeline.c).  A parsed netlist in, the reports and output files out. */
#ifndef DWMTJ_PIPELINE_H
#define DWMTJ_PIPELINE_H

#include "dwmtj_harness.h"
#include "dwmtj_output.h"

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

/* A failure of the harness on input name: its message msg (trailing
 * newlines dropped, name added when the message lacks it), or the
 * status's string when there is none. */
void dwmtj_sim_error(const char *name, const char *msg, int status);

#endif
