/* What the parts of the engine share; not installed. */
#ifndef DWMTJ_ENGINE_INTERNAL_H
#define DWMTJ_ENGINE_INTERNAL_H

#include "dwmtj_engine.h"
#include "dwmtj.h"
#include "dwmtj_spice.h"

#include <klu.h>
#include <stddef.h>
#include <stdint.h>

/* B-source expressions (engine_expr.c) */
enum { X_NUM, X_CUR, X_ADD, X_SUB, X_MUL, X_DIV, X_NEG, X_MIN, X_MAX, X_U };
typedef struct eng_expr {
    int op;
    double num;             /* X_NUM: the value */
    int src;                /* X_CUR: index of the controlling V source */
    int u;                  /* X_U: index of its step into dwmtj_circuit.u */
    struct eng_expr *a, *b; /* operands */
} eng_expr;

/* A step u(arg) of an expression, arg = k + sum coef[j] v(node[j]): the
 * logic thresholds (engine_logic.c).  Its kind follows from its nodes:
 * logic outputs only (evaluated when read), one one-shot node (crossing
 * solved from the exponential), one source-driven node (crossing solved on
 * the linear piece), Newton unknowns only (the comparator: crossing
 * located by re-solving). */
enum { U_LOGIC = 0, U_RC = 1, U_SRC = 2, U_NEWTON = 3 };
typedef struct {
    int n;            /* nodes in arg */
    int *node;        /* their indices */
    double *coef;     /* 1, their coefficients */
    double k;         /* V, the constant */
    int kind;         /* U_* */
    int state;        /* 0 or 1: u's value since the last event (U_RC, U_SRC,
                         U_NEWTON) */
    int group;        /* U_NEWTON: Newton group of its nodes, -1 several */
    int rc;           /* U_RC: its one-shot (index into dwmtj_circuit.rc) */
    double arg0;      /* V, arg at the last accepted point (U_NEWTON) */
    const char *src;  /* name of the B source it is in (for messages) */
    const char *where;/* "FILE:LINE" of that source */
} eng_u;

/* Voltage source: DC (one point) or PWL; holds its value before the first
 * and after the last point. */
typedef struct {
    char *name;
    int p, m;         /* nodes + and - (0 = ground) */
    int n, cap;       /* points */
    double *t, *v;    /* s, V */
    char *where;      /* "FILE:LINE" of its card, for messages */
    int group;        /* its node group */
    int row;          /* its branch unknown in its matrix (linear or Newton) */
    int lin_index;    /* index among the linear groups' sources, or -1 */
    int out;          /* its branch current as output of the linear map, or -1 */
    int pulse;        /* 1: read as PULSE, p[] its parameters, points made
                         once .tran is known */
    int n_pulse;      /* PULSE parameters given (1..7) */
    double pp[7];     /* V1 V2 TD TR TF PW PER (V, s) */
} eng_vsrc;

/* A B voltage source V = expr from a logic node to ground: its value is
 * piecewise constant (every v() is under a u()). */
typedef struct {
    char *name;
    int p;            /* the logic node it drives */
    eng_expr *e;
    char *where;
} eng_bvsrc;

/* .model NAME sw(vt vh ron roff), as ngspice's switch. */
typedef struct {
    char *name;
    double vt, vh;    /* V: on above vt + vh, off below vt - vh */
    double ron, roff; /* Ohm */
} eng_swmodel;

/* S n+ n- nc+ nc- model: a one-shot's charging switch (n+ or n- on a
 * one-shot node, the other on a DC source) or a resistor of a Newton
 * group whose value follows the state. */
typedef struct {
    char *name;
    int node[4];      /* n+ n- nc+ nc- */
    char *model_name; /* until the models are read */
    int model;        /* index into dwmtj_circuit.swm */
    int on;           /* state: 1 on (ron), 0 off (roff) */
    int rc;           /* one-shot switch: index into dwmtj_circuit.rc, else -1 */
    int res;          /* Newton switch: its resistor in dwmtj_circuit.res, else -1 */
    char *where;
} eng_sw;

