/* Tests of the Fashion-MNIST reader (snn/data.c, snn/dwmtj_data.h).
 *
 * "read": the real data of Debian's dataset-fashion-mnist, checked against
 * properties of Fashion-MNIST stated by its authors (Xiao, Rasul, Vollgraf
 * 2017, and the package's README.md): 60000 training and 10000 test images
 * of 28x28 grey levels, 10 classes, 6000 training and 1000 test images per
 * class; and the pixel mean, which is about 72.9 (0.2860 x 255, the mean
 * commonly used to normalise Fashion-MNIST), checked within 60..90 only.
 * No checksum of the data is hard-coded.  Then synthetic files, written
 * here, read back byte for byte, gzip-compressed and plain.
 * "errors": corrupted files in a scratch directory (mkdtemp); each error
 * gives its status and a message naming the file.
 * "downsample": synthetic images with block means worked out by hand.
 *
 * Environment: DWMTJ_FASHION_MNIST, the data directory (default
 * /usr/share/datasets/fashion-mnist). */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_data.h"
#include "scratch.h"

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------- helpers */

/* A byte buffer that grows. */
typedef struct bytes {
    unsigned char *p;
    size_t len;
} bytes;

static void put(bytes *b, const void *data, size_t len)
{
    b->p = realloc(b->p, b->len + len + 1);
    ck_assert_ptr_nonnull(b->p);
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void put32(bytes *b, uint32_t v)
{
    unsigned char h[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(b, h, 4);
}

/* Deterministic pseudo-random bytes (an LCG), which gzip cannot shrink
 * much: the compressed stream is then mostly deflate data. */
static void fill(unsigned char *p, size_t len, uint32_t seed, unsigned mod)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (unsigned char)((seed >> 24) % mod);
    }
}

/* An IDX3 image file of n images rows x cols (magic as given). */
static bytes idx_images(uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols,
                        const unsigned char *pixels, size_t len)
{
    bytes b = {0};
    put32(&b, magic);
    put32(&b, n);
    put32(&b, rows);
    put32(&b, cols);
    put(&b, pixels, len);
    return b;
}

static bytes idx_labels(uint32_t magic, uint32_t n, const unsigned char *labels, size_t len)
{
    bytes b = {0};
    put32(&b, magic);
    put32(&b, n);
    put(&b, labels, len);
    return b;
}

