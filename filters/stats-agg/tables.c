/*
 * tables.c - name maps, exact counters with a limit, SpaceSaving heavy
 * hitters and extreme-value heaps (tables.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "err.h"
#include "mem.h"
#include "tables.h"

/* ---- names ---- */

size_t
name_len(const char *s, size_t n)
{
	if (n <= NAME_MAX_BYTES)
		return n;
	n = NAME_MAX_BYTES;
	/* do not end inside a UTF-8 sequence */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static size_t
probe_find(const struct strmap *m, const char *s, size_t n, uint64_t h,
    bool *found)
{
	size_t i = (size_t)h & (m->cap - 1);
	uint32_t k;

	for (;; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i] == 0) {
			*found = false;
			return i;
		}
		k = m->slot[i] - 1;
		if (m->khash[k] == h && m->klen[k] == n &&
		    memcmp(m->key[k], s, n) == 0) {
			*found = true;
			return i;
		}
	}
}

uint32_t
strmap_find(const struct strmap *m, const char *s, size_t n)
{
	bool found;
	size_t i;

	if (m->cap == 0)
		return STRMAP_NONE;
	i = probe_find(m, s, n, XXH3_64bits(s, n), &found);
	return found ? m->slot[i] - 1 : STRMAP_NONE;
}

static void
grow(struct strmap *m)
{
	size_t cap = m->cap == 0 ? 64 : m->cap * 2, i, j;
	uint32_t *slot = xcalloc(cap, sizeof(*slot));

	for (i = 0; i < m->cap; i++) {
		if (m->slot[i] == 0)
			continue;
		j = (size_t)m->khash[m->slot[i] - 1] & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
}

static void
insert_slot(struct strmap *m, uint32_t k)
{
	bool found;
	size_t i = probe_find(m, m->key[k], m->klen[k], m->khash[k], &found);

	if (found)
		err_bug("name '%s' added twice", m->key[k]);
	m->slot[i] = k + 1;
}

uint32_t
strmap_add(struct strmap *m, const char *s, size_t n)
{
	uint32_t k;

	if (m->n >= UINT32_MAX - 1)
		err_die("too many distinct names");
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	if (m->n == m->kcap) {
		m->kcap = m->kcap == 0 ? 32 : m->kcap * 2;
		m->key = xreallocarray(m->key, m->kcap, sizeof(*m->key));
		m->klen = xreallocarray(m->klen, m->kcap, sizeof(*m->klen));
		m->khash = xreallocarray(m->khash, m->kcap,
		    sizeof(*m->khash));
	}
	k = (uint32_t)m->n++;
	m->key[k] = xstrndup(s, n);
	m->klen[k] = (uint32_t)n;
	m->khash[k] = XXH3_64bits(s, n);
	insert_slot(m, k);
	return k;
}

/* Remove the slot of key k, shifting later entries of its run back. */
static void
remove_slot(struct strmap *m, uint32_t k)
{
	bool found;
	size_t i = probe_find(m, m->key[k], m->klen[k], m->khash[k], &found);
	size_t j, home;

	if (!found)
		err_bug("name '%s' not in the map", m->key[k]);
	m->slot[i] = 0;
	for (j = (i + 1) & (m->cap - 1); m->slot[j] != 0;
	    j = (j + 1) & (m->cap - 1)) {
		home = (size_t)m->khash[m->slot[j] - 1] & (m->cap - 1);
		/* move j into the hole at i unless home lies in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slot[i] = m->slot[j];
			m->slot[j] = 0;
			i = j;
		}
	}
}

void
strmap_rekey(struct strmap *m, uint32_t k, const char *s, size_t n)
{
	remove_slot(m, k);
	free(m->key[k]);
	m->key[k] = xstrndup(s, n);
	m->klen[k] = (uint32_t)n;
	m->khash[k] = XXH3_64bits(s, n);
	insert_slot(m, k);
}

void
strmap_release(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->key[i]);
	free(m->key);
	free(m->klen);
	free(m->khash);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

static int
name_cmp(const struct strmap *m, uint32_t a, uint32_t b)
{
	size_t n = m->klen[a] < m->klen[b] ? m->klen[a] : m->klen[b];
	int c = memcmp(m->key[a], m->key[b], n);

	if (c != 0)
		return c;
	return m->klen[a] < m->klen[b] ? -1 : m->klen[a] > m->klen[b];
}

/* ---- exact counters ---- */

void
ctab_init(struct ctab *t, size_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
}

struct group *
ctab_get_exact(struct ctab *t, const char *s, size_t n)
{
	uint32_t k;

	n = name_len(s, n);
	if ((k = strmap_find(&t->map, s, n)) != STRMAP_NONE)
		return &t->g[k];
	k = strmap_add(&t->map, s, n);
	if (k >= t->gcap) {
		t->gcap = t->gcap == 0 ? 32 : t->gcap * 2;
		t->g = xreallocarray(t->g, t->gcap, sizeof(*t->g));
	}
	memset(&t->g[k], 0, sizeof(t->g[k]));
	return &t->g[k];
}

struct group *
ctab_get(struct ctab *t, const char *s, size_t n)
{
	uint32_t k;
	size_t named;

	n = name_len(s, n);
	if ((k = strmap_find(&t->map, s, n)) != STRMAP_NONE)
		return &t->g[k];
	named = t->map.n - (strmap_find(&t->map, OTHER_NAME,
	    strlen(OTHER_NAME)) != STRMAP_NONE);
	if (named >= t->limit) {
		t->overflow++;
		return ctab_get_exact(t, OTHER_NAME, strlen(OTHER_NAME));
	}
	return ctab_get_exact(t, s, n);
}

size_t
ctab_count(const struct ctab *t)
{
	return t->map.n;
}

const char *
ctab_name(const struct ctab *t, size_t i)
{
	return t->map.key[i];
}

static int
ctab_order(const void *a, const void *b, void *arg)
{
	const struct ctab *t = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct group *gx = &t->g[x], *gy = &t->g[y];

	if (gx->records != gy->records)
		return gx->records > gy->records ? -1 : 1;
	return name_cmp(&t->map, x, y);
}

uint32_t *
ctab_sorted(struct ctab *t)
{
	uint32_t *ix = xreallocarray(NULL, t->map.n + 1, sizeof(*ix));
	size_t i;

	for (i = 0; i < t->map.n; i++)
		ix[i] = (uint32_t)i;
	qsort_r(ix, t->map.n, sizeof(*ix), ctab_order, t);
	return ix;
}

void
ctab_release(struct ctab *t, void (*free_x)(void *))
{
	size_t i;

	if (free_x != NULL)
		for (i = 0; i < t->map.n; i++)
			free_x(t->g[i].x);
	free(t->g);
	strmap_release(&t->map);
	memset(t, 0, sizeof(*t));
}

/* ---- SpaceSaving ---- */

void
ss_init(struct spacesaving *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->it = xcalloc(cap, sizeof(*s->it));
	s->heap = xcalloc(cap, sizeof(*s->heap));
}

/* Heap order: smaller count first; equal counts by name. */
static bool
ss_less(const struct spacesaving *s, uint32_t a, uint32_t b)
{
	if (s->it[a].count != s->it[b].count)
		return s->it[a].count < s->it[b].count;
	return name_cmp(&s->map, a, b) < 0;
}

static void
ss_swap(struct spacesaving *s, size_t i, size_t j)
{
	uint32_t t = s->heap[i];

	s->heap[i] = s->heap[j];
	s->heap[j] = t;
	s->it[s->heap[i]].heap = (uint32_t)i;
	s->it[s->heap[j]].heap = (uint32_t)j;
}

static void
ss_down(struct spacesaving *s, size_t i)
{
	size_t n = s->map.n, l, m;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < n && ss_less(s, s->heap[l], s->heap[m]))
			m = l;
		if (l + 1 < n && ss_less(s, s->heap[l + 1], s->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		ss_swap(s, i, m);
		i = m;
	}
}

static void
ss_up(struct spacesaving *s, size_t i)
{
	while (i > 0 && ss_less(s, s->heap[i], s->heap[(i - 1) / 2])) {
		ss_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static uint32_t
ss_new(struct spacesaving *s, const char *name, size_t n)
{
	uint32_t k = strmap_add(&s->map, name, n);

	memset(&s->it[k], 0, sizeof(s->it[k]));
	s->it[k].stars = -1;
	s->it[k].heap = k;
	s->heap[k] = k;
	return k;
}

void
ss_add(struct spacesaving *s, const char *name, size_t n, uint64_t bytes,
    int64_t stars)
{
	struct ss_item *it;
	uint32_t k;

	n = name_len(name, n);
	if ((k = strmap_find(&s->map, name, n)) == STRMAP_NONE) {
		if (s->map.n < s->cap) {
			k = ss_new(s, name, n);
			ss_up(s, s->it[k].heap);
		} else {
			/* take over the smallest counter */
			k = s->heap[0];
			it = &s->it[k];
			strmap_rekey(&s->map, k, name, n);
			it->err = it->count;
			it->bytes_err = it->bytes;
			it->stars = -1;
			s->evicted = true;
		}
	}
	it = &s->it[k];
	it->count++;
	it->bytes += bytes;
	if (stars > it->stars)
		it->stars = stars;
	ss_down(s, it->heap);
}

void
ss_put(struct spacesaving *s, const char *name, size_t n,
    const struct ss_item *v)
{
	uint32_t k;

	if (s->map.n >= s->cap)
		err_bug("ss_put beyond capacity");
	k = ss_new(s, name, n);
	s->it[k].count = v->count;
	s->it[k].err = v->err;
	s->it[k].bytes = v->bytes;
	s->it[k].bytes_err = v->bytes_err;
	s->it[k].stars = v->stars;
	ss_up(s, s->it[k].heap);
}

size_t
ss_count(const struct spacesaving *s)
{
	return s->map.n;
}

struct ss_row {
	char		*name;
	size_t		 len;
	struct ss_item	 v;
};

static int
row_order(const void *a, const void *b)
{
	const struct ss_row *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->v.count != y->v.count)
		return x->v.count > y->v.count ? -1 : 1;
	if ((c = memcmp(x->name, y->name, n)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The smallest count of a full summary: a bound for names it lacks. */
static uint64_t
ss_floor(const struct spacesaving *s)
{
	return s->map.n >= s->cap && s->map.n > 0 ? s->it[s->heap[0]].count :
	    0;
}

void
ss_merge(struct spacesaving *s, const struct spacesaving *o)
{
	uint64_t fs = ss_floor(s), fo = ss_floor(o);
	struct ss_row *rows;
	size_t nr = 0, i;
	uint32_t k;
	struct spacesaving m;
	bool evicted = s->evicted || o->evicted;

	rows = xreallocarray(NULL, s->map.n + o->map.n + 1, sizeof(*rows));
	for (i = 0; i < s->map.n; i++) {
		rows[nr].name = s->map.key[i];
		rows[nr].len = s->map.klen[i];
		rows[nr].v = s->it[i];
		k = strmap_find(&o->map, s->map.key[i], s->map.klen[i]);
		if (k != STRMAP_NONE) {
			rows[nr].v.count += o->it[k].count;
			rows[nr].v.err += o->it[k].err;
			rows[nr].v.bytes += o->it[k].bytes;
			rows[nr].v.bytes_err += o->it[k].bytes_err;
			if (o->it[k].stars > rows[nr].v.stars)
				rows[nr].v.stars = o->it[k].stars;
		} else {
			rows[nr].v.count += fo;
			rows[nr].v.err += fo;
		}
		nr++;
	}
	for (i = 0; i < o->map.n; i++) {
		if (strmap_find(&s->map, o->map.key[i], o->map.klen[i]) !=
		    STRMAP_NONE)
			continue;
		rows[nr].name = o->map.key[i];
		rows[nr].len = o->map.klen[i];
		rows[nr].v = o->it[i];
		rows[nr].v.count += fs;
		rows[nr].v.err += fs;
		nr++;
	}
	qsort(rows, nr, sizeof(*rows), row_order);
	if (nr > s->cap) {
		evicted = true;
		nr = s->cap;
	}
	ss_init(&m, s->cap);
	for (i = 0; i < nr; i++)
		ss_put(&m, rows[i].name, rows[i].len, &rows[i].v);
	m.evicted = evicted;
	free(rows);
	ss_release(s);
	*s = m;
}

static int
ss_order(const void *a, const void *b, void *arg)
{
	const struct spacesaving *s = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (s->it[x].count != s->it[y].count)
		return s->it[x].count > s->it[y].count ? -1 : 1;
	return name_cmp(&s->map, x, y);
}

uint32_t *
ss_sorted(struct spacesaving *s)
{
	uint32_t *ix = xreallocarray(NULL, s->map.n + 1, sizeof(*ix));
	size_t i;

	for (i = 0; i < s->map.n; i++)
		ix[i] = (uint32_t)i;
	qsort_r(ix, s->map.n, sizeof(*ix), ss_order, s);
	return ix;
}

void
ss_release(struct spacesaving *s)
{
	strmap_release(&s->map);
	free(s->it);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

/* ---- extremes ---- */

int
cand_cmp(const struct cand *a, const struct cand *b)
{
	size_t n;
	int c;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	if (a->hasid != b->hasid)
		return a->hasid ? 1 : -1;
	n = a->idlen < b->idlen ? a->idlen : b->idlen;
	if ((c = memcmp(a->id, b->id, n)) != 0)
		return c < 0 ? -1 : 1;
	return a->idlen < b->idlen ? -1 : a->idlen > b->idlen;
}

void
cand_set(struct cand *c, uint64_t v, const char *id, size_t n)
{
	c->v = v;
	c->hasid = id != NULL;
	if (id == NULL)
		n = 0;
	if (n > CAND_ID_MAX) {
		n = CAND_ID_MAX;
		while (n > 0 && ((unsigned char)id[n] & 0xC0) == 0x80)
			n--;
	}
	c->idlen = (uint8_t)n;
	if (n > 0)
		memcpy(c->id, id, n);
}

void
ext_init(struct extremes *e, uint32_t cap)
{
	memset(e, 0, sizeof(*e));
	e->cap = cap;
	if (cap > 0) {
		e->hi = xcalloc(cap, sizeof(*e->hi));
		e->lo = xcalloc(cap, sizeof(*e->lo));
	}
}

/* sign 1: min-heap (keeps the largest); -1: max-heap (the smallest). */
static void
heap_push(struct cand *h, uint32_t *n, uint32_t cap, const struct cand *c,
    int sign)
{
	size_t i, l, m;

	if (*n < cap) {
		i = (*n)++;
		h[i] = *c;
		while (i > 0 && sign * cand_cmp(&h[i], &h[(i - 1) / 2]) < 0) {
			struct cand t = h[i];

			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (cap == 0 || sign * cand_cmp(c, &h[0]) <= 0)
		return;		/* not beyond the weakest kept */
	h[0] = *c;
	for (i = 0;;) {
		l = 2 * i + 1;
		m = i;
		if (l < *n && sign * cand_cmp(&h[l], &h[m]) < 0)
			m = l;
		if (l + 1 < *n && sign * cand_cmp(&h[l + 1], &h[m]) < 0)
			m = l + 1;
		if (m == i)
			break;
		{
			struct cand t = h[i];

			h[i] = h[m];
			h[m] = t;
		}
		i = m;
	}
}

void
ext_add(struct extremes *e, const struct cand *c)
{
	/* cheap test first: most values are in neither tail */
	if (e->nhi == e->cap && e->nlo == e->cap && e->cap > 0 &&
	    c->v < e->hi[0].v && c->v > e->lo[0].v)
		return;
	heap_push(e->hi, &e->nhi, e->cap, c, 1);
	heap_push(e->lo, &e->nlo, e->cap, c, -1);
}

void
ext_add_side(struct extremes *e, const struct cand *c, bool high)
{
	if (high)
		heap_push(e->hi, &e->nhi, e->cap, c, 1);
	else
		heap_push(e->lo, &e->nlo, e->cap, c, -1);
}

void
ext_merge(struct extremes *e, const struct extremes *o)
{
	uint32_t i;

	for (i = 0; i < o->nhi; i++)
		heap_push(e->hi, &e->nhi, e->cap, &o->hi[i], 1);
	for (i = 0; i < o->nlo; i++)
		heap_push(e->lo, &e->nlo, e->cap, &o->lo[i], -1);
}

static int
cand_desc(const void *a, const void *b)
{
	return cand_cmp(b, a);
}

static int
cand_asc(const void *a, const void *b)
{
	return cand_cmp(a, b);
}

void
ext_sort(struct extremes *e)
{
	qsort(e->hi, e->nhi, sizeof(*e->hi), cand_desc);
	qsort(e->lo, e->nlo, sizeof(*e->lo), cand_asc);
}

void
ext_release(struct extremes *e)
{
	free(e->hi);
	free(e->lo);
	memset(e, 0, sizeof(*e));
}
