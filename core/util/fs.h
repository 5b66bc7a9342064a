/* util/fs.h - small file-system helpers shared by the run directory, reports and suites. */
#ifndef GL_UTIL_FS_H
#define GL_UTIL_FS_H

#include <ganlab/error.h>

/* mkdir -p: creates path and its missing parents (mode 0777 less the umask). An existing directory
 * is fine. GL_ERR_RUN naming the component that could not be created. */
int gl_mkdir_p(const char *path, gl_error *err);

#endif
