/*
 * jsv_map.c - two small open-addressing hash maps for the schema loader:
 * URIs to registry entries, and schema objects to their nodes.  Load
 * factor at most 1/2; tables only grow; nothing is ever removed.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "jsv_int.h"

static size_t
slot_s(const struct smap *m, const char *key, size_t len)
{
	size_t i = (size_t)XXH3_64bits(key, len) & (m->cap - 1);

	while (m->e[i].key != NULL && strcmp(m->e[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = slot_s(m, key, strlen(key));
	return m->e[i].key != NULL ? m->e[i].val : NULL;
}

static void
smap_grow(struct smap *m)
{
	struct smap_ent *old = m->e;
	size_t oldcap = m->cap, i, k;

	m->cap = oldcap == 0 ? 64 : oldcap * 2;
	m->e = xcalloc(m->cap, sizeof(*m->e));
	for (i = 0; i < oldcap; i++)
		if (old[i].key != NULL) {
			k = slot_s(m, old[i].key, strlen(old[i].key));
			m->e[k] = old[i];
		}
	free(old);
}

bool
smap_put(struct smap *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		smap_grow(m);
	i = slot_s(m, key, strlen(key));
	if (m->e[i].key != NULL)
		return false;
	m->e[i].key = xstrdup(key);
	m->e[i].val = val;
	m->n++;
	return true;
}

void
smap_release(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->e[i].key);
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static size_t
slot_p(const struct pmap *m, const void *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ULL;
	size_t i = (size_t)(h >> 20) & (m->cap - 1);

	while (m->e[i].key != NULL && m->e[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
pmap_get(const struct pmap *m, const void *key)
{
	size_t i;

	if (m->cap == 0 || key == NULL)
		return NULL;
	i = slot_p(m, key);
	return m->e[i].key != NULL ? m->e[i].val : NULL;
}

void
pmap_put(struct pmap *m, const void *key, void *val)
{
	struct pmap_ent *old;
	size_t oldcap, i, k;

	if ((m->n + 1) * 2 > m->cap) {
		old = m->e;
		oldcap = m->cap;
		m->cap = oldcap == 0 ? 256 : oldcap * 2;
		m->e = xcalloc(m->cap, sizeof(*m->e));
		for (i = 0; i < oldcap; i++)
			if (old[i].key != NULL) {
				k = slot_p(m, old[i].key);
				m->e[k] = old[i];
			}
		free(old);
	}
	i = slot_p(m, key);
	if (m->e[i].key == NULL)
		m->n++;
	m->e[i].key = key;
	m->e[i].val = val;
}

void
pmap_release(struct pmap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}
