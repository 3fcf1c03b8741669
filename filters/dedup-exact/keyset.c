/*
 * keyset.c - sharded linear-probing hash set of 128-bit keys.
 *
 * The all-zero key marks an empty slot; a real all-zero hash (probability
 * 2^-128) is stored as {1, 0}.  Slot = fastrange(lo) over a non-power-of-2
 * capacity; table = top 8 bits of hi.
 */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "mem.h"

#define NTABLES		256
#define MIN_CAP		16
#define MAX_LOAD_NUM	4	/* grow past 4/5 full */
#define MAX_LOAD_DEN	5

struct table {
	struct key128	*k;
	uint32_t	*v;
	size_t		 cap, n;
};

struct keyset {
	struct table	 t[NTABLES];
	bool		 values;
	size_t		 n;
};

__extension__ typedef unsigned __int128 u128;

/* Lemire's fast range reduction: h's high bits pick the slot. */
static inline size_t
slot_of(uint64_t h, size_t cap)
{
	return (size_t)(((u128)h * cap) >> 64);
}

static inline bool
empty(const struct key128 *k)
{
	return (k->lo | k->hi) == 0;
}

struct keyset *
keyset_new(bool with_values)
{
	struct keyset *ks = xcalloc(1, sizeof(*ks));

	ks->values = with_values;
	return ks;
}

void
keyset_free(struct keyset *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < NTABLES; i++) {
		free(ks->t[i].k);
		free(ks->t[i].v);
	}
	free(ks);
}

static void
grow(struct table *t, bool values)
{
	struct key128 *ok = t->k;
	uint32_t *ov = t->v;
	size_t ocap = t->cap, i, j;

	t->cap = ocap < MIN_CAP ? MIN_CAP : ocap + ocap / 2;
	t->k = xcalloc(t->cap, sizeof(*t->k));
	t->v = values ? xcalloc(t->cap, sizeof(*t->v)) : NULL;
	for (i = 0; i < ocap; i++) {
		if (empty(&ok[i]))
			continue;
		for (j = slot_of(ok[i].lo, t->cap); !empty(&t->k[j]);
		    j = j + 1 == t->cap ? 0 : j + 1)
			;
		t->k[j] = ok[i];
		if (values)
			t->v[j] = ov[i];
	}
	free(ok);
	free(ov);
}

static inline void
fix_zero(struct key128 *k)
{
	if (empty(k))
		k->lo = 1;
}

bool
keyset_insert(struct keyset *ks, struct key128 k, uint32_t val, uint32_t *old)
{
	struct table *t;
	size_t j;

	fix_zero(&k);
	t = &ks->t[k.hi >> 56];
	if ((t->n + 1) * MAX_LOAD_DEN > t->cap * MAX_LOAD_NUM)
		grow(t, ks->values);
	for (j = slot_of(k.lo, t->cap); !empty(&t->k[j]);
	    j = j + 1 == t->cap ? 0 : j + 1)
		if (t->k[j].lo == k.lo && t->k[j].hi == k.hi) {
			if (old != NULL && ks->values)
				*old = t->v[j];
			return false;
		}
	t->k[j] = k;
	if (ks->values)
		t->v[j] = val;
	t->n++;
	ks->n++;
	return true;
}

bool
keyset_find(const struct keyset *ks, struct key128 k, uint32_t *val)
{
	const struct table *t;
	size_t j;

	fix_zero(&k);
	t = &ks->t[k.hi >> 56];
	if (t->cap == 0)
		return false;
	for (j = slot_of(k.lo, t->cap); !empty(&t->k[j]);
	    j = j + 1 == t->cap ? 0 : j + 1)
		if (t->k[j].lo == k.lo && t->k[j].hi == k.hi) {
			if (val != NULL && ks->values)
				*val = t->v[j];
			return true;
		}
	return false;
}

size_t
keyset_count(const struct keyset *ks)
{
	return ks->n;
}

size_t
keyset_bytes(const struct keyset *ks)
{
	size_t i, b = 0;

	for (i = 0; i < NTABLES; i++)
		b += ks->t[i].cap * (sizeof(struct key128) +
		    (ks->values ? sizeof(uint32_t) : 0));
	return b;
}
