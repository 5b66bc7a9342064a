/* test_image_atomic.c - util/atomic.h: a commit puts the complete file in place and leaves no
 * temporary file; an abort or any failure leaves the old file (or nothing) and no temporary file;
 * errors name the path and the cause. Also gl_png_write's use of it on failure. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "image/image.h"
#include "util/atomic.h"

static char dir[512];

static void setup(void) { ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK); }

static void teardown(void)
{
    chmod(dir, 0700);
    fx_rmtree(dir);
}

/* Entries in dir other than . and .. */
static int count_entries(const char *d)
{
    DIR *h = opendir(d);
    ck_assert_ptr_nonnull(h);
    int n = 0;
    for (struct dirent *e; (e = readdir(h));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(h);
    return n;
}

/* The whole file as a string in buf (cap bytes); "" if it cannot be opened. */
static const char *slurp(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(buf, 1, cap - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(commit_writes_file_and_leaves_no_temp)
{
    char path[600], buf[64];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    ck_assert(strncmp(f.tmp_path, path, strlen(path)) == 0); /* same directory */
    fputs("hello\n", f.fp);
    ck_assert_int_eq(access(path, F_OK), -1); /* not visible before commit */
    ck_assert_int_eq(gl_atomic_commit(&f, &err), GL_OK);
    ck_assert_ptr_null(f.fp);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "hello\n");
    ck_assert_int_eq(count_entries(dir), 1);
    gl_atomic_abort(&f); /* a no-op on a committed file */
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "hello\n");
}
END_TEST

START_TEST(replace_keeps_old_until_commit)
{
    char path[600], buf[64];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    write_file(path, "old");
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    fputs("new contents", f.fp);
    fflush(f.fp);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "old");
    ck_assert_int_eq(count_entries(dir), 2);
    ck_assert_int_eq(gl_atomic_commit(&f, &err), GL_OK);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "new contents");
    ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

START_TEST(abort_keeps_old_file_and_removes_temp)
{
    char path[600], buf[64];
    snprintf(path, sizeof path, "%s/ckpt.bin", dir);
    write_file(path, "old");
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, NULL), GL_OK);
    fputs("half a checkpo", f.fp);
    gl_atomic_abort(&f);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "old");
    ck_assert_int_eq(count_entries(dir), 1);
    gl_atomic_abort(&f); /* twice is harmless */
}
END_TEST

START_TEST(open_in_missing_directory_fails_cleanly)
{
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/out.png", dir);
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_ERR_RUN);
    ck_assert_int_eq(err.status, GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, path));
    ck_assert_ptr_nonnull(strstr(err.text, "No such file or directory"));
    ck_assert_ptr_null(f.fp);
    gl_atomic_abort(&f); /* harmless after a failed open */
    ck_assert_int_eq(count_entries(dir), 0);

    /* A regular file where a directory should be (ENOTDIR): the same clean failure. */
    char file[600];
    snprintf(file, sizeof file, "%s/plain", dir);
    write_file(file, "x");
    snprintf(path, sizeof path, "%s/plain/out.png", dir);
    gl_error_init(&err);
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, "Not a directory"));
    ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

START_TEST(unwritable_directory_fails_cleanly)
{
    /* root ignores directory permissions, so there the open succeeds and this proves nothing. */
    if (geteuid() == 0)
        return;
    char sub[600], path[700];
    snprintf(sub, sizeof sub, "%s/ro", dir);
    ck_assert_int_eq(mkdir(sub, 0500), 0);
    snprintf(path, sizeof path, "%s/out.txt", sub);
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, "Permission denied"));
    ck_assert_int_eq(count_entries(sub), 0);
}
END_TEST

START_TEST(failed_rename_removes_temp_and_keeps_target)
{
    /* A directory where the file should go: rename(2) refuses (EISDIR), after the data was written.
     */
    char path[600];
    snprintf(path, sizeof path, "%s/target", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    fputs("data", f.fp);
    ck_assert_int_eq(gl_atomic_commit(&f, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, path));
    ck_assert_ptr_nonnull(strstr(err.text, "rename failed"));
    ck_assert_ptr_null(f.fp);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

START_TEST(png_write_failure_leaves_nothing)
{
    char path[600];
    uint8_t px[12] = {0};
    gl_error err;
    gl_error_init(&err);
    snprintf(path, sizeof path, "%s/missing/x.png", dir);
    ck_assert_int_eq(gl_png_write(path, px, 2, 2, 3, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, path));
    snprintf(path, sizeof path, "%s/x.png", dir);
    gl_error_init(&err);
    ck_assert_int_eq(gl_png_write(path, px, 2, 2, 2, &err), GL_ERR_INPUT); /* 2 channels */
    ck_assert_ptr_nonnull(strstr(err.text, "channels"));
    ck_assert_int_eq(count_entries(dir), 0);
}
END_TEST

/* commit_new puts its file where there is none, and keeps one that another writer put there
 * meanwhile, dropping its own: no temporary file is left either way. */
START_TEST(commit_new_keeps_an_existing_file)
{
    char path[600], buf[64];
    snprintf(path, sizeof path, "%s/entry", dir);
    gl_error err;
    gl_error_init(&err);
    gl_atomic_file f;
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    fputs("first", f.fp);
    ck_assert_int_eq(gl_atomic_commit_new(&f, &err), GL_OK);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "first");
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    fputs("second", f.fp);
    ck_assert_int_eq(gl_atomic_commit_new(&f, &err), GL_OK);
    ck_assert_ptr_null(f.fp);
    ck_assert_str_eq(slurp(path, buf, sizeof buf), "first");
    ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

/* A write error shows at commit with its cause, here a file size limit (EFBIG, as a full disk's
 * ENOSPC would), not a generic "Input/output error", and leaves nothing. */
START_TEST(write_failure_names_its_cause)
{
    char path[600];
    snprintf(path, sizeof path, "%s/big.bin", dir);
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN); /* else the write past the limit kills us */
    gl_atomic_file f;
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_atomic_open(&f, path, &err), GL_OK);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    static char block[65536];
    for (int i = 0; i < 4; i++)
        fwrite(block, 1, sizeof block, f.fp);
    int rc = gl_atomic_commit(&f, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    ck_assert_int_eq(rc, GL_ERR_RUN);
    ck_assert_msg(strstr(err.text, "big.bin: write failed: File too large"), "%s", err.text);
    ck_assert_int_eq(count_entries(dir), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("atomic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, commit_writes_file_and_leaves_no_temp);
    tcase_add_test(tc, replace_keeps_old_until_commit);
    tcase_add_test(tc, abort_keeps_old_file_and_removes_temp);
    tcase_add_test(tc, open_in_missing_directory_fails_cleanly);
    tcase_add_test(tc, unwritable_directory_fails_cleanly);
    tcase_add_test(tc, failed_rename_removes_temp_and_keeps_target);
    tcase_add_test(tc, png_write_failure_leaves_nothing);
    tcase_add_test(tc, write_failure_names_its_cause);
    tcase_add_test(tc, commit_new_keeps_an_existing_file);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
