#define _GNU_SOURCE
#include "config.h"
#include "bench/report_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bench_out_open(bench_out_t *o, const char *path)
{
    memset(o, 0, sizeof(*o));
    size_t len = strlen(path);
    o->tmp = malloc(len + sizeof(".tmp"));
    if (o->tmp == NULL)
        return -ENOMEM;
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, ".tmp", sizeof(".tmp"));
    /* O_NOFOLLOW: a symlink planted at the temporary name must not redirect the write. */
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int rc = -errno;
        free(o->tmp);
        return rc;
    }
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        int rc = -errno;
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        return rc;
    }
    return 0;
}

void bench_out_fail(bench_out_t *o, int err)
{
    if (o->err == 0)
        o->err = err > 0 ? -err : -EIO;
}

void bench_out_printf(bench_out_t *o, const char *fmt, ...)
{
    if (o->err != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        bench_out_fail(o, errno);
    va_end(ap);
}

/* Closes the file and renames it into place, or removes it when anything failed. */
int bench_out_close(bench_out_t *o, const char *path)
{
    if (o->err == 0 && fflush(o->f) != 0)
        bench_out_fail(o, errno);
    if (o->err == 0 && fsync(fileno(o->f)) != 0 && errno != EINVAL)
        bench_out_fail(o, errno);
    if (fclose(o->f) != 0)
        bench_out_fail(o, errno);
    if (o->err == 0 && rename(o->tmp, path) != 0)
        bench_out_fail(o, errno);
    if (o->err != 0)
        unlink(o->tmp);
    free(o->tmp);
    return o->err;
}
