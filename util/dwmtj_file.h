/* dwmtj file: output files that are whole or absent, written in one way
 * by every part of the project (the tool's reports, the trainer's weights
 * and checkpoints, infer's results).
 *
 * Where PATH names
 *  - nothing or a regular file: the data go to PATH.part, which replaces
 *    PATH by rename(2) once complete (a failed or interrupted write leaves
 *    PATH as it was);
 *  - a symbolic link to a regular file (or to nothing inside an existing
 *    directory): the same, at the file the link points to, so the link
 *    stays a link;
 *  - something that is not a regular file (a character device such as
 *    /dev/null, a FIFO, a socket): the data are written to it directly,
 *    nothing is renamed over it;
 *  - a directory: an error.
 * Nothing here prints or exits; errors come back as a status and a message
 * that names the file. */
#ifndef DWMTJ_FILE_H
#define DWMTJ_FILE_H

#include <stdio.h>

enum dwmtj_file_status {
    DWMTJ_FILE_OK = 0,
    DWMTJ_FILE_ERR_USAGE = -600,  /* NULL or empty argument, file not open */
    DWMTJ_FILE_ERR_NOMEM = -601,  /* out of memory */
    DWMTJ_FILE_ERR_OPEN = -602,   /* cannot create or open the file */
    DWMTJ_FILE_ERR_WRITE = -603,  /* writing, flushing, syncing or closing failed */
    DWMTJ_FILE_ERR_RENAME = -604, /* the complete file could not replace the old one */
    DWMTJ_FILE_ERR_KIND = -605    /* the path is a directory or a dangling link chain */
};

/* Flags of dwmtj_file_open. */
enum {
    DWMTJ_FILE_SYNC = 1,    /* fsync the file and its directory before and after
                               the rename (weights, checkpoints) */
    DWMTJ_FILE_REGULAR = 2  /* refuse a target that is not a regular file
                               (files that are read back, e.g. to resume) */
};

typedef struct dwmtj_file {
    FILE *f;        /* write here between open and commit */
    char *path;     /* the name given (for messages) */
    char *target;   /* the file the data replace (path, or where its links end) */
    char *part;     /* target.part while writing; NULL when writing in place */
    int flags;      /* DWMTJ_FILE_* of the open */
    int slot;       /* index in the table of .part files removed on a signal, or -1 */
    char error[512];/* message of the last failure, naming the file */
} dwmtj_file;

const char *dwmtj_file_status_string(int status);

/* Opens f for writing to path.  On failure f->error holds the message and
 * nothing is left behind. */
int dwmtj_file_open(dwmtj_file *f, const char *path, int flags);
/* Flushes (and with DWMTJ_FILE_SYNC syncs) and closes the file, then
 * renames the .part file over the target.  On failure the .part file is
 * removed, the target is as it was, and f->error says why.  f is closed
 * either way. */
int dwmtj_file_commit(dwmtj_file *f);
/* Closes f and removes its .part file; the target is untouched.  Accepts
 * an unopened (zeroed) or already closed f. */
void dwmtj_file_abort(dwmtj_file *f);

/* path with text, through open and commit; *error (may be NULL) gets the
 * message on failure (into buf of size n). */
int dwmtj_file_write_text(const char *path, const char *text, int flags, char *error,
                          size_t n);

/* Removes every .part file still open and re-raises sig: for the caller's
 * SIGINT/SIGTERM/SIGHUP handlers (async-signal-safe). */
void dwmtj_file_on_signal(int sig);

#endif