static void write_plain(const char *path, const unsigned char *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(p, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_gz(const char *path, const unsigned char *p, size_t len)
{
    gzFile f = gzopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    if (len)
        ck_assert_int_eq(gzwrite(f, p, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(f), Z_OK);
}

/* writes b to path (gzip-compressed when gz) and frees it */
static void write_bytes(const char *path, bytes *b, int gz)
{
    if (gz)
        write_gz(path, b->p, b->len);
    else
        write_plain(path, b->p, b->len);
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

static unsigned char *read_plain(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    bytes b = {0};
    unsigned char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        put(&b, buf, got);
    fclose(f);
    *len = b.len;
    return b.p;
}

/* A valid synthetic pair: N images of R x C, labels i % 10. */
#define N 50
#define R 6
#define C 5
static unsigned char syn_pixels[N * R * C];
static unsigned char syn_labels[N];

static void syn_init(void)
{
    fill(syn_pixels, sizeof syn_pixels, 12345u, 256);
    for (int i = 0; i < N; i++)
        syn_labels[i] = (unsigned char)(i % 10);
}

static void write_syn_images(const char *path, int gz)
{
    bytes b = idx_images(0x803, N, R, C, syn_pixels, sizeof syn_pixels);
    write_bytes(path, &b, gz);
}

static void write_syn_labels(const char *path, int gz)
{
    bytes b = idx_labels(0x801, N, syn_labels, sizeof syn_labels);
    write_bytes(path, &b, gz);
}

static void setup(void)
{
    syn_init();
    scratch_make("check_data");
}

static void teardown(void)
{
    scratch_remove();
}

static int is_zero(const dwmtj_dataset *d)
{
    return d->n == 0 && d->rows == 0 && d->cols == 0 && d->pixels == NULL &&
           d->labels == NULL;
}

/* Loads and expects status rc, a message naming `names` (and also
 * `names2`, when not NULL), and an empty data set. */
static void expect_error(const char *images, const char *labels, int rc,
                         const char *names, const char *names2)
{
    dwmtj_dataset d;
    memset(&d, 0x5a, sizeof d); /* garbage: the loader must not read it */
    char *err = NULL;
    int got = dwmtj_dataset_load(&d, images, labels, &err);
    ck_assert_msg(got == rc, "status %d (%s), expected %d (%s); message: %s", got,
                  dwmtj_data_status_string(got), rc, dwmtj_data_status_string(rc),
                  err ? err : "(none)");
    ck_assert_msg(err != NULL, "no message");
    ck_assert_msg(strstr(err, names) != NULL, "message does not name %s: %s", names, err);
    if (names2)
        ck_assert_msg(strstr(err, names2) != NULL, "message does not name %s: %s",
                      names2, err);
    ck_assert_msg(is_zero(&d), "data set not left empty");
    free(err);
}

/* ---------------------------------------------------------- the real data */

static const char *data_dir(void)
{
    const char *dir = getenv("DWMTJ_FASHION_MNIST");
    return dir && *dir ? dir : DWMTJ_FASHION_DEFAULT_DIR;
}

static void load_real(dwmtj_dataset *d, int test)
{
    char *err = NULL;
    int rc = dwmtj_dataset_load_dir(d, NULL, test, &err);
    ck_assert_msg(rc == DWMTJ_DATA_OK,
                  "loading the Fashion-MNIST %s set from %s failed: %s\n"
                  "(apt-get install dataset-fashion-mnist, or set DWMTJ_FASHION_MNIST)",
                  test ? "test" : "training", data_dir(), err ? err : "(no message)");
    ck_assert_ptr_null(err);
}

/* the properties every Fashion-MNIST set has: 28x28, each class per_class
 * times, no all-black image, a pixel mean near 72.9 */
static void check_fashion(const dwmtj_dataset *d, int n, int per_class)
{
    ck_assert_int_eq(d->n, n);
    ck_assert_int_eq(d->rows, 28);
    ck_assert_int_eq(d->cols, 28);
    ck_assert_ptr_nonnull(d->pixels);
    ck_assert_ptr_nonnull(d->labels);
    long count[DWMTJ_DATA_CLASSES] = {0};
    for (int i = 0; i < d->n; i++) {
        ck_assert_uint_le(d->labels[i], 9);
        count[d->labels[i]]++;
    }
    for (int k = 0; k < DWMTJ_DATA_CLASSES; k++)
        ck_assert_msg(count[k] == per_class, "class %d (%s): %ld images, expected %d", k,
                      dwmtj_fashion_class_name(k), count[k], per_class);
    double sum = 0;
    int blank = 0;
    for (int i = 0; i < d->n; i++) {
        const unsigned char *p = d->pixels + (size_t)i * 784;
        unsigned max = 0;
        for (int j = 0; j < 784; j++) {
            sum += p[j];
            if (p[j] > max)
                max = p[j];
        }
        blank += max == 0;
    }
    ck_assert_int_eq(blank, 0);
    double mean = sum / ((double)d->n * 784);
    ck_assert_msg(mean > 60 && mean < 90, "pixel mean %g, expected about 72.9", mean);
}

START_TEST(test_real_test_set)
{
    dwmtj_dataset d;
    load_real(&d, 1);
    check_fashion(&d, 10000, 1000);
    dwmtj_dataset_free(&d);
    ck_assert(is_zero(&d));
}
END_TEST

START_TEST(test_real_training_set)
{
    dwmtj_dataset d;
    load_real(&d, 0);
    check_fashion(&d, 60000, 6000);
    dwmtj_dataset_free(&d);
}
END_TEST

/* synthetic files come back byte for byte, compressed (_i = 1) or not */
/* Debian's t10k-images-idx3-ubyte.gz with 1..9 bytes cut off its end (gzip
 * -t fails on each), and with bytes appended: errors naming the copy. */
START_TEST(test_real_gzip_damaged)
{
    char img[4096], lab[4096];
    snprintf(img, sizeof img, "%s/" DWMTJ_FASHION_TEST_IMAGES, data_dir());
    snprintf(lab, sizeof lab, "%s/" DWMTJ_FASHION_TEST_LABELS, data_dir());
    size_t len;
    unsigned char *gz = read_plain(img, &len);
    ck_assert_uint_gt(len, 1000);
    for (size_t cut = 1; cut <= 9; cut++) {
        write_plain(spath("cut.gz"), gz, len - cut);
        expect_error(spath("cut.gz"), lab, DWMTJ_DATA_ERR_GZIP, spath("cut.gz"), NULL);
    }
    bytes b = {0};
    put(&b, gz, len);
    put(&b, "trailing garbage", 16);
    write_plain(spath("long.gz"), b.p, b.len);
    expect_error(spath("long.gz"), lab, DWMTJ_DATA_ERR_GZIP, spath("long.gz"),
                 "16 bytes after the end of the gzip stream");
    free(b.p);
    free(gz);
}
END_TEST

START_TEST(test_roundtrip)
{
    int gz = _i;
    write_syn_images(spath("img"), gz);
    write_syn_labels(spath("lab"), gz);
    dwmtj_dataset d;
    char *err = (char *)"stale";
    ck_assert_int_eq(dwmtj_dataset_load(&d, spath("img"), spath("lab"), &err), DWMTJ_DATA_OK);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(d.n, N);
    ck_assert_int_eq(d.rows, R);
    ck_assert_int_eq(d.cols, C);
    ck_assert_mem_eq(d.pixels, syn_pixels, sizeof syn_pixels);
    ck_assert_mem_eq(d.labels, syn_labels, sizeof syn_labels);
    dwmtj_dataset_free(&d);
}
END_TEST

/* load_dir: the standard names in dir, in $DWMTJ_FASHION_MNIST for NULL */
START_TEST(test_load_dir)
{
    write_syn_images(spath(DWMTJ_FASHION_TEST_IMAGES), 1);
    write_syn_labels(spath(DWMTJ_FASHION_TEST_LABELS), 1);
    /* a training set of one all-white 6x5 image of class 7 */
    unsigned char white[R * C], seven = 7;
    memset(white, 255, sizeof white);
    bytes b = idx_images(0x803, 1, R, C, white, sizeof white);
    write_bytes(spath(DWMTJ_FASHION_TRAIN_IMAGES), &b, 1);
    b = idx_labels(0x801, 1, &seven, 1);
    write_bytes(spath(DWMTJ_FASHION_TRAIN_LABELS), &b, 1);

    dwmtj_dataset d;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, scratch, 1, &err), DWMTJ_DATA_OK);
    ck_assert_int_eq(d.n, N);
    ck_assert_mem_eq(d.pixels, syn_pixels, sizeof syn_pixels);
    dwmtj_dataset_free(&d);

    /* a trailing slash is fine */
    char slashed[sizeof scratch + 2];
    snprintf(slashed, sizeof slashed, "%s/", scratch);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, slashed, 0, &err), DWMTJ_DATA_OK);
    ck_assert_int_eq(d.n, 1);
    ck_assert_int_eq(d.labels[0], 7);
    ck_assert_int_eq(d.pixels[R * C - 1], 255);
    dwmtj_dataset_free(&d);

    char *saved = getenv("DWMTJ_FASHION_MNIST");
    saved = saved ? strdup(saved) : NULL;
    ck_assert_int_eq(setenv("DWMTJ_FASHION_MNIST", scratch, 1), 0);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, NULL, 0, &err), DWMTJ_DATA_OK);
    ck_assert_int_eq(d.n, 1);
    dwmtj_dataset_free(&d);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, NULL, 1, &err), DWMTJ_DATA_OK);
    ck_assert_int_eq(d.n, N);
    dwmtj_dataset_free(&d);
    if (saved)
        setenv("DWMTJ_FASHION_MNIST", saved, 1);
    else
        unsetenv("DWMTJ_FASHION_MNIST");
    free(saved);

    /* an empty directory: the message names the missing file */
    char empty[sizeof scratch + 8];
    snprintf(empty, sizeof empty, "%s/none", scratch);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, empty, 1, &err), DWMTJ_DATA_ERR_FILE);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "none/" DWMTJ_FASHION_TEST_IMAGES));
    free(err);
}
END_TEST

