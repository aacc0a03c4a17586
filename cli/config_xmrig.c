#include "config.h"
#include "cli/config_xmrig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_config_is_xmrig(const json_t *root)
{
    static const char *const keys[] = {"pools", "cpu", "randomx", "donate-level"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (json_object_get(root, keys[i]) != NULL)
            return 1;
    }
    return 0;
}

/* A null, false or 0 value asks for nothing: leaving it out is no news. */
static int asks_for_something(const json_t *value)
{
    return !json_is_null(value) && !json_is_false(value) &&
           !(json_is_integer(value) && json_integer_value(value) == 0);
}

static void ignore(json_t *ignored, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ignore(json_t *ignored, const char *fmt, ...)
{
    char path[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    json_array_append_new(ignored, json_string(path));
}

/* flat[name] gets value as one more entry of a repeated option. */
static void append(json_t *flat, const char *name, json_t *value)
{
    json_t *list = json_object_get(flat, name);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(flat, name, list);
    }
    json_array_append_new(list, value);
}

/* The scheme XMRig's "tls" and "daemon" stand for, unless the url names its own. */
static void pool_url(const char *url, int tls, int daemon, char *out, size_t cap)
{
    if (strstr(url, "://") != NULL)
        snprintf(out, cap, "%s", url);
    else
        snprintf(out, cap, "%s%s",
                 daemon ? (tls ? "daemon+https://" : "daemon+http://")
                 : tls  ? "stratum+ssl://"
                        : "stratum+tcp://",
                 url);
}

/* One enabled pool's keys besides its url; first: the first enabled pool. */
static void pool_keys(const json_t *pool, size_t i, int first, int tls, json_t *flat,
                      json_t *ignored)
{
    static const char *const shared[] = {"user", "pass", "rig-id", "algo"};
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)pool, key, value)
    {
        if (strcmp(key, "url") == 0 || strcmp(key, "enabled") == 0 || strcmp(key, "tls") == 0 ||
            strcmp(key, "daemon") == 0)
            continue;
        int is_shared = 0;
        for (size_t k = 0; k < sizeof(shared) / sizeof(shared[0]); k++)
            is_shared |= strcmp(key, shared[k]) == 0;
        if (is_shared) {
            /* minemeter logs in to every pool with one --user, --pass and --rig-id. */
            json_t *had = json_object_get(flat, key);
            if (json_is_null(value))
                continue;
            if (had == NULL && first)
                json_object_set(flat, key, value);
            else if (had == NULL || !json_equal(had, value))
                ignore(ignored, "pools[%zu].%s", i, key);
        } else if (strcmp(key, "tls-fingerprint") == 0 && tls && json_is_string(value)) {
            append(flat, "tls-fingerprint", json_copy(value));
        } else if (strcmp(key, "keepalive") == 0 && json_is_true(value)) {
            json_object_set_new(flat, "keepalive-on", json_true());
        } else if (strcmp(key, "daemon-poll-interval") == 0 && json_is_integer(value) && first) {
            json_object_set(flat, key, value);
        } else if (asks_for_something(value)) {
            ignore(ignored, "pools[%zu].%s", i, key);
        }
    }
}

static int pools(const json_t *list, json_t *flat, json_t *ignored, char *why, size_t why_len)
{
    if (!json_is_array(list)) {
        snprintf(why, why_len, "\"pools\" is not a list");
        return -1;
    }
    size_t i;
    json_t *pool;
    int first = 1;
    json_array_foreach((json_t *)list, i, pool)
    {
        if (!json_is_object(pool)) {
            snprintf(why, why_len, "pools[%zu] is not an object", i);
            return -1;
        }
        if (json_is_false(json_object_get(pool, "enabled")))
            continue;
        const char *url = json_string_value(json_object_get(pool, "url"));
        if (url == NULL) {
            snprintf(why, why_len, "pools[%zu] has no \"url\"", i);
            return -1;
        }
        int tls = json_is_true(json_object_get(pool, "tls"));
        char full[512];
        pool_url(url, tls, json_is_true(json_object_get(pool, "daemon")), full, sizeof(full));
        append(flat, "url", json_string(full));
        pool_keys(pool, i, first, tls || strncmp(full, "stratum+ssl://", 14) == 0, flat, ignored);
        first = 0;
    }
    return 0;
}

