/* classifier.c - evaluator plugin `classifier`: sample quality and mode collapse on labelled image
 * data, measured with a small CNN that ganlab trains itself on the dataset's training split (no
 * downloaded Inception network; docs/metrics.md).
 *
 * The classifier (input (C, H, W) in the dataset's range):
 *   conv 5x5 stride 2 pad 2, C -> 32, batch norm, ReLU; conv 3x3 stride 2 pad 1, 32 -> 32, batch
 *   norm, ReLU; linear -> 128, ReLU (the features: its penultimate layer); linear -> K classes.
 * (0.8 M multiply-adds per 28x28 image: the default four epochs of Fashion-MNIST take about 90 s
 * on two cores for 90.5% test accuracy; docs/metrics.md has the measurements.)
 * Trained with softmax cross-entropy and Adam (betas 0.9/0.999; the learning rate decays linearly
 * from `lr` to 0 over the run) for `epochs` passes over the training split in batches of
 * `batch_size`, shuffled per epoch; initialisation and order come
 * from the plugin's own `seed`, not the experiment's, so every run of a dataset shares one
 * classifier. The weights and the test accuracy are cached as
 * classifier-<FNV-1a 64 of (architecture, settings, every training item and label)>.bin in the
 * evaluator cache, so a changed dataset or setting trains a new one.
 *
 * Per evaluation, on N generated images (eval.samples, or `samples`), with p(y|x) the softmax and
 * f(x) the features, against the first `reference` images of the test split:
 *   classes    classes predicted for at least min_class_pct % of the N images (higher is better)
 *   kl         KL(predicted-class histogram || uniform), nats (lower; 0 when balanced)
 *   is         Inception Score exp(E KL(p(y|x) || p(y))) with this classifier (higher)
 *   fd         Frechet distance of the Gaussians fitted to f of generated and test images (lower);
 *              fd_floor in the protocol is the same between training and test images
 *   kid, kid_std  Kernel Inception Distance on f: unbiased MMD^2, cubic polynomial kernel, mean
 *              and std over kid_subsets subsets of kid_subset_size (capped at the sample counts)
 *              (lower; about 0 for the real distribution)
 *   precision, recall (k_pr = 3), density, coverage (k_dc = 5) on f (ganlab/metrics.h) (higher)
 *   label_acc  conditional models only: the fraction classified as the label asked for (higher)
 * Conditional models are asked for labels i mod K.
 *
 * Stacked data (the `stacked` dataset: items (3, H, W) labelled by a triple of K source classes,
 * K^3 labels; `stacked: auto` recognises that shape): the classifier is a grey (1, H, W) K-class
 * one, trained on channel i mod 3 of training item i with that channel's digit of the label, so
 * it is the classifier of the source images. The columns above then measure channel i mod 3 of
 * sample i; two more classify all three channels of the first `stacked_samples` samples:
 *   stacked_modes  triples predicted at least once, of K^3 (higher)
 *   stacked_kl     KL(predicted-triple histogram || uniform over K^3), nats (lower)
 * and the protocol has the same two for as many real test items (real_stacked_modes,
 * real_stacked_kl): the ceiling the classifier's own errors allow.
 *
 * What it does not do: data augmentation, pooling layers (strided convolutions instead), several
 * Inception Score splits, per-class precision/recall.
 */
#include <ganlab/autograd.h>
#include <ganlab/metrics.h>
#include <ganlab/nn.h>
#include <ganlab/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARCH  "ganlab classifier v2: conv5s2-32 bn conv3s2-32 bn fc128 fc; ce adam linear decay"
#define FEAT  128
#define CHUNK 250 /* images per inference batch */
/* cache file: magic, u64 hash, u64 n_values, u64 n_buffers, values, buffers (float32), f64 test
 * accuracy */
#define MAGIC "GLCLSF1\n"