/* ----------------------------------------------------------------- errors */

START_TEST(test_wrong_magic)
{
    write_syn_images(spath("img.gz"), 1);
    /* labels file carrying the image magic */
    bytes b = idx_labels(0x803, N, syn_labels, N);
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_MAGIC, spath("lab.gz"),
                 "magic 0x00000803, expected 0x00000801 (an IDX1 label file)");
    /* the two files swapped: the image file is named */
    write_syn_labels(spath("lab.gz"), 1);
    expect_error(spath("lab.gz"), spath("img.gz"), DWMTJ_DATA_ERR_MAGIC, spath("lab.gz"),
                 "expected 0x00000803 (an IDX3 image file); this is a label file");
    /* not an IDX file at all (text, read through as is) */
    const char *text = "hello, this is not an IDX file\n";
    write_plain(spath("text"), (const unsigned char *)text, strlen(text));
    expect_error(spath("text"), spath("lab.gz"), DWMTJ_DATA_ERR_MAGIC, spath("text"), NULL);
}
END_TEST

START_TEST(test_truncated_data)
{
    int gz = _i;
    write_syn_labels(spath("lab"), gz);
    /* one image and a half missing */
    bytes b = idx_images(0x803, N, R, C, syn_pixels, sizeof syn_pixels - R * C * 3 / 2);
    write_bytes(spath("img"), &b, gz);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_TRUNCATED, spath("img"),
                 "48 of 50 images");
    /* one label missing */
    write_syn_images(spath("img"), gz);
    b = idx_labels(0x801, N, syn_labels, N - 1);
    write_bytes(spath("lab"), &b, gz);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_TRUNCATED, spath("lab"),
                 "49 of 50 labels");
    /* no data at all */
    b = idx_labels(0x801, N, syn_labels, 0);
    write_bytes(spath("lab"), &b, gz);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_TRUNCATED, spath("lab"), NULL);
}
END_TEST

