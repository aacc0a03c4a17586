/*
 * Reading one-value text files from /sys and /proc.
 */
#include "arch/text_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int arch_text_read(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -errno;
    size_t n = fread(buf, 1, cap - 1, fp);
    int failed = ferror(fp);
    fclose(fp);
    buf[n] = '\0';
    /* A sysfs attribute the driver refuses reads as an error, not as empty text. */
    return failed ? -EIO : 0;
}

int arch_text_read_u64(const char *path, uint64_t *value)
{
    char buf[64];
    int rc = arch_text_read(path, buf, sizeof(buf));
    if (rc != 0)
        return rc;
    if (buf[0] < '0' || buf[0] > '9')
        return -EIO;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || end == buf)
        return -EIO;
    *value = v;
    return 0;
}

int arch_text_join(char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    return 0;
}

int arch_text_read_at(const char *dir, const char *name, char *buf, size_t cap)
{
    char path[PATH_MAX];
    int rc = arch_text_join(path, sizeof(path), dir, name);
    return rc != 0 ? rc : arch_text_read(path, buf, cap);
}

int arch_text_read_u64_at(const char *dir, const char *name, uint64_t *value)
{
    char path[PATH_MAX];
    int rc = arch_text_join(path, sizeof(path), dir, name);
    return rc != 0 ? rc : arch_text_read_u64(path, value);
}
