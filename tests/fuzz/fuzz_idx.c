/* fuzz_idx.c - libFuzzer harness: the IDX reader (core/util/idx_read.c, behind gl_idx_load, which
 * the idx and stacked datasets read with), plain and gzip. Its source is included so that the
 * static readers of one file are reached directly.
 * The first input byte chooses: bit 0 gzip-compresses the rest first (so the fuzzer explores IDX
 * contents behind the gzip layer, not only gzip headers); bit 1 reads it as a label file (rank 1)
 * rather than images (rank 3 or 4). Images are read both ways gl_idx_load can: into memory, and
 * file-backed (a raw file in place, a gzip one through an entry of the decompressed-file cache,
 * util/idx_cache.c, in a directory of its own that is emptied after each input), where the first
 * and last items are then read back.
 * Bit 2 instead makes the rest an entry of the decoded-image cache (gl_byte_images_cached, which
 * image_folder keeps its decoded PNGs in), put where the entry of a fixed key lives: bit 3 appends
 * the trailer a whole entry ends with (its checksum), so the fuzzer reaches the checks behind it;
 * bit 4 asks for the shape the harness's decoder makes (else any shape). Either the entry is used
 * (holding the asked shape) or the decoder runs and its images are used: anything else aborts. */
#include <ganlab/plugin.h>
/* The reader's notes ("decompressing X into Y") would be most of a fuzzing log. */
#define gl_plugin_log(...) ((void)0)
#include "../../core/util/idx_read.c"

#include <dirent.h>
#include <sys/stat.h>

#include "fuzz_files.h"
#include "util/idx_cache.h"

static char cache_home[64]; /* XDG_CACHE_HOME of the file-backed reads */

/* Under libFuzzer (fuzz.sh links with --wrap=fsync,--wrap=gl_plugin_log): writing a cache entry
 * skips fsync, whose durability is not what is fuzzed and which held the harness to a few hundred
 * inputs a second, and the cache's notes ("writing it again") stay out of the fuzzing log. */
int __wrap_fsync(int fd);
int __wrap_fsync(int fd)
{
    (void)fd;
    return 0;
}
void __wrap_gl_plugin_log(gl_log_level level, const char *plugin, const char *fmt, ...);
void __wrap_gl_plugin_log(gl_log_level level, const char *plugin, const char *fmt, ...)
{
    (void)level;
    (void)plugin;
    (void)fmt;
}