/* "cpu": the priority, the threads and their CPUs from "rx", huge pages. */
static void cpu(const json_t *section, json_t *flat, json_t *ignored)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)section, key, value)
    {
        if (strcmp(key, "priority") == 0 && json_is_integer(value)) {
            json_object_set(flat, "cpu-priority", value);
        } else if (strcmp(key, "rx") == 0 && json_is_array(value) && json_array_size(value) > 0) {
            char list[512] = "";
            size_t used = 0, k;
            json_t *cpu_index;
            int plain = 1;
            json_array_foreach(value, k, cpu_index)
            {
                plain &= json_is_integer(cpu_index) && json_integer_value(cpu_index) >= 0;
                if (plain && used < sizeof(list) - 24)
                    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%lld",
                                             k ? "," : "", json_integer_value(cpu_index));
            }
            if (!plain) {
                ignore(ignored, "cpu.rx (only a list of CPU indexes is taken)");
                continue;
            }
            json_object_set_new(flat, "threads", json_integer((json_int_t)json_array_size(value)));
            json_object_set_new(flat, "affinity", json_string(list));
        } else if (strcmp(key, "huge-pages") == 0 && json_is_boolean(value)) {
            if (json_is_false(value))
                json_object_set_new(flat, "huge-pages", json_string("off"));
        } else if (strcmp(key, "enabled") == 0 && json_is_true(value)) {
            continue;
        } else if (strcmp(key, "enabled") == 0 && json_is_false(value)) {
            ignore(ignored, "cpu.enabled (minemeter mines on the CPU)");
        } else if (strcmp(key, "max-threads-hint") == 0 && json_is_integer(value) &&
                   json_integer_value(value) == 100) {
            continue;
        } else if (asks_for_something(value)) {
            ignore(ignored, "cpu.%s", key);
        }
    }
}

static void randomx(const json_t *section, json_t *flat, json_t *ignored)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)section, key, value)
    {
        int default_init = (strcmp(key, "init") == 0 || strcmp(key, "init-avx2") == 0) &&
                           json_is_integer(value) && json_integer_value(value) == -1;
        if (strcmp(key, "mode") == 0 && json_is_string(value))
            json_object_set(flat, "mode", value);
        else if (strcmp(key, "1gb-pages") == 0 && json_is_true(value))
            json_object_set_new(flat, "1gb-pages", json_true());
        else if (strcmp(key, "numa") == 0 && json_is_true(value))
            continue; /* a dataset per NUMA node is what minemeter does */
        else if (!default_init && asks_for_something(value))
            ignore(ignored, "randomx.%s", key);
    }
}

static void http(const json_t *section, json_t *flat, json_t *ignored)
{
    if (!json_is_true(json_object_get(section, "enabled")))
        return;
    const char *host = json_string_value(json_object_get(section, "host"));
    json_t *port = json_object_get(section, "port");
    char address[300];
    snprintf(address, sizeof(address), "%s:%lld", host != NULL ? host : "127.0.0.1",
             json_is_integer(port) ? json_integer_value(port) : 0);
    json_object_set_new(flat, "http", json_string(address));
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)section, key, value)
    {
        if (strcmp(key, "access-token") == 0 && json_is_string(value))
            json_object_set(flat, "http-token", value);
        else if (strcmp(key, "restricted") == 0 && json_is_true(value))
            continue; /* minemeter's API only reads */
        else if (strcmp(key, "enabled") != 0 && strcmp(key, "host") != 0 &&
                 strcmp(key, "port") != 0 && asks_for_something(value))
            ignore(ignored, "http.%s", key);
    }
}

json_t *cli_config_from_xmrig(const json_t *root, json_t *ignored, char *why, size_t why_len)
{
    json_t *flat = json_object();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)root, key, value)
    {
        if (strcmp(key, "pools") == 0) {
            if (pools(value, flat, ignored, why, why_len) != 0) {
                json_decref(flat);
                return NULL;
            }
        } else if (strcmp(key, "cpu") == 0 && json_is_object(value)) {
            cpu(value, flat, ignored);
        } else if (strcmp(key, "randomx") == 0 && json_is_object(value)) {
            randomx(value, flat, ignored);
        } else if (strcmp(key, "http") == 0 && json_is_object(value)) {
            http(value, flat, ignored);
        } else if ((strcmp(key, "print-time") == 0 || strcmp(key, "retries") == 0) &&
                   json_is_integer(value)) {
            json_object_set(flat, key, value);
        } else if (strcmp(key, "retry-pause") == 0 && json_is_integer(value)) {
            json_object_set_new(flat, key, json_integer(json_integer_value(value) * 1000));
        } else if (json_is_object(value) && json_is_false(json_object_get(value, "enabled"))) {
            continue; /* a section switched off asks for nothing */
        } else if (json_is_object(value)) {
            const char *sub;
            json_t *inner;
            json_object_foreach(value, sub, inner)
            {
                if (asks_for_something(inner))
                    ignore(ignored, "%s.%s", key, sub);
            }
        } else if (asks_for_something(value)) {
            ignore(ignored, "%s", key);
        }
    }
    return flat;
}
