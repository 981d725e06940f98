/* Streaming runs (dwmtj_run_streaming): the run pauses at breakpoints
 * ("stop when time gt T") and resumes, handing out the spikes completed
 * so far at each pause. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"
#include "harness_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ngspice/sharedspice.h> /* needs bool: session_internal.h above */

/* Sets a breakpoint, "stop when time gt T" (t > 0) or "stop after N"
 * (N = -t data points), and finds its number (ngspice does not print it;
 * its status listing does, ours last).  The listing and any message are
 * dropped from the log. */
static int stop_set(dwmtj_session *s, double t, int *number)
{
    char cmd[96];
    *number = -1;
    /* "gt", not ">": ngspice's shell would take > as a redirection */
    if (t > 0)
        snprintf(cmd, sizeof cmd, "stop when time gt %.17g", t);
    else
        snprintf(cmd, sizeof cmd, "stop after %d", (int)-t);
    size_t mark = sess_log_mark(s);
    int rc = sess_ng_command(cmd);
    char err[1024];
    if (sess_error_since(s, mark, err, sizeof err) || rc != 0 || sess_is_dead(s)) {
        if (sess_is_dead(s))
            sess_ngspice.dead = true;
        return sess_fail(s, sess_is_dead(s) ? DWMTJ_H_ERR_EXIT : DWMTJ_H_ERR_COMMAND,
                         "%s: cannot set a breakpoint (%s)%s%s", s->name, cmd, err[0] ? ": " : "",
                         err[0] ? err : "");
    }
    size_t mark2 = sess_log_mark(s);
    sess_ng_command("status");
    /* lines "N    stop when time > T", "N    stop after K": ours is the last */
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark2 > s->log_base ? (mark2 - s->log_base < s->log_len ? mark2 - s->log_base
                                                                   : s->log_len)
                              : 0;
    span l;
    while (sess_next_line(&at, &l)) {
        span w = sess_trim(l);
        if (w.n > 0 && isdigit((unsigned char)w.p[0]) && sess_find_ci(w, " stop "))
            *number = atoi(w.p);
    }
    pthread_mutex_unlock(&s->lock);
    sess_log_truncate(s, mark);
    if (*number < 0)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "%s: ngspice did not list the breakpoint %s",
                         s->name, cmd);
    return DWMTJ_H_OK;
}

/* Deletes breakpoint number (if the session can still take commands). */
static void stop_delete(dwmtj_session *s, int number)
{
    if (number < 0 || sess_is_dead(s) || ngSpice_running())
        return;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "delete %d", number);
    size_t mark = sess_log_mark(s);
    sess_ng_command(cmd);
    sess_log_truncate(s, mark);
}

/* The streaming run's bookkeeping: spikes handed out so far, per neuron. */
typedef struct {
    int n_neuron;
    int *done;            /* spikes of neuron j handed out (the first done[j] of its spikes) */
    dwmtj_spike_fn fn;
    void *userdata;
} spike_feed;

/* Hands out the spikes of r not yet handed out, in r's (time) order.
 * With all false, only complete spikes: those whose reset is known, or
 * with a later write of their neuron (last_write[j]: time of the last
 * write seen, -inf if none). */
static void feed(spike_feed *f, const dwmtj_report *r, const double *last_write, bool all)
{
    int *seen = calloc((size_t)(f->n_neuron > 0 ? f->n_neuron : 1), sizeof *seen);
    if (!seen)
        return; /* handed out later, at the end */
    for (int k = 0; k < r->n_spike; k++) {
        const dwmtj_spike *sp = &r->spike[k];
        int j = sp->neuron;
        if (j < 0 || j >= f->n_neuron)
            continue;
        int idx = seen[j]++; /* this spike's index among its neuron's */
        if (idx < f->done[j])
            continue;
        if (!all && !isfinite(sp->t_reset) && !(last_write[j] > sp->t_write))
            continue;
        /* a neuron's spikes complete in order: an incomplete one holds
         * back the ones after it */
        if (idx != f->done[j])
            continue;
        f->done[j]++;
        if (f->fn)
            f->fn(sp, r->neuron[j].name, f->userdata);
    }
    free(seen);
}

/* Time of the last write of each neuron in the data so far. */
static int last_writes(dwmtj_session *s, const dwmtj_netlist *nl, double *last)
{
    const double *t;
    int n = 0;
    int rc = dwmtj_session_vector(s, "time", &t, &n);
    if (rc != DWMTJ_H_OK)
        return rc;
    for (int j = 0; j < nl->n_neuron; j++) {
        char name[1024];
        const double *nw;
        int m = 0;
        nl_vec_mon(nl, j, DWMTJ_MON_NW, name, sizeof name);
        rc = dwmtj_session_vector(s, name, &nw, &m);
        if (rc != DWMTJ_H_OK)
            return rc;
        if (m != n)
            return sess_fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" has %d points, time %d", name, m,
                             n);
        last[j] = -INFINITY;
        for (int i = n - 1; i >= 1; i--)
            if (nw[i] >= nw[i - 1] + 0.5) {
                last[j] = t[i];
                break;
            }
    }
    return DWMTJ_H_OK;
}

