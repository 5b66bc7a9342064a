/* events.c - see util/events.h. Field numbers are those of TensorBoard's protos
 * (tensorboard/compat/proto/{event,summary,tensor,tensor_shape}.proto and
 * tensorboard/plugins/hparams/plugin_data.proto, google/protobuf/struct.proto). */
#include "util/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/tfrecord.h"

/* tensorflow.Event */
enum { EV_WALL_TIME = 1, EV_STEP = 2, EV_FILE_VERSION = 3, EV_SUMMARY = 5, EV_SESSION_LOG = 7 };
enum { SESSION_LOG_STATUS = 1, SESSION_LOG_START = 1 };
/* tensorflow.Summary, Summary.Value, Summary.Image */
enum { SUMMARY_VALUE = 1 };
enum { VALUE_TAG = 1, VALUE_SIMPLE = 2, VALUE_IMAGE = 4, VALUE_TENSOR = 8, VALUE_METADATA = 9 };
enum { IMAGE_HEIGHT = 1, IMAGE_WIDTH = 2, IMAGE_COLORSPACE = 3, IMAGE_ENCODED = 4 };
/* tensorflow.SummaryMetadata and its PluginData */
enum { META_PLUGIN_DATA = 1, PLUGIN_NAME = 1, PLUGIN_CONTENT = 2 };
/* tensorflow.TensorProto (DataType DT_FLOAT = 1, DT_STRING = 7) */
enum { TENSOR_DTYPE = 1, TENSOR_SHAPE = 2, TENSOR_FLOAT_VAL = 5, TENSOR_STRING_VAL = 8 };
enum { DT_FLOAT = 1, DT_STRING = 7 };
/* tensorboard.hparams.HParamsPluginData, SessionStartInfo; google.protobuf.Value */
enum { HP_VERSION = 1, HP_SESSION_START = 3 };
enum { START_HPARAMS = 1, START_TIME = 5 };
enum { MAP_KEY = 1, MAP_VALUE = 2 };
enum { PBV_NUMBER = 2, PBV_STRING = 3, PBV_BOOL = 4 };

static double wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Starts an event: resets the buffer and writes wall_time and step. */
static void event_begin(gl_events *ev, uint64_t step)
{
    gl_pb_reset(&ev->pb);
    gl_pb_double(&ev->pb, EV_WALL_TIME, wall_time());
    gl_pb_varint(&ev->pb, EV_STEP, step);
}

/* Frames and writes the encoded event. */
static void event_write(gl_events *ev)
{
    if (!ev->f || ev->err)
        return;
    if (ev->pb.err)
        ev->err = ev->pb.err;
    else if (gl_tfrecord_write(ev->f, ev->pb.buf, ev->pb.len) != 0)
        ev->err = errno ? errno : EIO;
}

int gl_events_open(gl_events *ev, const char *dir, uint64_t step, int resumed, gl_error *err)
{
    memset(ev, 0, sizeof *ev);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    /* A host name with a '/' would make a path: keep the file in dir. */
    for (char *c = host; *c; c++)
        if (*c == '/')
            *c = '_';
    snprintf(ev->path, sizeof ev->path, "%s/events.out.tfevents.%lld.%s.%ld.%llu", dir,
             (long long)time(NULL), host, (long)getpid(), (unsigned long long)step);
    /* "x": never append to another process's file. */
    ev->f = fopen(ev->path, "wbx");
    if (!ev->f)
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot create the event file: %m", ev->path);
    if (resumed) {
        event_begin(ev, step);
        size_t m = gl_pb_begin(&ev->pb, EV_SESSION_LOG);
        gl_pb_varint(&ev->pb, SESSION_LOG_STATUS, SESSION_LOG_START);
        gl_pb_end(&ev->pb, m);
        event_write(ev);
    }
    event_begin(ev, step);
    gl_pb_string(&ev->pb, EV_FILE_VERSION, "brain.Event:2");
    event_write(ev);
    return gl_events_flush(ev, err);
}

