/* dist_fused.c - the fused vector's layout and the start's state blocks (dist_fused.h). */
#include "train/dist_fused.h"

#include <string.h>

size_t gl_dist_fused_size(gl_session *s, int which, int ranks)
{
    size_t g = gl_net_numel(s->net[0]), d = gl_net_numel(s->net[1]);
    size_t grads = which < 0 ? (g > d ? g : d) : gl_net_numel(s->net[which]);
    return grads + gl_net_buffer_numel(s->net[0]) + gl_net_buffer_numel(s->net[1]) + 1 +
           GL_LOSS_MAX_TERMS + (size_t)ranks;
}

/* n values of block into buf (gl_real may be double). */
static void narrowed(float *buf, const gl_real *block, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (float)block[i];
}

/* n floats of buf into block, times scale. */
static void scaled(gl_real *block, const float *buf, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        block[i] = buf[i] * scale;
}

void gl_dist_fused_pack(gl_session *s, int which, const gl_loss_result *res, double loss, int rank,
                        int ranks, int stop, float *buf)
{
    size_t n = gl_net_numel(s->net[which]);
    narrowed(buf, gl_net_grads(s->net[which]), n);
    for (int i = 0; i < 2; i++) {
        size_t m = gl_net_buffer_numel(s->net[i]);
        narrowed(buf + n, gl_net_buffer_values(s->net[i]), m);
        n += m;
    }
    float *tail = buf + n;
    tail[0] = (float)loss;
    for (int i = 0; i < res->n_terms; i++)
        tail[1 + i] = (float)res->term_values[i];
    memset(tail + 1 + GL_LOSS_MAX_TERMS, 0, (size_t)ranks * sizeof *tail);
    tail[1 + GL_LOSS_MAX_TERMS + rank] = (float)stop;
}

int gl_dist_fused_unpack(gl_session *s, int which, gl_loss_result *res, double *loss, int ranks,
                         const float *buf)
{
    float scale = 1.0f / (float)ranks;
    size_t n = gl_net_numel(s->net[which]);
    scaled(gl_net_grads(s->net[which]), buf, n, scale);
    for (int i = 0; i < 2; i++) {
        size_t m = gl_net_buffer_numel(s->net[i]);
        scaled(gl_net_buffer_values(s->net[i]), buf + n, m, scale);
        n += m;
    }
    const float *tail = buf + n;
    *loss = (double)(tail[0] * scale);
    for (int i = 0; i < res->n_terms; i++)
        res->term_values[i] = (double)(tail[1 + i] * scale);
    for (int r = 0; r < ranks; r++)
        if (tail[1 + GL_LOSS_MAX_TERMS + r] != 0)
            return (int)tail[1 + GL_LOSS_MAX_TERMS + r];
    return 0;
}

int gl_dist_each_state(gl_session *s, int (*send)(void *block, size_t bytes, void *ud), void *ud)
{
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        size_t n = gl_net_numel(s->net[i]);
        ok = ok && send(gl_net_values(s->net[i]), n * sizeof(gl_real), ud) &&
             send(gl_net_buffer_values(s->net[i]), gl_net_buffer_numel(s->net[i]) * sizeof(gl_real),
                  ud) &&
             send(s->opt_state[i], n * (size_t)s->opt_state_per[i] * sizeof(float), ud);
    }
    return ok && send(&s->st, sizeof s->st, ud) && send(s->last_loss, sizeof s->last_loss, ud);
}
