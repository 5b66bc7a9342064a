/* grid.c - a batch of images (N, C, H, W) as one picture, laid out like torchvision's
 * make_grid + save_image, so our sample grids can be put next to the tutorial's:
 *     byte = floor((clamp(v, lo, hi) - lo) / (hi - lo) * 255 + 0.5)
 * images left to right, top to bottom, min(cols, n) per row, pad black pixels between them and
 * around the border. Not done: scale_each, a pad colour other than black, grey -> RGB expansion
 * (torchvision makes a grey grid RGB; ours stays one channel, which PNG stores as grey). */
#include "image/image.h"

#include <math.h>
#include <stdlib.h>

void gl_image_range(const float *x, long count, float *lo, float *hi)
{
    int seen = 0;
    *lo = *hi = 0.0f;
    for (long i = 0; i < count; i++) {
        if (!isfinite(x[i]))
            continue;
        if (!seen || x[i] < *lo)
            *lo = x[i];
        if (!seen || x[i] > *hi)
            *hi = x[i];
        seen = 1;
    }
}

static uint8_t to_byte(float v, float lo, float hi)
{
    if (!(v > lo)) /* also NaN */
        return 0;
    if (v >= hi)
        return 255;
    /* torchvision's order of operations, so the bytes match save_image's. */
    return (uint8_t)floorf((v - lo) / (hi - lo) * 255.0f + 0.5f);
}

void gl_image_grid_capacity(int h, int w, int pad, int *across, int *down)
{
    long a = (GL_IMAGE_GRID_MAX_SIDE - pad) / ((long)w + pad);
    long d = (GL_IMAGE_GRID_MAX_SIDE - pad) / ((long)h + pad);
    *across = a < 1 ? 1 : a > INT32_MAX ? INT32_MAX : (int)a;
    *down = d < 1 ? 1 : d > INT32_MAX ? INT32_MAX : (int)d;
}

int gl_image_grid(uint8_t **out, int *out_w, int *out_h, const float *images, int n, int c, int h,
                  int w, float lo, float hi, int cols, int pad, gl_error *err)
{
    *out = NULL;
    if (n <= 0 || (c != 1 && c != 3) || h <= 0 || w <= 0 || cols <= 0 || pad < 0)
        return gl_error_add(err, GL_ERR_INPUT,
                            "image grid: bad shape n=%d c=%d h=%d w=%d cols=%d pad=%d (need c 1 or "
                            "3, the rest > 0, pad >= 0)",
                            n, c, h, w, cols, pad);
    if (!(lo < hi))
        return gl_error_add(err, GL_ERR_INPUT, "image grid: value range [%g, %g] is empty",
                            (double)lo, (double)hi);
    int across = cols < n ? cols : n;
    int down = (n + cols - 1) / cols;
    long gw = (long)across * (w + pad) + pad, gh = (long)down * (h + pad) + pad;
    if (gw > GL_IMAGE_GRID_MAX_SIDE || gh > GL_IMAGE_GRID_MAX_SIDE)
        return gl_error_add(err, GL_ERR_INPUT, "image grid: %ld x %ld pixels is too large", gw, gh);
    uint8_t *g = calloc((size_t)gw * (size_t)gh * (size_t)c, 1); /* zero = black padding */
    if (!g)
        return gl_error_add(err, GL_ERR_RUN, "image grid: out of memory");
    for (int k = 0; k < n; k++) {
        const float *img = images + (size_t)k * (size_t)c * (size_t)h * (size_t)w; /* (C, H, W) */
        long x0 = pad + (long)(k % cols) * (w + pad), y0 = pad + (long)(k / cols) * (h + pad);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    float v = img[((size_t)ch * (size_t)h + (size_t)y) * (size_t)w + (size_t)x];
                    g[(((size_t)(y0 + y)) * (size_t)gw + (size_t)(x0 + x)) * (size_t)c + ch] =
                        to_byte(v, lo, hi);
                }
    }
    *out = g;
    *out_w = (int)gw;
    *out_h = (int)gh;
    return GL_OK;
}

int gl_image_grid_png(const char *path, const float *images, int n, int c, int h, int w, float lo,
                      float hi, int cols, int pad, gl_error *err)
{
    uint8_t *g;
    int gw, gh;
    int rc = gl_image_grid(&g, &gw, &gh, images, n, c, h, w, lo, hi, cols, pad, err);
    if (rc != GL_OK)
        return rc;
    rc = gl_png_write(path, g, gw, gh, c, err);
    free(g);
    return rc;
}
