/*
 * fuzz_tok.c - libFuzzer target over the pre-tokenizer and BPE.
 *
 * For any valid UTF-8 input: the ASCII scanners cut the same pieces as
 * PCRE2 for the GPT-2, cl100k and o200k patterns, the pieces cover the
 * text, each split behaviour keeps or drops exactly the right bytes, and
 * the BPE fast path (whole tokens, cache, linear merge) gives the ids of the
 * slow reference, which spell the piece again.  The vocabulary is a random
 * one over bytes frequent in code and UTF-8, built once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filters/tok-count/bpe.h"
#include "../../filters/tok-count/pretok.h"
#include "jscan.h"
#include "mem.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static struct bpe *pairs, *ranks;
static struct bpe_ctx *pc, *rc;
static struct pretok *pt[3], *sp[5];
static struct pretok_ctx *ptc[3], *spc[5];

static const unsigned char alpha[] = "ae t\n_(\xc3\xa9\xe4\xb8";

static void
build(void)
{
	unsigned char c, buf[64];
	size_t count = 256, i, rank = 0;
	uint64_t x = 88172645463325252ull;
	struct { unsigned char s[64]; size_t n; } *tok;
	int64_t id;

	tok = xcalloc(1024 + 256, sizeof(*tok));
	pairs = bpe_new(BPE_PAIRS);
	ranks = bpe_new(BPE_RANKS);
	for (i = 0; i < 256; i++) {
		c = (unsigned char)i;
		tok[i].s[0] = c;
		tok[i].n = 1;
		bpe_add_token(pairs, &c, 1, (uint32_t)i);
		bpe_add_token(ranks, &c, 1, (uint32_t)i);
	}
	while (rank < 1000) {
		size_t a, b;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a = count > 256 && (x & 3) ? 256 + (x >> 8) % (count - 256) :
		    alpha[(x >> 16) % (sizeof(alpha) - 1)];
		b = count > 256 && (x & 12) ? 256 + (x >> 24) % (count - 256) :
		    alpha[(x >> 32) % (sizeof(alpha) - 1)];
		if (tok[a].n + tok[b].n > sizeof(buf))
			continue;
		memcpy(buf, tok[a].s, tok[a].n);
		memcpy(buf + tok[a].n, tok[b].s, tok[b].n);
		if ((id = bpe_find(pairs, buf, tok[a].n + tok[b].n)) < 0) {
			id = (int64_t)count;
			memcpy(tok[count].s, buf, tok[a].n + tok[b].n);
			tok[count].n = tok[a].n + tok[b].n;
			bpe_add_token(pairs, buf, tok[count].n, (uint32_t)id);
			bpe_add_token(ranks, buf, tok[count].n, (uint32_t)id);
			count++;
		}
		bpe_add_merge(pairs, (uint32_t)a, (uint32_t)b,
		    (uint32_t)rank++, (uint32_t)id);
	}
	free(tok);
	CHECK(bpe_finish(pairs) == NULL && bpe_finish(ranks) == NULL);
	pc = bpe_ctx_new(pairs);
	rc = bpe_ctx_new(ranks);
}

static void
setup(void)
{
	static const char *const pats[3] = { PT_GPT2_PATTERN,
	    PT_CL100K_PATTERN, PT_O200K_PATTERN };
	struct buf err = BUF_INIT;
	int i;

	build();
	for (i = 0; i < 3; i++) {
		pt[i] = pretok_new();
		CHECK(pretok_add_regex(pt[i], pats[i], strlen(pats[i]),
		    PT_REMOVED, true, &err));
		ptc[i] = pretok_ctx_new(pt[i]);
	}
	for (i = 0; i < 5; i++) {
		sp[i] = pretok_new();
		CHECK(pretok_add_regex(sp[i], "\\s+|x*", 6,
		    (enum pt_behavior)i, false, &err));
		spc[i] = pretok_ctx_new(sp[i]);
	}
	buf_release(&err);
}

struct collect {
	struct buf	cat;	/* the pieces, joined */
	size_t		n;
	size_t		*len;
	size_t		cap;
};

static void
sink(void *arg, const char *p, size_t n)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->len = xreallocarray(c->len, c->cap, sizeof(*c->len));
	}
	c->len[c->n++] = n;
	buf_add(&c->cat, p, n);
}

static void
check_bpe(struct bpe_ctx *c, const struct bpe *b, const char *p, size_t n)
{
	struct idvec f = IDVEC_INIT, r = IDVEC_INIT;
	size_t i, off = 0, k;
	const char *t;

	bpe_encode(c, p, n, &f);
	bpe_encode_ref(c, p, n, &r, n > 300);
	CHECK(f.n == r.n && memcmp(f.v, r.v, f.n * sizeof(*f.v)) == 0);
	for (i = 0; i < f.n; i++) {
		CHECK((t = bpe_token(b, f.v[i], &k)) != NULL);
		CHECK(off + k <= n && memcmp(p + off, t, k) == 0);
		off += k;
	}
	CHECK(off == n);
	idvec_release(&f);
	idvec_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *text = (const char *)data;
	struct collect fast, slow;
	struct buf err = BUF_INIT;
	size_t i, off;
	int k;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size == 0 || size > 4096 || !utf8_valid(text, size, NULL))
		return 0;
	for (k = 0; k < 3; k++) {
		memset(&fast, 0, sizeof(fast));
		memset(&slow, 0, sizeof(slow));
		pretok_set_fast(pt[k], true);
		CHECK(pretok_run(ptc[k], text, size, sink, &fast, &err));
		pretok_set_fast(pt[k], false);
		CHECK(pretok_run(ptc[k], text, size, sink, &slow, &err));
		CHECK(fast.n == slow.n && fast.cat.len == size &&
		    memcmp(fast.cat.data, text, size) == 0);
		CHECK(memcmp(fast.len, slow.len, fast.n * sizeof(size_t)) == 0);
		for (i = 0, off = 0; i < fast.n; off += fast.len[i++]) {
			check_bpe(pc, pairs, text + off, fast.len[i]);
			check_bpe(rc, ranks, text + off, fast.len[i]);
		}
		buf_release(&fast.cat);
		buf_release(&slow.cat);
		free(fast.len);
		free(slow.len);
	}
	/* every behaviour but Removed keeps every byte, in order */
	for (k = 0; k < 5; k++) {
		memset(&fast, 0, sizeof(fast));
		CHECK(pretok_run(spc[k], text, size, sink, &fast, &err));
		if (k != PT_REMOVED)
			CHECK(fast.cat.len == size &&
			    memcmp(fast.cat.data, text, size) == 0);
		else
			CHECK(fast.cat.len <= size);
		for (i = 0; i < fast.n; i++)
			CHECK(fast.len[i] > 0);
		buf_release(&fast.cat);
		free(fast.len);
	}
	buf_release(&err);
	return 0;
}
