/* test_dataset_idx.c - the `idx` dataset plugin, loaded from the build tree's shared object and
 * given parameters through the config system. Small IDX files (raw and gzip, 3-dim and 4-dim,
 * and corrupt variants) are written into a temporary directory by each test; the real
 * Fashion-MNIST of the Debian package is read too when it is installed. The cache of decompressed
 * files (XDG_CACHE_HOME) is in that directory too. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ganlab/dataset.h>

#include "../data/idx_write.h"
#include "fixture.h"

static char dir[4096];

static char cache[4400]; /* the cache of decompressed IDX files */

static void setup(void)
{
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK);
    char xdg[4150];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    snprintf(cache, sizeof cache, "%s/ganlab/idx", xdg);
    setenv("XDG_CACHE_HOME", xdg, 1);
    unsetenv("GANLAB_DATA_IN_MEMORY");
}

static void teardown(void) { fx_rmtree(dir); }

/* Writes dir/name holding an idx of the given dims, data i * 37 + 11 mod 256 (or data). */
static void write_file(const char *name, int gz, int ndim, const uint32_t *dims,
                       const uint8_t *data, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(fx_write_idx(path, gz, ndim, dims, data, len), 0);
}

/* Five 3x4 grey images with bytes b_j = (j * 37 + 11) % 256 and labels 0 1 2 1 0. */
static uint8_t pixels[5 * 3 * 4];
static const uint8_t five_labels[5] = {0, 1, 2, 1, 0};
static const uint32_t five_dims[3] = {5, 3, 4};

static void write_five(const char *images, const char *labels, int gz)
{
    for (size_t j = 0; j < sizeof pixels; j++)
        pixels[j] = (uint8_t)((j * 37 + 11) % 256);
    write_file(images, gz, 3, five_dims, pixels, sizeof pixels);
    write_file(labels, gz, 1, five_dims, five_labels, 5);
}

static float expected(uint8_t b) { return ((float)b / 255.0f - 0.5f) / 0.5f; }

/* Opens `idx` on the unlabelled images file `name`, which must succeed. */
static void open_images(fx_dataset *d, const char *name, gl_error *err)
{
    char yaml[300];
    snprintf(yaml, sizeof yaml, "dataset:\n  plugin: idx\n  images: %s\n", name);
    gl_error_init(err);
    ck_assert_msg(fx_dataset_open(d, "idx", dir, yaml, 1, err) == GL_OK, "%s", err->text);
}

/* Opens `idx` with yaml expected to fail and checks err holds every needle. */
static void expect_error(const char *yaml, const char *needle1, const char *needle2)
{
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_ne(fx_dataset_open(&d, "idx", dir, yaml, 1, &err), GL_OK);
    ck_assert_msg(strstr(err.text, needle1), "'%s' not in: %s", needle1, err.text);
    if (needle2)
        ck_assert_msg(strstr(err.text, needle2), "'%s' not in: %s", needle2, err.text);
    fx_dataset_close(&d);
}

static void check_five(const char *yaml)
{
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(&d, "idx", dir, yaml, 1, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(d.info.ndim, 3);
    ck_assert_int_eq(d.info.shape[0], 1);
    ck_assert_int_eq(d.info.shape[1], 3);
    ck_assert_int_eq(d.info.shape[2], 4);
    ck_assert_int_eq(d.info.n_items, 5);
    ck_assert_int_eq(d.info.n_classes, 3);
    ck_assert(d.info.lo == -1.0f && d.info.hi == 1.0f);

    int64_t idx[3] = {4, 0, 2};
    float x[3 * 12];
    int32_t labels[3];
    ck_assert_int_eq(d.ds->get(d.self, idx, 3, x, labels, &err), GL_OK);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(labels[k], five_labels[idx[k]]);
        for (int j = 0; j < 12; j++)
            ck_assert_float_eq(x[k * 12 + j], expected(pixels[idx[k] * 12 + j]));
    }
    int64_t bad = 5;
    ck_assert_int_ne(d.ds->get(d.self, &bad, 1, x, labels, &err), GL_OK);
    ck_assert_ptr_nonnull(strstr(err.text, "item 5 out of range"));
    fx_dataset_close(&d);
}

START_TEST(raw_files)
{
    write_five("a.idx", "a.lab", 0);
    check_five("dataset:\n  plugin: idx\n  images: a.idx\n  labels: a.lab\n");
}
END_TEST

START_TEST(gzip_files)
{
    write_five("a.idx.gz", "a.lab.gz", 1);
    check_five("dataset:\n  plugin: idx\n  images: a.idx.gz\n  labels: a.lab.gz\n");
}
END_TEST

