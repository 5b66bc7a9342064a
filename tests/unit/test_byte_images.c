/* test_byte_images.c - ganlab/dataset.h on its own: the scale table, gl_dataset_info, batches of
 * planar and of channels-last items (transposed to (C, H, W)), labels, the out-of-range error, and
 * gl_byte_images_cached called directly (in a cache directory of the test's own). The idx and
 * image_folder suites test it again through those plugins. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ganlab/dataset.h>

/* Three items of 2 channels x 1 x 3 with bytes 10 k + j (k the item, j the byte in the item). */
static gl_byte_images *three_items(int channels_last, int labelled)
{
    gl_byte_images *d = gl_byte_images_new("test");
    ck_assert_ptr_nonnull(d);
    d->n = 3;
    d->c = 2;
    d->h = 1;
    d->w = 3;
    d->channels_last = channels_last;
    d->pixels = malloc(3 * 6);
    ck_assert_ptr_nonnull(d->pixels);
    for (int j = 0; j < 18; j++)
        d->pixels[j] = (uint8_t)(10 * (j / 6) + j % 6);
    if (labelled) {
        d->labels = malloc(3 * sizeof *d->labels);
        ck_assert_ptr_nonnull(d->labels);
        d->labels[0] = 2;
        d->labels[1] = 0;
        d->labels[2] = 1;
        d->n_classes = 3;
    }
    return d;
}

static float value(int b) { return ((float)b / 255.0f - 0.5f) / 0.5f; }

START_TEST(scale_table_spans_minus_one_to_one)
{
    gl_byte_images *d = gl_byte_images_new("test");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->plugin, "test");
    ck_assert(d->scale[0] == -1.0f && d->scale[255] == 1.0f);
    ck_assert_float_eq_tol(d->scale[128], 0.00392157f, 1e-7f); /* 128 / 127.5 - 1 */
    for (int v = 0; v < 256; v++)
        ck_assert(d->scale[v] == value(v));
    ck_assert(d->pixels == NULL && d->labels == NULL && d->n == 0 && d->n_classes == 0);
    gl_byte_images_free(d);
    gl_byte_images_free(NULL);
}
END_TEST

START_TEST(info_is_filled)
{
    gl_byte_images *d = three_items(0, 1);
    gl_dataset_info info;
    memset(&info, 0x55, sizeof info);
    gl_byte_images_info(d, &info);
    ck_assert_int_eq(info.ndim, 3);
    ck_assert_int_eq(info.shape[0], 2);
    ck_assert_int_eq(info.shape[1], 1);
    ck_assert_int_eq(info.shape[2], 3);
    ck_assert_int_eq(info.n_classes, 3);
    ck_assert_int_eq(info.n_items, 3);
    ck_assert(info.lo == -1.0f && info.hi == 1.0f);
    gl_byte_images_free(d);
}
END_TEST

START_TEST(planar_items_are_copied_in_order)
{
    gl_byte_images *d = three_items(0, 1);
    int64_t idx[2] = {2, 0};
    float x[2 * 6];
    int32_t labels[2] = {-1, -1};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_byte_images_get(d, idx, 2, x, labels, &err), GL_OK);
    for (int j = 0; j < 6; j++) {
        ck_assert(x[j] == value(20 + j));
        ck_assert(x[6 + j] == value(j));
    }
    ck_assert_int_eq(labels[0], 1);
    ck_assert_int_eq(labels[1], 2);
    gl_byte_images_free(d);
}
END_TEST

/* Item 1 stored (H, W, C) = bytes 10 11 | 12 13 | 14 15 (pixel by pixel) serves channel 0 as
 * 10 12 14 and channel 1 as 11 13 15. */
START_TEST(channels_last_items_are_transposed)
{
    gl_byte_images *d = three_items(1, 0);
    int64_t idx = 1;
    float x[6];
    int32_t labels[1] = {-7};
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_byte_images_get(d, &idx, 1, x, labels, &err), GL_OK);
    const int want[6] = {10, 12, 14, 11, 13, 15};
    for (int j = 0; j < 6; j++)
        ck_assert(x[j] == value(want[j]));
    ck_assert_int_eq(labels[0], -7); /* unlabelled: labels left alone */
    gl_byte_images_free(d);
}
END_TEST

START_TEST(out_of_range_names_the_plugin)
{
    gl_byte_images *d = three_items(0, 1);
    int64_t idx[3] = {1, 3, 0};
    float x[3 * 6];
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_byte_images_get(d, idx, 3, x, NULL, &err), GL_ERR_RUN);
    ck_assert_str_eq(err.text, "dataset 'test': item 3 out of range [0, 3)");
    ck_assert(x[0] == value(10)); /* the items before the bad one are filled */
    gl_error_init(&err);
    idx[0] = -1;
    ck_assert_int_eq(gl_byte_images_get(d, idx, 1, x, NULL, &err), GL_ERR_RUN);
    ck_assert_str_eq(err.text, "dataset 'test': item -1 out of range [0, 3)");
    gl_byte_images_free(d);
}
END_TEST

