/*
 * Children minemeter starts (a power meter's readings, a victim command):
 * in a process group of their own, so a timeout or a stop ends everything
 * they started and Ctrl-C at the terminal reaches only minemeter, which
 * then stops them; with no signal blocked and SIGPIPE, SIGINT and SIGTERM
 * at their defaults, whatever minemeter's own threads hold.
 */
#ifndef MINEMETER_ARCH_CHILD_PROCESS_H
#define MINEMETER_ARCH_CHILD_PROCESS_H

#include <spawn.h>

/* Initialises attr as above; the caller destroys it after posix_spawn. */
void arch_child_attr_init(posix_spawnattr_t *attr);

/*
 * Kills the child pid and its process group. Both, because where
 * posix_spawn cannot wait for the child's exec (an emulator's vfork is a
 * fork) the child may not have made its group yet.
 */
void arch_child_kill(pid_t pid);

#endif
