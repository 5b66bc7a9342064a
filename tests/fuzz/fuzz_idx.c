/* fuzz_idx.c - libFuzzer harness: the IDX reader (core/util/idx_read.c, behind gl_idx_load, which
 * the idx and stacked datasets read with), plain and gzip. Its source is included so that the
 * static readers of one file are reached directly.
 * The first input byte chooses: bit 0 gzip-compresses the rest first (so the fuzzer explores IDX
 * contents behind the gzip layer, not only gzip headers); bit 1 reads it as a label file (rank 1)
 * rather than images (rank 3 or 4). Images are read both ways gl_idx_load can: into memory, and
 * file-backed (a raw file in place, a gzip one through an entry of the decompressed-file cache,
 * util/idx_cache.c, in a directory of its own that is emptied after each input), where the first
 * and last items are then read back. */
#include <ganlab/plugin.h>
/* The reader's notes ("decompressing X into Y") would be most of a fuzzing log. */
#define gl_plugin_log(...) ((void)0)
#include "../../core/util/idx_read.c"

#include <dirent.h>

#include "fuzz_files.h"

static char cache_home[64]; /* XDG_CACHE_HOME of the file-backed reads */

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
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
