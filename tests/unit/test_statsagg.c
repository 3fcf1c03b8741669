/*
 * test_statsagg.c - stats-agg's state and report: the chi-square tail
 * against closed forms, the expected-mix file, stage summaries, the state
 * file round trip, merges, and outliers planted in a synthetic language.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "t.h"
#include "../../filters/stats-agg/report.h"
#include "../../filters/stats-agg/stats.h"

static void
chi_square_tail(void)
{
	double p;

	/* 95% critical values */
	CHECK(fabs(chisq_sf(3.841458820694124, 1) - 0.05) < 1e-12);
	CHECK(fabs(chisq_sf(11.070497693516351, 5) - 0.05) < 1e-12);
	CHECK(fabs(chisq_sf(18.307038053275146, 10) - 0.05) < 1e-12);
	/* df 3: erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2) */
	p = erfc(sqrt(10.0)) + sqrt(40.0 / 3.141592653589793) * exp(-10.0);
	CHECK(fabs(chisq_sf(20, 3) - p) < 1e-12 * 1e4 * p);
	/* df 2: exp(-x/2) */
	CHECK(fabs(chisq_sf(7, 2) - exp(-3.5)) < 1e-14);
	CHECK(chisq_sf(0, 4) == 1);
	p = chisq_sf(1000, 10);
	CHECK(p > 0 && p < 1e-150);
}

static void
expect_file(void)
{
	struct expect e;
	struct buf why = BUF_INIT;
	static const char ok[] = "{\"Python\": 2, \"Go\": 1, \"(other)\": 1}";

	CHECK(expect_parse(&e, "mix.json", ok, strlen(ok), &why));
	CHECK_EQ_U(e.n, 3);
	CHECK(e.other);
	CHECK_STR(e.lang[0], "Python");
	expect_release(&e);
	CHECK(!expect_parse(&e, "x", "[1,2]", 5, &why));
	buf_reset(&why);
	CHECK(!expect_parse(&e, "x", "{\"C\": 0, \"Go\": 1}", 17, &why));
	CHECK(strstr(why.data, "'C'") != NULL);
	buf_reset(&why);
	CHECK(!expect_parse(&e, "x", "{\"C\": 1}", 8, &why));
	buf_reset(&why);
	CHECK(!expect_parse(&e, "x", "{\"C\": \"1\", \"D\": 1}", 18, &why));
	buf_release(&why);
}

