/* Running a program from a Check test and reading what it wrote
 * (toolrun.h). */
#define _XOPEN_SOURCE 700

#include "toolrun.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double tool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void tool_result_free(tool_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

struct buf {
    char *s;
    size_t n, cap;
};

/* One read(2) of fd into b (fd < 0: only makes room); what read returned. */
static int buf_read(struct buf *b, int fd)
{
    if (b->cap - b->n < 4097) {
        b->cap = b->cap ? 2 * b->cap : 8192;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    ssize_t k = fd >= 0 ? read(fd, b->s + b->n, b->cap - b->n - 1) : 0;
    if (k > 0)
        b->n += (size_t)k;
    b->s[b->n] = '\0';
    return (int)k;
}

/* Waits for pid up to s seconds; 1 and *st when it ended. */
static int wait_for(pid_t pid, int *st, double s)
{
    const struct timespec tick = { 0, 20000000 }; /* 20 ms */
    for (double t0 = tool_now(); tool_now() - t0 < s;) {
        pid_t w = waitpid(pid, st, WNOHANG);
        if (w == pid)
            return 1;
        if (w < 0 && errno != EINTR)
            return 0;
        nanosleep(&tick, NULL);
    }
    return 0;
}

void tool_exec(const char *const *argv, const tool_opts *o, tool_result *r)
{
    memset(r, 0, sizeof *r);
    int po[2], pe[2];
    ck_assert_int_eq(pipe(po), 0);
    ck_assert_int_eq(pipe(pe), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setpgid(0, 0); /* mpirun and its ranks go together on a timeout */
        if (o && o->env)
            for (int k = 0; o->env[k]; k++)
                putenv((char *)o->env[k]);
        if (o && o->mem_limit > 0) {
            struct rlimit rl = { (rlim_t)o->mem_limit, (rlim_t)o->mem_limit };
            if (setrlimit(RLIMIT_AS, &rl) != 0)
                _exit(126);
        }
        int fo = po[1];
        if (o && o->out_path && (fo = open(o->out_path, O_WRONLY)) < 0)
            _exit(126);
        dup2(fo, STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        close(po[0]);
        close(pe[0]);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    close(po[1]);
    close(pe[1]);
    double limit = o && o->timeout > 0 ? o->timeout : 120.0;
    double t0 = tool_now();
    struct buf bo = { 0 }, be = { 0 };
    buf_read(&bo, -1);
    buf_read(&be, -1);
    int open_o = 1, open_e = 1, termed = 0;
    while (open_o || open_e) {
        struct pollfd fds[2] = { { open_o ? po[0] : -1, POLLIN, 0 },
                                 { open_e ? pe[0] : -1, POLLIN, 0 } };
        int k = poll(fds, 2, 50);
        if (k < 0 && errno != EINTR)
            break;
        if (open_o && (fds[0].revents & (POLLIN | POLLHUP)))
            open_o = buf_read(&bo, po[0]) > 0;
        if (open_e && (fds[1].revents & (POLLIN | POLLHUP)))
            open_e = buf_read(&be, pe[0]) > 0;
        if (o && o->term_when && !termed && access(o->term_when, F_OK) == 0) {
            kill(pid, SIGTERM);
            termed = 1;
        }
        if (tool_now() - t0 > limit) {
            r->timed_out = 1;
            break;
        }
    }
    close(po[0]);
    close(pe[0]);
    int st = 0;
    if (r->timed_out && !wait_for(pid, &st, 0.0)) {
        kill(-pid, SIGTERM);
        if (!wait_for(pid, &st, 5.0)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        }
    } else {
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    r->out = bo.s;
    r->err = be.s;
}

char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = { 0 };
    size_t k;
    do {
        buf_read(&b, -1);
        k = fread(b.s + b.n, 1, b.cap - b.n - 1, f);
        b.n += k;
        b.s[b.n] = '\0';
    } while (k > 0);
    fclose(f);
    return b.s;
}

/* ------------------------------------------------------------------------
 * A strict JSON parser: validates the document and finds the value of a
 * member, at the top level and at any depth.
 * --------------------------------------------------------------------- */

typedef struct {
    const char *p;
    int depth;
    const char *want;      /* key looked for */
    const char *found;     /* its value in the top-level object */
    const char *any;       /* its first value at any depth ... */
    const char *any_end;   /* ... and the end of that value */
} jp;

static int jp_value(jp *j);

static void jp_ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

/* A string; *match set when it equals want (no escapes in keys compared). */
static int jp_string(jp *j, const char *want, int *match)
{
    if (*j->p != '"')
        return -1;
    const char *s = ++j->p;
    while (*j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!j->p[k] || !strchr("0123456789abcdefABCDEF", j->p[k]))
                        return -1;
                j->p += 4;
            } else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
                return -1;
            }
        }
        j->p++;
    }
    if (match)
        *match = want && strlen(want) == (size_t)(j->p - s) &&
                 strncmp(s, want, (size_t)(j->p - s)) == 0;
    j->p++;
    return 0;
}