/* The directory layout: Fashion-MNIST's names (gzip) and MNIST's dotted raw names, both splits. */
START_TEST(directory_and_split)
{
    write_five("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 1);
    check_five("dataset:\n  plugin: idx\n  path: .\n");
    write_five("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte", 0);
    check_five("dataset:\n  plugin: idx\n  path: .\n  split: test\n");
}
END_TEST

START_TEST(scale_matches_torchvision)
{
    /* (x / 255 - 0.5) / 0.5 in float: the ends exact, the middle as torchvision computes it. */
    ck_assert_float_eq(expected(0), -1.0f);
    ck_assert_float_eq(expected(255), 1.0f);
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    uint32_t dims[3] = {1, 16, 16};
    write_file("all.idx", 0, 3, dims, all, 256);
    fx_dataset d;
    gl_error err;
    open_images(&d, "all.idx", &err);
    ck_assert_int_eq(d.info.n_classes, 0);
    float x[256];
    int64_t i0 = 0;
    int32_t label = -7;
    ck_assert_int_eq(d.ds->get(d.self, &i0, 1, x, &label, &err), GL_OK);
    ck_assert_int_eq(label, -7); /* unlabelled: labels untouched */
    for (int i = 0; i < 256; i++) {
        ck_assert_float_eq(x[i], expected((uint8_t)i));
        ck_assert(x[i] >= -1.0f && x[i] <= 1.0f);
    }
    ck_assert_float_eq_tol(x[128], 0.00392157f, 1e-7f);
    fx_dataset_close(&d);
}
END_TEST

/* (N, H, W, C) colour is transposed to (C, H, W). */
START_TEST(colour_hwc_to_chw)
{
    uint32_t dims[4] = {2, 2, 3, 3};
    uint8_t px[2 * 2 * 3 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 5);
    write_file("c.idx", 1, 4, dims, px, sizeof px);
    fx_dataset d;
    gl_error err;
    open_images(&d, "c.idx", &err);
    ck_assert_int_eq(d.info.shape[0], 3);
    ck_assert_int_eq(d.info.shape[1], 2);
    ck_assert_int_eq(d.info.shape[2], 3);
    float x[18];
    int64_t i1 = 1;
    ck_assert_int_eq(d.ds->get(d.self, &i1, 1, x, NULL, &err), GL_OK);
    for (int c = 0; c < 3; c++)
        for (int q = 0; q < 6; q++)
            ck_assert_float_eq(x[c * 6 + q], expected(px[18 + q * 3 + c]));
    fx_dataset_close(&d);
}
END_TEST

START_TEST(max_items_and_n_classes)
{
    write_five("a.idx", "a.lab", 1);
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(&d, "idx", dir,
                                  "dataset:\n  plugin: idx\n  images: a.idx\n  labels: a.lab\n"
                                  "  max_items: 2\n  n_classes: 10\n",
                                  1, &err) == GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(d.info.n_items, 2);
    ck_assert_int_eq(d.info.n_classes, 10);
    fx_dataset_close(&d);
    expect_error("dataset:\n  plugin: idx\n  images: a.idx\n  labels: a.lab\n  n_classes: 2\n",
                 "a.lab: label 2 is out of range for n_classes 2", NULL);
}
END_TEST

START_TEST(bad_magic)
{
    write_five("a.idx", "a.lab", 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/a.idx", dir);
    FILE *f = fopen(path, "r+b");
    fputc(0x0D, f); /* a float IDX would say 0x0D in byte 2; here byte 0 is simply wrong */
    fclose(f);
    expect_error("dataset:\n  plugin: idx\n  images: a.idx\n", "a.idx: not an IDX file", NULL);
    /* A labels file where images are expected: rank 1 is refused. */
    expect_error("dataset:\n  plugin: idx\n  images: a.lab\n", "a.lab: not an IDX file",
                 "expected 00 00 08 03");
}
END_TEST

START_TEST(truncated_and_trailing)
{
    for (size_t j = 0; j < sizeof pixels; j++)
        pixels[j] = (uint8_t)j;
    write_file("short.idx.gz", 1, 3, five_dims, pixels, sizeof pixels - 1);
    expect_error("dataset:\n  plugin: idx\n  images: short.idx.gz\n",
                 "short.idx.gz: truncated: the header promises 60 bytes of data, the file holds 59",
                 NULL);
    write_file("long.idx", 0, 3, five_dims, pixels, sizeof pixels);
    char path[4200];
    snprintf(path, sizeof path, "%s/long.idx", dir);
    FILE *f = fopen(path, "ab");
    fputc(1, f);
    fclose(f);
    expect_error("dataset:\n  plugin: idx\n  images: long.idx\n",
                 "long.idx: more data than the header's dimensions describe", NULL);
    /* A header cut short. */
    write_file("head.idx", 0, 3, five_dims, NULL, 0);
    snprintf(path, sizeof path, "%s/head.idx", dir);
    ck_assert_int_eq(truncate(path, 9), 0);
    expect_error("dataset:\n  plugin: idx\n  images: head.idx\n",
                 "head.idx: truncated in the header", NULL);
}
END_TEST

START_TEST(huge_and_zero_dims)
{
    uint32_t huge[3] = {0xFFFFFFFFu, 28, 28};
    write_file("huge.idx", 0, 3, huge, pixels, 16);
    expect_error("dataset:\n  plugin: idx\n  images: huge.idx\n",
                 "huge.idx: dimension 0 is 4294967295", "corrupt header");
    uint32_t wide[3] = {10, 0x800000u, 0x800000u};
    write_file("wide.idx", 1, 3, wide, pixels, 16);
    expect_error("dataset:\n  plugin: idx\n  images: wide.idx\n", "wide.idx: items of more than",
                 NULL);
    uint32_t many[3] = {0xFFFFFFu, 64, 64}; /* 68 GB claimed, 16 bytes present */
    write_file("many.idx", 1, 3, many, pixels, 16);
    expect_error("dataset:\n  plugin: idx\n  images: many.idx\n", "many.idx: header claims",
                 "over the limit");
    uint32_t zero[3] = {3, 0, 4};
    write_file("zero.idx", 0, 3, zero, pixels, 0);
    expect_error("dataset:\n  plugin: idx\n  images: zero.idx\n", "zero.idx: dimension 1 is 0",
                 NULL);
    /* Big enough to pass the caps, but the file holds only 16 bytes: truncated, no huge read. */
    uint32_t big[3] = {100000, 28, 28};
    write_file("big.idx.gz", 1, 3, big, pixels, 16);
    expect_error("dataset:\n  plugin: idx\n  images: big.idx.gz\n", "big.idx.gz: truncated", NULL);
}
END_TEST

START_TEST(count_mismatch)
{
    write_five("a.idx", "a.lab", 0);
    uint32_t four[1] = {4};
    write_file("four.lab", 0, 1, four, five_labels, 4);
    expect_error("dataset:\n  plugin: idx\n  images: a.idx\n  labels: four.lab\n",
                 "four.lab holds 4 labels but", "a.idx holds 5 images");
}
END_TEST

START_TEST(missing_files)
{
    expect_error("dataset:\n  plugin: idx\n  images: nothere.idx\n", "nothere.idx: cannot open",
                 "No such file");
    expect_error("dataset:\n  plugin: idx\n  path: empty\n", "no train split in",
                 "dataset-fashion-mnist");
    expect_error("dataset:\n  plugin: idx\n  path: .\n  split: test\n", "t10k-images-idx3-ubyte.gz",
                 "t10k-images.idx3-ubyte");
    expect_error("dataset:\n  plugin: idx\n  labels: a.lab\n", "dataset.labels",
                 "without 'dataset.images'");
}
END_TEST

/* The real dataset, when the Debian package is installed: the default needs no parameters. */
START_TEST(fashion_mnist_default)
{
    FILE *probe = fopen("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb");
    if (!probe)
        return; /* not installed here: the synthetic tests above cover the code */
    fclose(probe);
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(&d, "idx", dir, "dataset:\n  plugin: idx\n  split: test\n", 1,
                                  &err) == GL_OK,
                  "%s", err.text);
    ck_assert_int_eq(d.info.n_items, 10000);
    ck_assert_int_eq(d.info.n_classes, 10);
    ck_assert_int_eq(d.info.shape[0], 1);
    ck_assert_int_eq(d.info.shape[1], 28);
    ck_assert_int_eq(d.info.shape[2], 28);
    /* Fashion-MNIST's first test item is an ankle boot (class 9). */
    float x[784];
    int32_t label;
    int64_t i0 = 0;
    ck_assert_int_eq(d.ds->get(d.self, &i0, 1, x, &label, &err), GL_OK);
    ck_assert_int_eq(label, 9);
    ck_assert_float_eq(x[0], -1.0f);
    fx_dataset_close(&d);
}
END_TEST

/* ---------------------------------------------------------------- file-backed and the cache */

/* The entries in the cache; the last one's path into path (when not NULL). */
static int cache_entries(char *path, size_t cap) { return fx_count_files(cache, path, cap); }

/* Opens images file `name` (2x3x3 colour, 7 items) and returns every item in a shuffled order,
 * scaled, in x (7 * 18 floats); also whether its items were file-backed. */
static int read_all(const char *name, float *x)
{
    fx_dataset d;
    gl_error err;
    open_images(&d, name, &err);
    int64_t idx[7] = {3, 6, 0, 5, 1, 4, 2};
    ck_assert_msg(d.ds->get(d.self, idx, 7, x, NULL, &err) == GL_OK, "%s", err.text);
    const gl_byte_images *b = d.self;
    int backed = b->pixels == NULL && b->fd >= 0;
    fx_dataset_close(&d);
    return backed;
}

static const uint32_t colour_dims[4] = {7, 2, 3, 3};

static void write_colour(const char *name, int gz)
{
    uint8_t px[7 * 18];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 41 + 3);
    write_file(name, gz, 4, colour_dims, px, sizeof px);
}

