/* Trained spiking networks: the parameters of a layered spiking MLP and a
 * versioned, checksummed file format for them (doc/weights-format.md).
 * Status codes 0 = ok, negative = error (DWMTJ_W_ERR_*), as in the rest of
 * the project; no printing, no exit; free functions accept NULL. */
#ifndef DWMTJ_WEIGHTS_H
#define DWMTJ_WEIGHTS_H

#include <stdint.h>

#define DWMTJ_W_MAX_LAYERS 8   /* weight layers */
/* Limits of a network that loads and saves (doc/weights-format.md). */
#define DWMTJ_W_MAX_SIZE 100000       /* neurons in one layer */
#define DWMTJ_W_MAX_STEPS 100000      /* time steps per image */
#define DWMTJ_W_MAX_PARAMS 0x7fffffffu /* weights + biases in all: 2^31 - 1 */
#define DWMTJ_W_DT_MIN 1e-15          /* s, shortest time step (also of tau_mem > 0) */
#define DWMTJ_W_DT_MAX 1e-3           /* s, longest time step */
#define DWMTJ_W_GAIN_MAX 1.0          /* A per unit weight x spike, largest gain */
#define DWMTJ_W_SIGMA_MAX 10.0        /* 1, largest relative velocity noise */
#define DWMTJ_W_TAU_MAX 1.0           /* s, longest LIF membrane time constant */
#define DWMTJ_W_RATE_MAX 1e15         /* Hz, largest input spike rate */
#define DWMTJ_W_CELL_I_MAX 10e-3      /* A, largest i_read, i_clear, i_neg of a cell; the
                                         default i_neg (no lower clamp of its own) */
#define DWMTJ_W_CELL_V_MAX 10.0       /* V, largest v_write */
#define DWMTJ_W_CELL_T_MAX 1e-6       /* s, longest t_clear, t_write, t_start */

enum dwmtj_neuron_kind {
    DWMTJ_KIND_LIF = 0,        /* ideal leaky integrate-and-fire */
    DWMTJ_KIND_DWMTJ = 1,      /* libdwmtj's scaled device, sigma = 0 */
    DWMTJ_KIND_DWMTJ_NOISY = 2, /* libdwmtj's scaled device, sigma > 0 */
    DWMTJ_KIND_DWMTJ_THERMAL = 3 /* libdwmtj's scaled-thermal device (thermal model:
                                    pinned, Joule-heated, escape drawn per neuron);
                                    sigma = 0 */
};
#define DWMTJ_KIND_COUNT 4
/* The name of each kind, as dwmtj train's --neuron takes it ("lif",
 * "dwmtj", "dwmtj-noisy", "dwmtj-thermal"), indexed by DWMTJ_KIND_*. */
extern const char *const dwmtj_kind_names[DWMTJ_KIND_COUNT];

enum dwmtj_w_status {
    DWMTJ_W_OK = 0,
    DWMTJ_W_ERR_USAGE = -700,     /* bad argument */
    DWMTJ_W_ERR_NOMEM = -701,
    DWMTJ_W_ERR_FILE = -702,      /* cannot open, read or write the file */
    DWMTJ_W_ERR_MAGIC = -703,     /* not a dwmtj weights file */
    DWMTJ_W_ERR_VERSION = -704,   /* a format version this build cannot read */
    DWMTJ_W_ERR_TRUNCATED = -705, /* shorter than its header says */
    DWMTJ_W_ERR_CHECKSUM = -706,  /* CRC-32 of the contents does not match */
    DWMTJ_W_ERR_SHAPE = -707,     /* layer sizes out of range or inconsistent */
    DWMTJ_W_ERR_VALUE = -708,     /* a parameter or weight is not finite / out of range */
    DWMTJ_W_ERR_MISMATCH = -709   /* the network does not fit what the caller expects */
};

/* The periphery a DW-MTJ network was trained for: the rule its neurons
 * follow, which the circuit must implement (format version 2; a version 1
 * file reads as DWMTJ_PERIPH_IDEAL). */
enum dwmtj_periphery {
    DWMTJ_PERIPH_IDEAL = 0, /* the write inside the device: a domain appears at the
                               first clock edge that finds the track empty
                               (t_rewrite = dt), no write current; the fire is the
                               device's own count; drive clamped at the clock edges */
    DWMTJ_PERIPH_CELL = 1,  /* the neuron cell of doc/cell.md: drive clamped
                               continuously, fire sensed through MTJ_B (R_B above its
                               midpoint), then a clear (i_clear into IN for t_clear)
                               and a write (v_write across IN-A for t_write) from the
                               neuron's own reset; an initial write at t_start */
    DWMTJ_PERIPH_CONTINUOUS = 2 /* the ideal periphery's write and fire with the
                               drive clamped continuously: the rule dwmtj infer's
                               ideal circuit implements (its mirror clamps the
                               continuous current, dwmtj_snn_options.clamp_ramp) */
};

