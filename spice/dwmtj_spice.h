/* dwmtj spice: the circuit as data.  One lexer, one card reader, one
 * writer, one SPICE number parser for the whole project: the harness reads
 * users' decks into it to instrument them, infer and the crossbar
 * generator build their circuits in it, ngspice gets its text
 * (dwmtj_spice_write) and the KLU engine takes it as it is.
 *
 * A deck is a title and a scope of cards in their order; a .subckt card
 * holds the scope of its definition.  A card read from text keeps that
 * text (continuations joined, comments removed) and is written back
 * verbatim unless a program changed it (card.edited); cards a program
 * builds are written from their data.  Names (elements, nodes, models,
 * parameters) are lower case, as ngspice keeps them; numbers are doubles
 * and are written with the fewest of 15, 16 or 17 significant digits that
 * read back as the same double, so that text -> deck -> text -> deck gives
 * the same numbers and a number a user wrote (0.1) stays as written.
 *
 * What the reader takes apart (the rest of a card stays text):
 *  - elements: name and nodes of R C L (value), V I (DC value, PWL or
 *    PULSE wave), B (V= or I= expression), E G (n+ n- nc+ nc- gain), F H
 *    (n+ n- vcontrol gain), S (n+ n- nc+ nc- model), W (n+ n- vcontrol
 *    model), X (nodes, subcircuit, parameters), A with four plain nodes,
 *    then NULL or a [vector] of nodes, then the model (the form of dwmtj4t;
 *    other A elements and other kinds keep their text in elem.rest);
 *  - .model NAME TYPE(NAME=VALUE ...); .subckt NAME PORTS [params: ...] ...
 *    .ends; .param; .options; .save; .tran TSTEP TSTOP [TSTART [TMAX]]
 *    [UIC]; .include FILE (read in place, relative to the including file);
 *    .control ... .endc (kept as lines); .end (the rest is not read);
 *  - other dot cards are kept as text (DWMTJ_SPICE_DOT).
 *  - .lib is refused (use .include).
 * Comments: '*' lines, ';' anywhere outside quotes, '$' between blanks.
 *
 * Status codes: 0 = DWMTJ_SPICE_OK, negative = error (-300 ..).  Errors
 * come with a message "FILE:LINE: what" in *error (malloc'd).  Nothing
 * here prints or exits; free functions accept NULL. */
#ifndef DWMTJ_SPICE_H
#define DWMTJ_SPICE_H

#include <stddef.h>

#include "dwmtj.h"

enum dwmtj_spice_status {
    DWMTJ_SPICE_OK = 0,
    DWMTJ_SPICE_ERR_NOMEM = -300,   /* out of memory */
    DWMTJ_SPICE_ERR_USAGE = -301,   /* NULL or out-of-range argument */
    DWMTJ_SPICE_ERR_FILE = -302,    /* a file is missing or unreadable */
    DWMTJ_SPICE_ERR_SYNTAX = -303,  /* a malformed card */
    DWMTJ_SPICE_ERR_LIMIT = -304,   /* beyond a bound: nesting, length, count */
    DWMTJ_SPICE_ERR_PARAM = -305    /* a device parameter is unknown or invalid */
};
const char *dwmtj_spice_status_string(int status);

/* ---- numbers ---------------------------------------------------------- */

/* Parses a SPICE number at the start of s: [sign] mantissa [exponent
 * e/E/d/D] [scale t g meg k mil m u n p f, any case] [unit letters], e.g.
 * "1.6u" = 1.6e-6 (correctly rounded: the double nearest to 1.6e-6),
 * "100ns", "5MEG", "2.5e-3V".  Returns 0 and sets *value and (if end is
 * not NULL) *end just past what it used; -1 (value untouched) if s does
 * not start with a number.  The result may be infinite ("1e400"). */
int dwmtj_spice_number(const char *s, double *value, const char **end);
/* The same for a whole token: -1 unless all of tok is one number. */
int dwmtj_spice_number_token(const char *tok, double *value);

/* ---- expressions (B sources) ------------------------------------------ */

