/* test_events.c - the TensorBoard event writer's parts on hand-checkable bytes: CRC32C against the
 * standard check value, the masked form, protobuf varints and nested lengths, the record framing,
 * and an event file's opening events (file_version; SessionLog START first after a resume). The
 * messages themselves are decoded with protoc against TensorBoard's field numbers in
 * tests/e2e/events.sh. Also run.json's helpers: SHA-256 on the FIPS 180-2 examples, and the JSON
 * reader (values, escapes, faults with line:col, the depth bound). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "util/events.h"
#include "util/json.h"
#include "util/pb.h"
#include "util/sha256.h"
#include "util/tfrecord.h"

static char dir[512];

static void setup(void) { ck_assert_int_eq(fx_tempdir(dir, sizeof dir), GL_OK); }
static void teardown(void) { fx_rmtree(dir); }

START_TEST(crc32c_check_values)
{
    /* The CRC-32C check value (RFC 3720, the "123456789" catalogue entry). */
    ck_assert_uint_eq(gl_crc32c(0, "123456789", 9), 0xE3069283u);
    /* Continuing a CRC over a split buffer gives the CRC of the whole. */
    ck_assert_uint_eq(gl_crc32c(gl_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
    /* 32 zero bytes: RFC 3720 B.4. */
    unsigned char zeros[32] = {0};
    ck_assert_uint_eq(gl_crc32c(0, zeros, 32), 0x8A9136AAu);
    /* Masked: rotate right by 15, add the constant; crc("") = 0 gives the constant itself. */
    ck_assert_uint_eq(gl_crc32c_masked("", 0), 0xa282ead8u);
    uint32_t c = 0xE3069283u;
    ck_assert_uint_eq(gl_crc32c_masked("123456789", 9), ((c >> 15) | (c << 17)) + 0xa282ead8u);
}
END_TEST

START_TEST(pb_wire_format)
{
    gl_pb pb = {0};
    gl_pb_varint(&pb, 2, 300); /* key 2<<3|0 = 0x10, 300 = 0xAC 0x02 */
    gl_pb_float(&pb, 2, 1.0f); /* key 0x15, 0x3f800000 little-endian */
    size_t m = gl_pb_begin(&pb, 1);
    gl_pb_string(&pb, 1, "x");
    gl_pb_end(&pb, m);
    const unsigned char want[] = {0x10, 0xAC, 0x02, 0x15, 0x00, 0x00, 0x80,
                                  0x3f, 0x0a, 0x03, 0x0a, 0x01, 'x'};
    ck_assert_uint_eq(pb.len, sizeof want);
    ck_assert_int_eq(memcmp(pb.buf, want, sizeof want), 0);

    /* A nested message of 200 bytes takes a two-byte length, written minimally in front of it. */
    gl_pb_reset(&pb);
    char s[199];
    memset(s, 'a', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    m = gl_pb_begin(&pb, 5);
    gl_pb_string(&pb, 1, s); /* 1 + 2 + 198 bytes */
    gl_pb_end(&pb, m);
    ck_assert_uint_eq(pb.len, 1 + 2 + 201);
    ck_assert_uint_eq(pb.buf[0], 0x2a);
    ck_assert_uint_eq(pb.buf[1], 0xC9); /* 201 = 0xC9 0x01 */
    ck_assert_uint_eq(pb.buf[2], 0x01);
    ck_assert_uint_eq(pb.buf[3], 0x0a);
    ck_assert_uint_eq(pb.buf[4], 0xC6); /* 198 */
    ck_assert_uint_eq(pb.buf[5], 0x01);
    ck_assert_uint_eq(pb.buf[6], 'a');
    gl_pb_free(&pb);
}
END_TEST

/* Reads the records of path into recs (data copies, freed by the caller); returns their count. */
static int read_records(const char *path, unsigned char **recs, size_t *lens, int cap)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    int n = 0;
    unsigned char head[12], tail[4];
    while (fread(head, 1, 12, f) == 12) {
        ck_assert_int_lt(n, cap);
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--)
            len = len << 8 | head[i];
        uint32_t lc = (uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 |
                      (uint32_t)head[11] << 24;
        ck_assert_uint_eq(lc, gl_crc32c_masked(head, 8));
        recs[n] = malloc(len);
        ck_assert_uint_eq(fread(recs[n], 1, len, f), len);
        ck_assert_uint_eq(fread(tail, 1, 4, f), 4);
        uint32_t dc = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                      (uint32_t)tail[3] << 24;
        ck_assert_uint_eq(dc, gl_crc32c_masked(recs[n], len));
        lens[n++] = len;
    }
    fclose(f);
    return n;
}

/* The one event file in dir, into path. */
static void only_event_file(char *path, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int found = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "events.out.tfevents.", 20) == 0) {
            snprintf(path, cap, "%s/%s", dir, e->d_name);
            found++;
        }
    closedir(d);
    ck_assert_int_eq(found, 1);
}