START_TEST(test_truncated_header)
{
    write_syn_labels(spath("lab.gz"), 1);
    bytes b = idx_images(0x803, N, R, C, syn_pixels, 0);
    b.len = 6; /* magic and half the count */
    write_bytes(spath("img.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_TRUNCATED, spath("img.gz"),
                 "header ends after 6 of 16 bytes");
    /* an empty file, plain and compressed */
    write_plain(spath("empty"), (const unsigned char *)"", 0);
    expect_error(spath("empty"), spath("lab.gz"), DWMTJ_DATA_ERR_TRUNCATED, spath("empty"),
                 "after 0 of 16");
    write_gz(spath("empty.gz"), NULL, 0);
    write_syn_images(spath("img.gz"), 1);
    expect_error(spath("img.gz"), spath("empty.gz"), DWMTJ_DATA_ERR_TRUNCATED,
                 spath("empty.gz"), "after 0 of 8");
    /* a label header that stops within the count */
    b = idx_labels(0x801, N, syn_labels, 0);
    b.len = 7;
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_TRUNCATED, spath("lab.gz"),
                 "header ends after 7 of 8 bytes");
}
END_TEST

START_TEST(test_trailing_bytes)
{
    int gz = _i;
    write_syn_labels(spath("lab"), gz);
    bytes b = idx_images(0x803, N, R, C, syn_pixels, sizeof syn_pixels);
    put(&b, "xyz", 3);
    write_bytes(spath("img"), &b, gz);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_TRAILING, spath("img"),
                 "3 bytes after the 50 declared images");
    /* many extra bytes (more than one read buffer) in the label file */
    write_syn_images(spath("img"), gz);
    b = idx_labels(0x801, N, syn_labels, N);
    unsigned char junk[10000];
    fill(junk, sizeof junk, 7u, 10);
    put(&b, junk, sizeof junk);
    write_bytes(spath("lab"), &b, gz);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_TRAILING, spath("lab"),
                 "10000 bytes after");
}
END_TEST

START_TEST(test_count_mismatch)
{
    write_syn_images(spath("img.gz"), 1);
    bytes b = idx_labels(0x801, N - 1, syn_labels, N - 1);
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_MISMATCH, spath("img.gz"),
                 spath("lab.gz"));
    char *err = NULL;
    dwmtj_dataset d;
    dwmtj_dataset_load(&d, spath("img.gz"), spath("lab.gz"), &err);
    ck_assert_ptr_nonnull(strstr(err, "49 labels"));
    ck_assert_ptr_nonnull(strstr(err, "50 images"));
    free(err);
}
END_TEST

START_TEST(test_bad_label)
{
    write_syn_images(spath("img.gz"), 1);
    unsigned char labels[N];
    memcpy(labels, syn_labels, N);
    labels[37] = 10;
    bytes b = idx_labels(0x801, N, labels, N);
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_LABEL, spath("lab.gz"),
                 "label 10 at index 37");
    labels[37] = 255;
    b = idx_labels(0x801, N, labels, N);
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_LABEL, spath("lab.gz"),
                 "label 255");
}
END_TEST

START_TEST(test_bad_dims)
{
    write_syn_labels(spath("lab"), 0);
    static const uint32_t dims[][3] = {
        {N, 0, C}, {N, R, 0}, {N, 1025, C}, {N, R, 0xffffffffu}, {0, R, C}, {0x80000000u, R, C}};
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
        bytes b = idx_images(0x803, dims[k][0], dims[k][1], dims[k][2], syn_pixels,
                             sizeof syn_pixels);
        write_bytes(spath("img"), &b, 0);
        expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_DIMS, spath("img"), NULL);
    }
    /* a label file declaring no labels */
    write_syn_images(spath("img"), 0);
    bytes b = idx_labels(0x801, 0, syn_labels, 0);
    write_bytes(spath("lab"), &b, 0);
    expect_error(spath("img"), spath("lab"), DWMTJ_DATA_ERR_DIMS, spath("lab"), "0 labels");
}
END_TEST