typedef struct {
    char *name;
    int a, b;         /* nodes */
    double c;         /* F */
    char *where;
} eng_cap;

/* A one-shot node: C and R to ground, charged through a switch from a DC
 * source; v(t) = vinf + (v0 - vinf) exp(-(t - t0) / tau) since the switch
 * last changed. */
typedef struct {
    int node;
    int cap;          /* its first capacitor (for messages) */
    double c;         /* F, to ground */
    double g;         /* S, resistors to ground */
    int sw;           /* its switch, -1 none */
    double vsup;      /* V, the DC source at the switch's other end */
    double t0, v0;    /* s, V: the last change of the switch and v then */
    double vinf, tau; /* V, s: where it goes and how fast */
} eng_rc;

typedef struct {
    char *name;
    int p, m;         /* current flows from p through the source to m */
    eng_expr *e;
    char *where;
} eng_bsrc;

typedef struct {
    int a, b;         /* nodes */
    double g;         /* S */
    int sw;           /* the switch it is (its g follows the state), or -1 */
} eng_res;

typedef struct {
    char *name;
    dwmtj_derived d;
    int n_sel;        /* monitors on the mon port, in order */
    int sel[DWMTJ_NMON];
    char *where;
} eng_model;

typedef struct {
    char *name;
    int node[4];      /* IN, GND, A, B */
    int n_mon, *mon;  /* monitor output nodes */
    int model;
    char *where;
    uint64_t key;     /* noise key, from the terminal node names as the
                         code model forms it */
    dwmtj_state s0, s1; /* accepted state, trial state */
    dwmtj_eval ev;
    int st;           /* dwmtj status of the step to s1 (> 0: a warning) */
    int pos[4][4];    /* positions of its partials in the Newton matrix's Ax,
                         -1 for ground */
    int group;        /* its Newton group */
} eng_dev;

/* A block of the Newton matrix solved on its own (engine_block.c): one
 * small group as a dense LU, or all the big groups in one KLU matrix.
 * What a block does depends on its ops only, so newton() does not know
 * which path a group takes. */
typedef struct eng_block eng_block;
typedef struct {
    int (*setup)(dwmtj_circuit *c, eng_block *b);  /* storage, KLU analysis */
    int (*factor)(dwmtj_circuit *c, eng_block *b); /* from c->Ax; a singular or
                                                      ill-conditioned block is an
                                                      error naming the unknown */
    int (*solve)(dwmtj_circuit *c, eng_block *b, double *dx); /* dx = -A^-1 f on
                                                                 its rows */
    void (*release)(dwmtj_circuit *c, eng_block *b);
} eng_block_ops;
struct eng_block {
    const eng_block_ops *ops;
    int n;            /* unknowns */
    int *row;         /* their Newton unknowns, ascending */
    int n_groups;     /* groups in it (1 on the dense path) */
    int *group;       /* their indices */
    int scale;        /* 1: rows scaled by their max-abs entry (it has a branch
                         unknown, whose unit entries sit beside conductances) */
    double *rhs;      /* scratch for the solve, n */
    int solved;       /* 1: factored and solved in this Newton iteration (a
                         group of it is open; eng_blocks_open) */
    int *Ap, *Ai, nnz; /* the block's columns of the Newton pattern, renumbered */
    int *gather;      /* per entry: its position in the Newton matrix's Ax */
    /* dense */
    double *lu;       /* n x n row-major: the scaled block, rows in the order
                         prow, then its LU */
    int *prow;        /* per position: the block's row there (the pivot order,
                         kept between factorisations) */
    int *pos;         /* per row: its position (prow inverted) */
    int *dr, *dst;    /* per entry: its row's position and its place in lu */
    double *rs;       /* per position: the row's scale factor (1 unscaled) */
    double *inv;      /* per position: 1 / its pivot */
    double rcond0;    /* min/max pivot when prow was chosen, 0 not yet */
    /* KLU */
    double *Ax;       /* the block's values, gathered */
    klu_symbolic *sym;
    klu_numeric *num;
};

