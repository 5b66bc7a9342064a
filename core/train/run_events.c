/* run_events.c - what a training run puts in its event file besides the per-step scalars and
 * images (train/events.h): whether there is one (logging.tensorboard), the resolved config as a
 * text summary, and the hparams named by logging.hparams. */
#include "train/run_events.h"

#include <stdlib.h>
#include <string.h>

#define MAX_HPARAMS 64

/* config.yaml's text, as a markdown code block so TensorBoard keeps its indentation. */
static int config_text(gl_events *ev, const gl_cfg *cfg, uint64_t step, gl_error *err)
{
    char *text = NULL;
    size_t n = 0;
    /* open_memstream's buffer is freed below. */
    FILE *m = open_memstream(&text, &n);
    if (!m)
        return gl_error_add(err, GL_ERR_RUN, "out of memory for the config text");
    fputs("```yaml\n", m);
    int rc = gl_cfg_emit(cfg, m, err);
    fputs("```\n", m);
    if (fclose(m) != 0 && rc == GL_OK)
        rc = gl_error_add(err, GL_ERR_RUN, "out of memory for the config text");
    if (rc == GL_OK)
        gl_events_text(ev, step, "config", text);
    free(text);
    return rc;
}

/* logging.hparams: "a.b, c.d" -> one hparam per key with its value in cfg, written to ev (NULL:
 * only checked). An unknown key is an input fault (the suite or the user misspelled it), named
 * with the option. */
static int hparams(gl_events *ev, const gl_cfg *cfg, uint64_t step, gl_error *err)
{
    const char *list = gl_params_string(gl_cfg_params(cfg, "logging"), "hparams");
    if (!list || !*list)
        return GL_OK;
    char keys[MAX_HPARAMS][128], values[MAX_HPARAMS][256];
    const char *kp[MAX_HPARAMS], *vp[MAX_HPARAMS];
    int n = 0;
    for (const char *p = list; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, " ,");
        if (!len)
            break;
        if (n == MAX_HPARAMS || len >= sizeof keys[0])
            return gl_error_add(err, GL_ERR_INPUT,
                                "logging.hparams: at most %d keys of under %zu characters",
                                MAX_HPARAMS, sizeof keys[0]);
        snprintf(keys[n], sizeof keys[n], "%.*s", (int)len, p);
        if (gl_cfg_value_text(cfg, keys[n], values[n], sizeof values[n]) != 0)
            return gl_error_add(err, GL_ERR_INPUT,
                                "logging.hparams: '%s' is not a key of this config (write "
                                "section.key, e.g. loss.lambda)",
                                keys[n]);
        kp[n] = keys[n];
        vp[n] = values[n];
        n++;
        p += len;
    }
    if (ev)
        gl_events_hparams(ev, step, n, kp, vp);
    return GL_OK;
}

int gl_run_events_check(const gl_cfg *cfg, gl_error *err) { return hparams(NULL, cfg, 0, err); }

int gl_run_events_open(gl_events *ev, const gl_cfg *cfg, const char *dir, uint64_t step,
                       int resumed, gl_error *err)
{
    memset(ev, 0, sizeof *ev);
    if (!gl_params_bool(gl_cfg_params(cfg, "logging"), "tensorboard"))
        return GL_OK;
    int rc = gl_events_open(ev, dir, step, resumed, err);
    if (rc == GL_OK)
        rc = config_text(ev, cfg, step, err);
    if (rc == GL_OK)
        rc = hparams(ev, cfg, step, err);
    return rc == GL_OK ? gl_events_flush(ev, err) : rc;
}
