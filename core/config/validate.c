/* validate.c - gl_cfg_validate: every section checked against its schema (a plugin's, found through
 * the lookup callback, or a built-in one), values typed, defaults filled, every fault reported.
 *
 * Typing is the schema's: YAML only says whether a scalar was quoted. A quoted scalar is always a
 * string, so `lr: "0.1"` is refused for a float; a plain one is whatever the schema asks for:
 *   bool   true/false (also True, TRUE, False, FALSE)
 *   int    [-+]?[0-9]+ fitting int64
 *   float  YAML 1.2 decimal [-+]?(.D+|D+(.D*)?)([eE][-+]?D+)?, finite (an int is a float too)
 *   string, choice, path: any scalar; a path is resolved against its origin's directory (the file
 *          that gave it, the working directory for an override or a default); "" stays "".
 *   lists  a YAML sequence of the element type; the range applies to each element.
 * A null value (`key:`, `~`, `null`) means "not given": the default applies.
 * Defaults (gl_param_spec.default_value) go through the same conversion: numbers, bools and lists
 * as YAML text, strings, choices and paths verbatim (so a path default "" is the empty path).
 * eval.evaluators is a list of plugin mappings, each checked like a plugin section.
 * gl_cfg_params_derive reuses the section check for parameters the core derives from a section's
 * (a dataset's test split): the base values printed as YAML, the changes merged over them.
 */
#include "config/cfg_internal.h"

#include <ganlab/tensor.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bounds at or past this print as "must be >= MIN" (they mean "no upper bound"). */
#define NO_UPPER 9.2e18

typedef struct vctx {
    gl_cfg *cfg;
    gl_error *err;
    char label[192]; /* "train", "loss 'wgan_gp'" */
} vctx;

static int oom(gl_error *err)
{
    return gl_error_add(err, GL_ERR_INPUT, "out of memory validating the config");
}

/* 1: an int in *out; 0: not an int; -1: does not fit int64. */
static int parse_int(const char *t, int64_t *out)
{
    const char *d = t + (*t == '-' || *t == '+');
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return 0;
    errno = 0;
    long long v = strtoll(t, NULL, 10);
    if (errno == ERANGE)
        return -1;
    *out = v;
    return 1;
}

/* 1: a finite float in *out; 0: not a float; -1: overflows. */
static int parse_float(const char *t, double *out)
{
    const char *p = t + (*t == '-' || *t == '+');
    size_t whole = strspn(p, "0123456789");
    p += whole;
    size_t frac = 0;
    if (*p == '.') {
        frac = strspn(p + 1, "0123456789");
        p += 1 + frac;
    }
    if (whole + frac == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '-' || p[1] == '+');
        size_t ex = strspn(p, "0123456789");
        if (ex == 0)
            return 0;
        p += ex;
    }
    if (*p)
        return 0;
    *out = strtod(t, NULL);
    return isfinite(*out) ? 1 : -1;
}

static int type_fault(vctx *c, const gl_cfg_node *n, const char *name, const char *want)
{
    if (n->kind != GL_CFG_SCALAR || gl_cfg__is_null(n))
        return gl_cfg__fault(c->err, n, 0, "'%s' in %s expects %s, got %s", name, c->label, want,
                             gl_cfg__kind_name(n));
    return gl_cfg__fault(c->err, n, 0, "'%s' in %s expects %s, got %s'%.*s'", name, c->label, want,
                         n->plain ? "" : "the quoted string ", GL_CFG_CLIP, n->text);
}

static int check_range(vctx *c, const gl_cfg_node *n, const char *name, const gl_param_spec *s,
                       double v)
{
    if (s->min > s->max || (v >= s->min && v <= s->max))
        return GL_OK;
    char lo[40], hi[40], range[96];
    gl_cfg__format_double(s->min, lo, sizeof lo);
    gl_cfg__format_double(s->max, hi, sizeof hi);
    if (s->max >= NO_UPPER)
        snprintf(range, sizeof range, ">= %s", lo);
    else
        snprintf(range, sizeof range, "in [%s, %s]", lo, hi);
    return gl_cfg__fault(c->err, n, 0, "'%s' in %s must be %s, got %.*s", name, c->label, range,
                         GL_CFG_CLIP, n->text);
}

