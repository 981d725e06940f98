/* dwmtj data: reads Fashion-MNIST (or any MNIST-shaped data set) from the
 * IDX files of Debian's dataset-fashion-mnist, for the spiking-network
 * trainer of snn/.
 *
 * Files are read through zlib's inflate: gzip-compressed IDX files, as
 * Debian ships them, and uncompressed ones alike.  A gzip file must end
 * with the end of a gzip member (CRC-32 and length checked): a cut-off
 * trailer and bytes after the last member are DWMTJ_DATA_ERR_GZIP.  The IDX format is
 * big-endian: a magic number 0x000008DD (08 = unsigned bytes, DD = number
 * of dimensions), one 32-bit size per dimension, then the data.  An image
 * file is IDX3 (count, rows, cols; magic 0x00000803), a label file IDX1
 * (count; magic 0x00000801).
 *
 * Status codes: 0 = DWMTJ_DATA_OK, negative = error.  Loaders return a
 * message in *error (malloc'd; the caller frees it; NULL on success, or
 * when out of memory) that names the file and what is wrong.  Nothing here
 * prints or calls exit(); free functions accept NULL.  No globals: the
 * functions are safe to call from several threads on distinct data sets. */
#ifndef DWMTJ_DATA_H
#define DWMTJ_DATA_H

enum dwmtj_data_status {
    DWMTJ_DATA_OK = 0,
    DWMTJ_DATA_ERR_FILE = -500,      /* a file is missing or unreadable */
    DWMTJ_DATA_ERR_GZIP = -501,      /* corrupt or cut-off gzip stream, or bytes after it */
    DWMTJ_DATA_ERR_MAGIC = -502,     /* wrong IDX magic number */
    DWMTJ_DATA_ERR_DIMS = -503,      /* a count or size out of range */
    DWMTJ_DATA_ERR_TRUNCATED = -504, /* fewer bytes than the header declares */
    DWMTJ_DATA_ERR_TRAILING = -505,  /* more bytes than the header declares */
    DWMTJ_DATA_ERR_MISMATCH = -506,  /* image and label counts differ */
    DWMTJ_DATA_ERR_LABEL = -507,     /* a label above 9 */
    DWMTJ_DATA_ERR_NOMEM = -508,     /* out of memory */
    DWMTJ_DATA_ERR_USAGE = -509      /* bad argument (NULL, out of range) */
};

/* Largest number of rows or columns an image file may declare. */
#define DWMTJ_DATA_MAX_SIDE 1024

/* Number of classes; labels are 0 .. DWMTJ_DATA_CLASSES - 1. */
#define DWMTJ_DATA_CLASSES 10

/* Standard file names of Fashion-MNIST (and MNIST) in a data directory. */
#define DWMTJ_FASHION_TRAIN_IMAGES "train-images-idx3-ubyte.gz"
#define DWMTJ_FASHION_TRAIN_LABELS "train-labels-idx1-ubyte.gz"
#define DWMTJ_FASHION_TEST_IMAGES "t10k-images-idx3-ubyte.gz"
#define DWMTJ_FASHION_TEST_LABELS "t10k-labels-idx1-ubyte.gz"
/* Where Debian's dataset-fashion-mnist installs them; the environment
 * variable DWMTJ_FASHION_MNIST, when set and not empty, overrides it. */
#define DWMTJ_FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

/* A labelled image set.  Image i is pixels[i*rows*cols ...], row-major
 * (row r, column c at r*cols + c), with label labels[i]. */
typedef struct dwmtj_dataset {
    int n;                 /* number of images (and labels), > 0 when loaded */
    int rows;              /* image height, pixels */
    int cols;              /* image width, pixels */
    unsigned char *pixels; /* n*rows*cols grey levels, 0 (background) .. 255 */
    unsigned char *labels; /* n class indices, 0..9 */
} dwmtj_dataset;

/* Loads an image file (IDX3) and its label file (IDX1), gzip-compressed or
 * not.  Checks the magic numbers, 0 < rows, cols <= DWMTJ_DATA_MAX_SIDE, a
 * count of at least one image, equal counts, the exact length of each file
 * (no missing and no extra bytes; a gzip stream's own CRC is checked too)
 * and labels <= 9.  *d need not be initialised (a data set it holds is not
 * freed); on error it is left empty (all zero) and nothing stays allocated.
 * error may be NULL when no message is wanted. */
int dwmtj_dataset_load(dwmtj_dataset *d, const char *images_path,
                       const char *labels_path, char **error);

/* Loads the training set (test = 0: train-*.gz, 60000 images in
 * Fashion-MNIST) or the test set (test = 1: t10k-*.gz, 10000 images) from
 * dir; dir NULL = $DWMTJ_FASHION_MNIST if set and not empty, else
 * DWMTJ_FASHION_DEFAULT_DIR. */
int dwmtj_dataset_load_dir(dwmtj_dataset *d, const char *dir, int test,
                           char **error);

/* Frees the arrays of *d and leaves it empty (all zero); d may be NULL. */
void dwmtj_dataset_free(dwmtj_dataset *d);

/* Average-pools every image of in over factor x factor blocks into out
 * (factor 2: 28x28 -> 14x14), each pixel the block mean rounded to the
 * nearest integer (halves up); labels are copied.  rows and cols of in
 * must be multiples of factor (factor >= 1), else DWMTJ_DATA_ERR_USAGE.
 * *out need not be initialised; out may be in, whose arrays are then
 * replaced.  On error *out is untouched. */
int dwmtj_dataset_downsample(const dwmtj_dataset *in, int factor,
                             dwmtj_dataset *out);

/* Fashion-MNIST's name of class label (0 "T-shirt/top" .. 9 "Ankle boot");
 * "?" outside 0..9. */
const char *dwmtj_fashion_class_name(int label);

/* A static description of a status code. */
const char *dwmtj_data_status_string(int status);

#endif
