/* dwmtj snn: a fully connected spiking MLP whose neurons are ideal LIF
 * neurons or libdwmtj's "scaled" DW-MTJ device, trained with surrogate
 * gradients through time (the paper's Fig. 5c/5d; doc/design.md).
 *
 * Network (layer sizes, kind, T = steps, dt, gain, sigma, tau_mem,
 * input_rate, seed) and parameters are a dwmtj_weights.
 *
 * Inputs: rate coding.  Pixel byte q spikes at step t with probability
 * min(1, input_rate * dt * q / 255), drawn from a counter-based generator
 * keyed by (seed, image index, step, pixel) (dwmtj_snn_input_spike), so an
 * image sees the same spikes whatever the batch and its position in it.
 * Training image i is keyed i, test image k DWMTJ_SNN_TEST_KEY0 + k, so no
 * test image repeats a training image's spikes or noise, and every tool
 * (train's evaluation, infer's network and circuit) draws the same ones.
 *
 * Layer l (1..n_layers), neuron o, step t: a = sum_i w[o][i] s_in[i](t) + b[o]
 * (dimensionless; the layer sees the spikes of layer l-1 of the same step).
 *
 * LIF (kind 0): v(t) = beta u(t-1) + a(t), beta = exp(-dt / tau_mem);
 *   s(t) = H(v(t) - 1); u(t) = v(t) - s(t) (reset by subtraction).
 * DW-MTJ (kinds 1, 2): each neuron is one libdwmtj "scaled" device driven by
 *   the current I = gain * a, clamped to |I| <= i_max (options), through
 *   dwmtj_step_current over [t dt, (t+1) dt].  A domain is written under
 *   MTJ_A at t = 0 and again right after each step that ends with no domain
 *   (ejected past the reader = the device's own reset, or lost backwards):
 *   the ideal write periphery; the new domain feels the drive of that
 *   instant (velocity set by a zero-length step), as the device with
 *   parameter t_rewrite = dt does in a circuit.  The spike is the step on which the device's
 *   fire count increases.  Membrane u = 1 - m / D0, m = dwmtj_fire_distance,
 *   D0 = fire distance of a fresh domain (u = 0 fresh, 1 at the fire); u = 0
 *   on a step that ends with no domain.  Kind 2 runs the device with
 *   sigma = weights.sigma, t_slot = dt, seed = weights.seed and the noise key
 *   hash(layer, neuron, image index).  Kind 3 (thermal) runs set
 *   "scaled-thermal" (the thermal model: pinned, heated, escape drawn with
 *   seed = weights.seed and the same key) with its own clamp
 *   (dwmtj_snn_default_i_max, 100 uA: doc/operating-point.md).
 *   That is the ideal periphery (weights.periphery = DWMTJ_PERIPH_IDEAL).
 *   DWMTJ_PERIPH_CONTINUOUS: the same with the drive clamped continuously
 *   (options.clamp_ramp's rule), as dwmtj infer's ideal circuit clamps it.
 *   DWMTJ_PERIPH_CELL: the neuron cell of doc/cell.md instead, each event at
 *   its time within the step (neuron_cell.c; doc/training.md, "The cell's
 *   rule"): the drive clamped continuously; the initial write at
 *   cell.t_start (the domain nucleates t_nuc after it and drifts in the
 *   write loop); the spike when R_B crosses its midpoint; spk's fall starts
 *   the clear (i_clear for t_clear) and then the write (t_write), during
 *   which the input is ignored; u = 0 from spk's fall to the next domain.
 *   A cell with its own negative limit clamps the drive to [-min(cell.i_neg,
 *   i_max), i_max]; one with a sense delay counts each spike on the step
 *   that holds its fire + cell.t_sense (none past the window) and clears
 *   for t_clear + t_sense (the cmos cell's macromodel: dwmtj train
 *   --periphery cmos).  The membrane is read from the domain's centre
 *   (dwmtj_fire_distance_at), as the circuit's x monitor gives it.
 *
 * Surrogate gradient: dS/du = 1 / (1 + k |u - 1|)^2 (fast sigmoid; k =
 * options.surr_k).  Resets are detached (no gradient through them).  LIF:
 * dv(t+1)/dv(t) = beta.  DW-MTJ: du(t)/du(t-1) = 1 while the same domain is
 * on the track (no leak), 0 across a write; du(t)/dI(t) = dx_di / D0 from
 * dwmtj_step_current and, as the step integrates the velocity by the
 * trapezoid, du(t)/dI(t-1) = the same (exact for the pinning-free scaled
 * device with t_slot = dt; also through a fresh write).  The cell and the
 * continuous clamp: the clamp's weights, gain mu h int s 1[inside] ds / D0 for a(t) and the same with 1 - s for a(t-1), over the part of
 * the step the mirror drives the domain.
 * Kind 3 takes for
 * dx_di the free flow's, stt(T) dt / (2 w d), on every step with a domain:
 * straight through the pinning, where the device's own is 0 while held.
 * The surrogate is applied on steps that start with an unfired domain
 * (later steps of a cycle cannot spike); with a sense delay it stays on
 * the fire's step while the spike goes out a step or two later (the
 * gradient takes the delay as zero: a straight-through approximation).
 *
 * Loss: softmax cross-entropy of logits z, batch mean:
 *   DWMTJ_SNN_LOSS_COUNT:    z_c = loss_scale * (spike count of output c)
 *   DWMTJ_SNN_LOSS_MEMBRANE: z_c = loss_scale * (mean over t of u_c(t))
 *     (LIF: v before the reset; DW-MTJ: u as above).
 * Prediction: argmax of the output spike counts, ties broken by the larger
 * summed membrane (then the lower class).
 *
 * Status codes: 0 = DWMTJ_SNN_OK, negative = DWMTJ_SNN_ERR_* (-400..-420).
 * No printing, no exit, no globals; free functions accept NULL.  With
 * OpenMP the images of a batch run in parallel, image b on thread b mod N:
 * the gradient's summation order, hence its rounding, depends on the
 * number of threads N only, never on timing. */
