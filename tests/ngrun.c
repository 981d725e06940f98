/* Running ngspice for the code-model tests; see ngrun.h. */
#define _XOPEN_SOURCE 700

#include "ngrun.h"

#include <check.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ngspice/sharedspice.h>

/* ---- text and tables ------------------------------------------------- */

void ngr_table_free(ngr_table *t)
{
    free(t->v);
    t->v = NULL;
    t->ncol = t->nrow = t->cap = 0;
}

static int table_push(ngr_table *t, const double *row)
{
    if (t->nrow == t->cap) {
        int cap = t->cap ? 2 * t->cap : 256;
        double *v = realloc(t->v, (size_t)cap * (size_t)t->ncol * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    memcpy(&NGR_AT(t, t->nrow, 0), row, (size_t)t->ncol * sizeof *row);
    t->nrow++;
    return 0;
}

char *ngr_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *b = realloc(buf, 2 * cap);
        if (!b) {
            free(buf);
            buf = NULL;
        } else {
            buf = b;
            cap *= 2;
        }
    }
    if (buf)
        buf[len] = '\0';
    fclose(f);
    return buf;
}

const char *ngr_tail(const char *out)
{
    size_t len = out ? strlen(out) : 0;
    return out ? out + (len > 1500 ? len - 1500 : 0) : "(none)";
}

int ngr_crossings(const ngr_table *t, int c, double th, int up, double *tc, int max)
{
    int n = 0;
    for (int r = 1; r < t->nrow && n < max; r++) {
        double a = NGR_AT(t, r - 1, c) - th, b = NGR_AT(t, r, c) - th;
        if (up ? (a < 0.0 && b >= 0.0) : (a >= 0.0 && b < 0.0)) {
            double t0 = NGR_AT(t, r - 1, 0), t1 = NGR_AT(t, r, 0);
            tc[n++] = t0 + (t1 - t0) * (-a) / (b - a);
        }
    }
    return n;
}

char *ngr_env_path(const char *prog, const char *var, const char *rel, const char *what)
{
    const char *env = getenv(var);
    if (!env || !*env) {
        fprintf(stderr, "%s: %s is not set; set it to %s (make check does)\n", prog, var, what);
        return NULL;
    }
    size_t n = strlen(env) + strlen(rel) + 1;
    char *buf = malloc(n);
    if (!buf)
        return NULL;
    snprintf(buf, n, "%s%s", env, rel);
    char *p = realpath(buf, NULL);
    if (!p)
        fprintf(stderr, "%s: %s: no such file or directory (%s)\n", prog, buf, what);
    free(buf);
    return p;
}

int ngr_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    if (!hay || len == 0)
        return 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

int ngr_column(const char *header, const char *name)
{
    size_t len = strlen(name);
    int col = 0;
    for (const char *p = header; p && *p;) {
        p += strspn(p, " \t");
        size_t w = strcspn(p, " \t\r\n");
        if (w == 0)
            break;
        if (w == len && strncmp(p, name, len) == 0)
            return col;
        col++;
        p += w;
    }
    return -1;
}

/* Rows of numbers (wrdata output); lines that do not start with a number,
 * or have another column count than the first row, are skipped.  A first
 * line that is not numeric is kept as *header (set wr_vecnames). */
