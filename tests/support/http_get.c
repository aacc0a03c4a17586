#include "tests/support/http_get.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
} buffer_t;

static size_t on_body(char *chunk, size_t size, size_t n, void *context)
{
    buffer_t *b = context;
    size_t add = size * n;
    char *grown = realloc(b->data, b->len + add + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, chunk, add);
    b->len += add;
    grown[b->len] = '\0';
    b->data = grown;
    return add;
}

long http_get(const char *url, const http_request_t *request, char **body)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return -1;
    buffer_t b = {calloc(1, 1), 0};
    struct curl_slist *headers = NULL;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    if (request != NULL && request->header != NULL) {
        headers = curl_slist_append(headers, request->header);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    }
    if (request != NULL && request->body != NULL)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body);
    if (request != NULL && request->method != NULL)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request->method);
    long code = -1;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (body != NULL)
        *body = b.data;
    else
        free(b.data);
    return code;
}

json_t *http_get_json(const char *url, const http_request_t *request, long *code)
{
    char *body = NULL;
    long status = http_get(url, request, &body);
    json_t *o = status == 200 && body != NULL ? json_loads(body, 0, NULL) : NULL;
    free(body);
    if (code != NULL)
        *code = status;
    return o;
}

unsigned http_port_in(const char *text)
{
    const char *at = strstr(text, "http://127.0.0.1:");
    if (at == NULL)
        return 0;
    return (unsigned)strtoul(at + strlen("http://127.0.0.1:"), NULL, 10);
}
