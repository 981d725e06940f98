/* Classifying what ngspice printed: the status and message of a load or
 * run from the lines it added to the log, with the deck line they concern
 * when ngspice names one. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lower case without white space, to match a card ngspice echoes (it
 * lower-cases and re-spaces) with the line it came from. */
static size_t squeeze(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (!isspace((unsigned char)p[i]))
            out[k++] = (char)tolower((unsigned char)p[i]);
    out[k] = '\0';
    return k;
}

/* 1-based deck line whose text is card; 0 if none. */
static int card_line(const dwmtj_session *s, span card)
{
    char want[1024], have[1024];
    if (squeeze(card.p, card.n, want, sizeof want) == 0)
        return 0;
    for (int i = 0; i < s->n_line; i++) {
        squeeze(s->line[i], strlen(s->line[i]), have, sizeof have);
        if (strcmp(want, have) == 0)
            return i + 1;
    }
    return 0;
}

/* 1-based deck line whose first word is word (an instance name); 0 if none. */
static int word_line(const dwmtj_session *s, span word)
{
    for (int i = 0; i < s->n_line && word.n > 0; i++) {
        const char *p = s->line[i] + strspn(s->line[i], " \t");
        if (strncasecmp(p, word.p, word.n) == 0 &&
            (p[word.n] == '\0' || isspace((unsigned char)p[word.n])))
            return i + 1;
    }
    return 0;
}

/* 1-based deck line containing both words (case-insensitive); 0 if none. */
static int text_line(const dwmtj_session *s, const char *a, span b)
{
    for (int i = 0; i < s->n_line; i++) {
        span l = { s->line[i], strlen(s->line[i]) };
        char bb[1024];
        snprintf(bb, sizeof bb, "%.*s", (int)b.n, b.p);
        if (sess_find_ci(l, a) && sess_find_ci(l, bb))
            return i + 1;
    }
    return 0;
}

/* "FILE:LINE" of the user's card that deck line came from, else "NAME:LINE"
 * (the deck as loaded), or "NAME" when the line is unknown. */
static void where(const dwmtj_session *s, int line, char *out, size_t n)
{
    const char *name = s->name ? s->name : "netlist";
    if (line > 0 && s->origin && line <= s->n_line && s->origin[line - 1])
        snprintf(out, n, "%s", s->origin[line - 1]);
    else if (line > 0)
        snprintf(out, n, "%s:%d", name, line);
    else
        snprintf(out, n, "%s", name);
}

/* What a load or run printed that matters, first occurrence of each. */
typedef struct {
    span errline;     /* "Error on line N or its substitute:" */
    span errcard;     /* the card after it */
    span errreason;   /* the reason after the card */
    int n_errline;    /* how many such errors */
    span cantfind;    /* "warning, can't find model 'X' from line" or type mismatch */
    span cantcard;    /* the card after it */
    span subckt;      /* "Error: unknown subckt: CARD" */
    span include;     /* "Error: Could not find include file F" */
    span modissue;    /* "Warning: Model issue on line N :" with a dwmtj4t card */
    span modcard;     /* its card */
    span unknownpar;  /* "MIF: unrecognized parameter (P) - ignored" after it */
    span dwmtj;       /* "Instance: X   Message: dwmtj4t: ..." */
    span nlno;        /* "Netlist line no. N:" (the numparam preprocessor) */
    span nlmsg;       /* the message on the line after it */
    span nojob;       /* "No job (tran, ac, op etc.) defined" or "simulation not started" */
    span doan;        /* "doAnalyses: ... too small" and the like */
    span conv;        /* other convergence failures */
    span singular;    /* "singular matrix" (a hint for convergence failures) */
    span notparsed;   /* "circuit not parsed", "aren't any circuits loaded" */
    span interrupted; /* "simulation interrupted" (bg_halt) */
    span error;       /* any other error line */
    bool circuit;     /* "Circuit: TITLE" was printed */
} findings;

