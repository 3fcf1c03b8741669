/*
 * test_rec.c - the record reader (buffer boundaries, final lines, CRLF,
 * NUL, invalid UTF-8, gzip and zstd, over-long lines), field getters,
 * editing, and a differential test of the fast path against json-c over
 * the sample (and over the whole corpus when ../shared is present, or
 * $CODESIFT_CORPUS names it).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>
#include <zstd.h>

#include "rec.h"
#include "t.h"

static char tmpdir[] = "/tmp/test_rec.XXXXXX";

static char *
tmpfile_with(const char *name, const void *data, size_t n)
{
	struct buf p = BUF_INIT;
	FILE *f;

	buf_addf(&p, "%s/%s", tmpdir, name);
	f = fopen(p.data, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	return buf_detach(&p, NULL);
}

/* Read every line of path(s) into a list "len:first8|..." for checks. */
static void
read_all(char *const paths[], size_t np, size_t max, struct buf *out)
{
	struct rec_in *in = rec_in_open(paths, np, max);
	struct rec r = REC_INIT;
	enum rec_next st;
	const char *p;
	size_t n, total;

	while ((st = rec_in_next(in, &r)) != REC_EOF) {
		total = r.len;
		if (st == REC_TOOBIG)
			while (rec_in_drain(in, &p, &n))
				total += n;
		buf_addf(out, "%s%llu:%zu:%.*s|", st == REC_TOOBIG ? "BIG " : "",
		    (unsigned long long)r.line, total,
		    (int)(r.len < 6 ? r.len : 6), st == REC_TOOBIG ? "" : r.raw);
	}
	rec_release(&r);
	rec_in_close(in);
}

static void
final_line_and_crlf(void)
{
	struct buf o = BUF_INIT;
	char *p = tmpfile_with("a.jsonl", "{\"a\":1}\r\n\n{\"b\":2}", 17);

	read_all(&p, 1, 1024, &o);
	CHECK_STR(o.data, "1:8:{\"a\":1|2:0:|3:7:{\"b\":2|");
	free(p);
	buf_release(&o);
}

static void
long_lines(void)
{
	/* lines far longer than the 4 MiB start buffer and 1 MiB reads */
	size_t big = (9u << 20) + 7, n = 0;
	char *data = malloc(big + 64), *p;
	struct buf o = BUF_INIT;

	memcpy(data, "{\"a\":1}\n", 8);
	n = 8;
	memset(data + n, 'x', big);
	n += big;
	data[n++] = '\n';
	memcpy(data + n, "{\"z\":2}\n", 8);
	n += 8;
	p = tmpfile_with("long.jsonl", data, n);
	read_all(&p, 1, 64u << 20, &o);
	buf_reset(&o);
	read_all(&p, 1, 64u << 20, &o);
	CHECK(strncmp(o.data, "1:7:{\"a\":1|2:9437191:xxxxxx|3:7:{\"z\":2|",
	    o.len) == 0);
	/* the same line, over the limit: returned as too big, drained */
	buf_reset(&o);
	read_all(&p, 1, 1000, &o);
	CHECK_STR(o.data, "1:7:{\"a\":1|BIG 2:9437191:|3:7:{\"z\":2|");
	/* over the limit and without a final newline */
	buf_reset(&o);
	free(p);
	p = tmpfile_with("long2.jsonl", data, 8 + big);
	read_all(&p, 1, 5000, &o);
	CHECK_STR(o.data, "1:7:{\"a\":1|BIG 2:9437191:|");
	free(p);
	free(data);
	buf_release(&o);
}

static void
many_files(void)
{
	char *p[2];
	struct buf o = BUF_INIT;

	p[0] = tmpfile_with("m1.jsonl", "{\"a\":1}\n{\"a\":2}", 15);
	p[1] = tmpfile_with("m2.jsonl", "{\"b\":3}\n", 8);
	read_all(p, 2, 100, &o);
	/* no joining across files; line numbers restart */
	CHECK_STR(o.data, "1:7:{\"a\":1|2:7:{\"a\":2|1:7:{\"b\":3|");
	free(p[0]);
	free(p[1]);
	buf_release(&o);
}

