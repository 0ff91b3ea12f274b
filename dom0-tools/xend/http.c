/* xend's HTTP requests and answers (http.h); the sockets are server.c's. */
#include "http.h"

#include <stdbool.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in [s, e) into out (room for len bytes with the NUL); the
 * query after '?' is dropped. -1 for a bad escape, a NUL or no room. */
static int decode_path(const char *s, const char *e, char *out, size_t len)
{
    size_t n = 0;

    for (; s < e && *s != '?'; s++) {
        char c = *s;

        if (c == '%') {
            int hi = s + 2 < e ? hexval(s[1]) : -1;
            int lo = hi >= 0 ? hexval(s[2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0))
                return -1;
            c = (char)(hi << 4 | lo);
            s += 2;
        }
        if (n + 1 >= len)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

/* The end of the head: after the first empty line (CRLF or bare LF
 * endings both count), or 0 when there is none yet. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *r)
{
    size_t end = head_end(buf, len);
    const char *line_end, *sp1, *sp2;
    size_t mlen;

    memset(r, 0, sizeof(*r));
    if (!end)
        return len >= HTTP_MAX_HEAD ? -1 : 0;
    if (end > HTTP_MAX_HEAD)
        return -1;
    line_end = memchr(buf, '\n', end);
    if (line_end > buf && line_end[-1] == '\r')
        line_end--;
    /* METHOD SP TARGET SP HTTP/1.x, single spaces as RFC 9112 asks. */
    sp1 = memchr(buf, ' ', (size_t)(line_end - buf));
    if (!sp1)
        return -1;
    sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
    if (!sp2)
        return -1;
    mlen = (size_t)(sp1 - buf);
    if (mlen == 0 || mlen >= sizeof(r->method))
        return -1;
    for (size_t i = 0; i < mlen; i++)
        if (buf[i] < 'A' || buf[i] > 'Z')
            return -1;
    memcpy(r->method, buf, mlen);
    if (line_end - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
        sp2[8] < '0' || sp2[8] > '9')
        return -1;
    r->minor = (unsigned)(sp2[8] - '0');
    if (sp1[1] != '/' || decode_path(sp1 + 1, sp2, r->path,
                                     sizeof(r->path)) < 0)
        return -1;
    return (int)end;
}

enum http_route http_route(struct http_request *r, const char **dom)
{
    static const char prefix[] = "/xend/domain/";
    const size_t plen = sizeof(prefix) - 1;
    size_t n = strlen(r->path);

    *dom = NULL;
    if (strcmp(r->method, "GET") != 0)
        return HTTP_BAD_METHOD;
    /* One trailing slash is forgiven: /xend/node/ is /xend/node. */
    if (n > 1 && r->path[n - 1] == '/')
        r->path[--n] = '\0';
    if (strcmp(r->path, "/xend/node") == 0)
        return HTTP_NODE;
    if (strcmp(r->path, "/xend/domain") == 0)
        return HTTP_DOMAINS;
    if (strncmp(r->path, prefix, plen) == 0 && r->path[plen] &&
        !strchr(r->path + plen, '/')) {
        *dom = r->path + plen;
        return HTTP_DOMAIN;
    }
    return HTTP_NOT_FOUND;
}

int http_route_needs_status(enum http_route route)
{
    return route == HTTP_NODE || route == HTTP_DOMAINS ||
           route == HTTP_DOMAIN;
}

static int reply(struct sbuf *out, int status, const char *reason,
                 const char *extra_header, const struct sbuf *body)
{
    sbuf_printf(out, "HTTP/1.1 %d %s\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: %zu\r\n"
                "Connection: close\r\n"
                "Server: mica-xend\r\n%s\r\n", status, reason, body->len,
                extra_header ? extra_header : "");
    sbuf_put(out, sbuf_str(body), body->len);
    return status;
}

static void error_body(struct sbuf *body, const char *what, const char *arg)
{
    sbuf_puts(body, "{\"error\": ");
    if (arg) {
        struct sbuf msg = SBUF_INIT;
        sbuf_printf(&msg, what, arg);
        sbuf_json_string(body, sbuf_str(&msg));
        sbuf_free(&msg);
    } else {
        sbuf_json_string(body, what);
    }
    sbuf_puts(body, "}\n");
}

int http_respond(enum http_route route, const char *dom,
                 const struct xstat *s, struct sbuf *out)
{
    struct sbuf body = SBUF_INIT;
    const struct xstat_dom *x;
    int status = 500;

    switch (route) {
    case HTTP_NODE:
        xstat_node_json(&body, s);
        status = reply(out, 200, "OK", NULL, &body);
        break;
    case HTTP_DOMAINS:
        sbuf_puts(&body, "[");
        for (size_t i = 0; i < s->n; i++) {
            sbuf_puts(&body, i ? ",\n  " : "\n  ");
            xstat_dom_json(&body, &s->doms[i], false);
        }
        sbuf_puts(&body, s->n ? "\n]\n" : "]\n");
        status = reply(out, 200, "OK", NULL, &body);
        break;
    case HTTP_DOMAIN:
        x = xstat_find(s, dom);
        if (!x) {
            error_body(&body, "Domain '%s' does not exist.", dom);
            status = reply(out, 404, "Not Found", NULL, &body);
            break;
        }
        xstat_dom_json(&body, x, true);
        sbuf_putc(&body, '\n');
        status = reply(out, 200, "OK", NULL, &body);
        break;
    case HTTP_NOT_FOUND:
        error_body(&body, "not found: this server has /xend/node, "
                   "/xend/domain and /xend/domain/DOMAIN", NULL);
        status = reply(out, 404, "Not Found", NULL, &body);
        break;
    case HTTP_BAD_METHOD:
        error_body(&body, "read-only: only GET is served", NULL);
        status = reply(out, 405, "Method Not Allowed", "Allow: GET\r\n",
                       &body);
        break;
    case HTTP_BAD_REQUEST:
        error_body(&body, "malformed request", NULL);
        status = reply(out, 400, "Bad Request", NULL, &body);
        break;
    }
    sbuf_free(&body);
    return status;
}
