/* xend's main loop. */
#ifndef MICA_XEND_SERVER_H
#define MICA_XEND_SERVER_H

/* Serves until SIGTERM or SIGINT; returns the exit status. */
int xend_serve(void);

#endif
