/*
 * test_stream.c - compressed round trips, corrupt input, and the atomic
 * output contract: a run that is killed (SIGKILL: no cleanup at all; or
 * SIGTERM) never leaves a file under the output name.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "stream.h"
#include "t.h"

static char dir[] = "/tmp/test_stream.XXXXXX";

static char *
path(const char *name)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, name);
	return buf_detach(&b, NULL);
}

/* Read p whole; *err: NULL or the reader's error (copied: it is static). */
static void
read_back(const char *p, struct buf *out, const char **err)
{
	static char msg[256];
	struct istream *in = istream_open(p, err);
	char tmp[3000];
	ssize_t n;

	if (in == NULL)
		return;
	*err = NULL;
	while ((n = istream_read(in, tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)n);
	if (n < 0) {
		snprintf(msg, sizeof(msg), "%s", istream_error(in));
		*err = msg;
	}
	istream_close(in);
}

static void
round_trips(void)
{
	static const char *const names[] = { "r.jsonl", "r.jsonl.gz",
	    "r.jsonl.zst" };
	struct buf data = BUF_INIT, got = BUF_INIT;
	const char *err;
	size_t i, k;

	/* 3 MiB of varied text, written in odd-sized pieces */
	for (k = 0; data.len < (3u << 20); k++)
		buf_addf(&data, "{\"n\":%zu,\"s\":\"%0*zu\"}\n", k,
		    (int)(k % 97), k);
	for (i = 0; i < 3; i++) {
		char *p = path(names[i]);
		struct ostream *o = ostream_open(p);

		for (k = 0; k < data.len; k += 7919)
			ostream_write(o, data.data + k,
			    data.len - k < 7919 ? data.len - k : 7919);
		ostream_close(o, true);
		buf_reset(&got);
		read_back(p, &got, &err);
		CHECK(err == NULL);
		CHECK(got.len == data.len &&
		    memcmp(got.data, data.data, data.len) == 0);
		free(p);
	}
	buf_release(&data);
	buf_release(&got);
}

static void
corrupt_input(void)
{
	struct buf got = BUF_INIT;
	const char *err;
	char *p = path("t.jsonl.gz"), *q;
	struct ostream *o = ostream_open(p);
	FILE *f;
	long sz;

	ostream_write(o, "{\"a\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}\n", 46);
	ostream_close(o, true);
	/* cut the member short: the reader must say so, not stop quietly */
	f = fopen(p, "r+");
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	CHECK(ftruncate(fileno(f), sz - 10) == 0);
	fclose(f);
	read_back(p, &got, &err);
	CHECK(err != NULL && strstr(err, "truncated") != NULL);

	q = path("bad.zst");
	f = fopen(q, "w");
	fwrite("\x28\xb5\x2f\xfd" "garbage-garbage", 1, 19, f);
	fclose(f);
	buf_reset(&got);
	read_back(q, &got, &err);
	CHECK(err != NULL && strstr(err, "corrupt zstd") != NULL);
	free(p);
	free(q);
	buf_release(&got);
}

/* Names in dir that start with prefix. */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
killed_run(int sig)
{
	char *p = path(sig == SIGKILL ? "k9.jsonl" : "kterm.jsonl");
	int fds[2], st;
	char c;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	if ((pid = fork()) == 0) {
		struct ostream *o = ostream_open(p);
		static char big[1 << 20];

		memset(big, 'x', sizeof(big));
		ostream_write(o, big, sizeof(big));
		ostream_flush(o);
		CHECK(write(fds[1], "w", 1) == 1);
		pause();
		_exit(0);
	}
	CHECK(read(fds[0], &c, 1) == 1);
	kill(pid, sig);
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig);
	CHECK(access(p, F_OK) != 0);	/* never under the final name */
	if (sig == SIGKILL)		/* the hidden temporary stays */
		CHECK(count_files(".k9.jsonl.tmp-") == 1);
	else				/* a handled signal cleans up */
		CHECK(count_files(".kterm.jsonl.tmp-") == 0);
	close(fds[0]);
	close(fds[1]);
	free(p);
}

static void
killed_sigkill(void)
{
	killed_run(SIGKILL);
}

static void
killed_sigterm(void)
{
	killed_run(SIGTERM);
}

static void
abandon(void)
{
	char *p = path("abandon.jsonl");
	struct ostream *o = ostream_open(p);

	ostream_write(o, "x\n", 2);
	ostream_close(o, false);
	CHECK(access(p, F_OK) != 0);
	CHECK(count_files(".abandon.jsonl.tmp-") == 0);
	free(p);
}

static void
replace_existing(void)
{
	char *p = path("exist.jsonl");
	struct buf got = BUF_INIT;
	const char *err;

	stream_write_file(p, "old\n", 4);
	stream_write_file(p, "new\n", 4);
	read_back(p, &got, &err);
	CHECK_STR(got.data, "new\n");
	free(p);
	buf_release(&got);
}

int
main(void)
{
	int st;
	struct buf cmd = BUF_INIT;

	if (mkdtemp(dir) == NULL)
		return 1;
	T_RUN(round_trips);
	T_RUN(corrupt_input);
	T_RUN(killed_sigkill);
	T_RUN(killed_sigterm);
	T_RUN(abandon);
	T_RUN(replace_existing);
	st = t_done();
	buf_addf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.data) != 0)
		st = 1;
	buf_release(&cmd);
	return st;
}
