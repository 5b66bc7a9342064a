/* image_folder.c - dataset plugin `image_folder`: a directory of PNG images, optionally one
 * sub-directory per class (torchvision's ImageFolder layout).
 *
 * Layout: when `path` has sub-directories, each is a class, labelled 0, 1, ... in byte-wise sorted
 * order of their names, and holds that class's *.png files (loose PNGs next to class directories
 * are an error, so nothing is silently skipped). Without sub-directories the PNGs in `path` form an
 * unlabelled dataset. Files are taken in sorted name order; names starting with '.' and files not
 * ending in .png (any case) are ignored.
 *
 * Pixels: 8-bit grey or RGB PNGs (libpng's simplified API; 1/2/4-bit grey is expanded to 8 bits);
 * palette, alpha and 16-bit files are refused with the file's name. Converted to `channels`: grey
 * to RGB repeats the value, RGB to grey is ITU-R 601 luma, L = (299 R + 587 G + 114 B) / 1000
 * rounded (what PIL's convert("L") does). With `size` 0 every image must have the first one's
 * size; otherwise each is resized to size x size, either `nearest` (source pixel floor(d * in /
 * out), as PyTorch's nearest) or `bilinear` (half-pixel centres, src = (d + 0.5) * in / out - 0.5
 * clamped to the image, as PyTorch's align_corners=False; no antialiasing, so shrink by large
 * factors with nearest or beforehand), rounded to bytes.
 *
 * Everything is decoded in open() into bytes (N, C, H, W), once: gl_byte_images_cached keeps
 * them in the user's cache directory under a key made of the decoding's parameters and every
 * file's path, label, size and modification time, and later runs read them from there. get()
 * scales them to [-1, 1] with v = (x / 255 - 0.5) / 0.5 in float, like the idx plugin and
 * torchvision's ToTensor + Normalize(0.5, 0.5), through libganlab's gl_byte_images
 * (ganlab/dataset.h).
 *
 * What it does not do: other image formats, recursion below one level, cropping, augmentation.
 */
#include <ganlab/dataset.h>
#include <ganlab/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_SIDE GL_DATASET_MAX_SIDE /* refuse absurd image sizes before allocating for them */

static const gl_param_spec image_folder_params[] = {
    {"path", GL_PARAM_PATH, NULL, 1, GL_NO_RANGE, NULL,
     "directory of *.png files, or of one sub-directory of *.png files per class"},
    {"channels", GL_PARAM_INT, "3", 0, 1, 3, NULL,
     "1 (grey) or 3 (RGB); images are converted to it"},
    {"size", GL_PARAM_INT, "0", 0, 0, MAX_SIDE, NULL,
     "resize every image to size x size; 0: keep, all images must then have one size"},
    {"resize", GL_PARAM_CHOICE, "bilinear", 0, GL_NO_RANGE, "nearest|bilinear",
     "interpolation when `size` is set: nearest or bilinear (half-pixel centres, no antialias)"},
    {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

typedef struct entry {
    char *path; /* malloc'ed, freed by free_entries */
    int label;
} entry;

typedef struct entry_list {
    entry *items; /* malloc'ed, freed by free_entries */
    size_t n, cap;
} entry_list;

/* One decoded image in its own format and size. */
typedef struct image {
    uint8_t *px; /* (H, W, C) interleaved, malloc'ed; the caller frees it with free() */
    int w, h, c;
} image;

static void free_entries(entry_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    free(l->items);
}

static int push_entry(entry_list *l, const char *dir, const char *name, int label, gl_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        entry *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
        l->items = grown;
        l->cap = cap;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
    snprintf(path, len, "%s/%s", dir, name);
    l->items[l->n].path = path;
    l->items[l->n].label = label;
    l->n++;
    return GL_OK;
}

static int has_png_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 4 && strcasecmp(name + len - 4, ".png") == 0;
}

/* The file type of dir/name as stat sees it (through links); 0 when stat fails. */
static mode_t type_of(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

static int is_dir(const char *dir, const char *name) { return type_of(dir, name) == S_IFDIR; }

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *d) { return d->d_name[0] != '.'; }

/* Lists dir's visible entries sorted by name. *names is the caller's to free with free_names. */
static int list_dir(const char *dir, struct dirent ***names, int *n, gl_error *err)
{
    *n = scandir(dir, names, visible, name_cmp);
    if (*n < 0)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': %s: cannot list: %s", dir,
                            strerror(errno));
    return GL_OK;
}

