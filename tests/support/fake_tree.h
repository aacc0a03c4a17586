/*
 * A made-up file tree in a temporary directory, for code that reads /proc
 * or /sys through a root prefix (arch_energy_open_at, arch_memory_read_at):
 * a test writes the files a machine unlike this one would have.
 */
#ifndef MINEMETER_TESTS_FAKE_TREE_H
#define MINEMETER_TESTS_FAKE_TREE_H

/* The root of the running test's tree; "" until fake_tree_make. */
extern char fake_tree_root[64];

/* Makes an empty tree (a .init, or a call after any skip: a skipped test runs no .fini). */
void fake_tree_make(void);

/* Removes the tree and everything in it; does nothing when none was made. */
void fake_tree_remove(void);

/* Writes root/rel with text, making its directories first. */
void fake_tree_write(const char *rel, const char *text);

/* Removes the file root/rel. */
void fake_tree_unlink(const char *rel);

#endif
