/*
 * bpe.c - byte-level BPE merges (see bpe.h).
 *
 * Built for source code: most pieces the pre-tokenizer cuts are whole
 * tokens (keywords, identifiers, operators, indentation), so the first
 * question is "is this piece a token?" -- one hash probe.  For Hugging Face
 * models a whole-token piece is not always its own encoding, so each
 * token's answer is computed once and remembered (an atomic byte per id,
 * shared by the threads).  Other pieces go through a per-thread cache of
 * short pieces, then the merge loop.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bpe.h"
#include "err.h"
#include "mem.h"

#define NONE		UINT32_MAX
#define CACHE_BITS	16
#define CACHE_BYTES	22	/* longest piece the cache keeps */
#define CACHE_IDS	8	/* most ids a cached piece may have */

struct vslot {
	uint32_t	h32;	/* high bits of the hash */
	uint32_t	len;	/* 0: empty slot (tokens have a byte or more) */
	uint32_t	off;	/* in pool */
	uint32_t	id;
};

struct pslot {
	uint64_t	key;	/* a << 32 | b; UINT64_MAX: empty slot */
	uint32_t	rank;
	uint32_t	id;
};

struct bpe {
	enum bpe_kind	 kind;
	struct vslot	*v;
	size_t		 vmask, vn;
	struct buf	 pool;
	uint32_t	*tok_off;	/* by id: offset in pool, or NONE */
	uint32_t	*tok_len;
	uint32_t	 id_end;	/* highest id + 1 */
	size_t		 idcap;
	struct pslot	*p;
	size_t		 pmask, pn;
	int64_t		 byte_id[256];
	bool		 all_bytes;
	int64_t		 unk;
	bool		 fuse_unk;
	bool		 ignore_merges;
	_Atomic uint8_t	*self;	/* BPE_PAIRS: 0 unknown, 1 BPE(bytes) == [id], 2 not */
};

struct cslot {
	uint64_t	h;
	uint8_t		n;	/* 0: empty */
	uint8_t		nids;
	char		b[CACHE_BYTES];
	uint32_t	ids[CACHE_IDS];
};

struct hent {
	uint64_t	key;	/* rank << 32 | position of the left symbol */
	uint32_t	id;	/* the merged token */
	uint32_t	tlen;	/* bytes of the pair, to spot stale entries */
};

struct bpe_ctx {
	const struct bpe *b;
	struct cslot	*cache;
	/* symbols: start, length in bytes, id; the heap path links them */
	uint32_t	*st, *ln, *id;
	int32_t		*nx, *pv;
	/* the linear path: rank and result of each pair */
	uint32_t	 rk[BPE_SHORT], nw[BPE_SHORT];
	size_t		 cap;
	struct hent	*h;
	size_t		 hn, hcap;
	uint64_t	 pieces, hits;
};

void
idvec_grow(struct idvec *iv, size_t extra)
{
	size_t want = iv->n + extra, cap = iv->cap < 64 ? 64 : iv->cap;

	while (cap < want)
		cap *= 2;
	iv->v = xreallocarray(iv->v, cap, sizeof(*iv->v));
	iv->cap = cap;
}

