/* dwmtj infer under mpirun: two ranks on this machine give the single
 * process's results, the report's values and the results rows (all but the
 * seconds column), also when a run is resumed; a failure stops every rank
 * with one message.  Skipped (77) without mpirun.
 *
 * Environment: DWMTJ_TOOL, the built tool; DWMTJ_SRCDIR, the source tree
 * (networks/); DWMTJ_MPIRUN, the launcher (empty or unset: mpirun on PATH).
 * `make check' sets them.  The small network needs the Fashion-MNIST test
 * set (dataset-fashion-mnist); the klu backend needs no code model. */
#define _XOPEN_SOURCE 700

#include "scratch.h"
#include "toolrun.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tool;   /* absolute path of the tool */
static char *srcdir; /* absolute path of the source tree */
static char *mpirun; /* the launcher */

/* dwmtj infer of the small network through klu, the report as JSON into
 * *out and stderr into *err (malloc'd), results in csv: in one process
 * (ranks 0) or under mpirun -np ranks.  extra: more arguments, NULL-ended.
 * Returns the exit status. */
static int infer(int ranks, int images, const char *csv, const char *const *extra, char **out,
                 char **err)
{
    char np[16], n[16], net[4096];
    snprintf(np, sizeof np, "%d", ranks);
    snprintf(n, sizeof n, "%d", images);
    snprintf(net, sizeof net, "%s/networks/dwmtj-fmnist-14.net", srcdir);
    const char *argv[64];
    int c = 0;
    if (ranks > 0) {
        /* root in CI containers; more ranks than cores on a small runner */
        argv[c++] = mpirun;
        argv[c++] = "--allow-run-as-root";
        argv[c++] = "--oversubscribe";
        argv[c++] = "-np";
        argv[c++] = np;
    }
    /* the paper's 200 uA clamp is outside the safe operating area */
    const char *base[] = { tool,     "infer",  "--allow-unsafe", "--backend", "klu", "--net",
                           net,      "--images", n,              "--json",    "--results", csv };
    for (size_t k = 0; k < sizeof base / sizeof *base; k++)
        argv[c++] = base[k];
    for (; extra && *extra && c < 63; extra++)
        argv[c++] = *extra;
    argv[c] = NULL;
    tool_result r;
    tool_opts o = { .timeout = 240.0 };
    tool_exec(argv, &o, &r);
    *out = r.out;
    *err = r.err;
    ck_assert_msg(!r.timed_out && r.code >= 0, "%s infer did not finish:\n%s",
                  ranks ? mpirun : tool, *err);
    return r.code;
}

/* A run that must succeed: its JSON report (malloc'd). */
static char *infer_ok(int ranks, int images, const char *csv, const char *const *extra)
{
    char *out, *err;
    int c = infer(ranks, images, csv, extra, &out, &err);
    ck_assert_msg(c == 0, "%s: exit %d\n%s", ranks ? mpirun : tool, c, err);
    free(err);
    return out;
}

/* A run on 2 ranks that must exit with code, saying what exactly once. */
static void infer_fails(int images, const char *csv, const char *const *extra, int code,
                        const char *what)
{
    char *out, *err;
    int c = infer(2, images, csv, extra, &out, &err);
    ck_assert_msg(c == code, "exit %d, wanted %d\n%s", c, code, err);
    int n = 0;
    for (const char *p = err; (p = strstr(p, what)) != NULL; p++)
        n++;
    ck_assert_msg(n == 1, "'%s' said %d times:\n%s", what, n, err);
    free(out);
    free(err);
}

/* Scratch file name into buf. */
static const char *csv_path(char buf[2 * SCRATCH_MAX], const char *name)
{
    snprintf(buf, 2 * SCRATCH_MAX, "%s", spath(name));
    return buf;
}

