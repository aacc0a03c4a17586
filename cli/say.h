/*
 * The lines mine and pool print as they run: "[YYYY-MM-DD HH:MM:SS] text"
 * on stdout, flushed, with every byte a remote party could have chosen
 * (pool errors, job ids, miners' logins and agents) made printable first,
 * so that no line can carry terminal commands or a forged second line.
 */
#ifndef MINEMETER_CLI_SAY_H
#define MINEMETER_CLI_SAY_H

void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