enum dwmtj_spice_op {
    DWMTJ_SPICE_X_NUM,   /* num */
    DWMTJ_SPICE_X_NAME,  /* a parameter or constant: name */
    DWMTJ_SPICE_X_V,     /* v(name) or v(name, name2) */
    DWMTJ_SPICE_X_I,     /* i(name): the current of a voltage source */
    DWMTJ_SPICE_X_NEG,   /* - arg[0] */
    DWMTJ_SPICE_X_ADD, DWMTJ_SPICE_X_SUB, DWMTJ_SPICE_X_MUL, DWMTJ_SPICE_X_DIV,
    DWMTJ_SPICE_X_POW,   /* arg[0] ^ arg[1] (also **) */
    DWMTJ_SPICE_X_CALL   /* name(arg[0], ...): min, max, tanh, abs, ... */
};
#define DWMTJ_SPICE_X_DEPTH 256 /* deepest nesting the parser accepts */

typedef struct dwmtj_spice_expr {
    int op;                        /* dwmtj_spice_op */
    double num;                    /* X_NUM: the value */
    char *name;                    /* X_NAME, X_V (node), X_I (source), X_CALL (function) */
    char *name2;                   /* X_V: the second node of v(a, b), else NULL */
    int n_arg;                     /* operands or arguments */
    struct dwmtj_spice_expr **arg;
} dwmtj_spice_expr;

/* Parses the expression text s; NULL with a message in why (size n). */
dwmtj_spice_expr *dwmtj_spice_expr_parse(const char *s, char *why, size_t n);
void dwmtj_spice_expr_free(dwmtj_spice_expr *e);
/* Builders; each takes ownership of its operands and frees them when out
 * of memory (then returns NULL), so that nested calls need one check. */
dwmtj_spice_expr *dwmtj_spice_x_num(double v);
dwmtj_spice_expr *dwmtj_spice_x_cur(const char *source);
dwmtj_spice_expr *dwmtj_spice_x_volt(const char *node, const char *node2);
dwmtj_spice_expr *dwmtj_spice_x_op(int op, dwmtj_spice_expr *a, dwmtj_spice_expr *b);
dwmtj_spice_expr *dwmtj_spice_x_call(const char *fn, int n, dwmtj_spice_expr **args);

/* ---- the data ---------------------------------------------------------- */

/* NAME = VALUE of a .model, .param, .options, .subckt params: or an X
 * instance; .save names (text only). */
typedef struct dwmtj_spice_param {
    char *name;        /* lower case */
    char *text;        /* the value as written; a quoted string without its quotes */
    int quoted;        /* 1: the value was a "string" */
    int numeric;       /* 1: text is one SPICE number, in value */
    double value;
} dwmtj_spice_param;

enum { DWMTJ_SPICE_DC = 0, DWMTJ_SPICE_PWL = 1, DWMTJ_SPICE_PULSE = 2 };
/* Value of an independent source. */
typedef struct dwmtj_spice_wave {
    int shape;         /* DWMTJ_SPICE_DC, _PWL, _PULSE */
    double dc;         /* V or A: DC, and the DC value in front of a wave */
    int n;             /* PWL: points; PULSE: parameters (1..7) */
    double *t;         /* PWL: s, increasing */
    double *v;         /* PWL: V or A at t; PULSE: V1 V2 TD TR TF PW PER */
} dwmtj_spice_wave;

typedef struct dwmtj_spice_elem {
    char *name;        /* lower case; name[0] is the kind */
    int n_node;
    char **node;       /* connections (A: IN GND A B; S: n+ n- nc+ nc-; X: all) */
    double value;      /* R Ohm, C F, L H; E G F H: gain (1) */
    char *ctrl;        /* F H W: controlling V source */
    char *ref;         /* A S W X: model or subckt */
    int has_wave;      /* V, I: 1 when wave holds the value */
    dwmtj_spice_wave wave;
    char bmode;        /* B: 'v' (V = expr) or 'i' (I = expr) */
    dwmtj_spice_expr *expr; /* B */
    int n_vec;         /* A: nodes of its vector port, -1 for NULL */
    char **vec;
    int n_param;       /* X: instance parameters */
    dwmtj_spice_param *param;
    char *rest;        /* text after the parsed part (or after the name when the
                          reader does not take the kind apart), or NULL */
} dwmtj_spice_elem;