static int parse_table(const char *text, ngr_table *t, char **header)
{
    memset(t, 0, sizeof *t);
    *header = NULL;
    const char *nl = strchr(text, '\n');
    char *q0;
    strtod(text, &q0);
    if (q0 == text && nl && nl > text)
        *header = strndup(text, (size_t)(nl - text));
    double row[256];
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        int n = 0;
        const char *p = line;
        char *q;
        while (n < 256) {
            double x = strtod(p, &q);
            if (q == p || (end && q > end))
                break;
            row[n++] = x;
            p = q;
        }
        if (n > 0 && t->ncol == 0)
            t->ncol = n;
        if (n > 0 && n == t->ncol && table_push(t, row) != 0)
            return -1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

static int make_scratch(char *dir, size_t n, const char *parent)
{
    snprintf(dir, n, "%s/dwmtj-ck-XXXXXX", parent);
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_dir(const char *dir);

static char scratch_dir[4096], scratch_old[4096];

int ngr_scratch_enter(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!getcwd(scratch_old, sizeof scratch_old))
        return -1;
    if (make_scratch(scratch_dir, sizeof scratch_dir, tmp && *tmp ? tmp : "/tmp") != 0)
        return -1;
    if (chdir(scratch_dir) != 0) {
        remove_dir(scratch_dir);
        scratch_dir[0] = '\0';
        return -1;
    }
    return 0;
}

void ngr_scratch_leave(void)
{
    if (!scratch_dir[0])
        return;
    if (chdir(scratch_old) != 0)
        return;
    remove_dir(scratch_dir);
    scratch_dir[0] = '\0';
}

/* ---- the ngspice binary ---------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* Removes dir and everything in it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                remove_dir(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Child: in dir, output to ngspice.log, HOME = dir so that only our
 * .spiceinit is read. */
static void exec_ngspice(const char *dir)
{
    const char *bin = getenv("DWMTJ_NGSPICE");
    if (!bin || !*bin)
        bin = "ngspice";
    if (chdir(dir) != 0)
        _exit(126);
    setenv("HOME", dir, 1);
    int fd = open("ngspice.log", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = open("/dev/null", O_RDONLY);
    if (fd < 0 || in < 0)
        _exit(126);
    dup2(in, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execlp(bin, bin, "-b", "circuit.cir", (char *)NULL);
    fprintf(stderr, "check_codemodel: cannot execute %s\n", bin);
    _exit(127);
}

int ngr_bin_run(const char *cm, const char *netlist, const char *datafile,
                double timeout_s, ngr_bin_result *r)
{
    memset(r, 0, sizeof *r);
    char dir[4096], init[4200], path[4300];
    if (make_scratch(dir, sizeof dir, ".") != 0)
        return -1;
    snprintf(init, sizeof init, "codemodel %s\n", cm);
    if (write_file(dir, ".spiceinit", init) != 0 ||
        write_file(dir, "circuit.cir", netlist) != 0) {
        remove_dir(dir);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        remove_dir(dir);
        return -1;
    }
    if (pid == 0)
        exec_ngspice(dir);
    int status = 0;
    double t0 = now_s();
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            break;
        if (now_s() - t0 > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            r->timed_out = 1;
            break;
        }
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
    }
    r->exited = !r->timed_out && WIFEXITED(status) && WEXITSTATUS(status) < 126;
    snprintf(path, sizeof path, "%s/ngspice.log", dir);
    r->out = ngr_read_file(path);
    if (!r->out)
        r->out = calloc(1, 1);
    if (datafile) {
        snprintf(path, sizeof path, "%s/%s", dir, datafile);
        char *text = ngr_read_file(path);
        if (text)
            parse_table(text, &r->data, &r->header);
        free(text);
    }
    remove_dir(dir);
    return r->out ? 0 : -1;
}

void ngr_bin_result_free(ngr_bin_result *r)
{
    free(r->out);
    free(r->header);
    r->out = r->header = NULL;
    ngr_table_free(&r->data);
}

/* ---- libngspice ------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    char *out;
    size_t len, cap;
    int exit_requested;
    int bg_ended;      /* background runs that have ended */
    int started;
} lib = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0, 0 };

static void lib_append(const char *s)
{
    size_t n = strlen(s);
    pthread_mutex_lock(&lib.lock);
    if (lib.len + n + 2 > lib.cap) {
        size_t cap = 2 * (lib.len + n + 2) + 4096;
        char *b = realloc(lib.out, cap);
        if (b) {
            lib.out = b;
            lib.cap = cap;
        }
    }
    if (lib.len + n + 2 <= lib.cap) {
        memcpy(lib.out + lib.len, s, n);
        lib.len += n;
        lib.out[lib.len++] = '\n';
        lib.out[lib.len] = '\0';
    }
    pthread_mutex_unlock(&lib.lock);
}

/* Lines arrive as "stdout text" or "stderr text". */
static int cb_char(char *s, int id, void *user)
{
    (void)id;
    (void)user;
    if (strncmp(s, "stdout ", 7) == 0 || strncmp(s, "stderr ", 7) == 0)
        s += 7;
    lib_append(s);
    return 0;
}

static int cb_stat(char *s, int id, void *user)
{
    (void)s;
    (void)id;
    (void)user;
    return 0;
}

