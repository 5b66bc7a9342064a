/* cfg_internal.h - what the files of core/config share and nobody else sees: the node tree a config
 * is read into (every node knows where it came from), the layout of gl_cfg and gl_params, and the
 * helpers the reader, loader, validator and printer have in common.
 *
 * Functions here are named gl_cfg__* because libganlab exports every gl_ symbol; the double
 * underscore marks them as private to core/config.
 */
#ifndef GL_CFG_INTERNAL_H
#define GL_CFG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "util/suggest.h"

/* Limits on hostile input (docs/config.md, "Limits"). Nodes and bytes count alias expansion. */
#define GL_CFG_MAX_FILE_BYTES  ((size_t)16 << 20)
#define GL_CFG_MAX_DEPTH       64
#define GL_CFG_MAX_NODES       ((size_t)1000000)
#define GL_CFG_MAX_ALIAS_NODES ((size_t)100000) /* nodes that aliases may add to one file */
#define GL_CFG_MAX_TEXT_BYTES  ((size_t)64 << 20)
#define GL_CFG_MAX_KEYS        4096 /* keys in one mapping */
#define GL_CFG_MAX_FILES       64   /* files read for one config, bases included */
#define GL_CFG_MAX_BASE_DEPTH  32   /* length of a base chain */
#define GL_CFG_CLIP            80   /* user text quoted in a message is cut to this many bytes */

/* ---------------------------------------------------------------- where a value came from */

typedef enum gl_cfg_from {
    GL_CFG_FROM_FILE = 1, /* name is the path as shown in messages */
    GL_CFG_FROM_OVERRIDE, /* name is the override text "k.k=v" */
    GL_CFG_FROM_ENV,      /* name is "GANLAB_THREADS=v" */
    GL_CFG_FROM_DEFAULT   /* name says which default ("default of 'lr' in ...") */
} gl_cfg_from;

typedef struct gl_cfg_origin {
    gl_cfg_from from;
    char *name;
    char *dir; /* absolute directory relative paths are resolved against */
    struct gl_cfg_origin *next;
} gl_cfg_origin;

/* A new origin pushed on *list (the list owns it; gl_cfg__origins_free frees the list).
 * dir is copied; NULL on allocation failure. */
gl_cfg_origin *gl_cfg__origin_new(gl_cfg_origin **list, gl_cfg_from from, const char *name,
                                  const char *dir);
void gl_cfg__origins_free(gl_cfg_origin *list);

/* ---------------------------------------------------------------- node tree */

typedef enum gl_cfg_kind { GL_CFG_SCALAR = 1, GL_CFG_SEQ, GL_CFG_MAP } gl_cfg_kind;

typedef struct gl_cfg_node {
    gl_cfg_kind kind;
    int plain;                 /* scalar written without quotes (so '5' in quotes is a string) */
    char *text;                /* scalar value, NUL-terminated */
    char *key;                 /* the key when this node is a mapping's value, else NULL */
    struct gl_cfg_node **kids; /* sequence items or mapping values, in order */
    size_t n, cap;
    const gl_cfg_origin *org;
    int line, col;   /* of the value, 1-based; 0 when not from a file */
    int kline, kcol; /* of the key */
    size_t weight;   /* nodes in this subtree (alias bound) */
    size_t bytes;    /* scalar bytes in this subtree (alias bound) */
} gl_cfg_node;

/* New empty node; the caller frees it with gl_cfg__node_free (or hands it to a parent). */
gl_cfg_node *gl_cfg__node_new(gl_cfg_kind kind, const gl_cfg_origin *org, int line, int col);
/* New scalar holding a copy of text. */
gl_cfg_node *gl_cfg__scalar_new(const char *text, int plain, const gl_cfg_origin *org, int line,
                                int col);
void gl_cfg__node_free(gl_cfg_node *n);
/* Deep copy (key included); NULL on allocation failure. */
gl_cfg_node *gl_cfg__node_clone(const gl_cfg_node *n);
/* Makes room for `more` kids; GL_OK or GL_ERR_INPUT (out of memory, reported in err). */
int gl_cfg__node_reserve(gl_cfg_node *n, size_t more, gl_error *err);
int gl_cfg__node_append(gl_cfg_node *parent, gl_cfg_node *kid, gl_error *err);
/* Index of key in mapping m, or -1. */
long gl_cfg__node_find(const gl_cfg_node *m, const char *key);
gl_cfg_node *gl_cfg__node_get(const gl_cfg_node *m, const char *key);
/* Unlinks and returns kid i of m. */
gl_cfg_node *gl_cfg__node_take(gl_cfg_node *m, size_t i);
/* The node at a dotted path ("optimizer.generator") below mapping root, or NULL. */
gl_cfg_node *gl_cfg__node_path(const gl_cfg_node *root, const char *path);
/* A YAML null: a plain "", "~", "null", "Null" or "NULL". */
int gl_cfg__is_null(const gl_cfg_node *n);
/* "a mapping", "a list", "a string" ... for messages. */
const char *gl_cfg__kind_name(const gl_cfg_node *n);

/* Merges layer b over *a, consuming b: mappings key by key, anything else (a list too) replaces;
 * a mapping whose `plugin` changes replaces the earlier mapping whole. GL_OK, or an error with
 * b freed and *a intact. */