typedef struct dwmtj_spice_model {
    char *name, *type; /* lower case */
    int n_param;
    dwmtj_spice_param *param;
} dwmtj_spice_model;

enum dwmtj_spice_card_kind {
    DWMTJ_SPICE_ELEM,     /* an element: el */
    DWMTJ_SPICE_MODEL,    /* .model: model */
    DWMTJ_SPICE_SUBCKT,   /* .subckt ... .ends: sub */
    DWMTJ_SPICE_TRAN,     /* .tran: tran[0..n_tran-1] = tstep tstop tstart tmax, uic */
    DWMTJ_SPICE_OPTIONS,  /* .options: item (name, or name = value) */
    DWMTJ_SPICE_SAVE,     /* .save: item[k].name, the vectors as written */
    DWMTJ_SPICE_PARAM,    /* .param: item */
    DWMTJ_SPICE_CONTROL,  /* .control ... .endc: item[k].text = the lines between */
    DWMTJ_SPICE_DOT       /* any other dot card: text */
};

typedef struct dwmtj_spice_scope dwmtj_spice_scope;

typedef struct dwmtj_spice_card {
    int kind;          /* dwmtj_spice_card_kind */
    int file;          /* index into the deck's files */
    int line;          /* its first physical line; 0 for a card a program built */
    char *text;        /* the card as read, or NULL */
    int edited;        /* 1: written from the data, not from text */
    dwmtj_spice_elem el;
    dwmtj_spice_model model;
    dwmtj_spice_scope *sub;
    double tran[4];    /* s: tstep, tstop, tstart, tmax */
    int n_tran;        /* numbers given (2..4) */
    int uic;
    int n_item;
    dwmtj_spice_param *item;
} dwmtj_spice_card;

struct dwmtj_spice_scope {
    char *name;        /* .subckt name; NULL at the top */
    int n_port;
    char **port;
    int n_param;       /* params: defaults */
    dwmtj_spice_param *param;
    int n_card, cap_card;
    dwmtj_spice_card *card;
    dwmtj_spice_scope *parent; /* NULL at the top */
};

typedef struct dwmtj_spice_deck {
    char *title;
    int n_file;
    char **file;       /* names for messages; file 0 is the deck's own */
    dwmtj_spice_scope top;
} dwmtj_spice_deck;

/* ---- reading, building, writing --------------------------------------- */

/* Reads deck text (name for messages and .include paths) or a file. */
int dwmtj_spice_read(dwmtj_spice_deck **d, const char *name, const char *text, char **error);
int dwmtj_spice_read_file(dwmtj_spice_deck **d, const char *path, char **error);
void dwmtj_spice_free(dwmtj_spice_deck *d);

/* An empty deck with a title (NULL when out of memory). */
dwmtj_spice_deck *dwmtj_spice_new(const char *title);
/* Appends a card of kind to scope s (zeroed, edited, line 0) and returns it,
 * NULL when out of memory; the pointer is valid until the next append to s. */
dwmtj_spice_card *dwmtj_spice_add(dwmtj_spice_scope *s, int kind);
/* Removes card k of s (freed; the cards after it move down by one). */
void dwmtj_spice_remove(dwmtj_spice_scope *s, int k);
/* Element builders on scope s: name and nodes are copied.  NULL when out
 * of memory (e is then freed). */
dwmtj_spice_card *dwmtj_spice_add_r(dwmtj_spice_scope *s, const char *name, const char *a,
                                    const char *b, double ohm);
/* V source, DC value or (n > 0) the PWL through (t[k], v[k]). */
dwmtj_spice_card *dwmtj_spice_add_v(dwmtj_spice_scope *s, const char *name, const char *p,
                                    const char *m, double dc, int n, const double *t,
                                    const double *v);
/* V or I source (by name[0]) with a copy of wave w. */
dwmtj_spice_card *dwmtj_spice_add_wave(dwmtj_spice_scope *s, const char *name, const char *p,
                                       const char *m, const dwmtj_spice_wave *w);