/* A header declaring 2^31-1 images of 1024 x 1024 (2 PiB) with little data
 * behind it: truncated, found without allocating the declared size (under
 * ASan a huge malloc would abort the test). */
START_TEST(test_huge_declared_count)
{
    bytes b = idx_images(0x803, 0x7fffffffu, 1024, 1024, syn_pixels, sizeof syn_pixels);
    write_bytes(spath("img.gz"), &b, 1);
    b = idx_labels(0x801, 0x7fffffffu, syn_labels, N);
    write_bytes(spath("lab.gz"), &b, 1);
    expect_error(spath("img.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_TRUNCATED, spath("img.gz"),
                 "0 of 2147483647 images");
}
END_TEST

/* Bytes flipped in the middle of a gzip file's deflate data, and a gzip
 * file cut in half: corrupt stream. */
START_TEST(test_corrupt_gzip)
{
    write_syn_labels(spath("lab.gz"), 1);
    /* 200 pseudo-random images of 28x28: about 157 kB that do not compress */
    enum { BIG = 200 * 28 * 28 };
    unsigned char *big = malloc(BIG);
    ck_assert_ptr_nonnull(big);
    fill(big, BIG, 99u, 256);
    bytes b = idx_images(0x803, 200, 28, 28, big, BIG);
    write_bytes(spath("big.gz"), &b, 1);
    b = idx_labels(0x801, 200, big, 200);
    for (size_t i = 0; i < b.len - 8; i++)
        b.p[8 + i] %= 10;
    write_bytes(spath("big-lab.gz"), &b, 1);
    /* the intact pair loads */
    dwmtj_dataset d;
    ck_assert_int_eq(dwmtj_dataset_load(&d, spath("big.gz"), spath("big-lab.gz"), NULL),
                     DWMTJ_DATA_OK);
    ck_assert_mem_eq(d.pixels, big, BIG);
    dwmtj_dataset_free(&d);

    size_t len;
    unsigned char *gz = read_plain(spath("big.gz"), &len);
    ck_assert_uint_gt(len, 100000);
    ck_assert_int_eq(gz[0], 0x1f);
    ck_assert_int_eq(gz[1], 0x8b);
    unsigned char *bad = malloc(len);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, gz, len);
    for (size_t i = len / 2; i < len / 2 + 16; i++)
        bad[i] ^= 0xa5;
    write_plain(spath("flipped.gz"), bad, len);
    expect_error(spath("flipped.gz"), spath("big-lab.gz"), DWMTJ_DATA_ERR_GZIP,
                 spath("flipped.gz"), "corrupt gzip stream");
    /* a single flipped bit near the end */
    memcpy(bad, gz, len);
    bad[len - 1000] ^= 0x10;
    write_plain(spath("flipped.gz"), bad, len);
    expect_error(spath("flipped.gz"), spath("big-lab.gz"), DWMTJ_DATA_ERR_GZIP,
                 spath("flipped.gz"), NULL);
    /* cut in half */
    write_plain(spath("cut.gz"), gz, len / 2);
    expect_error(spath("cut.gz"), spath("big-lab.gz"), DWMTJ_DATA_ERR_GZIP, spath("cut.gz"),
                 NULL);
    /* only the 8-byte gzip trailer (CRC, length) missing */
    write_plain(spath("cut.gz"), gz, len - 8);
    expect_error(spath("cut.gz"), spath("big-lab.gz"), DWMTJ_DATA_ERR_GZIP, spath("cut.gz"),
                 NULL);
    /* a wrong CRC in the trailer */
    memcpy(bad, gz, len);
    bad[len - 8] ^= 1;
    write_plain(spath("crc.gz"), bad, len);
    expect_error(spath("crc.gz"), spath("big-lab.gz"), DWMTJ_DATA_ERR_GZIP, spath("crc.gz"),
                 NULL);
    free(bad);
    free(gz);
    free(big);
}
END_TEST

/* A gzip member whose 8-byte trailer (CRC-32, length) is cut by 1 to 8
 * bytes, or cut into its deflate data as well: a corrupt stream, although
 * every data byte may have been inflated already. */
