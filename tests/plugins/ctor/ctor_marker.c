/* ctor_marker.c - not a plugin: a shared object whose constructor creates the file named by
 * $GL_TEST_CTOR_MARK. tests/e2e/hostile.sh puts it beside a plugin to show that
 * `plugin-check FILE.so` loads that file only. Built into its own directory so that no other test
 * scans it. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void mark(void)
{
    const char *path = getenv("GL_TEST_CTOR_MARK");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f)
        fclose(f);
}