/* A plain scalar as an int (iv) or a float (fv), range-checked. */
static int number(vctx *c, const gl_cfg_node *n, const char *name, const gl_param_spec *s,
                  int64_t *iv, double *fv)
{
    const char *want = iv ? "an integer" : "a number";
    if (n->kind != GL_CFG_SCALAR || !n->plain || gl_cfg__is_null(n))
        return type_fault(c, n, name, want);
    int ok = iv ? parse_int(n->text, iv) : parse_float(n->text, fv);
    if (ok == 0)
        return type_fault(c, n, name, want);
    if (ok < 0)
        return gl_cfg__fault(c->err, n, 0, "'%s' in %s: %.*s is too large for %s", name, c->label,
                             GL_CFG_CLIP, n->text, iv ? "a 64-bit integer" : "a double");
    return check_range(c, n, name, s, iv ? (double)*iv : *fv);
}

static int in_choices(const char *choices, const char *value, gl_suggest *sug)
{
    size_t vlen = strlen(value);
    for (const char *item = choices;; item++) {
        size_t len = strcspn(item, "|");
        if (len == vlen && memcmp(item, value, len) == 0)
            return 1;
        gl_suggest_try(sug, item, len);
        item += len;
        if (!*item)
            return 0;
    }
}

static int convert_list(vctx *c, const gl_cfg_node *n, const gl_param_spec *s, gl_param_value *v)
{
    int ints = s->type == GL_PARAM_INT_LIST;
    if (n->kind != GL_CFG_SEQ)
        return type_fault(c, n, s->name, ints ? "a list of integers" : "a list of numbers");
    if (ints)
        v->ints = malloc((n->n + 1) * sizeof *v->ints);
    else
        v->floats = malloc((n->n + 1) * sizeof *v->floats);
    if (!v->ints && !v->floats)
        return oom(c->err);
    v->len = n->n;
    int rc = GL_OK;
    for (size_t k = 0; k < n->n; k++) {
        char elem[96];
        snprintf(elem, sizeof elem, "%s[%zu]", s->name, k);
        if (number(c, n->kids[k], elem, s, ints ? &v->ints[k] : NULL,
                   ints ? NULL : &v->floats[k]) != GL_OK)
            rc = GL_ERR_INPUT;
    }
    return rc;
}

/* Types node n for parameter s into v (which the caller has zeroed). */
static int convert(vctx *c, const gl_cfg_node *n, const gl_param_spec *s, gl_param_value *v)
{
    switch (s->type) {
    case GL_PARAM_BOOL:
        if (n->kind == GL_CFG_SCALAR && n->plain) {
            const char *t = n->text;
            if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) {
                v->i = 1;
                return GL_OK;
            }
            if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) {
                v->i = 0;
                return GL_OK;
            }
        }
        return type_fault(c, n, s->name, "true or false");
    case GL_PARAM_INT:
        return number(c, n, s->name, s, &v->i, NULL);
    case GL_PARAM_FLOAT:
        return number(c, n, s->name, s, NULL, &v->f);
    case GL_PARAM_STRING:
    case GL_PARAM_CHOICE:
    case GL_PARAM_PATH:
        if (n->kind != GL_CFG_SCALAR)
            return type_fault(c, n, s->name, s->type == GL_PARAM_PATH ? "a path" : "a string");
        if (s->type == GL_PARAM_CHOICE) {
            gl_suggest sug;
            gl_suggest_init(&sug, n->text);
            if (!s->choices || !in_choices(s->choices, n->text, &sug)) {
                char hint[128];
                gl_suggest_text(&sug, hint, sizeof hint);
                return gl_cfg__fault(c->err, n, 0, "'%s' in %s must be one of %s, got '%.*s'%s",
                                     s->name, c->label, s->choices ? s->choices : "(none)",
                                     GL_CFG_CLIP, n->text, hint);
            }
        }
        if (s->type == GL_PARAM_PATH && *n->text)
            v->s = gl_cfg__path_join(n->org->dir, n->text);
        else
            v->s = strdup(n->text);
        return v->s ? GL_OK : oom(c->err);
    case GL_PARAM_INT_LIST:
    case GL_PARAM_FLOAT_LIST:
        return convert_list(c, n, s, v);
    }
    return gl_cfg__fault(c->err, n, 0, "'%s' in %s has an unknown type %d in its schema", s->name,
                         c->label, (int)s->type);
}

/* Frees what convert put in v and zeroes it. */
static void value_clear(gl_param_value *v)
{
    free(v->s);
    free(v->ints);
    free(v->floats);
    *v = (gl_param_value){0};
}

