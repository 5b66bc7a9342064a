/* make_idx.c - writes a small Fashion-MNIST-like dataset in IDX format for end-to-end tests, so a
 * training run needs neither the Debian package dataset-fashion-mnist nor a download:
 *
 *     make_idx DIR [N_TRAIN [N_TEST]]     (defaults 256 and 64)
 *
 * writes DIR/train-images-idx3-ubyte.gz, DIR/train-labels-idx1-ubyte.gz,
 * DIR/t10k-images-idx3-ubyte.gz and DIR/t10k-labels-idx1-ubyte.gz: 28x28 grey images, labels i
 * % 10. Item i of class k is a bright ellipse on a dark background whose half-axes depend on k (rx
 * = 3 + (k % 5) * 2, ry = 4 + (k / 5) * 6 pixels), so the classes differ visibly, with its
 * brightness and +-1 pixel offset drawn from a xorshift generator seeded by (split, i). The bytes
 * depend on nothing else, on any machine.
 *
 * Not a benchmark: only for checking that the pipeline trains and writes its outputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "idx_write.h"

#define SIDE 28

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* One image of class k into px (SIDE * SIDE). */
static void draw(uint8_t *px, int k, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1u;
    double rx = 3 + (k % 5) * 2, ry = 4 + (k / 5) * 6;
    double cx = 13.5 + (int)(xorshift(&s) % 3) - 1, cy = 13.5 + (int)(xorshift(&s) % 3) - 1;
    int bright = 160 + (int)(xorshift(&s) % 96);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            double e = pow((x - cx) / rx, 2) + pow((y - cy) / ry, 2);
            int v = e <= 1.0 ? bright - (int)(40 * e) : (int)(xorshift(&s) % 12);
            px[y * SIDE + x] = (uint8_t)v;
        }
}

/* Writes the images and labels files of one split (prefix "train" or "t10k"). */
/* Returns 0, or -1 after saying what failed. */
static int write_split(const char *dir, const char *prefix, uint32_t n, uint32_t salt)
{
    uint8_t *images = malloc((size_t)n * SIDE * SIDE), *labels = malloc(n);
    if (!images || !labels) {
        free(images);
        free(labels);
        fprintf(stderr, "make_idx: out of memory\n");
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        labels[i] = (uint8_t)(i % 10);
        draw(images + (size_t)i * SIDE * SIDE, labels[i], salt + i);
    }
    char path[4096];
    uint32_t dims[3] = {n, SIDE, SIDE};
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    int rc = fx_write_idx(path, 1, 3, dims, images, (size_t)n * SIDE * SIDE);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
        rc = fx_write_idx(path, 1, 1, dims, labels, n);
    }
    if (rc != 0)
        fprintf(stderr, "make_idx: cannot write %s\n", path);
    free(images);
    free(labels);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: make_idx DIR [N_TRAIN [N_TEST]]\n");
        return 2;
    }
    long n_train = argc > 2 ? strtol(argv[2], NULL, 10) : 256;
    long n_test = argc > 3 ? strtol(argv[3], NULL, 10) : 64;
    if (n_train < 1 || n_test < 1 || n_train > 1000000 || n_test > 1000000) {
        fprintf(stderr, "make_idx: counts must be 1..1000000\n");
        return 2;
    }
    int rc = write_split(argv[1], "train", (uint32_t)n_train, 0);
    if (rc == 0)
        rc = write_split(argv[1], "t10k", (uint32_t)n_test, 1000003);
    return rc == 0 ? 0 : 1;
}
