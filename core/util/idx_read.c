/* idx_read.c - gl_idx_load (ganlab/dataset.h): the IDX files of MNIST-format datasets into a
 * gl_byte_images, for the `idx` and `stacked` dataset plugins.
 *
 * An IDX file is a 4-byte magic (0, 0, type, ndim), ndim big-endian uint32 dimensions, then the
 * values row-major. Only type 0x08 (unsigned byte) is read: images are (N, H, W) grey or
 * (N, H, W, C) colour, labels are (N). Files may be raw or gzip-compressed (zlib's gzread reads
 * both transparently).
 *
 * The whole file is validated before it is used: magic, rank, every dimension > 0, the item size
 * and total below a cap, the data exactly as long as the header says (no truncation, no trailing
 * bytes), image and label counts equal, and labels below n_classes. A buffer in memory grows as
 * data arrives, so a header that lies about huge dimensions cannot make us allocate more than about
 * twice what the file really holds.
 *
 * Images are file-backed (docs/architecture.md, decision 68): a raw file is read in place, a gzip
 * file through its decompressed copy in the cache (util/idx_cache.h). Fashion-MNIST's 47 MB then
 * sit once in the page cache instead of in every process (suite jobs, forked workers). Labels are
 * small and stay in memory.
 */
#include <ganlab/dataset.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/byte_images_file.h"
#include "util/fs.h"
#include "util/idx_cache.h"

/* Refuse files whose header claims more than this; real IDX datasets are far smaller, and a corrupt
 * header must not turn into a huge allocation or an overflowing size computation. */
#define MAX_DIM         0x1000000u            /* any one dimension */
#define MAX_ITEM_BYTES  (64u * 1024u * 1024u) /* one image */
#define MAX_TOTAL_BYTES ((uint64_t)8 << 30)   /* a whole file */

#define MAX_HEADER (4 + 4 * 4) /* magic and four dimensions */

/* One IDX file: its header, and its data when read into memory. */
typedef struct idx_file {
    int ndim;
    uint32_t dims[4];
    uint8_t header[MAX_HEADER]; /* as read: the magic, then the dimensions big-endian */
    uint8_t *data;              /* size bytes or NULL; malloc'ed, freed by the caller with free() */
    uint64_t size;
} idx_file;

/* Where the data block goes as it is read (read_data): into memory, or into a cache file
 * (gl_idx_cache_write). GL_OK, or an error status with its message in err. */
typedef int (*data_sink)(void *ctx, const uint8_t *buf, size_t n, gl_error *err);

/* Reads exactly `want` bytes unless the file ends or fails first. Returns bytes read or -1. */
static int64_t read_full(gzFile f, void *buf, uint64_t want)
{
    uint64_t got = 0;
    while (got < want) {
        uint64_t chunk = want - got;
        if (chunk > (1u << 30))
            chunk = 1u << 30;
        int r = gzread(f, (uint8_t *)buf + got, (unsigned)chunk);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (uint64_t)r;
    }
    return (int64_t)got;
}

static int read_error(const char *plugin, gzFile f, const char *path, gl_error *err)
{
    int zerr = 0;
    const char *msg = gzerror(f, &zerr);
    /* zlib says "NAME: FAULT", NAME the path given to gzopen or "<fd:N>" for gzdopen's: the fault
     * alone, since the message names path already. */
    size_t n = strlen(path);
    const char *fd_end = msg[0] == '<' ? strstr(msg, ">: ") : NULL;
    if (fd_end)
        msg = fd_end + 3;
    else if (strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        msg += n + 2;
    return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': %s: read error: %s", plugin, path,
                        zerr == Z_ERRNO ? strerror(errno) : msg);
}

/* Reads the header: magic, rank in [min_ndim, max_ndim], dimensions; fills out->dims and the
 * data size they imply, after checking it against the caps. */
