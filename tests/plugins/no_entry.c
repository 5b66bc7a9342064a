/* no_entry.c - a shared object that exports a function, but not gl_plugin_entry. */
#include <ganlab/plugin.h>

GL_PLUGIN_EXPORT int gl_not_a_plugin(void) { return 1; }
