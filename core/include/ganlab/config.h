/* ganlab/config.h - what a plugin sees of its configuration: typed, validated parameters.
 *
 * A plugin never parses YAML. The core reads the config file(s), merges bases and command-line
 * overrides, and validates the plugin's section against the plugin's parameter schema (plugin.h):
 * unknown keys, wrong types, values out of range and missing required keys are all reported, with
 * file:line:col, before the plugin is created. What reaches the plugin is a gl_params in which
 * every declared parameter has a value (the given one or the schema's default).
 *
 * Because the values are already validated, the getters cannot fail for a name the schema declares
 * with that type; asking for an undeclared name or the wrong type is a programming error in the
 * plugin: the getter returns 0 / 0.0 / "" / NULL and prints a warning naming the parameter (so
 * `ganlab plugin-check`, which creates the plugin, shows it too).
 */
#ifndef GANLAB_CONFIG_H
#define GANLAB_CONFIG_H

#include <ganlab/api.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque; owned by the core, valid for as long as the plugin instance it was given to. */
typedef struct gl_params gl_params;

GL_API int64_t gl_params_int(const gl_params *p, const char *name);
GL_API double gl_params_float(const gl_params *p,
                              const char *name);                 /* also accepts an int parameter */
GL_API int gl_params_bool(const gl_params *p, const char *name); /* 0 or 1 */
/* GL_PARAM_STRING, GL_PARAM_CHOICE and GL_PARAM_PATH. A path is already resolved against the
 * directory of the config file that gave it (or the working directory for an override).
 * The string is owned by p. */
GL_API const char *gl_params_string(const gl_params *p, const char *name);
/* GL_PARAM_INT_LIST / GL_PARAM_FLOAT_LIST: element count in *n; the array is owned by p. */
GL_API const int64_t *gl_params_int_list(const gl_params *p, const char *name, size_t *n);
GL_API const double *gl_params_float_list(const gl_params *p, const char *name, size_t *n);
/* 1 when the value came from the config or an override, 0 when it is the schema default. */
GL_API int gl_params_is_set(const gl_params *p, const char *name);

#ifdef __cplusplus
}
#endif
#endif
