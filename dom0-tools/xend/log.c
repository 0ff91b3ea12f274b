/* xend's log: one line per event, with time and level, to the logfile. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "xend.h"

static FILE *log_fp;
static enum xend_loglevel min_level = XEND_LOG_DEBUG;

int xlog_open(const char *path, enum xend_loglevel level)
{
    min_level = level;
    log_fp = fopen(path, "a");
    if (!log_fp)
        return -1;
    setvbuf(log_fp, NULL, _IOLBF, 0);
    return 0;
}

void xlog(enum xend_loglevel level, const char *fmt, ...)
{
    FILE *f = log_fp ? log_fp : stderr;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;

    if (level < min_level)
        return;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(f, "[%s] %s %s ", stamp, xend_loglevel_name(level), "(xend)");
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}
