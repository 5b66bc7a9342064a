/* test_dataset_image_folder.c - the `image_folder` dataset plugin (loaded from the build tree) on
 * tiny PNGs written with libpng by each test: class labels from sorted sub-folders, grey/RGB
 * conversion, nearest and bilinear resizing, the errors for odd or broken files, and the cache of
 * decoded images (gl_byte_images_cached), which lives in the test's directory (XDG_CACHE_HOME). */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <ganlab/dataset.h>

#include "fixture.h"

static char dir[4096];

static char cache_home[4096]; /* XDG_CACHE_HOME, outside dir (where it would be a class) */
static char cache[4200];      /* its cache of decoded images */

static void setup(void)
{
    ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK);
    ck_assert_int_eq(fx_tempdir(cache_home, sizeof cache_home), GL_OK);
    snprintf(cache, sizeof cache, "%s/ganlab/idx", cache_home);
    setenv("XDG_CACHE_HOME", cache_home, 1);
    unsetenv("GANLAB_DATA_IN_MEMORY");
}

static void teardown(void)
{
    fx_rmtree(dir);
    fx_rmtree(cache_home);
}

/* dir/name in a static buffer (valid until the next call). */
static const char *in_dir(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void make_dir(const char *name) { ck_assert_int_eq(mkdir(in_dir(name), 0755), 0); }

/* Writes dir/name as a PNG of the given libpng format (PNG_FORMAT_GRAY, _RGB, _RGBA...). */
static void write_png(const char *name, int w, int h, png_uint_32 format, const uint8_t *px)
{
    const char *path = in_dir(name);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = format;
    ck_assert_msg(png_image_write_to_file(&img, path, 0, px, 0, NULL), "%s", img.message);
}

static float expected(int b) { return ((float)b / 255.0f - 0.5f) / 0.5f; }

static void open_ok(fx_dataset *d, const char *yaml)
{
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(fx_dataset_open(d, "image_folder", dir, yaml, 1, &err) == GL_OK, "%s", err.text);
}

static void expect_error(const char *yaml, const char *needle1, const char *needle2)
{
    fx_dataset d;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_ne(fx_dataset_open(&d, "image_folder", dir, yaml, 1, &err), GL_OK);
    ck_assert_msg(strstr(err.text, needle1), "'%s' not in: %s", needle1, err.text);
    if (needle2)
        ck_assert_msg(strstr(err.text, needle2), "'%s' not in: %s", needle2, err.text);
    fx_dataset_close(&d);
}

/* Classes "zebra" and "ant" sort to labels ant = 0, zebra = 1; files sort within a class. */
START_TEST(classes_and_grey)
{
    uint8_t a[6] = {0, 10, 20, 30, 40, 255}, b[6] = {5, 6, 7, 8, 9, 10}, z[6] = {100};
    make_dir("zebra");
    make_dir("ant");
    write_png("zebra/1.png", 3, 2, PNG_FORMAT_GRAY, z);
    write_png("ant/b.PNG", 3, 2, PNG_FORMAT_GRAY, b);
    write_png("ant/a.png", 3, 2, PNG_FORMAT_GRAY, a);
    FILE *f = fopen(in_dir("ant/notes.txt"), "w");
    fputs("ignored\n", f);
    fclose(f);
    fx_dataset d;
    open_ok(&d, "dataset:\n  plugin: image_folder\n  path: .\n  channels: 1\n");
    ck_assert_int_eq(d.info.ndim, 3);
    ck_assert_int_eq(d.info.shape[0], 1);
    ck_assert_int_eq(d.info.shape[1], 2);
    ck_assert_int_eq(d.info.shape[2], 3);
    ck_assert_int_eq(d.info.n_items, 3);
    ck_assert_int_eq(d.info.n_classes, 2);
    /* The class names are the directories', in label order (for sample grids). */
    ck_assert_ptr_nonnull(d.info.class_names);
    ck_assert_str_eq(d.info.class_names[0], "ant");
    ck_assert_str_eq(d.info.class_names[1], "zebra");
    int64_t idx[3] = {2, 0, 1};
    float x[18];
    int32_t labels[3];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(d.ds->get(d.self, idx, 3, x, labels, &err), GL_OK);
    ck_assert_int_eq(labels[0], 1);
    ck_assert_int_eq(labels[1], 0);
    ck_assert_int_eq(labels[2], 0);
    for (int q = 0; q < 6; q++) {
        ck_assert_float_eq(x[q], expected(z[q]));
        ck_assert_float_eq(x[6 + q], expected(a[q]));
        ck_assert_float_eq(x[12 + q], expected(b[q]));
    }
    ck_assert_float_eq(x[11], 1.0f);
    fx_dataset_close(&d);
}
END_TEST

/* No sub-folders: unlabelled. Grey -> RGB repeats; RGB -> grey is (299 R + 587 G + 114 B) / 1000.
 */
START_TEST(channel_conversion)
{
    uint8_t grey[4] = {1, 2, 3, 4};
    uint8_t rgb[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
    write_png("g.png", 2, 2, PNG_FORMAT_GRAY, grey);
    write_png("h.png", 2, 2, PNG_FORMAT_RGB, rgb);
    fx_dataset d;
    open_ok(&d, "dataset:\n  plugin: image_folder\n  path: .\n"); /* channels 3 by default */
    ck_assert_int_eq(d.info.n_classes, 0);
    ck_assert_ptr_null(d.info.class_names);
    ck_assert_int_eq(d.info.shape[0], 3);
    int64_t idx[2] = {0, 1};
    float x[24];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(d.ds->get(d.self, idx, 2, x, NULL, &err), GL_OK);
    for (int c = 0; c < 3; c++)
        for (int q = 0; q < 4; q++) {
            ck_assert_float_eq(x[c * 4 + q], expected(grey[q]));
            ck_assert_float_eq(x[12 + c * 4 + q], expected(rgb[q * 3 + c]));
        }
    fx_dataset_close(&d);

    open_ok(&d, "dataset:\n  plugin: image_folder\n  path: .\n  channels: 1\n");
    ck_assert_int_eq(d.ds->get(d.self, idx, 2, x, NULL, &err), GL_OK);
    int luma[4] = {76, 150, 29, (299 * 10 + 587 * 20 + 114 * 30 + 500) / 1000};
    for (int q = 0; q < 4; q++)
        ck_assert_float_eq(x[4 + q], expected(luma[q]));
    ck_assert_int_eq(luma[3], 18);
    fx_dataset_close(&d);
}
END_TEST

/* 2x2 -> 4x4. Nearest: source floor(d / 2). Bilinear, half-pixel centres: source coordinate
 * (d + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 clamped to [0, 1]: weights 0, .25, .75, 1. */
START_TEST(resize)
{
    uint8_t px[4] = {0, 100, 200, 40}; /* rows (0, 100), (200, 40) */
    write_png("a.png", 2, 2, PNG_FORMAT_GRAY, px);
    uint8_t other[9];
    for (int i = 0; i < 9; i++)
        other[i] = (uint8_t)(10 * i + 7);
    write_png("b.png", 3, 3, PNG_FORMAT_GRAY, other);
    fx_dataset d;
    float x[2 * 16];
    int64_t idx[2] = {0, 1};
    gl_error err;
    gl_error_init(&err);
    open_ok(&d, "dataset:\n  plugin: image_folder\n  path: .\n  channels: 1\n  size: 4\n"
                "  resize: nearest\n");
    ck_assert_int_eq(d.info.shape[1], 4);
    ck_assert_int_eq(d.ds->get(d.self, idx, 2, x, NULL, &err), GL_OK);
    for (int y = 0; y < 4; y++)
        for (int c = 0; c < 4; c++)
            ck_assert_float_eq(x[y * 4 + c], expected(px[(y / 2) * 2 + c / 2]));
    /* 3x3 -> 4x4 nearest: rows and columns 0, 1, 2, 3 come from floor(d * 3 / 4) = 0, 0, 1, 2. */
    const int src3[4] = {0, 0, 1, 2};
    for (int y = 0; y < 4; y++)
        for (int c = 0; c < 4; c++)
            ck_assert_float_eq(x[16 + y * 4 + c], expected(other[src3[y] * 3 + src3[c]]));
    fx_dataset_close(&d);

    open_ok(&d, "dataset:\n  plugin: image_folder\n  path: .\n  channels: 1\n  size: 4\n");
    ck_assert_int_eq(d.ds->get(d.self, idx, 2, x, NULL, &err), GL_OK);
    const double wgt[4] = {0, 0.25, 0.75, 1};
    for (int y = 0; y < 4; y++)
        for (int c = 0; c < 4; c++) {
            double top = px[0] + wgt[c] * (px[1] - px[0]);
            double bot = px[2] + wgt[c] * (px[3] - px[2]);
            ck_assert_float_eq(x[y * 4 + c], expected((int)lround(top + wgt[y] * (bot - top))));
        }
    fx_dataset_close(&d);
}
END_TEST

START_TEST(errors)
{
    uint8_t px[16] = {0};
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "no *.png files found", NULL);
    expect_error("dataset:\n  plugin: image_folder\n  path: nowhere\n", "nowhere: cannot list",
                 NULL);
    write_png("a.png", 2, 2, PNG_FORMAT_GRAY, px);
    write_png("b.png", 3, 2, PNG_FORMAT_GRAY, px);
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "b.png: 3x2 but",
                 "a.png is 2x2; set dataset.size");
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n  channels: 2\n", "must be 1 or 3",
                 NULL);
    remove(in_dir("b.png"));

    write_png("c.png", 2, 2, PNG_FORMAT_RGBA, px);
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "c.png: has an alpha channel",
                 "8-bit grey or RGB");
    remove(in_dir("c.png"));

    write_png("d.png", 2, 2, PNG_FORMAT_LINEAR_Y, px); /* 16-bit grey */
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "d.png: has 16-bit samples",
                 NULL);
    remove(in_dir("d.png"));

    FILE *f = fopen(in_dir("e.png"), "w");
    fputs("this is not a PNG at all", f);
    fclose(f);
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "e.png: unreadable PNG", NULL);
    remove(in_dir("e.png"));

    /* A PNG cut in the middle of its pixel data. */
    write_png("f.png", 2, 2, PNG_FORMAT_GRAY, px);
    const char *path = in_dir("f.png");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(truncate(path, st.st_size - 20), 0);
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "f.png:", "PNG");
    remove(path);

    make_dir("cls");
    write_png("cls/x.png", 2, 2, PNG_FORMAT_GRAY, px);
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n", "a.png: a PNG next to class",
                 NULL);
}
END_TEST

