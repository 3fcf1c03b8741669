/*
 * test_minhash.c - the hash family, signatures, estimates and the LSH
 * S-curve, against slow obvious references and the theory.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "minhash.h"
#include "t.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t
rnd(void)
{
	return mh_splitmix64(&rng);
}

/* The family by its definition: top 32 bits of (a x + b) mod 2^64. */
static void
reference_sign(unsigned perms, uint64_t seed, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	uint64_t st = seed, a, b, v, m;
	unsigned i;
	size_t j;

	for (i = 0; i < perms; i++) {
		a = mh_splitmix64(&st) | 1;
		b = mh_splitmix64(&st);
		m = UINT64_MAX;
		for (j = 0; j < n; j++) {
			v = a * x[j] + b;	/* wraps: mod 2^64 */
			if (v >> 32 < m)
				m = v >> 32;
		}
		sig[i] = (uint32_t)m;
	}
}

/* Every implementation the CPU has agrees with the definition. */
static void
test_family_reference(void)
{
	static const unsigned perms[] = { 8, 16, 24, 64, 72, 256, 1024 };
	static const enum mh_impl impls[] = { MH_SCALAR, MH_AVX2, MH_AVX512 };
	uint32_t want[MH_MAX_PERMS], got[MH_MAX_PERMS];
	uint64_t x[300];
	size_t i, n, k, im, tried = 0;

	for (k = 0; k < sizeof(perms) / sizeof(perms[0]); k++) {
		struct mh_family *f = mh_family_new(perms[k], false, 7 + k);

		for (n = 1; n < 300; n += 37) {
			for (i = 0; i < n; i++)
				x[i] = i % 3 == 0 ? i : rnd();	/* small ones too */
			reference_sign(perms[k], 7 + k, x, n, want);
			for (im = 0; im < 3; im++) {
				if (!mh_family_use(f, impls[im]))
					continue;
				tried++;
				mh_sign(f, x, n, got);
				CHECK(memcmp(want, got, perms[k] * 4) == 0);
			}
		}
		mh_family_free(f);
	}
	CHECK(tried > 0);
}

/* Min-wise: each of n elements is the minimum about perms/n times. */
static void
test_minwise(void)
{
	enum { N = 16, PERMS = 1024 };
	struct mh_family *f = mh_family_new(PERMS, false, 99);
	uint32_t sig[PERMS], one[PERMS];
	uint64_t x[N];
	unsigned wins[N] = { 0 }, i, j;

	for (i = 0; i < N; i++)
		x[i] = rnd();
	mh_sign(f, x, N, sig);
	for (j = 0; j < N; j++) {
		mh_sign(f, &x[j], 1, one);
		for (i = 0; i < PERMS; i++)
			if (one[i] == sig[i])
				wins[j]++;
	}
	/* expectation 64 each, sd about 7.7 */
	for (j = 0; j < N; j++) {
		CHECK(wins[j] > 35);
		CHECK(wins[j] < 95);
	}
	mh_family_free(f);
}

/* Two sets of nu elements in all, ni of them shared: J = ni / nu. */
static void
make_pair(uint64_t *a, size_t *na, uint64_t *b, size_t *nb, size_t nu,
    size_t ni)
{
	size_t i, only = nu - ni;

	*na = *nb = 0;
	for (i = 0; i < ni; i++)
		a[(*na)++] = b[(*nb)++] = rnd();
	for (i = 0; i < only; i++)
		if (i % 2 == 0)
			a[(*na)++] = rnd();
		else
			b[(*nb)++] = rnd();
}

static void
estimate_stats(bool fast, double j, size_t nu, double *mean, double *sd)
{
	enum { TRIALS = 300, PERMS = 256 };
	struct mh_family *f = mh_family_new(PERMS, fast, 5);
	uint64_t *a = malloc(nu * 8), *b = malloc(nu * 8);
	uint32_t sa[PERMS], sb[PERMS];
	uint8_t pa[PERMS / 2], pb[PERMS / 2];
	double s = 0, s2 = 0, e;
	size_t na, nb, t;

	for (t = 0; t < TRIALS; t++) {
		make_pair(a, &na, b, &nb, nu, (size_t)(j * nu + 0.5));
		mh_sign(f, a, na, sa);
		mh_sign(f, b, nb, sb);
		mh_pack(sa, PERMS, pa);
		mh_pack(sb, PERMS, pb);
		e = mh_estimate(mh_matches(pa, pb, PERMS), PERMS);
		s += e;
		s2 += e * e;
	}
	*mean = s / TRIALS;
	*sd = sqrt(s2 / TRIALS - *mean * *mean);
	free(a);
	free(b);
	mh_family_free(f);
}

/* The 4-bit estimate is unbiased and about as tight as full values. */
static void
test_estimate(void)
{
	static const double js[] = { 0.3, 0.6, 0.85, 0.95 };
	double mean, sd, theory;
	size_t k;

	for (k = 0; k < sizeof(js) / sizeof(js[0]); k++) {
		estimate_stats(false, js[k], 1000, &mean, &sd);
		theory = sqrt(js[k] * (1 - js[k]) / 256);
		printf("# J %.2f: mean %.4f sd %.4f (full 32-bit values: "
		    "%.4f)\n", js[k], mean, sd, theory);
		CHECK(fabs(mean - js[k]) < 0.01);
		CHECK(sd < theory * 1.35 + 0.002);
		CHECK(sd > theory * 0.7);
		/* one permutation hashing: the same, on large enough sets */
		estimate_stats(true, js[k], 3000, &mean, &sd);
		printf("# --fast J %.2f: mean %.4f sd %.4f\n", js[k], mean, sd);
		CHECK(fabs(mean - js[k]) < 0.015);
		CHECK(sd < theory * 1.5 + 0.002);
	}
}

