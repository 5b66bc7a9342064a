/* eval_source.c - the session as evaluation sees it (gl_eval_source, eval.h): the one place that
 * hands session state to core/eval, so evaluation never includes train.h. */
#include "train/train.h"

static int sample(void *session, gl_rng *rng, int n, const int32_t *labels, float *out,
                  gl_error *err)
{
    return gl_session_sample(session, rng, n, labels, out, err);
}

void gl_session_eval_source(gl_session *s, int (*stop_signal)(void), gl_eval_source *src)
{
    *src = (gl_eval_source){
        .data = s->data,
        .item_size = s->item_size,
        .conditional = s->model_env.conditional,
        .batch = s->batch,
        .seed = s->seed,
        .step = s->st.step,
        .dataset_p = s->dataset_p,
        .dataset = s->dataset,
        .session = s,
        .sample = sample,
        .stop_signal = stop_signal,
    };
}
