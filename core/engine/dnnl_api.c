/* dnnl_api.c - loads libdnnl on first need and fills gl__dnnl_api (dnnl_api.h says why).
 *
 * The library is opened RTLD_LOCAL (nothing else should bind to its symbols) and never closed:
 * oneDNN's plans and JIT kernels live until the process ends (dnnl.c). It runs on the libgomp
 * that libganlab already links, so the engine, OpenBLAS and oneDNN still share one OpenMP pool. */
#include "engine.h"

#ifdef GL__DNNL

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "dnnl_api.h"

#define GL__STR_(x) #x
#define GL__STR(x)  GL__STR_(x)
/* The soname of the oneDNN that configure found (its major version is its ABI). */
#define DNNL_SONAME "libdnnl.so." GL__STR(DNNL_VERSION_MAJOR)

gl__dnnl_api_t gl__dnnl_api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *why_not = "not loaded";
static char why_buf[256];

static void load(void)
{
    void *lib = dlopen(DNNL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(why_buf, sizeof why_buf, "%s", dlerror());
        why_not = why_buf;
        return;
    }
    gl__dnnl_api_t api;
#define GL__DNNL_SYM(f)                                                          \
    if (!(*(void **)&api.f = dlsym(lib, "dnnl_" #f))) {                          \
        snprintf(why_buf, sizeof why_buf, "%s has no dnnl_%s", DNNL_SONAME, #f); \
        why_not = why_buf;                                                       \
        return;                                                                  \
    }
    GL__DNNL_FUNCS(GL__DNNL_SYM)
#undef GL__DNNL_SYM
    gl__dnnl_api = api;
    why_not = NULL;
}

const char *gl__dnnl_load(void)
{
    pthread_once(&once, load);
    return why_not;
}

int gl__dnnl_loaded(void) { return gl__dnnl_api.stream_wait != NULL; }

#endif