/* A line that reports failure of a command. */
static bool error_line(span l)
{
    return sess_starts_ci(l, "error") || sess_find_ci(l, ": no such command") ||
           (sess_starts_ci(l, "command '") &&
            (sess_find_ci(l, "ignored") || sess_find_ci(l, "failed"))) ||
           sess_starts_ci(l, "warning from checkvalid") || sess_find_ci(l, "couldn't be loaded");
}

static bool conv_line(span l)
{
    return sess_find_ci(l, "timestep too small") || sess_find_ci(l, "simulation(s) aborted") ||
           sess_find_ci(l, "op failed") || sess_find_ci(l, "iteration limit reached") ||
           sess_find_ci(l, "no convergence");
}

#define FIRST(f, l) \
    do { \
        if (!(f).p) \
            (f) = (l); \
    } while (0)

static void scan(const char *from, findings *f)
{
    memset(f, 0, sizeof *f);
    span l, a, b;
    const char *at = from;
    while (sess_next_line(&at, &l)) {
        if (sess_find_ci(l, "error on line ")) {
            if (f->n_errline++ == 0) {
                f->errline = l;
                const char *q = at;
                if (sess_next_line(&q, &a)) {
                    f->errcard = sess_trim(a);
                    if (sess_next_line(&q, &b) && !sess_find_ci(b, "error on line "))
                        f->errreason = sess_trim(b);
                }
            }
        } else if (sess_find_ci(l, "can't find model") || sess_find_ci(l, "model type mismatch")) {
            if (!f->cantfind.p) {
                f->cantfind = sess_trim(l);
                const char *q = at;
                if (sess_next_line(&q, &a))
                    f->cantcard = sess_trim(a);
            }
        } else if (sess_find_ci(l, "unknown subckt")) {
            FIRST(f->subckt, l);
        } else if (sess_find_ci(l, "could not find include file")) {
            FIRST(f->include, l);
        } else if (sess_find_ci(l, "model issue on line")) {
            const char *q = at;
            if (!f->modissue.p && sess_next_line(&q, &a) && sess_find_ci(a, "dwmtj4t")) {
                f->modissue = l;
                f->modcard = sess_trim(a);
                if (sess_next_line(&q, &b) && sess_find_ci(b, "unrecognized parameter"))
                    f->unknownpar = sess_trim(b);
            }
        } else if (sess_starts_ci(sess_trim(l), "netlist line no.")) {
            if (!f->nlno.p) {
                const char *q = at;
                if (sess_next_line(&q, &a)) {
                    f->nlno = sess_trim(l);
                    f->nlmsg = sess_trim(a);
                }
            }
        } else if (sess_find_ci(l, "message: dwmtj4t:")) {
            FIRST(f->dwmtj, l);
        } else if (sess_find_ci(l, "no job (") || sess_find_ci(l, "simulation not started")) {
            FIRST(f->nojob, sess_trim(l));
        } else if (sess_starts_ci(l, "doanalyses:") && !sess_find_ci(l, "pause requested")) {
            FIRST(f->doan, sess_trim(l));
        } else if (conv_line(l)) {
            FIRST(f->conv, sess_trim(l));
        } else if (sess_find_ci(l, "circuit not parsed") ||
                   sess_find_ci(l, "aren't any circuits loaded")) {
            FIRST(f->notparsed, sess_trim(l));
        } else if (sess_find_ci(l, "simulation interrupted")) {
            FIRST(f->interrupted, sess_trim(l));
        } else if (error_line(l)) {
            if (sess_find_ci(l, "singular matrix"))
                FIRST(f->singular, sess_trim(l));
            else
                FIRST(f->error, sess_trim(l));
        } else if (sess_find_ci(l, "singular matrix")) {
            FIRST(f->singular, sess_trim(l));
        } else if (sess_starts_ci(l, "circuit:")) {
            f->circuit = true;
        }
    }
}

