/*
 * test_run.c - the run: accounting (in = out + dropped + rejected), the
 * reject records (replayable, lossless for invalid UTF-8 and for lines
 * over --max-record-bytes, streamed whole), --max-rejects, the summary;
 * and the pool: the same bytes out whatever the number of threads, and
 * its side channel in input order.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "pool.h"
#include "run.h"
#include "stream.h"
#include "t.h"

static char dir[] = "/tmp/test_run.XXXXXX";

static char *
path(const char *name)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, name);
	return buf_detach(&b, NULL);
}

static void
slurp(const char *p, struct buf *out)
{
	FILE *f = fopen(p, "rb");
	char tmp[65536];
	size_t n;

	buf_reset(out);
	if (f == NULL)
		return;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	fclose(f);
}

/* The test input: good, bad and huge lines (expected order below). */
static void
make_input(const char *p, struct buf *big)
{
	FILE *f = fopen(p, "wb");
	size_t i;

	/* 3 MiB of a 3-byte character: pieces split inside characters */
	buf_adds(big, "{\"content\":\"");
	for (i = 0; i < (1u << 20); i++)
		buf_adds(big, "\xE2\x82\xAC");
	buf_adds(big, "\"}");
	fputs("{\"content\":\"a\"}\n", f);			/* 1 emit */
	fputs("not json\n", f);					/* 2 bad-json */
	fputs("{\"content\":\"drop\"}\n", f);			/* 3 drop */
	fputs("\n", f);						/* 4 empty */
	fputs("{\"content\":\"\xff\xfe\"}\n", f);		/* 5 bad-utf8 */
	fwrite(big->data, 1, big->len, f);			/* 6 too-large */
	fputs("\n", f);
	fputs("{\"other\":1}\n", f);				/* 7 missing */
	fputs("{\"content\":\"b\"}", f);			/* 8 emit, no NL */
	fclose(f);
}

static struct opt_shared
base_opts(const char *out, const char *rej, const char *sum)
{
	struct opt_shared o;

	memset(&o, 0, sizeof(o));
	o.out = out;
	o.rejects = rej;
	o.summary = sum;
	o.field = "content";
	o.id_field = "blob_id";
	o.stage = "test";
	o.progress = 0;
	o.quiet = 1;
	o.max_record_bytes = 1000;
	return o;
}