static void free_names(struct dirent **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Appends dir's PNG files, in name order, with the given label (-1: unlabelled). */
static int add_pngs(entry_list *l, const char *dir, int label, gl_error *err)
{
    struct dirent **names;
    int n;
    int rc = list_dir(dir, &names, &n, err);
    for (int i = 0; rc == GL_OK && i < n; i++) {
        const char *name = names[i]->d_name;
        if (!has_png_suffix(name))
            continue;
        mode_t type = type_of(dir, name);
        if (type == S_IFDIR) /* a folder named like a PNG */
            continue;
        /* A FIFO would block libpng's read for good. One that stat cannot see (0) is kept, and
         * decoding it says why it fails. */
        if (type != S_IFREG && type != 0)
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "dataset 'image_folder': %s/%s: not a regular file", dir, name);
        else
            rc = push_entry(l, dir, name, label, err);
    }
    if (n >= 0)
        free_names(names, n);
    return rc;
}

/* A class folder that is the data set's folder itself or one above it (a link to . or ..) would
 * make the same images a class of their own, or read a whole tree. */
static int check_class_dir(const char *root, const char *sub, gl_error *err)
{
    char *r = realpath(root, NULL), *p = realpath(sub, NULL);
    size_t pn = p ? strlen(p) : 0;
    int loop = r && p && strncmp(r, p, pn) == 0 && (r[pn] == '\0' || r[pn] == '/' || pn == 1);
    int rc = GL_OK;
    if (loop)
        rc = gl_error_add(err, GL_ERR_INPUT,
                          "dataset 'image_folder': %s: a class folder that is %s (a link to '.' "
                          "or '..'?); class folders must lie inside %s",
                          sub, strcmp(r, p) == 0 ? "the data set folder itself" : "above it", root);
    free(r);
    free(p);
    return rc;
}

/* Builds the file list, the class count (0: unlabelled) and the class names (*class_names, the
 * directory names; NULL when unlabelled) from the layout described above. */
static int collect(const char *root, entry_list *l, int *n_classes, char ***class_names,
                   gl_error *err)
{
    struct dirent **names;
    int n;
    int rc = list_dir(root, &names, &n, err);
    if (rc != GL_OK)
        return rc;
    int classes = 0;
    const char *loose = NULL;
    for (int i = 0; i < n; i++) {
        if (is_dir(root, names[i]->d_name))
            classes++;
        else if (!loose && has_png_suffix(names[i]->d_name))
            loose = names[i]->d_name;
    }
    if (classes > 0 && loose)
        rc = gl_error_add(err, GL_ERR_INPUT,
                          "dataset 'image_folder': %s/%s: a PNG next to class directories; move "
                          "it into one of them or remove it",
                          root, loose);
    char sub[4096];
    /* Freed by gl_byte_images_free (the caller stores it in the instance at once). */
    *class_names = rc == GL_OK && classes > 0 ? calloc((size_t)classes, sizeof **class_names)
                                              : NULL;
    if (rc == GL_OK && classes > 0 && !*class_names)
        rc = gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
    for (int i = 0, label = 0; rc == GL_OK && classes > 0 && i < n; i++) {
        if (!is_dir(root, names[i]->d_name))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", root, names[i]->d_name);
        rc = check_class_dir(root, sub, err);
        if (rc == GL_OK && !((*class_names)[label] = strdup(names[i]->d_name)))
            rc = gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
        size_t had = l->n;
        if (rc == GL_OK)
            rc = add_pngs(l, sub, label++, err);
        if (rc == GL_OK && l->n == had)
            gl_plugin_log(GL_LOG_WARNING, "image_folder",
                          "%s: empty class folder (no *.png): class %d has no images, so a "
                          "conditional model never sees it",
                          sub, label - 1);
    }
    free_names(names, n);
    if (rc == GL_OK && classes == 0)
        rc = add_pngs(l, root, -1, err);
    if (rc == GL_OK && l->n == 0)
        rc = gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': %s: no *.png files found",
                          root);
    *n_classes = classes;
    return rc;
}