static int read_header(const char *plugin, gzFile f, const char *path, int min_ndim, int max_ndim,
                       idx_file *out, gl_error *err)
{
    uint8_t *magic = out->header;
    int64_t r = read_full(f, magic, 4);
    if (r < 0)
        return read_error(plugin, f, path, err);
    if (r < 4 || magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] < min_ndim ||
        magic[3] > max_ndim)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: not an IDX file of unsigned bytes with %d to %d "
                            "dimensions (magic %02x %02x %02x %02x, expected 00 00 08 0%d)",
                            plugin, path, min_ndim, max_ndim, r > 0 ? magic[0] : 0,
                            r > 1 ? magic[1] : 0, r > 2 ? magic[2] : 0, r > 3 ? magic[3] : 0,
                            min_ndim);
    out->ndim = magic[3];
    const uint8_t *raw = out->header + 4;
    r = read_full(f, out->header + 4, 4u * (uint64_t)out->ndim);
    if (r < 0)
        return read_error(plugin, f, path, err);
    if (r < 4 * out->ndim)
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': %s: truncated in the header", plugin,
                            path);
    /* Every dimension is <= 2^24 and item is checked after each factor, so item never exceeds
     * 2^26 * 2^24 and size = item * dims[0] stays below 2^26 * 2^24: no uint64 overflow. */
    uint64_t item = 1;
    for (int i = 0; i < out->ndim; i++) {
        const uint8_t *b = raw + 4 * i;
        out->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (out->dims[i] == 0 || out->dims[i] > MAX_DIM)
            return gl_error_add(err, GL_ERR_INPUT,
                                "dataset '%s': %s: dimension %d is %u (must be 1..%u): corrupt "
                                "header",
                                plugin, path, i, out->dims[i], MAX_DIM);
        if (i > 0)
            item *= out->dims[i];
        if (item > MAX_ITEM_BYTES)
            return gl_error_add(err, GL_ERR_INPUT,
                                "dataset '%s': %s: items of more than %u bytes: corrupt header",
                                plugin, path, MAX_ITEM_BYTES);
    }
    out->size = item * out->dims[0];
    if (out->size > MAX_TOTAL_BYTES)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: header claims %llu bytes of data, over the limit "
                            "of %llu: corrupt header",
                            plugin, path, (unsigned long long)out->size,
                            (unsigned long long)MAX_TOTAL_BYTES);
    return GL_OK;
}

/* The message for a data block of got bytes where the header promises want. */
static int size_error(const char *plugin, const char *path, uint64_t want, uint64_t got,
                      gl_error *err)
{
    if (got < want)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: truncated: the header promises %llu bytes of data, "
                            "the file holds %llu",
                            plugin, path, (unsigned long long)want, (unsigned long long)got);
    return gl_error_add(err, GL_ERR_INPUT,
                        "dataset '%s': %s: more data than the header's dimensions describe: "
                        "corrupt header or wrong file",
                        plugin, path);
}

/* Reads the data block of out->size bytes into sink, checking nothing follows it. */
static int read_data(const char *plugin, gzFile f, const char *path, const idx_file *out,
                     data_sink sink, void *ctx, gl_error *err)
{
    uint8_t buf[1 << 16];
    uint64_t got = 0;
    while (got < out->size) {
        uint64_t left = out->size - got;
        int64_t r = read_full(f, buf, left < sizeof buf ? left : sizeof buf);
        if (r < 0)
            return read_error(plugin, f, path, err);
        if (r == 0)
            break;
        int rc = sink(ctx, buf, (size_t)r, err);
        if (rc != GL_OK)
            return rc;
        got += (uint64_t)r;
    }
    if (got < out->size)
        return size_error(plugin, path, out->size, got, err);
    uint8_t extra;
    int64_t r = read_full(f, &extra, 1);
    if (r < 0)
        return read_error(plugin, f, path, err);
    if (r > 0)
        return size_error(plugin, path, out->size, out->size + 1, err);
    int zerr = 0;
    gzerror(f, &zerr); /* gzread ends a stream cut short without an error, but says so here */
    if (zerr == Z_BUF_ERROR)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: truncated: the gzip stream ends before its "
                            "checksum (a cut download?)",
                            plugin, path);
    return GL_OK;
}

/* The in-memory sink: out->data grows as data arrives (see the file comment). */
typedef struct memory_sink {
    const char *plugin, *path;
    idx_file *out;
    uint64_t len, cap;
} memory_sink;

