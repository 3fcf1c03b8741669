/*
 * minhash.c - the hash family, signatures (scalar, AVX2, AVX-512; one
 * permutation hashing for --fast), band keys and estimates.
 *
 * The work is perms multiply-adds per shingle, so the loops run perms in
 * blocks held in registers while the shingles stream past.  Both
 * implementations compute the same top 32 bits of (a x + b) mod 2^64: the
 * scalar one keeps the 64-bit minimum (the top half of the minimum is the
 * minimum of the top halves); AVX2, which has no 64-bit multiply, builds
 * the top half in 32-bit lanes, eight permutations a register:
 *   top32(a x + b) = top32(alo xlo + b) + alo xhi + ahi xlo   (mod 2^32).
 * (An AVX-512 kernel with 64-bit lanes measured slower than this one on
 * AMD Zen 4, whose 64-bit vector multiply is slow, so there is none.)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "mem.h"
#include "minhash.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MH_X86 1
#include <immintrin.h>
#endif

/* AVX2 constants for 8 permutations (see sign_avx2). */
struct lane8 {
	uint64_t	a1[4], b1[4];	/* alo (zero-extended), b: p0..p3 */
	uint64_t	a2[4], b2[4];	/* the same for p4..p7 */
	uint32_t	ahi[8], alo[8];	/* lane order p0 p4 p1 p5 p2 p6 p3 p7 */
};

static const unsigned lane_perm[8] = { 0, 4, 1, 5, 2, 6, 3, 7 };

/* AVX-512 constants for 16 permutations, the same scheme. */
struct lane16 {
	uint64_t	a1[8], b1[8];	/* p0..p7 */
	uint64_t	a2[8], b2[8];	/* p8..p15 */
	uint32_t	ahi[16], alo[16];	/* p0 p8 p1 p9 ... p7 p15 */
};

struct mh_family {
	unsigned	 perms;
	bool		 fast;
	enum mh_impl	 impl;
	uint64_t	 oph_seed;
	uint64_t	*a, *b;
	struct lane8	*l8;
	struct lane16	*l16;
};

uint64_t
mh_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static bool
cpu_has(enum mh_impl impl)
{
	switch (impl) {
	case MH_SCALAR:
		return true;
#ifdef MH_X86
	case MH_AVX2:
		return __builtin_cpu_supports("avx2");
	case MH_AVX512:
		return __builtin_cpu_supports("avx512f");
#endif
	default:
		return false;
	}
}

struct mh_family *
mh_family_new(unsigned perms, bool fast, uint64_t seed)
{
	struct mh_family *f = xcalloc(1, sizeof(*f));
	uint64_t st = seed;
	unsigned i, g, k;

	if (perms == 0 || perms % 8 != 0 || perms > MH_MAX_PERMS)
		err_bug("mh_family_new: perms %u", perms);
	f->perms = perms;
	f->fast = fast;
	f->a = xreallocarray(NULL, perms, sizeof(*f->a));
	f->b = xreallocarray(NULL, perms, sizeof(*f->b));
	for (i = 0; i < perms; i++) {
		f->a[i] = mh_splitmix64(&st) | 1;
		f->b[i] = mh_splitmix64(&st);
	}
	f->oph_seed = mh_splitmix64(&st);
	f->l8 = xcalloc(perms / 8, sizeof(*f->l8));
	for (g = 0; g < perms / 8; g++) {
		struct lane8 *l = &f->l8[g];
		const uint64_t *a = f->a + 8 * g, *b = f->b + 8 * g;

		for (k = 0; k < 4; k++) {
			l->a1[k] = (uint32_t)a[k];
			l->b1[k] = b[k];
			l->a2[k] = (uint32_t)a[k + 4];
			l->b2[k] = b[k + 4];
		}
		for (k = 0; k < 8; k++) {
			l->ahi[k] = (uint32_t)(a[lane_perm[k]] >> 32);
			l->alo[k] = (uint32_t)a[lane_perm[k]];
		}
	}
	f->l16 = xcalloc(perms / 16 + 1, sizeof(*f->l16));
	for (g = 0; g < perms / 16; g++) {
		struct lane16 *l = &f->l16[g];
		const uint64_t *a = f->a + 16 * g, *b = f->b + 16 * g;

		for (k = 0; k < 8; k++) {
			l->a1[k] = (uint32_t)a[k];
			l->b1[k] = b[k];
			l->a2[k] = (uint32_t)a[k + 8];
			l->b2[k] = b[k + 8];
			l->ahi[2 * k] = (uint32_t)(a[k] >> 32);
			l->alo[2 * k] = (uint32_t)a[k];
			l->ahi[2 * k + 1] = (uint32_t)(a[k + 8] >> 32);
			l->alo[2 * k + 1] = (uint32_t)a[k + 8];
		}
	}
	mh_family_use(f, MH_AUTO);
	return f;
}