static int decodes; /* how many times decode_three ran */

/* gl_byte_images_cached's decode: three_items' bytes, in the layout *ud says. */
static int decode_three(void *ud, gl_byte_images *d, gl_error *err)
{
    (void)err;
    gl_byte_images *src = three_items(*(const int *)ud, 0);
    d->n = src->n;
    d->c = src->c;
    d->h = src->h;
    d->w = src->w;
    d->channels_last = src->channels_last;
    d->pixels = src->pixels;
    src->pixels = NULL;
    gl_byte_images_free(src);
    decodes++;
    return GL_OK;
}

/* A new instance through gl_byte_images_cached with key; asserts it reads its items from an entry
 * (whose path goes into entry) in the bytes three_items has in memory. */
static void cached_three(const void *key, size_t key_len, int channels_last, char *entry,
                         size_t cap)
{
    gl_byte_images *d = gl_byte_images_new("test");
    ck_assert_ptr_nonnull(d);
    gl_error err;
    gl_error_init(&err);
    ck_assert_msg(gl_byte_images_cached(d, key, key_len, decode_three, &channels_last, &err) ==
                      GL_OK,
                  "%s", err.text);
    ck_assert_msg(d->pixels == NULL && d->fd >= 0, "the items are not read from an entry");
    ck_assert_int_eq(d->channels_last, channels_last);
    gl_byte_images *mem = three_items(channels_last, 0);
    int64_t idx[3] = {2, 0, 1};
    float x[3 * 6], want[3 * 6];
    ck_assert_msg(gl_byte_images_get(d, idx, 3, x, NULL, &err) == GL_OK, "%s", err.text);
    ck_assert_int_eq(gl_byte_images_get(mem, idx, 3, want, NULL, &err), GL_OK);
    ck_assert_mem_eq(x, want, sizeof x);
    snprintf(entry, cap, "%.*s", (int)strcspn(d->path, " "), d->path); /* "ENTRY (decoded...)" */
    gl_byte_images_free(mem);
    gl_byte_images_free(d);
}

/* Empties and removes the cache directory home/ganlab/idx and home itself. */
static void remove_cache(const char *home)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/ganlab/idx", home);
    DIR *dp = opendir(path);
    for (struct dirent *e; dp && (e = readdir(dp));) {
        char file[4500];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.')
            ck_assert_int_eq(unlink(file), 0);
    }
    if (dp)
        closedir(dp);
    ck_assert_int_eq(rmdir(path), 0);
    snprintf(path, sizeof path, "%s/ganlab", home);
    ck_assert_int_eq(rmdir(path), 0);
    ck_assert_int_eq(rmdir(home), 0);
}

/* Decoded once (an empty key is a key: a plugin whose bytes never change), read back in either
 * layout; an entry that cannot be opened at all (here a link to itself) is written again. */
START_TEST(cached_decodes_once)
{
    char home[] = "/tmp/gl_byte_images_XXXXXX", entry[4200], again[4200];
    ck_assert_ptr_nonnull(mkdtemp(home));
    setenv("XDG_CACHE_HOME", home, 1);
    unsetenv("GANLAB_DATA_IN_MEMORY");
    decodes = 0;
    cached_three(NULL, 0, 1, entry, sizeof entry);
    ck_assert_int_eq(decodes, 1);
    cached_three("", 0, 1, again, sizeof again);
    ck_assert_int_eq(decodes, 1);
    ck_assert_str_eq(again, entry);
    cached_three("planar", 6, 0, again, sizeof again);
    ck_assert_int_eq(decodes, 2);
    ck_assert_str_ne(again, entry);

    ck_assert_int_eq(unlink(entry), 0);
    ck_assert_int_eq(symlink(entry, entry), 0);
    cached_three(NULL, 0, 1, again, sizeof again);
    ck_assert_int_eq(decodes, 3);
    cached_three(NULL, 0, 1, again, sizeof again);
    ck_assert_int_eq(decodes, 3);
    remove_cache(home);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("byte_images");
    TCase *tc = tcase_create("byte_images");
    tcase_add_test(tc, scale_table_spans_minus_one_to_one);
    tcase_add_test(tc, info_is_filled);
    tcase_add_test(tc, planar_items_are_copied_in_order);
    tcase_add_test(tc, channels_last_items_are_transposed);
    tcase_add_test(tc, out_of_range_names_the_plugin);
    tcase_add_test(tc, cached_decodes_once);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