/* Raw and gzip files give the same batches read in place, from the cache, and from memory; only
 * the gzip file makes a cache entry, once. */
START_TEST(file_backed_matches_memory)
{
    write_colour("c.idx", 0);
    write_colour("c.idx.gz", 1);
    float mem[7 * 18], raw[7 * 18], gz[7 * 18], again[7 * 18];
    setenv("GANLAB_DATA_IN_MEMORY", "1", 1);
    ck_assert_int_eq(read_all("c.idx.gz", mem), 0);
    ck_assert_int_eq(cache_entries(NULL, 0), 0);
    unsetenv("GANLAB_DATA_IN_MEMORY");
    ck_assert_int_eq(read_all("c.idx", raw), 1);
    ck_assert_int_eq(cache_entries(NULL, 0), 0);
    ck_assert_int_eq(read_all("c.idx.gz", gz), 1);
    setenv("GANLAB_DATA_IN_MEMORY", "0", 1);
    ck_assert_int_eq(read_all("c.idx.gz", again), 1);
    ck_assert_int_eq(cache_entries(NULL, 0), 1);
    ck_assert_mem_eq(mem, raw, sizeof mem);
    ck_assert_mem_eq(mem, gz, sizeof mem);
    ck_assert_mem_eq(mem, again, sizeof mem);
    /* Any other value is a mistake to report, not a request to ignore. */
    setenv("GANLAB_DATA_IN_MEMORY", "yes", 1);
    expect_error("dataset:\n  plugin: idx\n  images: c.idx.gz\n", "GANLAB_DATA_IN_MEMORY=yes",
                 "expected 1 (the images in memory) or 0");
    ck_assert_float_eq(mem[0], expected((uint8_t)(3 * 18 * 41 + 3))); /* item 3, channel 0 */
}
END_TEST

