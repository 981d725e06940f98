/* Fashion-MNIST IDX reader (dwmtj_data.h).
 *
 * A file that starts with the gzip magic (1f 8b) is inflated with zlib's
 * inflate (gzip wrapper only), member after member; any other file is read
 * as it is.  inflate checks each member's CRC-32 and length; the end of
 * the file must be the end of a member (a trailer cut short is an error,
 * even when every data byte came out already), and what follows a member
 * must be another member (gzread would skip such bytes silently).  The
 * data arrays grow while they are read, capped by the header's declared
 * size, so that a header declaring an absurd count costs no more memory
 * than the bytes actually present, and ends in DWMTJ_DATA_ERR_TRUNCATED
 * rather than in a failed multi-terabyte allocation. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_data.h"
#include "snn_fail.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
/* bytes read from the file at a time */
#define IN_LEN ((size_t)1 << 17)
/* inflate's counts are unsigned int: at most this many bytes per call */
#define OUT_CHUNK ((size_t)1 << 24)
/* first allocation of a data array; it doubles from there */
#define FIRST_ALLOC ((size_t)1 << 20)


/* One IDX file being read. */
typedef struct idx_file {
    const char *path;  /* as given, for messages */
    FILE *f;           /* open file, NULL when closed */
    int gz;            /* 1: gzip, inflated; 0: plain */
    int ended;         /* gzip: the last member ended at the end of the file */
    int z_live;        /* gzip: z was initialised */
    z_stream z;        /* gzip: the inflater; next_in/avail_in into in */
    unsigned char *in; /* IN_LEN bytes of input */
    uint64_t in_pos;   /* bytes read from the file so far */
    int images;        /* 1 image file (IDX3), 0 label file (IDX1) */
    uint32_t dims[3];  /* declared sizes: count[, rows, cols] */
} idx_file;

/* Tops up x->in after what is left of it; 0, or a read error's status. */
static int refill(idx_file *x, char **error)
{
    size_t keep = x->z.avail_in;
    if (keep && x->z.next_in != x->in)
        memmove(x->in, x->z.next_in, keep);
    errno = 0;
    size_t got = fread(x->in + keep, 1, IN_LEN - keep, x->f);
    if (got == 0 && ferror(x->f))
        return snn_fail(error, DWMTJ_DATA_ERR_FILE, "%s: read error: %s", x->path,
                        errno ? strerror(errno) : "I/O error");
    x->in_pos += got;
    x->z.next_in = x->in;
    x->z.avail_in = (uInt)(keep + got);
    return DWMTJ_DATA_OK;
}

/* After the end of a member: another member follows (inflate is reset for
 * it), or the file ends there (x->ended), or anything else is an error. */
static int next_member(idx_file *x, char **error)
{
    if (x->z.avail_in < 2) {
        int rc = refill(x, error);
        if (rc != DWMTJ_DATA_OK)
            return rc;
    }
    if (x->z.avail_in == 0) {
        x->ended = 1;
        return DWMTJ_DATA_OK;
    }
    if (x->z.avail_in >= 2 && x->z.next_in[0] == 0x1f && x->z.next_in[1] == 0x8b) {
        if (inflateReset(&x->z) != Z_OK)
            return snn_fail(error, DWMTJ_DATA_ERR_GZIP, "%s: cannot restart the inflater",
                            x->path);
        return DWMTJ_DATA_OK;
    }
    uint64_t end = x->in_pos - x->z.avail_in, extra = x->z.avail_in;
    for (;;) {
        errno = 0;
        size_t got = fread(x->in, 1, IN_LEN, x->f);
        if (got == 0) {
            if (ferror(x->f))
                return snn_fail(error, DWMTJ_DATA_ERR_FILE, "%s: read error: %s", x->path,
                                errno ? strerror(errno) : "I/O error");
            break;
        }
        extra += got;
    }
    return snn_fail(error, DWMTJ_DATA_ERR_GZIP,
                    "%s: %" PRIu64 " byte%s after the end of the gzip stream (which ends at "
                    "byte %" PRIu64 "), not another gzip member: the file is corrupt",
                    x->path, extra, extra == 1 ? "" : "s", end);
}

/* Reads up to len bytes of data; *got = bytes read, fewer than len only at
 * the end of the data.  Returns 0, or an error's status with its message. */