/* The schema default of s into v (nothing when s has none). */
static int apply_default(vctx *c, const gl_param_spec *s, gl_param_value *v)
{
    if (!s->default_value)
        return GL_OK;
    gl_cfg_sb name = {0};
    gl_cfg__sb_add(&name, "default of '%s' in %s", s->name, c->label);
    const gl_cfg_origin *org = name.failed
                                   ? NULL
                                   : gl_cfg__origin_new(&c->cfg->origins, GL_CFG_FROM_DEFAULT,
                                                        name.s, c->cfg->cwd);
    free(name.s);
    if (!org)
        return oom(c->err);
    int verbatim = s->type == GL_PARAM_STRING || s->type == GL_PARAM_CHOICE ||
                   s->type == GL_PARAM_PATH;
    gl_cfg_node *n = NULL;
    int rc = verbatim
                 ? ((n = gl_cfg__scalar_new(s->default_value, 0, org, 0, 0)) ? GL_OK : oom(c->err))
                 : gl_cfg__parse(s->default_value, strlen(s->default_value), org, &n, c->err);
    if (rc == GL_OK && n)
        rc = convert(c, n, s, v);
    if (rc == GL_OK)
        v->present = n != NULL;
    else
        value_clear(v);
    gl_cfg__node_free(n);
    return rc;
}

/* Where a missing key of section node sec is reported: the section's key, or the config file. */
static int missing(vctx *c, const gl_cfg_node *sec, const char *fmt, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what, c->label);
    if (sec)
        return gl_cfg__fault(c->err, sec, 1, "%s", msg);
    return gl_error_add(c->err, GL_ERR_INPUT, "%s: %s", c->cfg->source, msg);
}

/* Checks mapping sec (NULL: absent, all defaults) against the schema into *out. own_key (or NULL)
 * is a key the caller checks itself ("plugin" of a plugin section, "evaluators" of eval). */
static int check_section(vctx *c, const gl_cfg_node *sec, const gl_param_spec *schema,
                         const char *own_key, gl_params **out)
{
    gl_params *p = gl_cfg__params_new(schema);
    if (!p)
        return oom(c->err);
    *out = p;
    int rc = GL_OK;
    for (size_t k = 0; sec && k < sec->n; k++) {
        const char *key = sec->kids[k]->key;
        if ((own_key && strcmp(key, own_key) == 0) || gl_cfg__params_index(p, key) >= 0)
            continue;
        gl_suggest sug;
        gl_suggest_init(&sug, key);
        for (size_t i = 0; i < p->n; i++)
            gl_suggest_try(&sug, schema[i].name, strlen(schema[i].name));
        if (own_key)
            gl_suggest_try(&sug, own_key, strlen(own_key));
        char hint[128];
        gl_suggest_text(&sug, hint, sizeof hint);
        rc = gl_cfg__fault(c->err, sec->kids[k], 1, "unknown key '%.*s' in %s%s", GL_CFG_CLIP, key,
                           c->label, hint);
    }
    for (size_t i = 0; i < p->n; i++) {
        const gl_param_spec *s = &schema[i];
        gl_param_value *v = &p->v[i];
        const gl_cfg_node *n = gl_cfg__node_get(sec, s->name);
        if (n && !gl_cfg__is_null(n)) {
            if (convert(c, n, s, v) == GL_OK) {
                v->present = 1;
                v->set = n->org->from != GL_CFG_FROM_DEFAULT;
            } else {
                value_clear(v);
                rc = GL_ERR_INPUT;
            }
        } else if (s->required) {
            rc = missing(c, sec, "missing required key '%s' in %s", s->name);
        } else if (apply_default(c, s, v) != GL_OK) {
            rc = GL_ERR_INPUT;
        }
    }
    return rc;
}

/* train: exactly one of steps and epochs (checked when both have valid values). */
static int check_train_length(vctx *c, const gl_cfg_node *sec, const gl_params *p)
{
    if (!p->v[gl_cfg__params_index(p, "steps")].present ||
        !p->v[gl_cfg__params_index(p, "epochs")].present)
        return GL_OK;
    int64_t steps = gl_params_int(p, "steps"), epochs = gl_params_int(p, "epochs");
    if (steps > 0 && epochs > 0)
        return gl_cfg__fault(c->err, gl_cfg__node_get(sec, "epochs"), 1,
                             "train sets both 'steps' and 'epochs'; set only one (the other to "
                             "0 or null)");
    if (steps == 0 && epochs == 0) {
        /* Where a 0 or null was given (an override, most often), not where the section began. */
        const gl_cfg_node *given = gl_cfg__node_get(sec, "steps");
        if (!given)
            given = gl_cfg__node_get(sec, "epochs");
        return missing(c, given ? given : sec,
                       "%s in %s: set 'steps' (generator updates) or 'epochs'", "no run length");
    }
    return GL_OK;
}