/* A cache entry that is damaged (a changed byte, cut short, grown) is detected and written again;
 * the temporary file of a writer that died is removed then. */
START_TEST(damaged_cache_rebuilt)
{
    write_colour("c.idx.gz", 1);
    float want[7 * 18], got[7 * 18];
    read_all("c.idx.gz", want);
    char entry[4800];
    ck_assert_int_eq(cache_entries(entry, sizeof entry), 1);
    struct stat st;
    ck_assert_int_eq(stat(entry, &st), 0);
    for (int damage = 0; damage < 3; damage++) {
        FILE *f = fopen(entry, "r+b");
        ck_assert_ptr_nonnull(f);
        if (damage == 0) {
            fseek(f, 16 + 40, SEEK_SET); /* a data byte */
            fputc(0xEE, f);
        } else if (damage == 2) {
            fseek(f, 0, SEEK_END);
            fputc(0, f);
        }
        fclose(f);
        if (damage == 0) {
            pid_t dead = fork();
            if (dead == 0)
                _exit(0);
            waitpid(dead, NULL, 0);
            char host[256], stale[5200];
            ck_assert_int_eq(gethostname(host, sizeof host), 0);
            snprintf(stale, sizeof stale, "%s.tmp.%s.%ld.0", entry, host, (long)dead);
            FILE *t = fopen(stale, "wb");
            ck_assert_ptr_nonnull(t);
            fclose(t);
            ck_assert_int_eq(cache_entries(NULL, 0), 2);
        }
        if (damage == 1)
            ck_assert_int_eq(truncate(entry, st.st_size - 1), 0);
        memset(got, 0, sizeof got);
        ck_assert_int_eq(read_all("c.idx.gz", got), 1);
        ck_assert_mem_eq(want, got, sizeof want);
        struct stat now;
        ck_assert_int_eq(stat(entry, &now), 0);
        ck_assert_int_eq(now.st_size, st.st_size);
        ck_assert_int_eq(cache_entries(NULL, 0), 1);
    }
}
END_TEST

