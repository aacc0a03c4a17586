/*
 * A miner's requests, parsed for the lab pool (stratum/pool_request.h).
 */
#include "stratum/pool_request.h"

#include <stdio.h>
#include <string.h>

#include "pow/hex.h"

static const char *field(const json_t *params, const char *key)
{
    const char *text = json_string_value(json_object_get(params, key));
    return text != NULL && text[0] != '\0' ? text : NULL;
}

static int hex_field(const json_t *params, const char *key, uint8_t *out, size_t len)
{
    const char *text = json_string_value(json_object_get(params, key));
    if (text == NULL || strlen(text) != 2 * len)
        return 0;
    return pow_hex_decode(text, 2 * len, out, len, NULL) == (long)len;
}

int stratum_pool_request_parse(const char *line, size_t len, stratum_pool_request_t *out, char *why,
                               size_t why_len)
{
    memset(out, 0, sizeof(*out));
    if (stratum_message_parse(line, len, &out->message, why, why_len) != 0)
        return -1;
    const stratum_message_t *m = &out->message;
    if (m->kind != STRATUM_MESSAGE_REQUEST || !json_is_object(m->params)) {
        if (why != NULL)
            snprintf(why, why_len, "not a request with an integer id, a method and object params");
        stratum_message_free(&out->message);
        return -1;
    }
    out->id = m->id;
    const json_t *p = m->params;
    out->session = json_string_value(json_object_get(p, "id"));
    if (strcmp(m->method, "login") == 0) {
        out->method = STRATUM_POOL_LOGIN;
        out->login = field(p, "login");
        out->agent = field(p, "agent");
        out->rigid = field(p, "rigid");
        const json_t *algos = json_object_get(p, "algo");
        out->algos = json_is_array(algos) && json_array_size(algos) > 0 ? algos : NULL;
    } else if (strcmp(m->method, "getjob") == 0) {
        out->method = STRATUM_POOL_GETJOB;
    } else if (strcmp(m->method, "submit") == 0) {
        out->method = STRATUM_POOL_SUBMIT;
        out->job_id = json_string_value(json_object_get(p, "job_id"));
        out->nonce_text = json_string_value(json_object_get(p, "nonce"));
        out->nonce_ok =
            out->nonce_text != NULL && stratum_nonce_from_hex(out->nonce_text, &out->nonce) == 0;
        out->result_ok = hex_field(p, "result", out->result, sizeof(out->result));
        out->has_commitment = hex_field(p, "commitment", out->commitment, sizeof(out->commitment));
    } else if (strcmp(m->method, "keepalived") == 0) {
        out->method = STRATUM_POOL_KEEPALIVED;
    } else {
        out->method = STRATUM_POOL_OTHER;
    }
    return 0;
}

void stratum_pool_request_free(stratum_pool_request_t *request)
{
    stratum_message_free(&request->message);
}

int stratum_pool_request_offers(const stratum_pool_request_t *request, const pow_algo_t *algo)
{
    if (request->algos == NULL)
        return 1;
    size_t i;
    const json_t *a;
    json_array_foreach(request->algos, i, a)
    {
        const char *name = json_string_value(a);
        if (name != NULL && pow_algo_find(name) == algo)
            return 1;
    }
    return 0;
}