/* ngspice 39 resumes a paused transient with a different minimum
 * breakpoint distance than it started with, unless the options give one:
 * with XSPICE it starts with 10 delmin = 1e-10 tmax and resumes with
 * 5e-5 tmax (dctran.c), which changes the time steps at the code model's
 * breakpoints.  Setting the starting value as an option keeps it. */
static int pin_minbreak(dwmtj_session *s, const dwmtj_netlist *nl, double tstep, double tstop,
                        double tmax)
{
    if (nl->minbreak)
        return DWMTJ_H_OK;
    double span_t = tstop - (nl->tran[2] > 0.0 ? nl->tran[2] : 0.0), maxstep = tmax;
    if (!(maxstep > 0.0)) /* traninit.c */
        maxstep = tstep < span_t / 50.0 && !nl->nostepsizelimit ? tstep : span_t / 50.0;
    double minbreak = 10.0 * (1e-11 * maxstep);
    if (!(minbreak > 0.0) || !isfinite(minbreak))
        return DWMTJ_H_OK;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "option minbreak=%.17g", minbreak);
    size_t mark = sess_log_mark(s);
    int rc = sess_ng_command(cmd);
    char err[1024];
    bool printed = sess_error_since(s, mark, err, sizeof err);
    sess_log_truncate(s, mark);
    if (sess_is_dead(s)) {
        sess_ngspice.dead = true;
        return sess_fail(s, DWMTJ_H_ERR_EXIT, "%s: ngspice asked to exit at \"%s\"", s->name, cmd);
    }
    if (printed || rc != 0)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "%s: \"%s\" failed%s%s", s->name, cmd,
                         printed ? ": " : "", printed ? err : "");
    return DWMTJ_H_OK;
}

/* Data points before the first pause of a streaming run (past ngspice's
 * first time step, which it treats specially). */
#define FIRST_PAUSE 5

int dwmtj_run_streaming(dwmtj_session *s, const dwmtj_netlist *nl, double chunk_s,
                        dwmtj_progress_fn progress, dwmtj_spike_fn on_spike, void *userdata,
                        double timeout_s, dwmtj_report *r)
{
    if (r)
        memset(r, 0, sizeof *r);
    if (!s || !nl || !r || isnan(chunk_s))
        return s ? sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_run_streaming: bad argument")
                 : DWMTJ_H_ERR_USAGE;
    int rc = sess_run_ready(s, "dwmtj_run_streaming");
    if (rc != DWMTJ_H_OK)
        return rc;

    /* breakpoints only where the next time point cannot be the last one
     * (a stop met there would stay pending for the next run): at most
     * t_stop - 2 tmax, tmax being the deck's or ngspice's default, at most
     * t_stop/50 */
    double tstep = 0.0, tstop = 0.0, tmax = 0.0, last_stop = -1.0;
    if (chunk_s > 0.0 && dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax) == DWMTJ_H_OK &&
        tstop > 0.0 && isfinite(tstop)) {
        double step = tmax > 0.0 && isfinite(tmax) ? tmax : tstop / 50.0;
        last_stop = tstop - 2.0 * step;
        if (last_stop > 0.0) {
            rc = pin_minbreak(s, nl, tstep, tstop, tmax);
            if (rc != DWMTJ_H_OK)
                return rc;
        }
    }

    spike_feed f = { nl->n_neuron, NULL, on_spike, userdata };
    size_t nn = (size_t)(nl->n_neuron > 0 ? nl->n_neuron : 1);
    f.done = calloc(nn, sizeof *f.done);
    double *last = calloc(nn, sizeof *last);
    if (!f.done || !last) {
        rc = sess_fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
        goto out;
    }

    run_clock c;
    sess_run_clock_init(s, &c, progress, userdata, timeout_s);
    double next = chunk_s;
    bool first = true;
    for (;;) {
        int stop = -1;
        if (chunk_s > 0.0 && next <= last_stop) {
            /* a "stop when time" present when the analysis starts becomes a
             * time step breakpoint, which would change the steps: the first
             * pause comes after a few data points, and the time stops are
             * set from there */
            rc = stop_set(s, first ? -(double)FIRST_PAUSE : next, &stop);
            if (rc != DWMTJ_H_OK)
                goto out;
        }
        bool paused = false;
        rc = sess_run_phase(s, first ? "bg_run" : "bg_resume", &c, stop >= 0, &paused);
        first = false;
        stop_delete(s, stop);
        if (rc != DWMTJ_H_OK)
            goto out;
        if (!paused)
            break;
        /* the spikes complete so far, from the data so far */
        dwmtj_report part;
        rc = dwmtj_analyse(s, nl, &part);
        if (rc == DWMTJ_H_OK)
            rc = last_writes(s, nl, last);
        if (rc != DWMTJ_H_OK) {
            dwmtj_report_free(&part);
            goto out;
        }
        feed(&f, &part, last, false);
        double t_now = part.t_stop;
        dwmtj_report_free(&part);
        if (next <= t_now) /* the next boundary of the grid after t_now */
            next = chunk_s * (floor(t_now / chunk_s) + 1.0);
        if (next <= t_now)
            next = t_now + chunk_s;
    }
    rc = dwmtj_analyse(s, nl, r);
    if (rc != DWMTJ_H_OK)
        goto out;
    feed(&f, r, last, true);
    if (progress && c.reported < 1.0)
        progress(1.0, userdata);
out:
    free(f.done);
    free(last);
    return rc;
}
