/* The installed libraries export exactly their public API: for each one,
 * the committed symbol list (LIB.sym, which libtool's -export-symbols
 * turns into the version script) equals the functions and extern objects
 * its public headers declare, and `nm -D --defined-only` of the built
 * shared object shows exactly the list, no internal helper.
 *
 * Environment (make check sets it): DWMTJ_SRCDIR, DWMTJ_BUILDDIR;
 * DWMTJ_NM, the nm command; DWMTJ_EXPORTS, the libraries as
 * "LIB.la|LIST|HEADER HEADER...;..." (LIB.la in the build tree, LIST and
 * the headers in the source tree); DWMTJ_INSTALLED_HEADERS, the headers
 * make install installs, each of which must be a library's public header.
 *
 * `check_exports --update' rewrites each LIST from its headers (make
 * update-symbols), after a deliberate change of the API. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#define MAX_LIBS 8
#define MAX_HEADERS 16

struct lib {
    char *la;                    /* LIB.la, relative to the build tree */
    char *list;                  /* its symbol list, relative to the source tree */
    char *header[MAX_HEADERS];   /* its public headers, relative to the source tree */
    int n_header;                /* number of them */
};

static struct lib libs[MAX_LIBS];
static int n_libs;
static const char *srcdir, *builddir;

/* A set of names, sorted and unique after names_sort. */
typedef struct {
    char **v;   /* the names (malloc'd) */
    int n;      /* number of them */
    int cap;    /* allocated */
} names;

static void names_add(names *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
        ck_assert_ptr_nonnull(s->v);
    }
    s->v[s->n] = strndup(p, len);
    ck_assert_ptr_nonnull(s->v[s->n]);
    s->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_sort(names *s)
{
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_str);
    int w = 0;
    for (int k = 0; k < s->n; k++) {
        if (w > 0 && strcmp(s->v[w - 1], s->v[k]) == 0)
            free(s->v[k]);
        else
            s->v[w++] = s->v[k];
    }
    s->n = w;
}

static void names_free(names *s)
{
    for (int k = 0; k < s->n; k++)
        free(s->v[k]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static char *src_path(const char *rel)
{
    static char buf[4][4096];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", srcdir, rel);
    return p;
}

/* Blanks out comments, string and character literals and preprocessor
 * lines (with their continuations), keeping the line structure. */
static void strip_c(char *s)
{
    int bol = 1; /* only blanks since the line began */
    for (char *p = s; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *end = e ? e + 2 : p + strlen(p);
            for (; p < end; p++)
                if (*p != '\n')
                    *p = ' ';
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
        } else if (*p == '"' || *p == '\'') {
            char q = *p;
            *p++ = ' ';
            for (; *p && *p != q && *p != '\n'; p++) {
                if (*p == '\\' && p[1] && p[1] != '\n')
                    *p++ = ' ';
                *p = ' ';
            }
            if (*p == q)
                *p++ = ' ';
        } else if (bol && *p == '#') {
            char prev = 0;
            for (; *p && !(*p == '\n' && prev != '\\'); p++) {
                prev = *p;
                if (*p != '\n')
                    *p = ' ';
            }
        } else {
            if (*p == '\n')
                bol = 1;
            else if (!isspace((unsigned char)*p))
                bol = 0;
            p++;
        }
    }
}

static int is_id0(int c) { return isalpha(c) || c == '_'; }
static int is_id(int c) { return isalnum(c) || c == '_'; }

/* The functions and extern objects that the header text declares at file
 * scope: an identifier followed by '(' outside any parentheses, braces and
 * brackets, in a statement that is no typedef and not static; for an
 * extern statement with no such identifier, its last identifier at file
 * scope (so not an extern function pointer).  Names starting with __
 * (attributes) are not names of the library. */
static void header_names(char *text, names *out)
{
    strip_c(text);
    int paren = 0, brace = 0, bracket = 0;
    int typedef_ = 0, static_ = 0, extern_ = 0, func = 0, tokens = 0;
    int body = 0;    /* the open brace is a function's body */
    char prev = 0;   /* last character that is no blank ('a' for a name) */
    const char *last = NULL;
    size_t last_len = 0;
    for (char *p = text; *p;) {
        int top = paren == 0 && brace == 0 && bracket == 0;
        if (is_id0((unsigned char)*p)) {
            prev = 'a';
            char *b = p;
            while (is_id((unsigned char)*p))
                p++;
            size_t len = (size_t)(p - b);
            if (!top)
                continue;
            tokens++;
            if (len == 7 && !strncmp(b, "typedef", 7))
                typedef_ = 1;
            else if (len == 6 && !strncmp(b, "static", 6))
                static_ = 1;
            else if (len == 6 && !strncmp(b, "extern", 6))
                extern_ = 1;
            char *q = p;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '(' && !typedef_ && !static_ && strncmp(b, "__", 2) != 0) {
                names_add(out, b, len);
                func = 1;
            }
            last = b;
            last_len = len;
            continue;
        }
        switch (*p) {
        case '(': paren++; break;
        case ')': if (paren > 0) paren--; break;
        case '[': bracket++; break;
        case ']': if (bracket > 0) bracket--; break;
        case '{':
            if (top && extern_ && tokens == 1) {
                /* extern "C" { (the literal is blanked) opens no scope */
                typedef_ = static_ = extern_ = func = tokens = 0;
                break;
            }
            if (top && prev == ')')
                body = 1;
            brace++;
            tokens++;
            break;
        case '}':
            if (brace > 0 && --brace == 0 && body) {
                /* a function's definition ends its statement */
                typedef_ = static_ = extern_ = func = tokens = body = 0;
                last = NULL;
            }
            break;
        case ';':
            if (top) {
                if (extern_ && !func && !typedef_ && last)
                    names_add(out, last, last_len);
                typedef_ = static_ = extern_ = func = tokens = 0;
                last = NULL;
            }
            break;
        default:
            if (!isspace((unsigned char)*p) && top)
                tokens++;
        }
        if (!isspace((unsigned char)*p))
            prev = *p;
        p++;
    }
}