static inline uint64_t
hash_bytes(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

static inline size_t
pair_slot(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

struct bpe *
bpe_new(enum bpe_kind kind)
{
	struct bpe *b = xcalloc(1, sizeof(*b));
	size_t i;

	b->kind = kind;
	b->vmask = 1023;
	b->v = xcalloc(b->vmask + 1, sizeof(*b->v));
	b->pmask = 1023;
	b->p = xreallocarray(NULL, b->pmask + 1, sizeof(*b->p));
	for (i = 0; i <= b->pmask; i++)
		b->p[i].key = UINT64_MAX;
	b->unk = -1;
	return b;
}

void
bpe_free(struct bpe *b)
{
	if (b == NULL)
		return;
	free(b->v);
	free(b->p);
	free(b->tok_off);
	free(b->tok_len);
	free((void *)b->self);
	buf_release(&b->pool);
	free(b);
}

enum bpe_kind
bpe_kind(const struct bpe *b)
{
	return b->kind;
}

/* memcmp() == 0 for the short strings tokens are, without a call */
static inline bool
eq(const void *x, const void *y, size_t n)
{
	const unsigned char *a = x, *b = y;
	uint64_t u, v;

	if (n > 32)
		return memcmp(a, b, n) == 0;
	while (n >= 8) {
		memcpy(&u, a, 8);
		memcpy(&v, b, 8);
		if (u != v)
			return false;
		a += 8;
		b += 8;
		n -= 8;
	}
	while (n > 0) {
		if (*a++ != *b++)
			return false;
		n--;
	}
	return true;
}

static inline struct vslot *
vlookup(const struct bpe *b, uint64_t h, const void *p, size_t n)
{
	uint32_t h32 = (uint32_t)(h >> 32);
	size_t i = (size_t)h & b->vmask;
	struct vslot *s;

	for (;; i = (i + 1) & b->vmask) {
		s = &b->v[i];
		if (s->len == 0)
			return s;
		if (s->h32 == h32 && s->len == n &&
		    eq(b->pool.data + s->off, p, n))
			return s;
	}
}

/* Make the table hold at least want slots (a power of two). */
static void
vresize(struct bpe *b, size_t want)
{
	struct vslot *old = b->v, *s;
	size_t oldn = b->vmask + 1, i, n = oldn;
	uint64_t h;

	while (n < want)
		n *= 2;
	if (n == oldn)
		return;
	b->vmask = n - 1;
	b->v = xcalloc(n, sizeof(*b->v));
	for (i = 0; i < oldn; i++) {
		if (old[i].len == 0)
			continue;
		h = hash_bytes(b->pool.data + old[i].off, old[i].len);
		s = vlookup(b, h, b->pool.data + old[i].off, old[i].len);
		*s = old[i];
	}
	free(old);
}

static void
vgrow(struct bpe *b)
{
	vresize(b, (b->vmask + 1) * 2);
}

static void
set_id_bytes(struct bpe *b, uint32_t id, uint32_t off, uint32_t len)
{
	size_t i;

	if (id >= b->idcap) {
		size_t cap = b->idcap < 1024 ? 1024 : b->idcap;

		while (cap <= id)
			cap *= 2;
		b->tok_off = xreallocarray(b->tok_off, cap, sizeof(uint32_t));
		b->tok_len = xreallocarray(b->tok_len, cap, sizeof(uint32_t));
		for (i = b->idcap; i < cap; i++) {
			b->tok_off[i] = NONE;
			b->tok_len[i] = 0;
		}
		b->idcap = cap;
	}
	b->tok_off[id] = off;
	b->tok_len[id] = len;
	if (off != NONE && id >= b->id_end)
		b->id_end = id + 1;
}

void
bpe_reserve(struct bpe *b, size_t n, size_t bytes)
{
	vresize(b, (b->vn + n) * 2);
	if (bytes > 0)
		buf_grow(&b->pool, bytes);
	if (n > 0 && b->idcap < b->vn + n)
		set_id_bytes(b, (uint32_t)(b->vn + n - 1), NONE, 0);
}

static void
add_hashed(struct bpe *b, const void *p, size_t n, uint32_t id, uint64_t h)
{
	struct vslot *s;

	if (n == 0 || n >= UINT32_MAX || id >= BPE_MAX_ID)
		err_bug("bpe_add_token: bad token (%zu bytes, id %u)", n, id);
	if ((b->vn + 1) * 2 > b->vmask + 1) {
		vgrow(b);
		h = hash_bytes(p, n);
	}
	s = vlookup(b, h, p, n);
	if (s->len == 0) {
		if (b->pool.len + n >= UINT32_MAX)
			err_die("vocabulary too large");
		s->off = (uint32_t)b->pool.len;
		s->len = (uint32_t)n;
		s->h32 = (uint32_t)(h >> 32);
		buf_add(&b->pool, p, n);
		b->vn++;
	}
	s->id = id;
	set_id_bytes(b, id, s->off, s->len);
}

void
bpe_add_token(struct bpe *b, const void *p, size_t n, uint32_t id)
{
	add_hashed(b, p, n, id, hash_bytes(p, n));
}

#define AHEAD 16

void
bpe_add_tokens(struct bpe *b, const struct bpe_entry *e, size_t n)
{
	uint64_t h[AHEAD];
	size_t i, k, m;

	/* a table of 200,000 tokens is far bigger than the caches: hash a
	 * group, fetch its slots, then insert */
	bpe_reserve(b, n, 0);
	for (i = 0; i < n; i += AHEAD) {
		m = n - i < AHEAD ? n - i : AHEAD;
		for (k = 0; k < m; k++) {
			h[k] = hash_bytes(e[i + k].p, e[i + k].n);
			__builtin_prefetch(&b->v[(size_t)h[k] & b->vmask], 1);
		}
		for (k = 0; k < m; k++)
			add_hashed(b, e[i + k].p, e[i + k].n, e[i + k].id,
			    h[k]);
	}
}

int64_t
bpe_find(const struct bpe *b, const void *p, size_t n)
{
	const struct vslot *s;

	if (n == 0)
		return -1;
	s = vlookup(b, hash_bytes(p, n), p, n);
	return s->len == 0 ? -1 : (int64_t)s->id;
}

const char *
bpe_token(const struct bpe *b, uint32_t id, size_t *n)
{
	if (id >= b->id_end || b->tok_off[id] == NONE)
		return NULL;
	*n = b->tok_len[id];
	return b->pool.data + b->tok_off[id];
}

static struct pslot *
plookup(const struct bpe *b, uint64_t key)
{
	size_t i = pair_slot(key, b->pmask);

	while (b->p[i].key != UINT64_MAX && b->p[i].key != key)
		i = (i + 1) & b->pmask;
	return &b->p[i];
}

void
bpe_add_merge(struct bpe *b, uint32_t a, uint32_t bb, uint32_t rank,
    uint32_t id)
{
	uint64_t key = (uint64_t)a << 32 | bb;
	struct pslot *s;

	if ((b->pn + 1) * 2 > b->pmask + 1) {
		struct pslot *old = b->p;
		size_t oldn = b->pmask + 1, i;

		b->pmask = oldn * 2 - 1;
		b->p = xreallocarray(NULL, b->pmask + 1, sizeof(*b->p));
		for (i = 0; i <= b->pmask; i++)
			b->p[i].key = UINT64_MAX;
		for (i = 0; i < oldn; i++)
			if (old[i].key != UINT64_MAX)
				*plookup(b, old[i].key) = old[i];
		free(old);
	}
	s = plookup(b, key);
	if (s->key == UINT64_MAX) {
		s->key = key;
		b->pn++;
	}
	s->rank = rank;
	s->id = id;
}

void
bpe_set_unk(struct bpe *b, int64_t unk, bool fuse)
{
	b->unk = unk;
	b->fuse_unk = fuse;
}

void
bpe_set_ignore_merges(struct bpe *b, bool on)
{
	b->ignore_merges = on;
}

const char *
bpe_finish(struct bpe *b)
{
	unsigned char c;
	int i;

	b->all_bytes = true;
	for (i = 0; i < 256; i++) {
		c = (unsigned char)i;
		b->byte_id[i] = bpe_find(b, &c, 1);
		if (b->byte_id[i] < 0)
			b->all_bytes = false;
	}
	if (b->kind == BPE_RANKS && !b->all_bytes)
		return "the ranks do not cover all 256 single bytes";
	if (b->kind == BPE_PAIRS && b->id_end > 0) {
		b->self = xcalloc(b->id_end, 1);
		for (i = 0; i < (int)b->id_end; i++)
			atomic_init(&b->self[i], 0);
	}
	return NULL;
}

size_t
bpe_count(const struct bpe *b)
{
	return b->vn;
}

size_t
bpe_merges(const struct bpe *b)
{
	return b->pn;
}

uint32_t
bpe_id_end(const struct bpe *b)
{
	return b->id_end;
}

/* ---- per-thread context ---- */

struct bpe_ctx *
bpe_ctx_new(const struct bpe *b)
{
	struct bpe_ctx *c = xcalloc(1, sizeof(*c));

	c->b = b;
	c->cache = xcalloc((size_t)1 << CACHE_BITS, sizeof(*c->cache));
	return c;
}

void
bpe_ctx_free(struct bpe_ctx *c)
{
	if (c == NULL)
		return;
	free(c->cache);
	free(c->st);
	free(c->ln);
	free(c->id);
	free(c->nx);
	free(c->pv);
	free(c->h);
	free(c);
}

void
bpe_ctx_stats(const struct bpe_ctx *c, uint64_t *pieces, uint64_t *hits)
{
	*pieces = c->pieces;
	*hits = c->hits;
}

static void
reserve(struct bpe_ctx *c, size_t n)
{
	size_t cap = c->cap < BPE_SHORT ? BPE_SHORT : c->cap;

	if (n <= c->cap && c->cap != 0)
		return;
	while (cap < n)
		cap *= 2;
	c->st = xreallocarray(c->st, cap, sizeof(*c->st));
	c->ln = xreallocarray(c->ln, cap, sizeof(*c->ln));
	c->id = xreallocarray(c->id, cap, sizeof(*c->id));
	c->nx = xreallocarray(c->nx, cap, sizeof(*c->nx));
	c->pv = xreallocarray(c->pv, cap, sizeof(*c->pv));
	c->cap = cap;
}

/*
 * The initial symbols: one per byte.  A byte that is not a token becomes
 * the unknown token (consecutive ones fused with fuse_unk) or, without
 * one, is dropped -- Hugging Face's merge_word().
 */
static size_t
init_syms(struct bpe_ctx *c, const unsigned char *p, size_t n)
{
	const struct bpe *b = c->b;
	size_t i, m = 0;
	bool pending = false;
	int64_t id;

	if (b->all_bytes) {
		/* only tiktoken's ranks look at the bytes of a pair */
		if (b->kind == BPE_RANKS)
			for (i = 0; i < n; i++)
				c->st[i] = (uint32_t)i;
		for (i = 0; i < n; i++) {
			c->ln[i] = 1;
			c->id[i] = (uint32_t)b->byte_id[p[i]];
		}
		return n;
	}
	for (i = 0; i < n; i++) {
		id = b->byte_id[p[i]];
		if (id >= 0) {
			if (pending)
				m++;
			pending = false;
			c->st[m] = (uint32_t)i;
			c->ln[m] = 1;
			c->id[m++] = (uint32_t)id;
		} else if (b->unk >= 0) {
			if (pending && b->fuse_unk) {
				c->ln[m]++;
				continue;
			}
			if (pending)
				m++;
			pending = true;
			c->st[m] = (uint32_t)i;
			c->ln[m] = 1;
			c->id[m] = (uint32_t)b->unk;
		}
	}
	if (pending)
		m++;
	return m;
}

/* The rank and result of merging symbols i and j, or false. */
static inline bool
pair_of(const struct bpe_ctx *c, const unsigned char *p, size_t i, size_t j,
    uint32_t *rank, uint32_t *nid)
{
	const struct bpe *b = c->b;

	if (b->kind == BPE_PAIRS) {
		const struct pslot *s = plookup(b,
		    (uint64_t)c->id[i] << 32 | c->id[j]);

		if (s->key == UINT64_MAX)
			return false;
		*rank = s->rank;
		*nid = s->id;
		return true;
	} else {
		size_t n = (size_t)c->ln[i] + c->ln[j];
		const struct vslot *s = vlookup(b,
		    hash_bytes(p + c->st[i], n), p + c->st[i], n);

		if (s->len == 0)
			return false;
		*rank = *nid = s->id;
		return true;
	}
}

static inline void
set_rank(struct bpe_ctx *c, const unsigned char *p, size_t i)
{
	if (!pair_of(c, p, i, i + 1, &c->rk[i], &c->nw[i]))
		c->rk[i] = NONE;
}

/* Up to BPE_SHORT symbols: rescan the pair ranks after each merge. */
static void
merge_linear(struct bpe_ctx *c, const unsigned char *p, size_t m,
    struct idvec *out)
{
	uint32_t best, *st = c->st, *ln = c->ln, *id = c->id, *rk = c->rk;
	uint32_t *nw = c->nw;
	size_t i, bi;

	for (i = 0; i + 1 < m; i++)
		set_rank(c, p, i);
	while (m > 1) {
		best = NONE;
		bi = 0;
		for (i = 0; i + 1 < m; i++)
			if (rk[i] < best) {
				best = rk[i];
				bi = i;
			}
		if (best == NONE)
			break;
		id[bi] = nw[bi];
		ln[bi] += ln[bi + 1];
		if (m > bi + 2) {
			size_t k = m - bi - 2;

			memmove(st + bi + 1, st + bi + 2, k * sizeof(*st));
			memmove(ln + bi + 1, ln + bi + 2, k * sizeof(*ln));
			memmove(id + bi + 1, id + bi + 2, k * sizeof(*id));
			if (k > 1) {
				memmove(rk + bi + 1, rk + bi + 2,
				    (k - 1) * sizeof(*rk));
				memmove(nw + bi + 1, nw + bi + 2,
				    (k - 1) * sizeof(*nw));
			}
		}
		m--;
		if (bi > 0)
			set_rank(c, p, bi - 1);
		if (bi + 1 < m)
			set_rank(c, p, bi);
	}
	if (out->cap - out->n < m)
		idvec_grow(out, m);
	memcpy(out->v + out->n, id, m * sizeof(*id));
	out->n += m;
}

static void
heap_push(struct bpe_ctx *c, uint64_t key, uint32_t id, uint32_t tlen)
{
	struct hent e = { key, id, tlen };
	size_t i, up;

	if (c->hn == c->hcap) {
		c->hcap = c->hcap < 64 ? 64 : c->hcap * 2;
		c->h = xreallocarray(c->h, c->hcap, sizeof(*c->h));
	}
	i = c->hn++;
	while (i > 0) {
		up = (i - 1) / 2;
		if (c->h[up].key <= key)
			break;
		c->h[i] = c->h[up];
		i = up;
	}
	c->h[i] = e;
}

static struct hent
heap_pop(struct bpe_ctx *c)
{
	struct hent top = c->h[0], last = c->h[--c->hn];
	size_t i = 0, k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= c->hn)
			break;
		if (k + 1 < c->hn && c->h[k + 1].key < c->h[k].key)
			k++;
		if (last.key <= c->h[k].key)
			break;
		c->h[i] = c->h[k];
		i = k;
	}
	if (c->hn > 0)
		c->h[i] = last;
	return top;
}