/* experiment.name becomes a directory name inside out_dir: one path component, never "." or "..",
 * and nothing that reads as an option or hides in a listing. */
static int check_run_name(vctx *c, const gl_cfg_node *sec, const gl_params *p)
{
    if (!p->v[gl_cfg__params_index(p, "name")].present)
        return GL_OK;
    const char *name = gl_params_string(p, "name");
    const char *why = NULL;
    if (!name[0])
        why = "is empty";
    else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        why = "is '.' or '..'";
    else if (strchr(name, '/'))
        why = "contains '/' (it names one directory inside experiment.out_dir)";
    else if (name[0] == '-' || name[0] == '.')
        why = "starts with '-' or '.'";
    else if (strlen(name) > 200)
        why = "is longer than 200 bytes";
    for (const unsigned char *k = (const unsigned char *)name; !why && *k; k++)
        if (*k < 0x20 || *k == 0x7f)
            why = "contains a control character";
    if (!why)
        return GL_OK;
    const gl_cfg_node *n = gl_cfg__node_get(sec, "name");
    if (n)
        return gl_cfg__fault(c->err, n, 1, "experiment.name '%s' %s", name, why);
    return gl_error_add(c->err, GL_ERR_INPUT,
                        "experiment.name '%s' (the config file's name) %s: set experiment.name",
                        name, why);
}

/* experiment.out_dir "" would be no directory at all (a path's "" means "not given" to a plugin,
 * but the run directory needs a place). */
static int check_out_dir(vctx *c, const gl_cfg_node *sec, const gl_params *p)
{
    if (!p->v[gl_cfg__params_index(p, "out_dir")].present || gl_params_string(p, "out_dir")[0])
        return GL_OK;
    const gl_cfg_node *n = gl_cfg__node_get(sec, "out_dir");
    const char *why = "experiment.out_dir is empty: name a directory (default: runs)";
    return n ? gl_cfg__fault(c->err, n, 1, "%s", why)
             : gl_error_add(c->err, GL_ERR_INPUT, "%s", why);
}

/* engine: bf16 only where the engine can run it (this build has oneDNN, the CPU multiplies bf16).
 */
static int check_engine(vctx *c, const gl_cfg_node *sec, const gl_params *p)
{
    if (!p->v[gl_cfg__params_index(p, "precision")].present ||
        strcmp(gl_params_string(p, "precision"), "bf16") != 0)
        return GL_OK;
    const char *why = gl_engine_bf16_missing();
    return why ? gl_cfg__fault(c->err, gl_cfg__node_get(sec, "precision"), 0,
                               "engine.precision bf16 is refused: %s", why)
               : GL_OK;
}

/* Plugin mapping sec (the section slot->name, or an item of eval.evaluators) against the schema of
 * its plugin of `kind`, found through lookup. what names it in messages ("section 'loss'"). */
static int check_plugin_map(vctx *c, const gl_cfg_node *sec, gl_cfg_slot *slot, gl_plugin_kind kind,
                            const char *what, gl_cfg_schema_lookup lookup, void *ud)
{
    const gl_cfg_node *p = gl_cfg__node_get(sec, "plugin");
    if (!p || gl_cfg__is_null(p))
        return gl_cfg__fault(c->err, sec, sec->key != NULL,
                             "%s does not name its plugin ('plugin: NAME')", what);
    if (p->kind != GL_CFG_SCALAR)
        return gl_cfg__fault(c->err, p, 0, "'plugin' in %s must be a plugin name, not %s",
                             slot->name, gl_cfg__kind_name(p));
    char where[512];
    gl_cfg__where(p, 0, where, sizeof where);
    const gl_param_spec *schema = NULL;
    int before = c->err ? c->err->count : 0;
    if (lookup(ud, slot->name, kind, p->text, where, &schema, c->err) != GL_OK) {
        if (c->err && c->err->count == before) /* a lookup that failed silently */
            gl_error_add(c->err, GL_ERR_INPUT, "%s: no usable plugin '%.*s' for %s", where,
                         GL_CFG_CLIP, p->text, slot->name);
        return GL_ERR_INPUT;
    }
    if (!(slot->plugin = strdup(p->text)))
        return oom(c->err);
    slot->schema = schema;
    snprintf(c->label, sizeof c->label, "%s '%.*s'",
             kind == GL_KIND_EVALUATOR ? "evaluator" : slot->name, GL_CFG_CLIP, p->text);
    return check_section(c, sec, schema, "plugin", &slot->params);
}