void
mh_family_free(struct mh_family *f)
{
	if (f == NULL)
		return;
	free(f->a);
	free(f->b);
	free(f->l8);
	free(f->l16);
	free(f);
}

bool
mh_family_use(struct mh_family *f, enum mh_impl impl)
{
	if (impl == MH_AUTO) {
		impl = cpu_has(MH_AVX512) ? MH_AVX512 :
		    cpu_has(MH_AVX2) ? MH_AVX2 : MH_SCALAR;
	} else if (!cpu_has(impl))
		return false;
	f->impl = impl;
	return true;
}

const char *
mh_family_impl(const struct mh_family *f)
{
	if (f->fast)
		return "oph";
	switch (f->impl) {
	case MH_AVX512:
		return "avx512";
	case MH_AVX2:
		return "avx2";
	default:
		return "scalar";
	}
}

static void
sign_scalar(const struct mh_family *f, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	uint64_t m[8], v;
	unsigned p, k;
	size_t j;

	for (p = 0; p < f->perms; p += 8) {
		const uint64_t *a = f->a + p, *b = f->b + p;

		for (k = 0; k < 8; k++)
			m[k] = UINT64_MAX;
		for (j = 0; j < n; j++)
			for (k = 0; k < 8; k++) {
				v = a[k] * x[j] + b[k];
				m[k] = v < m[k] ? v : m[k];
			}
		for (k = 0; k < 8; k++)
			sig[p + k] = (uint32_t)(m[k] >> 32);
	}
}

#ifdef MH_X86
__attribute__((target("avx2")))
static void
sign_avx2(const struct mh_family *f, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	unsigned groups = f->perms / 8, g, k, kk;
	uint32_t out[8];
	size_t j;

	for (g = 0; g < groups; g += 8) {
		__m256i m[8];
		const struct lane8 *l = f->l8 + g;

		kk = groups - g < 8 ? groups - g : 8;
		for (k = 0; k < 8; k++)
			m[k] = _mm256_set1_epi32(-1);
		for (j = 0; j < n; j++) {
			__m256i x64 = _mm256_set1_epi64x((long long)x[j]);
			__m256i xlo = _mm256_set1_epi32((int)(uint32_t)x[j]);
			__m256i xhi = _mm256_set1_epi32((int)(x[j] >> 32));

			for (k = 0; k < kk; k++) {
				const struct lane8 *c = l + k;
				__m256i t1, t2, hi, cr;

				t1 = _mm256_add_epi64(_mm256_mul_epu32(
				    _mm256_loadu_si256((const void *)c->a1), x64),
				    _mm256_loadu_si256((const void *)c->b1));
				t2 = _mm256_add_epi64(_mm256_mul_epu32(
				    _mm256_loadu_si256((const void *)c->a2), x64),
				    _mm256_loadu_si256((const void *)c->b2));
				hi = _mm256_blend_epi32(_mm256_srli_epi64(t1, 32),
				    t2, 0xAA);
				cr = _mm256_add_epi32(_mm256_mullo_epi32(
				    _mm256_loadu_si256((const void *)c->ahi), xlo),
				    _mm256_mullo_epi32(
				    _mm256_loadu_si256((const void *)c->alo), xhi));
				m[k] = _mm256_min_epu32(m[k],
				    _mm256_add_epi32(hi, cr));
			}
		}
		for (k = 0; k < kk; k++) {
			unsigned q;

			_mm256_storeu_si256((void *)out, m[k]);
			for (q = 0; q < 8; q++)
				sig[8 * (g + k) + lane_perm[q]] = out[q];
		}
	}
}