static int read_some(idx_file *x, unsigned char *buf, size_t len, size_t *got,
                     char **error)
{
    *got = 0;
    if (!x->gz) {
        /* first what the open read to look for the gzip magic */
        size_t k = x->z.avail_in < len ? x->z.avail_in : len;
        memcpy(buf, x->z.next_in, k);
        x->z.next_in += k;
        x->z.avail_in -= (uInt)k;
        *got = k;
        while (*got < len) {
            errno = 0;
            size_t k = fread(buf + *got, 1, len - *got, x->f);
            *got += k;
            if (k == 0) {
                if (ferror(x->f))
                    return snn_fail(error, DWMTJ_DATA_ERR_FILE, "%s: read error: %s",
                                    x->path, errno ? strerror(errno) : "I/O error");
                break;
            }
        }
        return DWMTJ_DATA_OK;
    }
    while (*got < len && !x->ended) {
        if (x->z.avail_in == 0) {
            int rc = refill(x, error);
            if (rc != DWMTJ_DATA_OK)
                return rc;
            if (x->z.avail_in == 0)
                return snn_fail(error, DWMTJ_DATA_ERR_GZIP,
                                "%s: corrupt gzip stream: cut off after %" PRIu64
                                " bytes, before the end of its data or of its CRC-32 and "
                                "length trailer",
                                x->path, x->in_pos);
        }
        size_t want = len - *got < OUT_CHUNK ? len - *got : OUT_CHUNK;
        x->z.next_out = buf + *got;
        x->z.avail_out = (uInt)want;
        int zr = inflate(&x->z, Z_NO_FLUSH);
        *got += want - x->z.avail_out;
        if (zr == Z_STREAM_END) {
            int rc = next_member(x, error);
            if (rc != DWMTJ_DATA_OK)
                return rc;
        } else if (zr == Z_MEM_ERROR) {
            return snn_fail(error, DWMTJ_DATA_ERR_NOMEM, "%s: out of memory inflating the file",
                            x->path);
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            /* Z_DATA_ERROR: bad deflate data, header, CRC-32 or length */
            return snn_fail(error, DWMTJ_DATA_ERR_GZIP, "%s: corrupt gzip stream (%s)", x->path,
                            x->z.msg ? x->z.msg : "zlib error");
        }
    }
    return DWMTJ_DATA_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void idx_close(idx_file *x)
{
    if (x->f)
        fclose(x->f);
    x->f = NULL;
    if (x->z_live)
        inflateEnd(&x->z);
    x->z_live = 0;
    free(x->in);
    x->in = NULL;
}

/* Opens x->path and reads and checks its header. */
static int idx_open(idx_file *x, char **error)
{
    const char *kind = x->images ? "an IDX3 image file" : "an IDX1 label file";
    uint32_t want_magic = x->images ? IDX_MAGIC_IMAGES : IDX_MAGIC_LABELS;
    size_t ndims = x->images ? 3 : 1;
    size_t header_len = 4 + 4 * ndims;

    errno = 0;
    x->f = fopen(x->path, "rb");
    if (!x->f) {
        int saved = errno;
        return snn_fail(error, saved == ENOMEM ? DWMTJ_DATA_ERR_NOMEM : DWMTJ_DATA_ERR_FILE,
                    "%s: cannot open: %s", x->path,
                    saved ? strerror(saved) : "fopen failed");
    }
    struct stat st;
    if (fstat(fileno(x->f), &st) == 0 && S_ISDIR(st.st_mode))
        return snn_fail(error, DWMTJ_DATA_ERR_FILE, "%s: cannot read: Is a directory", x->path);
    if (!(x->in = malloc(IN_LEN)))
        return snn_fail(error, DWMTJ_DATA_ERR_NOMEM, "%s: out of memory", x->path);
    int rc = refill(x, error);
    if (rc != DWMTJ_DATA_OK)
        return rc;
    x->gz = x->z.avail_in >= 2 && x->in[0] == 0x1f && x->in[1] == 0x8b;
    if (x->gz) {
        /* 15 + 16: a gzip wrapper only (no zlib, no raw deflate) */
        int zr = inflateInit2(&x->z, 15 + 16);
        if (zr != Z_OK)
            return snn_fail(error, zr == Z_MEM_ERROR ? DWMTJ_DATA_ERR_NOMEM : DWMTJ_DATA_ERR_GZIP,
                            "%s: cannot set up zlib's inflater", x->path);
        x->z_live = 1;
    }

    unsigned char h[16];
    size_t got;
    /* the magic number first, so that a file of the wrong kind is named as
     * such even when it is shorter than this kind's header */
    if ((rc = read_some(x, h, 4, &got, error)) != DWMTJ_DATA_OK)
        return rc;
    if (got == 4) {
        uint32_t magic = be32(h);
        uint32_t other = x->images ? IDX_MAGIC_LABELS : IDX_MAGIC_IMAGES;
        if (magic != want_magic)
            return snn_fail(error, DWMTJ_DATA_ERR_MAGIC,
                        "%s: magic 0x%08lx, expected 0x%08lx (%s)%s", x->path,
                        (unsigned long)magic, (unsigned long)want_magic, kind,
                        magic != other ? ""
                        : x->images    ? "; this is a label file"
                                       : "; this is an image file");
        size_t more;
        if ((rc = read_some(x, h + 4, header_len - 4, &more, error)) != DWMTJ_DATA_OK)
            return rc;
        got += more;
    }
    if (got < header_len)
        return snn_fail(error, DWMTJ_DATA_ERR_TRUNCATED,
                    "%s: header ends after %zu of %zu bytes (%s)", x->path, got,
                    header_len, kind);

    for (size_t i = 0; i < ndims; i++)
        x->dims[i] = be32(h + 4 + 4 * i);
    const char *what = x->images ? "images" : "labels";
    if (x->dims[0] == 0)
        return snn_fail(error, DWMTJ_DATA_ERR_DIMS, "%s: declares 0 %s", x->path, what);
    if (x->dims[0] > (uint32_t)INT_MAX)
        return snn_fail(error, DWMTJ_DATA_ERR_DIMS, "%s: declares %lu %s, more than %d",
                    x->path, (unsigned long)x->dims[0], what, INT_MAX);
    if (x->images) {
        for (int i = 1; i <= 2; i++)
            if (x->dims[i] == 0 || x->dims[i] > DWMTJ_DATA_MAX_SIDE)
                return snn_fail(error, DWMTJ_DATA_ERR_DIMS,
                            "%s: images of %lu x %lu pixels, expected 1..%d each",
                            x->path, (unsigned long)x->dims[1],
                            (unsigned long)x->dims[2], DWMTJ_DATA_MAX_SIDE);
        /* count * rows * cols must fit size_t (always on 64-bit) */
        size_t per = (size_t)x->dims[1] * x->dims[2];
        if ((size_t)x->dims[0] > SIZE_MAX / per)
            return snn_fail(error, DWMTJ_DATA_ERR_DIMS,
                        "%s: %lu images of %lu x %lu pixels do not fit in memory",
                        x->path, (unsigned long)x->dims[0], (unsigned long)x->dims[1],
                        (unsigned long)x->dims[2]);
    }
    return DWMTJ_DATA_OK;
}

/* Reads the data of x (its declared length) into a new array *out, then
 * checks that the file ends there. */
static int idx_read_data(idx_file *x, unsigned char **out, char **error)
{
    const char *what = x->images ? "image data" : "label data";
    size_t per = x->images ? (size_t)x->dims[1] * x->dims[2] : 1;
    size_t size = (size_t)x->dims[0] * per;
    size_t cap = size < FIRST_ALLOC ? size : FIRST_ALLOC;
    size_t have = 0;
    unsigned char *buf = malloc(cap);
    *out = NULL;
    if (!buf)
        return snn_fail(error, DWMTJ_DATA_ERR_NOMEM, "%s: out of memory for %zu bytes of %s",
                    x->path, cap, what);

    for (;;) {
        size_t got;
        int rc = read_some(x, buf + have, cap - have, &got, error);
        if (rc != DWMTJ_DATA_OK) {
            free(buf);
            return rc;
        }
        have += got;
        if (have < cap) { /* end of file */
            free(buf);
            if (x->images)
                return snn_fail(error, DWMTJ_DATA_ERR_TRUNCATED,
                            "%s: image data ends after %zu of %zu bytes (%zu of %lu "
                            "images of %lux%lu)",
                            x->path, have, size, have / per, (unsigned long)x->dims[0],
                            (unsigned long)x->dims[1], (unsigned long)x->dims[2]);
            return snn_fail(error, DWMTJ_DATA_ERR_TRUNCATED,
                        "%s: label data ends after %zu of %lu labels", x->path, have,
                        (unsigned long)x->dims[0]);
        }
        if (cap == size)
            break;
        size_t next = cap > size / 2 ? size : 2 * cap;
        unsigned char *grown = realloc(buf, next);
        if (!grown) {
            free(buf);
            return snn_fail(error, DWMTJ_DATA_ERR_NOMEM,
                        "%s: out of memory for %zu bytes of %s", x->path, next, what);
        }
        buf = grown;
        cap = next;
    }

    /* Nothing may follow.  Read on to the end, so that a corrupt stream
     * (its CRC is checked at the end) is told from one with extra data. */
    unsigned char extra[4096];
    size_t trailing = 0;
    for (;;) {
        size_t got;
        int rc = read_some(x, extra, sizeof extra, &got, error);
        if (rc != DWMTJ_DATA_OK) {
            free(buf);
            return rc;
        }
        trailing += got;
        if (got < sizeof extra)
            break;
    }
    if (trailing) {
        free(buf);
        return snn_fail(error, DWMTJ_DATA_ERR_TRAILING,
                    "%s: %zu bytes after the %lu declared %s", x->path, trailing,
                    (unsigned long)x->dims[0], x->images ? "images" : "labels");
    }
    *out = buf;
    return DWMTJ_DATA_OK;
}

int dwmtj_dataset_load(dwmtj_dataset *d, const char *images_path,
                       const char *labels_path, char **error)
{
    if (error)
        *error = NULL;
    if (!d)
        return snn_fail(error, DWMTJ_DATA_ERR_USAGE, "dwmtj_dataset_load: the data set is NULL");
    memset(d, 0, sizeof *d);
    if (!images_path || !labels_path)
        return snn_fail(error, DWMTJ_DATA_ERR_USAGE, "dwmtj_dataset_load: the %s path is NULL",
                    images_path ? "labels" : "images");

    idx_file im = {.path = images_path, .images = 1};
    idx_file lb = {.path = labels_path, .images = 0};
    unsigned char *pixels = NULL, *labels = NULL;
    int rc = idx_open(&im, error);
    if (rc == DWMTJ_DATA_OK)
        rc = idx_open(&lb, error);
    if (rc == DWMTJ_DATA_OK && im.dims[0] != lb.dims[0])
        rc = snn_fail(error, DWMTJ_DATA_ERR_MISMATCH, "%s: %lu labels, but %s has %lu images",
                  labels_path, (unsigned long)lb.dims[0], images_path,
                  (unsigned long)im.dims[0]);
    if (rc == DWMTJ_DATA_OK)
        rc = idx_read_data(&im, &pixels, error);
    if (rc == DWMTJ_DATA_OK)
        rc = idx_read_data(&lb, &labels, error);
    if (rc == DWMTJ_DATA_OK) {
        for (size_t i = 0; i < lb.dims[0]; i++)
            if (labels[i] >= DWMTJ_DATA_CLASSES) {
                rc = snn_fail(error, DWMTJ_DATA_ERR_LABEL,
                          "%s: label %u at index %zu, expected 0..%d", labels_path,
                          (unsigned)labels[i], i, DWMTJ_DATA_CLASSES - 1);
                break;
            }
    }
    idx_close(&im);
    idx_close(&lb);
    if (rc != DWMTJ_DATA_OK) {
        free(pixels);
        free(labels);
        return rc;
    }
    d->n = (int)im.dims[0];
    d->rows = (int)im.dims[1];
    d->cols = (int)im.dims[2];
    d->pixels = pixels;
    d->labels = labels;
    return DWMTJ_DATA_OK;
}

int dwmtj_dataset_load_dir(dwmtj_dataset *d, const char *dir, int test, char **error)
{
    if (error)
        *error = NULL;
    if (d)
        memset(d, 0, sizeof *d);
    if (!d)
        return snn_fail(error, DWMTJ_DATA_ERR_USAGE,
                    "dwmtj_dataset_load_dir: the data set is NULL");
    if (test != 0 && test != 1)
        return snn_fail(error, DWMTJ_DATA_ERR_USAGE,
                    "dwmtj_dataset_load_dir: test is %d, expected 0 (training set) "
                    "or 1 (test set)",
                    test);
    if (!dir) {
        dir = getenv("DWMTJ_FASHION_MNIST");
        if (!dir || !*dir)
            dir = DWMTJ_FASHION_DEFAULT_DIR;
    }
    const char *iname = test ? DWMTJ_FASHION_TEST_IMAGES : DWMTJ_FASHION_TRAIN_IMAGES;
    const char *lname = test ? DWMTJ_FASHION_TEST_LABELS : DWMTJ_FASHION_TRAIN_LABELS;
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    size_t ilen = dl + 1 + strlen(iname) + 1, llen = dl + 1 + strlen(lname) + 1;
    char *ipath = malloc(ilen), *lpath = malloc(llen);
    if (!ipath || !lpath) {
        free(ipath);
        free(lpath);
        return snn_fail(error, DWMTJ_DATA_ERR_NOMEM, "%s: out of memory", dir);
    }
    snprintf(ipath, ilen, "%s%s%s", dir, slash ? "" : "/", iname);
    snprintf(lpath, llen, "%s%s%s", dir, slash ? "" : "/", lname);
    int rc = dwmtj_dataset_load(d, ipath, lpath, error);
    free(ipath);
    free(lpath);
    return rc;
}

void dwmtj_dataset_free(dwmtj_dataset *d)
{
    if (!d)
        return;
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

int dwmtj_dataset_downsample(const dwmtj_dataset *in, int factor, dwmtj_dataset *out)
{
    if (!in || !out || factor < 1 || in->n < 1 || in->rows < 1 || in->cols < 1 ||
        !in->pixels || !in->labels || in->rows % factor || in->cols % factor)
        return DWMTJ_DATA_ERR_USAGE;
    size_t n = (size_t)in->n;
    int orows = in->rows / factor, ocols = in->cols / factor;
    size_t isize = (size_t)in->rows * (size_t)in->cols;
    size_t osize = (size_t)orows * (size_t)ocols;
    unsigned char *pixels = malloc(n * osize);
    unsigned char *labels = malloc(n);
    if (!pixels || !labels) {
        free(pixels);
        free(labels);
        return DWMTJ_DATA_ERR_NOMEM;
    }
    /* factor <= 1024, so a block sum is at most 255 * 2^20: fits unsigned long */
    unsigned long area = (unsigned long)factor * (unsigned long)factor;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *src = in->pixels + i * isize;
        unsigned char *dst = pixels + i * osize;
        for (int r = 0; r < orows; r++)
            for (int c = 0; c < ocols; c++) {
                unsigned long sum = 0;
                for (int y = 0; y < factor; y++) {
                    const unsigned char *row =
                        src + (size_t)(r * factor + y) * (size_t)in->cols + (size_t)(c * factor);
                    for (int x = 0; x < factor; x++)
                        sum += row[x];
                }
                dst[(size_t)(r * ocols + c)] = (unsigned char)((2 * sum + area) / (2 * area));
            }
    }
    memcpy(labels, in->labels, n);
    dwmtj_dataset result = {in->n, orows, ocols, pixels, labels};
    if (out == in)
        dwmtj_dataset_free(out);
    *out = result;
    return DWMTJ_DATA_OK;
}

const char *dwmtj_fashion_class_name(int label)
{
    static const char *const names[DWMTJ_DATA_CLASSES] = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return label >= 0 && label < DWMTJ_DATA_CLASSES ? names[label] : "?";
}

const char *dwmtj_data_status_string(int status)
{
    switch (status) {
    case DWMTJ_DATA_OK: return "success";
    case DWMTJ_DATA_ERR_FILE: return "a data file is missing or unreadable";
    case DWMTJ_DATA_ERR_GZIP: return "corrupt or cut-off gzip stream, or bytes after its end";
    case DWMTJ_DATA_ERR_MAGIC: return "wrong IDX magic number";
    case DWMTJ_DATA_ERR_DIMS: return "image count or size out of range";
    case DWMTJ_DATA_ERR_TRUNCATED: return "the file is shorter than its header declares";
    case DWMTJ_DATA_ERR_TRAILING: return "the file is longer than its header declares";
    case DWMTJ_DATA_ERR_MISMATCH: return "image and label counts differ";
    case DWMTJ_DATA_ERR_LABEL: return "a label is outside 0..9";
    case DWMTJ_DATA_ERR_NOMEM: return "out of memory";
    case DWMTJ_DATA_ERR_USAGE: return "bad argument";
    default: return "unknown status";
    }
}
