/* checkpoint.c - the checkpoint file: everything needed to continue a run bit for bit, and nothing
 * that would make two identical runs' files differ (no time, no path, no step budget).
 *
 * Layout (little-endian, docs/formats.md):
 *   "GLCKPT\r\n" (8 bytes: catches text-mode mangling), u32 version (1), u32 section count,
 *   then sections: u32 tag (four ASCII bytes), u64 payload bytes, payload;
 *   then u32 CRC-32 (zlib) of every byte before it.
 * Sections: STAT (the gl_train_state: counters and the three RNG streams), GVAL/GBUF/DVAL/DBUF (the
 * nets' parameter values and buffers such as batch-norm statistics), OPTG/OPTD (optimizer state).
 * A file is written atomically (temporary file, fsync, rename) and read whole, checked (magic,
 * version, CRC, every size against this session's model) before any of it is applied. */
#include "train/train.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/atomic.h"
#include "util/fs.h"

#define CKPT_MAGIC     "GLCKPT\r\n"
#define CKPT_VERSION   1u
#define CKPT_MAX_BYTES ((size_t)1 << 34)

enum {
    SEC_STAT = GL_CKPT_STAT,
    SEC_GVAL,
    SEC_GBUF,
    SEC_DVAL,
    SEC_DBUF,
    SEC_OPTG,
    SEC_OPTD,
    N_SECTIONS = GL_CKPT_SECTIONS
};
static const char sec_tags[N_SECTIONS][5] = {"STAT", "GVAL", "GBUF", "DVAL",
                                             "DBUF", "OPTG", "OPTD"};

/* The serialised training state: fixed-width fields, no padding, so the bytes are the same for the
 * same state on every build. */
typedef struct ckpt_stat {
    uint64_t step, d_updates;
    int64_t epoch, pos;
    uint64_t opt_step[2];
    struct {
        uint64_t key, stream, counter;
        uint32_t buf[4], used, pad;
    } rng[3];
} ckpt_stat;

/* The (pointer, bytes) of each section in this session. */
static void sections(const gl_session *cs, void *ptr[N_SECTIONS], size_t bytes[N_SECTIONS],
                     ckpt_stat *stat)
{
    gl_session *s = (gl_session *)cs;
    ptr[SEC_STAT] = stat;
    bytes[SEC_STAT] = sizeof *stat;
    for (int i = 0; i < 2; i++) {
        ptr[SEC_GVAL + 2 * i] = gl_net_values(s->net[i]);
        bytes[SEC_GVAL + 2 * i] = gl_net_numel(s->net[i]) * sizeof(float);
        ptr[SEC_GBUF + 2 * i] = gl_net_buffer_values(s->net[i]);
        bytes[SEC_GBUF + 2 * i] = gl_net_buffer_numel(s->net[i]) * sizeof(float);
        ptr[SEC_OPTG + i] = s->opt_state[i];
        bytes[SEC_OPTG + i] = gl_net_numel(s->net[i]) * (size_t)s->opt_state_per[i] * sizeof(float);
    }
}

static void stat_from(ckpt_stat *c, const gl_train_state *st)
{
    memset(c, 0, sizeof *c);
    c->step = st->step;
    c->d_updates = st->d_updates;
    c->epoch = st->epoch;
    c->pos = st->pos;
    c->opt_step[0] = st->opt_step[0];
    c->opt_step[1] = st->opt_step[1];
    const gl_rng *r[3] = {&st->noise, &st->penalty, &st->dropout};
    for (int i = 0; i < 3; i++) {
        c->rng[i].key = r[i]->key;
        c->rng[i].stream = r[i]->stream;
        c->rng[i].counter = r[i]->counter;
        memcpy(c->rng[i].buf, r[i]->buf, sizeof c->rng[i].buf);
        c->rng[i].used = r[i]->used;
    }
}

static void stat_to(gl_train_state *st, const ckpt_stat *c)
{
    st->step = c->step;
    st->d_updates = c->d_updates;
    st->epoch = c->epoch;
    st->pos = c->pos;
    st->opt_step[0] = c->opt_step[0];
    st->opt_step[1] = c->opt_step[1];
    gl_rng *r[3] = {&st->noise, &st->penalty, &st->dropout};
    for (int i = 0; i < 3; i++) {
        r[i]->key = c->rng[i].key;
        r[i]->stream = c->rng[i].stream;
        r[i]->counter = c->rng[i].counter;
        memcpy(r[i]->buf, c->rng[i].buf, sizeof r[i]->buf);
        r[i]->used = c->rng[i].used;
    }
}

