/* Runs in ngspice's background thread: waiting for its end, progress,
 * and the wall-clock limit. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ngspice/sharedspice.h> /* needs bool: session_internal.h above */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void nap(void)
{
    nanosleep(&(struct timespec){ 0, 2000000 }, NULL); /* 2 ms */
}

/* A run may start: a usable session with a deck that loaded. */
int sess_run_ready(dwmtj_session *s, const char *what)
{
    int rc = sess_usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (s->load_status == LOAD_NONE)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "%s: no netlist loaded", what);
    if (s->load_status != DWMTJ_H_OK) {
        /* ngspice would only say "circuit not parsed": repeat the reason */
        snprintf(s->error, sizeof s->error, "%s", s->load_error);
        return s->load_status;
    }
    return DWMTJ_H_OK;
}

void sess_run_clock_init(dwmtj_session *s, run_clock *c, dwmtj_progress_fn progress,
                         void *userdata, double timeout_s)
{
    c->progress = progress;
    c->userdata = userdata;
    c->t0 = now_s();
    c->timeout_s = timeout_s;
    c->reported = 0.0;
    pthread_mutex_lock(&s->lock);
    s->stat_fraction = 0.0;
    s->t_scale = 0.0;
    pthread_mutex_unlock(&s->lock);
}

/* Whether the log after mark has text (case-insensitive). */
static bool logged_since(dwmtj_session *s, size_t mark, const char *text)
{
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? (mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len)
                             : 0;
    span all = { at, strlen(at) };
    bool found = sess_find_ci(all, text) != NULL;
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* One phase of a run in ngspice's background thread: cmd is "bg_run" or
 * "bg_resume".  Waits for the thread's end, reporting progress and
 * halting the run at the clock's time limit.  With may_pause, a stop at the
 * harness's breakpoint ("condition met") is no error and sets *paused. */
int sess_run_phase(dwmtj_session *s, const char *cmd, run_clock *c, bool may_pause,
                   bool *paused)
{
    if (paused)
        *paused = false;
    pthread_mutex_lock(&s->lock);
    size_t mark = s->log_base + s->log_len;
    int started0 = s->bg_started, ended0 = s->bg_ended;
    pthread_mutex_unlock(&s->lock);

    int rc = sess_ng_command(cmd);
    if (sess_is_dead(s))
        return sess_classify(s, mark, PHASE_RUN);
    if (rc != 0)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "%s: ngspice refused %s", s->name, cmd);

    /* wait for the thread's end (ngSpice_running() is false until the new
     * thread has started, so it cannot tell "not yet" from "done") */
    double t1 = now_s(), t_now = 0.0;
    bool halted = false, ended = false;
    while (!ended) {
        nap();
        pthread_mutex_lock(&s->lock);
        ended = s->bg_ended > ended0;
        bool started = s->bg_started > started0;
        double frac = s->stat_fraction;
        t_now = s->t_scale;
        pthread_mutex_unlock(&s->lock);
        if (s->tstop > 0 && t_now / s->tstop > frac)
            frac = t_now / s->tstop;
        frac = frac > 1.0 ? 1.0 : frac;
        if (c->progress && frac > c->reported) {
            c->reported = frac;
            c->progress(frac, c->userdata);
        }
        double dt = now_s() - c->t0;
        if (!ended && c->timeout_s > 0 && dt > c->timeout_s) {
            /* bg_halt waits up to 1 s for the thread to stop; a thread
             * still in its setup (parsing, operating point) only sees the
             * flag later, and a busy machine slows it: ask again, for up
             * to 30 s */
            halted = true;
            double last = 0.0;
            while (!ended && now_s() - c->t0 < c->timeout_s + 30.0) {
                if (now_s() - last > 1.0) {
                    sess_ng_command("bg_halt");
                    last = now_s();
                }
                pthread_mutex_lock(&s->lock);
                ended = s->bg_ended > ended0;
                pthread_mutex_unlock(&s->lock);
                if (!ended)
                    nap();
            }
            break;
        }
        if (!ended && !started && !ngSpice_running() && now_s() - t1 > 5.0)
            return sess_fail(s, DWMTJ_H_ERR_COMMAND,
                             "%s: ngspice's background thread did not start", s->name);
    }
    if (sess_is_dead(s))
        return sess_classify(s, mark, PHASE_RUN);
    if (halted) {
        char limit[64] = "";
        if (s->tstop > 0)
            snprintf(limit, sizeof limit, " of %g s", s->tstop);
        return sess_fail(s, DWMTJ_H_ERR_TIMEOUT,
                         "%s: run stopped after %.3g s of wall time at t = %g s%s%s", s->name,
                         c->timeout_s, t_now, limit, ended ? "" : " (ngspice did not stop)");
    }
    bool stopped = may_pause && logged_since(s, mark, "condition met: stop");
    if (paused)
        *paused = stopped;
    return sess_classify(s, mark, stopped ? PHASE_PAUSE : PHASE_RUN);
}

int dwmtj_session_run(dwmtj_session *s, dwmtj_progress_fn progress, void *userdata,
                      double timeout_s)
{
    int rc = sess_run_ready(s, "dwmtj_session_run");
    if (rc != DWMTJ_H_OK)
        return rc;
    run_clock c;
    sess_run_clock_init(s, &c, progress, userdata, timeout_s);
    rc = sess_run_phase(s, "bg_run", &c, false, NULL);
    if (rc == DWMTJ_H_OK && progress && c.reported < 1.0)
        progress(1.0, userdata);
    return rc;
}