/* eval.evaluators: a list of evaluator plugin mappings into cfg->evals; a plugin listed twice is a
 * fault (its metrics would share column names in eval.csv). */
static int check_evaluators(vctx *c, const gl_cfg_node *sec, gl_cfg_schema_lookup lookup, void *ud)
{
    const gl_cfg_node *list = gl_cfg__node_get(sec, "evaluators");
    if (!list || gl_cfg__is_null(list))
        return GL_OK;
    if (list->kind != GL_CFG_SEQ)
        return gl_cfg__fault(c->err, list, 0,
                             "'evaluators' in eval must be a list of {plugin: NAME, ...}, not %s",
                             gl_cfg__kind_name(list));
    /* Freed by gl_cfg__slots_reset. */
    c->cfg->evals = calloc(list->n + 1, sizeof *c->cfg->evals);
    if (!c->cfg->evals)
        return oom(c->err);
    c->cfg->n_evals = list->n;
    int rc = GL_OK;
    for (size_t i = 0; i < list->n; i++) {
        const gl_cfg_node *item = list->kids[i];
        gl_cfg_slot *slot = &c->cfg->evals[i];
        slot->name = GL_CFG_EVALUATORS;
        if (item->kind != GL_CFG_MAP) {
            rc = gl_cfg__fault(c->err, item, 0,
                               "item %zu of eval.evaluators must be a mapping "
                               "{plugin: NAME, ...}, not %s",
                               i, gl_cfg__kind_name(item));
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, "item %zu of eval.evaluators", i);
        if (check_plugin_map(c, item, slot, GL_KIND_EVALUATOR, what, lookup, ud) != GL_OK) {
            rc = GL_ERR_INPUT;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (c->cfg->evals[j].plugin && strcmp(c->cfg->evals[j].plugin, slot->plugin) == 0) {
                rc = gl_cfg__fault(c->err, gl_cfg__node_get(item, "plugin"), 0,
                                   "evaluator '%.*s' is listed twice in eval.evaluators (items %zu "
                                   "and %zu); list it once",
                                   GL_CFG_CLIP, slot->plugin, j, i);
                break;
            }
    }
    return rc;
}

static int check_core(vctx *c, gl_cfg_slot *slot, gl_cfg_schema_lookup lookup, void *ud)
{
    const gl_cfg_node *sec = gl_cfg__node_path(c->cfg->root, slot->name);
    int is_eval = strcmp(slot->name, "eval") == 0;
    snprintf(c->label, sizeof c->label, "%s", slot->name);
    slot->schema = slot->core_schema;
    int rc = check_section(c, sec, slot->schema, is_eval ? "evaluators" : NULL, &slot->params);
    if (slot->params && strcmp(slot->name, "train") == 0 &&
        check_train_length(c, sec, slot->params) != GL_OK)
        rc = GL_ERR_INPUT;
    if (slot->params && strcmp(slot->name, "experiment") == 0 &&
        (check_run_name(c, sec, slot->params) | check_out_dir(c, sec, slot->params)) != GL_OK)
        rc = GL_ERR_INPUT;
    if (slot->params && strcmp(slot->name, "engine") == 0 &&
        check_engine(c, sec, slot->params) != GL_OK)
        rc = GL_ERR_INPUT;
    if (is_eval && sec && check_evaluators(c, sec, lookup, ud) != GL_OK)
        rc = GL_ERR_INPUT;
    return rc;
}

static int check_plugin(vctx *c, gl_cfg_slot *slot, gl_cfg_schema_lookup lookup, void *ud)
{
    const gl_cfg_node *sec = gl_cfg__node_path(c->cfg->root, slot->name);
    if (!sec)
        return gl_error_add(c->err, GL_ERR_INPUT,
                            "%s: missing section '%s' (it needs at least 'plugin: NAME')",
                            c->cfg->source, slot->name);
    char what[96];
    snprintf(what, sizeof what, "section '%s'", slot->name);
    return check_plugin_map(c, sec, slot, gl_cfg_section_kind(slot->name), what, lookup, ud);
}

static void slot_clear(gl_cfg_slot *s)
{
    free(s->plugin);
    gl_cfg__params_free(s->params);
    s->plugin = NULL;
    s->params = NULL;
    s->schema = NULL;
}

void gl_cfg__slots_reset(gl_cfg *cfg)
{
    cfg->validated = 0;
    for (size_t i = 0; i < cfg->n_slots; i++)
        slot_clear(&cfg->slots[i]);
    for (size_t i = 0; i < cfg->n_evals; i++)
        slot_clear(&cfg->evals[i]);
    free(cfg->evals);
    cfg->evals = NULL;
    cfg->n_evals = 0;
}

int gl_cfg_validate(gl_cfg *cfg, gl_cfg_schema_lookup lookup, void *ud, gl_error *err)
{
    gl_cfg__slots_reset(cfg);
    vctx c = {.cfg = cfg, .err = err};
    int rc = GL_OK;
    for (size_t i = 0; i < cfg->n_slots; i++) {
        gl_cfg_slot *slot = &cfg->slots[i];
        int r = slot->core_schema ? check_core(&c, slot, lookup, ud)
                                  : check_plugin(&c, slot, lookup, ud);
        if (r != GL_OK)
            rc = GL_ERR_INPUT;
    }
    if (rc != GL_OK) {
        gl_cfg__slots_reset(cfg);
        return rc;
    }
    cfg->validated = 1;
    return GL_OK;
}

/* YAML mapping text of p's present values ("key: value\n" lines) into out. */
static void params_yaml(const gl_params *p, gl_cfg_sb *out)
{
    for (size_t i = 0; p && i < p->n; i++) {
        if (!p->v[i].present)
            continue;
        gl_cfg__sb_add(out, "%s: ", p->spec[i].name);
        gl_cfg__value_yaml(&p->spec[i], &p->v[i], out);
        gl_cfg__sb_addn(out, "\n", 1);
    }
}

/* Parses text (may be empty) as a mapping named by org into *out (an empty mapping for no text). */
static int parse_map(const char *text, const gl_cfg_origin *org, gl_cfg_node **out, gl_error *err)
{
    *out = NULL;
    if (text && *text && gl_cfg__parse(text, strlen(text), org, out, err) != GL_OK)
        return GL_ERR_INPUT;
    if (!*out)
        *out = gl_cfg__node_new(GL_CFG_MAP, org, 0, 0);
    if (!*out)
        return oom(err);
    if ((*out)->kind == GL_CFG_MAP)
        return GL_OK;
    int rc = gl_cfg__fault(err, *out, 0, "expected a mapping of parameters, not %s",
                           gl_cfg__kind_name(*out));
    gl_cfg__node_free(*out);
    *out = NULL;
    return rc;
}

int gl_cfg_params_derive(const gl_param_spec *schema, const gl_params *base, const char *changes,
                         const char *label, gl_params **out, gl_error *err)
{
    *out = NULL;
    /* A config of its own holds the origins and the working directory while this validates. */
    gl_cfg tmp = {.source = (char *)label, .cwd = getcwd(NULL, 0)};
    if (!tmp.cwd)
        return gl_error_add(err, GL_ERR_INPUT, "cannot get the working directory: %s",
                            strerror(errno));
    gl_cfg_sb text = {0};
    params_yaml(base, &text);
    const gl_cfg_origin *from_base = gl_cfg__origin_new(&tmp.origins, GL_CFG_FROM_OVERRIDE, label,
                                                        tmp.cwd);
    const gl_cfg_origin *from_changes =
        from_base ? gl_cfg__origin_new(&tmp.origins, GL_CFG_FROM_OVERRIDE, label, tmp.cwd) : NULL;
    gl_cfg_node *a = NULL, *b = NULL;
    int rc = text.failed || !from_changes ? oom(err) : GL_OK;
    if (rc == GL_OK)
        rc = parse_map(text.s, from_base, &a, err);
    if (rc == GL_OK)
        rc = parse_map(changes, from_changes, &b, err);
    if (rc == GL_OK) {
        rc = gl_cfg__merge(&a, b, err); /* consumes b */
        b = NULL;
    }
    if (rc == GL_OK) {
        vctx c = {.cfg = &tmp, .err = err};
        snprintf(c.label, sizeof c.label, "%.*s", GL_CFG_CLIP, label);
        rc = check_section(&c, a, schema, NULL, out);
        if (rc != GL_OK) {
            gl_cfg__params_free(*out);
            *out = NULL;
        }
    }
    gl_cfg__node_free(a);
    gl_cfg__node_free(b);
    gl_cfg__origins_free(tmp.origins);
    free(text.s);
    free(tmp.cwd);
    return rc;
}

void gl_cfg_params_free(gl_params *p) { gl_cfg__params_free(p); }
