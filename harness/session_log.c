/* The session's log: every line ngspice printed, kept for diagnostics
 * and for classifying what an operation did (session_classify.c), and the
 * reading of it a line at a time.  Callbacks write it from ngspice's
 * threads: the writers take the session's lock. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MAX ((size_t)16 << 20) /* bytes of log kept; older lines go first */

int sess_fail(dwmtj_session *s, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return status;
}

/* Appends one line (without its end) to the log; the caller holds the
 * lock.  Past LOG_MAX the older half goes: errors come at the end. */
static void log_line_locked(dwmtj_session *s, const char *p, size_t n)
{
    if (s->log_len + n + 2 > LOG_MAX && s->log_len > 0) {
        size_t cut = s->log_len / 2;
        const char *nl = memchr(s->log + cut, '\n', s->log_len - cut);
        cut = nl ? (size_t)(nl - s->log) + 1 : s->log_len;
        memmove(s->log, s->log + cut, s->log_len - cut + 1);
        s->log_len -= cut;
        s->log_base += cut;
    }
    if (s->log_len + n + 2 > s->log_cap) {
        size_t cap = 2 * (s->log_len + n + 2) + 4096;
        char *b = realloc(s->log, cap);
        if (!b)
            return; /* out of memory: the line is lost, the log stays valid */
        s->log = b;
        s->log_cap = cap;
    }
    memcpy(s->log + s->log_len, p, n);
    s->log_len += n;
    s->log[s->log_len++] = '\n';
    s->log[s->log_len] = '\0';
}

/* Appends text, split at line ends ('\r' too: ngspice's progress lines),
 * dropping empty lines. */
void sess_log_text_locked(dwmtj_session *s, const char *p)
{
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (n > 0)
            log_line_locked(s, p, n);
        p += n;
        if (*p)
            p++;
    }
}

/* Absolute log position: where the next line will start. */
size_t sess_log_mark(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    size_t m = s->log_base + s->log_len;
    pthread_mutex_unlock(&s->lock);
    return m;
}

void sess_log_reset(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    s->log_len = 0;
    s->log_base = 0;
    if (s->log)
        s->log[0] = '\0';
    pthread_mutex_unlock(&s->lock);
}

void sess_log_note(dwmtj_session *s, const char *text)
{
    pthread_mutex_lock(&s->lock);
    sess_log_text_locked(s, text);
    pthread_mutex_unlock(&s->lock);
}

/* Drops what was logged after mark (verbose listings we only test). */
void sess_log_truncate(dwmtj_session *s, size_t mark)
{
    pthread_mutex_lock(&s->lock);
    if (mark >= s->log_base && mark - s->log_base < s->log_len) {
        s->log_len = mark - s->log_base;
        s->log[s->log_len] = '\0';
    }
    pthread_mutex_unlock(&s->lock);
}

/* Next line at *at (advanced past it); false at the end. */
bool sess_next_line(const char **at, span *l)
{
    const char *p = *at;
    if (!p || !*p)
        return false;
    const char *nl = strchr(p, '\n');
    l->p = p;
    l->n = nl ? (size_t)(nl - p) : strlen(p);
    *at = nl ? nl + 1 : p + l->n;
    return true;
}

span sess_trim(span l)
{
    while (l.n > 0 && isspace((unsigned char)*l.p)) {
        l.p++;
        l.n--;
    }
    while (l.n > 0 && isspace((unsigned char)l.p[l.n - 1]))
        l.n--;
    return l;
}

/* Case-insensitive search of needle in the line; its position or NULL. */
const char *sess_find_ci(span l, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; l.p && i + m <= l.n; i++)
        if (strncasecmp(l.p + i, needle, m) == 0)
            return l.p + i;
    return NULL;
}

bool sess_starts_ci(span l, const char *prefix)
{
    span t = sess_trim(l);
    size_t m = strlen(prefix);
    return t.n >= m && strncasecmp(t.p, prefix, m) == 0;
}

/* The rest of the line after needle (trimmed); empty span if absent. */
span sess_after_ci(span l, const char *needle)
{
    const char *q = sess_find_ci(l, needle);
    span r = { NULL, 0 };
    if (q) {
        r.p = q + strlen(needle);
        r.n = l.n - (size_t)(r.p - l.p);
        r = sess_trim(r);
    }
    return r;
}