static int jp_digits(jp *j)
{
    if (!(*j->p >= '0' && *j->p <= '9'))
        return -1;
    while (*j->p >= '0' && *j->p <= '9')
        j->p++;
    return 0;
}

static int jp_number(jp *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (jp_digits(j) != 0)
        return -1;
    if (*j->p == '.') {
        j->p++;
        if (jp_digits(j) != 0)
            return -1;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p++;
        if (*j->p == '+' || *j->p == '-')
            j->p++;
        if (jp_digits(j) != 0)
            return -1;
    }
    return 0;
}

static int jp_value(jp *j)
{
    jp_ws(j);
    if (*j->p == '{' || *j->p == '[') {
        char close = *j->p == '{' ? '}' : ']';
        int obj = close == '}';
        j->p++;
        j->depth++;
        jp_ws(j);
        if (*j->p == close) {
            j->p++;
            j->depth--;
            return 0;
        }
        for (;;) {
            jp_ws(j);
            int match = 0;
            if (obj) {
                if (jp_string(j, j->want, &match) != 0)
                    return -1;
                jp_ws(j);
                if (*j->p++ != ':')
                    return -1;
                jp_ws(j);
            }
            const char *v = j->p;
            if (jp_value(j) != 0)
                return -1;
            if (match && j->depth == 1 && !j->found)
                j->found = v;
            if (match && !j->any) {
                j->any = v;
                j->any_end = j->p;
            }
            jp_ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p++ != close)
                return -1;
            j->depth--;
            return 0;
        }
    }
    if (*j->p == '"')
        return jp_string(j, NULL, NULL);
    if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0) {
        j->p += 4;
        return 0;
    }
    if (strncmp(j->p, "false", 5) == 0) {
        j->p += 5;
        return 0;
    }
    return jp_number(j);
}

static int jp_doc(const char *doc, const char *key, jp *j)
{
    memset(j, 0, sizeof *j);
    j->p = doc;
    j->want = key;
    jp_ws(j);
    if (*j->p != '{' || jp_value(j) != 0)
        return -1;
    jp_ws(j);
    return *j->p ? -1 : 0;
}

int json_parse(const char *doc, const char *key, const char **val)
{
    jp j;
    if (jp_doc(doc, key, &j) != 0)
        return -1;
    if (val)
        *val = j.found;
    return 0;
}

int json_num(const char *doc, const char *key, double *v)
{
    const char *val = NULL;
    ck_assert_msg(json_parse(doc, key, &val) == 0, "not one JSON object:\n%.3000s", doc);
    ck_assert_msg(val != NULL, "no top-level key \"%s\" in\n%.3000s", key, doc);
    if (strncmp(val, "null", 4) == 0)
        return 0;
    char *end;
    *v = strtod(val, &end);
    ck_assert_msg(end != val, "\"%s\" is not a number: %.40s", key, val);
    return 1;
}

char *json_value(const char *doc, const char *key)
{
    jp j;
    ck_assert_msg(jp_doc(doc, key, &j) == 0, "not one JSON object:\n%.3000s", doc);
    ck_assert_msg(j.any != NULL, "no key \"%s\" in\n%.3000s", key, doc);
    size_t n = (size_t)(j.any_end - j.any);
    char *v = malloc(n + 1);
    ck_assert_ptr_nonnull(v);
    memcpy(v, j.any, n);
    v[n] = '\0';
    return v;
}
