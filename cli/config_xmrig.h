/*
 * XMRig's config.json in minemeter's terms: the parts that have a
 * minemeter option become a flat config object (cli/config_file.h), and
 * every other key is named as ignored.
 *
 *   pools[]      the enabled ones, in order: url (stratum+ssl:// with
 *                "tls", daemon+http:// with "daemon"), the first pool's
 *                user, pass, rig-id and algo, tls-fingerprint per TLS pool,
 *                keepalive, daemon-poll-interval
 *   cpu          priority; "rx" as a list of CPUs: the thread count and
 *                the affinity; huge-pages
 *   randomx      mode, 1gb-pages
 *   http         host and port when enabled, access-token
 *   print-time, retries, retry-pause (seconds there, milliseconds here)
 *
 * Everything else (donate-level, background, pause-on-active, log-file,
 * a second pool's different user...) is ignored and said to be: minemeter
 * never donates, never goes to the background and never pauses for the
 * machine's user.
 */
#ifndef MINEMETER_CLI_CONFIG_XMRIG_H
#define MINEMETER_CLI_CONFIG_XMRIG_H

#include <jansson.h>
#include <stddef.h>

/* Whether root has XMRig's shape: "pools", "cpu", "randomx" or "donate-level" at the top. */
int cli_config_is_xmrig(const json_t *root);

/*
 * The flat config for root (a new object), and in ignored (an array) the
 * path of each key left out, as "cpu.yield" or "pools[1].user". Returns
 * NULL with one sentence in why when a value minemeter needs has the wrong
 * type.
 */
json_t *cli_config_from_xmrig(const json_t *root, json_t *ignored, char *why, size_t why_len);

#endif