START_TEST(test_gzip_trailer_cut)
{
    write_syn_labels(spath("lab.gz"), 1);
    write_syn_images(spath("img.gz"), 1);
    size_t len;
    unsigned char *gz = read_plain(spath("img.gz"), &len);
    ck_assert_uint_gt(len, 20);
    for (size_t cut = 1; cut <= 12; cut++) {
        write_plain(spath("cut.gz"), gz, len - cut);
        expect_error(spath("cut.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_GZIP, spath("cut.gz"),
                     cut <= 8 ? "cut off" : NULL);
    }
    free(gz);
}
END_TEST

/* Bytes after the end of a gzip member that are not another member (zlib's
 * gzread skips them silently): an error.  A second member is gzip too
 * (gzip -t accepts it): an empty one loads, one with data is data past the
 * declared images. */
START_TEST(test_gzip_trailing_garbage)
{
    write_syn_labels(spath("lab.gz"), 1);
    write_syn_images(spath("img.gz"), 1);
    size_t len;
    unsigned char *gz = read_plain(spath("img.gz"), &len);
    static const struct {
        const char *tail;
        size_t n;
        const char *want;
    } junk[] = {
        {"garbage\n", 8, "8 bytes after the end of the gzip stream"},
        {"\0", 1, "1 byte after the end of the gzip stream"},
        {"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, "16 bytes after"},
        {"\x1f", 1, "1 byte after"},
        {"\x1f\x8b", 2, "gzip stream"}, /* the start of a member cut short */
    };
    for (size_t k = 0; k < sizeof junk / sizeof junk[0]; k++) {
        bytes b = {0};
        put(&b, gz, len);
        put(&b, junk[k].tail, junk[k].n);
        write_plain(spath("x.gz"), b.p, b.len);
        free(b.p);
        expect_error(spath("x.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_GZIP, spath("x.gz"),
                     junk[k].want);
    }
    /* an empty second member: valid gzip, the same data */
    write_gz(spath("empty.gz"), NULL, 0);
    size_t elen;
    unsigned char *e = read_plain(spath("empty.gz"), &elen);
    bytes b = {0};
    put(&b, gz, len);
    put(&b, e, elen);
    write_plain(spath("two.gz"), b.p, b.len);
    dwmtj_dataset d;
    char *err = NULL;
    ck_assert_msg(dwmtj_dataset_load(&d, spath("two.gz"), spath("lab.gz"), &err) ==
                      DWMTJ_DATA_OK, "%s", err ? err : "");
    ck_assert_mem_eq(d.pixels, syn_pixels, sizeof syn_pixels);
    dwmtj_dataset_free(&d);
    /* a second member with data: more bytes than the header declares */
    put(&b, gz, len);
    write_plain(spath("three.gz"), b.p, b.len);
    expect_error(spath("three.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_TRAILING, spath("three.gz"),
                 "bytes after the 50 declared images");
    free(b.p);
    free(e);
    free(gz);
}
END_TEST

START_TEST(test_missing_file)
{
    write_syn_images(spath("img.gz"), 1);
    write_syn_labels(spath("lab.gz"), 1);
    expect_error(spath("nothing.gz"), spath("lab.gz"), DWMTJ_DATA_ERR_FILE,
                 spath("nothing.gz"), "No such file");
    expect_error(spath("img.gz"), spath("nothing.gz"), DWMTJ_DATA_ERR_FILE,
                 spath("nothing.gz"), NULL);
    /* a directory is not a readable data file */
    expect_error(scratch, spath("lab.gz"), DWMTJ_DATA_ERR_FILE, scratch, NULL);
}
END_TEST

START_TEST(test_null_arguments)
{
    write_syn_images(spath("img.gz"), 1);
    write_syn_labels(spath("lab.gz"), 1);
    dwmtj_dataset d;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_dataset_load(NULL, spath("img.gz"), spath("lab.gz"), &err),
                     DWMTJ_DATA_ERR_USAGE);
    ck_assert_ptr_nonnull(err);
    free(err);
    ck_assert_int_eq(dwmtj_dataset_load(&d, NULL, spath("lab.gz"), &err),
                     DWMTJ_DATA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "images"));
    ck_assert(is_zero(&d));
    free(err);
    ck_assert_int_eq(dwmtj_dataset_load(&d, spath("img.gz"), NULL, &err),
                     DWMTJ_DATA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "labels"));
    free(err);
    /* error may be NULL, on success and on failure */
    ck_assert_int_eq(dwmtj_dataset_load(&d, spath("img.gz"), spath("lab.gz"), NULL),
                     DWMTJ_DATA_OK);
    dwmtj_dataset_free(&d);
    ck_assert_int_eq(dwmtj_dataset_load(&d, spath("none"), spath("lab.gz"), NULL),
                     DWMTJ_DATA_ERR_FILE);
    ck_assert_int_eq(dwmtj_dataset_load_dir(NULL, scratch, 1, &err), DWMTJ_DATA_ERR_USAGE);
    free(err);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, scratch, 2, &err), DWMTJ_DATA_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "test is 2"));
    free(err);
    ck_assert_int_eq(dwmtj_dataset_load_dir(&d, scratch, -1, NULL), DWMTJ_DATA_ERR_USAGE);
    dwmtj_dataset_free(NULL);
    dwmtj_dataset_free(&d);
}
END_TEST