/* Reasons that mean the model is what is missing or wrong. */
static bool model_reason(span r)
{
    span name = sess_after_ci(r, "unable to find definition of model");
    return (sess_find_ci(r, "unable to find definition of model") && name.n > 0) ||
           sess_find_ci(r, "valid modelname") || sess_find_ci(r, "model name is not found") ||
           sess_find_ci(r, "unknown model");
}

/* "Error on line N ...": NETLIST, or MODEL for an unknown model. */
static int errline_status(dwmtj_session *s, const findings *f)
{
    char at[512];
    span num = sess_after_ci(f->errline, "error on line ");
    int line = num.p ? atoi(num.p) : 0;
    where(s, line, at, sizeof at);
    static const char rejected[] = "ngspice rejected the line";
    span reason = f->errreason.p ? f->errreason : (span){ rejected, sizeof rejected - 1 };
    while (reason.n > 0 && (reason.p[reason.n - 1] == '.' || reason.p[reason.n - 1] == ':'))
        reason.n--; /* the card follows after ": " */
    char more[64] = "";
    if (f->n_errline > 1)
        snprintf(more, sizeof more, " (and %d more error%s; see the log)", f->n_errline - 1,
                 f->n_errline > 2 ? "s" : "");
    /* "Unable to find definition of model" with no name: an element
     * letter ngspice does not know */
    if (sess_find_ci(reason, "unable to find definition of model") &&
        sess_after_ci(reason, "unable to find definition of model").n == 0) {
        char letter = f->errcard.n > 0 ? f->errcard.p[0] : '?';
        return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: unknown element type '%c' (%.*s): %.*s%s", at,
                         letter, (int)reason.n, reason.p, (int)f->errcard.n, f->errcard.p, more);
    }
    /* the warning before the error says which model is missing */
    span hint = { NULL, 0 };
    if (f->cantfind.p && f->cantcard.n == f->errcard.n &&
        strncmp(f->cantcard.p, f->errcard.p, f->errcard.n) == 0) {
        hint = f->cantfind;
        span h = sess_after_ci(hint, "warning, ");
        if (h.p)
            hint = h;
        const char *tail = sess_find_ci(hint, " from line");
        if (!tail)
            tail = sess_find_ci(hint, " in line");
        if (tail)
            hint.n = (size_t)(tail - hint.p);
    }
    int status = model_reason(reason) || hint.p ? DWMTJ_H_ERR_MODEL : DWMTJ_H_ERR_NETLIST;
    if (hint.p)
        return sess_fail(s, status, "%s: %.*s (%.*s): %.*s%s", at, (int)reason.n, reason.p,
                         (int)hint.n, hint.p, (int)f->errcard.n, f->errcard.p, more);
    return sess_fail(s, status, "%s: %.*s: %.*s%s", at, (int)reason.n, reason.p, (int)f->errcard.n,
                     f->errcard.p, more);
}

/* "Instance: X   Message: dwmtj4t: invalid parameter P = V: why; simulation stopped" */
static int dwmtj_status(dwmtj_session *s, const findings *f)
{
    char at[512];
    span inst = sess_after_ci(f->dwmtj, "instance:");
    if (inst.p)
        inst.n = strcspn(inst.p, " \t\n");
    span msg = sess_after_ci(f->dwmtj, "message:");
    const char *stop = sess_find_ci(msg, "; simulation stopped");
    if (stop)
        msg.n = (size_t)(stop - msg.p);
    where(s, inst.p ? word_line(s, inst) : 0, at, sizeof at);
    int status = sess_find_ci(msg, "out of memory") ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_ERR_MODEL;
    if (!inst.p)
        return sess_fail(s, status, "%s: %.*s", at, (int)msg.n, msg.p);
    return sess_fail(s, status, "%s: instance %.*s: %.*s", at, (int)inst.n, inst.p, (int)msg.n,
                     msg.p);
}

