/* idx.c - dataset plugin `idx`: images and labels in the IDX format of MNIST / Fashion-MNIST,
 * read and validated by libganlab's gl_idx_load (ganlab/dataset.h, core/util/idx_read.c).
 *
 * Values stay bytes in memory (a quarter of the floats) and are scaled per batch as
 * torchvision's ToTensor + Normalize((0.5,), (0.5,)) does, in float: v = (x / 255 - 0.5) / 0.5,
 * so v lies in [-1, 1]. Colour images are transposed from the file's (H, W, C) to the (C, H, W)
 * layout that gl_dataset_info promises. Scaling and transposing are libganlab's gl_byte_images
 * (ganlab/dataset.h).
 *
 * What it does not do: shuffling and drop_last (the core's), augmentation, other IDX value types.
 */
#include <ganlab/dataset.h>
#include <ganlab/plugin.h>

static const gl_param_spec idx_params[] = {GL_IDX_PARAMS,
                                           {NULL, 0, NULL, 0, GL_NO_RANGE, NULL, NULL}};

static void idx_close(void *self) { gl_byte_images_free(self); }

static int idx_open(const gl_params *p, uint64_t seed, void **self, gl_dataset_info *info,
                    gl_error *err)
{
    gl_byte_images *d = NULL; /* freed by idx_close (always called) */
    int rc = gl_idx_load(p, "idx", &d, err);
    *self = d;
    if (rc == GL_OK)
        gl_byte_images_info(d, info);
    return rc;
}

static int idx_get(void *self, const int64_t *indices, int n, float *x, int32_t *labels,
                   gl_error *err)
{
    return gl_byte_images_get(self, indices, n, x, labels, err);
}

static const gl_dataset_plugin idx_plugin = {
    .hdr = {GL_ABI_VERSION, GL_KIND_DATASET, sizeof(gl_dataset_plugin), "idx",
            "MNIST-format IDX images and labels (raw or .gz), e.g. Fashion-MNIST", idx_params},
    .open = idx_open,
    .get = idx_get,
    .close = idx_close,
};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &idx_plugin.hdr; }
