/* A scratch directory for Check tests that write files. */
#ifndef SCRATCH_H
#define SCRATCH_H

#define SCRATCH_MAX 4096
extern char scratch[SCRATCH_MAX];   /* path of the directory, after scratch_make */

/* Makes $TMPDIR/NAME.XXXXXX (mkdtemp); fails the test if it cannot. */
void scratch_make(const char *name);
/* Removes its files and empty subdirectories, then the directory. */
void scratch_remove(void);
/* A path in it (static buffers, four in rotation). */
const char *spath(const char *file);

#endif
