/* Helpers shared by the Check suites that run other programs (a script's
 * functions, nm) and write fixture files. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

typedef struct tu_result {
    int status;    /* exit status; -1 if it did not exit normally */
    char *out;     /* its standard output, NUL-terminated (malloc'd) */
    char *err;     /* its standard error, NUL-terminated (malloc'd) */
} tu_result;

/* Runs argv[0] (looked up in PATH) with argv (NULL-terminated) and the
 * environment plus env ("NAME=value", NULL-terminated; may be NULL),
 * standard input from /dev/null, and collects its output.  Fails the test
 * if the program cannot be started or runs longer than timeout_s. */
void tu_run(const char *const argv[], const char *const env[], double timeout_s, tu_result *r);
void tu_result_free(tu_result *r);

/* Writes text to path (created or truncated); fails the test if it cannot. */
void tu_write(const char *path, const char *text);
/* The whole file as a malloc'd NUL-terminated string; NULL if unreadable. */
char *tu_read(const char *path);
/* Removes path and, if it is a directory, everything below it. */
void tu_remove_tree(const char *path);

/* Fails the test unless a and b agree to the relative tolerance tol (of
 * the larger magnitude); the suite includes check.h and math.h. */
#define tu_assert_rel(a, b, tol)                                                   \
    do {                                                                           \
        double tu_a_ = (a), tu_b_ = (b);                                           \
        ck_assert_msg(fabs(tu_a_ - tu_b_) <= (tol) * fmax(fabs(tu_a_), fabs(tu_b_)), \
                      "%s = %.17g but %s = %.17g (relative tolerance %g)", #a, tu_a_, \
                      #b, tu_b_, (double)(tol));                                   \
    } while (0)

/* Mean and sample standard deviation (n - 1) of x[0..n-1], n >= 2. */
void tu_mean_sd(const double *x, int n, double *mean, double *sd);
/* Fails the test unless k successes in n trials are within z binomial
 * standard deviations of probability p: |k/n - p| <= z sqrt(p (1-p) / n);
 * what names the quantity in the message. */
void tu_assert_binomial(const char *what, int k, int n, double p, double z);

#endif