/* What lib's public headers declare. */
static void declared(const struct lib *l, names *out)
{
    for (int k = 0; k < l->n_header; k++) {
        char *text = tu_read(src_path(l->header[k]));
        ck_assert_msg(text != NULL, "cannot read %s: %s", src_path(l->header[k]),
                      strerror(errno));
        header_names(text, out);
        free(text);
    }
    names_sort(out);
}

/* The symbol list: one name a line, sorted, no duplicates. */
static void listed(const struct lib *l, names *out)
{
    char *text = tu_read(src_path(l->list));
    ck_assert_msg(text != NULL, "cannot read %s: %s (make update-symbols writes it)",
                  src_path(l->list), strerror(errno));
    int line = 0;
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        line++;
        for (size_t k = 0; k < len; k++)
            ck_assert_msg(is_id((unsigned char)p[k]) && (k > 0 || is_id0((unsigned char)p[0])),
                          "%s:%d: not a symbol name: '%.*s'", l->list, line, (int)len, p);
        if (len > 0) {
            names_add(out, p, len);
            ck_assert_msg(out->n < 2 || strcmp(out->v[out->n - 2], out->v[out->n - 1]) < 0,
                          "%s:%d: %s is out of order or repeated (the list is sorted)", l->list,
                          line, out->v[out->n - 1]);
        }
        p += len + (e != NULL);
    }
    free(text);
}

/* The shared object that LIB.la names (its dlname, in .libs/). */
static char *shared_object(const struct lib *l)
{
    char la[4096];
    snprintf(la, sizeof la, "%s/%s", builddir, l->la);
    char *text = tu_read(la);
    ck_assert_msg(text != NULL, "cannot read %s: %s (is the library built?)", la,
                  strerror(errno));
    char *d = strstr(text, "\ndlname='");
    ck_assert_msg(d != NULL, "%s names no shared library (dlname)", la);
    d += strlen("\ndlname='");
    char *e = strchr(d, '\'');
    ck_assert_msg(e != NULL && e > d, "%s: dlname is empty", la);
    *e = '\0';
    char *slash = strrchr(la, '/');
    *slash = '\0';
    char *so = malloc(strlen(la) + strlen(d) + 16);
    ck_assert_ptr_nonnull(so);
    sprintf(so, "%s/.libs/%s", la, d);
    free(text);
    return so;
}

/* The dynamic symbols that so defines. */
static void exported(const char *so, names *out)
{
    const char *nm = getenv("DWMTJ_NM");
    char env_nm[4096];
    snprintf(env_nm, sizeof env_nm, "DWMTJ_NM=%s", nm && *nm ? nm : "nm");
    const char *env[] = {env_nm, NULL};
    const char *argv[] = {"sh", "-c", "exec $DWMTJ_NM -D --defined-only \"$1\"", "sh", so, NULL};
    tu_result r;
    tu_run(argv, env, 60.0, &r);
    ck_assert_msg(r.status == 0, "nm -D --defined-only %s failed (%d): %s", so, r.status, r.err);
    /* lines: [ADDRESS] TYPE NAME */
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        char *name = strrchr(line, ' ');
        name = name ? name + 1 : line;
        if (*name)
            names_add(out, name, strlen(name));
    }
    tu_result_free(&r);
    names_sort(out);
}

