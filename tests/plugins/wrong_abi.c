/* wrong_abi.c - a plugin that claims to be built for plugin ABI 1, the one before this ganlab's.
 * Only abi_version is meaningful: the loader must not read further into a descriptor of another
 * ABI, and must say what changed since. */
#include <ganlab/plugin.h>

static const gl_plugin_header hdr = {1, GL_KIND_OPTIMIZER, sizeof hdr, "wrong_abi", "", NULL};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &hdr; }
