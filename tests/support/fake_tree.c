#define _GNU_SOURCE
#include "tests/support/fake_tree.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char fake_tree_root[64];

void fake_tree_make(void)
{
    snprintf(fake_tree_root, sizeof(fake_tree_root), "/tmp/minemeter-tree-XXXXXX");
    cr_assert_not_null(mkdtemp(fake_tree_root), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fake_tree_remove(void)
{
    if (fake_tree_root[0] != '\0')
        nftw(fake_tree_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    fake_tree_root[0] = '\0';
}

void fake_tree_write(const char *rel, const char *text)
{
    char path[256];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", fake_tree_root, rel), (int)sizeof(path));
    for (char *slash = strchr(path + strlen(fake_tree_root) + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
        *slash = '/';
    }
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp, "fopen %s: %s", path, strerror(errno));
    fputs(text, fp);
    cr_assert_eq(fclose(fp), 0);
}

void fake_tree_unlink(const char *rel)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fake_tree_root, rel);
    cr_assert_eq(unlink(path), 0, "unlink %s: %s", path, strerror(errno));
}
