/* scripts/quickstart's parsing of apt's source lists and of apt-cache
 * policy, on the layouts a bookworm machine may have: a one-line
 * sources.list and an empty sources.list.d (the case), deb822
 * .sources files only (Debian's container images), and both at once.
 *
 * The functions run in bash as the script runs them (it is sourced, so
 * set -euo pipefail is on), with DWMTJ_APT_DIR pointing at a scratch
 * directory: no root, no network.  Expected outputs are written out by
 * hand from apt's formats (sources.list(5)).
 *
 * Environment: DWMTJ_SRCDIR, the source tree (make check sets it). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scratch.h"
#include "testutil.h"

static char script[4096]; /* scripts/quickstart of the source tree */

static const char *const DEBIAN = "http://deb.debian.org/debian";
static const char *const SECURITY = "http://security.debian.org/debian-security";
static const char *const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

static void setup(void)
{
    scratch_make("check_quickstart");
    ck_assert_int_eq(mkdir(spath("sources.list.d"), 0700), 0);
}

static void teardown(void)
{
    tu_remove_tree(scratch);
}

/* Runs the script's function func with argument arg (NULL: none) in the
 * scratch apt directory, standard input from the file input (NULL:
 * /dev/null). */
static void qs(tu_result *r, const char *input, const char *func, const char *arg)
{
    char apt[SCRATCH_MAX + 32];
    snprintf(apt, sizeof apt, "DWMTJ_APT_DIR=%s", scratch);
    const char *env[] = {apt, NULL};
    const char *argv[] = {"bash", "-c", "source \"$1\"; in=$2; shift 2; \"$@\" <\"$in\"",
                          "bash", script, input ? input : "/dev/null", func, arg, NULL};
    tu_run(argv, env, 30.0, r);
}

/* func arg prints exactly want and succeeds. */
static void expect_out(const char *func, const char *arg, const char *want)
{
    tu_result r;
    qs(&r, NULL, func, arg);
    ck_assert_msg(r.status == 0, "%s %s: exit status %d, stderr:\n%s", func, arg, r.status,
                  r.err);
    ck_assert_msg(strcmp(r.out, want) == 0, "%s %s printed\n%s\ninstead of\n%s", func, arg,
                  r.out, want);
    tu_result_free(&r);
}

/* func arg fails (status 1) and prints nothing. */
static void expect_fail(const char *func, const char *arg)
{
    tu_result r;
    qs(&r, NULL, func, arg);
    ck_assert_msg(r.status == 1, "%s %s: exit status %d (want 1), output:\n%s\nstderr:\n%s",
                  func, arg, r.status, r.out, r.err);
    ck_assert_msg(r.out[0] == '\0', "%s %s printed %s", func, arg, r.out);
    tu_result_free(&r);
}

static char *stanza(const char *uri, const char *suites, const char *components,
                    const char *key)
{
    static char buf[1024];
    int n = snprintf(buf, sizeof buf, "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n",
                     uri, suites, components);
    if (key)
        snprintf(buf + n, sizeof buf - (size_t)n, "Signed-By: %s\n", key);
    return buf;
}

/* The machine: /etc/apt/sources.list of one line, nothing in
 * sources.list.d (under pipefail the cat of the unmatched *.list glob
 * failed after awk had found the entry). */
START_TEST(test_one_line_empty_dir)
{
    tu_write(spath("sources.list"), "deb http://deb.debian.org/debian bookworm main\n");
    expect_out("deb_src_stanza", "http://deb.debian.org/debian/",
               stanza(DEBIAN, "bookworm", "main", NULL));
    expect_fail("have_deb_src", DEBIAN);
    expect_fail("deb_src_stanza", "http://example.org/debian");
}
END_TEST

/* A full one-line sources.list: comments, [options] with signed-by,
 * several suites of one archive, a deb-src entry of another. */
START_TEST(test_one_line_full)
{
    tu_write(spath("sources.list"),
             "# main archive\n"
             "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
             " http://deb.debian.org/debian/ bookworm main contrib\n"
             "\n"
             "deb http://deb.debian.org/debian bookworm-updates main contrib\n"
             "# deb-src http://deb.debian.org/debian bookworm main\n"
             "deb http://security.debian.org/debian-security bookworm-security main\n"
             "deb-src http://security.debian.org/debian-security bookworm-security main\n");
    expect_out("deb_src_stanza", DEBIAN,
               stanza(DEBIAN, "bookworm bookworm-updates", "main contrib", KEYRING));
    expect_fail("have_deb_src", DEBIAN);
    expect_out("have_deb_src", SECURITY, "");
    expect_out("have_deb_src", "http://security.debian.org/debian-security/", "");
}
END_TEST

static const char *const DEBIAN_SOURCES =
    "Types: deb\n"
    "# http://snapshot.debian.org/archive/debian/20240101T000000Z\n"
    "URIs: http://deb.debian.org/debian\n"
    "Suites: bookworm bookworm-updates\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    "\n"
    "Types: deb\n"
    "# http://snapshot.debian.org/archive/debian-security/20240101T000000Z\n"
    "URIs: http://deb.debian.org/debian-security\n"
    "Suites: bookworm-security\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n";

/* Debian's container image: no sources.list, debian.sources in deb822;
 * the stanza the script would add is then found by have_deb_src. */