static inline void
push_pair(struct bpe_ctx *c, const unsigned char *p, size_t i, size_t j)
{
	uint32_t rank, nid;

	if (pair_of(c, p, i, j, &rank, &nid))
		heap_push(c, (uint64_t)rank << 32 | i, nid, c->ln[i] + c->ln[j]);
}

/*
 * Any length: symbols in a linked list, candidate pairs in a min-heap on
 * (rank, position) -- the same order as a rescan, in O(n log n).  An entry
 * is stale once either symbol changed, which shows in their total length.
 */
static void
merge_heap(struct bpe_ctx *c, const unsigned char *p, size_t m,
    struct idvec *out)
{
	uint32_t *ln = c->ln, *id = c->id;
	int32_t *nx = c->nx, *pv = c->pv, nxt;
	struct hent e;
	size_t i, pos;

	for (i = 0; i < m; i++) {
		nx[i] = i + 1 < m ? (int32_t)(i + 1) : -1;
		pv[i] = (int32_t)i - 1;
	}
	c->hn = 0;
	for (i = 0; i + 1 < m; i++)
		push_pair(c, p, i, i + 1);
	while (c->hn > 0) {
		e = heap_pop(c);
		pos = (size_t)(e.key & 0xFFFFFFFFu);
		if (ln[pos] == 0 || (nxt = nx[pos]) < 0 ||
		    ln[pos] + ln[nxt] != e.tlen)
			continue;
		id[pos] = e.id;
		ln[pos] += ln[nxt];
		ln[nxt] = 0;
		nx[pos] = nx[nxt];
		if (nx[pos] >= 0)
			pv[nx[pos]] = (int32_t)pos;
		if (pv[pos] >= 0)
			push_pair(c, p, (size_t)pv[pos], pos);
		if (nx[pos] >= 0)
			push_pair(c, p, pos, (size_t)nx[pos]);
	}
	for (i = 0; m > 0; i = (size_t)nx[i]) {
		idvec_push(out, id[i]);
		if (nx[i] < 0)
			break;
	}
}

