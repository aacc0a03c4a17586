/*
 * Energy from a meter that reports watts rather than joules: the BMC's
 * DCMI system power through ipmitool (the whole machine, wall side), or a
 * user's command that prints watts (a smart plug, a PDU, a lab meter).
 *
 * The meter is read once at open, synchronously, so a meter that does not
 * work is an error before anything is measured; then a thread of its own
 * reads it about once a second. Energy is the integral of the readings,
 * each held until the next (a constant meter gives exactly W x seconds).
 * The thread sleeps between readings and each reading is one short child
 * process, so sampling takes a few milliseconds of CPU a second.
 */
#ifndef MINEMETER_ARCH_ENERGY_SAMPLED_H
#define MINEMETER_ARCH_ENERGY_SAMPLED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
    ARCH_METER_IPMI,    /* ipmitool dcmi power reading */
    ARCH_METER_COMMAND, /* /bin/sh -c COMMAND, the first number printed */
} arch_meter_kind_t;

#define ARCH_METER_COMMAND_MAX 512

typedef struct {
    arch_meter_kind_t kind;
    char command[ARCH_METER_COMMAND_MAX];
    uint64_t period_ns;  /* between readings */
    uint64_t timeout_ns; /* a reading that takes longer is a failed one */
    pthread_t thread;
    int running;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    pid_t child; /* the reading under way, 0 none */
    /* Under lock: */
    double joules;     /* up to at_ns */
    double watts;      /* the last reading, held from at_ns on */
    uint64_t at_ns;    /* monotonic */
    int failing;       /* the last reading failed: reads say -EIO until one works */
    unsigned readings; /* taken so far, the one at open included */
    unsigned failures;
    char error[200]; /* the last failure, in words */
} arch_meter_t;

/*
 * Takes one reading now (returns -ENOENT when ipmitool is not installed,
 * -EIO when the meter failed or printed no number, -ETIMEDOUT when it took
 * longer than the timeout; reason says which, with the meter's own words)
 * and starts the sampling thread. command is used for ARCH_METER_COMMAND.
 */
int arch_meter_open(arch_meter_t *m, arch_meter_kind_t kind, const char *command, char *reason,
                    size_t cap);

/* Joules since open; -EIO while the meter's last reading failed (m->error says why). */
int arch_meter_read(arch_meter_t *m, double *joules);

/* Stops the thread (killing a reading under way) and frees m's resources. */
void arch_meter_close(arch_meter_t *m);

/*
 * Watts as a meter printed them: the number after "Instantaneous power
 * reading:" for ipmitool, the first number in the text for a command.
 * Returns 0, or -EIO when there is none (or it is negative or not finite).
 */
int arch_meter_parse(arch_meter_kind_t kind, const char *text, double *watts);

#endif