/* ngspice wants out (quit or a fatal error): note it, never exit. */
static int cb_exit(int status, NG_BOOL unload, NG_BOOL quit, int id, void *user)
{
    (void)status;
    (void)unload;
    (void)quit;
    (void)id;
    (void)user;
    pthread_mutex_lock(&lib.lock);
    lib.exit_requested = 1;
    pthread_mutex_unlock(&lib.lock);
    return 0;
}

/* Called with false when the background thread starts, true when it ends
 * (the header's comment has it the other way round). */
static int cb_bg(NG_BOOL not_running, int id, void *user)
{
    (void)id;
    (void)user;
    pthread_mutex_lock(&lib.lock);
    lib.bg_ended += not_running ? 1 : 0;
    pthread_mutex_unlock(&lib.lock);
    return 0;
}

int ngr_lib_start(const char *cm)
{
    if (lib.started)
        return 0;
    if (ngSpice_Init(cb_char, cb_stat, cb_exit, NULL, NULL, cb_bg, NULL) != 0)
        return -1;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "codemodel %s", cm);
    if (ngSpice_Command(cmd) != 0)
        return -1;
    lib.started = 1;
    return 0;
}

int ngr_lib_circ(const char *netlist)
{
    size_t n = 1;
    for (const char *p = netlist; *p; p++)
        n += *p == '\n';
    char *copy = strdup(netlist);
    char **lines = calloc(n + 1, sizeof *lines);
    int rc = -1;
    if (copy && lines) {
        size_t k = 0;
        for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l && k < n;
             l = strtok_r(NULL, "\n", &save))
            lines[k++] = l;
        lines[k] = NULL;
        rc = ngSpice_Circ(lines);
    }
    free(lines);
    free(copy);
    return rc;
}

int ngr_lib_cmd(const char *cmd)
{
    char *c = strdup(cmd);
    int rc = c ? ngSpice_Command(c) : -1;
    free(c);
    return rc;
}

char *ngr_lib_output(void)
{
    pthread_mutex_lock(&lib.lock);
    char *s = strdup(lib.out ? lib.out : "");
    pthread_mutex_unlock(&lib.lock);
    return s;
}

void ngr_lib_clear(void)
{
    pthread_mutex_lock(&lib.lock);
    lib.len = 0;
    if (lib.out)
        lib.out[0] = '\0';
    pthread_mutex_unlock(&lib.lock);
}

int ngr_lib_exit_requested(void)
{
    pthread_mutex_lock(&lib.lock);
    int e = lib.exit_requested;
    pthread_mutex_unlock(&lib.lock);
    return e;
}

static int bg_ended(void)
{
    pthread_mutex_lock(&lib.lock);
    int b = lib.bg_ended;
    pthread_mutex_unlock(&lib.lock);
    return b;
}

int ngr_lib_bg(const char *cmd, double timeout_s)
{
    double t0 = now_s();
    int ended = bg_ended();
    if (ngr_lib_cmd(cmd) != 0)
        return -1;
    while (bg_ended() == ended || ngSpice_running()) {
        if (now_s() - t0 > timeout_s) {
            ngr_lib_cmd("bg_halt");
            return -1;
        }
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
    }
    return 0;
}

const double *ngr_lib_vec(const char *name, int *len)
{
    char *n = strdup(name);
    pvector_info vi = n ? ngGet_Vec_Info(n) : NULL;
    free(n);
    if (!vi || !vi->v_realdata) {
        *len = 0;
        return NULL;
    }
    *len = vi->v_length;
    return vi->v_realdata;
}

int ngr_lib_table(const char *const *names, int n, ngr_table *t)
{
    memset(t, 0, sizeof *t);
    const double *cols[256];
    int len = -1;
    if (n <= 0 || n > 256)
        return -1;
    for (int k = 0; k < n; k++) {
        int l;
        cols[k] = ngr_lib_vec(names[k], &l);
        if (!cols[k] || (len >= 0 && l != len))
            return -1;
        len = l;
    }
    t->ncol = n;
    t->nrow = t->cap = len;
    t->v = malloc((size_t)len * (size_t)n * sizeof *t->v + 1);
    if (!t->v)
        return -1;
    for (int r = 0; r < len; r++)
        for (int k = 0; k < n; k++)
            NGR_AT(t, r, k) = cols[k][r];
    return 0;
}

