/*
 * Small text files as /sys and /proc give them: one value, read whole.
 * The energy sources all read their counters and descriptions this way,
 * under a root prefix that tests point at a made-up tree.
 */
#ifndef MINEMETER_ARCH_TEXT_FILE_H
#define MINEMETER_ARCH_TEXT_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads at most cap - 1 bytes of path into buf, NUL-terminated. 0 or -errno. */
int arch_text_read(const char *path, char *buf, size_t cap);

/* A decimal unsigned number at the start of path; "-1" is -EIO, not a huge count. */
int arch_text_read_u64(const char *path, uint64_t *value);

/* dir + "/" + name into buf, or -ENAMETOOLONG when it does not fit. */
int arch_text_join(char *buf, size_t cap, const char *dir, const char *name);

/* arch_text_read and arch_text_read_u64 of dir/name. */
int arch_text_read_at(const char *dir, const char *name, char *buf, size_t cap);
int arch_text_read_u64_at(const char *dir, const char *name, uint64_t *value);

#endif
