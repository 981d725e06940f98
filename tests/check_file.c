/* Tests of util/dwmtj_file: output files are whole or absent, and nothing
 * that is not a regular file is ever replaced (a device, a FIFO, a
 * symbolic link stays what it was). */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_file.h"
#include "scratch.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void setup(void) { scratch_make("check_file"); }
static void teardown(void) { scratch_remove(); }

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

START_TEST(regular_replaced_whole)
{
    const char *p = spath("out.txt");
    ck_assert_int_eq(dwmtj_file_write_text(p, "first\n", 0, NULL, 0), DWMTJ_FILE_OK);
    ck_assert_str_eq(slurp(p), "first\n");
    chmod(p, 0640);
    dwmtj_file f;
    ck_assert_int_eq(dwmtj_file_open(&f, p, DWMTJ_FILE_SYNC), DWMTJ_FILE_OK);
    fputs("second\n", f.f);
    /* until the commit the old contents stand, the new ones wait aside */
    ck_assert_str_eq(slurp(p), "first\n");
    ck_assert(exists(spath("out.txt.part")));
    ck_assert_int_eq(dwmtj_file_commit(&f), DWMTJ_FILE_OK);
    ck_assert_str_eq(slurp(p), "second\n");
    ck_assert(!exists(spath("out.txt.part")));
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
}
END_TEST

START_TEST(abort_keeps_old)
{
    const char *p = spath("keep.txt");
    put(p, "old\n");
    dwmtj_file f;
    ck_assert_int_eq(dwmtj_file_open(&f, p, 0), DWMTJ_FILE_OK);
    fputs("new\n", f.f);
    dwmtj_file_abort(&f);
    dwmtj_file_abort(&f); /* twice is harmless */
    ck_assert_str_eq(slurp(p), "old\n");
    ck_assert(!exists(spath("keep.txt.part")));
    dwmtj_file_abort(NULL);
    /* a zeroed file is unopened: its abort frees nobody's signal slot (slot
     * 0 of an open file stays taken, so a signal still removes its .part) */
    dwmtj_file open0, zero;
    ck_assert_int_eq(dwmtj_file_open(&open0, spath("first.txt"), 0), DWMTJ_FILE_OK);
    ck_assert_int_eq(open0.slot, 0);
    memset(&zero, 0, sizeof zero);
    dwmtj_file_abort(&zero);
    dwmtj_file second;
    ck_assert_int_eq(dwmtj_file_open(&second, spath("second.txt"), 0), DWMTJ_FILE_OK);
    ck_assert_int_ne(second.slot, 0);
    dwmtj_file_abort(&second);
    dwmtj_file_abort(&open0);
}
END_TEST