START_TEST(test_status_strings)
{
    static const int codes[] = {
        DWMTJ_DATA_OK,          DWMTJ_DATA_ERR_FILE,      DWMTJ_DATA_ERR_GZIP,
        DWMTJ_DATA_ERR_MAGIC,   DWMTJ_DATA_ERR_DIMS,      DWMTJ_DATA_ERR_TRUNCATED,
        DWMTJ_DATA_ERR_TRAILING, DWMTJ_DATA_ERR_MISMATCH, DWMTJ_DATA_ERR_LABEL,
        DWMTJ_DATA_ERR_NOMEM,   DWMTJ_DATA_ERR_USAGE};
    const char *unknown = dwmtj_data_status_string(-1);
    ck_assert_ptr_nonnull(unknown);
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ck_assert(codes[i] <= -500 && codes[i] >= -520);
        const char *s = dwmtj_data_status_string(codes[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_ne(s, unknown);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(s, dwmtj_data_status_string(codes[j]));
    }
    ck_assert_str_eq(dwmtj_fashion_class_name(0), "T-shirt/top");
    ck_assert_str_eq(dwmtj_fashion_class_name(9), "Ankle boot");
    ck_assert_str_eq(dwmtj_fashion_class_name(10), "?");
    ck_assert_str_eq(dwmtj_fashion_class_name(-1), "?");
}
END_TEST

/* ------------------------------------------------------------- downsample */

/* Two 4x4 images; blocks of 2x2 with means worked out by hand. */
static const unsigned char img4[2 * 16] = {
    /* image 0: blocks {0,1,2,3} {10,20,30,40} / {255,255,255,255} {0,0,0,1} */
    0, 1, 10, 20,
    2, 3, 30, 40,
    255, 255, 0, 0,
    255, 255, 0, 1,
    /* image 1: {1,1,1,2} {1,2,2,2} / {7,8,8,8} {100,101,100,101} */
    1, 1, 1, 2,
    1, 2, 2, 2,
    7, 8, 100, 101,
    8, 8, 100, 101};
static unsigned char lab4[2] = {3, 8};

START_TEST(test_downsample_2x2)
{
    /* means: 1.5 -> 2, 25, 255, 0.25 -> 0; 1.25 -> 1, 1.75 -> 2, 7.75 -> 8,
     * 100.5 -> 101 (halves round up) */
    static const unsigned char want[2 * 4] = {2, 25, 255, 0, 1, 2, 8, 101};
    dwmtj_dataset in = {2, 4, 4, (unsigned char *)img4, lab4}, out;
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 2, &out), DWMTJ_DATA_OK);
    ck_assert_int_eq(out.n, 2);
    ck_assert_int_eq(out.rows, 2);
    ck_assert_int_eq(out.cols, 2);
    ck_assert_mem_eq(out.pixels, want, sizeof want);
    ck_assert_mem_eq(out.labels, lab4, 2);
    ck_assert_ptr_ne(out.labels, lab4);
    dwmtj_dataset_free(&out);

    /* factor 4: the whole image; (0+1+10+20+2+3+30+40+4*255+1)/16 = 70.44 */
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 4, &out), DWMTJ_DATA_OK);
    ck_assert_int_eq(out.rows, 1);
    ck_assert_int_eq(out.cols, 1);
    ck_assert_int_eq(out.pixels[0], 70);
    /* (1+1+1+2+1+2+2+2+7+8+8+8+100+101+100+101)/16 = 27.81 */
    ck_assert_int_eq(out.pixels[1], 28);
    dwmtj_dataset_free(&out);

    /* factor 1: a copy */
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 1, &out), DWMTJ_DATA_OK);
    ck_assert_int_eq(out.rows, 4);
    ck_assert_mem_eq(out.pixels, img4, sizeof img4);
    ck_assert_ptr_ne(out.pixels, img4);

    /* in place: out's arrays are replaced */
    ck_assert_int_eq(dwmtj_dataset_downsample(&out, 2, &out), DWMTJ_DATA_OK);
    ck_assert_int_eq(out.rows, 2);
    ck_assert_mem_eq(out.pixels, want, sizeof want);
    dwmtj_dataset_free(&out);
}
END_TEST