/* "Netlist line no. N:" then why (ngspice's parameter preprocessor: an
 * undefined parameter, an expression it cannot compute), e.g. nan or an
 * unquoted string on a .model card. */
static int nlno_status(dwmtj_session *s, const findings *f)
{
    char at[512];
    span num = sess_after_ci(f->nlno, "netlist line no.");
    int line = num.p ? atoi(num.p) : 0;
    where(s, line, at, sizeof at);
    span why = f->nlmsg;
    while (why.n > 0 && (why.p[why.n - 1] == '.' || why.p[why.n - 1] == ':'))
        why.n--;
    if (line > 0 && line <= s->n_line)
        return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice: %.*s: %s", at, (int)why.n, why.p,
                         s->line[line - 1]);
    return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice: %.*s", at, (int)why.n, why.p);
}

static int exit_status(dwmtj_session *s, const findings *f, const char *what)
{
    char at[512];
    where(s, 0, at, sizeof at);
    pthread_mutex_lock(&s->lock);
    int st = s->exit_status;
    pthread_mutex_unlock(&s->lock);
    if (f && f->error.p)
        return sess_fail(s, DWMTJ_H_ERR_EXIT,
                         "%s: ngspice asked to exit during %s (status %d): %.*s", at, what, st,
                         (int)f->error.n, f->error.p);
    return sess_fail(s, DWMTJ_H_ERR_EXIT, "%s: ngspice asked to exit during %s (status %d)", at,
                     what, st);
}

/* The dwmtj4t warnings among the lines from `from' into s->warnings,
 * each once: "Instance: X   Message: dwmtj4t warning: WHY" becomes
 * "WHERE: instance X: dwmtj4t warning: WHY". */
static void collect_warnings(dwmtj_session *s, const char *from)
{
    span l;
    while (sess_next_line(&from, &l)) {
        span msg = sess_after_ci(l, "message: dwmtj4t warning:");
        if (!msg.p)
            continue;
        const char *m = sess_find_ci(l, "dwmtj4t warning:");
        span what = { m, (size_t)(l.p + l.n - m) };
        what = sess_trim(what);
        span inst = sess_after_ci(l, "instance:");
        if (inst.p)
            inst.n = strcspn(inst.p, " \t\n");
        char at[512], line[2048];
        where(s, inst.p ? word_line(s, inst) : 0, at, sizeof at);
        if (inst.p)
            snprintf(line, sizeof line, "%s: instance %.*s: %.*s\n", at, (int)inst.n, inst.p,
                     (int)what.n, what.p);
        else
            snprintf(line, sizeof line, "%s: %.*s\n", at, (int)what.n, what.p);
        if (s->warnings && strstr(s->warnings, line))
            continue; /* said already */
        size_t old = s->warnings ? strlen(s->warnings) : 0, add = strlen(line);
        char *w = realloc(s->warnings, old + add + 1);
        if (!w)
            return;
        memcpy(w + old, line, add + 1);
        s->warnings = w;
    }
}