static const gl_param_spec classifier_params[] = {
    {"samples", GL_PARAM_INT, "0", 0, 0, 1e8, NULL,
     "generated images per evaluation; 0: eval.samples"},
    {"reference", GL_PARAM_INT, "10000", 0, 10, 1e8, NULL,
     "test images (the first ones) the feature statistics compare with"},
    {"epochs", GL_PARAM_INT, "4", 0, 1, 1000, NULL, "passes over the training split"},
    {"batch_size", GL_PARAM_INT, "128", 0, 1, 65536, NULL, "images per classifier update"},
    {"lr", GL_PARAM_FLOAT, "0.001", 0, 1e-9, 1, NULL,
     "Adam's initial learning rate (decays linearly to 0)"},
    {"seed", GL_PARAM_INT, "0", 0, 0, 9.2e18, NULL,
     "seed of the classifier's initialisation and data order (its own, so runs share it)"},
    {"k_pr", GL_PARAM_INT, "3", 0, 1, 1000, NULL, "neighbours for precision and recall"},
    {"k_dc", GL_PARAM_INT, "5", 0, 1, 1000, NULL, "neighbours for density and coverage"},
    {"kid_subsets", GL_PARAM_INT, "100", 0, 1, 100000, NULL,
     "random subsets KID is averaged over (mimicry, StudioGAN: 100)"},
    {"kid_subset_size", GL_PARAM_INT, "1000", 0, 2, 1e8, NULL,
     "rows of each set per KID subset, capped at the generated and reference counts"},
    {"min_class_pct", GL_PARAM_FLOAT, "1", 0, 0, 100, NULL,
     "a class is covered when predicted for at least this % of the generated images"},
    {"cache", GL_PARAM_BOOL, "true", 0, GL_NO_RANGE, NULL,
     "reuse and store the trained classifier in the evaluator cache"},
    {"stacked", GL_PARAM_CHOICE, "auto", 0, GL_NO_RANGE, "auto|off",
     "auto: items (3, H, W) with K^3 classes are stacked triples, classified per channel"},
    {"stacked_samples", GL_PARAM_INT, "26000", 0, 1, 1e8, NULL,
     "stacked data: samples whose channel triples give stacked_modes and stacked_kl"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct classifier {
    const gl_eval_env *env;
    int n, n_ref_want, epochs, batch, k_pr, k_dc, use_cache, kid_subsets;
    int64_t kid_size;
    double lr, min_pct;
    uint64_t seed;
    int c, h, w, k; /* the classifier's input (C, H, W) and classes */
    size_t item;    /* c * h * w */
    /* Stacked data: K^3 labels (k = K), the classifier's item is one channel of the data's */
    int stacked, n_stacked, n_classes; /* n_classes: the data's (K^3 when stacked) */
    int64_t n_gen;                     /* samples per evaluation: max(n, n_stacked when stacked) */
    size_t data_item;                  /* the data's item size (3 * item when stacked) */
    double real_modes, real_kl;        /* stacked: the real test items' triples */

    gl_net *net;
    gl_conv_layer c1, c2;
    gl_batch_norm_layer b1, b2;
    gl_linear_layer f1, f2;
    gl_ctx *ctx;

    int ready; /* trained or loaded, reference statistics computed */
    double test_acc, fd_floor;
    char cache_name[64];
    const char *ref_name; /* "test", or "train" when the dataset has no test split */
    int64_t n_ref;
    float *ref_feat;             /* (n_ref, FEAT) */
    double *ref_r_pr, *ref_r_dc; /* (n_ref) k-NN radii */
    double *ref_mu, *ref_cov;    /* (FEAT), (FEAT, FEAT) */

    float *x;                         /* (CHUNK, data_item) scratch images */
    int32_t *labels;                  /* (max(n_gen, CHUNK)) labels asked for / read */
    int32_t *pred;                    /* (n_gen) predicted labels (triples when stacked) */
    float *feat3, *probs3;            /* stacked: (3 CHUNK, FEAT), (3 CHUNK, k) of channels */
    double *hist3;                    /* stacked: (k^3) triples predicted */
    float *feat, *probs;              /* (n, FEAT), (n, k) of the generated images */
    double *fake_r, *mu, *cov, *hist; /* (n), (FEAT), (FEAT, FEAT), (k) */
} classifier;

static int oom(gl_error *err)
{
    return gl_error_add(err, GL_ERR_RUN, "evaluator 'classifier': out of memory");
}

/* x (B, C, H, W) -> logits (B, K); *feat (B, FEAT) when feat is not NULL. train: batch norm
 * normalises with the batch's statistics (and updates the running ones). */
static gl_tensor *forward(classifier *c, gl_tensor *x, int train, gl_tensor **feat)
{
    gl_ctx *ctx = c->ctx;
    gl_tensor *h = gl_conv_layer_forward(ctx, &c->c1, x);
    h = gl_relu(ctx, gl_batch_norm_layer_forward(ctx, &c->b1, h, train));
    h = gl_conv_layer_forward(ctx, &c->c2, h);
    h = gl_relu(ctx, gl_batch_norm_layer_forward(ctx, &c->b2, h, train));
    h = gl_linear_layer_forward(ctx, &c->f1, h, GL_ACT_RELU, 0);
    if (feat)
        *feat = h;
    return gl_linear_layer_forward(ctx, &c->f2, h, GL_ACT_NONE, 0);
}

/* Features (n, FEAT) and softmax probabilities (n, k) of images x (n <= CHUNK), eval mode. Either
 * output may be NULL. */
static int classify(classifier *c, const float *x, int n, float *feat, float *probs, gl_error *err)
{
    int prev = gl_ctx_set_grad_enabled(c->ctx, 0);
    gl_tensor *f = NULL;
    gl_tensor *logits = forward(c, gl_tensor_from(c->ctx, 4, (const int[]){n, c->c, c->h, c->w}, x),
                                0, &f);
    int rc = gl_ctx_status(c->ctx, err);
    if (rc == GL_OK && feat)
        memcpy(feat, gl_tensor_data(f), (size_t)n * FEAT * sizeof *feat);
    for (int i = 0; rc == GL_OK && probs && i < n; i++) {
        const float *l = gl_tensor_data(logits) + (size_t)i * c->k;
        float *p = probs + (size_t)i * c->k;
        double mx = l[0], z = 0;
        for (int j = 1; j < c->k; j++)
            mx = l[j] > mx ? l[j] : mx;
        for (int j = 0; j < c->k; j++)
            z += exp(l[j] - mx);
        for (int j = 0; j < c->k; j++)
            p[j] = (float)(exp(l[j] - mx) / z);
    }
    gl_ctx_reset(c->ctx);
    gl_ctx_set_grad_enabled(c->ctx, prev);
    return rc;
}

static int argmax(const float *p, int k)
{
    int a = 0;
    for (int j = 1; j < k; j++)
        a = p[j] > p[a] ? j : a;
    return a;
}

/* Stacked data: item idx[j] of x (n, 3, H, W) and its triple label become x's j-th (1, H, W)
 * image, channel idx[j] mod 3, and that channel's source label; in place (image j moves down). */
static void pick_channels(const classifier *c, const int64_t *idx, int n, float *x, int32_t *labels)
{
    for (int j = 0; j < n; j++) {
        int ch = (int)(idx[j] % 3);
        memmove(x + (size_t)j * c->item, x + (size_t)(3 * j + ch) * c->item, c->item * sizeof *x);
        int32_t y = labels[j];
        labels[j] = (ch == 0 ? y / (c->k * c->k) : ch == 1 ? y / c->k : y) % c->k;
    }
}

/* Items [at, at + n) of split into c->x and c->labels (n <= CHUNK), as the classifier sees them
 * (stacked data: one channel each). */
static int read_items(classifier *c, gl_eval_split split, int64_t at, int n, gl_error *err)
{
    int64_t idx[CHUNK];
    for (int i = 0; i < n; i++)
        idx[i] = at + i;
    int rc = c->env->split_get(c->env->core, split, idx, n, c->x, c->labels, err);
    if (rc == GL_OK && c->stacked)
        pick_channels(c, idx, n, c->x, c->labels);
    return rc;
}

static void fnv(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ p[i]) * 1099511628211ull;
}

/* The cache key: the architecture, the settings (training on 1 thread included: a classifier cached
 * before that rule was trained on the run's threads) and every training item and label. */
static int data_hash(classifier *c, int64_t n_train, uint64_t *out, gl_error *err)
{
    uint64_t h = 14695981039346656037ull;
    char settings[256];
    snprintf(settings, sizeof settings, "%s|%d %d %d %d|%d %d %.17g %llu|%lld|1 thread%s", ARCH,
             c->c, c->h, c->w, c->k, c->epochs, c->batch, c->lr, (unsigned long long)c->seed,
             (long long)n_train, c->stacked ? "|channel i mod 3 of stacked items" : "");
    fnv(&h, settings, strlen(settings));
    for (int64_t at = 0; at < n_train; at += CHUNK) {
        int m = n_train - at < CHUNK ? (int)(n_train - at) : CHUNK;
        int rc = read_items(c, GL_SPLIT_TRAIN, at, m, err);
        if (rc != GL_OK)
            return rc;
        fnv(&h, c->x, (size_t)m * c->item * sizeof *c->x);
        fnv(&h, c->labels, (size_t)m * sizeof *c->labels);
    }
    *out = h;
    return GL_OK;
}

/* 1 when the cache held weights for this hash (now loaded), else 0. */
static int load_cached(classifier *c, uint64_t hash, gl_error *err)
{
    void *data;
    size_t size;
    if (c->env->cache_load(c->env->core, c->cache_name, &data, &size, err) != GL_OK || !data)
        return 0;
    size_t nv = gl_net_numel(c->net), nb = gl_net_buffer_numel(c->net);
    size_t want = 8 + 3 * 8 + (nv + nb) * sizeof(float) + sizeof(double);
    const unsigned char *p = data;
    uint64_t head[3];
    int ok = size == want && memcmp(p, MAGIC, 8) == 0;
    if (ok) {
        memcpy(head, p + 8, sizeof head);
        ok = head[0] == hash && head[1] == nv && head[2] == nb;
    }
    if (ok) {
        p += 8 + sizeof head;
        memcpy(gl_net_values(c->net), p, nv * sizeof(float));
        if (nb)
            memcpy(gl_net_buffer_values(c->net), p + nv * sizeof(float), nb * sizeof(float));
        memcpy(&c->test_acc, p + (nv + nb) * sizeof(float), sizeof c->test_acc);
    }
    free(data);
    return ok;
}

static int save_cached(classifier *c, uint64_t hash, gl_error *err)
{
    size_t nv = gl_net_numel(c->net), nb = gl_net_buffer_numel(c->net);
    size_t size = 8 + 3 * 8 + (nv + nb) * sizeof(float) + sizeof(double);
    unsigned char *buf = malloc(size); /* freed below */
    if (!buf)
        return oom(err);
    uint64_t head[3] = {hash, nv, nb};
    memcpy(buf, MAGIC, 8);
    memcpy(buf + 8, head, sizeof head);
    memcpy(buf + 8 + sizeof head, gl_net_values(c->net), nv * sizeof(float));
    if (nb)
        memcpy(buf + 8 + sizeof head + nv * sizeof(float), gl_net_buffer_values(c->net),
               nb * sizeof(float));
    memcpy(buf + size - sizeof(double), &c->test_acc, sizeof(double));
    gl_error quiet; /* an unwritable cache costs a retraining next time, not this evaluation */
    gl_error_init(&quiet);
    if (c->env->cache_save(c->env->core, c->cache_name, buf, size, &quiet) != GL_OK)
        gl_plugin_log(GL_LOG_WARNING, "classifier", "not cached: %s", quiet.text);
    free(buf);
    return GL_OK;
}

static int train(classifier *c, int64_t n, gl_error *err)
{
    /* order: the epoch's permutation; xb/yb: one batch; state: Adam's. Freed below. */
    int64_t *order = malloc((size_t)n * sizeof *order);
    float *xb = malloc((size_t)c->batch * c->data_item * sizeof *xb);
    int32_t *yb = malloc((size_t)c->batch * sizeof *yb);
    float *state = calloc(2 * gl_net_numel(c->net), sizeof *state);
    int rc = order && xb && yb && state ? GL_OK : oom(err);
    uint64_t t = 0, steps = (uint64_t)c->epochs * (uint64_t)((n + c->batch - 1) / c->batch);
    double t0 = gl_clock_seconds();
    for (int epoch = 0; rc == GL_OK && epoch < c->epochs; epoch++) {
        for (int64_t i = 0; i < n; i++)
            order[i] = i;
        gl_rng r;
        gl_rng_init(&r, c->seed, ((uint64_t)epoch << 8) | GL_STREAM_DATA);
        gl_rng_shuffle(&r, order, (size_t)n);
        double loss = 0;
        for (int64_t at = 0; rc == GL_OK && at < n; at += c->batch) {
            int m = n - at < c->batch ? (int)(n - at) : c->batch;
            if (c->env->stop(c->env->core))
                rc = gl_error_add(err, GL_ERR_RUN, "evaluator 'classifier': stopped in training");
            if (rc == GL_OK)
                rc = c->env->split_get(c->env->core, GL_SPLIT_TRAIN, order + at, m, xb, yb, err);
            if (rc != GL_OK)
                break;
            if (c->stacked)
                pick_channels(c, order + at, m, xb, yb);
            gl_tensor *x = gl_tensor_from(c->ctx, 4, (const int[]){m, c->c, c->h, c->w}, xb);
            gl_tensor *l = gl_cross_entropy(c->ctx, forward(c, x, m > 1, NULL), yb);
            gl_net_zero_grad(c->net);
            rc = gl_ctx_status(c->ctx, err);
            if (rc == GL_OK)
                rc = gl_backward(c->ctx, l, c->net, err);
            if (rc == GL_OK) {
                loss += gl_tensor_item(l) * m;
                double lr = c->lr * (1.0 - (double)t / (double)steps);
                gl_net_adam_step(c->net, state, ++t, lr, 0.9, 0.999, 1e-8);
            }
            gl_ctx_reset(c->ctx);
        }
        if (rc == GL_OK)
            gl_plugin_log(GL_LOG_INFO, "classifier", "epoch %d/%d: loss %.4f (%.1f s)", epoch + 1,
                          c->epochs, loss / (double)n, gl_clock_seconds() - t0);
    }
    free(order);
    free(xb);
    free(yb);
    free(state);
    return rc;
}

/* Accuracy over a whole split. */
static int accuracy(classifier *c, gl_eval_split split, int64_t n, double *out, gl_error *err)
{
    float *probs = malloc((size_t)CHUNK * c->k * sizeof *probs); /* (CHUNK, k); freed below */
    int rc = probs ? GL_OK : oom(err);
    int64_t right = 0;
    for (int64_t at = 0; rc == GL_OK && at < n; at += CHUNK) {
        int m = n - at < CHUNK ? (int)(n - at) : CHUNK;
        rc = read_items(c, split, at, m, err);
        if (rc == GL_OK)
            rc = classify(c, c->x, m, NULL, probs, err);
        for (int i = 0; rc == GL_OK && i < m; i++)
            right += argmax(probs + (size_t)i * c->k, c->k) == c->labels[i];
    }
    free(probs);
    *out = (double)right / (double)n;
    return rc;
}

/* Features (n, FEAT) of items [0, n) of split into feat. */
static int split_features(classifier *c, gl_eval_split split, int64_t n, float *feat, gl_error *err)
{
    for (int64_t at = 0; at < n; at += CHUNK) {
        int m = n - at < CHUNK ? (int)(n - at) : CHUNK;
        int rc = read_items(c, split, at, m, err);
        if (rc == GL_OK)
            rc = classify(c, c->x, m, feat + (size_t)at * FEAT, NULL, err);
        if (rc != GL_OK)
            return rc;
    }
    return GL_OK;
}

/* Stacked data: the classifier's softmax of the three channels of items x (m, 3, H, W) into
 * c->feat3 and c->probs3 (row 3 i + channel), and the predicted triple of item i into triple[i]. */
static int classify_triples(classifier *c, const float *x, int m, int32_t *triple, gl_error *err)
{
    int rc = classify(c, x, 3 * m, c->feat3, c->probs3, err);
    for (int i = 0; rc == GL_OK && i < m; i++) {
        int32_t t = 0;
        for (int ch = 0; ch < 3; ch++)
            t = t * c->k + argmax(c->probs3 + (size_t)(3 * i + ch) * c->k, c->k);
        triple[i] = t;
    }
    return rc;
}

/* Classes of a histogram with at least one count. */
static int nonzero(const double *hist, int k)
{
    int n = 0;
    for (int j = 0; j < k; j++)
        n += hist[j] > 0;
    return n;
}

/* Stacked data: the triples the classifier predicts for the first n_stacked real test items
 * (all of them when there are fewer), as stacked_modes and stacked_kl, once. */
static int real_triples(classifier *c, int64_t n_test, gl_error *err)
{
    int64_t n = n_test < c->n_stacked ? n_test : c->n_stacked;
    if (n < c->n_stacked)
        gl_plugin_log(GL_LOG_WARNING, "classifier",
                      "the real stacked row counts %lld %s items, fewer than stacked_samples %d",
                      (long long)n, c->ref_name, c->n_stacked);
    for (int j = 0; j < c->n_classes; j++)
        c->hist3[j] = 0;
    int rc = GL_OK;
    for (int64_t at = 0; rc == GL_OK && at < n; at += CHUNK) {
        int m = n - at < CHUNK ? (int)(n - at) : CHUNK;
        int64_t idx[CHUNK];
        for (int i = 0; i < m; i++)
            idx[i] = at + i;
        rc = c->env->split_get(c->env->core, GL_SPLIT_TEST, idx, m, c->x, c->labels, err);
        if (rc == GL_OK)
            rc = classify_triples(c, c->x, m, c->pred, err);
        for (int i = 0; rc == GL_OK && i < m; i++)
            c->hist3[c->pred[i]] += 1;
    }
    c->real_modes = nonzero(c->hist3, c->n_classes);
    c->real_kl = gl_kl_uniform(c->hist3, c->n_classes);
    return rc;
}

/* The classifier (cached or trained) and the statistics of the real images, once. */
static int prepare(classifier *c, gl_error *err)
{
    const gl_eval_env *env = c->env;
    int64_t n_train, n_test;
    const char *train_name;
    int rc = env->split_open(env->core, GL_SPLIT_TRAIN, &n_train, &train_name, err);
    if (rc == GL_OK)
        rc = env->split_open(env->core, GL_SPLIT_TEST, &n_test, &c->ref_name, err);
    uint64_t hash = 0;
    if (rc == GL_OK)
        rc = data_hash(c, n_train, &hash, err);
    if (rc != GL_OK)
        return rc;
    snprintf(c->cache_name, sizeof c->cache_name, "classifier-%016llx.bin",
             (unsigned long long)hash);
    if (c->use_cache && load_cached(c, hash, err)) {
        gl_plugin_log(GL_LOG_INFO, "classifier", "%s from the cache; %s accuracy %.2f%%",
                      c->cache_name, c->ref_name, 100 * c->test_acc);
    } else {
        double t0 = gl_clock_seconds();
        gl_plugin_log(GL_LOG_INFO, "classifier", "training on %lld images, %d epochs",
                      (long long)n_train, c->epochs);
        /* On one thread whatever the run's count: more threads make OpenBLAS sum in another order,
         * so the cached classifier (and every metric through it) would depend on which run
         * trained it first. */
        int threads = gl_engine_threads();
        gl_engine_set_threads(1);
        rc = train(c, n_train, err);
        gl_engine_set_threads(threads);
        if (rc == GL_OK)
            rc = accuracy(c, GL_SPLIT_TEST, n_test, &c->test_acc, err);
        if (rc != GL_OK)
            return rc;
        gl_plugin_log(GL_LOG_INFO, "classifier", "trained in %.1f s; %s accuracy %.2f%%",
                      gl_clock_seconds() - t0, c->ref_name, 100 * c->test_acc);
        if (c->use_cache && (rc = save_cached(c, hash, err)) != GL_OK)
            return rc;
    }
    c->n_ref = n_test < c->n_ref_want ? n_test : c->n_ref_want;
    int64_t n_floor = n_train < c->n_ref ? n_train : c->n_ref;
    if (c->n_ref <= c->k_dc || c->n_ref <= c->k_pr || n_floor < 2)
        return gl_error_add(err, GL_ERR_INPUT,
                            "evaluator 'classifier': %lld reference images are "
                            "too few for k_pr %d and k_dc %d",
                            (long long)c->n_ref, c->k_pr, c->k_dc);
    /* Freed by destroy, except floor (the training images' features), freed below. */
    c->ref_feat = malloc((size_t)c->n_ref * FEAT * sizeof *c->ref_feat);
    c->ref_r_pr = malloc((size_t)c->n_ref * sizeof *c->ref_r_pr);
    c->ref_r_dc = malloc((size_t)c->n_ref * sizeof *c->ref_r_dc);
    c->ref_mu = malloc(FEAT * sizeof *c->ref_mu);
    c->ref_cov = malloc(FEAT * FEAT * sizeof *c->ref_cov);
    float *floor = malloc((size_t)n_floor * FEAT * sizeof *floor);
    if (!c->ref_feat || !c->ref_r_pr || !c->ref_r_dc || !c->ref_mu || !c->ref_cov || !floor) {
        free(floor);
        return oom(err);
    }
    rc = split_features(c, GL_SPLIT_TEST, c->n_ref, c->ref_feat, err);
    if (rc == GL_OK)
        rc = gl_feature_moments(c->ref_feat, c->n_ref, FEAT, c->ref_mu, c->ref_cov, err);
    if (rc == GL_OK)
        rc = gl_knn_radii(c->ref_feat, c->n_ref, FEAT, c->k_pr, c->ref_r_pr, err);
    if (rc == GL_OK)
        rc = gl_knn_radii(c->ref_feat, c->n_ref, FEAT, c->k_dc, c->ref_r_dc, err);
    if (rc == GL_OK)
        rc = split_features(c, GL_SPLIT_TRAIN, n_floor, floor, err);
    if (rc == GL_OK)
        rc = gl_feature_moments(floor, n_floor, FEAT, c->mu, c->cov, err);
    if (rc == GL_OK)
        rc = gl_frechet_distance(c->mu, c->cov, c->ref_mu, c->ref_cov, FEAT, &c->fd_floor, err);
    free(floor);
    if (rc == GL_OK && c->stacked)
        rc = real_triples(c, n_test, err);
    c->ready = rc == GL_OK;
    return rc;
}

/* Stacked data: samples [at, at + m) in c->x: their triples into c->pred and (the first
 * n_stacked) c->hist3; channel i mod 3 of sample i < n into c->feat and c->probs. */
static int classify_stacked(classifier *c, int64_t at, int m, gl_error *err)
{
    int rc = classify_triples(c, c->x, m, c->pred + at, err);
    for (int i = 0; rc == GL_OK && i < m; i++) {
        int64_t s = at + i;
        if (s < c->n_stacked)
            c->hist3[c->pred[s]] += 1;
        if (s >= c->n)
            continue;
        size_t row = (size_t)(3 * i + s % 3);
        memcpy(c->feat + (size_t)s * FEAT, c->feat3 + row * FEAT, FEAT * sizeof *c->feat);
        memcpy(c->probs + (size_t)s * c->k, c->probs3 + row * c->k,
               (size_t)c->k * sizeof *c->probs);
    }
    return rc;
}

static int evaluate(classifier *c, gl_eval_result *out, gl_error *err);

/* The classifier trains and measures in fp32 whatever the run's engine.precision: a bf16 run's
 * metrics are then those an fp32 run would report for the same samples, and the cached classifier
 * (whose key has no precision in it) is the same bytes whichever run trained it first. */
static int classifier_evaluate(void *self, gl_eval_result *out, gl_error *err)
{
    gl_precision run = gl_engine_precision();
    gl_engine_set_precision(GL_PRECISION_FP32, err);
    int rc = evaluate(self, out, err);
    gl_engine_set_precision(run, err);
    return rc;
}

static int evaluate(classifier *c, gl_eval_result *out, gl_error *err)
{
    const gl_eval_env *env = c->env;
    int rc = c->ready ? GL_OK : prepare(c, err);
    for (int j = 0; c->stacked && j < c->n_classes; j++)
        c->hist3[j] = 0;
    for (int64_t at = 0; rc == GL_OK && at < c->n_gen; at += CHUNK) {
        int m = c->n_gen - at < CHUNK ? (int)(c->n_gen - at) : CHUNK;
        for (int i = 0; i < m; i++)
            c->labels[at + i] = (int32_t)((at + i) % c->n_classes);
        if (env->stop(env->core)) /* 26,000 stacked samples take a while */
            return gl_error_add(err, GL_ERR_RUN, "evaluator 'classifier': stopped in evaluation");
        rc = env->generate(env->core, m, env->conditional ? c->labels + at : NULL, c->x, err);
        if (rc == GL_OK && c->stacked)
            rc = classify_stacked(c, at, m, err);
        else if (rc == GL_OK)
            rc = classify(c, c->x, m, c->feat + (size_t)at * FEAT, c->probs + (size_t)at * c->k,
                          err);
    }
    gl_prdc prdc;
    double fd = 0, kid = 0, kid_std = 0;
    if (rc == GL_OK)
        rc = gl_feature_moments(c->feat, c->n, FEAT, c->mu, c->cov, err);
    if (rc == GL_OK)
        rc = gl_frechet_distance(c->mu, c->cov, c->ref_mu, c->ref_cov, FEAT, &fd, err);
    /* Subsets from the evaluation's seed: the same run and seed give the same KID. */
    if (rc == GL_OK)
        rc = gl_kernel_inception_distance(c->ref_feat, c->n_ref, c->feat, c->n, FEAT,
                                          c->kid_subsets, c->kid_size, env->seed, &kid, &kid_std,
                                          err);
    if (rc == GL_OK)
        rc = gl_knn_radii(c->feat, c->n, FEAT, c->k_pr, c->fake_r, err);
    if (rc == GL_OK)
        rc = gl_prdc_compute(c->ref_feat, c->ref_r_pr, c->ref_r_dc, c->n_ref, c->feat, c->fake_r,
                             c->n, FEAT, c->k_dc, &prdc, err);
    if (rc != GL_OK)
        return rc;
    int64_t asked = 0;
    for (int j = 0; j < c->k; j++)
        c->hist[j] = 0;
    for (int64_t i = 0; i < c->n; i++) {
        int y = argmax(c->probs + (size_t)i * c->k, c->k);
        c->hist[y] += 1;
        asked += (c->stacked ? c->pred[i] : y) == c->labels[i];
    }
    int n = 0;
    out->metrics[n++] = (gl_eval_item){"classes",
                                       gl_classes_covered(c->hist, c->k, c->min_pct / 100), NULL};
    out->metrics[n++] = (gl_eval_item){"kl", gl_kl_uniform(c->hist, c->k), NULL};
    out->metrics[n++] = (gl_eval_item){"is", gl_inception_score(c->probs, c->n, c->k), NULL};
    out->metrics[n++] = (gl_eval_item){"fd", fd, NULL};
    out->metrics[n++] = (gl_eval_item){"kid", kid, NULL};
    out->metrics[n++] = (gl_eval_item){"kid_std", kid_std, NULL};
    out->metrics[n++] = (gl_eval_item){"precision", prdc.precision, NULL};
    out->metrics[n++] = (gl_eval_item){"recall", prdc.recall, NULL};
    out->metrics[n++] = (gl_eval_item){"density", prdc.density, NULL};
    out->metrics[n++] = (gl_eval_item){"coverage", prdc.coverage, NULL};
    if (env->conditional)
        out->metrics[n++] = (gl_eval_item){"label_acc", (double)asked / (double)c->n, NULL};
    if (c->stacked) {
        out->metrics[n++] = (gl_eval_item){"stacked_modes", nonzero(c->hist3, c->n_classes), NULL};
        out->metrics[n++] = (gl_eval_item){"stacked_kl", gl_kl_uniform(c->hist3, c->n_classes),
                                           NULL};
    }
    out->n_metrics = n;
    n = 0;
    out->protocol[n++] = (gl_eval_item){"n", c->n, NULL};
    out->protocol[n++] = (gl_eval_item){"reference", 0, c->ref_name};
    out->protocol[n++] = (gl_eval_item){"n_reference", (double)c->n_ref, NULL};
    out->protocol[n++] = (gl_eval_item){"k", c->k_pr, NULL};
    out->protocol[n++] = (gl_eval_item){"k_dc", c->k_dc, NULL};
    out->protocol[n++] = (gl_eval_item){"kid_subsets", c->kid_subsets, NULL};
    int64_t kid_rows = c->kid_size < c->n_ref ? c->kid_size : c->n_ref;
    out->protocol[n++] = (gl_eval_item){"kid_subset_size",
                                        (double)(kid_rows < c->n ? kid_rows : c->n), NULL};
    out->protocol[n++] = (gl_eval_item){"seed", (double)env->seed, NULL};
    out->protocol[n++] = (gl_eval_item){"min_class_pct", c->min_pct, NULL};
    out->protocol[n++] = (gl_eval_item){"test_accuracy", c->test_acc, NULL};
    out->protocol[n++] = (gl_eval_item){"fd_floor", c->fd_floor, NULL};
    out->protocol[n++] = (gl_eval_item){"classifier", 0, c->cache_name};
    if (c->stacked) {
        out->protocol[n++] = (gl_eval_item){"stacked_samples", c->n_stacked, NULL};
        out->protocol[n++] = (gl_eval_item){"real_stacked_modes", c->real_modes, NULL};
        out->protocol[n++] = (gl_eval_item){"real_stacked_kl", c->real_kl, NULL};
    }
    out->n_protocol = n;
    return GL_OK;
}

static void classifier_destroy(void *self)
{
    classifier *c = self;
    if (!c)
        return;
    gl_net_destroy(c->net);
    gl_ctx_destroy(c->ctx);
    free(c->ref_feat);
    free(c->ref_r_pr);
    free(c->ref_r_dc);
    free(c->ref_mu);
    free(c->ref_cov);
    free(c->x);
    free(c->labels);
    free(c->pred);
    free(c->feat3);
    free(c->probs3);
    free(c->hist3);
    free(c->feat);
    free(c->probs);
    free(c->fake_r);
    free(c->mu);
    free(c->cov);
    free(c->hist);
    free(c);
}

/* Declares and initialises the network for (C, H, W) images and k classes. */
static int build_net(classifier *c, gl_error *err)
{
    c->net = gl_net_create("classifier");
    if (!c->net)
        return oom(err);
    /* Both convolutions map a side s to (s - 1) / 2 + 1. */
    int h4 = ((c->h - 1) / 2) / 2 + 1, w4 = ((c->w - 1) / 2) / 2 + 1;
    gl_conv2d_layer_declare(&c->c1, c->net, "conv1", c->c, 32, 5, 2, 2, 0);
    gl_batch_norm_layer_declare(&c->b1, c->net, "bn1", 32);
    gl_conv2d_layer_declare(&c->c2, c->net, "conv2", 32, 32, 3, 2, 1, 0);
    gl_batch_norm_layer_declare(&c->b2, c->net, "bn2", 32);
    gl_linear_layer_declare(&c->f1, c->net, "fc1", 32 * h4 * w4, FEAT, 1);
    gl_linear_layer_declare(&c->f2, c->net, "fc2", FEAT, c->k, 1);
    gl_rng init;
    gl_rng_init(&init, c->seed, GL_STREAM_INIT);
    return gl_net_finalize(c->net, &init, err);
}

static int classifier_create(const gl_params *p, const gl_eval_env *env, void **self, gl_error *err)
{
    *self = NULL;
    if (env->data.ndim != 3 || env->data.n_classes < 2)
        return gl_error_add(
            err, GL_ERR_INPUT,
            "evaluator 'classifier' needs labelled images (C, H, W) with at least 2 "
            "classes, such as idx with its labels; this run's data has %d-D items "
            "and %d classes",
            env->data.ndim, env->data.n_classes);
    /* Freed by classifier_destroy, which the core calls once *self is set. */
    classifier *c = calloc(1, sizeof *c);
    if (!c)
        return oom(err);
    *self = c;
    c->env = env;
    c->n = (int)(gl_params_int(p, "samples") ? gl_params_int(p, "samples") : env->samples);
    c->n_ref_want = (int)gl_params_int(p, "reference");
    c->epochs = (int)gl_params_int(p, "epochs");
    c->batch = (int)gl_params_int(p, "batch_size");
    c->lr = gl_params_float(p, "lr");
    c->seed = (uint64_t)gl_params_int(p, "seed");
    c->k_pr = (int)gl_params_int(p, "k_pr");
    c->k_dc = (int)gl_params_int(p, "k_dc");
    c->kid_subsets = (int)gl_params_int(p, "kid_subsets");
    c->kid_size = gl_params_int(p, "kid_subset_size");
    c->min_pct = gl_params_float(p, "min_class_pct");
    c->use_cache = gl_params_bool(p, "cache");
    c->h = env->data.shape[1];
    c->w = env->data.shape[2];
    c->n_classes = env->data.n_classes;
    int k = (int)lround(cbrt((double)c->n_classes));
    c->stacked = strcmp(gl_params_string(p, "stacked"), "auto") == 0 && env->data.shape[0] == 3 &&
                 k >= 2 && k * k * k == c->n_classes;
    c->c = c->stacked ? 1 : env->data.shape[0];
    c->k = c->stacked ? k : c->n_classes;
    c->item = (size_t)c->c * c->h * c->w;
    c->data_item = (size_t)env->data.shape[0] * c->h * c->w;
    c->n_stacked = c->stacked ? (int)gl_params_int(p, "stacked_samples") : 0;
    c->n_gen = c->n > c->n_stacked ? c->n : c->n_stacked;
    if (c->stacked)
        gl_plugin_log(GL_LOG_INFO, "classifier",
                      "stacked data (3 channels, %d^3 classes): a grey %d-class classifier per "
                      "channel; stacked_modes and stacked_kl on %d samples",
                      k, k, c->n_stacked);
    if (c->n <= c->k_pr)
        return gl_error_add(err, GL_ERR_INPUT,
                            "evaluator 'classifier': %d samples are too few for "
                            "k_pr %d",
                            c->n, c->k_pr);
    c->ctx = gl_ctx_create();
    size_t n_lab = (size_t)(c->n_gen > CHUNK ? c->n_gen : CHUNK);
    c->x = malloc(CHUNK * c->data_item * sizeof *c->x);
    c->labels = malloc(n_lab * sizeof *c->labels);
    c->pred = malloc(n_lab * sizeof *c->pred);
    if (c->stacked) {
        c->feat3 = malloc(3 * CHUNK * FEAT * sizeof *c->feat3);
        c->probs3 = malloc((size_t)3 * CHUNK * c->k * sizeof *c->probs3);
        c->hist3 = malloc((size_t)c->n_classes * sizeof *c->hist3);
        if (!c->feat3 || !c->probs3 || !c->hist3)
            return oom(err);
    }
    c->feat = malloc((size_t)c->n * FEAT * sizeof *c->feat);
    c->probs = malloc((size_t)c->n * c->k * sizeof *c->probs);
    c->fake_r = malloc((size_t)c->n * sizeof *c->fake_r);
    c->mu = malloc(FEAT * sizeof *c->mu);
    c->cov = malloc(FEAT * FEAT * sizeof *c->cov);
    c->hist = malloc((size_t)c->k * sizeof *c->hist);
    if (!c->ctx || !c->x || !c->labels || !c->pred || !c->feat || !c->probs || !c->fake_r ||
        !c->mu || !c->cov || !c->hist)
        return oom(err);
    return build_net(c, err);
}

static const gl_evaluator_plugin classifier_plugin = {
    .hdr =
        {GL_ABI_VERSION, GL_KIND_EVALUATOR, sizeof(gl_evaluator_plugin), "classifier",
         "classes covered, KL, IS, Frechet distance, KID, precision/recall, density/coverage with "
         "a classifier ganlab trains on the data",
         classifier_params},
    .create = classifier_create,
    .evaluate = classifier_evaluate,
    .destroy = classifier_destroy,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &classifier_plugin.hdr; }
