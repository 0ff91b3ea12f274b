/*
 * xend's HTTP server (xend-http-server): read-only JSON about the node
 * and the domains, as classic xend served SXP on port 8000.
 *
 *   GET /xend/node          the host
 *   GET /xend/domain        every domain, as an array
 *   GET /xend/domain/DOM    one domain (name or id), with its configuration
 *
 * Anything else is 404, a method other than GET 405. HTTP/1.0 and 1.1,
 * one request a connection, answered with Content-Length and closed. The
 * parsing and the answers are here, apart from the sockets (server.c),
 * so that they can be tested alone.
 */
#ifndef MICA_XEND_HTTP_H
#define MICA_XEND_HTTP_H

#include <stddef.h>

#include "status.h"
#include "../common/sbuf.h"

/* The most a request's head may take; a longer one is refused. */
#define HTTP_MAX_HEAD 8192

struct http_request {
    char method[16];
    char path[256];         /* percent-decoded, without the query */
    unsigned minor;         /* HTTP/1.minor */
};

enum http_route {
    HTTP_NODE,
    HTTP_DOMAINS,
    HTTP_DOMAIN,
    HTTP_NOT_FOUND,
    HTTP_BAD_METHOD,
    HTTP_BAD_REQUEST,
};

/*
 * Reads a request head from buf[0, len). Returns 0 while the head is
 * incomplete, its length (through the blank line) once it is complete,
 * and -1 when it can never be a valid request: a malformed request line,
 * another protocol version, or no end within HTTP_MAX_HEAD bytes.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *r);

/* The resource asked for; for HTTP_DOMAIN, *dom points at the domain's
 * name or id inside r->path (whose trailing slash is dropped). */
enum http_route http_route(struct http_request *r, const char **dom);

/* True when answering the route needs a snapshot of the domains. */
int http_route_needs_status(enum http_route route);

/* Appends the whole response: status line, headers and body, and
 * returns its status code. s may be NULL for the routes that need no
 * snapshot. */
int http_respond(enum http_route route, const char *dom,
                 const struct xstat *s, struct sbuf *out);

#endif