static void
stage_summaries(void)
{
	static const char a[] = "{\"filter\":\"dedup-exact\","
	    "\"stage\":\"dedup\","
	    "\"shard\":null,\"records\":{\"in\":10,\"out\":7,\"dropped\":2,"
	    "\"rejected\":1},\"bytes\":{\"in\":100,\"out\":70},"
	    "\"rejects_by_reason\":{\"bad-json\":1},\"duration_seconds\":0.5}";
	static const char b[] = "{\"filter\":\"pii-scrub\",\"stage\":\"scrub\","
	    "\"records\":{\"in\":10,\"out\":10,\"dropped\":0,\"rejected\":0}}";
	static const char bad[] = "{\"filter\":\"x\",\"records\":{\"in\":1}}";
	struct stats_params p = { 5, 100 };
	struct stats s;
	struct buf why = BUF_INIT;

	stats_init(&s, &p);
	CHECK(stats_add_summary(&s, "a", a, strlen(a), &why));
	CHECK(stats_add_summary(&s, "b", b, strlen(b), &why));
	CHECK(!stats_add_summary(&s, "a", a, strlen(a), &why));
	CHECK(strstr(buf_cstr(&why), "given before") != NULL);
	buf_reset(&why);
	CHECK(!stats_add_summary(&s, "bad", bad, strlen(bad), &why));
	CHECK(strstr(buf_cstr(&why), "out") != NULL);
	buf_reset(&why);
	CHECK(!stats_add_summary(&s, "x", "{} x", 4, &why));
	stats_sort_stages(&s);
	CHECK_EQ_U(s.nst, 2);
	CHECK_STR(s.st[0].stage, "scrub");	/* pii-scrub runs first */
	CHECK_STR(s.st[1].stage, "dedup");
	CHECK_EQ_U(s.st[1].rdrop, 2);
	stats_release(&s);
	buf_release(&why);
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A synthetic record: language l, size around 2^k, a planted id. */
static void
fake(struct obs *o, const char *lang, uint64_t bytes, const char *id,
    uint64_t *seed)
{
	static const char *const kinds[] = { "email", "ip_address", "key" };
	char pii[96];

	memset(o, 0, sizeof(*o));
	o->lang.p = lang;
	o->lang.n = strlen(lang);
	o->ext.p = "py";
	o->ext.n = 2;
	o->repo.p = (rnd(seed) & 1) ? "a/one" : "b/two";
	o->repo.n = 5;
	o->id.p = id;
	o->id.n = strlen(id);
	o->has_content = o->has_bytes = true;
	o->bytes = bytes;
	o->tm.bytes = o->tm.chars = bytes;
	o->tm.lines = bytes / 40 + 1;
	o->tm.line_chars = bytes - o->tm.lines + 1;
	o->tm.max_line = 60 + rnd(seed) % 40;
	o->tm.alnum = bytes / 2;
	o->has_tokens = true;
	o->tokens = bytes / 4;
	o->dup = rnd(seed) % 10 == 0;
	snprintf(pii, sizeof(pii), "{\"total\":%d,\"%s\":%d}",
	    (int)(rnd(seed) % 3), kinds[rnd(seed) % 3], 0);
	o->pii = json_tokener_parse(pii);
	o->quality = json_tokener_parse(rnd(seed) % 4 ? "{\"ok\":true}" :
	    "{\"ok\":false,\"failed\":[\"max-line-length\"]}");
}

static void
fill(struct stats *s, int from, int to, uint64_t seed)
{
	struct obs o;
	char id[32];
	uint64_t b;
	int i;

	for (i = from; i < to; i++) {
		snprintf(id, sizeof(id), "r%05d", i);
		b = 1000 + rnd(&seed) % 1000;	/* all between 1 and 2 kB */
		if (i == 77)
			b = 4000000;		/* planted: a 4 MB file */
		if (i == 78)
			b = 3;			/* planted: a 3-byte file */
		fake(&o, i % 3 ? "Python" : "Go", b, id, &seed);
		stats_add(s, &o);
		obs_release(&o);
	}
}

static char *
report_of(struct stats *s)
{
	struct expect e;
	struct report_params rp = { 3.5, 20, NULL, "content", "blob_id",
	    "language" };
	json_object *r;
	struct buf b = BUF_INIT;

	expect_default(&e);
	rp.expect = &e;
	r = report_build(s, &rp);
	report_text(r, &b);
	json_object_put(r);
	expect_release(&e);
	return buf_detach(&b, NULL);
}

static void
state_round_trip_and_merge(void)
{
	struct stats_params p = { 5, 1000 };
	struct stats one, a, b, back;
	struct buf s1 = BUF_INIT, s2 = BUF_INIT, why = BUF_INIT;
	char *r1, *r2, *r3;

	stats_init(&one, &p);
	fill(&one, 0, 3000, 1);

	/* the same records, drawn with the same seed, split in two states */
	stats_init(&a, &p);
	stats_init(&b, &p);
	{
		struct obs o;
		char id[32];
		uint64_t seed = 1, bytes;
		int i;

		for (i = 0; i < 3000; i++) {
			snprintf(id, sizeof(id), "r%05d", i);
			bytes = 1000 + rnd(&seed) % 1000;
			if (i == 77)
				bytes = 4000000;
			if (i == 78)
				bytes = 3;
			fake(&o, i % 3 ? "Python" : "Go", bytes, id, &seed);
			stats_add(i % 2 ? &a : &b, &o);
			obs_release(&o);
		}
	}
	stats_save(&a, &s1);
	CHECK(stats_load(&back, s1.data, s1.len, &why));
	CHECK(why.len == 0);
	stats_save(&back, &s2);
	CHECK(s1.len == s2.len && memcmp(s1.data, s2.data, s1.len) == 0);
	CHECK(stats_merge(&back, &b, &why));
	r1 = report_of(&one);
	r2 = report_of(&back);
	CHECK(strcmp(r1, r2) == 0);
	/* the planted outliers are found, by id */
	CHECK(strstr(r1, "\"id\": \"r00077\"") != NULL);
	CHECK(strstr(r1, "\"id\": \"r00078\"") != NULL);
	CHECK(strstr(r1, "\"value\": 4000000") != NULL);

	/* a damaged state is refused with a reason */
	s1.data[s1.len / 2] = '#';
	stats_release(&a);
	buf_reset(&why);
	CHECK(!stats_load(&a, s1.data, s1.len, &why));
	CHECK(why.len > 0);
	stats_release(&a);
	buf_reset(&why);
	{
		static const char v9[] = "{\"format\":"
		    "\"codesift-stats-agg-state\",\"version\":9}";

		CHECK(!stats_load(&a, v9, strlen(v9), &why));
	}
	CHECK(strstr(buf_cstr(&why), "version 9") != NULL);
	stats_release(&a);

	/* other parameters do not merge */
	p.outliers = 6;
	stats_init(&a, &p);
	buf_reset(&why);
	CHECK(!stats_merge(&back, &a, &why));
	stats_release(&a);

	/* building a report changes nothing: same report, same state */
	buf_reset(&s1);
	buf_reset(&s2);
	stats_save(&one, &s1);
	r3 = report_of(&one);
	stats_save(&one, &s2);
	CHECK(strcmp(r1, r3) == 0);
	CHECK(s1.len == s2.len && memcmp(s1.data, s2.data, s1.len) == 0);
	free(r1);
	free(r2);
	free(r3);
	stats_release(&one);
	stats_release(&b);
	stats_release(&back);
	buf_release(&s1);
	buf_release(&s2);
	buf_release(&why);
}

int
main(void)
{
	T_RUN(chi_square_tail);
	T_RUN(expect_file);
	T_RUN(stage_summaries);
	T_RUN(state_round_trip_and_merge);
	return t_done();
}