#ifndef DWMTJ_SNN_H
#define DWMTJ_SNN_H

#include "dwmtj_weights.h"

#include <stdint.h>

enum dwmtj_snn_status {
    DWMTJ_SNN_OK = 0,
    DWMTJ_SNN_ERR_USAGE = -400,   /* NULL pointer, batch out of range, bad option */
    DWMTJ_SNN_ERR_NOMEM = -401,
    DWMTJ_SNN_ERR_SHAPE = -402,   /* weights do not fit the workspace (layers, sizes, steps) */
    DWMTJ_SNN_ERR_VALUE = -403,   /* a network scalar is out of range (dt, gain, ...) */
    DWMTJ_SNN_ERR_DEVICE = -404,  /* libdwmtj returned an error */
    DWMTJ_SNN_ERR_LABEL = -405,   /* a label >= the number of outputs */
    DWMTJ_SNN_ERR_NONFINITE = -406, /* the loss or a gradient is not finite */
    DWMTJ_SNN_ERR_DATA = -407,      /* dwmtj_snn_train: the data set is missing or corrupt */
    DWMTJ_SNN_ERR_OUTPUT = -408,    /* dwmtj_snn_train: an output file cannot be written */
    DWMTJ_SNN_ERR_CHECKPOINT = -409,/* dwmtj_snn_train: the checkpoint is missing, corrupt,
                                       of another format or of other options */
    DWMTJ_SNN_ERR_STOPPED = -410    /* dwmtj_snn_train: the callback asked to stop */
};

enum dwmtj_snn_loss {
    DWMTJ_SNN_LOSS_COUNT = 0,
    DWMTJ_SNN_LOSS_MEMBRANE = 1
};