/* zlib's crc32 takes a uInt length: feed large blocks in pieces. */
static uLong crc_update(uLong crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return crc;
}

static uLong crc_put(FILE *f, uLong crc, const void *p, size_t n)
{
    if (n)
        fwrite(p, 1, n, f);
    return crc_update(crc, p, n);
}

int gl_checkpoint_save(const gl_session *s, const char *path, gl_error *err)
{
    ckpt_stat stat;
    stat_from(&stat, &s->st);
    void *ptr[N_SECTIONS];
    size_t bytes[N_SECTIONS];
    sections(s, ptr, bytes, &stat);
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    uLong crc = crc32(0L, Z_NULL, 0);
    uint32_t head[2] = {CKPT_VERSION, N_SECTIONS};
    crc = crc_put(af.fp, crc, CKPT_MAGIC, 8);
    crc = crc_put(af.fp, crc, head, sizeof head);
    for (int i = 0; i < N_SECTIONS; i++) {
        uint64_t n = bytes[i];
        crc = crc_put(af.fp, crc, sec_tags[i], 4);
        crc = crc_put(af.fp, crc, &n, sizeof n);
        crc = crc_put(af.fp, crc, ptr[i], bytes[i]);
    }
    uint32_t c32 = (uint32_t)crc;
    fwrite(&c32, 1, sizeof c32, af.fp);
    /* A failed write is found and named with its cause (a full disk) by the commit. */
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

/* Reads the whole file (bounded) into a new buffer the caller frees. */
static unsigned char *slurp(const char *path, size_t *n, gl_error *err)
{
    struct stat st;
    int fd = gl_open_regular(path, &st);
    if (fd == GL_NOT_REGULAR) {
        gl_error_add(err, GL_ERR_INPUT, "%s: not a regular file", path);
        return NULL;
    }
    if (fd < 0) {
        gl_error_add(err, GL_ERR_INPUT, "%s: cannot open the checkpoint: %m", path);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    unsigned char *buf = NULL;
    size_t len = (size_t)st.st_size;
    if (f && len < CKPT_MAX_BYTES) {
        buf = malloc(len ? len : 1);
        if (buf && fread(buf, 1, len, f) != len) {
            free(buf);
            buf = NULL;
        }
        *n = len;
    }
    if (f)
        fclose(f);
    else
        close(fd);
    if (!buf)
        gl_error_add(err, GL_ERR_INPUT, "%s: cannot read the checkpoint", path);
    return buf;
}

/* The fields of STAT, checked against what this run can hold: a file whose checksum is right can
 * still be hand-made or from another data set, and pos, used and epoch index arrays. */
static int check_stat(const char *path, const ckpt_stat *c, const gl_ckpt_expect *x, gl_error *err)
{
    static const char *const rng_names[3] = {"rng.noise", "rng.penalty", "rng.dropout"};
    static const uint64_t rng_streams[3] = {GL_STREAM_NOISE, GL_STREAM_PENALTY, GL_STREAM_DROPOUT};
    const char *bad = NULL;
    char why[160] = "";
    if (c->d_updates < c->step) {
        bad = "d_updates";
        snprintf(why, sizeof why, "%llu is below step %llu", (unsigned long long)c->d_updates,
                 (unsigned long long)c->step);
    } else if (c->epoch < -1 || (c->epoch >= 0 && (uint64_t)c->epoch >= c->d_updates)) {
        bad = "epoch";
        snprintf(why, sizeof why, "%lld is not in [-1, d_updates %llu)", (long long)c->epoch,
                 (unsigned long long)c->d_updates);
    } else if (c->pos < 0 || c->pos > x->n_items) {
        bad = "pos";
        snprintf(why, sizeof why, "%lld is not in [0, %lld], the data set's item count",
                 (long long)c->pos, (long long)x->n_items);
    } else if (c->opt_step[0] > c->step) {
        bad = "opt_step[G]";
        snprintf(why, sizeof why, "%llu is above step %llu", (unsigned long long)c->opt_step[0],
                 (unsigned long long)c->step);
    } else if (c->opt_step[1] > c->d_updates) {
        bad = "opt_step[D]";
        snprintf(why, sizeof why, "%llu is above d_updates %llu",
                 (unsigned long long)c->opt_step[1], (unsigned long long)c->d_updates);
    }
    for (int i = 0; i < 3 && !bad; i++) {
        if (c->rng[i].key != x->seed)
            snprintf(why, sizeof why, "key %llu is not experiment.seed %llu",
                     (unsigned long long)c->rng[i].key, (unsigned long long)x->seed);
        else if (c->rng[i].stream != rng_streams[i])
            snprintf(why, sizeof why, "stream %llu, expected %llu",
                     (unsigned long long)c->rng[i].stream, (unsigned long long)rng_streams[i]);
        else if (c->rng[i].used > 4)
            snprintf(why, sizeof why, "used %u is above 4", c->rng[i].used);
        else if (c->rng[i].pad != 0)
            snprintf(why, sizeof why, "padding %u is not 0", c->rng[i].pad);
        if (why[0])
            bad = rng_names[i];
    }
    if (!bad)
        return GL_OK;
    return gl_error_add(err, GL_ERR_INPUT,
                        "%s: field %s: %s (the checkpoint does not fit this run)", path, bad, why);
}

int gl_checkpoint_decode(const char *path, const unsigned char *buf, size_t n,
                         const gl_ckpt_expect *x, gl_train_state *st, const unsigned char **payload,
                         gl_error *err)
{
    if (n < 8 + 8 + 4 || memcmp(buf, CKPT_MAGIC, 8) != 0)
        return gl_error_add(err, GL_ERR_INPUT, "%s: not a ganlab checkpoint", path);
    uint32_t stored, head[2];
    memcpy(&stored, buf + n - 4, 4);
    if ((uint32_t)crc_update(crc32(0L, Z_NULL, 0), buf, n - 4) != stored)
        return gl_error_add(err, GL_ERR_INPUT, "%s: checksum mismatch: the checkpoint is damaged",
                            path);
    memcpy(head, buf + 8, sizeof head);
    if (head[0] != CKPT_VERSION)
        return gl_error_add(err, GL_ERR_INPUT,
                            "%s: checkpoint format version %u, this ganlab reads %u", path, head[0],
                            CKPT_VERSION);
    if (head[1] != N_SECTIONS)
        return gl_error_add(err, GL_ERR_INPUT, "%s: %u sections, expected %d", path, head[1],
                            N_SECTIONS);
    size_t at = 16, end = n - 4;
    for (int i = 0; i < N_SECTIONS; i++) {
        uint64_t len;
        size_t want = i == SEC_STAT ? sizeof(ckpt_stat) : x->bytes[i];
        if (end - at < 12 || memcmp(buf + at, sec_tags[i], 4) != 0)
            return gl_error_add(err, GL_ERR_INPUT, "%s: section %s missing", path, sec_tags[i]);
        memcpy(&len, buf + at + 4, 8);
        at += 12;
        if (len > end - at)
            return gl_error_add(err, GL_ERR_INPUT, "%s: section %s is truncated", path,
                                sec_tags[i]);
        if (len != want)
            return gl_error_add(
                err, GL_ERR_INPUT,
                "%s: section %s holds %llu bytes but this run's model needs %zu: the "
                "checkpoint is from another model or optimizer",
                path, sec_tags[i], (unsigned long long)len, want);
        payload[i] = buf + at;
        at += len;
    }
    if (at != end)
        return gl_error_add(err, GL_ERR_INPUT, "%s: %zu bytes after the last section", path,
                            end - at);
    ckpt_stat stat;
    memcpy(&stat, payload[SEC_STAT], sizeof stat);
    if (check_stat(path, &stat, x, err) != GL_OK)
        return GL_ERR_INPUT;
    stat_to(st, &stat);
    return GL_OK;
}

/* Reads and checks path against s; applies it to s only when apply is set and every check passed.
 */
static int read_checked(gl_session *s, const char *path, int apply, gl_error *err)
{
    size_t n = 0;
    unsigned char *buf = slurp(path, &n, err);
    if (!buf)
        return GL_ERR_INPUT;
    ckpt_stat stat;
    void *ptr[N_SECTIONS];
    gl_ckpt_expect x = {.n_items = s->data.n_items, .seed = s->seed};
    sections(s, ptr, x.bytes, &stat);
    const unsigned char *payload[N_SECTIONS];
    gl_train_state st = s->st;
    int rc = gl_checkpoint_decode(path, buf, n, &x, &st, payload, err);
    if (rc == GL_OK && apply) {
        for (int i = 0; i < N_SECTIONS; i++)
            if (i != SEC_STAT && x.bytes[i])
                memcpy(ptr[i], payload[i], x.bytes[i]);
        s->st = st;
        gl_session_resume_order(s);
    }
    free(buf);
    return rc;
}

int gl_checkpoint_load(gl_session *s, const char *path, gl_error *err)
{
    return read_checked(s, path, 1, err);
}

int gl_checkpoint_verify(gl_session *s, const char *path, gl_error *err)
{
    return read_checked(s, path, 0, err);
}
