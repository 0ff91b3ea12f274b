/*
 * The xm <-> xend protocol on the unix socket (docs/toolstack.md).
 *
 * Request: one line, the command and its arguments separated by tabs,
 * then (create only) the domain configuration as SXP; the client then
 * shuts its writing side down, so the request ends at end of file.
 * Reply: one status line, "OK" or "ERROR <message>", then the command's
 * output until xend closes the connection (console: until the domain goes
 * or the client leaves).
 */
#ifndef MICA_XEND_PROTO_H
#define MICA_XEND_PROTO_H

#define XEND_PROTO_MAX_REQUEST (256u << 10)
#define XEND_PROTO_OK "OK"
#define XEND_PROTO_ERROR "ERROR "
/* Where xend keeps the configurations of the domains it manages. */
#define XEND_DOMAINS_DIR "/var/lib/xend/domains"
#define XEND_PID_FILE "/var/run/xend.pid"

#endif