/* Removes the files of dir; returns how many there were. */
static int empty_dir(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void remove_cache_home(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/ganlab/idx", cache_home);
    empty_dir(path);
    rmdir(path);
    snprintf(path, sizeof path, "%s/ganlab", cache_home);
    rmdir(path);
    rmdir(cache_home);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(cache_home, sizeof cache_home, "/tmp/gl_fuzz_idx_XXXXXX");
    if (!mkdtemp(cache_home) || setenv("XDG_CACHE_HOME", cache_home, 1) != 0)
        abort();
    unsetenv("GANLAB_DATA_IN_MEMORY");
    atexit(remove_cache_home);
    return 0;
}

/* The images file at path opened as gl_idx_load opens it without GANLAB_DATA_IN_MEMORY, and its
 * first and last items read when it is file-backed. */
static void file_backed(const char *path)
{
    gl_byte_images *d = gl_byte_images_new("idx");
    idx_file img;
    gl_error err;
    gl_error_init(&err);
    if (d && open_file_backed(d, path, &img, &err) == GL_OK && img.dims[0] > 0) {
        d->channels_last = 1;
        d->n = img.dims[0];
        d->h = (int)img.dims[1];
        d->w = (int)img.dims[2];
        d->c = img.ndim == 4 ? (int)img.dims[3] : 1;
        size_t item = (size_t)d->c * (size_t)d->h * (size_t)d->w;
        int64_t idx[2] = {0, d->n - 1};
        float *x = d->c <= 4 && item <= ((size_t)1 << 20) ? malloc(2 * item * sizeof *x) : NULL;
        if (x)
            gl_byte_images_get(d, idx, 2, x, NULL, &err);
        free(x);
    }
    gl_byte_images_free(d);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/ganlab/idx", cache_home);
    empty_dir(dir);
}

/* The images the decoded-image entries stand for: 3 items of 1 x 4 x 5, channels first. */
enum { DEC_N = 3, DEC_C = 1, DEC_H = 4, DEC_W = 5 };
static const char dec_key[] = "fuzz key";

static int decode_fixed(void *ud, gl_byte_images *d, gl_error *err)
{
    (void)ud;
    size_t n = (size_t)DEC_N * DEC_C * DEC_H * DEC_W;
    d->pixels = malloc(n); /* taken over by d (written into the entry, then freed) */
    if (!d->pixels)
        return gl_error_add(err, GL_ERR_RUN, "out of memory");
    for (size_t i = 0; i < n; i++)
        d->pixels[i] = (uint8_t)(7 * i);
    d->n = DEC_N;
    d->c = DEC_C;
    d->h = DEC_H;
    d->w = DEC_W;
    d->channels_last = 0;
    return GL_OK;
}

/* body as the entry of dec_key (with a whole entry's trailer when trailer), then opened through
 * gl_byte_images_cached, which must end with images of the asked shape, the entry's or the
 * decoder's, and their first and last items read back. */
static void decoded_entry(const uint8_t *body, size_t n, int trailer, int fixed_shape)
{
    /* The id gl_byte_images_cached names an entry by: "decoded", the plugin, then its key. */
    char id[64];
    snprintf(id, sizeof id, "decoded\nfuzz\n%s", dec_key);
    gl_idx_cache c = {.path = ""};
    gl_error err;
    gl_error_init(&err);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/ganlab", cache_home);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/ganlab/idx", cache_home);
    mkdir(dir, 0700);
    if (gl_idx_cache_locate_id(&c, id, strlen(id), &err) != GL_OK)
        abort();
    FILE *f = fopen(c.path, "wb");
    if (!f)
        abort();
    fwrite(body, 1, n, f);
    if (trailer) {
        uLong crc = crc32(0L, Z_NULL, 0);
        for (size_t at = 0; at < n; at += 1u << 20)
            crc = crc32(crc, body + at, (uInt)(n - at < (1u << 20) ? n - at : 1u << 20));
        uint8_t t[8] = "GLIC";
        for (int i = 0; i < 4; i++)
            t[4 + i] = (uint8_t)(crc >> (24 - 8 * i));
        fwrite(t, 1, sizeof t, f);
    }
    fclose(f);
    gl_byte_images *d = gl_byte_images_new("fuzz");
    if (!d)
        abort();
    if (fixed_shape) {
        d->n = DEC_N;
        d->c = DEC_C;
        d->h = DEC_H;
        d->w = DEC_W;
    }
    if (gl_byte_images_cached(d, dec_key, sizeof dec_key - 1, decode_fixed, NULL, &err) != GL_OK)
        abort(); /* neither the decoder nor a damaged entry is a failure */
    if (d->n < 1 || d->c < 1 || d->c > 4 || d->h < 1 || d->w < 1 ||
        (fixed_shape && (d->n != DEC_N || d->c != DEC_C || d->h != DEC_H || d->w != DEC_W)))
        abort();
    size_t item = (size_t)d->c * (size_t)d->h * (size_t)d->w;
    int64_t idx[2] = {0, d->n - 1};
    float *x = item <= ((size_t)1 << 20) ? malloc(2 * item * sizeof *x) : NULL;
    if (x && gl_byte_images_get(d, idx, 2, x, NULL, &err) != GL_OK)
        abort(); /* the images it ended with must be readable */
    free(x);
    gl_byte_images_free(d);
    /* One entry, at the path written above: a second would mean the id above no longer names
     * the entry gl_byte_images_cached reads, and the fuzzing would never reach it. */
    if (empty_dir(dir) != 1)
        abort();
}

/* The rest of the input as a gzip stream, in a new buffer the caller frees. */
static uint8_t *gzip(const uint8_t *data, size_t size, size_t *out_size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)size) + 32;
    uint8_t *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)size;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        deflate(&z, Z_FINISH);
        *out_size = cap - z.avail_out;
    }
    deflateEnd(&z);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0];
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    if (mode & 4) {
        decoded_entry(body, n, mode & 8, mode & 16);
        return 0;
    }
    uint8_t *packed = NULL;
    if (mode & 1) {
        packed = gzip(body, n, &n);
        if (!packed)
            return 0;
        body = packed;
    }
    const char *path = fuzz_memfd(body, n);
    idx_file f;
    gl_error err;
    gl_error_init(&err);
    if (read_idx("idx", path, mode & 2 ? 1 : 3, mode & 2 ? 1 : 4, &f, &err) == GL_OK)
        free(f.data);
    if (!(mode & 2))
        file_backed(path);
    free(packed);
    return 0;
}