/* The entries in the cache; the last one's path into path (when not NULL). */
static int cache_entries(char *path, size_t cap) { return fx_count_files(cache, path, cap); }

static char entry_read[4800]; /* the cache entry read_three read last */

/* Opens the folder with yaml, reads its 3 items (2 x 3 RGB unless resized) into x and returns
 * whether they came from a file (the cache) rather than memory. */
static int read_three(const char *yaml, float *x, size_t n_floats)
{
    fx_dataset d;
    open_ok(&d, yaml);
    ck_assert_uint_eq((size_t)d.info.n_items * (size_t)d.info.shape[0] * (size_t)d.info.shape[1] *
                          (size_t)d.info.shape[2],
                      n_floats);
    int64_t idx[3] = {2, 0, 1};
    int32_t labels[3];
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(d.ds->get(d.self, idx, 3, x, labels, &err) == GL_OK, "%s", err.text);
    ck_assert(labels[0] == 1 && labels[1] == 0 && labels[2] == 0);
    const gl_byte_images *b = d.self;
    int backed = b->pixels == NULL && b->fd >= 0;
    if (backed) /* "ENTRY (decoded by 'image_folder')" */
        snprintf(entry_read, sizeof entry_read, "%.*s", (int)strcspn(b->path, " "), b->path);
    fx_dataset_close(&d);
    return backed;
}

