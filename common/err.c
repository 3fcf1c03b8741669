/*
 * err.c - messages and process exit.  The program name and the cleanup
 * hooks are the only mutable globals of common/ (set once at start-up).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

static const char *prog = "codesift";
static void (*hooks[8])(void);
static int nhooks;

void
err_setprog(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	prog = p != NULL ? p + 1 : argv0;
}

const char *
err_prog(void)
{
	return prog;
}

void
err_atexit(void (*fn)(void))
{
	if (nhooks == (int)(sizeof(hooks) / sizeof(hooks[0])))
		err_bug("too many exit hooks");
	hooks[nhooks++] = fn;
}

_Noreturn void
err_exit(int status)
{
	while (nhooks > 0)
		hooks[--nhooks]();
	if (status == STATUS_OK) {
		fflush(stdout);
		exit(status);
	}
	/*
	 * An error exit frees nothing on its way out: flush stdio and leave
	 * without the atexit machinery (which would also have LeakSanitizer
	 * report memory the dying process still held).
	 */
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

static void
vmsg(const char *fmt, va_list ap, int errnum)
{
	char buf[4096];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	if (errnum != 0)
		fprintf(stderr, "%s: %s: %s\n", prog, buf, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", prog, buf);
}

void
err_vwarn(const char *fmt, va_list ap)
{
	vmsg(fmt, ap, 0);
}

void
err_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
err_warn_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
}

_Noreturn void
err_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	err_exit(STATUS_FATAL);
}

_Noreturn void
err_die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	err_exit(STATUS_FATAL);
}

_Noreturn void
err_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	fprintf(stderr, "try '%s --help' for more information\n", prog);
	err_exit(STATUS_USAGE);
}

_Noreturn void
err_config(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	err_exit(STATUS_USAGE);
}

_Noreturn void
err_bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: BUG: %s:%d: ", prog, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