/* Options; the caller may change them between calls. */
typedef struct dwmtj_snn_options {
    double surr_k;     /* fast-sigmoid slope k (default 5) */
    int loss;          /* dwmtj_snn_loss (default COUNT for LIF, MEMBRANE for DW-MTJ) */
    double loss_scale; /* logit scale (default 1 for COUNT, 20 for MEMBRANE) */
    double i_max;      /* A, DW-MTJ drive clamp (default 200e-6) */
    int smooth;        /* 1: test mode, the spike is the smooth function
                          S(x) = 1/k + x / (1 + k|x|), x = u - 1, whose
                          derivative is exactly the surrogate, goes to the
                          next layer and the loss; the LIF reset still
                          subtracts the hard spike H(x), so that the reset
                          is detached for finite differences too; for
                          gradient checks */
    int threads;       /* OpenMP threads (0 = all; ignored without OpenMP) */
    int clamp_ramp;    /* DW-MTJ drive within a step: 0 (default, the rule of
                          the ideal periphery): the straight line between
                          the clamped values at the step's ends; 1: the
                          clamp of the straight line between the unclamped
                          values, as a periphery that clamps a continuous
                          current makes it (doc/inference.md), integrated
                          exactly by splitting the step where the line
                          crosses +-i_max, with that clamp's gradient.  A
                          network of the cell or of the continuous clamp
                          (weights.periphery) clamps continuously whatever
                          this says */
} dwmtj_snn_options;

struct dwmtj_snn_priv;
typedef struct dwmtj_snn_ws {
    dwmtj_snn_options opt;
    struct dwmtj_snn_priv *priv;
} dwmtj_snn_ws;

/* Workspace for networks of net's shape and steps, up to max_batch images
 * per call; options set to their defaults for net->kind. */
int dwmtj_snn_ws_create(dwmtj_snn_ws **ws, const dwmtj_weights *net, int max_batch);
/* A, the default drive clamp (options.i_max) of neuron kind: 200 uA for the
 * paper's-model kinds; 100 uA for dwmtj-thermal, its safe operating point
 * (doc/operating-point.md: track current density 2.67e12 of 3e12 A/m^2,
 * steady temperature 520 of 673 K). */
double dwmtj_snn_default_i_max(int kind);
void dwmtj_snn_ws_free(dwmtj_snn_ws *ws);

#define DWMTJ_SNN_TEST_KEY0 1000000 /* image key of test image 0 */

/* The clock step k whose period (k dt, (k+1) dt] holds time t (s); a time
 * on an edge, to 1e-6 of a period, belongs to the step it ends: the step
 * a delayed spike counts on, in the network (the cell's t_sense) and in
 * dwmtj infer's reading of its circuit alike.  May be < 0 or >= T. */
int dwmtj_snn_step_of(double t, double dt);

/* Runs batch images (batch x size[0] bytes; image_index[b] keys the input
 * spikes and the device noise, NULL = 0..batch-1).  pred (batch) and
 * out_counts (batch x size[L]) may be NULL. */
int dwmtj_snn_forward(dwmtj_snn_ws *ws, const dwmtj_weights *net,
                      const unsigned char *images, const int *image_index,
                      int batch, int *pred, int *out_counts);

/* Forward, loss (batch mean, *loss) and its gradient with respect to every
 * w and b into grad (allocated by the caller with net's shape; overwritten).
 * pred (batch) may be NULL. */
int dwmtj_snn_loss_grad(dwmtj_snn_ws *ws, const dwmtj_weights *net,
                        const unsigned char *images, const int *image_index,
                        int batch, const unsigned char *labels, double *loss,
                        dwmtj_weights *grad, int *pred);

/* Of the last forward pass: output spike counts (as doubles; sums of the
 * smooth spikes in smooth mode) and summed output membrane, batch x size[L],
 * row-major; NULL before the first pass. */
const double *dwmtj_snn_last_counts(const dwmtj_snn_ws *ws);
const double *dwmtj_snn_last_membrane(const dwmtj_snn_ws *ws);

/* The input spike of pixel byte q, pixel index pixel, of image image at
 * step step (0/1), as the forward pass draws it. */
int dwmtj_snn_input_spike(const dwmtj_weights *net, unsigned char q, uint64_t image,
                          int step, int pixel);

/* Uniform initialisation: w ~ U(-scale/sqrt(n_in), scale/sqrt(n_in)) from a
 * SplitMix64 stream of seed, b = 0. */
int dwmtj_snn_init_weights(dwmtj_weights *net, uint64_t seed, double scale);

/* Adam (Kingma & Ba 2015), the paper's optimiser (lr 1e-3). */
typedef struct dwmtj_snn_adam_state {
    double lr, beta1, beta2, eps;  /* defaults 1e-3, 0.9, 0.999, 1e-8 */
    long t;                        /* steps taken */
    int n_layers;
    int size[DWMTJ_W_MAX_LAYERS + 1];
    double *m, *v;                 /* moments of every w then b, layer by layer */
} dwmtj_snn_adam_state;