/* No cache directory (none set, or relative), or one that cannot be created: the images are read
 * into memory. */
START_TEST(unusable_cache_falls_back)
{
    write_colour("c.idx.gz", 1);
    float want[7 * 18], got[7 * 18];
    setenv("GANLAB_DATA_IN_MEMORY", "1", 1);
    read_all("c.idx.gz", want);
    unsetenv("GANLAB_DATA_IN_MEMORY");
    char blocked[4200];
    snprintf(blocked, sizeof blocked, "%s/file", dir);
    FILE *f = fopen(blocked, "wb"); /* a file where a directory is needed: fails even for root */
    ck_assert_ptr_nonnull(f);
    fclose(f);
    setenv("XDG_CACHE_HOME", blocked, 1);
    ck_assert_int_eq(read_all("c.idx.gz", got), 0);
    ck_assert_mem_eq(want, got, sizeof want);
    const char *home = getenv("HOME");
    char *saved = home ? strdup(home) : NULL;
    unsetenv("HOME");
    unsetenv("XDG_CACHE_HOME");
    memset(got, 0, sizeof got);
    ck_assert_int_eq(read_all("c.idx.gz", got), 0);
    ck_assert_mem_eq(want, got, sizeof want);
    /* A relative HOME, like a relative XDG_CACHE_HOME, is no cache directory: it would put a cache
     * under whatever directory a run starts in. */
    char rel[64];
    snprintf(rel, sizeof rel, "relative-home-%ld", (long)getpid());
    setenv("HOME", rel, 1);
    setenv("XDG_CACHE_HOME", "relative-xdg", 1);
    memset(got, 0, sizeof got);
    int backed = read_all("c.idx.gz", got);
    struct stat st;
    int made = stat(rel, &st) == 0;
    if (made)
        fx_rmtree(rel);
    if (saved)
        setenv("HOME", saved, 1);
    free(saved);
    ck_assert_msg(!backed && !made, "a cache under the relative HOME %s", rel);
    ck_assert_mem_eq(want, got, sizeof want);
}
END_TEST

/* A bad source leaves nothing in the cache; a raw file cut short after it was opened is an error
 * naming the file (and the item past its new end), not a crash. */
START_TEST(bad_source_and_shrunk_file)
{
    uint32_t dims[3] = {5, 3, 4};
    write_file("short.idx", 0, 3, dims, pixels, sizeof pixels - 1);
    expect_error("dataset:\n  plugin: idx\n  images: short.idx\n",
                 "short.idx: truncated: the header promises 60 bytes of data, the file holds 59",
                 NULL);
    write_file("short.idx.gz", 1, 3, dims, pixels, sizeof pixels - 1);
    expect_error("dataset:\n  plugin: idx\n  images: short.idx.gz\n", "short.idx.gz: truncated",
                 NULL);
    ck_assert_int_eq(cache_entries(NULL, 0), 0);

    write_colour("c.idx", 0);
    fx_dataset d;
    gl_error err;
    open_images(&d, "c.idx", &err);
    char path[4200];
    snprintf(path, sizeof path, "%s/c.idx", dir);
    ck_assert_int_eq(truncate(path, 20 + 3 * 18), 0);
    float x[18];
    int64_t i = 2; /* still in the file, but the file is not the one opened */
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, x, NULL, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "c.idx: changed while the run read it"), "%s", err.text);
    i = 5;
    gl_error_init(&err);
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, x, NULL, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "c.idx: cannot read item 5"), "%s", err.text);
    fx_dataset_close(&d);
}
END_TEST

/* A file read in place that is rewritten during the run (same size, new bytes), and a cache entry
 * cut short: get() fails naming the file, rather than serving the new bytes or naming the source
 * for the entry's fault. A file replaced by a rename is no change to the file being read. */