static void
compressed(void)
{
	const char *text = "{\"a\":\"x\"}\n{\"a\":\"y\"}\n";
	size_t tn = strlen(text), cn;
	struct buf o = BUF_INIT, path = BUF_INIT;
	char *p, *cbuf = malloc(4096);
	gzFile gz;

	/* gzip with two members (as `cat a.gz b.gz` makes) */
	buf_addf(&path, "%s/c.jsonl.gz", tmpdir);
	gz = gzopen(path.data, "wb");
	gzwrite(gz, text, (unsigned)tn);
	gzclose(gz);
	{
		FILE *f = fopen(path.data, "rb");
		size_t k = fread(cbuf, 1, 4096, f);

		fclose(f);
		f = fopen(path.data, "ab");
		fwrite(cbuf, 1, k, f);
		fclose(f);
	}
	p = path.data;
	read_all(&p, 1, 100, &o);
	CHECK_STR(o.data, "1:9:{\"a\":\"|2:9:{\"a\":\"|3:9:{\"a\":\"|4:9:{\"a\":\"|");

	/* zstd, two frames; and sniffed without the .zst name */
	cn = ZSTD_compress(cbuf, 4096, text, tn, 3);
	memcpy(cbuf + cn, cbuf, cn);
	free(tmpfile_with("c.jsonl.zst", cbuf, 2 * cn));
	buf_reset(&path);
	buf_addf(&path, "%s/c.jsonl.zst", tmpdir);
	p = path.data;
	buf_reset(&o);
	read_all(&p, 1, 100, &o);
	CHECK_STR(o.data, "1:9:{\"a\":\"|2:9:{\"a\":\"|3:9:{\"a\":\"|4:9:{\"a\":\"|");
	p = tmpfile_with("sniffed.jsonl", cbuf, cn);
	buf_reset(&o);
	read_all(&p, 1, 100, &o);
	CHECK_STR(o.data, "1:9:{\"a\":\"|2:9:{\"a\":\"|");
	free(p);

	/* a .gz name that is not gzip is refused before reading */
	{
		char *q = tmpfile_with("plain.gz", text, tn);
		const char *why = NULL;

		CHECK(rec_in_check(&q, 1, &why) != NULL);
		CHECK_STR(why, "not in gzip format");
		free(q);
	}
	buf_release(&path);
	buf_release(&o);
	free(cbuf);
}

static void
getters(void)
{
	struct rec r = REC_INIT;
	const char *line = "{\"s\":\"a\\u00e9\\n\",\"i\":-42,\"big\":"
	    "99999999999999999999,\"f\":2.5e1,\"b\":true,\"n\":null,"
	    "\"arr\":[1,\"x\"],\"d\":1,\"d\":2,\"k\\u0065y\":\"esc\"}";
	struct strv s;
	int64_t i;
	double d;
	bool b;
	json_object *o;

	rec_set_line(&r, line, strlen(line), "t", 1);
	CHECK(rec_str(&r, "s", &s) == REC_GOT);
	CHECK_MEM(s.p, s.n, "a\xC3\xA9\n");
	CHECK(rec_str_canon(&r, "s", &s) == REC_GOT);
	CHECK_MEM(s.p, s.n, "a\xC3\xA9\\n");
	CHECK(rec_i64(&r, "i", &i) == REC_GOT && i == -42);
	CHECK(rec_i64(&r, "big", &i) == REC_BAD);
	CHECK_STR(rec_reason(&r), "bad-field");
	CHECK(rec_i64(&r, "f", &i) == REC_BAD);
	CHECK(rec_num(&r, "f", &d) == REC_GOT && d == 25.0);
	CHECK(rec_bool(&r, "b", &b) == REC_GOT && b);
	CHECK(rec_str(&r, "n", &s) == REC_BAD);
	CHECK_STR(rec_detail(&r), "field 'n' is null, not a string");
	CHECK(rec_str(&r, "nope", &s) == REC_ABSENT);
	CHECK_STR(rec_reason(&r), "missing-field");
	CHECK_STR(rec_detail(&r), "no field 'nope'");
	CHECK(rec_i64(&r, "d", &i) == REC_GOT && i == 2);	/* last wins */
	CHECK(rec_str(&r, "key", &s) == REC_GOT);		/* escaped key */
	CHECK_MEM(s.p, s.n, "esc");
	CHECK(rec_raw(&r, "arr", &s) == REC_GOT);
	CHECK_MEM(s.p, s.n, "[1,\"x\"]");
	o = rec_get_json(&r, "arr");
	CHECK(o != NULL && json_object_array_length(o) == 2);
	json_object_put(o);
	CHECK(rec_type(&r, "n") == JT_NULL && rec_type(&r, "zz") == -1);
	CHECK(rec_json(&r) != NULL);

	rec_set_line(&r, "[1]", 3, "t", 2);
	CHECK(rec_str(&r, "s", &s) == REC_BAD);
	CHECK_STR(rec_reason(&r), "not-object");
	rec_set_line(&r, "{\"a\":\"\xff\"}", 10, "t", 3);
	CHECK(!rec_scan(&r));
	CHECK_STR(rec_reason(&r), "bad-utf8");
	CHECK_STR(rec_detail(&r), "column 7: invalid UTF-8 in string");
	rec_set_line(&r, "{\"a\":1,}", 8, "t", 4);
	CHECK(!rec_scan(&r));
	CHECK_STR(rec_reason(&r), "bad-json");
	rec_release(&r);
}

static void
render(struct rec *r, const char *line, struct buf *out)
{
	(void)line;
	buf_reset(out);
	rec_render(r, out);
}

