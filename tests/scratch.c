/* A scratch directory for Check tests that write files. */
#define _POSIX_C_SOURCE 200809L

#include "scratch.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char scratch[SCRATCH_MAX];

void scratch_make(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    ck_assert_msg(mkdtemp(scratch) != NULL, "mkdtemp %s failed", scratch);
}

void scratch_remove(void)
{
    DIR *dir = opendir(scratch);
    if (!dir)
        return;
    struct dirent *e;
    char path[2 * SCRATCH_MAX];
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    closedir(dir);
    rmdir(scratch);
}

const char *spath(const char *file)
{
    static char buf[4][2 * SCRATCH_MAX];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", scratch, file);
    return p;
}