int gl_cfg__merge(gl_cfg_node **a, gl_cfg_node *b, gl_error *err);

/* ---------------------------------------------------------------- messages */

/* "file:line:col", "file", "override 'k=v'", "environment GANLAB_THREADS=v" or the default's name.
 */
void gl_cfg__where_at(const gl_cfg_origin *org, int line, int col, char *buf, size_t cap);
/* Where node n is: its key (at_key) or its value. */
void gl_cfg__where(const gl_cfg_node *n, int at_key, char *buf, size_t cap);
/* Adds "WHERE: message" to err; returns GL_ERR_INPUT. */
int gl_cfg__fault(gl_error *err, const gl_cfg_node *n, int at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int gl_cfg__fault_at(gl_error *err, const gl_cfg_origin *org, int line, int col, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

/* ---------------------------------------------------------------- text helpers */

/* A growing string; on allocation failure it sets failed and stops growing. Free with free(s). */
typedef struct gl_cfg_sb {
    char *s;
    size_t len, cap;
    int failed;
} gl_cfg_sb;
void gl_cfg__sb_add(gl_cfg_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gl_cfg__sb_addn(gl_cfg_sb *b, const char *text, size_t n);

/* Paths. All return new strings the caller frees with free(), NULL on allocation failure. */
char *gl_cfg__path_dir(const char *path);                /* "a/b.yaml" -> "a"; "b.yaml" -> "." */
char *gl_cfg__path_join(const char *dir, const char *p); /* p if absolute, else dir/p; normalized */
char *gl_cfg__path_stem(const char *path);               /* "a/b.yaml" -> "b" */

/* ---------------------------------------------------------------- reading YAML */

/* Parses len bytes of YAML into a node tree owned by the caller (gl_cfg__node_free). An empty
 * document gives *out = NULL. Enforces the limits above and UTF-8; positions name org. */
int gl_cfg__parse(const char *text, size_t len, const gl_cfg_origin *org, gl_cfg_node **out,
                  gl_error *err);
/* Reads the file org->name (size limit, regular file, no NUL bytes) and parses it. */
int gl_cfg__read_file(const gl_cfg_origin *org, gl_cfg_node **out, gl_error *err);

/* ---------------------------------------------------------------- sections and values */

/* One section of the config, in print order; see sections.c. */
typedef struct gl_cfg_slot {
    const char *name;                 /* "train", "optimizer.generator" (static) */
    const gl_param_spec *core_schema; /* built-in schema, NULL for plugin sections */
    char *plugin;                     /* after validate: the plugin name (plugin sections) */
    const gl_param_spec *schema;      /* after validate: the schema used */
    gl_params *params;                /* after validate */
} gl_cfg_slot;

/* Fills slots (when not NULL) with every section in print order; returns how many there are. */
size_t gl_cfg__sections(gl_cfg_slot *slots);

typedef struct gl_param_value {
    int present;    /* has a value (0: optional, no default, not given) */
    int set;        /* the value came from a file, an override or the environment */
    int64_t i;      /* BOOL, INT */
    double f;       /* FLOAT */
    char *s;        /* STRING, CHOICE, PATH */
    int64_t *ints;  /* INT_LIST */
    double *floats; /* FLOAT_LIST */
    size_t len;     /* list length */
} gl_param_value;

struct gl_params {
    const gl_param_spec *spec; /* NULL-name terminated, owned by the plugin or built in */
    size_t n;
    gl_param_value *v; /* n values, in spec order */
};

/* New params for spec with no values (owned by the caller: gl_cfg__params_free). */
gl_params *gl_cfg__params_new(const gl_param_spec *spec);
void gl_cfg__params_free(gl_params *p);
/* Index of name in p's spec, or -1. */
long gl_cfg__params_index(const gl_params *p, const char *name);

/* Shortest text that strtod reads back to exactly v ("0.0002", "1e-08", "3"). */
void gl_cfg__format_double(double v, char *buf, size_t cap);
/* Appends s as a YAML scalar, double-quoted when plain text would not read back as the same string.
 */
void gl_cfg__yaml_string(const char *s, gl_cfg_sb *out);
/* Appends value v of spec s as a one-line YAML value ("0.0002", "[1, 2]", "\"a b\"", "null"). */
void gl_cfg__value_yaml(const gl_param_spec *s, const gl_param_value *v, gl_cfg_sb *out);

struct gl_cfg {
    char *source;           /* the path given to gl_cfg_load */
    char *cwd;              /* working directory at load time (overrides, defaults) */
    gl_cfg_origin *origins; /* every origin the nodes point to */
    gl_cfg_node *root;      /* the merged tree */
    int validated;
    gl_cfg_slot *slots;
    size_t n_slots;
    gl_cfg_slot *evals; /* after validate: the items of eval.evaluators, in order (name is
                           GL_CFG_EVALUATORS); malloc'ed, freed by gl_cfg__slots_reset */
    size_t n_evals;
};

/* Drops what gl_cfg_validate filled in (plugins, schemas, params, evaluators); cfg is then not
 * validated. */
void gl_cfg__slots_reset(gl_cfg *cfg);

#endif