/* One group of 16 permutations over all shingles, constants in registers. */
#define AVX512_GROUP_DECL(i) \
	__m512i a1##i = _mm512_loadu_si512(l[i].a1), \
	    b1##i = _mm512_loadu_si512(l[i].b1), \
	    a2##i = _mm512_loadu_si512(l[i].a2), \
	    b2##i = _mm512_loadu_si512(l[i].b2), \
	    ah##i = _mm512_loadu_si512(l[i].ahi), \
	    al##i = _mm512_loadu_si512(l[i].alo), \
	    m##i = _mm512_set1_epi32(-1)
#define AVX512_GROUP_STEP(i) do { \
	__m512i t1 = _mm512_add_epi64(_mm512_mul_epu32(a1##i, x64), b1##i); \
	__m512i t2 = _mm512_add_epi64(_mm512_mul_epu32(a2##i, x64), b2##i); \
	__m512i hi = _mm512_mask_blend_epi32(0xAAAA, \
	    _mm512_srli_epi64(t1, 32), t2); \
	__m512i cr = _mm512_add_epi32(_mm512_mullo_epi32(ah##i, xlo), \
	    _mm512_mullo_epi32(al##i, xhi)); \
	m##i = _mm512_min_epu32(m##i, _mm512_add_epi32(hi, cr)); \
} while (0)

__attribute__((target("avx512f")))
static void
store16(__m512i m, uint32_t *sig)
{
	uint32_t out[16];
	unsigned q;

	_mm512_storeu_si512(out, m);
	for (q = 0; q < 8; q++) {
		sig[q] = out[2 * q];
		sig[q + 8] = out[2 * q + 1];
	}
}

__attribute__((target("avx512f")))
static void
sign_avx512(const struct mh_family *f, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	unsigned groups = f->perms / 16, g;
	size_t j;

	/* four groups (64 permutations) at a time: 28 of 32 registers */
	for (g = 0; g + 4 <= groups; g += 4) {
		const struct lane16 *l = f->l16 + g;
		AVX512_GROUP_DECL(0);
		AVX512_GROUP_DECL(1);
		AVX512_GROUP_DECL(2);
		AVX512_GROUP_DECL(3);

		for (j = 0; j < n; j++) {
			__m512i x64 = _mm512_set1_epi64((long long)x[j]);
			__m512i xlo = _mm512_set1_epi32((int)(uint32_t)x[j]);
			__m512i xhi = _mm512_set1_epi32((int)(x[j] >> 32));

			AVX512_GROUP_STEP(0);
			AVX512_GROUP_STEP(1);
			AVX512_GROUP_STEP(2);
			AVX512_GROUP_STEP(3);
		}
		store16(m0, sig + 16 * g);
		store16(m1, sig + 16 * (g + 1));
		store16(m2, sig + 16 * (g + 2));
		store16(m3, sig + 16 * (g + 3));
	}
	for (; g < groups; g++) {
		const struct lane16 *l = f->l16 + g;
		AVX512_GROUP_DECL(0);

		for (j = 0; j < n; j++) {
			__m512i x64 = _mm512_set1_epi64((long long)x[j]);
			__m512i xlo = _mm512_set1_epi32((int)(uint32_t)x[j]);
			__m512i xhi = _mm512_set1_epi32((int)(x[j] >> 32));

			AVX512_GROUP_STEP(0);
		}
		store16(m0, sig + 16 * g);
	}
	if (f->perms % 16 != 0) {	/* a last group of 8: the AVX2 way */
		struct mh_family part = *f;

		part.perms = 8;
		part.l8 = f->l8 + f->perms / 8 - 1;
		sign_avx2(&part, x, n, sig + f->perms - 8);
	}
}
#endif

/* The bin of hash h among perms bins (multiply-range, no modulo bias). */
static inline unsigned
bin_of(uint64_t h, unsigned perms)
{
	return (unsigned)(((h >> 32) * perms) >> 32);
}

static void
sign_oph(const struct mh_family *f, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	uint64_t filled[MH_MAX_PERMS / 64], h;
	unsigned perms = f->perms, i, k, t;
	uint32_t v;
	size_t j;

	memset(filled, 0, sizeof(filled));
	for (i = 0; i < perms; i++)
		sig[i] = UINT32_MAX;
	for (j = 0; j < n; j++) {
		h = fmix64(x[j] ^ f->oph_seed);
		k = bin_of(h, perms);
		v = (uint32_t)h;
		if (v < sig[k])
			sig[k] = v;
		filled[k / 64] |= (uint64_t)1 << (k % 64);
	}
	/* optimal densification: an empty bin copies a filled one */
	for (i = 0; i < perms; i++) {
		if (filled[i / 64] >> (i % 64) & 1)
			continue;
		k = perms;
		for (t = 1; t <= 64 * perms; t++) {
			h = fmix64(f->oph_seed ^ ((uint64_t)i << 32 | t));
			k = bin_of(h, perms);
			if (filled[k / 64] >> (k % 64) & 1)
				break;
		}
		if (t > 64 * perms)	/* never in practice: next filled */
			for (k = (i + 1) % perms; !(filled[k / 64] >>
			    (k % 64) & 1); k = (k + 1) % perms)
				;
		sig[i] = sig[k];
	}
}

void
mh_sign(const struct mh_family *f, const uint64_t *x, size_t n,
    uint32_t *sig)
{
	if (f->fast) {
		sign_oph(f, x, n, sig);
		return;
	}
	switch (f->impl) {
#ifdef MH_X86
	case MH_AVX512:
		sign_avx512(f, x, n, sig);
		break;
	case MH_AVX2:
		sign_avx2(f, x, n, sig);
		break;
#endif
	default:
		sign_scalar(f, x, n, sig);
		break;
	}
}

void
mh_band_keys(const uint32_t *sig, unsigned bands, unsigned rows,
    uint64_t *keys)
{
	unsigned char le[4 * MH_MAX_PERMS];
	unsigned b, i, n = bands * rows;

	for (i = 0; i < n; i++) {
		le[4 * i] = (unsigned char)sig[i];
		le[4 * i + 1] = (unsigned char)(sig[i] >> 8);
		le[4 * i + 2] = (unsigned char)(sig[i] >> 16);
		le[4 * i + 3] = (unsigned char)(sig[i] >> 24);
	}
	for (b = 0; b < bands; b++)
		keys[b] = XXH3_64bits_withSeed(le + 4 * (size_t)b * rows,
		    4 * (size_t)rows, b);
}

void
mh_pack(const uint32_t *sig, unsigned perms, uint8_t *out)
{
	unsigned i;

	for (i = 0; i < perms; i += 2)
		out[i / 2] = (uint8_t)((sig[i] & 15) | (sig[i + 1] & 15) << 4);
}

unsigned
mh_matches(const uint8_t *a, const uint8_t *b, unsigned perms)
{
	size_t nb = mh_packed_bytes(perms), i;
	unsigned differ = 0;
	uint64_t wa, wb, x;

	/* a nibble differs if any of its bits does: fold each onto bit 0 */
	for (i = 0; i + 8 <= nb; i += 8) {
		memcpy(&wa, a + i, 8);
		memcpy(&wb, b + i, 8);
		x = wa ^ wb;
		x = (x | x >> 1 | x >> 2 | x >> 3) & 0x1111111111111111ULL;
		differ += (unsigned)__builtin_popcountll(x);
	}
	for (; i < nb; i++) {
		unsigned d = (unsigned)(a[i] ^ b[i]);

		differ += (d & 15) != 0;
		differ += (d >> 4) != 0;
	}
	return perms - differ;
}

double
mh_estimate(unsigned matches, unsigned perms)
{
	const double c = 1.0 / (1 << MH_BBITS);
	double e = ((double)matches / perms - c) / (1.0 - c);

	return e < 0 ? 0 : e > 1 ? 1 : e;
}

unsigned
mh_min_matches(double threshold, unsigned perms)
{
	unsigned m;

	for (m = 0; m <= perms; m++)
		if (mh_estimate(m, perms) >= threshold)
			return m;
	return perms + 1;
}

double
mh_candidate_prob(double j, unsigned bands, unsigned rows)
{
	return 1.0 - pow(1.0 - pow(j, rows), bands);
}
