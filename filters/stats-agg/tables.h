/*
 * tables.h - bounded tables of names for stats-agg.
 *
 * struct strmap: names (owned copies) to dense indices 0..n-1, open
 * addressing on XXH3; an index can be given a new name (SpaceSaving).
 *
 * struct ctab: exact counts per name (language, extension, licence...) up
 * to a limit of distinct names; later names are counted under "(other)".
 *
 * struct spacesaving: the heavy hitters of a stream (Metwally, Agrawal and
 * El Abbadi, ICDT 2005) in `cap` counters.  While no more than cap distinct
 * names were seen, counts are exact; after that each count overestimates
 * by at most its `err` (itself at most records / cap).  Mergeable as in
 * Agarwal et al., "Mergeable summaries" (PODS 2012).
 *
 * struct extremes: the N largest and N smallest values seen with the id of
 * their record, under a total order (value, then id), so that the result
 * does not depend on the order of the input or of merges.
 */
#ifndef STATS_AGG_TABLES_H
#define STATS_AGG_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STRMAP_NONE	UINT32_MAX
#define NAME_MAX_BYTES	200	/* longer names are cut (on a UTF-8 boundary) */

struct strmap {
	uint32_t	*slot;		/* index + 1; 0 = empty */
	size_t		 cap;		/* slots, a power of two */
	char		**key;		/* key[i]: NUL-terminated copy */
	uint32_t	*klen;
	uint64_t	*khash;
	size_t		 n, kcap;
};

/* The length of s[0..n) cut to NAME_MAX_BYTES on a character boundary. */
size_t	name_len(const char *s, size_t n);

uint32_t strmap_find(const struct strmap *m, const char *s, size_t n);
/* Add a name that is not in the map; returns its index (m->n - 1). */
uint32_t strmap_add(struct strmap *m, const char *s, size_t n);
/* Give index i the name s (not in the map). */
void	strmap_rekey(struct strmap *m, uint32_t i, const char *s, size_t n);
void	strmap_release(struct strmap *m);

struct group {
	uint64_t	records, bytes, lines;
	uint64_t	tokens, token_records;
	uint64_t	dups, pii, qfail;
	void		*x;		/* per-group extra data of the owner */
};

#define OTHER_NAME	"(other)"

struct ctab {
	struct strmap	 map;
	struct group	*g;
	size_t		 gcap;
	size_t		 limit;		/* distinct names before "(other)" */
	uint64_t	 overflow;	/* records counted under "(other)" */
};

void	ctab_init(struct ctab *t, size_t limit);
/* The group of name s, created if needed (zeroed). */
struct group *ctab_get(struct ctab *t, const char *s, size_t n);
/* As ctab_get, but bypassing the limit (for merges of kept names). */
struct group *ctab_get_exact(struct ctab *t, const char *s, size_t n);
size_t	ctab_count(const struct ctab *t);
const char *ctab_name(const struct ctab *t, size_t i);
/* The indices sorted by records (descending), then name; caller frees. */
uint32_t *ctab_sorted(struct ctab *t);
/* Free the tables; free_x(x) for each group's extra data. */
void	ctab_release(struct ctab *t, void (*free_x)(void *));

struct ss_item {
	uint64_t	count, err;		/* records, bound of excess */
	uint64_t	bytes, bytes_err;
	int64_t		stars;			/* largest seen, -1 none */
	uint32_t	heap;			/* position in the heap */
};

struct spacesaving {
	struct strmap	 map;
	struct ss_item	*it;
	uint32_t	*heap;		/* min-heap of indices by count */
	size_t		 cap;
	bool		 evicted;	/* counts are no longer exact */
};

void	ss_init(struct spacesaving *s, size_t cap);
void	ss_add(struct spacesaving *s, const char *name, size_t n,
	    uint64_t bytes, int64_t stars);
/* Add an item as loaded from a state (no eviction; cap must allow it). */
void	ss_put(struct spacesaving *s, const char *name, size_t n,
	    const struct ss_item *v);
void	ss_merge(struct spacesaving *s, const struct spacesaving *o);
size_t	ss_count(const struct spacesaving *s);
/* Indices sorted by count (descending), then name; caller frees. */
uint32_t *ss_sorted(struct spacesaving *s);
void	ss_release(struct spacesaving *s);

#define CAND_ID_MAX	96

struct cand {
	uint64_t	v;
	uint8_t		idlen;
	bool		hasid;
	char		id[CAND_ID_MAX];
};

struct extremes {
	struct cand	*hi;		/* min-heap of the largest */
	struct cand	*lo;		/* max-heap of the smallest */
	uint32_t	 nhi, nlo, cap;
};

/* -1, 0, 1: order by value, then no id before id, then id bytes. */
int	cand_cmp(const struct cand *a, const struct cand *b);
void	ext_init(struct extremes *e, uint32_t cap);
void	ext_add(struct extremes *e, const struct cand *c);
void	ext_merge(struct extremes *e, const struct extremes *o);
/* Add to the largest (high) or the smallest only (loading a state). */
void	ext_add_side(struct extremes *e, const struct cand *c, bool high);
/* Sort hi descending and lo ascending (destroys the heaps: call last). */
void	ext_sort(struct extremes *e);
void	ext_release(struct extremes *e);
/* Fill c from a value and an id (cut to CAND_ID_MAX bytes). */
void	cand_set(struct cand *c, uint64_t v, const char *id, size_t n);

#endif