static int to_memory(void *ctx, const uint8_t *buf, size_t n, gl_error *err)
{
    memory_sink *m = ctx;
    if (m->len + n > m->cap) {
        uint64_t next = m->cap ? m->cap * 2 : 1u << 20;
        next = next < m->out->size ? next : m->out->size;
        uint8_t *grown = realloc(m->out->data, next);
        if (!grown)
            return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': %s: out of memory for %llu bytes",
                                m->plugin, m->path, (unsigned long long)next);
        m->out->data = grown;
        m->cap = next;
    }
    memcpy(m->out->data + m->len, buf, n);
    m->len += n;
    return GL_OK;
}

/* Reads and validates one whole IDX file. On success out->data is the caller's to free(); on
 * failure it is NULL. */
static int read_idx(const char *plugin, const char *path, int min_ndim, int max_ndim, idx_file *out,
                    gl_error *err)
{
    memset(out, 0, sizeof *out);
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': %s: cannot open: %s", plugin, path,
                            errno ? strerror(errno) : "out of memory");
    int rc = read_header(plugin, f, path, min_ndim, max_ndim, out, err);
    memory_sink m = {plugin, path, out, 0, 0};
    if (rc == GL_OK)
        rc = read_data(plugin, f, path, out, to_memory, &m, err);
    gzclose(f);
    if (rc != GL_OK) {
        free(out->data);
        out->data = NULL;
    }
    return rc;
}

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* Finds the images or labels file of a split in dir under the names Fashion-MNIST
 * (train-images-idx3-ubyte.gz) and MNIST's copies (also train-images.idx3-ubyte) are shipped with,
 * gzipped or not. Writes the path into out (cap bytes) and returns 1 when found; otherwise appends
 * the names tried to `tried`. */
static int find_split_file(const char *dir, const char *split, const char *kind, const char *rank,
                           char *out, size_t cap, char *tried, size_t tried_cap)
{
    static const char *const patterns[] = {"%s/%s-%s-%s-ubyte.gz", "%s/%s-%s-%s-ubyte",
                                           "%s/%s-%s.%s-ubyte.gz", "%s/%s-%s.%s-ubyte"};
    const char *prefix = strcmp(split, "test") == 0 ? "t10k" : "train";
    size_t used = strlen(tried);
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        snprintf(out, cap, patterns[i], dir, prefix, kind, rank);
        if (file_exists(out))
            return 1;
        const char *base = strrchr(out, '/') + 1;
        int n = snprintf(tried + used, tried_cap - used, "%s%s", used ? ", " : "", base);
        if (n > 0 && (size_t)n < tried_cap - used)
            used += (size_t)n;
    }
    return 0;
}

/* Resolves the images and labels paths from the parameters. labels is "" when unlabelled. */
static int resolve_paths(const char *plugin, const gl_params *p, char *images, char *labels,
                         size_t cap, gl_error *err)
{
    const char *img = gl_params_string(p, "images"), *lab = gl_params_string(p, "labels");
    if (img && *img) {
        snprintf(images, cap, "%s", img);
        snprintf(labels, cap, "%s", lab ? lab : "");
        return GL_OK;
    }
    if (lab && *lab)
        return gl_error_add(err, GL_ERR_INPUT,
                            "key 'dataset.labels': given without 'dataset.images'");
    const char *dir = gl_params_string(p, "path");
    const char *split = gl_params_string(p, "split");
    if (!dir || !*dir)
        dir = GL_IDX_DEFAULT_DIR;
    char tried[1024] = "";
    if (find_split_file(dir, split, "images", "idx3", images, cap, tried, sizeof tried) &&
        find_split_file(dir, split, "labels", "idx1", labels, cap, tried, sizeof tried))
        return GL_OK;
    return gl_error_add(err, GL_ERR_INPUT,
                        "dataset '%s': no %s split in %s (looked for %s): for Fashion-MNIST "
                        "install the Debian package " GL_IDX_DEBIAN_PACKAGE
                        " (it fills " GL_IDX_DEFAULT_DIR
                        "), or set dataset.path to a directory of IDX files, or dataset.images",
                        plugin, split, dir, tried);
}

