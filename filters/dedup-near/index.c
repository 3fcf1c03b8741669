/*
 * index.c - the per-record arrays, union-find and record similarity.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "index.h"
#include "minhash.h"
#include "shingle.h"

void
nd_index_init(struct nd_index *ix, const struct nd_params *p, unsigned what)
{
	unsigned b;

	memset(ix, 0, sizeof(*ix));
	ix->p = *p;
	if (!(what & IX_NO_KEYS))
		for (b = 0; b < p->bands; b++)
			ix->keys[b] = xmalloc(sizeof(uint64_t));
	ix->sig = xmalloc(1);
	ix->flags = xmalloc(1);
	if (p->keep_field != NULL)
		ix->keep = xmalloc(sizeof(double));
	if (what & IX_IDS) {
		ix->id_off = xmalloc(sizeof(uint64_t));
		ix->id_off[0] = 0;
	}
	if (what & IX_LINE_HASH)
		ix->line_hash = xmalloc(sizeof(uint64_t));
}

void
nd_index_reserve(struct nd_index *ix, uint64_t n)
{
	size_t sb = nd_sig_bytes(&ix->p);
	unsigned b;

	if (n <= ix->cap)
		return;
	if (n > ND_MAX_RECORDS)
		err_die("more than %llu records: split the input and run the "
		    "staged commands", (unsigned long long)ND_MAX_RECORDS);
	/*
	 * Grow by half: realloc of a large block moves pages (mremap) and
	 * never touches the spare room, so it costs no resident memory.
	 */
	if (n < ix->cap + ix->cap / 2)
		n = ix->cap + ix->cap / 2;
	if (n < 1024)
		n = 1024;
	for (b = 0; b < ND_MAX_BANDS; b++)
		if (ix->keys[b] != NULL)
			ix->keys[b] = xreallocarray(ix->keys[b], n,
			    sizeof(uint64_t));
	ix->sig = xreallocarray(ix->sig, n, sb);
	ix->flags = xreallocarray(ix->flags, n, 1);
	if (ix->keep != NULL)
		ix->keep = xreallocarray(ix->keep, n, sizeof(double));
	if (ix->id_off != NULL)
		ix->id_off = xreallocarray(ix->id_off, n + 1,
		    sizeof(uint64_t));
	if (ix->line_hash != NULL)
		ix->line_hash = xreallocarray(ix->line_hash, n,
		    sizeof(uint64_t));
	ix->cap = n;
}

void
nd_index_release(struct nd_index *ix)
{
	size_t i;
	unsigned b;

	for (b = 0; b < ND_MAX_BANDS; b++)
		free(ix->keys[b]);
	free(ix->sig);
	free(ix->flags);
	free(ix->keep);
	free(ix->id_off);
	buf_release(&ix->ids);
	free(ix->line_hash);
	for (i = 0; i < ix->nsrc; i++)
		free(ix->src[i].off);
	free(ix->src);
	memset(ix, 0, sizeof(*ix));
}

struct strv
nd_index_id(const struct nd_index *ix, uint64_t i)
{
	struct strv s = { "", 0 };

	if (ix->id_off != NULL && i < ix->n) {
		s.p = ix->ids.data + ix->id_off[i];
		s.n = ix->id_off[i + 1] - ix->id_off[i];
	}
	return s;
}

uint64_t
nd_index_bytes(const struct nd_index *ix)
{
	uint64_t per = nd_sig_bytes(&ix->p) + 1, n = ix->n;
	unsigned b;
	size_t i;

	for (b = 0; b < ND_MAX_BANDS; b++)
		if (ix->keys[b] != NULL)
			per += 8;
	if (ix->keep != NULL)
		per += 8;
	if (ix->id_off != NULL)
		per += 8;
	if (ix->line_hash != NULL)
		per += 8;
	n = per * n + ix->ids.len;
	for (i = 0; i < ix->nsrc; i++)
		n += 8 * (ix->src[i].n + 1);
	return n;
}

/* ---- union-find ---- */

void
uf_init(struct uf *u, uint64_t n)
{
	uint64_t i;

	if (n > ND_MAX_RECORDS)
		err_bug("uf_init: %llu records", (unsigned long long)n);
	u->n = n;
	u->parent = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*u->parent));
	for (i = 0; i < n; i++)
		u->parent[i] = (uint32_t)i;
}

