/* test_models_init.c - the models' `init` option (layers.h, nn.h's gl_net_set_init): under
 * init: normal every linear, convolution and transposed convolution weight of G and D (maxout,
 * minibatch-std's following layer, the projection table included) has sample mean ~0 and standard
 * deviation ~init_std, every bias is exactly 0, every norm scale has mean ~1 and deviation
 * ~init_std, and embedding tables and spectral-norm vectors keep their own initialisers. Also that
 * init: torch (with any init_std) is the default's bytes, that a seed gives the same bytes, and
 * that a bad std reaches gl_net_finalize as a fault. The PyTorch fixtures of test_models and
 * test_models_dreg keep proving the default's initialisers.
 *
 * Tolerances come from the sample sizes: for n draws of normal(mu, s), the sample mean is within
 * 5 s / sqrt(n) of mu and the sample deviation within 5 s / sqrt(2 n) of s but for a chance of
 * about 1e-6 (and the draws are fixed by the seed). Torch's initialisers are far outside: the
 * smallest fan-in uniform here has deviation 1 / sqrt(3 * 192) = 0.042, over twice 0.02.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ganlab/nn.h>
#include <ganlab/tensor.h>

#include "test_models_util.h"

typedef struct init_case {
    const char *model, *body;
    int images;                    /* tm_images(1, 8, 8, 4), else tm_vectors(16, 4) */
    double std;                    /* the body's init_std */
    const char *g_norms, *d_norms; /* the names of G's / D's norm layers, each with a space after */
} init_case;

/* mlp: G Linear, BN, act, Linear, BN, act, Linear; D maxout Linear, LN, act (twice), minibatch
 * std, Linear, projection; G's label embedding first. */
#define MLP_BODY                                                                           \
    "  latent_dim: 8\n  g_hidden: [64, 48]\n  d_hidden: [64, 32]\n  g_norm: batch\n"       \
    "  d_norm: layer\n  d_activation: maxout\n  maxout_pieces: 3\n  minibatch_std: true\n" \
    "  spectral_norm: true\n  conditional: true\n  label_mode: embedding\n"                \
    "  d_condition: projection\n  g_output: none\n  init: normal\n"
/* dcgan: G fc, BN, ReLU, ConvT, BN, ReLU, ConvT; D conv, conv, LN, minibatch std, fc; a label
 * embedding first in both. */
#define DCGAN_BODY                                                                        \
    "  latent_dim: 8\n  ngf: 8\n  ndf: 8\n  spectral_norm: true\n  minibatch_std: true\n" \
    "  conditional: true\n  label_mode: embedding\n  init: normal\n"

static const init_case cases[] = {
    {"mlp", MLP_BODY "  init_std: 0.02\n", 0, 0.02, "model.1 model.4 ", "model.1 model.4 "},
    {"mlp", MLP_BODY "  init_std: 0.1\n", 0, 0.1, "model.1 model.4 ", "model.1 model.4 "},
    {"dcgan", DCGAN_BODY, 1, 0.02, "model.0 model.3 ", "model.3 "},
};

static gl_dataset_info case_data(const init_case *c)
{
    return c->images ? tm_images(1, 8, 8, 4) : tm_vectors(16, 4);
}

