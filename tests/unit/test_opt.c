/*
 * test_opt.c - strict number parsing, and opt_parse() with the common
 * options merged with a filter's own (misuse exits 2: run in a child).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "opt.h"
#include "t.h"

static void
u64(void)
{
	uint64_t v;

	CHECK(opt_u64_str("0", &v) && v == 0);
	CHECK(opt_u64_str("18446744073709551615", &v) && v == UINT64_MAX);
	CHECK(!opt_u64_str("18446744073709551616", &v));
	CHECK(!opt_u64_str("", &v));
	CHECK(!opt_u64_str("-1", &v));
	CHECK(!opt_u64_str("+1", &v));
	CHECK(!opt_u64_str(" 1", &v));
	CHECK(!opt_u64_str("1 ", &v));
	CHECK(!opt_u64_str("1x", &v));
	CHECK(!opt_u64_str("0x10", &v));
}

static void
sizes(void)
{
	size_t v;

	CHECK(opt_size_str("64MiB", &v) && v == (size_t)64 << 20);
	CHECK(opt_size_str("64M", &v) && v == (size_t)64 << 20);
	CHECK(opt_size_str("1K", &v) && v == 1024);
	CHECK(opt_size_str("3", &v) && v == 3);
	CHECK(opt_size_str("2G", &v) && v == (size_t)2 << 30);
	CHECK(!opt_size_str("1.5M", &v));
	CHECK(!opt_size_str("M", &v));
	CHECK(!opt_size_str("1MB", &v));
	CHECK(!opt_size_str("-1", &v));
	CHECK(!opt_size_str("99999999999T", &v));
}

static void
doubles(void)
{
	double d;

	CHECK(opt_double_str("0.85", &d) && d == 0.85);
	CHECK(opt_double_str("-2e3", &d) && d == -2000);
	CHECK(!opt_double_str("nan", &d));
	CHECK(!opt_double_str("inf", &d));
	CHECK(!opt_double_str("0x1p3", &d));
	CHECK(!opt_double_str(" 1", &d));
	CHECK(!opt_double_str("1e999", &d));
	CHECK(!opt_double_str("", &d));
}

static int flag_seen;

static void
handle(int c, const char *arg)
{
	(void)arg;
	if (c == 'x')
		flag_seen++;
}

static const struct option lo[] = {
	{ "xtra", no_argument, NULL, 'x' },
	{ NULL, 0, NULL, 0 }
};

static const struct opt_prog prog = {
	"usage: t", "A test.", "  -x  extra\n", "x", lo, handle
};

/*
 * Run opt_parse on args (NULL-terminated) in a child; return its exit
 * status: 100 + the operand index on success.
 */
static int
parse_in_child(const char *const args[], int argc, struct opt_shared *o)
{
	char *argv[32];
	int fds[2], st, i;
	pid_t pid;

	for (i = 0; i < argc; i++)
		argv[i] = xstrdup(args[i]);
	argv[argc] = NULL;

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		int n;

		close(fds[0]);
		if (freopen("/dev/null", "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(99);
		optind = 1;
		n = opt_parse(argc, argv, &prog, o);
		if (write(fds[1], o, sizeof(*o)) != (ssize_t)sizeof(*o))
			_exit(98);
		_exit(100 + n);
	}
	close(fds[1]);
	if (read(fds[0], o, sizeof(*o)) != (ssize_t)sizeof(*o))
		memset(o, 0, sizeof(*o));
	close(fds[0]);
	waitpid(pid, &st, 0);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
parse(void)
{
	struct opt_shared o;
	const char *const ok[] = { "t", "in.jsonl", "-x", "--rejects", "r.jsonl",
	    "--max-rejects", "5%", "-o", "out.zst", "--max-record-bytes=1K",
	    "--stage", "s1", "--xtra", NULL };
	const char *const bad1[] = { "t", "--max-rejects", "5x", NULL };
	const char *const bad2[] = { "t", "--nope", NULL };
	const char *const bad3[] = { "t", "--rejects", NULL };
	const char *const bad4[] = { "t", "--max-record-bytes", "0", NULL };
	const char *const help[] = { "t", "--help", NULL };
	const char *const ver[] = { "t", "-V", NULL };

	/* options may follow operands; the operand ends up last */
	CHECK_EQ_U(parse_in_child(ok, 13, &o), 100 + 12);
	CHECK(o.max_rejects_set && o.max_rejects_pct && o.max_rejects == 5);
	CHECK_EQ_U(o.max_record_bytes, 1024);
	CHECK(o.progress == -1);
	CHECK_EQ_U(parse_in_child(bad1, 3, &o), 2);
	CHECK_EQ_U(parse_in_child(bad2, 2, &o), 2);
	CHECK_EQ_U(parse_in_child(bad3, 2, &o), 2);
	CHECK_EQ_U(parse_in_child(bad4, 3, &o), 2);
	CHECK_EQ_U(parse_in_child(help, 2, &o), 0);
	CHECK_EQ_U(parse_in_child(ver, 2, &o), 0);
}

int
main(void)
{
	T_RUN(u64);
	T_RUN(sizes);
	T_RUN(doubles);
	T_RUN(parse);
	return t_done();
}
