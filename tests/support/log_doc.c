/*
 * Logs against their documentation (tests/support/log_doc.h).
 */
#include "tests/support/log_doc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

void log_doc_read(const char *path, log_doc_t *doc)
{
    memset(doc, 0, sizeof(*doc));
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512];
    size_t first = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "### ", 4) == 0) {
            first = doc->count;
            for (char *p = strchr(line, '`'); p != NULL && doc->count < LOG_DOC_MAX_EVENTS;
                 p = strchr(p, '`')) {
                char *close = strchr(p + 1, '`');
                if (close == NULL)
                    break;
                log_doc_event_t *e = &doc->events[doc->count++];
                snprintf(e->event, sizeof(e->event), "%.*s", (int)(close - p - 1), p + 1);
                p = close + 1;
            }
        } else if (strncmp(line, "| `", 3) == 0 && doc->count > first) {
            char *close = strchr(line + 3, '`');
            cr_assert_not_null(close, "%s", line);
            for (size_t i = first; i < doc->count; i++) {
                log_doc_event_t *d = &doc->events[i];
                cr_assert_lt(d->count, LOG_DOC_MAX_FIELDS);
                snprintf(d->field[d->count], sizeof(d->field[0]), "%.*s", (int)(close - line - 3),
                         line + 3);
                const char *type = strchr(close, '|'),
                           *type_end = type ? strchr(type + 1, '|') : NULL;
                const char *optional = type ? strstr(type, "optional") : NULL;
                d->optional[d->count] = optional != NULL && optional < type_end;
                d->count++;
            }
        }
    }
    fclose(f);
}

size_t log_doc_check(const log_doc_t *doc, const json_t *line)
{
    const char *event = json_string_value(json_object_get(line, "event"));
    cr_assert_not_null(event, "a log line without an event");
    size_t index = doc->count;
    for (size_t i = 0; i < doc->count; i++)
        if (strcmp(doc->events[i].event, event) == 0)
            index = i;
    cr_assert_lt(index, doc->count, "event %s is not documented", event);
    const log_doc_event_t *d = &doc->events[index];
    for (size_t k = 0; k < d->count; k++)
        cr_expect(d->optional[k] || json_object_get(line, d->field[k]) != NULL, "%s has no %s",
                  event, d->field[k]);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)line, key, value)
    {
        int found = 0;
        for (size_t k = 0; k < d->count; k++)
            found |= strcmp(d->field[k], key) == 0;
        cr_expect(found, "%s has %s, which its doc does not document", event, key);
    }
    return index;
}
