/*
 * test_bpe.c - the BPE merge loop against a slow obvious reference, for
 * both rankings, on random vocabularies and texts; the whole-token and
 * cache shortcuts; unknown bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../filters/tok-count/bpe.h"
#include "t.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* A random vocabulary over a small alphabet: the 256 bytes, then ntok
 * tokens made by joining two earlier ones (rank = creation order). */
struct vocab {
	char	**s;
	size_t	*n;
	size_t	 count;
};

static void
vocab_add(struct vocab *v, const char *s, size_t n)
{
	v->s = realloc(v->s, (v->count + 1) * sizeof(*v->s));
	v->n = realloc(v->n, (v->count + 1) * sizeof(*v->n));
	v->s[v->count] = malloc(n + 1);
	memcpy(v->s[v->count], s, n);
	v->n[v->count++] = n;
}

static void
vocab_free(struct vocab *v)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		free(v->s[i]);
	free(v->s);
	free(v->n);
}

static const char alpha[] = "ab c";

/* Build both models from one random history of merges. */
static void
build(struct bpe **pairs, struct bpe **ranks, size_t ntok)
{
	struct vocab v = { NULL, NULL, 0 };
	char buf[512];
	size_t i, a, b, rank = 0;
	int64_t id;
	unsigned char c;

	*pairs = bpe_new(BPE_PAIRS);
	*ranks = bpe_new(BPE_RANKS);
	for (i = 0; i < 256; i++) {
		c = (unsigned char)i;
		vocab_add(&v, (char *)&c, 1);
		bpe_add_token(*pairs, &c, 1, (uint32_t)i);
		bpe_add_token(*ranks, &c, 1, (uint32_t)i);
	}
	while (rank < ntok) {
		/* favour the alphabet and recent tokens */
		a = rnd(4) == 0 ? (unsigned char)alpha[rnd(4)] :
		    v.count > 256 ? 256 + rnd((uint32_t)(v.count - 256)) :
		    (unsigned char)alpha[rnd(4)];
		b = rnd(3) == 0 ? (unsigned char)alpha[rnd(4)] :
		    v.count > 256 ? 256 + rnd((uint32_t)(v.count - 256)) :
		    (unsigned char)alpha[rnd(4)];
		if (v.n[a] + v.n[b] > sizeof(buf))
			continue;
		memcpy(buf, v.s[a], v.n[a]);
		memcpy(buf + v.n[a], v.s[b], v.n[b]);
		id = bpe_find(*pairs, buf, v.n[a] + v.n[b]);
		if (id < 0) {
			id = (int64_t)v.count;
			vocab_add(&v, buf, v.n[a] + v.n[b]);
			bpe_add_token(*pairs, buf, v.n[a] + v.n[b],
			    (uint32_t)id);
			bpe_add_token(*ranks, buf, v.n[a] + v.n[b],
			    (uint32_t)id);
		}
		bpe_add_merge(*pairs, (uint32_t)a, (uint32_t)b,
		    (uint32_t)rank++, (uint32_t)id);
	}
	CHECK(bpe_finish(*pairs) == NULL);
	CHECK(bpe_finish(*ranks) == NULL);
	vocab_free(&v);
}

static bool
same(const struct idvec *x, const struct idvec *y)
{
	return x->n == y->n && memcmp(x->v, y->v, x->n * sizeof(*x->v)) == 0;
}

/* The ids' bytes spell the piece again. */
static bool
spells(const struct bpe *b, const struct idvec *iv, const char *p, size_t n)
{
	size_t i, k, off = 0;
	const char *t;

	for (i = 0; i < iv->n; i++) {
		if ((t = bpe_token(b, iv->v[i], &k)) == NULL || off + k > n ||
		    memcmp(p + off, t, k) != 0)
			return false;
		off += k;
	}
	return off == n;
}

