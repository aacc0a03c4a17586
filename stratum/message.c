/*
 * Parsing, classifying and building Stratum lines, through jansson only.
 */
#include "stratum/message.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pow/hex.h"

static int refuse(char *why, size_t why_len, const char *format, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(why, why_len, format, ap);
        va_end(ap);
    }
    return -1;
}

static int classify_response(stratum_message_t *m, char *why, size_t why_len)
{
    const json_t *error = json_object_get(m->root, "error");
    const json_t *result = json_object_get(m->root, "result");
    if (error != NULL && !json_is_null(error)) {
        if (!json_is_object(error))
            return refuse(why, why_len, "response error is not an object");
        const json_t *code = json_object_get(error, "code");
        const json_t *message = json_object_get(error, "message");
        if (code != NULL && !json_is_integer(code))
            return refuse(why, why_len, "response error code is not an integer");
        if (message != NULL && !json_is_string(message))
            return refuse(why, why_len, "response error message is not a string");
        m->error_code = code != NULL ? json_integer_value(code) : -1;
        m->error_message = message != NULL && json_string_length(message) > 0
                               ? json_string_value(message)
                               : "unknown error";
        return 0;
    }
    if (result == NULL || json_is_null(result))
        return refuse(why, why_len, "response has neither result nor error");
    m->result = result;
    return 0;
}

static int classify(stratum_message_t *m, char *why, size_t why_len)
{
    const json_t *id = json_object_get(m->root, "id");
    const json_t *method = json_object_get(m->root, "method");
    const json_t *params = json_object_get(m->root, "params");
    int has_id = id != NULL && !json_is_null(id);
    if (has_id && !json_is_integer(id))
        return refuse(why, why_len, "message id is not an integer");
    if (method != NULL && !json_is_string(method))
        return refuse(why, why_len, "message method is not a string");
    if (has_id)
        m->id = json_integer_value(id);
    if (method == NULL) {
        if (!has_id)
            return refuse(why, why_len, "message has neither id nor method");
        m->kind = STRATUM_MESSAGE_RESPONSE;
        return classify_response(m, why, why_len);
    }
    m->kind = has_id ? STRATUM_MESSAGE_REQUEST : STRATUM_MESSAGE_NOTIFICATION;
    m->method = json_string_value(method);
    m->params = params;
    if (m->kind == STRATUM_MESSAGE_NOTIFICATION && strcmp(m->method, "job") == 0 &&
        !json_is_object(params))
        return refuse(why, why_len, "job notification without params object");
    return 0;
}

int stratum_message_parse(const char *line, size_t len, stratum_message_t *out, char *why,
                          size_t why_len)
{
    memset(out, 0, sizeof(*out));
    json_error_t error;
    out->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &error);
    if (out->root == NULL)
        return refuse(why, why_len, "not JSON: %s", error.text);
    if (!json_is_object(out->root)) {
        stratum_message_free(out);
        return refuse(why, why_len, "message is not a JSON object");
    }
    if (classify(out, why, why_len) != 0) {
        stratum_message_free(out);
        return -1;
    }
    return 0;
}

void stratum_message_free(stratum_message_t *message)
{
    json_decref(message->root);
    memset(message, 0, sizeof(*message));
}

int stratum_error_is_critical(const char *message)
{
    /* Errors after which the pool will refuse everything this connection sends. */
    static const char *const critical[] = {
        "Unauthenticated",
        "your IP is banned",
        "IP Address currently banned",
        "Invalid job id",
    };
    if (message == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(critical) / sizeof(critical[0]); i++) {
        if (strncasecmp(message, critical[i], strlen(critical[i])) == 0)
            return 1;
    }
    return 0;
}

char *stratum_json_line(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (line == NULL) {
        free(text);
        return NULL;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;
}

/* {"id":id,"jsonrpc":"2.0","method":method,"params":params} as a line; steals params. */
static char *request_line(int64_t id, const char *method, json_t *params)
{
    json_t *request = json_object();
    char *line = NULL;
    if (request != NULL && params != NULL &&
        json_object_set_new(request, "id", json_integer(id)) == 0 &&
        json_object_set_new(request, "jsonrpc", json_string("2.0")) == 0 &&
        json_object_set_new(request, "method", json_string(method)) == 0 &&
        json_object_set(request, "params", params) == 0)
        line = stratum_json_line(request);
    json_decref(params);
    json_decref(request);
    return line;
}

/* Sets key to a string; a NULL value (out of memory, or bad UTF-8) is an error. */
static int set_string(json_t *object, const char *key, const char *value)
{
    return json_object_set_new(object, key, json_string(value));
}

static int set_hex(json_t *object, const char *key, const uint8_t *bytes, size_t len)
{
    char hex[2 * 32 + 1];
    pow_hex_encode(bytes, len, hex);
    return set_string(object, key, hex);
}

char *stratum_request_login(int64_t id, const stratum_login_t *login)
{
    json_t *params = json_object();
    if (params == NULL)
        return NULL;
    int rc = set_string(params, "login", login->login != NULL ? login->login : "");
    rc |= set_string(params, "pass", login->pass != NULL ? login->pass : "x");
    rc |= set_string(params, "agent", login->agent != NULL ? login->agent : "");
    if (login->rigid != NULL)
        rc |= set_string(params, "rigid", login->rigid);
    if (login->algo_count > 0) {
        json_t *algos = json_array();
        rc |= json_object_set_new(params, "algo", algos);
        for (size_t i = 0; rc == 0 && i < login->algo_count; i++)
            rc |= json_array_append_new(algos, json_string(login->algos[i]));
    }
    if (rc != 0) {
        json_decref(params);
        return NULL;
    }
    return request_line(id, "login", params);
}

void stratum_nonce_to_hex(uint32_t nonce, char out[9])
{
    uint8_t bytes[4] = {(uint8_t)nonce, (uint8_t)(nonce >> 8), (uint8_t)(nonce >> 16),
                        (uint8_t)(nonce >> 24)};
    pow_hex_encode(bytes, sizeof(bytes), out);
}

int stratum_nonce_from_hex(const char *hex, uint32_t *nonce)
{
    uint8_t bytes[4];
    if (strlen(hex) != 8 || pow_hex_decode(hex, 8, bytes, sizeof(bytes), NULL) != 4)
        return -1;
    *nonce = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
             (uint32_t)bytes[3] << 24;
    return 0;
}

char *stratum_request_submit(int64_t id, const stratum_submit_t *submit)
{
    json_t *params = json_object();
    if (params == NULL)
        return NULL;
    char nonce[9];
    stratum_nonce_to_hex(submit->nonce, nonce);
    int rc = set_string(params, "id", submit->session_id);
    rc |= set_string(params, "job_id", submit->job_id);
    rc |= set_string(params, "nonce", nonce);
    rc |= set_hex(params, "result", submit->result, 32);
    if (submit->algo != NULL)
        rc |= set_string(params, "algo", submit->algo);
    if (submit->commitment != NULL)
        rc |= set_hex(params, "commitment", submit->commitment, 32);
    if (rc != 0) {
        json_decref(params);
        return NULL;
    }
    return request_line(id, "submit", params);
}

char *stratum_request_keepalived(int64_t id, const char *session_id)
{
    json_t *params = json_object();
    if (params == NULL || set_string(params, "id", session_id) != 0) {
        json_decref(params);
        return NULL;
    }
    return request_line(id, "keepalived", params);
}