START_TEST(file_changed_while_read)
{
    write_colour("c.idx", 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/c.idx", dir);
    /* An old modification time, as a dataset's file has: a rewrite within the same clock tick as
     * the file's creation would otherwise keep it. */
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    fx_dataset d;
    gl_error err;
    open_images(&d, "c.idx", &err);
    float x[18];
    int64_t i = 2;
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, x, NULL, &err), GL_OK);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 20, SEEK_SET);
    for (int k = 0; k < 7 * 18; k++)
        fputc(0, f);
    fclose(f);
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, x, NULL, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "c.idx: changed while the run read it"), "%s", err.text);
    fx_dataset_close(&d);

    write_colour("c.idx.gz", 1);
    open_images(&d, "c.idx.gz", &err);
    char entry[4800], want[9000];
    ck_assert_int_eq(cache_entries(entry, sizeof entry), 1);
    ck_assert_int_eq(truncate(entry, 20), 0);
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, x, NULL, &err), GL_ERR_RUN);
    snprintf(want, sizeof want, "%s (decompressed from %s/c.idx.gz): cannot read item 2", entry,
             dir);
    ck_assert_msg(strstr(err.text, want), "'%s' not in: %s", want, err.text);
    fx_dataset_close(&d);

    /* An entry replaced by a rename (as every writer of one does) while a run reads it: the run
     * keeps the file it opened and its bytes. */
    open_images(&d, "c.idx.gz", &err);
    float before[18], after[18];
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, before, NULL, &err), GL_OK);
    char other[5000];
    snprintf(other, sizeof other, "%s.other", entry);
    FILE *o = fopen(other, "wb");
    ck_assert_ptr_nonnull(o);
    for (int k = 0; k < 20 + 7 * 18 + 8; k++)
        fputc(0, o);
    fclose(o);
    ck_assert_int_eq(rename(other, entry), 0);
    ck_assert_int_eq(d.ds->get(d.self, &i, 1, after, NULL, &err), GL_OK);
    ck_assert_mem_eq(before, after, sizeof before);
    fx_dataset_close(&d);
}
END_TEST

/* A gzip source damaged inside its stream, or cut inside its 8-byte trailer (the CRC-32 and the
 * length that vouch for the data): an error naming the file and the fault, from memory and into
 * the cache alike, and nothing cached. zlib's gzread takes a stream without its trailer for a
 * complete one, so the cut must be caught by the reader. The data is incompressible, so it is
 * stored as is and a changed byte in it still inflates: only the CRC-32 shows it. */
START_TEST(corrupt_gzip_source)
{
    uint8_t px[25 * 20 * 40];
    uint32_t dims[3] = {25, 20, 40}, state = 12345;
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)((state = state * 1103515245u + 12345u) >> 24);
    char path[4200];
    snprintf(path, sizeof path, "%s/r.idx.gz", dir);
    static const char *const yaml = "dataset:\n  plugin: idx\n  images: r.idx.gz\n";
    static const struct {
        int flip, cut; /* a data byte changed; bytes cut from the end */
        const char *fault;
    } cases[] = {
        {1, 0, "read error: incorrect data check"},
        {0, 4, "truncated: the gzip stream ends before its checksum"},
        {1, 8, "truncated: the gzip stream ends before its checksum"}, /* no CRC-32 to show it */
    };
    for (int memory = 0; memory < 2; memory++) {
        if (memory)
            setenv("GANLAB_DATA_IN_MEMORY", "1", 1);
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            write_file("r.idx.gz", 1, 3, dims, px, sizeof px);
            struct stat st;
            ck_assert_int_eq(stat(path, &st), 0);
            FILE *f = fopen(path, "r+b");
            ck_assert_ptr_nonnull(f);
            fseek(f, (long)st.st_size / 2, SEEK_SET);
            int c = fgetc(f);
            fseek(f, (long)st.st_size / 2, SEEK_SET);
            fputc(cases[k].flip ? c ^ 0x10 : c, f);
            fclose(f);
            ck_assert_int_eq(truncate(path, st.st_size - cases[k].cut), 0);
            expect_error(yaml, "r.idx.gz: ", cases[k].fault);
        }
        ck_assert_int_eq(cache_entries(NULL, 0), 0);
    }
}
END_TEST

/* A gzip source rewritten with other bytes of the same length, at the same size (the data is
 * incompressible, so stored as is) and with its modification time set back: the cache's key reads
 * the gzip trailer (the data's CRC-32), so the new bytes get a new entry instead of the old one. */