/* Decodes one PNG into img (the caller frees img->px with free()). */
static int read_png(const char *path, image *img, gl_error *err)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    img->px = NULL;
    if (!png_image_begin_read_from_file(&pi, path))
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': %s: unreadable PNG: %s",
                            path, pi.message);
    const char *odd = (pi.format & PNG_FORMAT_FLAG_COLORMAP) ? "a palette"
                      : (pi.format & PNG_FORMAT_FLAG_ALPHA)  ? "an alpha channel"
                      : (pi.format & PNG_FORMAT_FLAG_LINEAR) ? "16-bit samples"
                                                             : NULL;
    if (!odd && (pi.width > MAX_SIDE || pi.height > MAX_SIDE))
        odd = "a side over 16384 pixels";
    if (odd) {
        png_image_free(&pi);
        return gl_error_add(err, GL_ERR_INPUT,
                            "dataset 'image_folder': %s: has %s; only 8-bit grey or RGB PNGs are "
                            "read (convert it, e.g. with ImageMagick: -type TrueColor -depth 8)",
                            path, odd);
    }
    img->c = (pi.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    pi.format = img->c == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    img->w = (int)pi.width;
    img->h = (int)pi.height;
    img->px = malloc(PNG_IMAGE_SIZE(pi));
    if (!img->px) {
        png_image_free(&pi);
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': %s: out of memory", path);
    }
    if (!png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
        free(img->px);
        img->px = NULL;
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': %s: corrupt PNG: %s", path,
                            pi.message);
    }
    return GL_OK;
}

/* Sample (y, x) of channel c of img converted to `channels` channels (see the file comment). */
static int sample(const image *img, int y, int x, int c, int channels)
{
    const uint8_t *p = img->px + ((size_t)y * img->w + x) * img->c;
    if (img->c == channels)
        return p[c];
    if (img->c == 1)
        return p[0];
    return (299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000;
}

/* Writes img, converted to `channels` and resized to h x w, into dst (channels, h, w). */
static void convert(const image *img, int channels, int h, int w, int bilinear, uint8_t *dst)
{
    double sy = (double)img->h / h, sx = (double)img->w / w;
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t *out = dst + ((size_t)c * h + y) * w + x;
                if (!bilinear) {
                    int iy = (int)floor(y * sy), ix = (int)floor(x * sx);
                    *out = (uint8_t)sample(img, iy < img->h ? iy : img->h - 1,
                                           ix < img->w ? ix : img->w - 1, c, channels);
                    continue;
                }
                double fy = fmin(fmax((y + 0.5) * sy - 0.5, 0.0), img->h - 1);
                double fx = fmin(fmax((x + 0.5) * sx - 0.5, 0.0), img->w - 1);
                int y0 = (int)fy, x0 = (int)fx;
                int y1 = y0 + 1 < img->h ? y0 + 1 : y0, x1 = x0 + 1 < img->w ? x0 + 1 : x0;
                double ay = fy - y0, ax = fx - x0;
                double v = (1 - ay) * ((1 - ax) * sample(img, y0, x0, c, channels) +
                                       ax * sample(img, y0, x1, c, channels)) +
                           ay * ((1 - ax) * sample(img, y1, x0, c, channels) +
                                 ax * sample(img, y1, x1, c, channels));
                *out = (uint8_t)lround(v);
            }
}

static void image_folder_close(void *self) { gl_byte_images_free(self); }

/* Decodes every listed file into d->pixels; the first image fixes the size when size is 0. */
static int decode_all(gl_byte_images *d, const entry_list *l, int size, int bilinear, gl_error *err)
{
    int rc = GL_OK;
    for (size_t i = 0; rc == GL_OK && i < l->n; i++) {
        image img = {0};
        rc = read_png(l->items[i].path, &img, err);
        if (rc != GL_OK)
            break;
        if (i == 0) {
            d->h = size > 0 ? size : img.h;
            d->w = size > 0 ? size : img.w;
            d->pixels = malloc(l->n * (size_t)d->c * d->h * d->w);
            if (!d->pixels)
                rc = gl_error_add(err, GL_ERR_INPUT,
                                  "dataset 'image_folder': out of memory for %zu images", l->n);
        }
        if (rc == GL_OK && size == 0 && (img.h != d->h || img.w != d->w))
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "dataset 'image_folder': %s: %dx%d but %s is %dx%d; set "
                              "dataset.size to resize them all",
                              l->items[i].path, img.w, img.h, l->items[0].path, d->w, d->h);
        if (rc == GL_OK)
            convert(&img, d->c, d->h, d->w, bilinear, d->pixels + i * (size_t)d->c * d->h * d->w);
        free(img.px);
    }
    return rc;
}