void
uf_release(struct uf *u)
{
	free(u->parent);
	u->parent = NULL;
	u->n = 0;
}

uint32_t
uf_find(struct uf *u, uint32_t i)
{
	uint32_t *p = u->parent;

	while (p[i] != i) {	/* path halving */
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

bool
uf_union(struct uf *u, uint32_t a, uint32_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a == b)
		return false;
	/* the smaller index is the root: roots are component minima */
	if (a < b)
		u->parent[b] = a;
	else
		u->parent[a] = b;
	return true;
}

/* ---- similarity ---- */

void
nd_sim_init(struct nd_sim *s, const struct nd_index *ix, double threshold)
{
	memset(s, 0, sizeof(*s));
	s->ix = ix;
	s->threshold = threshold;
	s->min_matches = mh_min_matches(threshold, ix->p.perms);
}

void
nd_sim_release(struct nd_sim *s)
{
	free(s->a);
	free(s->b);
	memset(s, 0, sizeof(*s));
}

static const struct nd_setsrc *
find_src(const struct nd_index *ix, uint64_t i)
{
	size_t lo = 0, hi = ix->nsrc, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ix->src[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	if (ix->nsrc == 0 || i < ix->src[lo].first ||
	    i - ix->src[lo].first >= ix->src[lo].n)
		err_bug("no shingle set for record %llu", (unsigned long long)i);
	return &ix->src[lo];
}

/* Read the shingle set of record i into *v; returns its size. */
static size_t
read_set(const struct nd_index *ix, uint64_t i, uint64_t **v, size_t *cap)
{
	const struct nd_setsrc *src = find_src(ix, i);
	uint64_t k = i - src->first, n = src->off[k + 1] - src->off[k];
	size_t want = (size_t)n * 8, got = 0;
	ssize_t r;

	if (n > *cap) {
		*v = xreallocarray(*v, n, sizeof(**v));
		*cap = n;
	}
	while (got < want) {
		r = pread(src->fd, (char *)*v + got, want - got,
		    (off_t)(src->base + src->off[k] * 8 + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err_die_errno("reading shingle sets");
		if (r == 0)
			err_die("reading shingle sets: unexpected end of file");
		got += (size_t)r;
	}
	return (size_t)n;
}

static uint64_t
set_size(const struct nd_index *ix, uint64_t i)
{
	const struct nd_setsrc *src = find_src(ix, i);
	uint64_t k = i - src->first;

	return src->off[k + 1] - src->off[k];
}

bool
nd_similar(struct nd_sim *s, uint32_t i, uint32_t j)
{
	const struct nd_index *ix = s->ix;
	size_t sb = nd_sig_bytes(&ix->p), na, nb;

	if (!ix->p.exact) {
		s->computed++;
		return mh_matches(ix->sig + (size_t)i * sb,
		    ix->sig + (size_t)j * sb, ix->p.perms) >= s->min_matches;
	}
	na = (size_t)set_size(ix, i);
	nb = (size_t)set_size(ix, j);
	/* J <= min/max: most dissimilar pairs need no reading */
	if ((double)(na < nb ? na : nb) <
	    s->threshold * (double)(na < nb ? nb : na))
		return false;
	{
		bool above;

		(void)nd_similarity(s, i, j, &above);
		return above;
	}
}

double
nd_similarity(struct nd_sim *s, uint32_t i, uint32_t j, bool *above)
{
	const struct nd_index *ix = s->ix;
	size_t sb = nd_sig_bytes(&ix->p), na, nb, inter, uni;
	unsigned m;

	s->computed++;
	if (!ix->p.exact) {
		m = mh_matches(ix->sig + (size_t)i * sb,
		    ix->sig + (size_t)j * sb, ix->p.perms);
		*above = m >= s->min_matches;
		return mh_estimate(m, ix->p.perms);
	}
	na = read_set(ix, i, &s->a, &s->acap);
	nb = read_set(ix, j, &s->b, &s->bcap);
	inter = set_intersection(s->a, na, s->b, nb);
	uni = na + nb - inter;
	if (uni == 0) {
		*above = true;
		return 1.0;
	}
	/* decided once, the same way everywhere */
	*above = (double)inter >= s->threshold * (double)uni;
	return (double)inter / (double)uni;
}