static void
compare_model(struct bpe *b, int rounds, size_t maxlen)
{
	struct bpe_ctx *c = bpe_ctx_new(b);
	struct idvec fast = IDVEC_INIT, naive = IDVEC_INIT, heap = IDVEC_INIT;
	char text[4096];
	size_t n, i;
	int r, bad = 0;

	for (r = 0; r < rounds; r++) {
		n = 1 + rnd((uint32_t)maxlen);
		for (i = 0; i < n; i++)
			text[i] = alpha[rnd(rnd(8) == 0 ? 4 : 3)];
		fast.n = naive.n = heap.n = 0;
		/* twice: the second may come from the cache */
		bpe_encode(c, text, n, &fast);
		fast.n = 0;
		bpe_encode(c, text, n, &fast);
		bpe_encode_ref(c, text, n, &naive, false);
		bpe_encode_ref(c, text, n, &heap, true);
		if (!same(&fast, &naive) || !same(&heap, &naive) ||
		    !spells(b, &fast, text, n)) {
			if (bad++ < 3)
				printf("#   differ on '%.*s'\n", (int)n, text);
		}
	}
	CHECK(bad == 0);
	idvec_release(&fast);
	idvec_release(&naive);
	idvec_release(&heap);
	bpe_ctx_free(c);
}

static void
pairs_match_reference(void)
{
	struct bpe *p, *r;

	build(&p, &r, 400);
	compare_model(p, 3000, 120);
	compare_model(p, 60, 2000);	/* the heap path */
	bpe_free(p);
	bpe_free(r);
}

static void
ranks_match_reference(void)
{
	struct bpe *p, *r;

	build(&p, &r, 400);
	compare_model(r, 3000, 120);
	compare_model(r, 60, 2000);
	bpe_free(p);
	bpe_free(r);
}

/* A token its own bytes do not merge into: Hugging Face keeps the merges'
 * answer, tiktoken and ignore_merges take the token. */
static void
whole_token_rules(void)
{
	struct bpe *hf = bpe_new(BPE_PAIRS), *tk = bpe_new(BPE_RANKS);
	struct bpe_ctx *c;
	struct idvec iv = IDVEC_INIT;
	unsigned char ch;
	int i;

	for (i = 0; i < 256; i++) {
		ch = (unsigned char)i;
		bpe_add_token(hf, &ch, 1, (uint32_t)i);
		bpe_add_token(tk, &ch, 1, (uint32_t)i);
	}
	bpe_add_token(hf, "ab", 2, 300);
	bpe_add_token(hf, "abc", 3, 301);	/* no merge makes it */
	bpe_add_merge(hf, 'a', 'b', 0, 300);
	CHECK(bpe_finish(hf) == NULL);
	c = bpe_ctx_new(hf);
	bpe_encode(c, "abc", 3, &iv);
	CHECK_EQ_U(iv.n, 2);
	CHECK_EQ_U(iv.v[0], 300);
	CHECK_EQ_U(iv.v[1], 'c');
	iv.n = 0;
	bpe_encode(c, "abc", 3, &iv);	/* remembered, same answer */
	CHECK_EQ_U(iv.n, 2);
	bpe_ctx_free(c);
	bpe_set_ignore_merges(hf, true);
	c = bpe_ctx_new(hf);
	iv.n = 0;
	bpe_encode(c, "abc", 3, &iv);
	CHECK_EQ_U(iv.n, 1);
	CHECK_EQ_U(iv.v[0], 301);
	bpe_ctx_free(c);

	bpe_add_token(tk, "abc", 3, 301);
	CHECK(bpe_finish(tk) == NULL);
	c = bpe_ctx_new(tk);
	iv.n = 0;
	bpe_encode(c, "abc", 3, &iv);
	CHECK_EQ_U(iv.n, 1);
	CHECK_EQ_U(iv.v[0], 301);
	iv.n = 0;
	bpe_encode(c, "abcabc", 6, &iv);	/* "ab"? no: rank of "ab" absent */
	CHECK_EQ_U(iv.n, 6);
	bpe_ctx_free(c);
	idvec_release(&iv);
	bpe_free(hf);
	bpe_free(tk);
}

