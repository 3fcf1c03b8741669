/*
 * shingle.c - tokenizer and shingle hashes (see shingle.h).
 *
 * Built for whole source files at memory speed: 64 bytes at a time are
 * lowercased into a scratch copy and classified into a bit mask (SSE2 on
 * x86-64, a plain loop elsewhere), so finding tokens costs a few bit
 * operations per token rather than a branch per byte; tokens are hashed
 * where they lie in the copy; then each window of ngram token hashes
 * (contiguous, so no ring buffer) is hashed.
 */
#include <stdbool.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "mem.h"
#include "shingle.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static void
reserve(void *pp, size_t *cap, size_t n, size_t size)
{
	void **p = pp;

	if (n <= *cap)
		return;
	if (n < 1024)
		n = 1024;
	*p = xreallocarray(*p, n, size);
	*cap = n;
}

/*
 * Lowercase in[0..64) into low and return the mask of token bytes (bit i
 * for byte i): ASCII letters, digits, '_' and bytes >= 0x80.
 */
static inline uint64_t
classify64(const unsigned char *in, unsigned char *low)
{
	uint64_t mask = 0;
	unsigned k;

#if defined(__SSE2__)
	/* signed compares: x + (0x80 - lo) < -128 + len  <=>  x - lo < len */
	const __m128i lim26 = _mm_set1_epi8(-128 + 26);
	const __m128i lim10 = _mm_set1_epi8(-128 + 10);

	for (k = 0; k < 4; k++) {
		__m128i c = _mm_loadu_si128((const __m128i *)(in + 16 * k));
		__m128i l = _mm_or_si128(c, _mm_set1_epi8(0x20));
		__m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(l,
		    _mm_set1_epi8((char)(0x80 - 'a'))), lim26);
		__m128i upper = _mm_cmplt_epi8(_mm_add_epi8(c,
		    _mm_set1_epi8((char)(0x80 - 'A'))), lim26);
		__m128i digit = _mm_cmplt_epi8(_mm_add_epi8(c,
		    _mm_set1_epi8((char)(0x80 - '0'))), lim10);
		__m128i under = _mm_cmpeq_epi8(c, _mm_set1_epi8('_'));
		__m128i high = _mm_cmplt_epi8(c, _mm_setzero_si128());
		__m128i tok = _mm_or_si128(_mm_or_si128(alpha, digit),
		    _mm_or_si128(under, high));

		_mm_storeu_si128((__m128i *)(low + 16 * k), _mm_or_si128(c,
		    _mm_and_si128(upper, _mm_set1_epi8(0x20))));
		mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(tok) << (16 * k);
	}
#else
	for (k = 0; k < 64; k++) {
		unsigned c = in[k], l = c | 0x20;
		bool t = (l - 'a' < 26) || (c - '0' < 10) || c == '_' ||
		    c >= 0x80;

		low[k] = (unsigned char)(c - 'A' < 26 ? c | 0x20 : c);
		mask |= (uint64_t)t << k;
	}
#endif
	return mask;
}

size_t
shingle_text(struct shingler *s, const char *text, size_t n, unsigned ngram,
    const uint64_t **out, size_t *ntokens)
{
	const unsigned char *in = (const unsigned char *)text;
	unsigned char pad[64], *low;
	size_t base, i, nt = 0, ns, tstart = SIZE_MAX;
	uint64_t m, inv;
	unsigned st, en;

	reserve(&s->low, &s->lowcap, n + 64, 1);
	low = s->low;
	/* at most one token per two bytes, plus one */
	reserve(&s->tok, &s->tokcap, n / 2 + 1, sizeof(*s->tok));
	for (base = 0; base < n; base += 64) {
		if (n - base >= 64)
			m = classify64(in + base, low + base);
		else {
			/* the last block, padded with spaces (not tokens) */
			memset(pad, ' ', sizeof(pad));
			memcpy(pad, in + base, n - base);
			m = classify64(pad, low + base);
		}
		if (tstart != SIZE_MAX) {	/* a token from the last block */
			if (m == UINT64_MAX)
				continue;
			en = (unsigned)__builtin_ctzll(~m);
			s->tok[nt++] = XXH3_64bits(low + tstart,
			    base + en - tstart);
			tstart = SIZE_MAX;
			m &= UINT64_MAX << en;
		}
		while (m != 0) {
			st = (unsigned)__builtin_ctzll(m);
			inv = ~m & (UINT64_MAX << st);
			if (inv == 0) {		/* runs into the next block */
				tstart = base + st;
				break;
			}
			en = (unsigned)__builtin_ctzll(inv);
			s->tok[nt++] = XXH3_64bits(low + base + st, en - st);
			m &= UINT64_MAX << en;
		}
	}
	if (tstart != SIZE_MAX)
		s->tok[nt++] = XXH3_64bits(low + tstart, n - tstart);
	*ntokens = nt;
	if (nt == 0) {
		*out = s->sh;
		return 0;
	}
	ns = nt >= ngram ? nt - ngram + 1 : 1;
	reserve(&s->sh, &s->shcap, ns, sizeof(*s->sh));
	if (nt < ngram)
		s->sh[0] = XXH3_64bits(s->tok, nt * sizeof(*s->tok));
	else
		for (i = 0; i < ns; i++)
			s->sh[i] = XXH3_64bits(s->tok + i,
			    ngram * sizeof(*s->tok));
	*out = s->sh;
	return ns;
}

void
sort_u64(uint64_t *v, size_t n, uint64_t *tmp)
{
	size_t cnt[2048], i, sum, c;
	unsigned shift, pass;
	uint64_t *src = v, *dst = tmp, *t;

	if (n < 64) {	/* insertion sort */
		for (i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	/* 6 passes of 11 bits; an even count ends back in v */
	for (pass = 0; pass < 6; pass++) {
		shift = 11 * pass;
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 2047]++;
		for (i = 0, sum = 0; i < 2048; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 2047]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
}

size_t
shingle_set(struct shingler *s, size_t n, const uint64_t **out)
{
	size_t i, k;

	reserve(&s->tmp, &s->tmpcap, n, sizeof(*s->tmp));
	sort_u64(s->sh, n, s->tmp);
	for (i = k = 0; i < n; i++)
		if (k == 0 || s->sh[i] != s->sh[k - 1])
			s->sh[k++] = s->sh[i];
	*out = s->sh;
	return k;
}

size_t
set_intersection(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else {
			n++;
			i++;
			j++;
		}
	}
	return n;
}

void
shingler_release(struct shingler *s)
{
	free(s->low);
	free(s->tok);
	free(s->sh);
	free(s->tmp);
	memset(s, 0, sizeof(*s));
}