/* The names of a not in b, as " x y z" into buf; the count. */
static int minus(const names *a, const names *b, char *buf, size_t n)
{
    int count = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < a->n; k++) {
        if (bsearch(&a->v[k], b->v, (size_t)b->n, sizeof *b->v, cmp_str))
            continue;
        count++;
        if (used < n)
            used += (size_t)snprintf(buf + used, n - used, "\n    %s", a->v[k]);
    }
    return count;
}

START_TEST(test_list_is_the_headers)
{
    const struct lib *l = &libs[_i];
    names h = {0}, s = {0};
    declared(l, &h);
    listed(l, &s);
    ck_assert_msg(s.n > 0, "%s is empty", l->list);
    char only_h[8192], only_s[8192], heads[2048] = "";
    int nh = minus(&h, &s, only_h, sizeof only_h);
    int ns = minus(&s, &h, only_s, sizeof only_s);
    for (int k = 0; k < l->n_header; k++)
        snprintf(heads + strlen(heads), sizeof heads - strlen(heads), "%s%s", k ? " " : "",
                 l->header[k]);
    ck_assert_msg(nh == 0 && ns == 0,
                  "%s differs from what %s declare:\n"
                  "  declared, not in the list (%d):%s\n"
                  "  in the list, not declared (%d):%s\n"
                  "If the change of the API is meant, rewrite the list with"
                  " `make update-symbols' and commit it.",
                  l->list, heads, nh, only_h, ns, only_s);
    names_free(&h);
    names_free(&s);
}
END_TEST

START_TEST(test_exports_are_the_list)
{
    const struct lib *l = &libs[_i];
    names s = {0}, x = {0};
    listed(l, &s);
    char *so = shared_object(l);
    exported(so, &x);
    char only_x[8192], only_s[8192];
    int nx = minus(&x, &s, only_x, sizeof only_x);
    int ns = minus(&s, &x, only_s, sizeof only_s);
    ck_assert_msg(nx == 0 && ns == 0,
                  "%s does not export exactly %s:\n"
                  "  exported, not in the list (%d):%s\n"
                  "  in the list, not exported (no such function, or it is static) (%d):%s",
                  so, l->list, nx, only_x, ns, only_s);
    free(so);
    names_free(&s);
    names_free(&x);
}
END_TEST

/* Every installed header is the public header of one library, so that a
 * new one cannot escape the comparison with a symbol list. */
START_TEST(test_installed_headers_are_listed)
{
    const char *inst = getenv("DWMTJ_INSTALLED_HEADERS");
    ck_assert_msg(inst && *inst, "DWMTJ_INSTALLED_HEADERS is not set (make check sets it)");
    char *all = strdup(inst), *save = NULL;
    ck_assert_ptr_nonnull(all);
    char missing[4096] = "";
    for (char *h = strtok_r(all, " \t", &save); h; h = strtok_r(NULL, " \t", &save)) {
        int owners = 0;
        for (int i = 0; i < n_libs; i++)
            for (int k = 0; k < libs[i].n_header; k++)
                owners += strcmp(libs[i].header[k], h) == 0;
        if (owners != 1)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                     "\n    %s (public header of %d libraries)", h, owners);
    }
    free(all);
    ck_assert_msg(missing[0] == '\0',
                  "installed headers that are not the public header of exactly one library"
                  " in DWMTJ_EXPORTS (Makefile.am):%s",
                  missing);
}
END_TEST