/* Opens Summary.Value {tag: PREFIX/NAME (or NAME)} inside an open Summary; returns its mark. */
static size_t value_begin(gl_events *ev, const char *prefix, const char *name)
{
    char tag[256];
    snprintf(tag, sizeof tag, "%s%s%s", prefix ? prefix : "", prefix ? "/" : "", name);
    size_t m = gl_pb_begin(&ev->pb, SUMMARY_VALUE);
    gl_pb_string(&ev->pb, VALUE_TAG, tag);
    return m;
}

/* SummaryMetadata {plugin_data {plugin_name, content}} of a Value. */
static void plugin_metadata(gl_events *ev, const char *plugin, const void *content, size_t n)
{
    size_t meta = gl_pb_begin(&ev->pb, VALUE_METADATA);
    size_t pd = gl_pb_begin(&ev->pb, META_PLUGIN_DATA);
    gl_pb_string(&ev->pb, PLUGIN_NAME, plugin);
    if (n)
        gl_pb_bytes(&ev->pb, PLUGIN_CONTENT, content, n);
    gl_pb_end(&ev->pb, pd);
    gl_pb_end(&ev->pb, meta);
}

void gl_events_scalars(gl_events *ev, uint64_t step, const char *prefix, int n,
                       const char *const *names, const double *values)
{
    if (!ev->f || n <= 0)
        return;
    event_begin(ev, step);
    size_t sum = gl_pb_begin(&ev->pb, EV_SUMMARY);
    for (int i = 0; i < n; i++) {
        size_t v = value_begin(ev, prefix, names[i]);
        gl_pb_float(&ev->pb, VALUE_SIMPLE, (float)values[i]);
        gl_pb_end(&ev->pb, v);
    }
    gl_pb_end(&ev->pb, sum);
    event_write(ev);
}

/* PNG colour type (IHDR byte 9) to Summary.Image colorspace: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA;
 * 0 for a palette image, which the image plugin decodes from the bytes anyway. */
