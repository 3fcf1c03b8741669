/*
 * test_tables.c - stats-agg's name map, limited counters, SpaceSaving and
 * extremes, each against a slow obvious reference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "t.h"
#include "../../filters/stats-agg/tables.h"

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
name_of(char *b, size_t cap, uint64_t i)
{
	snprintf(b, cap, "repo-%llu/x", (unsigned long long)i);
}

/* Many renames force deletions with backward shifts in every pattern. */
static void
strmap_rekey_vs_naive(void)
{
	enum { N = 3000, OPS = 40000 };
	struct strmap m;
	uint64_t *cur = xcalloc(N, sizeof(*cur)), seed = 5, v;
	char b[64];
	uint32_t i, k, bad = 0;
	int op;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < N; i++) {
		name_of(b, sizeof(b), i);
		CHECK_EQ_U(strmap_add(&m, b, strlen(b)), i);
		cur[i] = i;
	}
	v = N;
	for (op = 0; op < OPS; op++) {
		k = (uint32_t)(rnd(&seed) % N);
		name_of(b, sizeof(b), v);
		strmap_rekey(&m, k, b, strlen(b));
		cur[k] = v++;
	}
	for (i = 0; i < N; i++) {
		name_of(b, sizeof(b), cur[i]);
		bad += strmap_find(&m, b, strlen(b)) != i;
	}
	for (v = 0; v < N; v++) {	/* the first names were all renamed? */
		name_of(b, sizeof(b), v);
		k = strmap_find(&m, b, strlen(b));
		bad += k != STRMAP_NONE && cur[k] != v;
	}
	CHECK_EQ_U(bad, 0);
	strmap_release(&m);
	free(cur);
}

static void
ctab_limit(void)
{
	struct ctab t;
	struct group *g;
	char b[32];
	int i;

	ctab_init(&t, 3);
	for (i = 0; i < 10; i++) {
		snprintf(b, sizeof(b), "l%d", i % 5);
		g = ctab_get(&t, b, strlen(b));
		g->records++;
	}
	/* l0 l1 l2 kept; l3 and l4 (2 records each) under (other) */
	CHECK_EQ_U(ctab_count(&t), 4);
	CHECK_EQ_U(ctab_get(&t, "l0", 2)->records, 2);
	CHECK_EQ_U(ctab_get(&t, OTHER_NAME, strlen(OTHER_NAME))->records, 4);
	CHECK_EQ_U(t.overflow, 4);
	ctab_release(&t, NULL);
}

/* Zipf-like stream of names. */
static uint64_t
zipf(uint64_t *s, uint64_t n)
{
	double u = ((double)(rnd(s) >> 11) + 0.5) / 9007199254740992.0;

	return (uint64_t)((double)n * u * u * u);
}

static void
spacesaving_bounds(void)
{
	enum { DISTINCT = 5000, STREAM = 200000, CAP = 500 };
	struct spacesaving s, small, a, b;
	uint64_t *truth = xcalloc(DISTINCT, sizeof(*truth)), seed = 11, x;
	uint32_t *ix, k;
	char nm[64];
	int i, bad = 0;

	ss_init(&s, CAP);
	for (i = 0; i < STREAM; i++) {
		x = zipf(&seed, DISTINCT);
		truth[x]++;
		name_of(nm, sizeof(nm), x);
		ss_add(&s, nm, strlen(nm), 10, -1);
	}
	CHECK(s.evicted);
	/* every kept count brackets the truth: count - err <= true <= count */
	for (k = 0; k < ss_count(&s); k++) {
		x = strtoull(s.map.key[k] + 5, NULL, 10);
		if (s.it[k].count < truth[x] ||
		    s.it[k].count - s.it[k].err > truth[x])
			bad++;
	}
	CHECK_EQ_U(bad, 0);
	/* and the heaviest names are all there */
	ix = ss_sorted(&s);
	name_of(nm, sizeof(nm), 0);
	CHECK(strcmp(s.map.key[ix[0]], nm) == 0);
	free(ix);

	/* few names: exact, and merge == one pass */
	ss_init(&small, 100);
	ss_init(&a, 100);
	ss_init(&b, 100);
	for (i = 0; i < 3000; i++) {
		x = zipf(&seed, 80);
		name_of(nm, sizeof(nm), x);
		ss_add(&small, nm, strlen(nm), (uint64_t)i, (int64_t)x);
		ss_add(i % 3 ? &a : &b, nm, strlen(nm), (uint64_t)i,
		    (int64_t)x);
	}
	ss_merge(&a, &b);
	CHECK(!small.evicted && !a.evicted);
	CHECK_EQ_U(ss_count(&a), ss_count(&small));
	for (k = 0; k < ss_count(&small); k++) {
		uint32_t j = strmap_find(&a.map, small.map.key[k],
		    small.map.klen[k]);

		CHECK(j != STRMAP_NONE && a.it[j].count == small.it[k].count &&
		    a.it[j].bytes == small.it[k].bytes && a.it[j].err == 0 &&
		    a.it[j].stars == small.it[k].stars);
	}
	ss_release(&s);
	ss_release(&small);
	ss_release(&a);
	ss_release(&b);
	free(truth);
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
extremes_vs_sort(void)
{
	enum { N = 20000, K = 10 };
	struct extremes e, a, b;
	uint64_t *v = xmalloc(N * sizeof(*v)), seed = 3;
	struct cand c;
	char id[32];
	int i;

	ext_init(&e, K);
	ext_init(&a, K);
	ext_init(&b, K);
	for (i = 0; i < N; i++) {
		v[i] = rnd(&seed) % 100000;
		snprintf(id, sizeof(id), "id%d", i);
		cand_set(&c, v[i], id, strlen(id));
		ext_add(&e, &c);
		ext_add(i % 2 ? &a : &b, &c);
	}
	ext_merge(&a, &b);
	qsort(v, N, sizeof(*v), u64cmp);
	ext_sort(&e);
	ext_sort(&a);
	CHECK_EQ_U(e.nhi, K);
	for (i = 0; i < K; i++) {
		CHECK_EQ_U(e.hi[i].v, v[N - 1 - i]);
		CHECK_EQ_U(e.lo[i].v, v[i]);
		CHECK(cand_cmp(&e.hi[i], &a.hi[i]) == 0);
		CHECK(cand_cmp(&e.lo[i], &a.lo[i]) == 0);
	}
	ext_release(&e);
	ext_release(&a);
	ext_release(&b);
	free(v);
}

static void
names_cut_on_characters(void)
{
	char b[NAME_MAX_BYTES + 8];

	memset(b, 'a', sizeof(b));
	CHECK_EQ_U(name_len(b, 10), 10);
	CHECK_EQ_U(name_len(b, sizeof(b)), NAME_MAX_BYTES);
	/* a 2-byte sequence across the cut is left out whole */
	b[NAME_MAX_BYTES - 1] = (char)0xc3;
	b[NAME_MAX_BYTES] = (char)0xa9;
	CHECK_EQ_U(name_len(b, sizeof(b)), NAME_MAX_BYTES - 1);
}

int
main(void)
{
	T_RUN(strmap_rekey_vs_naive);
	T_RUN(ctab_limit);
	T_RUN(spacesaving_bounds);
	T_RUN(extremes_vs_sort);
	T_RUN(names_cut_on_characters);
	return t_done();
}