static void
merge(struct bpe_ctx *c, const unsigned char *p, size_t n, struct idvec *out)
{
	size_t m;

	if (n > UINT32_MAX)
		err_bug("bpe: piece of %zu bytes", n);
	reserve(c, n);
	m = init_syms(c, p, n);
	if (m <= BPE_SHORT)
		merge_linear(c, p, m, out);
	else
		merge_heap(c, p, m, out);
}

static inline void
cache_put(struct cslot *cs, uint64_t h, const unsigned char *p, size_t n,
    const uint32_t *ids, size_t nids)
{
	if (cs == NULL || nids > CACHE_IDS)
		return;
	cs->h = h;
	cs->n = (uint8_t)n;
	cs->nids = (uint8_t)nids;
	memcpy(cs->b, p, n);
	memcpy(cs->ids, ids, nids * sizeof(uint32_t));
}

uint64_t
bpe_prefetch(struct bpe_ctx *c, const char *p, size_t n)
{
	uint64_t h = hash_bytes(p, n);

	if (n <= CACHE_BYTES)
		__builtin_prefetch(&c->cache[h & (((size_t)1 << CACHE_BITS) -
		    1)]);
	__builtin_prefetch(&c->b->v[(size_t)h & c->b->vmask]);
	return h;
}

void
bpe_encode(struct bpe_ctx *c, const char *s, size_t n, struct idvec *out)
{
	bpe_encode_hashed(c, s, n, n > 1 ? hash_bytes(s, n) : 0, out);
}