/* Status of a load or run from the lines logged since mark. */
int sess_classify(dwmtj_session *s, size_t mark, enum phase phase)
{
    findings f;
    char at[512];
    where(s, 0, at, sizeof at);
    pthread_mutex_lock(&s->lock);
    const char *from = s->log ? s->log : "";
    if (mark > s->log_base)
        from += mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len;
    scan(from, &f);
    collect_warnings(s, from);
    bool dead = s->dead;
    pthread_mutex_unlock(&s->lock);
    /* the spans point into the log: only this thread changes it now (no
     * background run is going), and nothing below calls ngspice */

    /* what ngspice said about the deck before it gave up comes first: it
     * says what is wrong, "cannot recover" only that it stopped */
    if (f.nlno.p)
        return nlno_status(s, &f);
    if (dead && f.errline.p)
        return errline_status(s, &f);
    if (dead && f.dwmtj.p)
        return dwmtj_status(s, &f);
    if (dead)
        return exit_status(s, &f, phase == PHASE_LOAD ? "the load" : "the run");
    if (phase == PHASE_LOAD) {
        if (f.errline.p)
            return errline_status(s, &f);
        if (f.subckt.p) {
            span card = sess_after_ci(f.subckt, "unknown subckt:");
            where(s, card_line(s, card), at, sizeof at);
            return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: unknown subckt: %.*s", at, (int)card.n,
                             card.p);
        }
        if (f.include.p) {
            span file = sess_after_ci(f.include, "include file");
            where(s, text_line(s, ".inc", file), at, sizeof at);
            return sess_fail(s, DWMTJ_H_ERR_FILE, "%s: could not find include file %.*s", at,
                             (int)file.n, file.p);
        }
        if (f.modissue.p && f.unknownpar.p) {
            span num = sess_after_ci(f.modissue, "model issue on line ");
            span par = sess_after_ci(f.unknownpar, "parameter (");
            par.n = par.p ? strcspn(par.p, ")") : 0;
            where(s, num.p ? atoi(num.p) : 0, at, sizeof at);
            return sess_fail(s, DWMTJ_H_ERR_MODEL,
                             "%s: dwmtj4t has no parameter '%.*s' (%.*s): %.*s", at, (int)par.n,
                             par.p, (int)f.unknownpar.n, f.unknownpar.p, (int)f.modcard.n,
                             f.modcard.p);
        }
    }
    /* a .control section runs at load: run failures can show up there too */
    if (f.dwmtj.p)
        return dwmtj_status(s, &f);
    if (f.nojob.p)
        return sess_fail(s, DWMTJ_H_ERR_NOANALYSIS, "%s: no analysis to run (ngspice: %.*s)", at,
                         (int)f.nojob.n, f.nojob.p);
    if (f.doan.p || f.conv.p) {
        span why = f.doan.p ? f.doan : f.conv;
        if (f.singular.p)
            return sess_fail(s, DWMTJ_H_ERR_CONVERGENCE,
                             "%s: the analysis did not converge: %.*s (first: %.*s)", at,
                             (int)why.n, why.p, (int)f.singular.n, f.singular.p);
        return sess_fail(s, DWMTJ_H_ERR_CONVERGENCE, "%s: the analysis did not converge: %.*s", at,
                         (int)why.n, why.p);
    }
    if (f.notparsed.p)
        return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice has no usable circuit: %.*s", at,
                         (int)f.notparsed.n, f.notparsed.p);
    if (f.interrupted.p && phase != PHASE_PAUSE)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "%s: the run was interrupted: %.*s", at,
                         (int)f.interrupted.n, f.interrupted.p);
    if (f.error.p)
        return sess_fail(s, phase == PHASE_LOAD ? DWMTJ_H_ERR_NETLIST : DWMTJ_H_ERR_COMMAND,
                         "%s: %.*s", at, (int)f.error.n, f.error.p);
    if (phase == PHASE_LOAD && !f.circuit)
        return sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice did not read a circuit (see the log)",
                         at);
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}

/* First error line logged after mark, copied into out; false if none. */
bool sess_error_since(dwmtj_session *s, size_t mark, char *out, size_t n)
{
    bool found = false;
    span l;
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? (mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len)
                             : 0;
    while (!found && sess_next_line(&at, &l)) {
        if (error_line(l)) {
            l = sess_trim(l);
            snprintf(out, n, "%.*s", (int)l.n, l.p);
            /* "Command 'source' failed:" says why on the next line */
            span why;
            if (l.n > 0 && l.p[l.n - 1] == ':' && sess_next_line(&at, &why)) {
                why = sess_trim(why);
                size_t k = strlen(out);
                snprintf(out + k, n - k, " %.*s", (int)why.n, why.p);
            }
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}