/* A non-square image: rows and columns pool separately. */
START_TEST(test_downsample_rectangular)
{
    /* 2 rows x 6 columns, factor 2: 1 x 3 */
    static unsigned char px[12] = {0, 2, 4, 4, 9, 9, 2, 0, 4, 5, 9, 10};
    static unsigned char lb[1] = {0};
    dwmtj_dataset in = {1, 2, 6, px, lb}, out;
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 2, &out), DWMTJ_DATA_OK);
    ck_assert_int_eq(out.rows, 1);
    ck_assert_int_eq(out.cols, 3);
    ck_assert_int_eq(out.pixels[0], 1);  /* 4/4 */
    ck_assert_int_eq(out.pixels[1], 4);  /* 17/4 = 4.25 */
    ck_assert_int_eq(out.pixels[2], 9);  /* 37/4 = 9.25 */
    dwmtj_dataset_free(&out);
}
END_TEST

START_TEST(test_downsample_usage)
{
    dwmtj_dataset in = {2, 4, 4, (unsigned char *)img4, lab4};
    dwmtj_dataset out = {0};
    ck_assert_int_eq(dwmtj_dataset_downsample(NULL, 2, &out), DWMTJ_DATA_ERR_USAGE);
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 2, NULL), DWMTJ_DATA_ERR_USAGE);
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 0, &out), DWMTJ_DATA_ERR_USAGE);
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, -2, &out), DWMTJ_DATA_ERR_USAGE);
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 3, &out), DWMTJ_DATA_ERR_USAGE);
    ck_assert_int_eq(dwmtj_dataset_downsample(&in, 8, &out), DWMTJ_DATA_ERR_USAGE);
    dwmtj_dataset empty = {0};
    ck_assert_int_eq(dwmtj_dataset_downsample(&empty, 2, &out), DWMTJ_DATA_ERR_USAGE);
    ck_assert(is_zero(&out));
}
END_TEST

/* The real test set at 14x14: the mean is kept (within rounding) and the
 * labels are the same. */
START_TEST(test_downsample_real)
{
    dwmtj_dataset d, s;
    load_real(&d, 1);
    ck_assert_int_eq(dwmtj_dataset_downsample(&d, 2, &s), DWMTJ_DATA_OK);
    ck_assert_int_eq(s.n, 10000);
    ck_assert_int_eq(s.rows, 14);
    ck_assert_int_eq(s.cols, 14);
    ck_assert_mem_eq(s.labels, d.labels, 10000);
    double sd = 0, ss = 0;
    for (size_t i = 0; i < (size_t)10000 * 784; i++)
        sd += d.pixels[i];
    for (size_t i = 0; i < (size_t)10000 * 196; i++)
        ss += s.pixels[i];
    sd /= 10000.0 * 784;
    ss /= 10000.0 * 196;
    ck_assert_msg(ss >= sd - 0.26 && ss <= sd + 0.51, "mean %g at 28x28, %g at 14x14", sd, ss);
    /* pixel (3, 5) of image 17 is the mean of its block */
    const unsigned char *p = d.pixels + 17 * 784;
    unsigned sum = p[6 * 28 + 10] + p[6 * 28 + 11] + p[7 * 28 + 10] + p[7 * 28 + 11];
    ck_assert_uint_eq(s.pixels[17 * 196 + 3 * 14 + 5], (2 * sum + 4) / 8);
    dwmtj_dataset_free(&s);
    dwmtj_dataset_free(&d);
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *data_suite(void)
{
    Suite *s = suite_create("data");

    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_real_test_set);
    tcase_add_test(tc, test_real_training_set);
    tcase_add_loop_test(tc, test_roundtrip, 0, 2);
    tcase_add_test(tc, test_load_dir);
    tcase_add_test(tc, test_real_gzip_damaged);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_wrong_magic);
    tcase_add_loop_test(tc, test_truncated_data, 0, 2);
    tcase_add_test(tc, test_truncated_header);
    tcase_add_loop_test(tc, test_trailing_bytes, 0, 2);
    tcase_add_test(tc, test_count_mismatch);
    tcase_add_test(tc, test_bad_label);
    tcase_add_test(tc, test_bad_dims);
    tcase_add_test(tc, test_huge_declared_count);
    tcase_add_test(tc, test_corrupt_gzip);
    tcase_add_test(tc, test_gzip_trailer_cut);
    tcase_add_test(tc, test_gzip_trailing_garbage);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_status_strings);
    suite_add_tcase(s, tc);

    tc = tcase_create("downsample");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_downsample_2x2);
    tcase_add_test(tc, test_downsample_rectangular);
    tcase_add_test(tc, test_downsample_usage);
    tcase_add_test(tc, test_downsample_real);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(data_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