START_TEST(test_deb822)
{
    tu_write(spath("sources.list.d/debian.sources"), DEBIAN_SOURCES);
    char *want = strdup(stanza(DEBIAN, "bookworm bookworm-updates", "main", KEYRING));
    ck_assert_ptr_nonnull(want);
    expect_out("deb_src_stanza", DEBIAN, want);
    expect_out("deb_src_stanza", "http://deb.debian.org/debian-security",
               stanza("http://deb.debian.org/debian-security", "bookworm-security", "main",
                      KEYRING));
    expect_fail("have_deb_src", DEBIAN);
    tu_write(spath("sources.list.d/dwmtj4t-deb-src.sources"), want);
    expect_out("have_deb_src", DEBIAN, "");
    expect_fail("have_deb_src", "http://deb.debian.org/debian-security");
    free(want);
}
END_TEST

/* deb822 deb-src: in a Types list with deb; not when Enabled: no. */
START_TEST(test_deb822_types_enabled)
{
    tu_write(spath("sources.list.d/a.sources"),
             "Types: deb deb-src\nURIs: http://deb.debian.org/debian/\nSuites: bookworm\n"
             "Components: main\n");
    expect_out("have_deb_src", DEBIAN, "");
    tu_write(spath("sources.list.d/a.sources"),
             "Types: deb deb-src\nURIs: http://deb.debian.org/debian/\nSuites: bookworm\n"
             "Components: main\nEnabled: no\n");
    expect_fail("have_deb_src", DEBIAN);
}
END_TEST

/* Both formats at once and no sources.list: a .list and a .sources file
 * in sources.list.d, each entry found in its own file. */
START_TEST(test_mixed)
{
    tu_write(spath("sources.list.d/security.list"),
             "deb http://security.debian.org/debian-security bookworm-security main\n");
    tu_write(spath("sources.list.d/debian.sources"), DEBIAN_SOURCES);
    tu_write(spath("sources.list.d/extra.sources"),
             "Types: deb\nURIs: http://ftp.example.org/debian/\nSuites: bookworm\n"
             "Components: main non-free\n");
    expect_out("deb_src_stanza", SECURITY, stanza(SECURITY, "bookworm-security", "main", NULL));
    expect_out("deb_src_stanza", "http://ftp.example.org/debian",
               stanza("http://ftp.example.org/debian/", "bookworm", "main non-free", NULL));
    expect_out("deb_src_stanza", DEBIAN,
               stanza(DEBIAN, "bookworm bookworm-updates", "main", KEYRING));
    expect_fail("have_deb_src", SECURITY);
    tu_write(spath("sources.list"),
             "deb-src http://ftp.example.org/debian bookworm main\n"
             "deb http://deb.debian.org/debian bookworm main\n");
    expect_out("have_deb_src", "http://ftp.example.org/debian", "");
    expect_fail("have_deb_src", SECURITY);
}
END_TEST

/* apt-cache policy ngspice (C locale) with a backport above the installed
 * version: the archive of the version asked for, none for a version that
 * only dpkg's status knows. */
START_TEST(test_policy)
{
    const char *policy = spath("policy.txt");
    tu_write(policy,
             "ngspice:\n"
             "  Installed: 39.3+ds-1\n"
             "  Candidate: 40+ds-1~bpo12+1\n"
             "  Version table:\n"
             "     40+ds-1~bpo12+1 100\n"
             "        100 http://deb.debian.org/debian bookworm-backports/main amd64 Packages\n"
             " *** 39.3+ds-1 500\n"
             "        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n"
             "        100 /var/lib/dpkg/status\n"
             "     38+ds-2 100\n"
             "        100 /var/lib/dpkg/status\n");
    const char *want[][2] = {{"39.3+ds-1", "http://deb.debian.org/debian\n"},
                             {"40+ds-1~bpo12+1", "http://deb.debian.org/debian\n"},
                             {"38+ds-2", ""},
                             {"41", ""}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        tu_result r;
        qs(&r, policy, "policy_uri", want[k][0]);
        ck_assert_msg(r.status == 0, "policy_uri %s: exit status %d, stderr:\n%s", want[k][0],
                      r.status, r.err);
        ck_assert_msg(strcmp(r.out, want[k][1]) == 0, "policy_uri %s printed '%s', not '%s'",
                      want[k][0], r.out, want[k][1]);
        tu_result_free(&r);
    }
}
END_TEST

static Suite *quickstart_suite(void)
{
    Suite *s = suite_create("quickstart");
    TCase *tc = tcase_create("apt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_one_line_empty_dir);
    tcase_add_test(tc, test_one_line_full);
    tcase_add_test(tc, test_deb822);
    tcase_add_test(tc, test_deb822_types_enabled);
    tcase_add_test(tc, test_mixed);
    tcase_add_test(tc, test_policy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *src = getenv("DWMTJ_SRCDIR");
    if (!src || !*src) {
        fprintf(stderr, "check_quickstart: DWMTJ_SRCDIR is not set; set it to the source"
                        " tree (make check does)\n");
        return EXIT_FAILURE;
    }
    snprintf(script, sizeof script, "%s/scripts/quickstart", src);
    SRunner *sr = srunner_create(quickstart_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