/* Leftmost on ties: "aaa" with a+a -> [aa, a]. */
static void
leftmost_on_ties(void)
{
	struct bpe *b = bpe_new(BPE_PAIRS);
	struct bpe_ctx *c;
	struct idvec iv = IDVEC_INIT;
	char text[300];
	unsigned char ch;
	int i;

	for (i = 0; i < 256; i++) {
		ch = (unsigned char)i;
		bpe_add_token(b, &ch, 1, (uint32_t)i);
	}
	bpe_add_token(b, "aa", 2, 256);
	bpe_add_merge(b, 'a', 'a', 0, 256);
	CHECK(bpe_finish(b) == NULL);
	c = bpe_ctx_new(b);
	bpe_encode(c, "aaa", 3, &iv);
	CHECK_EQ_U(iv.n, 2);
	CHECK_EQ_U(iv.v[0], 256);
	CHECK_EQ_U(iv.v[1], 'a');
	memset(text, 'a', sizeof(text));
	iv.n = 0;
	bpe_encode(c, text, 299, &iv);	/* heap path */
	CHECK_EQ_U(iv.n, 150);
	CHECK_EQ_U(iv.v[148], 256);
	CHECK_EQ_U(iv.v[149], 'a');
	idvec_release(&iv);
	bpe_ctx_free(c);
	bpe_free(b);
}

/* A byte that is no token: dropped, or the unknown token (fused). */
static void
unknown_bytes(void)
{
	struct bpe *b = bpe_new(BPE_PAIRS);
	struct bpe_ctx *c;
	struct idvec iv = IDVEC_INIT;

	bpe_add_token(b, "a", 1, 1);
	bpe_add_token(b, "b", 1, 2);
	bpe_add_token(b, "<unk>", 5, 0);
	bpe_add_token(b, "ab", 2, 3);
	bpe_add_merge(b, 1, 2, 0, 3);
	CHECK(bpe_finish(b) == NULL);
	c = bpe_ctx_new(b);
	bpe_encode(c, "axxb", 4, &iv);		/* dropped: a and b meet */
	CHECK_EQ_U(iv.n, 1);
	CHECK_EQ_U(iv.v[0], 3);
	bpe_ctx_free(c);
	bpe_set_unk(b, 0, false);
	c = bpe_ctx_new(b);
	iv.n = 0;
	bpe_encode(c, "axxb", 4, &iv);
	CHECK_EQ_U(iv.n, 4);
	CHECK_EQ_U(iv.v[1], 0);
	CHECK_EQ_U(iv.v[2], 0);
	bpe_ctx_free(c);
	bpe_set_unk(b, 0, true);
	c = bpe_ctx_new(b);
	iv.n = 0;
	bpe_encode(c, "axxbx", 5, &iv);
	CHECK_EQ_U(iv.n, 4);
	CHECK_EQ_U(iv.v[0], 1);
	CHECK_EQ_U(iv.v[1], 0);
	CHECK_EQ_U(iv.v[2], 2);
	CHECK_EQ_U(iv.v[3], 0);
	bpe_ctx_free(c);
	idvec_release(&iv);
	bpe_free(b);

	b = bpe_new(BPE_RANKS);
	bpe_add_token(b, "a", 1, 0);
	CHECK(bpe_finish(b) != NULL);	/* tiktoken needs all 256 bytes */
	bpe_free(b);
}

static void
later_entries_win(void)
{
	struct bpe *b = bpe_new(BPE_PAIRS);

	bpe_add_token(b, "x", 1, 5);
	bpe_add_token(b, "x", 1, 7);
	CHECK_EQ_U(bpe_find(b, "x", 1), 7);
	CHECK_EQ_U(bpe_count(b), 1);
	CHECK(bpe_find(b, "y", 1) < 0);
	bpe_add_merge(b, 1, 2, 9, 3);
	bpe_add_merge(b, 1, 2, 4, 3);
	CHECK_EQ_U(bpe_merges(b), 1);
	bpe_free(b);
}

int
main(void)
{
	T_RUN(pairs_match_reference);
	T_RUN(ranks_match_reference);
	T_RUN(whole_token_rules);
	T_RUN(leftmost_on_ties);
	T_RUN(unknown_bytes);
	T_RUN(later_entries_win);
	return t_done();
}