START_TEST(same_size_gzip_with_old_time_gets_a_new_entry)
{
    uint8_t px[2][10 * 20 * 40];
    uint32_t dims[3] = {10, 20, 40}, state = 777;
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof px[v]; i++)
            px[v][i] = (uint8_t)((state = state * 1103515245u + 12345u) >> 24);
    char path[4200];
    snprintf(path, sizeof path, "%s/r.idx.gz", dir);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    off_t size = 0;
    for (int v = 0; v < 2; v++) {
        write_file("r.idx.gz", 1, 3, dims, px[v], sizeof px[v]);
        ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        if (v)
            ck_assert_int_eq(st.st_size, size); /* else the size alone would tell them apart */
        size = st.st_size;
        fx_dataset d;
        gl_error err;
        open_images(&d, "r.idx.gz", &err);
        ck_assert_int_eq(((const gl_byte_images *)d.self)->pixels == NULL, 1); /* from the cache */
        float x[800];
        int64_t i = 3;
        ck_assert_msg(d.ds->get(d.self, &i, 1, x, NULL, &err) == GL_OK, "%s", err.text);
        for (int j = 0; j < 800; j++)
            ck_assert_float_eq(x[j], expected(px[v][3 * 800 + j]));
        fx_dataset_close(&d);
        ck_assert_int_eq(cache_entries(NULL, 0), v + 1);
    }
}
END_TEST

/* Whether the cache holds a temporary file (an entry being written). */
static int cache_writing(void)
{
    DIR *dp = opendir(cache);
    int found = 0;
    for (struct dirent *e; dp && !found && (e = readdir(dp));)
        found = strstr(e->d_name, ".tmp.") != NULL;
    if (dp)
        closedir(dp);
    return found;
}

/* Forks a child that opens big.idx.gz with no cache entry, stops it while it writes the entry,
 * opens the dataset itself (writing and opening the entry first) into *d, then lets the child
 * finish, which must succeed. Returns 0, with *d not opened, when the child could not be caught
 * mid-write. */
