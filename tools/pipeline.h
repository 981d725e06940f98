/* dwmtj command-line tool: the simulation pipeline of run and array
 * (pipeline.c).  A parsed netlist in, the reports and output files out. */
#ifndef DWMTJ_PIPELINE_H
#define DWMTJ_PIPELINE_H

#include <getopt.h>

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

/* Options shared by run and array: --json --csv --plot --cm --timeout,
 * as entries of a struct option table (getopt.h) with these values. */
enum {
    DWMTJ_O_JSON = 0x100,
    DWMTJ_O_CSV,
    DWMTJ_O_PLOT,
    DWMTJ_O_CM,
    DWMTJ_O_TIMEOUT,
    DWMTJ_O_NEXT /* the first value free for a subcommand's own options */
};
#define DWMTJ_OUTPUT_OPTIONS \
    { "json", no_argument, NULL, DWMTJ_O_JSON }, \
    { "csv", required_argument, NULL, DWMTJ_O_CSV }, \
    { "plot", required_argument, NULL, DWMTJ_O_PLOT }, \
    { "cm", required_argument, NULL, DWMTJ_O_CM }, \
    { "timeout", required_argument, NULL, DWMTJ_O_TIMEOUT }
/* getopt_long's c and optarg v in subcommand sub: 1 if c was one of them
 * (taken into o), 0 if not, -1 on a bad value (usage message printed). */
int dwmtj_output_option(const char *sub, int c, const char *v, struct dwmtj_outputs *o);

/* A failure of the harness on input name: its message msg (trailing
 * newlines dropped, name added when the message lacks it), or the
 * status's string when there is none. */
void dwmtj_sim_error(const char *name, const char *msg, int status);

#endif
