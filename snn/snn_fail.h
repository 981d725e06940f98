/* Error messages of the snn module; private. */
#ifndef SNN_FAIL_H
#define SNN_FAIL_H

/* Sets *error to a malloc'd message (when error is not NULL) and returns
 * status, so that a failure is one line: return snn_fail(...). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int snn_fail(char **error, int status, const char *fmt, ...);

#endif