static void
accounting(void)
{
	char *in = path("in.jsonl"), *out = path("out.jsonl"),
	    *rej = path("rej.jsonl"), *sum = path("sum.json");
	struct opt_shared o = base_opts(out, rej, sum);
	struct buf big = BUF_INIT, got = BUF_INIT;
	struct rec r = REC_INIT;
	struct run *run;
	struct strv s;
	json_object *j, *v;
	char *lines[16], *save = NULL, *l;
	int n = 0, st;

	make_input(in, &big);
	run = run_new(&o, 1, &in);
	while (run_next(run, &r)) {
		if (rec_str(&r, "content", &s) != REC_GOT)
			run_reject_rec(run, &r);
		else if (s.n == 4 && memcmp(s.p, "drop", 4) == 0)
			run_drop(run, &r);
		else
			run_emit(run, &r);
	}
	rec_release(&r);
	st = run_finish(run);
	CHECK_EQ_U(st, 0);

	slurp(out, &got);
	CHECK_STR(got.data, "{\"content\":\"a\"}\n{\"content\":\"b\"}\n");

	slurp(rej, &got);
	for (l = strtok_r(got.data, "\n", &save); l != NULL && n < 16;
	    l = strtok_r(NULL, "\n", &save))
		lines[n++] = xstrdup(l);
	CHECK_EQ_U(n, 5);
	if (n == 5) {
		static const char *const why[] = { "bad-json", "empty-line",
		    "bad-utf8", "too-large", "missing-field" };
		static const int at[] = { 2, 4, 5, 6, 7 };
		int i;

		for (i = 0; i < 5; i++) {
			j = json_tokener_parse(lines[i]);
			CHECK(j != NULL);
			json_object_object_get_ex(j, "reason", &v);
			CHECK_STR(json_object_get_string(v), why[i]);
			json_object_object_get_ex(j, "line", &v);
			CHECK_EQ_U(json_object_get_int(v), at[i]);
			json_object_object_get_ex(j, "filter", &v);
			CHECK(v != NULL);
			json_object_object_get_ex(j, "record", &v);
			if (i == 0)
				CHECK_STR(json_object_get_string(v), "not json");
			if (i == 2) {
				/* not UTF-8: the exact bytes in base64 */
				json_object *b64;

				CHECK(json_object_object_get_ex(j,
				    "record_base64", &b64));
				CHECK_STR(json_object_get_string(b64),
				    "eyJjb250ZW50Ijoi//4ifQ==");
			}
			if (i == 3) {
				/* the whole 3 MiB line, character-exact */
				CHECK_EQ_U(json_object_get_string_len(v),
				    big.len);
				CHECK(memcmp(json_object_get_string(v),
				    big.data, big.len) == 0);
			}
			json_object_put(j);
		}
	}
	while (n > 0)
		free(lines[--n]);

	j = json_object_from_file(sum);
	CHECK(j != NULL);
	if (j != NULL) {
		json_object *rc;

		json_object_object_get_ex(j, "records", &rc);
		CHECK_STR(json_object_to_json_string_ext(rc,
		    JSON_C_TO_STRING_PLAIN),
		    "{\"in\":8,\"out\":2,\"dropped\":1,\"rejected\":5}");
		json_object_object_get_ex(j, "rejects_by_reason", &rc);
		json_object_object_get_ex(rc, "too-large", &v);
		CHECK_EQ_U(json_object_get_int(v), 1);
		json_object_put(j);
	}
	free(in);
	free(out);
	free(rej);
	free(sum);
	buf_release(&big);
	buf_release(&got);
}

static int
limited_run(const char *limit_arg)
{
	char *in = path("in.jsonl"), *out = path("lim.jsonl");
	struct opt_shared o = base_opts(out, NULL, NULL);
	struct rec r = REC_INIT;
	struct run *run;
	struct strv s;
	int st;

	o.max_rejects_set = true;
	opt_limit("--max-rejects", limit_arg, &o.max_rejects,
	    &o.max_rejects_pct);
	run = run_new(&o, 1, &in);
	while (run_next(run, &r))
		if (rec_str(&r, "content", &s) != REC_GOT)
			run_reject_rec(run, &r);
		else
			run_emit(run, &r);
	rec_release(&r);
	st = run_finish(run);
	free(in);
	free(out);
	return st;
}

static void
max_rejects(void)
{
	/* 5 of 8 records are rejected */
	CHECK_EQ_U(limited_run("5"), 0);
	CHECK_EQ_U(limited_run("4"), 1);
	CHECK_EQ_U(limited_run("62.5%"), 0);
	CHECK_EQ_U(limited_run("62%"), 1);
	CHECK_EQ_U(limited_run("0"), 1);
}

/* A pool worker: drop, reject or edit, from the record alone. */
static void
work(void *ctx, struct rec *r, struct pool_verdict *v)
{
	struct strv s;

	(*(int *)ctx)++;
	if (rec_str(r, "content", &s) != REC_GOT) {
		pool_reject_rec(v, r);
		return;
	}
	if (s.n % 5 == 0)
		pool_drop(v);
	else if (s.n % 7 == 0)
		pool_reject(v, "sevens", "length %zu", s.n);
	else
		rec_set_i64(r, "len", (int64_t)s.n);
}

