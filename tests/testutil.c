/* Helpers shared by the Check suites that run other programs (testutil.h). */
#define _XOPEN_SOURCE 700

#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct tu_buf {
    char *s;      /* bytes read, NUL-terminated */
    size_t n;     /* bytes in s */
    size_t cap;   /* bytes allocated */
};

/* Room for 4 KiB more, and the NUL. */
static void buf_reserve(struct tu_buf *b)
{
    if (b->cap - b->n < 4097) {
        b->cap = b->cap ? 2 * b->cap : 8192;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    b->s[b->n] = '\0';
}

/* Reads what is there on fd into b; 0 at end of file. */
static ssize_t buf_read(struct tu_buf *b, int fd)
{
    buf_reserve(b);
    ssize_t k = read(fd, b->s + b->n, b->cap - b->n - 1);
    if (k > 0)
        b->n += (size_t)k;
    b->s[b->n] = '\0';
    return k;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void tu_run(const char *const argv[], const char *const env[], double timeout_s, tu_result *r)
{
    int po[2], pe[2];
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(pipe(po), 0);
    ck_assert_int_eq(pipe(pe), 0);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        for (int k = 0; env && env[k]; k++)
            putenv((char *)env[k]);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    struct tu_buf out = {0}, err = {0};
    buf_reserve(&out);
    buf_reserve(&err);
    struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    int open_fds = 2;
    double t0 = now_s();
    while (open_fds > 0) {
        double left = timeout_s - (now_s() - t0);
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            ck_abort_msg("%s ran longer than %g s", argv[0], timeout_s);
        }
        if (poll(fds, 2, (int)(left * 1000) + 1) < 0) {
            ck_assert_int_eq(errno, EINTR);
            continue;
        }
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = buf_read(k == 0 ? &out : &err, fds[k].fd);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(fds[k].fd);
                fds[k].fd = -1;
                open_fds--;
            }
        }
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->out = out.s;
    r->err = err.s;
}

void tu_result_free(tu_result *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    ck_assert_msg(fclose(f) == 0, "cannot write %s: %s", path, strerror(errno));
}

char *tu_read(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct tu_buf b = {0};
    ssize_t k;
    buf_reserve(&b);
    while ((k = buf_read(&b, fd)) > 0)
        ;
    close(fd);
    if (k < 0) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_remove_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_mean_sd(const double *x, int n, double *mean, double *sd)
{
    double m = 0.0, q = 0.0;
    for (int k = 0; k < n; k++)
        m += x[k];
    m /= n;
    for (int k = 0; k < n; k++)
        q += (x[k] - m) * (x[k] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(q / (n - 1)) : 0.0;
}

void tu_assert_binomial(const char *what, int k, int n, double p, double z)
{
    double f = (double)k / n, tol = z * sqrt(p * (1.0 - p) / n);
    ck_assert_msg(fabs(f - p) <= tol, "%s: %d of %d = %.4f but expected %.4f +- %.4f (%g sd)",
                  what, k, n, f, p, tol, z);
}