/* Densification: a set smaller than the bins fills every bin. */
static void
test_densify(void)
{
	struct mh_family *f = mh_family_new(256, true, 3);
	uint32_t sig[256], again[256];
	uint64_t x[3] = { 11, 22, 33 };
	unsigned i, from_set = 0;
	uint32_t v[3];

	for (i = 0; i < 3; i++) {
		mh_sign(f, &x[i], 1, sig);
		v[i] = sig[0];	/* every bin holds the single value */
		CHECK(sig[0] == sig[255]);
	}
	mh_sign(f, x, 3, sig);
	for (i = 0; i < 256; i++)
		from_set += sig[i] == v[0] || sig[i] == v[1] || sig[i] == v[2];
	CHECK_EQ_U(from_set, 256);
	mh_sign(f, x, 3, again);	/* deterministic */
	CHECK(memcmp(sig, again, sizeof(sig)) == 0);
	mh_family_free(f);
}

static void
test_matches(void)
{
	uint8_t a[128], b[128];
	unsigned i;

	memset(a, 0, sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK_EQ_U(mh_matches(a, b, 256), 256);
	b[0] = 0x01;		/* one low nibble */
	b[5] = 0x80;		/* one high nibble */
	b[127] = 0xff;		/* both */
	CHECK_EQ_U(mh_matches(a, b, 256), 252);
	for (i = 0; i < 128; i++)
		b[i] = 0x11;
	CHECK_EQ_U(mh_matches(a, b, 256), 0);
	CHECK_EQ_U(mh_matches(a, b, 16), 0);	/* a tail shorter than 8 */
	CHECK(mh_estimate(256, 256) == 1.0);
	CHECK(mh_estimate(0, 256) == 0.0);
	CHECK(fabs(mh_estimate(16, 256)) < 1e-12);	/* chance level */
	/* the smallest count that reaches the threshold */
	for (i = 1; i <= 99; i++) {
		double t = i / 100.0;
		unsigned m = mh_min_matches(t, 256);

		CHECK(mh_estimate(m, 256) >= t);
		CHECK(m == 0 || mh_estimate(m - 1, 256) < t);
	}
}

static void
test_band_keys(void)
{
	uint32_t s1[256], s2[256];
	uint64_t k1[25], k2[25];
	unsigned i;

	for (i = 0; i < 256; i++)
		s1[i] = s2[i] = (uint32_t)rnd();
	s2[13] ^= 1;		/* row 3 of band 1 */
	mh_band_keys(s1, 25, 10, k1);
	mh_band_keys(s2, 25, 10, k2);
	for (i = 0; i < 25; i++)
		CHECK((k1[i] == k2[i]) == (i != 1));
	/* equal rows in two bands still give two different keys */
	for (i = 0; i < 10; i++)
		s1[10 + i] = s1[i];
	mh_band_keys(s1, 25, 10, k1);
	CHECK(k1[0] != k1[1]);
}

/*
 * The S-curve: sets of known Jaccard j share a band key with probability
 * 1 - (1 - j^r)^b.  Each trial draws fresh sets; the observed rate must be
 * within four standard deviations (plus 0.02) of the theory.
 */
static void
scurve(unsigned bands, unsigned rows)
{
	enum { TRIALS = 400, NU = 200 };
	static const double js[] = { 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85,
	    0.9 };
	struct mh_family *f = mh_family_new(256, false, 11);
	uint64_t a[NU], b[NU], ka[64], kb[64];
	uint32_t sa[256], sb[256];
	size_t na, nb, t, k, hit;
	double p, obs, tol;
	unsigned i;

	for (k = 0; k < sizeof(js) / sizeof(js[0]); k++) {
		for (t = 0, hit = 0; t < TRIALS; t++) {
			make_pair(a, &na, b, &nb, NU, (size_t)(js[k] * NU));
			mh_sign(f, a, na, sa);
			mh_sign(f, b, nb, sb);
			mh_band_keys(sa, bands, rows, ka);
			mh_band_keys(sb, bands, rows, kb);
			for (i = 0; i < bands; i++)
				if (ka[i] == kb[i])
					break;
			hit += i < bands;
		}
		p = mh_candidate_prob(js[k], bands, rows);
		obs = (double)hit / TRIALS;
		tol = 4 * sqrt(p * (1 - p) / TRIALS) + 0.02;
		printf("# %ux%u J %.2f: candidates %.3f, theory %.3f\n", bands,
		    rows, js[k], obs, p);
		CHECK(fabs(obs - p) <= tol);
	}
	mh_family_free(f);
}

static void
test_scurve(void)
{
	/* the theory itself: the threshold is near (1/b)^(1/r) */
	CHECK(fabs(mh_candidate_prob(pow(1.0 / 25, 1.0 / 10), 25, 10) -
	    (1 - pow(1 - 1.0 / 25, 25))) < 1e-12);
	CHECK(mh_candidate_prob(0.88, 25, 10) > 0.999);
	CHECK(mh_candidate_prob(0.3, 25, 10) < 0.001);
	scurve(25, 10);
	scurve(20, 5);
}

int
main(void)
{
	T_RUN(test_family_reference);
	T_RUN(test_minwise);
	T_RUN(test_estimate);
	T_RUN(test_densify);
	T_RUN(test_matches);
	T_RUN(test_band_keys);
	T_RUN(test_scurve);
	return t_done();
}