/* What gl_byte_images_cached calls on a cache miss. */
typedef struct decode_job {
    const entry_list *l;
    int size, bilinear;
} decode_job;

static int decode_job_run(void *ud, gl_byte_images *d, gl_error *err)
{
    const decode_job *j = ud;
    d->n = (int64_t)j->l->n;
    return decode_all(d, j->l, j->size, j->bilinear, err);
}

/* The cache key of the decoded bytes: the decoding's parameters, then every file's path, label,
 * size and modification time (a file replaced, added or removed makes another key). A new text of
 * *len bytes, or NULL when out of memory; the caller frees it. */
static char *cache_key(const entry_list *l, int channels, const decode_job *j, size_t *len)
{
    char *key = NULL;
    FILE *f = open_memstream(&key, len);
    if (!f)
        return NULL;
    /* The decoder's version: raise it when conversion or resizing changes what a file decodes
     * to, so that entries of the old code are not read as the new code's. */
    fprintf(f, "image_folder decoder 1\nchannels %d size %d bilinear %d\n", channels, j->size,
            j->bilinear);
    for (size_t i = 0; i < l->n; i++) {
        struct stat st;
        if (stat(l->items[i].path, &st) != 0) /* then decoding fails and says why */
            memset(&st, 0, sizeof st);
        /* The path's length first: a name may hold any byte but '/' and NUL, '\n' included. */
        fprintf(f, "%zu %s %d %lld %lld.%09ld\n", strlen(l->items[i].path), l->items[i].path,
                l->items[i].label, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                st.st_mtim.tv_nsec);
    }
    if (fclose(f) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

static int image_folder_open(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
                             gl_error *err)
{
    *self = NULL;
    int channels = (int)gl_params_int(p, "channels");
    if (channels == 2)
        return gl_error_add(err, GL_ERR_INPUT, "key 'dataset.channels': must be 1 or 3, not 2");
    /* freed by image_folder_close, which the core always calls */
    gl_byte_images *d = gl_byte_images_new("image_folder");
    if (!d)
        return gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
    *self = d;
    d->c = channels;

    entry_list l = {0};
    int rc = collect(gl_params_string(p, "path"), &l, &d->n_classes, &d->class_names, err);
    decode_job job = {&l, (int)gl_params_int(p, "size"),
                      strcmp(gl_params_string(p, "resize"), "bilinear") == 0};
    size_t key_len = 0;
    char *key = rc == GL_OK ? cache_key(&l, channels, &job, &key_len) : NULL; /* freed below */
    if (rc == GL_OK && !key)
        rc = gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
    /* The shape an entry must have (h and w only when resized): a file put at the entry's name
     * must not give more items than there are labels. */
    d->n = (int64_t)l.n;
    d->h = d->w = job.size;
    if (rc == GL_OK)
        rc = gl_byte_images_cached(d, key, key_len, decode_job_run, &job, err);
    free(key);
    if (rc == GL_OK && d->n_classes > 0) {
        d->labels = malloc(l.n * sizeof *d->labels);
        if (!d->labels)
            rc = gl_error_add(err, GL_ERR_INPUT, "dataset 'image_folder': out of memory");
        for (size_t i = 0; rc == GL_OK && i < l.n; i++)
            d->labels[i] = l.items[i].label;
    }
    free_entries(&l);
    if (rc != GL_OK)
        return rc;
    gl_byte_images_info(d, info);
    return GL_OK;
}

static int image_folder_get(void *self, const int64_t *indices, int n, float *x, int32_t *labels,
                            gl_error *err)
{
    return gl_byte_images_get(self, indices, n, x, labels, err);
}

static const gl_dataset_plugin image_folder_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof(gl_dataset_plugin), "image_folder",
            "a folder of PNG images, one sub-folder per class", image_folder_params},
    .open = image_folder_open,
    .get = image_folder_get,
    .close = image_folder_close,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &image_folder_plugin.hdr; }