/* The header parser on the forms the public headers use. */
START_TEST(test_header_parser)
{
    char text[] =
        "#ifndef X_H\n#define X_H 1\n#define M(a) f(a) \\\n  g(a)\n"
        "#include <stddef.h>\n"
        "#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
        "/* int not_this(void); */\n"
        "// int nor_this(void);\n"
        "typedef struct s { int (*cb)(int); int a[N(2)]; } s;\n"
        "typedef void (*fn_t)(double frac, void *u);\n"
        "typedef int fnty(int);\n"
        "enum { A = (1 << 2), B };\n"
        "int one(const char *s, fn_t f);\n"
        "const char *\ntwo (int\n k);\n"
        "void three(const char *fmt, ...)\n#if defined(__GNUC__)\n"
        "    __attribute__((format(printf, 1, 2)))\n#endif\n    ;\n"
        "static inline int four(void) { return five(); }\n"
        "extern const char *const table[M2];\n"
        "int after_inline(void);\n"
        "const char *s = \"six(\";\n"
        "#ifdef __cplusplus\n}\n#endif\n#endif\n";
    names n = {0};
    header_names(text, &n);
    names_sort(&n);
    const char *want[] = {"after_inline", "one", "table", "three", "two"};
    char got[1024] = "";
    for (int k = 0; k < n.n; k++)
        snprintf(got + strlen(got), sizeof got - strlen(got), " %s", n.v[k]);
    ck_assert_msg(n.n == 5, "parsed:%s", got);
    for (int k = 0; k < 5; k++)
        ck_assert_msg(strcmp(n.v[k], want[k]) == 0, "parsed:%s", got);
    names_free(&n);
}
END_TEST

/* DWMTJ_EXPORTS into libs; 0 if it is well formed. */
static int parse_exports(void)
{
    const char *e = getenv("DWMTJ_EXPORTS");
    if (!e || !*e) {
        fprintf(stderr, "check_exports: DWMTJ_EXPORTS is not set (make check sets it)\n");
        return -1;
    }
    char *all = strdup(e), *save1 = NULL;
    for (char *ent = strtok_r(all, ";", &save1); ent; ent = strtok_r(NULL, ";", &save1)) {
        while (isspace((unsigned char)*ent))
            ent++;
        if (!*ent)
            continue;
        char *bar1 = strchr(ent, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        if (!bar2 || n_libs == MAX_LIBS) {
            fprintf(stderr, "check_exports: DWMTJ_EXPORTS: bad entry '%s' (LIB.la|LIST|HEADERS)\n",
                    ent);
            return -1;
        }
        *bar1 = *bar2 = '\0';
        struct lib *l = &libs[n_libs++];
        l->la = strdup(strtok(ent, " "));
        l->list = strdup(strtok(bar1 + 1, " "));
        for (char *h = strtok(bar2 + 1, " "); h && l->n_header < MAX_HEADERS;
             h = strtok(NULL, " "))
            l->header[l->n_header++] = strdup(h);
        if (l->n_header == 0) {
            fprintf(stderr, "check_exports: DWMTJ_EXPORTS: %s has no headers\n", l->la);
            return -1;
        }
    }
    free(all);
    return n_libs > 0 ? 0 : -1;
}

/* --update: writes the list of library _i from its headers: LIST.tmp,
 * renamed over LIST only if that is a regular file (or missing). */
START_TEST(update_list)
{
    const struct lib *l = &libs[_i];
    names h = {0};
    declared(l, &h);
    const char *path = src_path(l->list);
    struct stat st;
    ck_assert_msg(lstat(path, &st) != 0 || S_ISREG(st.st_mode),
                  "%s is not a regular file; not replaced", path);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL;
    for (int k = 0; ok && k < h.n; k++)
        ok = fprintf(f, "%s\n", h.v[k]) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        ck_abort_msg("cannot write %s: %s", path, strerror(e));
    }
    printf("%s: %d symbols\n", path, h.n);
    names_free(&h);
}
END_TEST

int main(int argc, char **argv)
{
    srcdir = getenv("DWMTJ_SRCDIR");
    builddir = getenv("DWMTJ_BUILDDIR");
    if (!srcdir || !*srcdir || !builddir || !*builddir) {
        fprintf(stderr, "check_exports: DWMTJ_SRCDIR and DWMTJ_BUILDDIR must be set"
                        " (make check sets them)\n");
        return EXIT_FAILURE;
    }
    if (parse_exports() != 0)
        return EXIT_FAILURE;
    int up = argc == 2 && strcmp(argv[1], "--update") == 0;
    if (argc > 1 && !up) {
        fprintf(stderr, "usage: check_exports [--update]\n");
        return 2;
    }
    Suite *s = suite_create("exports");
    TCase *tc = tcase_create("exports");
    tcase_set_timeout(tc, 120);
    if (up) {
        tcase_add_loop_test(tc, update_list, 0, n_libs);
    } else {
        tcase_add_test(tc, test_header_parser);
        tcase_add_test(tc, test_installed_headers_are_listed);
        tcase_add_loop_test(tc, test_list_is_the_headers, 0, n_libs);
        tcase_add_loop_test(tc, test_exports_are_the_list, 0, n_libs);
    }
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, up ? CK_SILENT : CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