int dwmtj_snn_adam_init(dwmtj_snn_adam_state *a, const dwmtj_weights *net);
/* One step: net -= lr * mhat / (sqrt(vhat) + eps) with grad. */
int dwmtj_snn_adam(dwmtj_snn_adam_state *a, dwmtj_weights *net, const dwmtj_weights *grad);
void dwmtj_snn_adam_free(dwmtj_snn_adam_state *a);

/* ---- the training loop (train.c; doc/training.md) ----------------------
 *
 * dwmtj_snn_train trains a network of kind o->kind on Fashion-MNIST with
 * loss_grad and Adam: every epoch visits the first train_images training
 * images in an order that depends only on seed and the epoch, in batches,
 * then tests the first test_images test images (keys DWMTJ_SNN_TEST_KEY0 +
 * k).  After every epoch e, in this order, each file written whole and
 * synced (util/dwmtj_file.h): the network to out; the log, its header and
 * the rows of epochs 1..e (a FIFO or device log gets the rows as they
 * come); the checkpoint out.ckpt, which holds epoch e, Adam's state, the
 * weights and the log rows, and is the record of the run.  A new run saves
 * a checkpoint of epoch 0 before its first epoch.  resume reads the
 * checkpoint, makes out and the log what it says (saving the network
 * again, rewriting the log, each reported by a REPAIRED event), and goes on
 * with the next epoch: a run killed at any point and resumed gives the
 * network file and log rows of an uninterrupted run, bit for bit for a
 * given number of threads. */

#define DWMTJ_SNN_TRAIN_MAX_EPOCHS 1000000
#define DWMTJ_SNN_TRAIN_MAX_BATCH 100000
#define DWMTJ_SNN_TRAIN_MAX_THREADS 4096

typedef struct dwmtj_snn_train_options {
    int kind;          /* dwmtj_neuron_kind of the hidden and output neurons */
    int epochs;        /* epochs in total (with resume: including those done), 1..MAX_EPOCHS */
    uint64_t seed;     /* of the initial weights, the shuffles, the input spikes, the noise */
    const char *out;   /* the network file; the checkpoint is out + ".ckpt" */
    const char *log;   /* CSV epoch,train_loss,test_accuracy,seconds; NULL: none */
    const char *data;  /* data set directory; NULL: dwmtj_dataset_load_dir's default */
    int resume;        /* 1: continue from the checkpoint */
    int n_hidden;      /* hidden layers, 1..DWMTJ_W_MAX_LAYERS - 1 */
    int hidden[DWMTJ_W_MAX_LAYERS - 1]; /* neurons of each hidden layer */
    int steps;         /* time steps T per image */
    int batch;         /* images per Adam step, 1..MAX_BATCH */
    int train_images;  /* train on the first N training images; 0: all */
    int test_images;   /* test on the first N test images; 0: all */
    int downsample;    /* average-pool the images F x F; 1: as they are */
    double lr;         /* Adam's learning rate */
    double gain;       /* A per unit weight x spike (DW-MTJ kinds; LIF: unused) */
    double dt;         /* s, time step */
    double input_rate; /* Hz, input spike rate of a white pixel */
    double tau_mem;    /* s, membrane time constant (LIF; DW-MTJ kinds: unused) */
    double sigma;      /* 1, velocity noise (noisy DW-MTJ; other kinds: unused, 0) */
    int threads;       /* OpenMP threads, 1..MAX_THREADS; results depend on it */
    int periphery;     /* dwmtj_periphery the DW-MTJ kinds train for (LIF: ideal only);
                          recorded in the network file */
    dwmtj_cell cell;   /* its cell (DWMTJ_PERIPH_CELL) */
    const dwmtj_weights *init; /* the initial weights and biases (fine-tuning: a network
                                  of the options' shape, kind, steps, dt, gain, input
                                  rate and sigma; its periphery may differ); NULL: drawn
                                  from seed.  Recorded by a hash in the checkpoint's
                                  config, so a resume needs the same network */
} dwmtj_snn_train_options;

