/* xm's side of the socket to xend (xend/proto.h), and the commands that
 * use it. */
#ifndef MICA_XM_CLIENT_H
#define MICA_XM_CLIENT_H

#include "cli.h"
#include "../common/sbuf.h"

/*
 * Sends one request (fields joined by tabs) with an optional payload and
 * reads the whole reply into body. Returns 0 on OK; -1 after printing
 * "Error: ..." to stderr (xend's message, or that xend is not running).
 */
int xm_call(const char *const *fields, size_t nfields, const char *payload,
            struct sbuf *body);

/* Runs one xm command that needs xend; returns the exit status. */
int xm_run(const struct xm_args *a);
/* create after the configuration has been read and turned into SXP. */
int xm_create(const struct xm_args *a, const char *name, const char *sxp);
/* new: the same configuration, kept by xend and not started. */
int xm_new(const char *sxp);

#endif
