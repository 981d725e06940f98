/* dwmtj command-line tool: the simulation pipeline that run and array
 * share (pipeline.h). */
#define _POSIX_C_SOURCE 200809L

#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

/* The harness's message, or the status when it left none. */
void dwmtj_sim_error(const char *name, const char *msg, int status)
{
    if (msg && *msg) {
        size_t n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
            n--;
        if (strstr(msg, name))
            dwmtj_error("%.*s", (int)n, msg);
        else
            dwmtj_error("%s: %.*s", name, (int)n, msg);
    } else {
        dwmtj_error("%s: %s", name, dwmtj_h_status_string(status));
    }
}

/* A run with --csv: the progress line and the CSV, one row per spike as
 * it completes (dwmtj_run_streaming pauses the run STREAM_CHUNKS times). */
#define STREAM_CHUNKS 20

struct stream {
    struct dwmtj_progress prog;
    dwmtj_outfile *csv;
    int failed;        /* a row could not be written (message printed) */
};

static void stream_progress(double fraction, void *userdata)
{
    struct stream *st = userdata;
    dwmtj_progress_cb(fraction, &st->prog);
}

static void stream_row(const dwmtj_spike *sp, const char *neuron, void *userdata)
{
    struct stream *st = userdata;
    if (!st->failed && dwmtj_csv_row_named(st->csv, neuron, sp) != 0)
        st->failed = 1; /* the file is removed after the run */
}

int dwmtj_pipeline(const char *name, const dwmtj_netlist *nl, const struct dwmtj_outputs *o,
                   dwmtj_extra_fn extra, void *userdata)
{
    char *text = NULL;
    dwmtj_session *s = NULL;
    dwmtj_report rep;
    dwmtj_outfile csv, plot;
    int rc, code = DWMTJ_EXIT_SIM;
    memset(&rep, 0, sizeof rep);
    dwmtj_outfile_init(&csv);
    dwmtj_outfile_init(&plot);

    rc = dwmtj_netlist_instrument(nl, &text);
    if (rc != DWMTJ_H_OK) {
        dwmtj_sim_error(name, NULL, rc);
        goto out;
    }
    /* outputs before the (possibly long) run, so that a bad one fails now */
    if (o->plot && (dwmtj_plot_available() != 0 || dwmtj_outfile_open(&plot, o->plot) != 0)) {
        code = DWMTJ_EXIT_OUTPUT;
        goto out;
    }
    if (o->csv && (dwmtj_outfile_open(&csv, o->csv) != 0 || dwmtj_csv_header(&csv) != 0)) {
        code = DWMTJ_EXIT_OUTPUT;
        goto out;
    }

    rc = dwmtj_session_open(&s, o->cm);
    if (rc != DWMTJ_H_OK) {
        dwmtj_sim_error(o->cm ? o->cm : "dwmtj.cm", s ? dwmtj_session_error(s) : NULL, rc);
        goto out;
    }
    /* the netlist's own deck: ngspice's complaints name the user's lines */
    rc = dwmtj_session_load_netlist(s, nl);
    if (rc != DWMTJ_H_OK) {
        dwmtj_sim_error(name, dwmtj_session_error(s), rc);
        goto out;
    }
    struct stream st;
    dwmtj_progress_init(&st.prog);
    st.csv = &csv;
    st.failed = 0;
    if (o->csv) {
        /* the CSV rows are written as the spikes complete */
        double tstep, tstop = 0.0, tmax;
        if (dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax) != DWMTJ_H_OK || !(tstop > 0.0))
            tstop = 0.0; /* no pauses: the rows come at the end */
        rc = dwmtj_run_streaming(s, nl, tstop / STREAM_CHUNKS, stream_progress, stream_row, &st,
                                 o->timeout, &rep);
    } else {
        rc = dwmtj_session_run(s, dwmtj_progress_cb, &st.prog, o->timeout);
        if (rc == DWMTJ_H_OK)
            rc = dwmtj_analyse(s, nl, &rep);
    }
    dwmtj_progress_done(&st.prog);
    if (rc != DWMTJ_H_OK) {
        dwmtj_sim_error(name, dwmtj_session_error(s), rc);
        goto out;
    }
    dwmtj_summary sm;
    dwmtj_summarise(&rep, &sm);
    /* a run that warned succeeded: the user is told what it warned */
    const char *warned = dwmtj_session_warnings(s);
    for (const char *w = warned; *w;) {
        size_t n = strcspn(w, "\n");
        dwmtj_error("warning: %.*s", (int)n, w);
        w += n + (w[n] == '\n');
    }

    code = DWMTJ_EXIT_OUTPUT;
    if (o->csv && (st.failed || dwmtj_outfile_commit(&csv) != 0))
        goto out;
    const char *ver = dwmtj_session_ngspice_version(s);
    if (o->json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_report(&j, name, ver, &rep, &sm);
        dwmtj_json_array(&j, "warnings");
        for (const char *w = warned; *w;) {
            size_t n = strcspn(w, "\n");
            char *one = strndup(w, n);
            dwmtj_json_str(&j, NULL, one ? one : "");
            free(one);
            w += n + (w[n] == '\n');
        }
        dwmtj_json_end(&j);
        if (extra)
            extra(&j, NULL, &rep, &sm, userdata);
        dwmtj_json_end(&j);
    } else {
        dwmtj_text_report(stdout, name, ver, &rep, &sm);
        if (extra)
            extra(NULL, stdout, &rep, &sm, userdata);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        dwmtj_error("cannot write to standard output");
        goto out;
    }
    if (o->plot && (dwmtj_plot(&plot, name, &rep) != 0 || dwmtj_outfile_commit(&plot) != 0))
        goto out;
    code = DWMTJ_EXIT_OK;
out:
    dwmtj_outfile_abort(&csv);
    dwmtj_outfile_abort(&plot);
    dwmtj_report_free(&rep);
    dwmtj_session_close(s);
    free(text);
    return code;
}

int dwmtj_output_option(const char *sub, int c, const char *v, struct dwmtj_outputs *o)
{
    switch (c) {
    case DWMTJ_O_JSON: o->json = 1; return 1;
    case DWMTJ_O_CSV: o->csv = v; return 1;
    case DWMTJ_O_PLOT: o->plot = v; return 1;
    case DWMTJ_O_CM: o->cm = v; return 1;
    case DWMTJ_O_TIMEOUT:
        if (dwmtj_parse_number(v, &o->timeout) != 0 || o->timeout < 0) {
            dwmtj_usage_error(sub, "--timeout %s: not a number of seconds >= 0", v);
            return -1;
        }
        return 1;
    default: return 0;
    }
}