void
bpe_encode_hashed(struct bpe_ctx *c, const char *s, size_t n, uint64_t h,
    struct idvec *out)
{
	const struct bpe *b = c->b;
	const unsigned char *p = (const unsigned char *)s;
	const struct vslot *v;
	struct cslot *cs = NULL;
	uint8_t self = 0;
	int64_t whole = -1;
	size_t start;

	if (n == 0)
		return;
	if (n == 1 && b->byte_id[p[0]] >= 0) {
		idvec_push(out, (uint32_t)b->byte_id[p[0]]);
		return;
	}
	if (n == 1)
		h = hash_bytes(p, n);
	c->pieces++;
	/* the cache first: one line holds the piece and its ids */
	if (n <= CACHE_BYTES) {
		cs = &c->cache[h & (((size_t)1 << CACHE_BITS) - 1)];
		if (cs->h == h && cs->n == n && eq(cs->b, p, n)) {
			c->hits++;
			if (out->cap - out->n < cs->nids)
				idvec_grow(out, cs->nids);
			memcpy(out->v + out->n, cs->ids,
			    cs->nids * sizeof(uint32_t));
			out->n += cs->nids;
			return;
		}
	}
	v = vlookup(b, h, p, n);
	if (v->len != 0) {
		whole = v->id;
		if (b->kind == BPE_RANKS || b->ignore_merges ||
		    (self = atomic_load_explicit(&b->self[whole],
		    memory_order_relaxed)) == 1) {
			idvec_push(out, v->id);
			cache_put(cs, h, p, n, &v->id, 1);
			return;
		}
	}
	start = out->n;
	merge(c, p, n, out);
	if (whole >= 0 && self == 0)
		atomic_store_explicit(&b->self[whole],
		    out->n - start == 1 && out->v[start] == (uint32_t)whole ?
		    1 : 2, memory_order_relaxed);
	cache_put(cs, h, p, n, out->v + start, out->n - start);
}

void
bpe_encode_ref(struct bpe_ctx *c, const char *s, size_t n, struct idvec *out,
    bool heap)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t rank, nid, best, bnid = 0;
	size_t m, i, bi;

	if (n == 0)
		return;
	reserve(c, n);
	m = init_syms(c, p, n);
	if (heap) {
		merge_heap(c, p, m, out);
		return;
	}
	for (;;) {
		best = NONE;
		bi = 0;
		for (i = 0; i + 1 < m; i++)
			if (pair_of(c, p, i, i + 1, &rank, &nid) &&
			    rank < best) {
				best = rank;
				bnid = nid;
				bi = i;
			}
		if (best == NONE)
			break;
		c->id[bi] = bnid;
		c->ln[bi] += c->ln[bi + 1];
		for (i = bi + 1; i + 1 < m; i++) {
			c->st[i] = c->st[i + 1];
			c->ln[i] = c->ln[i + 1];
			c->id[i] = c->id[i + 1];
		}
		m--;
	}
	for (i = 0; i < m; i++)
		idvec_push(out, c->id[i]);
}