START_TEST(new_and_resumed_files_open_with_their_events)
{
    for (int resumed = 0; resumed < 2; resumed++) {
        gl_error err;
        gl_error_init(&err);
        gl_events ev;
        ck_assert_int_eq(gl_events_open(&ev, dir, 40, resumed, &err), GL_OK);
        const char *names[2] = {"d_loss", "g_loss"};
        double values[2] = {0.5, 2.0};
        gl_events_scalars(&ev, 50, "train", 2, names, values);
        ck_assert_int_eq(gl_events_close(&ev, &err), GL_OK);

        char path[1024];
        only_event_file(path, sizeof path);
        unsigned char *recs[4];
        size_t lens[4];
        int n = read_records(path, recs, lens, 4);
        ck_assert_int_eq(n, 3 + resumed - 1);
        /* Every event: wall_time (key 0x09, 8 bytes), then step (key 0x10, varint). */
        for (int i = 0; i < n; i++) {
            ck_assert_uint_eq(recs[i][0], 0x09);
            ck_assert_uint_eq(recs[i][9], 0x10);
        }
        ck_assert_uint_eq(recs[0][10], 40);
        if (resumed) /* session_log (7, LEN) {status (1) START (1)} */
            ck_assert_int_eq(memcmp(recs[0] + 11, "\x3a\x02\x08\x01", 4), 0);
        unsigned char *fv = recs[resumed];
        ck_assert_uint_eq(fv[11], 0x1a); /* file_version (3, LEN) */
        ck_assert_int_eq(memcmp(fv + 13, "brain.Event:2", 13), 0);
        unsigned char *sc = recs[n - 1];
        ck_assert_uint_eq(sc[10], 50);
        ck_assert_uint_eq(sc[11], 0x2a); /* summary (5, LEN) */
        ck_assert_ptr_nonnull(memmem(sc, lens[n - 1], "train/g_loss", 12));
        for (int i = 0; i < n; i++)
            free(recs[i]);
        remove(path);
    }
}
END_TEST

START_TEST(image_refuses_a_file_that_is_not_png)
{
    gl_error err;
    gl_error_init(&err);
    gl_events ev;
    ck_assert_int_eq(gl_events_open(&ev, dir, 0, 0, &err), GL_OK);
    char path[1024];
    snprintf(path, sizeof path, "%s/not.png", dir);
    FILE *f = fopen(path, "wb");
    fputs("plain text, long enough to have an IHDR chunk's place", f);
    fclose(f);
    ck_assert_int_eq(gl_events_image(&ev, 1, "samples", path, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, "not a PNG file"));
    ck_assert_ptr_nonnull(strstr(err.text, path));
    gl_error_init(&err);
    ck_assert_int_eq(gl_events_close(&ev, &err), GL_OK);
}
END_TEST

START_TEST(open_in_a_missing_directory_names_the_file)
{
    gl_error err;
    gl_error_init(&err);
    gl_events ev;
    char missing[1024];
    snprintf(missing, sizeof missing, "%s/no/such", dir);
    ck_assert_int_eq(gl_events_open(&ev, missing, 0, 0, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, "no/such/events.out.tfevents."));
    /* Calls on a file that failed to open do nothing. */
    gl_events_text(&ev, 0, "config", "x");
    ck_assert_int_eq(gl_events_close(&ev, &err), GL_OK);
}
END_TEST