static void same_value(const char *a, const char *b, const char *key)
{
    char *va = json_value(a, key), *vb = json_value(b, key);
    ck_assert_msg(strcmp(va, vb) == 0, "%s: %s under mpirun, %s in one process", key, va, vb);
    free(va);
    free(vb);
}

static void value_is(const char *json, const char *key, const char *want)
{
    char *v = json_value(json, key);
    ck_assert_msg(strcmp(v, want) == 0, "%s: %s, not %s", key, v, want);
    free(v);
}

/* The results file without its last column (seconds, a timing). */
static char *without_seconds(const char *path)
{
    char *s = read_text(path);
    ck_assert_msg(s != NULL, "%s: not written", path);
    char *w = s;
    int line = 0;
    for (char *p = s; *p; line++) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (line >= 2) { /* after the config line and the header */
            while (n > 0 && p[n - 1] != ',')
                n--;
            ck_assert_msg(n > 0, "%s:%d: not a row", path, line + 1);
            n--;
        }
        memmove(w, p, n);
        w += n;
        *w++ = '\n';
        p = nl ? nl + 1 : p + strlen(p);
    }
    *w = '\0';
    return s;
}

/* What must not differ between the runs: the report's values ... */
static const char *const same_keys[] = { "images", "accuracy", "algorithm_accuracy", "agreement",
                                         "spikes_per_inference", "energy_per_inference_J",
                                         "energy_per_spike_J", "crossbar", "neurons", "writes" };

/* ... and the rows. */
static void same_runs(const char *json_a, const char *csv_a, const char *json_b,
                      const char *csv_b)
{
    for (size_t k = 0; k < sizeof same_keys / sizeof *same_keys; k++)
        same_value(json_a, json_b, same_keys[k]);
    char *ra = without_seconds(csv_a), *rb = without_seconds(csv_b);
    ck_assert_str_eq(ra, rb);
    free(ra);
    free(rb);
}

/* 7 images on 2 ranks: a first round of one batch per rank, then the 5
 * left in one round of 3 consecutive batches per rank (the last round is
 * shared evenly), gathered in rank order. */
START_TEST(mpi_equals_single)
{
    char csv_a[2 * SCRATCH_MAX], csv_b[2 * SCRATCH_MAX];
    char *a = infer_ok(2, 7, csv_path(csv_a, "A.csv"), NULL);
    char *b = infer_ok(0, 7, csv_path(csv_b, "B.csv"), NULL);
    value_is(a, "images", "7");
    value_is(a, "ranks", "2");
    value_is(b, "ranks", "1");
    char *wall_a = json_value(a, "wall_seconds"), *wall_b = json_value(b, "wall_seconds");
    ck_assert_msg(atof(wall_a) > 0.0 && atof(wall_b) > 0.0, "wall_seconds %s, %s", wall_a,
                  wall_b);
    free(wall_a);
    free(wall_b);
    same_runs(a, csv_a, b, csv_b);
    free(a);
    free(b);
}
END_TEST

/* Batches of 2 over 3 ranks: 4 batches, the last short, two ranks idle in
 * the second round. */
START_TEST(mpi_batches)
{
    static const char *const batch[] = { "--batch", "2", NULL };
    char csv_a[2 * SCRATCH_MAX], csv_b[2 * SCRATCH_MAX];
    char *a = infer_ok(3, 7, csv_path(csv_a, "batch_a.csv"), batch);
    char *b = infer_ok(0, 7, csv_path(csv_b, "batch_b.csv"), batch);
    value_is(a, "ranks", "3");
    same_runs(a, csv_a, b, csv_b);
    free(a);
    free(b);
}
END_TEST

/* 3 images on 2 ranks, resumed to 7 on 2 ranks: the rows and counts of
 * the 7-image run.  Its energies are those of the same resume in one
 * process: the rows read back carry 9 digits, so a resumed run's sums may
 * differ from an uninterrupted one's in the 10th. */
