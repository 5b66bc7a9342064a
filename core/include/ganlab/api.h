/* ganlab/api.h - GL_API, the mark on every function libganlab exports.
 *
 * libganlab is compiled with -fvisibility=hidden, so a function is visible to plugins and programs
 * only when its declaration in an installed header carries GL_API (as ggml's GGML_API). Everything
 * else (the core's session, config, registry and engine internals) stays inside the library, and
 * tests/e2e/symbols.sh checks that the exported symbols are exactly the declared ones. */
#ifndef GANLAB_API_H
#define GANLAB_API_H

#if defined(__GNUC__)
#define GL_API __attribute__((visibility("default")))
#else
#define GL_API
#endif

#endif