START_TEST(sha256_known_digests)
{
    char hex[65];
    gl_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    gl_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 56 bytes: the padding spills into a second block. */
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    gl_sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A file of a million 'a' (more than one read buffer). */
    char path[1024];
    snprintf(path, sizeof path, "%s/a.bin", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 1000000; i++)
        fputc('a', f);
    fclose(f);
    gl_error err;
    gl_error_init(&err);
    ck_assert_int_eq(gl_sha256_file(path, hex, &err), GL_OK);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(gl_sha256_file(path, hex, &err), GL_ERR_RUN);
    ck_assert_ptr_nonnull(strstr(err.text, path));
}
END_TEST

/* Parses text; returns the status, err filled. */
static int parse(const char *text, gl_json **j, gl_error *err)
{
    gl_error_init(err);
    return gl_json_parse(text, strlen(text), "t.json", j, err);
}

START_TEST(json_reader)
{
    gl_error err;
    gl_json *j;
    ck_assert_int_eq(parse(" {\"a\": [1, -2.5e1, true, null, \"x\\\"\\u00e9\\ud83d\\ude00\\n\"],"
                           " \"b\": {}, \"a\": \"last\"} ",
                           &j, &err),
                     GL_OK);
    ck_assert_int_eq(j->type, GL_JSON_OBJECT);
    ck_assert_uint_eq(j->n, 3);
    const gl_json *a = j->items[0];
    ck_assert_int_eq(a->type, GL_JSON_ARRAY);
    ck_assert_uint_eq(a->n, 5);
    ck_assert_double_eq(a->items[1]->number, -25);
    ck_assert_int_eq(a->items[2]->type, GL_JSON_BOOL);
    ck_assert_int_eq(a->items[3]->type, GL_JSON_NULL);
    ck_assert_str_eq(a->items[4]->string, "x\"\xc3\xa9\xf0\x9f\x98\x80\n");
    ck_assert_str_eq(gl_json_string(j, "a"), "last"); /* the last of a repeated key */
    ck_assert_ptr_null(gl_json_get(j, "c"));
    /* Written back compactly, it parses to the same text again. */
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    gl_json_write(m, a);
    fclose(m);
    ck_assert_str_eq(out, "[1, -25, true, null, \"x\\\"\xc3\xa9\xf0\x9f\x98\x80\\u000a\"]");
    free(out);
    gl_json_free(j);

    static const struct {
        const char *text, *fault;
    } bad[] = {
        {"{\"a\": 1,\n  }", "t.json:2:3: expected a key string"},
        {"[1 2]", "t.json:1:4: expected ',' or ']'"},
        {"\"abc", "t.json:1:1: unterminated string"},
        {"\"a\\qb\"", "t.json:1:3: bad escape"},
        {"[1] x", "t.json:1:5: text after the JSON value"},
        {"", "t.json:1:1: unexpected end"},
        {"nul", "t.json:1:1: not a JSON value"},
        {"[1e999]", "t.json:1:2: not a JSON value"},
        {"\"a\tb\"", "t.json:1:3: control character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(parse(bad[i].text, &j, &err), GL_ERR_INPUT);
        ck_assert_ptr_null(j);
        ck_assert_msg(strstr(err.text, bad[i].fault), "%s: %s", bad[i].text, err.text);
    }
    /* Nesting is bounded (no stack overflow on hostile input). */
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    ck_assert_int_eq(parse(deep, &j, &err), GL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.text, "nested deeper than 64"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("events");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, crc32c_check_values);
    tcase_add_test(tc, pb_wire_format);
    tcase_add_test(tc, new_and_resumed_files_open_with_their_events);
    tcase_add_test(tc, image_refuses_a_file_that_is_not_png);
    tcase_add_test(tc, open_in_a_missing_directory_names_the_file);
    tcase_add_test(tc, sha256_known_digests);
    tcase_add_test(tc, json_reader);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
