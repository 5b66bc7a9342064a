/* fs.c - see util/fs.h. */
#include "util/fs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int gl_mkdir_p(const char *path, gl_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return gl_error_add(err, GL_ERR_INPUT, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return gl_error_add(err, GL_ERR_RUN, "%s: cannot create directory: %s", buf,
                                strerror(errno));
        if (!c)
            return GL_OK;
        *p = c;
    }
}