START_TEST(symlink_stays_link)
{
    const char *t = spath("target.txt"), *l = spath("link.txt");
    put(t, "old\n");
    ck_assert_int_eq(symlink("target.txt", l), 0);
    ck_assert_int_eq(dwmtj_file_write_text(l, "new\n", 0, NULL, 0), DWMTJ_FILE_OK);
    struct stat st;
    ck_assert_int_eq(lstat(l, &st), 0);
    ck_assert_msg(S_ISLNK(st.st_mode), "the link was replaced by a file");
    ck_assert_str_eq(slurp(t), "new\n");
    /* a link to nothing: the file it names is created, the link stays */
    const char *d = spath("dangling.txt");
    ck_assert_int_eq(symlink("made.txt", d), 0);
    ck_assert_int_eq(dwmtj_file_write_text(d, "made\n", 0, NULL, 0), DWMTJ_FILE_OK);
    ck_assert_int_eq(lstat(d, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_str_eq(slurp(spath("made.txt")), "made\n");
}
END_TEST

START_TEST(device_written_in_place)
{
    struct stat before, after;
    ck_assert_int_eq(stat("/dev/null", &before), 0);
    ck_assert(S_ISCHR(before.st_mode));
    ck_assert_int_eq(dwmtj_file_write_text("/dev/null", "x\n", DWMTJ_FILE_SYNC, NULL, 0),
                     DWMTJ_FILE_OK);
    ck_assert_int_eq(stat("/dev/null", &after), 0);
    ck_assert_msg(S_ISCHR(after.st_mode), "/dev/null is no longer a device");
    ck_assert(before.st_rdev == after.st_rdev);
    ck_assert(!exists("/dev/null.part"));
    /* a device that fails the write: an error, not success */
    if (access("/dev/full", W_OK) == 0) {
        char err[512];
        ck_assert_int_eq(dwmtj_file_write_text("/dev/full", "x\n", 0, err, sizeof err),
                         DWMTJ_FILE_ERR_WRITE);
        ck_assert_msg(strstr(err, "/dev/full") != NULL, "message: %s", err);
    }
    /* a file that is read back must be a regular one */
    dwmtj_file f;
    ck_assert_int_eq(dwmtj_file_open(&f, "/dev/null", DWMTJ_FILE_REGULAR),
                     DWMTJ_FILE_ERR_KIND);
    ck_assert_msg(strstr(f.error, "/dev/null") && strstr(f.error, "regular"), "%s", f.error);
}
END_TEST

START_TEST(fifo_written_in_place)
{
    const char *p = spath("pipe");
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the reader: copies what comes through the FIFO */
        close(fds[0]);
        int fd = open(p, O_RDONLY);
        char buf[256];
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
            if (write(fds[1], buf, (size_t)n) != n)
                _exit(2);
        _exit(fd >= 0 ? 0 : 1);
    }
    close(fds[1]);
    ck_assert_int_eq(dwmtj_file_write_text(p, "through\n", 0, NULL, 0), DWMTJ_FILE_OK);
    char got[64] = { 0 };
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_int_eq(n, 8);
    ck_assert_str_eq(got, "through\n");
    struct stat st;
    ck_assert_int_eq(lstat(p, &st), 0);
    ck_assert_msg(S_ISFIFO(st.st_mode), "the FIFO was replaced");
}
END_TEST

/* /dev/stdout when standard output is a pipe: its last link names no file
 * (pipe:[...]); the data go through it. */
START_TEST(stdout_pipe)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        _exit(dwmtj_file_write_text("/dev/stdout", "piped\n", 0, NULL, 0) == DWMTJ_FILE_OK ? 0 : 1);
    }
    close(fds[1]);
    char got[64] = { 0 };
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(got, "piped\n");
}
END_TEST

START_TEST(refusals)
{
    dwmtj_file f;
    ck_assert_int_eq(dwmtj_file_open(&f, scratch, 0), DWMTJ_FILE_ERR_KIND);
    ck_assert_msg(strstr(f.error, "directory") != NULL, "%s", f.error);
    ck_assert_int_eq(dwmtj_file_open(&f, "", 0), DWMTJ_FILE_ERR_USAGE);
    ck_assert_int_eq(dwmtj_file_open(&f, spath("no/such/dir/x"), 0), DWMTJ_FILE_ERR_OPEN);
    ck_assert_msg(strstr(f.error, "no/such/dir/x") != NULL, "%s", f.error);
    /* a loop of links */
    const char *a = spath("la"), *b = spath("lb");
    ck_assert_int_eq(symlink("lb", a), 0);
    ck_assert_int_eq(symlink("la", b), 0);
    ck_assert_int_eq(dwmtj_file_open(&f, a, 0), DWMTJ_FILE_ERR_KIND);
    ck_assert_int_eq(dwmtj_file_commit(&f), DWMTJ_FILE_ERR_USAGE);
    ck_assert_str_eq(dwmtj_file_status_string(DWMTJ_FILE_ERR_KIND),
                     "not a file that can be written");
}
END_TEST

static Suite *file_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("outputs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, regular_replaced_whole);
    tcase_add_test(tc, abort_keeps_old);
    tcase_add_test(tc, symlink_stays_link);
    tcase_add_test(tc, device_written_in_place);
    tcase_add_test(tc, fifo_written_in_place);
    tcase_add_test(tc, stdout_pipe);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(file_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
