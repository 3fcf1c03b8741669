/*
 * test_keyset.c - the 128-bit key set against a slow obvious reference
 * (a sorted array), growth across many resizes, and its memory bound.
 */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "t.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp(const void *a, const void *b)
{
	const struct key128 *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static void
against_reference(void)
{
	enum { N = 200000 };
	struct key128 *all = malloc(N * sizeof(*all)), *ref;
	struct keyset *ks = keyset_new(true);
	size_t i, distinct = 0, nref = 0;
	uint32_t v;

	/* one key in three repeats an earlier one */
	for (i = 0; i < N; i++) {
		if (i > 0 && next() % 3 == 0)
			all[i] = all[next() % i];
		else {
			all[i].lo = next();
			all[i].hi = next();
		}
	}
	ref = malloc(N * sizeof(*ref));
	for (i = 0; i < N; i++) {
		struct key128 *hit = nref > 0 ? bsearch(&all[i], ref, nref,
		    sizeof(*ref), cmp) : NULL;
		bool fresh = keyset_insert(ks, all[i], (uint32_t)i, &v);

		CHECK(fresh == (hit == NULL));
		if (hit == NULL) {
			distinct++;
			ref[nref++] = all[i];
			/* keep ref sorted: insertion (fine at this size) */
			for (size_t k = nref - 1; k > 0 &&
			    cmp(&ref[k - 1], &ref[k]) > 0; k--) {
				struct key128 t = ref[k];

				ref[k] = ref[k - 1];
				ref[k - 1] = t;
			}
			if (nref > 4000)
				break;	/* the O(n^2) reference stays cheap */
		}
	}
	CHECK_EQ_U(keyset_count(ks), distinct);
	for (i = 0; i < nref; i++)
		CHECK(keyset_find(ks, ref[i], NULL));
	keyset_free(ks);
	free(ref);
	free(all);
}

static void
values_kept(void)
{
	struct keyset *ks = keyset_new(true);
	struct key128 k;
	uint32_t v = 0, i;

	for (i = 0; i < 100000; i++) {
		k.lo = i * 0x9E3779B97F4A7C15ULL;
		k.hi = ~k.lo;
		CHECK(keyset_insert(ks, k, i, NULL));
	}
	for (i = 0; i < 100000; i += 7) {
		k.lo = i * 0x9E3779B97F4A7C15ULL;
		k.hi = ~k.lo;
		CHECK(!keyset_insert(ks, k, 0, &v));
		CHECK_EQ_U(v, i);
	}
	/* the all-zero key is stored like any other */
	k.lo = k.hi = 0;
	CHECK(keyset_insert(ks, k, 7, NULL));
	CHECK(keyset_find(ks, k, &v) && v == 7);
	keyset_free(ks);
}

static void
memory_bound(void)
{
	struct keyset *ks = keyset_new(false);
	struct key128 k;
	size_t i, worst = 0;

	/* check bytes per key at many sizes through the growth cycle */
	for (i = 1; i <= 2000000; i++) {
		k.lo = next();
		k.hi = next();
		keyset_insert(ks, k, 0, NULL);
		if (i >= 100000 && i % 50000 == 0) {
			size_t per = keyset_bytes(ks) / keyset_count(ks);

			if (per > worst)
				worst = per;
		}
	}
	printf("# keyset: %zu keys, %zu bytes, worst %zu bytes/key\n",
	    keyset_count(ks), keyset_bytes(ks), worst);
	CHECK(worst <= 32);
	keyset_free(ks);
}

int
main(void)
{
	T_RUN(against_reference);
	T_RUN(values_kept);
	T_RUN(memory_bound);
	return t_done();
}