/* The folder's images are decoded once: a second open reads the cache entry without decoding (a
 * PNG replaced by junk of its size and time is not even read), in the same bytes as from memory;
 * another decoding parameter or a file with a new time makes another entry, a damaged entry is
 * written again, and with no usable cache the images stay in memory. */
START_TEST(decoded_once_into_the_cache)
{
    uint8_t px[3][18];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 18; j++)
            px[i][j] = (uint8_t)(i * 70 + j * 13);
    make_dir("a");
    make_dir("b");
    write_png("a/1.png", 3, 2, PNG_FORMAT_RGB, px[0]);
    write_png("a/2.png", 3, 2, PNG_FORMAT_RGB, px[1]);
    write_png("b/1.png", 3, 2, PNG_FORMAT_RGB, px[2]);
    static const char *const yaml = "dataset:\n  plugin: image_folder\n  path: .\n";
    float mem[54], first[54], again[54];
    setenv("GANLAB_DATA_IN_MEMORY", "1", 1);
    ck_assert_int_eq(read_three(yaml, mem, 54), 0);
    ck_assert_int_eq(cache_entries(NULL, 0), 0);
    unsetenv("GANLAB_DATA_IN_MEMORY");
    ck_assert_int_eq(read_three(yaml, first, 54), 1);
    ck_assert_mem_eq(mem, first, sizeof mem);
    ck_assert_float_eq(first[0], expected(px[2][0])); /* item 2 is b/1.png, channel 0 first */
    ck_assert_float_eq(first[1], expected(px[2][3]));
    char entry[4800];
    ck_assert_int_eq(cache_entries(entry, sizeof entry), 1);

    /* Junk of the same size and time in a/2.png: the entry still names the folder's bytes. */
    struct stat st;
    ck_assert_int_eq(stat(in_dir("a/2.png"), &st), 0);
    FILE *f = fopen(in_dir("a/2.png"), "wb");
    for (off_t k = 0; k < st.st_size; k++)
        fputc('j', f);
    fclose(f);
    struct timespec old[2] = {st.st_atim, st.st_mtim};
    ck_assert_int_eq(utimensat(AT_FDCWD, in_dir("a/2.png"), old, 0), 0);
    ck_assert_int_eq(read_three(yaml, again, 54), 1);
    ck_assert_mem_eq(first, again, sizeof first);

    /* Another size is another entry (decoded again: the junk is read and refused). */
    expect_error("dataset:\n  plugin: image_folder\n  path: .\n  size: 2\n", "a/2.png",
                 "unreadable PNG");
    write_png("a/2.png", 3, 2, PNG_FORMAT_RGB, px[1]);
    float small[36];
    ck_assert_int_eq(
        read_three("dataset:\n  plugin: image_folder\n  path: .\n  size: 2\n", small, 36), 1);
    ck_assert_int_eq(cache_entries(NULL, 0), 2);
    ck_assert_int_eq(read_three(yaml, again, 54), 1); /* a/2.png rewritten: a new time, a new key */
    ck_assert_mem_eq(first, again, sizeof first);
    ck_assert_int_eq(cache_entries(NULL, 0), 3);

    /* A damaged entry is found, written again, and its bytes are right. */
    DIR *dp = opendir(cache);
    for (struct dirent *e; (e = readdir(dp));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4800];
        snprintf(path, sizeof path, "%s/%s", cache, e->d_name);
        f = fopen(path, "r+b");
        fseek(f, 30, SEEK_SET);
        fputc(0xEE, f);
        fclose(f);
    }
    closedir(dp);
    ck_assert_int_eq(read_three(yaml, again, 54), 1);
    ck_assert_mem_eq(first, again, sizeof first);

    /* A whole entry of another shape at the key's name (2 items instead of 3, its checksum
     * right) is not trusted: it would give items without labels. It is written again. */
    ck_assert_int_eq(cache_entries(NULL, 0), 3);
    ck_assert_int_eq(read_three(yaml, again, 54), 1);
    const char *newest = entry_read;
    uint8_t bytes[24 + 2 * 18 + 8];
    f = fopen(newest, "rb");
    ck_assert_int_eq(fread(bytes, 1, 24 + 2 * 18, f), 24 + 2 * 18);
    fclose(f);
    bytes[7] = 2; /* n, big-endian */
    uLong crc = crc32(0, bytes, 24 + 2 * 18);
    memcpy(bytes + 24 + 2 * 18, "GLIC", 4);
    for (int k = 0; k < 4; k++)
        bytes[24 + 2 * 18 + 4 + k] = (uint8_t)(crc >> (24 - 8 * k));
    f = fopen(newest, "wb");
    ck_assert_int_eq(fwrite(bytes, 1, sizeof bytes, f), sizeof bytes);
    fclose(f);
    ck_assert_int_eq(read_three(yaml, again, 54), 1);
    ck_assert_mem_eq(first, again, sizeof first);
    ck_assert_int_eq(stat(newest, &st), 0);
    ck_assert_int_eq(st.st_size, 24 + 3 * 18 + 8);

    /* A cache directory that cannot be made: the images stay in memory. */
    setenv("XDG_CACHE_HOME", in_dir("a/1.png"), 1);
    ck_assert_int_eq(read_three(yaml, again, 54), 0);
    ck_assert_mem_eq(first, again, sizeof first);
    setenv("GANLAB_DATA_IN_MEMORY", "yes", 1);
    expect_error(yaml, "GANLAB_DATA_IN_MEMORY=yes", "expected 1");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dataset_image_folder");
    TCase *tc = tcase_create("image_folder");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, classes_and_grey);
    tcase_add_test(tc, channel_conversion);
    tcase_add_test(tc, resize);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, decoded_once_into_the_cache);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
