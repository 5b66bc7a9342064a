/* loader.h - declarations shared by the files of core/plugin only (the registry's public face is
 * registry.h). Named gl_plugin_* because libganlab exports only gl_ symbols and these cross files.
 */
#ifndef GL_PLUGIN_LOADER_H
#define GL_PLUGIN_LOADER_H

#include "plugin/registry.h"

/* 1 when name is a valid plugin or parameter name: [a-z0-9_]+, starting with a letter. */
int gl_plugin_name_ok(const char *name);

/* GL_OK when hdr's kind is one this ganlab knows; else one line into err naming path. */
int gl_plugin_check_kind(const gl_plugin_header *hdr, const char *path, gl_error *err);

/* Checks a NULL-name terminated parameter schema (NULL is an empty one). One line into err,
 * naming path and the parameter, for the first fault. */
int gl_plugin_check_schema(const gl_param_spec *params, const char *path, gl_error *err);

/* Loads path into *e (whose path, dir and shadowed_by the caller set): dlopen, entry symbol, ABI
 * version, kind, name; then the later checks of gl_plugin_check_descriptor. A file that is not a
 * usable plugin still fills *e (name = file stem, problem set) and returns GL_OK; only running out
 * of memory fails. */
int gl_plugin_load_entry(gl_registry_entry *e, const char *file_name, gl_error *err);

#endif
