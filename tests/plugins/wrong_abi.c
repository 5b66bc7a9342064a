/* wrong_abi.c - a plugin that claims to be built for plugin ABI 999. Only abi_version is
 * meaningful: the loader must not read further into a descriptor of another ABI. */
#include <ganlab/plugin.h>

static const gl_plugin_header hdr = {999, GL_KIND_OPTIMIZER, sizeof hdr, "wrong_abi", "", NULL};

GL_PLUGIN_EXPORT const gl_plugin_header *gl_plugin_entry(void) { return &hdr; }
