/* Output files that are whole or absent (dwmtj_file.h). */
#define _XOPEN_SOURCE 700

#include "dwmtj_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif

/* The .part files being written, for dwmtj_file_on_signal: fixed storage,
 * so that the handler only reads it. */
#define NSLOT 16
static char slot_path[NSLOT][PATH_MAX];
static volatile sig_atomic_t slot_used[NSLOT];

static int slot_take(const char *path)
{
    size_t n = strlen(path);
    if (n >= PATH_MAX)
        return -1;
    for (int k = 0; k < NSLOT; k++)
        if (!slot_used[k]) {
            memcpy(slot_path[k], path, n + 1);
            slot_used[k] = 1;
            return k;
        }
    return -1;
}

static void slot_release(int k)
{
    if (k >= 0 && k < NSLOT)
        slot_used[k] = 0;
}

void dwmtj_file_on_signal(int sig)
{
    for (int k = 0; k < NSLOT; k++)
        if (slot_used[k])
            unlink(slot_path[k]);
    signal(sig, SIG_DFL);
    raise(sig);
}

const char *dwmtj_file_status_string(int status)
{
    switch (status) {
    case DWMTJ_FILE_OK: return "ok";
    case DWMTJ_FILE_ERR_USAGE: return "bad argument";
    case DWMTJ_FILE_ERR_NOMEM: return "out of memory";
    case DWMTJ_FILE_ERR_OPEN: return "cannot open the file";
    case DWMTJ_FILE_ERR_WRITE: return "cannot write the file";
    case DWMTJ_FILE_ERR_RENAME: return "cannot replace the file";
    case DWMTJ_FILE_ERR_KIND: return "not a file that can be written";
    default: return "unknown status";
    }
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(dwmtj_file *f, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
    return status;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Directory part of path ("." when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dup_n(".", 1);
    return dup_n(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Follows the links of path to the name the data should replace: a file
 * that exists, or a name in an existing directory (a link to nothing).
 * NULL with errno set when the chain cannot be followed. */
static char *resolve(const char *path)
{
    char *cur = dup_n(path, strlen(path));
    for (int hop = 0; cur && hop < 40; hop++) {
        struct stat ls;
        if (lstat(cur, &ls) != 0 || !S_ISLNK(ls.st_mode))
            return cur; /* not a link (or absent): the name itself */
        char *real = realpath(cur, NULL);
        if (real) {
            free(cur);
            return real;
        }
        /* a link to nothing: follow it by hand */
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        link[n] = '\0';
        char *next;
        if (link[0] == '/') {
            next = dup_n(link, (size_t)n);
        } else {
            char *dir = dir_of(cur);
            size_t dl = dir ? strlen(dir) : 0;
            next = dir ? malloc(dl + (size_t)n + 2) : NULL;
            if (next) {
                memcpy(next, dir, dl);
                next[dl] = '/';
                memcpy(next + dl + 1, link, (size_t)n + 1);
            }
            free(dir);
        }
        free(cur);
        cur = next;
    }
    free(cur);
    errno = ELOOP;
    return NULL;
}

int dwmtj_file_open(dwmtj_file *f, const char *path, int flags)
{
    if (!f)
        return DWMTJ_FILE_ERR_USAGE;
    memset(f, 0, sizeof *f);
    f->slot = -1;
    f->flags = flags;
    if (!path || !*path)
        return fail(f, DWMTJ_FILE_ERR_USAGE, "empty output file name");
    if (!(f->path = dup_n(path, strlen(path))))
        return fail(f, DWMTJ_FILE_ERR_NOMEM, "%s: out of memory", path);
    /* what the name leads to, through every link: /dev/stdout on a pipe
     * ends in a link that names no file ("pipe:[...]"), and is written in
     * place like any device */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        if (flags & DWMTJ_FILE_REGULAR) {
            dwmtj_file_abort(f);
            return fail(f, DWMTJ_FILE_ERR_KIND,
                        "%s: not a regular file (a device, FIFO or socket): it cannot be "
                        "written whole and read back", path);
        }
        if (!(f->f = fopen(path, "w"))) {
            int e = errno;
            dwmtj_file_abort(f);
            return fail(f, DWMTJ_FILE_ERR_OPEN, "%s: cannot write: %s", path, strerror(e));
        }
        return DWMTJ_FILE_OK;
    }
    errno = 0;
    f->target = resolve(path);
    if (!f->target) {
        int e = errno;
        dwmtj_file_abort(f);
        return fail(f, e == ENOMEM ? DWMTJ_FILE_ERR_NOMEM : DWMTJ_FILE_ERR_KIND,
                    "%s: cannot follow its symbolic links: %s", path, strerror(e));
    }
    int exists = stat(f->target, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) { /* a directory (or it changed since) */
        dwmtj_file_abort(f);
        return fail(f, DWMTJ_FILE_ERR_KIND, "%s: cannot write: %s", path,
                    S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    }
    size_t n = strlen(f->target);
    if (!(f->part = malloc(n + sizeof ".part"))) {
        dwmtj_file_abort(f);
        return fail(f, DWMTJ_FILE_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(f->part, f->target, n);
    memcpy(f->part + n, ".part", sizeof ".part");
    int fd = open(f->part, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        int e = errno;
        free(f->part); /* not ours: leave whatever is there */
        f->part = NULL;
        dwmtj_file_abort(f);
        return fail(f, DWMTJ_FILE_ERR_OPEN, "%s: cannot write: %s (writing %s.part)", path,
                    strerror(e), path);
    }
    if (exists)
        (void)fchmod(fd, st.st_mode & 07777); /* the new file keeps the old one's mode */
    f->slot = slot_take(f->part);
    if (!(f->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        dwmtj_file_abort(f);
        return fail(f, DWMTJ_FILE_ERR_NOMEM, "%s: cannot write: %s", path, strerror(e));
    }
    return DWMTJ_FILE_OK;
}

static void sync_dir_of(const char *path)
{
    char *dir = dir_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY);
    free(dir);
    if (fd < 0)
        return;
    (void)fsync(fd); /* best effort: some file systems refuse */
    close(fd);
}

int dwmtj_file_commit(dwmtj_file *f)
{
    if (!f || !f->f)
        return f ? fail(f, DWMTJ_FILE_ERR_USAGE, "commit of a file that is not open")
                 : DWMTJ_FILE_ERR_USAGE;
    errno = 0;
    int bad = fflush(f->f) != 0 || ferror(f->f);
    int e = errno;
    const char *step = "write";
    if (!bad && f->part && (f->flags & DWMTJ_FILE_SYNC) && fsync(fileno(f->f)) != 0) {
        bad = 1;
        e = errno;
        step = "fsync";
    }
    if (fclose(f->f) != 0 && !bad) {
        bad = 1;
        e = errno;
        step = "close";
    }
    f->f = NULL;
    if (bad) {
        int rc = fail(f, DWMTJ_FILE_ERR_WRITE, "%s: %s failed: %s", f->path, step,
                      e ? strerror(e) : "I/O error");
        dwmtj_file_abort(f);
        return rc;
    }
    if (f->part) {
        if (rename(f->part, f->target) != 0) {
            e = errno;
            int rc = fail(f, DWMTJ_FILE_ERR_RENAME, "%s: cannot replace it with %s: %s",
                          f->path, f->part, strerror(e));
            dwmtj_file_abort(f);
            return rc;
        }
        if (f->flags & DWMTJ_FILE_SYNC)
            sync_dir_of(f->target);
        slot_release(f->slot);
        free(f->part);
        f->part = NULL; /* renamed: nothing for abort to remove */
    }
    dwmtj_file_abort(f);
    return DWMTJ_FILE_OK;
}

void dwmtj_file_abort(dwmtj_file *f)
{
    if (!f)
        return;
    if (f->f)
        fclose(f->f);
    f->f = NULL;
    if (f->part) { /* the slot is taken with the .part file and goes with it */
        unlink(f->part);
        slot_release(f->slot);
    }
    f->slot = -1;
    free(f->part);
    free(f->target);
    free(f->path);
    f->part = f->target = f->path = NULL;
}

int dwmtj_file_write_text(const char *path, const char *text, int flags, char *error,
                          size_t n)
{
    dwmtj_file f;
    int rc = dwmtj_file_open(&f, path, flags);
    if (rc == DWMTJ_FILE_OK) {
        fputs(text ? text : "", f.f);
        rc = dwmtj_file_commit(&f);
    }
    if (rc != DWMTJ_FILE_OK && error && n)
        snprintf(error, n, "%s", f.error);
    return rc;
}
