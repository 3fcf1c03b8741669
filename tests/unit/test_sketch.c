/*
 * test_sketch.c - stats-agg's DDSketch against exact quantiles, exact
 * merging, moments, histogram bins and HyperLogLog.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "mem.h"
#include "t.h"
#include "../../filters/stats-agg/sketch.h"

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double
unif(uint64_t *s)
{
	return ((double)(rnd(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Log-normal file sizes, rounded like byte counts, with some zeros. */
static double
size_like(uint64_t *s)
{
	double u1 = unif(s), u2 = unif(s);
	double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);

	if (rnd(s) % 100 == 0)
		return 0;
	return floor(exp(7.5 + 1.6 * z));
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
quantiles_within_alpha(void)
{
	static const double qs[] = { 0, .01, .05, .1, .25, .5, .75, .9, .95,
	    .99, 1 };
	static const size_t sizes[] = { 1, 2, 10, 101, 5000, 200000 };
	uint64_t seed = 42;
	size_t si, i, n, k;
	double *v, exact, est, worst = 0;
	struct ddsketch d;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		n = sizes[si];
		v = xmalloc(n * sizeof(*v));
		memset(&d, 0, sizeof(d));
		for (i = 0; i < n; i++) {
			v[i] = si % 2 ? size_like(&seed) : unif(&seed);
			dd_add(&d, v[i]);
		}
		qsort(v, n, sizeof(*v), cmp_double);
		CHECK_EQ_U(d.count, n);
		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			exact = v[(size_t)floor(qs[k] * (double)(n - 1))];
			est = dd_quantile(&d, qs[k]);
			if (exact == 0)
				CHECK(est == 0);
			else if (fabs(est - exact) / exact > worst)
				worst = fabs(est - exact) / exact;
		}
		dd_release(&d);
		free(v);
	}
	printf("# largest relative error %.5f (bound %.3f)\n", worst,
	    DD_ALPHA);
	CHECK(worst <= DD_ALPHA * (1 + 1e-9));
	CHECK(worst > 0);	/* it is a sketch, not a copy */
}

static void
merge_is_exact(void)
{
	struct ddsketch a, b, all;
	uint64_t seed = 7;
	uint32_t i;
	double v;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&all, 0, sizeof(all));
	for (i = 0; i < 50000; i++) {
		v = i % 3 ? size_like(&seed) : unif(&seed) * 1e-3;
		dd_add(i % 2 ? &a : &b, v);
		dd_add(&all, v);
	}
	dd_merge(&a, &b);
	CHECK_EQ_U(a.count, all.count);
	CHECK_EQ_U(a.zero, all.zero);
	for (i = 0; i < all.n; i++) {
		int32_t k = all.lo + (int32_t)i - a.lo;

		CHECK(k >= 0 && (uint32_t)k < a.n &&
		    a.counts[k] == all.counts[i]);
	}
	CHECK(dd_quantile(&a, 0.37) == dd_quantile(&all, 0.37));
	dd_release(&a);
	dd_release(&b);
	dd_release(&all);
}

static void
moments_exact(void)
{
	struct dist d, e, f;
	long double s = 0, q = 0, mean;
	uint64_t seed = 99;
	int i;
	double v;

	dist_init(&d, HIST_LOG, 0);
	dist_init(&e, HIST_LOG, 0);
	dist_init(&f, HIST_LOG, 0);
	for (i = 0; i < 10000; i++) {
		v = size_like(&seed);
		dist_add(&d, v);
		dist_add(i < 5000 ? &e : &f, v);
		s += v;
		q += (long double)v * v;
	}
	mean = s / 10000;
	CHECK(fabs(dist_mean(&d) - (double)mean) <= 1e-9 * (double)mean);
	CHECK(fabs(dist_stddev(&d) - (double)sqrtl(q / 10000 - mean * mean))
	    <= 1e-9 * dist_stddev(&d));
	dist_merge(&e, &f);
	/* fixed-point sums: merged and single pass agree to the bit */
	CHECK(dist_mean(&e) == dist_mean(&d));
	CHECK(dist_stddev(&e) == dist_stddev(&d));
	CHECK(e.min == d.min && e.max == d.max);
	CHECK(memcmp(e.hist, d.hist, sizeof(d.hist)) == 0);
	dist_release(&d);
	dist_release(&e);
	dist_release(&f);
}

static void
histogram_bins(void)
{
	struct dist d;
	double lo, hi;
	size_t i;

	dist_init(&d, HIST_LOG, 0);
	CHECK_EQ_U(dist_bin_of(&d, 0), 0);
	CHECK_EQ_U(dist_bin_of(&d, 0.5), 0);
	CHECK_EQ_U(dist_bin_of(&d, 1), 1);
	CHECK_EQ_U(dist_bin_of(&d, 9.99), 4);
	CHECK_EQ_U(dist_bin_of(&d, 10), 5);
	CHECK_EQ_U(dist_bin_of(&d, 1000), 13);
	CHECK_EQ_U(dist_bin_of(&d, 999), 12);
	CHECK_EQ_U(dist_bin_of(&d, 1e30), HIST_LOG_BINS - 1);
	/* every value lands in the bin whose bounds hold it */
	for (i = 1; i + 1 < HIST_LOG_BINS; i++) {
		dist_bin(&d, i, &lo, &hi);
		CHECK_EQ_U(dist_bin_of(&d, lo), i);
		CHECK_EQ_U(dist_bin_of(&d, nextafter(hi, 0)), i);
	}
	dist_init(&d, HIST_UNIT, 32);
	CHECK_EQ_U(dist_bin_of(&d, 0), 0);
	CHECK_EQ_U(dist_bin_of(&d, 0.05), 1);
	CHECK_EQ_U(dist_bin_of(&d, 1), HIST_UNIT_BINS - 1);
}

static void
hll_counts(void)
{
	static struct hll h, a, b;
	uint64_t i;
	double e;

	for (i = 0; i < 100000; i++) {
		hll_add(&h, XXH3_64bits(&i, sizeof(i)));
		hll_add(i % 2 ? &a : &b, XXH3_64bits(&i, sizeof(i)));
		hll_add(&h, XXH3_64bits(&i, sizeof(i)));	/* twice */
	}
	e = hll_estimate(&h);
	printf("# hll: 100000 distinct estimated as %.0f\n", e);
	CHECK(fabs(e - 100000) < 3000);
	hll_merge(&a, &b);
	CHECK(memcmp(&a, &h, sizeof(h)) == 0);
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 50; i++)
		hll_add(&h, XXH3_64bits(&i, sizeof(i)));
	CHECK(fabs(hll_estimate(&h) - 50) < 1);
}

static void
u128_text(void)
{
	u128 v = ((u128)0x0123456789abcdefu << 64) | 0xfedcba9876543210u, w;
	char t[40];

	u128_format(v, t);
	CHECK(u128_parse(t, &w) && w == v);
	u128_format(0, t);
	CHECK_STR(t, "0");
	CHECK(!u128_parse("", &w));
	CHECK(!u128_parse("12a", &w));
	CHECK(!u128_parse("-1", &w));
	CHECK(u128_parse("340282366920938463463374607431768211455", &w) &&
	    w == ~(u128)0);
	CHECK(!u128_parse("340282366920938463463374607431768211456", &w));
}

int
main(void)
{
	T_RUN(quantiles_within_alpha);
	T_RUN(merge_is_exact);
	T_RUN(moments_exact);
	T_RUN(histogram_bins);
	T_RUN(hll_counts);
	T_RUN(u128_text);
	return t_done();
}
