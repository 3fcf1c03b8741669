/*
 * bpe.h - byte-level BPE: a vocabulary of byte strings, merge ranks, and
 * the merge loop that turns one pre-tokenized piece into token ids.
 *
 * Two ways of ranking are supported, because the two families of
 * libraries differ:
 *   BPE_PAIRS  (Hugging Face tokenizers) ranks pairs of tokens by their
 *              line in the merges list; the merged token is vocab[a + b].
 *   BPE_RANKS  (tiktoken) ranks the concatenated bytes by their token id,
 *              and first looks the whole piece up.
 * Both then merge the adjacent pair of lowest rank, leftmost on ties, until
 * none is left.  Pieces of up to BPE_SHORT symbols use a linear scan, longer
 * ones a heap over a linked list (O(n log n): no quadratic case).
 *
 * A struct bpe is built once (bpe_new, bpe_add_token, bpe_add_merge,
 * bpe_finish) and then only read: threads share it.  Each thread encodes
 * through its own struct bpe_ctx, which holds scratch space and a cache of
 * recent pieces.  Tokens are raw bytes (byte-level strings of
 * vocab.json are decoded by the caller).
 */
#ifndef CODESIFT_BPE_H
#define CODESIFT_BPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mem.h"

#define BPE_MAX_ID	(1u << 24)	/* ids must be below this */
#define BPE_SHORT	48		/* longest piece for the linear merge */

enum bpe_kind {
	BPE_PAIRS,	/* Hugging Face: merges rank token pairs */
	BPE_RANKS	/* tiktoken: a token's id is the rank of its bytes */
};

/* A growable array of token ids. */
struct idvec {
	uint32_t	*v;
	size_t		 n, cap;
};
#define IDVEC_INIT { NULL, 0, 0 }

void	idvec_grow(struct idvec *iv, size_t extra);

static inline void
idvec_push(struct idvec *iv, uint32_t id)
{
	if (iv->n == iv->cap)
		idvec_grow(iv, 1);
	iv->v[iv->n++] = id;
}

static inline void
idvec_release(struct idvec *iv)
{
	free(iv->v);
	iv->v = NULL;
	iv->n = iv->cap = 0;
}

struct bpe;
struct bpe_ctx;

struct bpe *bpe_new(enum bpe_kind kind);
void	bpe_free(struct bpe *b);
enum bpe_kind bpe_kind(const struct bpe *b);

/*
 * Map the bytes p[0..n) (n >= 1) to id (< BPE_MAX_ID).  A string added
 * twice keeps the last id (as a JSON object with a repeated key does).
 */
void	bpe_add_token(struct bpe *b, const void *p, size_t n, uint32_t id);

/* Tokens to add in bulk (bpe_add_tokens). */
struct bpe_entry {
	const void	*p;
	uint32_t	 n;
	uint32_t	 id;
};

/* bpe_add_token() for each of e[0..n), faster: memory is fetched ahead. */
void	bpe_add_tokens(struct bpe *b, const struct bpe_entry *e, size_t n);

/* Make room for n tokens of about bytes bytes in all (avoids rehashing). */
void	bpe_reserve(struct bpe *b, size_t n, size_t bytes);

/* The id of the bytes p[0..n), or -1. */
int64_t	bpe_find(const struct bpe *b, const void *p, size_t n);

/* The bytes of token id (borrowed), or NULL if it has none. */
const char *bpe_token(const struct bpe *b, uint32_t id, size_t *n);

/*
 * BPE_PAIRS: the pair (a, b) merges into id with rank rank.  A pair added
 * twice keeps the last rank and id (Hugging Face builds a map from the
 * list, so the later line wins).
 */
void	bpe_add_merge(struct bpe *b, uint32_t a, uint32_t bb, uint32_t rank,
	    uint32_t id);

/*
 * BPE_PAIRS options of the Hugging Face model: the unknown token (-1: none;
 * a byte missing from the vocabulary is then dropped, as Hugging Face does),
 * fuse_unk, ignore_merges (a piece that is a token is that token).
 */
void	bpe_set_unk(struct bpe *b, int64_t unk, bool fuse);
void	bpe_set_ignore_merges(struct bpe *b, bool on);

/*
 * Done adding.  Returns NULL, or a static message when the model cannot
 * encode every byte (BPE_RANKS needs all 256 single bytes).
 */
const char *bpe_finish(struct bpe *b);

size_t	bpe_count(const struct bpe *b);		/* tokens */
size_t	bpe_merges(const struct bpe *b);	/* pairs (BPE_PAIRS) */
uint32_t bpe_id_end(const struct bpe *b);	/* highest id + 1 */

struct bpe_ctx *bpe_ctx_new(const struct bpe *b);
void	bpe_ctx_free(struct bpe_ctx *c);

/* Encode the piece p[0..n) and append its ids to out. */
void	bpe_encode(struct bpe_ctx *c, const char *p, size_t n,
	    struct idvec *out);

/*
 * The same in two steps, so that a caller can queue a few pieces: the
 * piece's hash, with the memory it will need fetched ahead; then its ids.
 */
uint64_t bpe_prefetch(struct bpe_ctx *c, const char *p, size_t n);
void	bpe_encode_hashed(struct bpe_ctx *c, const char *p, size_t n,
	    uint64_t h, struct idvec *out);

/*
 * The same merge, without the whole-piece lookup, the cache or the linear
 * path: a slow obvious reference for tests (heap=false: naive rescans;
 * heap=true: the heap path whatever the length).
 */
void	bpe_encode_ref(struct bpe_ctx *c, const char *p, size_t n,
	    struct idvec *out, bool heap);

/* Cache statistics of a context: pieces looked up, and found. */
void	bpe_ctx_stats(const struct bpe_ctx *c, uint64_t *pieces,
	    uint64_t *hits);

#endif
