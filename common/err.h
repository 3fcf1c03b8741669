/*
 * err.h - messages on stderr and the exit statuses every filter shares.
 *
 * Messages read "prog: what went wrong" (git's rules: lower case, no final
 * period).  err_die*() end the process with STATUS_FATAL after running the
 * cleanup hooks (temporary output files are removed), err_usage() with
 * STATUS_USAGE.  Nothing here allocates.
 */
#ifndef CODESIFT_ERR_H
#define CODESIFT_ERR_H

#include <stdarg.h>

enum {
	STATUS_OK = 0,		/* every record written, dropped or rejected */
	STATUS_GATE = 1,	/* a data gate failed (--max-rejects, ...) */
	STATUS_USAGE = 2,	/* usage or configuration error, nothing read */
	STATUS_FATAL = 3	/* I/O, network or resource error */
};

#define CODESIFT_VERSION "0.1.0"

#if defined(__GNUC__)
#define ERR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ERR_PRINTF(f, a)
#endif

/* Set the program name (basename of argv0) used as message prefix. */
void	err_setprog(const char *argv0);
const char *err_prog(void);

/* "prog: msg" on stderr.  err_warn_errno() appends ": strerror(errno)". */
void	err_warn(const char *fmt, ...) ERR_PRINTF(1, 2);
void	err_warn_errno(const char *fmt, ...) ERR_PRINTF(1, 2);
void	err_vwarn(const char *fmt, va_list ap) ERR_PRINTF(1, 0);

/* Fatal: message, cleanup hooks, exit STATUS_FATAL. */
_Noreturn void err_die(const char *fmt, ...) ERR_PRINTF(1, 2);
_Noreturn void err_die_errno(const char *fmt, ...) ERR_PRINTF(1, 2);

/*
 * Usage or configuration error: message, a hint to --help, cleanup hooks,
 * exit STATUS_USAGE.
 */
_Noreturn void err_usage(const char *fmt, ...) ERR_PRINTF(1, 2);

/* Configuration error without the --help hint (bad config file). */
_Noreturn void err_config(const char *fmt, ...) ERR_PRINTF(1, 2);

/*
 * Run the cleanup hooks, then exit(status); an error status leaves with
 * _exit() after flushing stdio (nothing is freed on the way out).
 */
_Noreturn void err_exit(int status);

/* A broken invariant: file:line and message, then abort(). */
#define err_bug(...) err_bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void err_bug_at(const char *file, int line, const char *fmt, ...)
    ERR_PRINTF(3, 4);

/*
 * Register a hook run by err_exit() and the err_die() family, last
 * registered first.  At most 8 hooks; used by stream.c to remove temporary
 * outputs.
 */
void	err_atexit(void (*fn)(void));

#endif