int ngr_lib_complex(const char *name, int k, double *re, double *im)
{
    char *n = strdup(name);
    pvector_info vi = n ? ngGet_Vec_Info(n) : NULL;
    free(n);
    if (!vi || !vi->v_compdata || k < 0 || k >= vi->v_length)
        return -1;
    *re = vi->v_compdata[k].cx_real;
    *im = vi->v_compdata[k].cx_imag;
    return 0;
}

/* ---- either ---------------------------------------------------------- */

/* Growing string for netlists. */
static int cat(char **s, size_t *len, const char *add)
{
    size_t n = strlen(add);
    char *b = realloc(*s, *len + n + 1);
    if (!b)
        return -1;
    memcpy(b + *len, add, n + 1);
    *s = b;
    *len += n;
    return 0;
}

/* wrdata writes (scale, value) column pairs; keep scale once, then values. */
static int from_wrdata(const ngr_table *w, int with_scale, int n, ngr_table *t)
{
    memset(t, 0, sizeof *t);
    if (w->ncol != 2 * n || w->nrow == 0)
        return -1;
    t->ncol = n + (with_scale ? 1 : 0);
    double row[257];
    for (int r = 0; r < w->nrow; r++) {
        int c = 0;
        if (with_scale)
            row[c++] = NGR_AT(w, r, 0);
        for (int k = 0; k < n; k++)
            row[c++] = NGR_AT(w, r, 2 * k + 1);
        if (table_push(t, row) != 0)
            return -1;
    }
    return 0;
}

static int run_bin(const char *cm, const char *cards, int with_scale,
                   const char *const *names, int n, ngr_table *t, char **out)
{
    char *net = NULL, item[512];
    size_t len = 0;
    int rc = cat(&net, &len, cards);
    rc |= cat(&net, &len, "\n.control\nrun\nwrdata out.dat");
    for (int k = 0; k < n; k++) {
        const char *hash = strstr(names[k], "#branch");
        if (hash)
            snprintf(item, sizeof item, " i(%.*s)", (int)(hash - names[k]), names[k]);
        else
            snprintf(item, sizeof item, " v(%s)", names[k]);
        rc |= cat(&net, &len, item);
    }
    rc |= cat(&net, &len, "\n.endc\n.end\n");
    ngr_bin_result r;
    if (rc == 0)
        rc = ngr_bin_run(cm, net, "out.dat", 60.0, &r);
    free(net);
    if (rc != 0)
        return -1;
    rc = from_wrdata(&r.data, with_scale, n, t);
    if (out) {
        *out = r.out;
        r.out = NULL;
    }
    ngr_bin_result_free(&r);
    return rc;
}

static int run_lib(const char *cm, const char *cards, const char *scale,
                   const char *const *names, int n, ngr_table *t, char **out)
{
    const char *all[257];
    char *net = NULL;
    size_t len = 0;
    int c = 0, rc;
    memset(t, 0, sizeof *t);
    if (n > 256 || ngr_lib_start(cm) != 0)
        return -1;
    rc = cat(&net, &len, cards);
    rc |= cat(&net, &len, "\n.end\n");
    ngr_lib_clear();
    if (rc == 0)
        rc = ngr_lib_circ(net);
    free(net);
    if (rc == 0)
        rc = ngr_lib_cmd("run");
    if (scale)
        all[c++] = scale;
    for (int k = 0; k < n; k++)
        all[c++] = names[k];
    if (rc == 0)
        rc = ngr_lib_table(all, c, t);
    if (rc == 0 && t->nrow == 0)
        rc = -1;
    if (out)
        *out = ngr_lib_output();
    return rc;
}

int ngr_run(ngr_mode mode, const char *cm, const char *cards, const char *scale,
            const char *const *names, int n, ngr_table *t, char **out)
{
    if (out)
        *out = NULL;
    if (n < 1 || n > 128)
        return -1;
    if (mode == NGR_BIN)
        return run_bin(cm, cards, scale != NULL, names, n, t, out);
    return run_lib(cm, cards, scale, names, n, t, out);
}

int ngr_run_in_scratch(Suite *(*make)(void))
{
    if (ngr_scratch_enter() != 0) {
        fprintf(stderr, "cannot make a scratch directory\n");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(make());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ngr_scratch_leave();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