/* A saved vector. */
enum { VEC_BRANCH_NEWTON = 6, VEC_BRANCH_LIN = 7 }; /* kinds beyond KIND_* */
typedef struct {
    char *name;       /* "v(node)" or "vsource#branch" */
    int node;
    int kind;         /* KIND_LIN output, KIND_NEWTON unknown, KIND_MON monitor,
                         KIND_LOGIC, KIND_RC, or VEC_BRANCH_* (idx: the
                         unknown or output) */
    int idx;          /* output index, unknown, or device */
    int slot;         /* monitor: index into the 13 monitors */
    double *v;
    int n, cap;
    int axis;         /* its time axis: -1 the run's "time", g >= 0 Newton group
                         g's own (DWMTJ_E_STEPS_NEURON; engine_part.c) */
} eng_vec;

typedef struct {
    const char *name; /* the vector's (eng_vec's name) */
    int k;            /* its index in c->vec */
} eng_vec_name;

/* A linear source's value at a piece end (engine_part.c). */
typedef struct {
    int src;          /* index among the linear groups' sources */
    int at;           /* the piece end */
    double v;         /* V */
} eng_nz;

/* What the event loop of the exact steps (engine_run.c) works on: the
 * whole circuit (group -1, every list NULL: all of each kind), or one
 * Newton group with its own logic (engine_part.c): its steps, logic
 * outputs, switches, devices, B current sources, controlling currents
 * (indices into dwmtj_circuit.ctl) and the linear outputs it reads. */
typedef struct {
    int group;
    const int *u; int n_u;
    const int *bv; int n_bv;
    const int *sw; int n_sw;
    const int *dev; int n_dev;
    const int *bs; int n_bs;
    const int *ctl; int n_ctl;
    const int *out; int n_out;
} eng_scope;

/* The number of elements of a kind (u, bv, sw, dev, bs, ctl) the event
 * loop works on, and the q-th of them. */
#define ENG_SC_N(c, kind) ((c)->sc && (c)->sc->kind ? (c)->sc->n_##kind : (c)->n_##kind)
#define ENG_SC_AT(c, kind, q) ((c)->sc && (c)->sc->kind ? (c)->sc->kind[q] : (q))

/* A Newton group stepped on its own time points (engine_part.c): what of
 * the circuit it loads, and its time axis. */
typedef struct {
    int *res, n_res;  /* its resistors (into dwmtj_circuit.res) */
    int *vs, n_vs;    /* its voltage sources */
    int *bs, n_bs;    /* the B sources into its nodes */
    const eng_expr **line; /* per B source: the line it clamps (eng_expr_clamp),
                              NULL when it is no clamp */
    double *lo, *hi;  /* A, that clamp's bounds */
    int *ctl, n_ctl;  /* the controlling currents those read: indices into
                         dwmtj_circuit.ctl */
    int *dev, n_dev;  /* its devices */
    int *vec, n_vec;  /* its saved vectors */
    double *time; int n_time, cap_time; /* s, its accepted points */
    int open;         /* 1: one device whose A and B touch nothing else, fed
                         by current sources between IN and ground: its node
                         equations in closed form (dwmtj_open_voltages), no
                         Newton iteration */
    int *u, n_u;      /* with logic: its steps (into dwmtj_circuit.u) */
    int *bv, n_bv;    /* its logic outputs (B voltage sources) */
    int *sw, n_sw;    /* its switches */
    int *out, n_out;  /* the linear outputs it reads (its controlling
                         currents' and its steps' source nodes') */
    eng_scope scope;  /* all of it, for the event loop */
} eng_part;