static void
editing(void)
{
	struct rec r = REC_INIT;
	struct buf o = BUF_INIT;
	const char *l1 = "{\"a\":1,\"content\":\"x\",\"z\":[1]}";
	const char *l2 = "{\"a\": 1, \"b\": \"two\"}\r";

	rec_set_line(&r, l1, strlen(l1), "t", 1);
	render(&r, l1, &o);
	CHECK_STR(o.data, l1);		/* no edits: the line itself */
	rec_set_str(&r, "content", "y\n\"", 3);
	rec_set_i64(&r, "n_tokens", 12);
	render(&r, l1, &o);
	CHECK_STR(o.data, "{\"a\":1,\"content\":\"y\\n\\\"\",\"z\":[1],"
	    "\"n_tokens\":12}");
	rec_set_i64(&r, "n_tokens", 13);	/* set twice: last wins */
	rec_del(&r, "a");
	render(&r, l1, &o);
	CHECK_STR(o.data, "{\"content\":\"y\\n\\\"\",\"z\":[1],\"n_tokens\":13}");
	rec_del(&r, "n_tokens");
	rec_del(&r, "z");
	render(&r, l1, &o);
	CHECK_STR(o.data, "{\"content\":\"y\\n\\\"\"}");

	/* original spacing kept between untouched neighbours; CR kept */
	rec_set_line(&r, l2, strlen(l2), "t", 2);
	rec_set_raw(&r, "pii", "{\"total\":0}", 11);
	render(&r, l2, &o);
	CHECK_STR(o.data, "{\"a\": 1, \"b\": \"two\",\"pii\":{\"total\":0}}\r");
	rec_set_str(&r, "a", "s", 1);
	render(&r, l2, &o);
	CHECK_STR(o.data, "{\"a\": \"s\", \"b\": \"two\",\"pii\":{\"total\":0}}\r");

	rec_set_line(&r, "{}", 2, "t", 3);
	rec_set_str(&r, "k", "v", 1);
	render(&r, "{}", &o);
	CHECK_STR(o.data, "{\"k\":\"v\"}");
	rec_release(&r);
	buf_release(&o);
}

/* Compare every member the scanner found with json-c's parse. */
static int
differential(const char *path, uint64_t *nrec)
{
	char *paths[1] = { (char *)(uintptr_t)path };
	struct rec_in *in = rec_in_open(paths, 1, 64u << 20);
	struct rec r = REC_INIT;
	int bad = 0;
	size_t i;

	while (rec_in_next(in, &r) == REC_OK) {
		char *line = xstrndup(r.raw, r.len);
		json_object *o = json_tokener_parse(line), *v;
		struct json_object_iterator it, end;

		free(line);
		(*nrec)++;
		if (o == NULL || !rec_scan(&r)) {
			bad++;
			continue;
		}
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (i = 0; !json_object_iter_equal(&it, &end); i++,
		    json_object_iter_next(&it)) {
			const char *k = json_object_iter_peek_name(&it);
			const struct jmember *m = rec_member(&r, k);
			struct strv s;

			v = json_object_iter_peek_value(&it);
			if (m == NULL) {
				bad++;
				continue;
			}
			if (json_object_is_type(v, json_type_string)) {
				s = rec_member_str(&r, m);
				if ((size_t)json_object_get_string_len(v) != s.n ||
				    memcmp(json_object_get_string(v), s.p, s.n))
					bad++;
			} else {
				json_object *w = rec_get_json(&r, k);

				if (m->type != JT_NULL &&
				    !json_object_equal(v, w))
					bad++;
				json_object_put(w);
			}
		}
		if (i != r.js.n)
			bad++;
		json_object_put(o);
	}
	rec_release(&r);
	rec_in_close(in);
	return bad;
}

static void
json_c_differential(void)
{
	const char *top = getenv("CODESIFT_TOP");
	const char *corpus = getenv("CODESIFT_CORPUS");
	struct buf p = BUF_INIT;
	uint64_t n = 0;

	buf_addf(&p, "%s/tests/fixtures/code-sample.jsonl", top ? top : ".");
	CHECK(differential(p.data, &n) == 0);
	CHECK_EQ_U(n, 500);
	buf_reset(&p);
	if (corpus == NULL) {
		buf_addf(&p, "%s/../shared/corpus/code-corpus.jsonl.zst",
		    top ? top : ".");
		corpus = p.data;
	}
	if (access(corpus, R_OK) == 0) {
		n = 0;
		CHECK(differential(corpus, &n) == 0);
		printf("# json-c differential: %llu corpus records, 0 "
		    "differences expected\n", (unsigned long long)n);
		CHECK_EQ_U(n, 14151);
	} else
		printf("# json-c differential: sample only (%s not found)\n",
		    corpus);
	buf_release(&p);
}

int
main(void)
{
	int st;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	T_RUN(final_line_and_crlf);
	T_RUN(long_lines);
	T_RUN(many_files);
	T_RUN(compressed);
	T_RUN(getters);
	T_RUN(editing);
	T_RUN(json_c_differential);
	st = t_done();
	{
		struct buf cmd = BUF_INIT;

		buf_addf(&cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd.data) != 0)
			st = 1;
		buf_release(&cmd);
	}
	return st;
}