static int colorspace(unsigned char color_type)
{
    switch (color_type) {
    case 0:
        return 1;
    case 4:
        return 2;
    case 2:
        return 3;
    case 6:
        return 4;
    default:
        return 0;
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the whole file at path into a malloc'd buffer (*out, freed by the caller) of *n bytes. */
static int slurp(const char *path, unsigned char **out, size_t *n, gl_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot open: %m", path);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *b = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
    int rc = b && fread(b, 1, (size_t)size, f) == (size_t)size
                 ? GL_OK
                 : gl_error_add(err, GL_ERR_RUN, "%s: cannot read", path);
    fclose(f);
    if (rc != GL_OK) {
        free(b);
        return rc;
    }
    *out = b;
    *n = (size_t)size;
    return GL_OK;
}

int gl_events_image(gl_events *ev, uint64_t step, const char *tag, const char *png_path,
                    gl_error *err)
{
    if (!ev->f)
        return GL_OK;
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *png;
    size_t n = 0;
    if (slurp(png_path, &png, &n, err) != GL_OK)
        return GL_ERR_RUN;
    /* Signature, then the IHDR chunk: length, "IHDR", width, height, depth, colour type. */
    if (n < 33 || memcmp(png, sig, 8) != 0 || memcmp(png + 12, "IHDR", 4) != 0) {
        free(png);
        return gl_error_add(err, GL_ERR_RUN, "%s: not a PNG file", png_path);
    }
    event_begin(ev, step);
    size_t sum = gl_pb_begin(&ev->pb, EV_SUMMARY);
    size_t v = value_begin(ev, NULL, tag);
    size_t im = gl_pb_begin(&ev->pb, VALUE_IMAGE);
    gl_pb_varint(&ev->pb, IMAGE_HEIGHT, be32(png + 20));
    gl_pb_varint(&ev->pb, IMAGE_WIDTH, be32(png + 16));
    gl_pb_varint(&ev->pb, IMAGE_COLORSPACE, (uint64_t)colorspace(png[25]));
    gl_pb_bytes(&ev->pb, IMAGE_ENCODED, png, n);
    gl_pb_end(&ev->pb, im);
    gl_pb_end(&ev->pb, v);
    gl_pb_end(&ev->pb, sum);
    event_write(ev);
    free(png);
    return GL_OK;
}

void gl_events_text(gl_events *ev, uint64_t step, const char *tag, const char *markdown)
{
    if (!ev->f)
        return;
    event_begin(ev, step);
    size_t sum = gl_pb_begin(&ev->pb, EV_SUMMARY);
    size_t v = value_begin(ev, NULL, tag);
    plugin_metadata(ev, "text", NULL, 0);
    /* A rank-0 DT_STRING tensor: an empty tensor_shape is a scalar. */
    size_t t = gl_pb_begin(&ev->pb, VALUE_TENSOR);
    gl_pb_varint(&ev->pb, TENSOR_DTYPE, DT_STRING);
    gl_pb_end(&ev->pb, gl_pb_begin(&ev->pb, TENSOR_SHAPE));
    gl_pb_string(&ev->pb, TENSOR_STRING_VAL, markdown);
    gl_pb_end(&ev->pb, t);
    gl_pb_end(&ev->pb, v);
    gl_pb_end(&ev->pb, sum);
    event_write(ev);
}

/* google.protobuf.Value for a YAML scalar: a number when all of it parses as one, a boolean for
 * true/false, else a string. */
static void hparam_value(gl_pb *pb, const char *yaml)
{
    char *end;
    double d = strtod(yaml, &end);
    if (end != yaml && *end == '\0')
        gl_pb_double(pb, PBV_NUMBER, d);
    else if (strcmp(yaml, "true") == 0 || strcmp(yaml, "false") == 0)
        gl_pb_varint(pb, PBV_BOOL, yaml[0] == 't');
    else
        gl_pb_string(pb, PBV_STRING, yaml);
}

void gl_events_hparams(gl_events *ev, uint64_t step, int n, const char *const *keys,
                       const char *const *values)
{
    if (!ev->f || n <= 0)
        return;
    /* The plugin data is its own message (HParamsPluginData), stored as bytes: encode it first. */
    gl_pb hp = {0};
    gl_pb_varint(&hp, HP_VERSION, 0);
    size_t start = gl_pb_begin(&hp, HP_SESSION_START);
    for (int i = 0; i < n; i++) {
        size_t entry = gl_pb_begin(&hp, START_HPARAMS); /* map<string, Value> entry */
        gl_pb_string(&hp, MAP_KEY, keys[i]);
        size_t val = gl_pb_begin(&hp, MAP_VALUE);
        hparam_value(&hp, values[i]);
        gl_pb_end(&hp, val);
        gl_pb_end(&hp, entry);
    }
    gl_pb_double(&hp, START_TIME, wall_time());
    gl_pb_end(&hp, start);

    event_begin(ev, step);
    size_t sum = gl_pb_begin(&ev->pb, EV_SUMMARY);
    size_t v = value_begin(ev, NULL, "_hparams_/session_start_info");
    plugin_metadata(ev, "hparams", hp.buf, hp.len);
    /* The hparams summaries carry a placeholder scalar tensor 0.0 (as TensorBoard's own writer). */
    size_t t = gl_pb_begin(&ev->pb, VALUE_TENSOR);
    gl_pb_varint(&ev->pb, TENSOR_DTYPE, DT_FLOAT);
    gl_pb_end(&ev->pb, gl_pb_begin(&ev->pb, TENSOR_SHAPE));
    gl_pb_float(&ev->pb, TENSOR_FLOAT_VAL, 0.0f);
    gl_pb_end(&ev->pb, t);
    gl_pb_end(&ev->pb, v);
    gl_pb_end(&ev->pb, sum);
    if (hp.err)
        ev->pb.err = hp.err;
    event_write(ev);
    gl_pb_free(&hp);
}

int gl_events_flush(gl_events *ev, gl_error *err)
{
    if (!ev->f)
        return GL_OK;
    if (!ev->err && fflush(ev->f) != 0)
        ev->err = errno ? errno : EIO;
    if (ev->err)
        return gl_error_add(err, GL_ERR_RUN, "%s: cannot write: %s", ev->path, strerror(ev->err));
    return GL_OK;
}

int gl_events_close(gl_events *ev, gl_error *err)
{
    int rc = gl_events_flush(ev, err);
    if (ev->f && fclose(ev->f) != 0 && rc == GL_OK)
        rc = gl_error_add(err, GL_ERR_RUN, "%s: cannot write: %m", ev->path);
    ev->f = NULL;
    gl_pb_free(&ev->pb);
    return rc;
}