/* The cell's timing and bias (DWMTJ_PERIPH_CELL; doc/cell.md gives the
 * reasons for the defaults of dwmtj_cell_defaults). */
typedef struct dwmtj_cell {
    double i_read;  /* A, read bias into B (pillar -> track), for the sense */
    double i_clear; /* A, clear current into IN after a fire */
    double t_clear; /* s, clear width: the domain pushed off the track's GND end */
    double v_write; /* V, V(IN) - V(A) during the write (track -> pillar A) */
    double t_write; /* s, write width (>= the device's t_nuc) */
    double t_start; /* s, start of the initial write of each image */
    double i_neg;   /* A, the mirror's own negative limit: the drive is clamped to
                       [-min(i_neg, i_max), i_max] (the cmos cell's write switches
                       limit it; DWMTJ_W_CELL_I_MAX: none, the clamp is symmetric) */
    double t_sense; /* s, the sense's delay: the spike counts t_sense after the fire
                       (in the step that holds that time, none past the window) and
                       the clear, which starts as spk falls, lasts t_clear + t_sense
                       (0: the ideal comparator) */
} dwmtj_cell;

/* Fills every field of *c with doc/cell.md's values (i_read 5 uA, i_clear
 * 200 uA, t_clear 1 ns, v_write 1.5 V, t_write 1.2 ns, t_start 0.1 ns,
 * i_neg DWMTJ_W_CELL_I_MAX, t_sense 0). */
void dwmtj_cell_defaults(dwmtj_cell *c);
/* 1 when c has its own negative limit or a sense delay (i_neg or t_sense
 * away from dwmtj_cell_defaults'): the cmos cell's rule, which a cell
 * network records in format version 3 only. */
int dwmtj_cell_has_cmos_rule(const dwmtj_cell *c);

typedef struct dwmtj_weights {
    int n_layers;                       /* weight layers (3 for 784-100-100-10) */
    int size[DWMTJ_W_MAX_LAYERS + 1];   /* neurons per layer; size[0] = inputs */
    int kind;                           /* dwmtj_neuron_kind of the hidden and output neurons */
    int steps;                          /* time steps T per image */
    double dt;                          /* s, time step */
    double gain;                        /* A, current into a neuron per unit weight x spike */
    double sigma;                       /* 1, DW-MTJ velocity noise (0 for LIF, DWMTJ) */
    double tau_mem;                     /* s, LIF membrane time constant (LIF only) */
    double input_rate;                  /* Hz, input spike rate of a white pixel */
    uint64_t seed;                      /* seed the network was trained with */
    int input_side;                     /* pixels per image side (28, or 14 downsampled) */
    int periphery;                      /* dwmtj_periphery the DW-MTJ kinds were trained
                                           for (DWMTJ_PERIPH_IDEAL for LIF) */
    dwmtj_cell cell;                    /* its cell (DWMTJ_PERIPH_CELL; defaults otherwise) */
    float *w[DWMTJ_W_MAX_LAYERS];       /* size[l+1] x size[l], row-major: w[l][o*size[l] + i] */
    float *b[DWMTJ_W_MAX_LAYERS];       /* size[l+1] biases (same unit as w) */
} dwmtj_weights;

/* Allocates w and b for the given shape, zeroed; every scalar field set to
 * its default (LIF, T = 25, dt = 0.1 ns, ideal periphery, the cell's
 * defaults, ...). */
int dwmtj_weights_alloc(dwmtj_weights *n, int n_layers, const int *size);
void dwmtj_weights_free(dwmtj_weights *n);
/* Writes FILE atomically (FILE.part, then rename); *error names what failed.
 * Format version 1 for the ideal periphery (the file it always was), 2 for
 * the cell (doc/weights-format.md). */
int dwmtj_weights_save(const dwmtj_weights *n, const char *path, char **error);
/* Reads and checks magic, version (1 or 2), shape, values and CRC-32; on
 * error *n is left empty and *error (malloc'd) names the file and what is
 * wrong (a field by its name, e.g. cell.t_write). */
int dwmtj_weights_load(dwmtj_weights *n, const char *path, char **error);
/* Checks a shape against the limits of the format (1..DWMTJ_W_MAX_LAYERS
 * weight layers, 1..DWMTJ_W_MAX_SIZE neurons each, at most
 * DWMTJ_W_MAX_PARAMS weights and biases); *error names what is wrong. */
int dwmtj_weights_check_shape(int n_layers, const int *size, char **error);
/* Checks a network in memory as dwmtj_weights_load checks a file (shape,
 * input_side, every scalar within its limits, every weight and bias
 * finite): what save would refuse; *error names the field. */
int dwmtj_weights_check(const dwmtj_weights *n, char **error);
const char *dwmtj_weights_status_string(int status);
/* The name of a dwmtj_periphery ("ideal", "cell", "continuous": dwmtj
 * train's --periphery), "?" for another value. */
const char *dwmtj_periphery_name(int periphery);

#endif