struct dwmtj_circuit {
    char title[256];
    char name[256];   /* the deck's name, for messages */
    char error[1024];
    char warning[1024]; /* the run's first device warning, "" if none */
    char model_warning[1024]; /* the first parameter warning of the models */
    int n_model_warnings;     /* models whose parameters warned */
    /* nodes */
    int n_nodes;      /* node 0 = ground */
    char **node_name;
    int *node_group;  /* group (union-find root) of each node, -1 ground */
    int *node_kind;   /* KIND_*: unused, linear group, Newton group, monitor */
    int *node_row;    /* unknown of the node in its matrix, or -1 */
    int *mon_dev, *mon_k; /* for monitor nodes: device and monitor slot */
    /* hash of node names */
    int *hash, n_hash;
    /* elements */
    eng_res *res; int n_res, cap_res;
    eng_vsrc *vs; int n_vs, cap_vs;
    eng_bsrc *bs; int n_bs, cap_bs;
    eng_dev *dev; int n_dev, cap_dev;
    eng_model *model; int n_model, cap_model;
    eng_bvsrc *bv; int n_bv, cap_bv;    /* B voltage sources: the logic */
    eng_swmodel *swm; int n_swm, cap_swm;
    eng_sw *sw; int n_sw, cap_sw;
    eng_cap *cap; int n_cap, cap_cap;
    eng_rc *rc; int n_rc;               /* one-shot nodes */
    eng_u *u; int n_u, cap_u;           /* the steps of all expressions */
    int n_un;         /* of which U_NEWTON */
    int *node_rc;     /* per node: its one-shot, or -1 */
    int *node_part;   /* per node: the part of a logic or one-shot node, -1
                         (eng_parts_plan with logic; else NULL) */
    int *node_out;    /* per node: its linear output, or -1 */
    double *lv;       /* V, per node: value of a logic node */
    double ta, tb;    /* s, the piece on which y0, y1 hold the linear outputs'
                         ends (the sources are linear on it) */
    double t_acc;     /* s, the last accepted time point */
    char **save; int n_save, cap_save;
    double tstep, tstop, tmax;
    int steps;        /* DWMTJ_E_STEPS_* */
    long max_points;  /* bound on the accepted time points of a run */
    double timeout_s; /* s of wall time per run, <= 0 none */
    double deadline;  /* s, monotonic clock at which the run stops */
    int has_tran;
    /* the linear groups: A_lin x = b, outputs y = M s */
    int n_lin;        /* unknowns */
    int n_lin_src;    /* their sources */
    int *lin_src;     /* source index of each */
    int n_out;        /* outputs */
    int *out_row;     /* unknown of each output in the linear matrix */
    double *map;      /* n_lin_src x n_out, column-major per source */
    /* the Newton groups */
    int n_nl;         /* unknowns */
    int n_nl_nodes;   /* of which node voltages (the first ones) */
    int n_groups;     /* Newton groups (independent blocks of the matrix) */
    int *row_group;   /* group of each Newton unknown */
    unsigned char *group_done; /* per group: converged at this point */
    double *bval;     /* A, value of each B source at the current point */
    int nnz;
    int *Ap, *Ai;
    double *Ax;
    int *nl_res, n_nl_res; /* the resistors of the Newton groups */
    int *nl_vs, n_nl_vs;   /* the V sources of the Newton groups */
    int *res_pos;     /* per resistor 4 positions (aa, ab, ba, bb) or -1 */
    int *vs_pos;      /* per V source of the Newton groups: positions of
                         (p, branch), (m, branch), (branch, p), (branch, m) */
    eng_block *blk; int n_blk; /* the blocks the groups are solved in */
    int *group_block; /* per group: its block */
    int *row_local;   /* per Newton unknown: its index in its block */
    klu_common common;
    double *x, *dx, *f;
    /* the run */
    eng_vec *vec; int n_vec;
    eng_vec_name *vec_by_name; /* the vectors ordered by name, then index
                                  (find_vec's binary search) */
    double *time; int n_time, cap_time;
    double *y0, *y1, *yt;  /* linear outputs at interval ends and at t */
    double *cur0, *cur1, *cur; /* per V source: controlling currents at the
                                  interval's ends and at t (A) */
    int *ctl, n_ctl;       /* the V sources whose currents control B sources */
    double *kink;          /* scratch for switch instants */
    eng_part *part; int n_part; /* per Newton group, when each can be stepped
                                   on its own (eng_parts_plan), else 0 */
    double *piece_t; int n_piece; /* s, the ends of the pieces on which the
                                     sources are linear (DWMTJ_E_STEPS_NEURON) */
    double *piece_cur;     /* A, per piece end the controlling currents
                              (n_piece x n_ctl), or with fmap the folded
                              lines (n_piece x n_part), or with logic all
                              the linear outputs (n_piece x n_out) */
    int logic_parts;       /* 1: the parts carry logic (eng_parts_plan) */
    eng_scope all;         /* the whole circuit */
    const eng_scope *sc;   /* what the event loop works on now */
    double *fmap;          /* with every part open and fed by one clamped
                              line: n_lin_src x n_part, each column the
                              line's coefficients folded into the map (the
                              mirror's gain times its two outputs' columns),
                              so that a piece end costs one product per
                              neuron and no expression; else NULL */
    double *fline0;        /* A, per part: the line's constant term */
    eng_nz *nz; int n_nz, cap_nz; /* the linear sources' non-zero values at
                                     the piece ends, by source */
    int *nz_order;         /* those by piece, sources ascending in each, */
    int *nz_start;         /* and where each piece's begin (n_piece + 1) */
    int cap_nz_order, cap_nz_start;
    dwmtj_engine_stats stats;
};