/* B source, mode 'v' or 'i', expression e (owned by the card from now on). */
dwmtj_spice_card *dwmtj_spice_add_b(dwmtj_spice_scope *s, const char *name, const char *p,
                                    const char *m, char mode, dwmtj_spice_expr *e);
/* An element of any kind from its nodes, controlling source ctrl (F H W),
 * ref (model or subckt), value (R C L E G F H) and verbatim rest; the
 * strings may be NULL. */
dwmtj_spice_card *dwmtj_spice_add_elem(dwmtj_spice_scope *s, const char *name, int n_node,
                                       const char *const *node, const char *ctrl,
                                       const char *ref, double value, const char *rest);
/* A element with nodes in, gnd, a, b, vector port vec (n_vec nodes, -1 =
 * NULL) and model. */
dwmtj_spice_card *dwmtj_spice_add_a(dwmtj_spice_scope *s, const char *name,
                                    const char *const node[4], int n_vec,
                                    const char *const *vec, const char *model);
dwmtj_spice_card *dwmtj_spice_add_model(dwmtj_spice_scope *s, const char *name,
                                        const char *type);
/* Adds NAME = text (quoted: a string) to a .model, .param, .options card
 * or an X element's parameters; text NULL: a bare name (.options, .save). */
int dwmtj_spice_add_param(dwmtj_spice_card *c, const char *name, const char *text, int quoted);
/* Adds NAME = number (written exactly, as every number of a deck). */
int dwmtj_spice_add_number(dwmtj_spice_card *c, const char *name, double value);
/* Sets or replaces a parameter of a .model card (marks it edited). */
int dwmtj_spice_set_param(dwmtj_spice_card *c, const char *name, const char *text, int quoted);
/* .tran tstep tstop [tstart [tmax]] (n numbers). */
dwmtj_spice_card *dwmtj_spice_add_tran(dwmtj_spice_scope *s, int n, const double *v);

/* The parameter called name of a card's item list (or model/X params),
 * or NULL. */
const dwmtj_spice_param *dwmtj_spice_param_of(const dwmtj_spice_card *c, const char *name);
/* The .model called name visible from scope s (its own, then its
 * parents'), or NULL; the same for a .subckt definition. */
const dwmtj_spice_card *dwmtj_spice_find_model(const dwmtj_spice_scope *s, const char *name);
const dwmtj_spice_card *dwmtj_spice_find_subckt(const dwmtj_spice_scope *s,
                                                const char *name);
/* The first .tran of the top scope, else the tran command of a .control
 * section (tstep tstop [tstart [tmax]]): numbers into v[4] (tmax 0 when
 * not given), their count into *n.  DWMTJ_SPICE_ERR_SYNTAX names a bad
 * one; 1 when the deck has none. */
int dwmtj_spice_tran(const dwmtj_spice_deck *d, double v[4], int *n, char **error);

/* The deck as ngspice text, ".end" last, into *text (malloc'd). */
int dwmtj_spice_write(const dwmtj_spice_deck *d, char **text);
/* Where a line of written text came from: file (index into the deck's
 * files) and line of the card as read; line 0 for a card a program built
 * (and for the closing .end). */
typedef struct dwmtj_spice_origin {
    int file, line;
} dwmtj_spice_origin;
/* dwmtj_spice_write, and the origin of each of its *n lines into *origin
 * (malloc'd): so that what a simulator says about line k of the text can
 * name the user's file and line. */
int dwmtj_spice_write_origins(const dwmtj_spice_deck *d, char **text,
                              dwmtj_spice_origin **origin, int *n);
/* One card as text (no newline), into *text (malloc'd). */
int dwmtj_spice_write_card(const dwmtj_spice_card *c, char **text);
/* "a0 b0 a1 b1 ..." (b NULL: "a0 a1 ...") written exactly, into *text
 * (malloc'd): a PWL wave's points for ngspice's alter command. */
int dwmtj_spice_write_numbers(int n, const double *a, const double *b, char **text);
/* "FILE:LINE" of a card into buf (size n), or "(generated)" for line 0. */
const char *dwmtj_spice_where(const dwmtj_spice_deck *d, const dwmtj_spice_card *c, char *buf,
                              size_t n);