/* 1 when the tensor NAME.weight belongs to a norm layer listed in norms. */
static int is_norm(const char *norms, const char *name)
{
    char prefix[64];
    size_t len = strlen(name) - strlen(".weight");
    if (len + 2 > sizeof prefix)
        return 0;
    memcpy(prefix, name, len);
    prefix[len] = ' ';
    prefix[len + 1] = '\0';
    return strstr(norms, prefix) != NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Asserts that the n values of t look like n draws of normal(mu, s) (see the file comment). */
static void assert_normal(const char *net, gl_tensor *t, double mu, double s)
{
    const gl_real *x = gl_tensor_data(t);
    size_t n = gl_tensor_numel(t);
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    double dev = sqrt(ss / (double)(n - 1));
    ck_assert_msg(fabs(mean - mu) <= 5 * s / sqrt((double)n),
                  "%s %s: mean %g of %zu values, expected %g +- %g", net, gl_tensor_name(t), mean,
                  n, mu, 5 * s / sqrt((double)n));
    ck_assert_msg(fabs(dev - s) <= 5 * s / sqrt(2.0 * (double)n),
                  "%s %s: deviation %g of %zu values, expected %g +- %g", net, gl_tensor_name(t),
                  dev, n, s, 5 * s / sqrt(2.0 * (double)n));
}

/* Checks every parameter of net by its role; counts weights, biases and norm scales seen. */
static void assert_net(gl_net *net, const init_case *c, const char *norms, int counts[3])
{
    const char *nn = gl_net_name(net);
    for (int i = 0; i < gl_net_n_params(net); i++) {
        gl_tensor *p = gl_net_param_at(net, i);
        const char *name = gl_tensor_name(p);
        if (strncmp(name, "label_emb.", 10) == 0)
            continue; /* embedding_keeps_its_initialiser */
        if (ends_with(name, ".bias")) {
            const gl_real *x = gl_tensor_data(p);
            for (size_t j = 0; j < gl_tensor_numel(p); j++)
                ck_assert_msg(x[j] == 0, "%s %s[%zu] = %g, not 0", nn, name, j, (double)x[j]);
            counts[1]++;
        } else if (is_norm(norms, name)) {
            assert_normal(nn, p, 1, c->std);
            counts[2]++;
        } else {
            ck_assert_msg(ends_with(name, ".weight"), "%s: unexpected parameter %s", nn, name);
            assert_normal(nn, p, 0, c->std);
            counts[0]++;
        }
    }
    /* Spectral norm's vectors: u normal(0, 1) as torch draws it (those long enough to tell),
     * v zero (layers.h). */
    for (int i = 0; i < gl_net_n_buffers(net); i++) {
        gl_tensor *b = gl_net_buffer_at(net, i);
        if (ends_with(gl_tensor_name(b), ".weight_u") && gl_tensor_numel(b) >= 16)
            assert_normal(nn, b, 0, 1);
    }
}

START_TEST(normal_init_draws_every_layer_weight)
{
    const init_case *c = &cases[_i];
    gl_dataset_info data = case_data(c);
    tm_model m;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(tm_model_open(&m, c->model, c->body, &data, 3, &err) == GL_OK, "%s", err.text);
    int g[3] = {0}, d[3] = {0};
    assert_net(m.g, c, c->g_norms, g);
    assert_net(m.d, c, c->d_norms, d);
    /* mlp: G 3 Linears + 2 BN; D 3 Linears + proj + 2 LN. dcgan: G fc + 2 ConvT + 2 BN; D 2 convs
     * + fc + LN. Each Linear/conv has a bias, each norm a shift. */
    int mlp = strcmp(c->model, "mlp") == 0;
    ck_assert_int_eq(g[0], 3);
    ck_assert_int_eq(g[2], 2);
    ck_assert_int_eq(g[1], 5);
    ck_assert_int_eq(d[0], mlp ? 4 : 3);
    ck_assert_int_eq(d[2], mlp ? 2 : 1);
    ck_assert_int_eq(d[1], mlp ? 5 : 4);
    tm_model_close(&m);
}
END_TEST

/* Opens model with body and seed and returns a copy of its G and D values and buffers (free). */
static gl_real *snapshot(const char *model, const char *body, const gl_dataset_info *data,
                         uint64_t seed, size_t *n)
{
    tm_model m;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(tm_model_open(&m, model, body, data, seed, &err) == GL_OK, "%s", err.text);
    gl_net *nets[2] = {m.g, m.d};
    size_t total = 0;
    for (int k = 0; k < 2; k++)
        total += gl_net_numel(nets[k]) + gl_net_buffer_numel(nets[k]);
    gl_real *out = malloc(total * sizeof *out), *at = out;
    ck_assert_ptr_nonnull(out);
    for (int k = 0; k < 2; k++) {
        memcpy(at, gl_net_values(nets[k]), gl_net_numel(nets[k]) * sizeof *at);
        at += gl_net_numel(nets[k]);
        memcpy(at, gl_net_buffer_values(nets[k]), gl_net_buffer_numel(nets[k]) * sizeof *at);
        at += gl_net_buffer_numel(nets[k]);
    }
    *n = total;
    tm_model_close(&m);
    return out;
}

static int same(const char *model, const char *a, const char *b, const gl_dataset_info *data,
                uint64_t seed_a, uint64_t seed_b)
{
    size_t na, nb;
    gl_real *x = snapshot(model, a, data, seed_a, &na), *y = snapshot(model, b, data, seed_b, &nb);
    int eq = na == nb && memcmp(x, y, na * sizeof *x) == 0;
    free(x);
    free(y);
    return eq;
}

START_TEST(torch_init_is_the_default_and_ignores_init_std)
{
    const init_case *c = &cases[_i];
    gl_dataset_info data = case_data(c);
    const char *plain = strcmp(c->model, "mlp") == 0 ? "  d_hidden: [64, 32]\n  g_norm: batch\n"
                                                     : "  ngf: 8\n  ndf: 8\n";
    char torch[256];
    snprintf(torch, sizeof torch, "%s  init: torch\n  init_std: 0.5\n", plain);
    ck_assert(same(c->model, plain, torch, &data, 3, 3));
}
END_TEST

START_TEST(normal_init_is_deterministic)
{
    const init_case *c = &cases[_i];
    gl_dataset_info data = case_data(c);
    ck_assert(same(c->model, c->body, c->body, &data, 3, 3));
    ck_assert(!same(c->model, c->body, c->body, &data, 3, 4));
}
END_TEST

/* The label embedding is declared first, so the same seed gives it the same bytes under either
 * scheme: proof that normal leaves embedding tables alone. */
START_TEST(embedding_keeps_its_initialiser)
{
    const init_case *c = &cases[_i];
    gl_dataset_info data = case_data(c);
    char torch[512]; /* the body without its init: the default, torch */
    tm_model a, b;
    gl_error err;
    gl_error_init(&err);
    const char *tail = strstr(c->body, "  init: normal\n");
    ck_assert_ptr_nonnull(tail);
    snprintf(torch, sizeof torch, "%.*s", (int)(tail - c->body), c->body);
    ck_assert_msg(tm_model_open(&a, c->model, c->body, &data, 3, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(tm_model_open(&b, c->model, torch, &data, 3, &err) == GL_OK, "%s", err.text);
    gl_tensor *ea = gl_net_find(a.g, "label_emb.weight"),
              *eb = gl_net_find(b.g, "label_emb.weight");
    ck_assert_ptr_nonnull(ea);
    ck_assert_ptr_nonnull(eb);
    ck_assert(
        memcmp(gl_tensor_data(ea), gl_tensor_data(eb), gl_tensor_numel(ea) * sizeof(gl_real)) == 0);
    assert_normal("G", ea, 0, 1);
    tm_model_close(&a);
    tm_model_close(&b);
}
END_TEST

/* A bad std (or scheme) is a declaration fault that gl_net_finalize reports; the net is not made.
 */
START_TEST(bad_std_is_a_declaration_fault)
{
    const double bad[] = {0, -0.02, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gl_net *net = gl_net_create("G");
        ck_assert_ptr_nonnull(net);
        gl_net_set_init(net, GL_NET_INIT_NORMAL, bad[i]);
        gl_linear_layer l;
        gl_linear_layer_declare(&l, net, "fc", 4, 3, 1);
        gl_rng rng;
        gl_rng_init(&rng, 1, GL_STREAM_INIT);
        gl_error err;
        gl_error_init(&err);
        ck_assert_int_eq(gl_net_finalize(net, &rng, &err), GL_ERR_INPUT);
        ck_assert_msg(strstr(err.text, "net G: initialisation scheme 1 with std") != NULL, "%s",
                      err.text);
        gl_net_destroy(net);
    }
    gl_net *net = gl_net_create("D");
    gl_net_set_init(net, (gl_net_init)7, 0.02);
    gl_rng rng;
    gl_rng_init(&rng, 1, GL_STREAM_INIT);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_net_finalize(net, &rng, &err), GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "scheme 7") != NULL, "%s", err.text);
    gl_net_destroy(net);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("models_init");
    TCase *tc = tcase_create("init");
    int n = (int)(sizeof cases / sizeof *cases);
    tcase_add_loop_test(tc, normal_init_draws_every_layer_weight, 0, n);
    tcase_add_loop_test(tc, torch_init_is_the_default_and_ignores_init_std, 0, n);
    tcase_add_loop_test(tc, normal_init_is_deterministic, 0, n);
    tcase_add_loop_test(tc, embedding_keeps_its_initialiser, 0, n);
    tcase_add_test(tc, bad_std_is_a_declaration_fault);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