/* engine_deck.c */
int eng_read(dwmtj_circuit *c, const dwmtj_spice_deck *d);
int eng_node(dwmtj_circuit *c, const char *name); /* index, created if new; <0 nomem */
/* Makes *p (capacity *cap elements of size) hold at least need, doubling;
 * -1 when out of memory. */
int eng_grow(void **p, int *cap, int need, size_t size);
int eng_find_node(const dwmtj_circuit *c, const char *name); /* -1 if none */
int eng_fail(dwmtj_circuit *c, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* engine_expr.c */
int eng_cmp_double(const void *a, const void *b); /* qsort, ascending */
void eng_expr_free(eng_expr *e);
/* Value with controlling currents cur[src] and the steps' values now. */
double eng_expr_eval(const dwmtj_circuit *c, const eng_expr *e, const double *cur);
/* 1 when e is piecewise linear in the currents (products and quotients
 * only by constants). */
int eng_expr_linear(const eng_expr *e);
/* Instants s in (0, 1) at which a min()/max() of e switches when the
 * currents go linearly from c0 (s = 0) to c1 (s = 1); into s[], at most
 * max, returns how many. */
int eng_expr_kinks(const dwmtj_circuit *c, const eng_expr *e, const double *c0,
                   const double *c1, int n_cur, double *s, int max);
/* 1 when e clamps a line *x (numbers, currents, + -, products and
 * quotients by constants) to [*lo, *hi]: max(min(x, hi), lo) or
 * min(max(x, lo), hi), either operand order, lo <= hi: the mirror. */
int eng_expr_clamp(const eng_expr *e, const eng_expr **x, double *lo, double *hi);
/* eng_expr_kinks of such a clamp: where its line crosses a bound. */
int eng_clamp_kinks(const dwmtj_circuit *c, const eng_expr *x, double lo, double hi,
                    const double *c0, const double *c1, double *s, int max);
/* The same for the line's values x0 at s = 0 and x1 at s = 1. */
int eng_line_kinks(double x0, double x1, double lo, double hi, double *s, int max);
/* The clamp of line value x to [lo, hi], NaN kept (as eng_expr_eval). */
double eng_clamp(double x, double lo, double hi);
/* 1 when e holds an i(). */
int eng_expr_has_current(const eng_expr *e);

/* engine_build.c */
/* of a node: unused, linear group, Newton group, monitor, driven by a B
 * voltage source (logic), one-shot capacitor */
enum { KIND_NONE = 0, KIND_LIN = 1, KIND_NEWTON = 2, KIND_MON = 3, KIND_LOGIC = 4, KIND_RC = 5 };
int eng_build(dwmtj_circuit *c);
/* below this reciprocal condition number a matrix counts as singular */
#define ENG_RCOND_MIN 1e-14
/* Factors (or refactors) a matrix of kind KIND_LIN / KIND_NEWTON with
 * KLU's row scaling scale (2 max-abs, -1 none); a singular or
 * ill-conditioned one is an error naming the node.  unknown: the
 * unknown of the kind's numbering of each column (NULL: the same). */
int eng_factor(dwmtj_circuit *c, int kind, int n, int *Ap, int *Ai, double *Ax,
               klu_symbolic *sym, klu_numeric **num, int refactor, int scale,
               const int *unknown);
/* The errors of a singular matrix of kind (why: what found it; unknown
 * -1 when it is not known) and of an ill-conditioned one, named by the
 * unknown of the zero or weakest pivot, the same for every solver. */
int eng_fail_singular(dwmtj_circuit *c, int kind, const char *why, int unknown);
int eng_fail_ill(dwmtj_circuit *c, int kind, double rcond, int unknown);
/* Name of unknown k of the matrix of kind: its node or the source whose
 * branch current it is. */
const char *eng_unknown_name(const dwmtj_circuit *c, int kind, int k);
/* Value of source k at t. */
double eng_vs_value(const eng_vsrc *s, double t);

/* engine_block.c */
/* Assigns the Newton groups to blocks: a group of at most dense_max
 * unknowns a dense block of its own, the others one KLU matrix (dense_max
 * < 0: the engine's choice, 16; 0: all in KLU, the one shared matrix of
 * before issue 14, the tests' reference).  Sets stats.groups_*. */
int eng_blocks_plan(dwmtj_circuit *c, int dense_max);
/* Marks solved the blocks with a group not done (group_done): those that
 * this Newton iteration loads, factors and solves. */
void eng_blocks_open(dwmtj_circuit *c);
/* Factors and solves the blocks marked solved, dx = -J^-1 f there; the
 * other blocks' rows of dx are left as they were. */
int eng_blocks_solve(dwmtj_circuit *c, double *dx);
void eng_blocks_free(dwmtj_circuit *c);

/* engine_run.c */
int eng_run(dwmtj_circuit *c);
#define ENG_NEWTON_MAX 100 /* Newton iterations at a point before it fails */
/* The parts of F(x) and its Jacobian (into c->f, c->Ax) of one element. */
void eng_stamp_res(dwmtj_circuit *c, int k);
void eng_stamp_vs(dwmtj_circuit *c, int s, double t);
void eng_stamp_bs(dwmtj_circuit *c, int k);
/* Device k's step to t at terminal voltages v (dc: its operating point)
 * into its s1 and ev; eng_stamp_dev with v from the trial solution, and
 * its currents and partials stamped. */
int eng_eval_dev(dwmtj_circuit *c, int k, double t, const double v[4], int dc);
int eng_stamp_dev(dwmtj_circuit *c, int k, double t, int dc);
/* Device k of an open group driven by i_in (A) into IN: its step to t in
 * closed form (dwmtj_step_open; ev without partials). */
int eng_eval_open(dwmtj_circuit *c, int k, double t, double i_in);
/* The value of saved vector v now (t: for a one-shot node). */
double eng_vec_value(const dwmtj_circuit *c, const eng_vec *v, double t);
int eng_push(double **v, int *n, int *cap, double x);
/* Bound on the accepted points of a run, and the error of one beyond it. */
long eng_point_limit(const dwmtj_circuit *c);
int eng_too_long(dwmtj_circuit *c, double t, double points);
/* The point limit and the deadline at a group's n_time-th point at t. */
int eng_bounds(dwmtj_circuit *c, int n_time, double t);
/* The accepted trial state of device k; its warning counted. */
void eng_accept_dev(dwmtj_circuit *c, int k);
double eng_wall_s(void);
/* Corners, clock edges, tstop: the points every run has. */
int eng_grid(dwmtj_circuit *c, double **out, int *n_out);
/* B source k's value from c->cur into c->bval; not finite: an error. */
int eng_bs_eval(dwmtj_circuit *c, int k, double t);
/* The same check of a c->bval[k] computed otherwise (a folded line). */
int eng_bs_check(dwmtj_circuit *c, int k, double t);
/* x[k] += dx[k]; returns the update over its tolerance (> 1: not yet). */
double eng_update(dwmtj_circuit *c, int k);
/* Newton's failure at t, named by the unknown of the largest change. */
int eng_fail_newton(dwmtj_circuit *c, double t, int worst);
/* Of devices dev[0..n) (NULL: the first n): the earliest step limit after
 * t (dwmtj_eval.t_next) and the earliest turn or wall crossing inside
 * (t0, t1) (dwmtj_eval.t_turn, t_cross; *cross 1 for a crossing), +inf if
 * none. */
double eng_devices_limit(const dwmtj_circuit *c, const int *dev, int n, double t);
double eng_devices_turn(const dwmtj_circuit *c, const int *dev, int n, double t0, double t1,
                        int *cross);
/* A point taken at such a turn (cross 0) or crossing (1), in the stats. */
void eng_count_turn(dwmtj_circuit *c, int cross);
/* The steps of at most tmax [t0, t1] is cut into (1 without tmax), and
 * the end of the p-th of them: the exact points' pieces. */
int eng_tmax_parts(const dwmtj_circuit *c, double t0, double t1);
double eng_part_end(double t0, double t1, int p, int parts);

/* The exact steps of [ta, tb] from the accepted point at *t (its end
 * reached), c->y0, c->y1 the linear outputs at the ends, on c->sc. */
int eng_piece_steps(dwmtj_circuit *c, double ta, double tb, double *t);

/* engine_part.c */
/* Group g's Newton solve at t (c->cur set), and its accepted point at t
 * (its devices, its vectors on its axis). */
int eng_part_newton(dwmtj_circuit *c, int g, double t);
int eng_part_take(dwmtj_circuit *c, int g, double t);
/* Whether each Newton group can be stepped on its own (no logic, every
 * group its own block, every device in a group), and if so its lists;
 * otherwise n_part = 0.  Sets stats.groups_split. */
int eng_parts_plan(dwmtj_circuit *c);
void eng_parts_free(dwmtj_circuit *c);
/* The transient after the operating point, each group on its own exact
 * points (DWMTJ_E_STEPS_NEURON with n_part > 0). */
int eng_parts_run(dwmtj_circuit *c, const double *g, int ng);

/* engine_logic.c: the behavioural cell's logic (dwmtj_engine.h) */
/* After reading: PULSE waves as PWL, the one-shot nodes, the switches and
 * the logic nodes, each checked against the forms the engine solves. */
int eng_logic_read(dwmtj_circuit *c);
/* After the groups: the kind of every step; outputs for the source nodes
 * the steps read (before the linear map). */
int eng_logic_kinds(dwmtj_circuit *c);
/* After the Newton pattern: the comparators' groups; the Newton switches
 * must be in Newton groups. */
int eng_logic_groups(dwmtj_circuit *c);
/* Voltage of node now (t: for a one-shot node). */
double eng_node_v(const dwmtj_circuit *c, int node, double t);
double eng_u_arg(const dwmtj_circuit *c, const eng_u *u, double t);
/* The logic at t from the steps' states: B voltage sources to their fixed
 * point, then the switches (hysteresis; a one-shot restarts its
 * exponential).  1 when a logic value or a Newton switch changed, 0 when
 * nothing did, < 0 error. */
int eng_logic_settle(dwmtj_circuit *c, double t);
/* The earliest instant after t at which a one-shot's or a source's step
 * changes (on the piece [c->ta, c->tb] for the sources), +inf if none. */
double eng_logic_next(const dwmtj_circuit *c, double t);
/* Flips the one-shot and source steps that change at or before te. */
void eng_logic_flip_due(dwmtj_circuit *c, double te);
/* The logic at the operating point (t = 0): with reset, switches off and
 * logic low first; the one-shots at their DC values and the steps' states
 * from the present voltages.  Returns how many states changed. */
int eng_logic_start(dwmtj_circuit *c, int reset);

#endif