/* Every field of *o, for kind (dwmtj train's defaults): epochs 1, seed 1,
 * out, log and data NULL, no resume, hidden 100,100, steps 25 (LIF) or
 * 100 (DW-MTJ), batch 32, all images, downsample 1, lr 1e-3, gain 1 mA,
 * dt 0.1 ns, input rate 5 GHz, tau_mem 1 ns, sigma 0.3 (noisy) or 0,
 * 1 thread, the ideal periphery (cell: dwmtj_cell_defaults), no init
 * (random initial weights). */
void dwmtj_snn_train_defaults(dwmtj_snn_train_options *o, int kind);

/* What the callback is told, in the order of a run: BEGIN, then per epoch
 * TESTED, NET_SAVED, LOGGED (also without a log), EPOCH; a resume may tell
 * REPAIRED before, and tells only DONE_ALREADY when no epoch is left. */
enum dwmtj_snn_train_stage {
    DWMTJ_SNN_TRAIN_BEGIN = 0,    /* set up; first_epoch..epochs are to be trained */
    DWMTJ_SNN_TRAIN_TESTED = 1,   /* epoch trained and tested, nothing of it saved yet */
    DWMTJ_SNN_TRAIN_NET_SAVED = 2,/* its network is in out */
    DWMTJ_SNN_TRAIN_LOGGED = 3,   /* its row is in the log */
    DWMTJ_SNN_TRAIN_EPOCH = 4,    /* its checkpoint is saved: the epoch is done */
    DWMTJ_SNN_TRAIN_DONE_ALREADY = 5, /* resume: the checkpoint holds epoch >= epochs */
    DWMTJ_SNN_TRAIN_REPAIRED = 6  /* resume: out or the log made to match the checkpoint */
};

typedef struct dwmtj_snn_train_event {
    int stage;                /* dwmtj_snn_train_stage */
    const dwmtj_weights *net; /* the network (shape, kind, steps; weights as of the stage) */
    int batch;                /* images per Adam step */
    int train_images;         /* training images per epoch (0 resolved to all) */
    int test_images;          /* test images (0 resolved to all) */
    int first_epoch;          /* the first epoch this run trains */
    int epochs;               /* the last */
    int epoch;                /* TESTED..EPOCH: that epoch; DONE_ALREADY, REPAIRED: the
                                 checkpoint's */
    double loss;              /* TESTED..EPOCH: mean training loss of the epoch */
    double accuracy;          /* TESTED..EPOCH: 0..1, on the test images */
    double seconds;           /* TESTED..EPOCH: wall time of its training and test */
    const char *checkpoint;   /* path of the checkpoint */
    const char *note;         /* REPAIRED: what was made right, naming the file */
} dwmtj_snn_train_event;

/* Returns 0 to go on; anything else stops the run (DWMTJ_SNN_ERR_STOPPED),
 * whose files are then as a kill at that point would leave them. */
typedef int (*dwmtj_snn_train_fn)(const dwmtj_snn_train_event *ev, void *userdata);

/* Runs the training of *o; cb (may be NULL) is told each stage.  Returns
 * 0, or a negative status with *error (malloc'd; NULL when out of memory
 * or error is NULL) naming what is wrong: USAGE an option (named as the
 * field of dwmtj_snn_train_options) or a shape beyond the network file's
 * limits; DATA the data set; OUTPUT a file that cannot be written;
 * CHECKPOINT; STOPPED; else a failure of the training itself (DEVICE,
 * VALUE, NONFINITE, NOMEM) naming the epoch and the images. */
int dwmtj_snn_train(const dwmtj_snn_train_options *o, dwmtj_snn_train_fn cb, void *userdata,
                    char **error);

const char *dwmtj_snn_status_string(int status);
/* What the last forward or loss_grad call on ws that failed went wrong
 * with, in words ("" when it did not fail, or when the status says all):
 * for DWMTJ_SNN_ERR_DEVICE and for _VALUE from the device set-up, the
 * libdwmtj function, its status and its text, and where (image, layer,
 * neuron, step).  libdwmtj's warnings fail too: a step it did not take as
 * asked (e.g. without its noise) is not a result.  The string lives in ws. */
const char *dwmtj_snn_error(const dwmtj_snn_ws *ws);

#endif