static int stop_writer_and_open(fx_dataset *d)
{
    static const char *const yaml = "dataset:\n  plugin: idx\n  images: big.idx.gz\n";
    pid_t kid = fork();
    ck_assert_int_ge(kid, 0);
    if (kid == 0) {
        fx_dataset k;
        gl_error e;
        gl_error_init(&e);
        int ok = fx_dataset_open(&k, "idx", dir, yaml, 1, &e) == GL_OK &&
                 ((const gl_byte_images *)k.self)->fd >= 0;
        fx_dataset_close(&k);
        _exit(ok ? 0 : 1);
    }
    for (int t = 0; t < 100000 && !cache_writing(); t++)
        usleep(50);
    kill(kid, SIGSTOP);
    int caught = cache_writing() && cache_entries(NULL, 0) == 1;
    gl_error err;
    if (caught)
        open_images(d, "big.idx.gz", &err);
    kill(kid, SIGCONT);
    int status;
    ck_assert_int_eq(waitpid(kid, &status, 0), kid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return caught;
}

/* Two processes that both found no entry both write one: the one that finishes last keeps the
 * entry the first put in place instead of renaming its own over it, under the first one's reader.
 * Harmless on a local disk, that replacement gives the reader ESTALE on NFS, where a cache shared
 * by a cluster's nodes lives (decision 70). The child is stopped while it writes; meanwhile the
 * parent writes the entry and opens it; then the child finishes. */
START_TEST(concurrent_writer_keeps_the_first_entry)
{
    enum { N = 4000, H = 20, W = 50 };
    uint8_t *px = malloc((size_t)N * H * W);
    ck_assert_ptr_nonnull(px);
    for (size_t i = 0; i < (size_t)N * H * W; i++)
        px[i] = (uint8_t)(i * 7 + i / 999);
    uint32_t dims[3] = {N, H, W};
    write_file("big.idx.gz", 1, 3, dims, px, (size_t)N * H * W);
    free(px);
    /* Whether the child can be stopped mid-write depends on the scheduler (a loaded machine may
     * not run the parent until the child is done): a try that misses starts again with an empty
     * cache, and only missing every time fails. */
    fx_dataset d;
    int caught = 0;
    for (int attempt = 0; attempt < 10 && !caught; attempt++) {
        char stale[4800];
        while (cache_entries(stale, sizeof stale) > 0)
            ck_assert_int_eq(unlink(stale), 0);
        caught = stop_writer_and_open(&d);
    }
    ck_assert_msg(caught, "the child wrote its entry before it could be stopped, 10 times");
    char entry[4800];
    ck_assert_int_eq(cache_entries(entry, sizeof entry), 1);
    struct stat mine, now;
    ck_assert_int_eq(fstat(((const gl_byte_images *)d.self)->fd, &mine), 0);
    ck_assert_int_eq(stat(entry, &now), 0);
    ck_assert_msg(now.st_ino == mine.st_ino, "the entry a reader holds was replaced");
    fx_dataset_close(&d);
}
END_TEST

/* ---------------------------------------------------------------- stacked */

/* Each stacked item's channel c is one of the five source images, scaled, and its label is the
 * triple of their labels in base 3; the draws cover the source, follow the seed and only it. */
START_TEST(stacked_triples)
{
    write_five("a.idx", "b.idx", 0);
    const char *yaml = "dataset:\n  plugin: stacked\n  images: a.idx\n  labels: b.idx\n"
                       "  items: 40\n";
    fx_dataset d, e, o;
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(&d, "stacked", dir, yaml, 3, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(d.info.ndim, 3);
    ck_assert_int_eq(d.info.shape[0], 3);
    ck_assert_int_eq(d.info.shape[1], 3);
    ck_assert_int_eq(d.info.shape[2], 4);
    ck_assert_int_eq(d.info.n_classes, 27);
    ck_assert_int_eq(d.info.n_items, 40);
    int64_t idx[40];
    for (int i = 0; i < 40; i++)
        idx[i] = 39 - i;
    static float x[40 * 3 * 12], x2[40 * 3 * 12], x3[40 * 3 * 12];
    int32_t y[40];
    ck_assert_msg(d.ds->get(d.self, idx, 40, x, y, &err) == GL_OK, "%s", err.text);
    int seen[5] = {0};
    for (int i = 0; i < 40; i++) {
        int want = 0;
        for (int c = 0; c < 3; c++) {
            int match = -1;
            for (int j = 0; j < 5 && match < 0; j++) {
                int same = 1;
                for (int q = 0; q < 12; q++)
                    same &= x[(i * 3 + c) * 12 + q] == expected(pixels[j * 12 + q]);
                match = same ? j : -1;
            }
            ck_assert_msg(match >= 0, "item %d channel %d is no source image", i, c);
            seen[match] = 1;
            want = want * 3 + five_labels[match];
        }
        ck_assert_int_eq(y[i], want);
    }
    for (int j = 0; j < 5; j++)
        ck_assert_msg(seen[j], "source image %d never drawn in 120 draws", j);
    ck_assert_msg(fx_dataset_open(&e, "stacked", dir, yaml, 3, &err) == GL_OK, "%s", err.text);
    ck_assert_msg(fx_dataset_open(&o, "stacked", dir, yaml, 4, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(e.ds->get(e.self, idx, 40, x2, NULL, &err), GL_OK);
    ck_assert_int_eq(o.ds->get(o.self, idx, 40, x3, NULL, &err), GL_OK);
    ck_assert_mem_eq(x, x2, sizeof x);
    ck_assert(memcmp(x, x3, sizeof x) != 0);
    int64_t bad = 40;
    ck_assert_int_eq(d.ds->get(d.self, &bad, 1, x, y, &err), GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "out of range"), "%s", err.text);
    fx_dataset_close(&d);
    fx_dataset_close(&e);
    fx_dataset_close(&o);
}
END_TEST

START_TEST(stacked_needs_grey_labelled_source)
{
    write_five("a.idx", "b.idx", 0);
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(fx_dataset_open(&d, "stacked", dir,
                                     "dataset:\n  plugin: stacked\n  images: a.idx\n", 1, &err),
                     GL_ERR_INPUT);
    ck_assert_msg(strstr(err.text, "dataset 'stacked'") && strstr(err.text, "no labels file"), "%s",
                  err.text);
    fx_dataset_close(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dataset_idx");
    TCase *tc = tcase_create("idx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, raw_files);
    tcase_add_test(tc, gzip_files);
    tcase_add_test(tc, directory_and_split);
    tcase_add_test(tc, scale_matches_torchvision);
    tcase_add_test(tc, colour_hwc_to_chw);
    tcase_add_test(tc, max_items_and_n_classes);
    tcase_add_test(tc, bad_magic);
    tcase_add_test(tc, truncated_and_trailing);
    tcase_add_test(tc, huge_and_zero_dims);
    tcase_add_test(tc, count_mismatch);
    tcase_add_test(tc, missing_files);
    tcase_add_test(tc, fashion_mnist_default);
    tcase_add_test(tc, file_backed_matches_memory);
    tcase_add_test(tc, damaged_cache_rebuilt);
    tcase_add_test(tc, unusable_cache_falls_back);
    tcase_add_test(tc, bad_source_and_shrunk_file);
    tcase_add_test(tc, file_changed_while_read);
    tcase_add_test(tc, corrupt_gzip_source);
    tcase_add_test(tc, same_size_gzip_with_old_time_gets_a_new_entry);
    tcase_add_test(tc, concurrent_writer_keeps_the_first_entry);
    tcase_add_test(tc, stacked_triples);
    tcase_add_test(tc, stacked_needs_grey_labelled_source);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