/* Reads the labels, checks the count and range, widens them to int32 and sets d->n_classes.
 * n_images is the count in the images file (before max_items); d->n items are kept. */
static int load_labels(gl_byte_images *d, const char *path, int64_t n_images, int64_t n_classes,
                       const char *images, gl_error *err)
{
    const char *plugin = d->plugin;
    idx_file lf;
    int rc = read_idx(plugin, path, 1, 1, &lf, err);
    if (rc != GL_OK)
        return rc;
    if ((int64_t)lf.dims[0] != n_images) {
        rc = gl_error_add(err, GL_ERR_INPUT,
                          "dataset '%s': %s holds %u labels but %s holds %lld images", plugin, path,
                          lf.dims[0], images, (long long)n_images);
        free(lf.data);
        return rc;
    }
    d->labels = malloc((size_t)d->n * sizeof *d->labels);
    if (!d->labels) {
        free(lf.data);
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': out of memory for labels", plugin);
    }
    int max_label = 0;
    for (int64_t i = 0; i < d->n; i++) {
        d->labels[i] = lf.data[i];
        if (lf.data[i] > max_label)
            max_label = lf.data[i];
    }
    free(lf.data);
    if (n_classes > 0 && max_label >= n_classes)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: label %d is out of range for n_classes %lld", plugin,
                            path, max_label, (long long)n_classes);
    d->n_classes = n_classes > 0 ? (int)n_classes : max_label + 1;
    return GL_OK;
}

/* Logs why a gzip file's images go into memory (a cache that cannot be used never fails a run). */
static int no_cache(const char *plugin, const char *path, const gl_error *why)
{
    gl_plugin_log(GL_LOG_WARNING, plugin, "%s: holding the images in memory: %s", path, why->text);
    return GL_OK;
}

/* The decompressed copy of the gzip file path (st: its stat; gz_trailer: its last 8 bytes; f:
 * after img's header) in the cache c, made now when missing or damaged. Sets *fd to it and *st to
 * its stat, or *fd to -1 (logged) when no cache can be used and path is to be read into memory
 * instead. GL_ERR_INPUT when the source is bad. */
static int cached_copy(const char *plugin, const char *path, struct stat *st,
                       const uint8_t gz_trailer[8], gzFile f, const idx_file *img, gl_idx_cache *c,
                       int *fd, gl_error *err)
{
    size_t hlen = 4 + 4 * (size_t)img->ndim;
    gl_error cerr;
    gl_error_init(&cerr);
    char why[300];
    *fd = -1;
    if (gl_idx_cache_locate(c, path, st, img->header, hlen, gz_trailer, &cerr) != GL_OK)
        return no_cache(plugin, path, &cerr);
    if ((*fd = gl_idx_cache_open(c, img->header, hlen, img->size, st, why, sizeof why)) >= 0)
        return GL_OK;
    if (*why) {
        gl_plugin_log(GL_LOG_INFO, plugin, "%s: %s: writing it again", c->path, why);
        gl_idx_cache_remove(c);
    }
    gl_plugin_log(GL_LOG_INFO, plugin, "decompressing %s into %s (once)", path, c->path);
    if (gl_idx_cache_begin(c, img->header, hlen, &cerr) != GL_OK)
        return no_cache(plugin, path, &cerr);
    int rc = read_data(plugin, f, path, img, gl_idx_cache_write, c, err);
    if (rc != GL_OK) {
        gl_idx_cache_abort(c);
        return rc;
    }
    if (gl_idx_cache_commit(c, &cerr) != GL_OK)
        return no_cache(plugin, path, &cerr);
    if ((*fd = gl_idx_cache_open(c, img->header, hlen, img->size, st, why, sizeof why)) < 0) {
        gl_error_add(&cerr, GL_ERR_RUN, "%s: %s", c->path, *why ? why : "gone once written");
        return no_cache(plugin, path, &cerr);
    }
    return GL_OK;
}

/* What open_file_backed returns when the images are to be read into memory instead. */
#define IN_MEMORY 1