/* ---- a neuron's reset (doc/cell.md) ------------------------------------ */

/* u(v(node) - level/2): 1 while node is high; u(level/2 - v(node)): 1
 * while it is low. */
dwmtj_spice_expr *dwmtj_spice_x_high(const char *node, double level);
dwmtj_spice_expr *dwmtj_spice_x_low(const char *node, double level);

/* The ideal logic a reset is built of: a supply node at level, a switch
 * model (vt = level/2, defined by the caller) and the one-shots'
 * capacitor. */
typedef struct dwmtj_spice_logic {
    const char *supply; /* node held at level by the caller's source */
    const char *model;  /* sw model of the one-shots' switches */
    double level;       /* V, logic high; thresholds at level/2 */
    double c;           /* F, each one-shot's capacitor (C level^2 per pulse drawn
                           from the supply) */
} dwmtj_spice_logic;

/* A .model NAME sw card (an ngspice voltage-controlled switch): on above
 * vt + vh, off below vt - vh [V], ron and roff [Ohm].  0, or -1 when out
 * of memory. */
int dwmtj_spice_add_sw_model(dwmtj_spice_scope *s, const char *name, double vt, double vh,
                             double ron, double roff);

/* A one-shot on the fall of node trig: switch s<name> holds capacitor
 * c<name> (node <name>_d) at the supply while trig is high, r<name>
 * discharges it after, and the pulse is "trig low and the capacitor above
 * level/2", R C ln 2 = width [s] long.  Returns the pulse's expression (0
 * or 1; the caller owns it), NULL when out of memory or on a bad
 * argument. */
dwmtj_spice_expr *dwmtj_spice_add_one_shot(dwmtj_spice_scope *s, const char *name,
                                           const char *trig, const dwmtj_spice_logic *g,
                                           double width);
/* Neuron k's own reset: on the fall of node spk a one-shot oc<k> of
 * t_clear [s] drives node clr (B source bclr<k>); on the fall of clr a
 * one-shot ow<k> of t_write [s], and node wen (bwen<k>) is high during it
 * or while node start (the initial write, the caller's) is high.  The
 * caller adds what clr and wen switch (the clear current, the write
 * path). */
int dwmtj_spice_add_reset(dwmtj_spice_scope *s, int k, const char *spk, const char *clr,
                          const char *wen, const char *start, const dwmtj_spice_logic *g,
                          double t_clear, double t_write);

/* ---- dwmtj4t cards ------------------------------------------------------ */

/* K, the circuit's temperature as ngspice takes it (C in the deck): the
 * last .temp T (or .temp=T) of the top level, over any .options temp;
 * else the last .options temp = T; else 27 C.  A .temp that is not a
 * plain number is 27 C, as ngspice sets it with a warning
 * (dwmtj_spice_temp_card says which). */
double dwmtj_spice_temperature(const dwmtj_spice_deck *d);
/* 1 when card c is a .temp card (a dot card starting so, as ngspice takes
 * it), with its value in C into *celsius (may be NULL) when it is a plain
 * number and 27 when not; 0 for any other card.  *number (may be NULL):
 * 1 for a plain number. */
int dwmtj_spice_temp_card(const dwmtj_spice_card *c, double *celsius, int *number);

/* The device parameters of a dwmtj4t .model card as the code model reads
 * them: the set (set="proto" or "scaled", default proto), then every
 * parameter the card gives over it, checked (dwmtj_params_check); and the
 * monitors the card puts on port mon (dwmtj_monitor_select), into sel and
 * *n_sel (either may be NULL).  An unknown name, a non-number, an invalid
 * value: DWMTJ_SPICE_ERR_PARAM and a message naming the card and the
 * parameter.  A positive status of dwmtj_params_check (a warning) is
 * returned as it is, with its message in *error. */
int dwmtj_spice_device(const dwmtj_spice_deck *d, const dwmtj_spice_card *model,
                       dwmtj_params *p, int sel[DWMTJ_NMON], int *n_sel, char **error);

#endif