START_TEST(mpi_resume)
{
    static const char *const resume[] = { "--resume", NULL };
    static const char *const counts[] = { "images", "accuracy", "algorithm_accuracy",
                                          "agreement", "spikes_per_inference" };
    char csv_a[2 * SCRATCH_MAX], csv_b[2 * SCRATCH_MAX], csv_c[2 * SCRATCH_MAX];
    csv_path(csv_a, "resume_a.csv");
    csv_path(csv_b, "resume_b.csv");
    /* a: 2 ranks, 3 images then 7 */
    char *first = infer_ok(2, 3, csv_a, NULL);
    value_is(first, "images", "3");
    free(first);
    char *a = infer_ok(2, 7, csv_a, resume);
    value_is(a, "ranks", "2");
    /* b: one process, the same */
    free(infer_ok(0, 3, csv_b, NULL));
    char *b = infer_ok(0, 7, csv_b, resume);
    same_runs(a, csv_a, b, csv_b);
    /* c: one process, 7 images at once */
    char *c = infer_ok(0, 7, csv_path(csv_c, "resume_c.csv"), NULL);
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
        same_value(a, c, counts[k]);
    char *ra = without_seconds(csv_a), *rc = without_seconds(csv_c);
    ck_assert_str_eq(ra, rc);
    free(ra);
    free(rc);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* Failures: every rank stops, the message is printed once, the exit status
 * is one process's. */
START_TEST(mpi_errors)
{
    static const char *const offset[] = { "--offset", "9998", NULL };
    static const char *const other[] = { "--resume", "--levels", "16", NULL };
    static const char *const nodata[] = { "--data", "/nonexistent/fashion", NULL };
    char csv[2 * SCRATCH_MAX];
    csv_path(csv, "err.csv");
    infer_fails(5, csv, offset, 2, "the test set has 10000 images");
    /* a results file of other options: only rank 0 reads it */
    free(infer_ok(2, 1, csv, NULL));
    infer_fails(2, csv, other, 1, "another network or options");
    /* a missing data set, read by every rank */
    infer_fails(1, csv_path(csv, "nodata.csv"), nodata, 1, "/nonexistent/fashion");
}
END_TEST

static Suite *mpi_suite(void)
{
    Suite *s = suite_create("mpi");
    TCase *tc = tcase_create("infer");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, mpi_equals_single);
    tcase_add_test(tc, mpi_batches);
    tcase_add_test(tc, mpi_resume);
    tcase_add_test(tc, mpi_errors);
    suite_add_tcase(s, tc);
    return s;
}

/* An executable name on PATH (malloc'd), or NULL. */
static char *on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *dirs = strdup(path), *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = malloc(strlen(d) + strlen(name) + 2);
        sprintf(p, "%s/%s", *d ? d : ".", name);
        if (access(p, X_OK) == 0) {
            free(dirs);
            return p;
        }
        free(p);
    }
    free(dirs);
    return NULL;
}

int main(void)
{
    const char *m = getenv("DWMTJ_MPIRUN");
    mpirun = m && *m ? strdup(m) : on_path("mpirun");
    if (!mpirun || access(mpirun, X_OK) != 0) {
        fprintf(stderr, "check_mpi: no mpirun (openmpi-bin); skipped\n");
        free(mpirun);
        return 77;
    }
    const char *t = getenv("DWMTJ_TOOL");
    tool = realpath(t && *t ? t : "./tools/dwmtj", NULL);
    const char *s = getenv("DWMTJ_SRCDIR");
    srcdir = s && *s ? realpath(s, NULL) : NULL;
    if (!tool || !srcdir) {
        fprintf(stderr, "check_mpi: set DWMTJ_TOOL and DWMTJ_SRCDIR (make check does)\n");
        return EXIT_FAILURE;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/check_mpi.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        fprintf(stderr, "check_mpi: cannot make a scratch directory\n");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(mpi_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    scratch_remove();
    free(tool);
    free(srcdir);
    free(mpirun);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