/* Validates the images file path and makes d file-backed: on path itself when raw, on its cached
 * copy when gzip. GL_OK, GL_ERR_INPUT, or IN_MEMORY (a pipe, an unreadable file whose error
 * read_idx reports, or no cache); fills *img (no data). */
static int open_file_backed(gl_byte_images *d, const char *path, idx_file *img, gl_error *err)
{
    struct stat st; /* of the file fd reads: path, or its cache entry */
    gl_idx_cache c = {.path = ""};
    memset(img, 0, sizeof *img);
    int fd = gl_open_regular(path, &st), gz_fd = fd >= 0 ? dup(fd) : -1;
    gzFile f = gz_fd >= 0 ? gzdopen(gz_fd, "rb") : NULL; /* owns gz_fd */
    if (!f) {
        if (gz_fd >= 0)
            close(gz_fd);
        if (fd >= 0)
            close(fd);
        return IN_MEMORY;
    }
    int rc = read_header(d->plugin, f, path, 3, 4, img, err);
    size_t hlen = 4 + 4 * (size_t)img->ndim;
    if (rc == GL_OK && gzdirect(f)) {
        uint64_t have = (uint64_t)st.st_size - hlen; /* the header was read whole */
        if (have != img->size)
            rc = size_error(d->plugin, path, img->size, have, err);
    } else if (rc == GL_OK) {
        /* The gzip trailer (CRC-32 and length of the data) names the content in the cache's key;
         * a file too short to have one fails while it is decompressed. */
        uint8_t gz_trailer[8] = {0};
        if (st.st_size >= 8 && pread(fd, gz_trailer, 8, st.st_size - 8) != 8)
            memset(gz_trailer, 0, sizeof gz_trailer);
        close(fd);
        rc = cached_copy(d->plugin, path, &st, gz_trailer, f, img, &c, &fd, err);
    }
    gzclose(f);
    if (rc == GL_OK && fd >= 0) {
        /* Messages name the file read: the entry and its source, or the raw file. */
        size_t cap = strlen(c.path) + strlen(path) + 32;
        char *name = malloc(cap); /* freed below */
        if (!name) {
            close(fd);
            return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': out of memory", d->plugin);
        }
        if (*c.path)
            snprintf(name, cap, "%s (decompressed from %s)", c.path, path);
        else
            snprintf(name, cap, "%s", path);
        rc = gl_byte_images_attach(d, fd, (int64_t)hlen, &st, name,
                                   (size_t)(img->size / img->dims[0]), err);
        free(name);
        return rc;
    }
    if (fd >= 0)
        close(fd);
    return rc == GL_OK ? IN_MEMORY : rc;
}

int gl_idx_load(const gl_params *p, const char *plugin, gl_byte_images **out, gl_error *err)
{
    char images[4096], labels[4096];
    *out = NULL;
    int rc = resolve_paths(plugin, p, images, labels, sizeof images, err);
    if (rc != GL_OK)
        return rc;
    gl_byte_images *d = gl_byte_images_new(plugin);
    if (!d)
        return gl_error_add(err, GL_ERR_INPUT, "dataset '%s': out of memory", plugin);
    *out = d;

    idx_file img;
    int in_memory;
    if (gl_data_in_memory(plugin, &in_memory, err) != GL_OK)
        return GL_ERR_INPUT;
    rc = in_memory ? IN_MEMORY : open_file_backed(d, images, &img, err);
    if (rc == IN_MEMORY) {
        rc = read_idx(plugin, images, 3, 4, &img, err);
        d->pixels = img.data;
    }
    if (rc != GL_OK)
        return rc;
    d->channels_last = 1;
    d->n = img.dims[0];
    d->h = (int)img.dims[1];
    d->w = (int)img.dims[2];
    d->c = img.ndim == 4 ? (int)img.dims[3] : 1;
    if (d->c > 4)
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset '%s': %s: %d channels (1 to 4 are supported)", plugin, images,
                            d->c);
    int64_t max_items = gl_params_int(p, "max_items");
    if (max_items > 0 && max_items < d->n)
        d->n = max_items;
    if (*labels)
        rc = load_labels(d, labels, img.dims[0], gl_params_int(p, "n_classes"), images, err);
    return rc;
}
