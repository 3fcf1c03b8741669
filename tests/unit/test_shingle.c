/*
 * test_shingle.c - the tokenizer and shingles, against a byte-at-a-time
 * reference, and the set helpers.
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "minhash.h"
#include "shingle.h"
#include "t.h"

static bool
tokbyte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* The definition, one byte at a time: token hashes into tok. */
static size_t
reference_tokens(const char *s, size_t n, uint64_t *tok)
{
	char *low = malloc(n + 1);
	size_t i = 0, st, k, nt = 0;

	while (i < n) {
		while (i < n && !tokbyte((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		st = i;
		for (k = 0; i < n && tokbyte((unsigned char)s[i]); i++, k++)
			low[k] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i];
		tok[nt++] = XXH3_64bits(low, i - st);
	}
	free(low);
	return nt;
}

static size_t
reference_shingles(const char *s, size_t n, unsigned ngram, uint64_t *out,
    size_t *ntok)
{
	uint64_t *tok = malloc((n / 2 + 2) * 8);
	size_t nt = reference_tokens(s, n, tok), i, ns = 0;

	*ntok = nt;
	if (nt > 0 && nt < ngram)
		out[ns++] = XXH3_64bits(tok, nt * 8);
	else
		for (i = 0; i + ngram <= nt; i++)
			out[ns++] = XXH3_64bits(tok + i, ngram * 8);
	free(tok);
	return ns;
}

/* The tokens of s, as 1-token shingles. */
static size_t
tokens(struct shingler *sh, const char *s, const uint64_t **out)
{
	size_t nt;

	shingle_text(sh, s, strlen(s), 1, out, &nt);
	return nt;
}

/* A token's hash. */
static uint64_t
th(const char *s)
{
	return XXH3_64bits(s, strlen(s));
}

/* The 1-token shingle of a token: the hash of its hash. */
static uint64_t
h(const char *s)
{
	uint64_t t = th(s);

	return XXH3_64bits(&t, 8);
}

static void
test_tokens(void)
{
	struct shingler sh = SHINGLER_INIT;
	const uint64_t *t;

	CHECK_EQ_U(tokens(&sh, "", &t), 0);
	CHECK_EQ_U(tokens(&sh, " +-*/ (){}; \n\t", &t), 0);
	CHECK_EQ_U(tokens(&sh, "Foo_Bar1+baz", &t), 2);
	CHECK(t[0] == h("foo_bar1"));
	CHECK(t[1] == h("baz"));
	/* UTF-8 words stay whole; only ASCII letters are lowercased */
	CHECK_EQ_U(tokens(&sh, "x = Größe;", &t), 2);
	CHECK(t[1] == h("gr\xc3\xb6\xc3\x9f" "e"));
	CHECK_EQ_U(tokens(&sh, "\xc3\x84rger", &t), 1);
	CHECK(t[0] == h("\xc3\x84rger"));
	CHECK_EQ_U(tokens(&sh, "a.b-c", &t), 3);
	CHECK(t[2] == h("c"));
	shingler_release(&sh);
}

static void
test_shingles(void)
{
	struct shingler sh = SHINGLER_INIT;
	const uint64_t *s;
	uint64_t w[5];
	size_t nt;

	/* fewer tokens than ngram: one shingle of all of them */
	CHECK_EQ_U(shingle_text(&sh, "a b c", 5, 5, &s, &nt), 1);
	CHECK_EQ_U(nt, 3);
	w[0] = th("a");
	w[1] = th("b");
	w[2] = th("c");
	CHECK(s[0] == XXH3_64bits(w, 24));
	CHECK_EQ_U(shingle_text(&sh, "A B C d e f", 11, 5, &s, &nt), 2);
	w[3] = th("d");
	w[4] = th("e");
	CHECK(s[0] == XXH3_64bits(w, 40));
	CHECK_EQ_U(shingle_text(&sh, "...", 3, 5, &s, &nt), 0);
	CHECK_EQ_U(nt, 0);
	shingler_release(&sh);
}

/* Random texts (long tokens across 64-byte blocks, every byte value). */
static void
test_against_reference(void)
{
	static const char alpha[] = "aZ_9 \n(\xc3\xa9)..xY";
	struct shingler sh = SHINGLER_INIT;
	uint64_t st = 42, *want = malloc(8 * 5000);
	char *buf = malloc(5000);
	const uint64_t *got;
	size_t t, i, n, ns, rs, nt, rnt;

	for (t = 0; t < 2000; t++) {
		n = mh_splitmix64(&st) % 4000;
		for (i = 0; i < n; i++) {
			uint64_t r = mh_splitmix64(&st);

			if (t % 4 == 0)		/* any byte */
				buf[i] = (char)r;
			else if (t % 4 == 1)	/* long tokens */
				buf[i] = r % 97 == 0 ? ' ' : "abcXYZ\xe2"[r % 7];
			else
				buf[i] = alpha[r % (sizeof(alpha) - 1)];
		}
		ns = shingle_text(&sh, buf, n, 1 + t % 7, &got, &nt);
		rs = reference_shingles(buf, n, 1 + t % 7, want, &rnt);
		CHECK_EQ_U(ns, rs);
		CHECK_EQ_U(nt, rnt);
		if (ns == rs)
			CHECK(memcmp(got, want, ns * 8) == 0);
	}
	free(buf);
	free(want);
	shingler_release(&sh);
}

static void
test_sets(void)
{
	struct shingler sh = SHINGLER_INIT;
	uint64_t a[] = { 1, 3, 5, 7, 9 }, b[] = { 2, 3, 4, 9, 10, 11 };
	uint64_t v[300], tmp[300], st = 1;
	const uint64_t *set;
	size_t i, n;

	CHECK_EQ_U(set_intersection(a, 5, b, 6), 2);
	CHECK_EQ_U(set_intersection(a, 5, b, 0), 0);
	for (i = 0; i < 300; i++)
		v[i] = mh_splitmix64(&st) % 1000;
	sort_u64(v, 300, tmp);
	for (i = 1; i < 300; i++)
		CHECK(v[i - 1] <= v[i]);
	/* "a a a a a" repeats one shingle of 2 tokens */
	n = shingle_text(&sh, "a a a a a b", 11, 2, &set, &i);
	CHECK_EQ_U(n, 5);
	CHECK_EQ_U(shingle_set(&sh, n, &set), 2);
	CHECK(set[0] < set[1]);
	shingler_release(&sh);
}

int
main(void)
{
	T_RUN(test_tokens);
	T_RUN(test_shingles);
	T_RUN(test_against_reference);
	T_RUN(test_sets);
	return t_done();
}
