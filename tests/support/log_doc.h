/*
 * A JSON-lines log held to its documentation: the events and fields a
 * doc lists, read from its tables (each "### `event`" heading, which may
 * name two events, then rows "| `field` | type | meaning |", "optional"
 * in the type when a field may be left out), and each log line checked to
 * have every required field and nothing undocumented.
 */
#ifndef MINEMETER_TESTS_LOG_DOC_H
#define MINEMETER_TESTS_LOG_DOC_H

#include <jansson.h>
#include <stddef.h>

#define LOG_DOC_MAX_EVENTS 16
#define LOG_DOC_MAX_FIELDS 32

typedef struct {
    char event[32];
    char field[LOG_DOC_MAX_FIELDS][32];
    int optional[LOG_DOC_MAX_FIELDS];
    size_t count;
} log_doc_event_t;

typedef struct {
    log_doc_event_t events[LOG_DOC_MAX_EVENTS];
    size_t count; /* in the doc's order */
} log_doc_t;

/* Reads the doc at path (fails the test when it cannot). */
void log_doc_read(const char *path, log_doc_t *doc);

/*
 * Checks one log line against the doc (failing the test for an
 * undocumented event; expecting every required field and no other).
 * Returns the index of its event.
 */
size_t log_doc_check(const log_doc_t *doc, const json_t *line);

#endif