static void
pool_determinism(void)
{
	char *in = path("pool.jsonl"), *out, *rej;
	struct buf first_out = BUF_INIT, first_rej = BUF_INIT, got = BUF_INIT;
	FILE *f = fopen(in, "wb");
	unsigned threads;
	int i, counts[4];
	void *ctx[4];

	for (i = 0; i < 3000; i++) {
		if (i % 997 == 500)
			fputs("\n", f);
		else if (i == 1500) {	/* a too-large line mid-stream */
			fputs("{\"content\":\"", f);
			for (int k = 0; k < 3000; k++)
				fputc('z', f);
			fputs("\"}\n", f);
		} else
			fprintf(f, "{\"content\":\"%.*s\",\"i\":%d}\n",
			    i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			    i);
	}
	fclose(f);
	for (threads = 1; threads <= 4; threads++) {
		struct opt_shared o;
		struct run *run;

		out = path("pool-out.jsonl");
		rej = path("pool-rej.jsonl");
		o = base_opts(out, rej, NULL);
		o.max_record_bytes = 2000;
		for (i = 0; i < 4; i++) {
			counts[i] = 0;
			ctx[i] = &counts[i];
		}
		run = run_new(&o, 1, &in);
		pool_run(run, threads, work, ctx);
		CHECK_EQ_U(run_count_in(run), 3000);
		CHECK_EQ_U(run_finish(run), 0);
		CHECK_EQ_U(counts[0] + counts[1] + counts[2] + counts[3],
		    3000 - 3 - 1);
		if (threads == 1) {
			slurp(out, &first_out);
			slurp(rej, &first_rej);
			CHECK(first_out.len > 0 && first_rej.len > 0);
		} else {
			slurp(out, &got);
			CHECK(got.len == first_out.len &&
			    memcmp(got.data, first_out.data, got.len) == 0);
			slurp(rej, &got);
			CHECK(got.len == first_rej.len &&
			    memcmp(got.data, first_rej.data, got.len) == 0);
		}
		free(out);
		free(rej);
	}
	free(in);
	buf_release(&first_out);
	buf_release(&first_rej);
	buf_release(&got);
}

/* A worker that writes "<line>\n" to the side channel of odd records. */
static void
side_work(void *ctx, struct rec *r, struct pool_verdict *v)
{
	char tag[32];
	int n;

	(void)ctx;
	if (r->line % 2 == 1) {
		n = snprintf(tag, sizeof(tag), "%llu", (unsigned long long)r->line);
		pool_side(v, tag, (size_t)n);
		pool_side(v, "\n", 1);
	}
	if (r->line % 3 == 0)
		pool_drop(v);
}

static void
collect(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
}

static void
pool_side_order(void)
{
	char *in = path("side.jsonl"), *out = path("side-out.jsonl");
	struct buf want = BUF_INIT, got = BUF_INIT;
	FILE *f = fopen(in, "wb");
	unsigned threads;
	void *ctx[3] = { NULL, NULL, NULL };
	int i;

	for (i = 1; i <= 2000; i++) {
		fprintf(f, "{\"content\":\"%d\"}\n", i);
		if (i % 2 == 1)
			buf_addf(&want, "%d\n", i);
	}
	fclose(f);
	for (threads = 1; threads <= 3; threads++) {
		struct opt_shared o = base_opts(out, NULL, NULL);
		struct run *run = run_new(&o, 1, &in);

		buf_reset(&got);
		pool_run_side(run, threads, side_work, ctx, collect, &got);
		CHECK_EQ_U(run_finish(run), 0);
		CHECK(got.len == want.len &&
		    memcmp(got.data, want.data, got.len) == 0);
	}
	free(in);
	free(out);
	buf_release(&want);
	buf_release(&got);
}

int
main(void)
{
	int st;
	struct buf cmd = BUF_INIT;

	err_setprog("test_run");
	if (mkdtemp(dir) == NULL)
		return 1;
	T_RUN(accounting);
	T_RUN(max_rejects);
	T_RUN(pool_determinism);
	T_RUN(pool_side_order);
	st = t_done();
	buf_addf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.data) != 0)
		st = 1;
	buf_release(&cmd);
	return st;
}
