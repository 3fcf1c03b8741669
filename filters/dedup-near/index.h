/*
 * index.h - what dedup-near keeps per record, and the steps that work on
 * it: banding (LSH buckets -> confirmed pairs -> union-find) and
 * clustering (components -> kept record and duplicates).
 *
 * The one-process run fills an index while reading; the staged commands
 * load the same arrays from intermediate files (sigfile.h), so both run
 * the same code and give the same result.
 *
 * Records are numbered 0..n-1 in input order (across shards, in the order
 * the sign files are given).  Per record: `bands` 64-bit band keys (kept
 * band-major, keys[b][i]), a packed signature (perms/2 bytes), a flag
 * byte, and when asked the --keep max:FIELD value, the id and the line
 * hash.  Without --verify exact and --mark that is bands*8 + perms/2 + 1
 * bytes: 329 with the defaults.
 *
 * Union-find roots are always the smallest index of their component (the
 * larger root is linked under the smaller), so "keep first" keeps the
 * root, and the components do not depend on the order pairs arrive in:
 * the staged run, whose pairs come from several processes, finds the same
 * components as the one-process run.
 */
#ifndef DEDUP_NEAR_INDEX_H
#define DEDUP_NEAR_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define ND_MAX_BANDS	512
#define ND_MAX_RECORDS	((uint64_t)UINT32_MAX - 1)

/* In a bucket of more records, each is compared with the first this many. */
#define ND_BUCKET_WINDOW	64

/* Parameters that must agree between the stages of one run. */
struct nd_params {
	unsigned	 ngram, min_tokens, perms, bands, rows;
	bool		 fast;
	bool		 exact;		/* --verify exact: shingle sets kept */
	uint64_t	 seed;
	const char	*field, *id_field;
	const char	*keep_field;	/* --keep max:FIELD; NULL: first */
};

enum {
	ND_SHORT = 1		/* fewer than min_tokens tokens: passed through */
};

/* Where the shingle sets of records first..first+n-1 are (--verify exact). */
struct nd_setsrc {
	int		 fd;
	uint64_t	 base;		/* byte offset of the sets in fd */
	uint64_t	 first, n;
	uint64_t	*off;		/* n+1 offsets, in 8-byte units */
};

struct nd_index {
	struct nd_params p;
	uint64_t	 n, cap;
	uint64_t	*keys[ND_MAX_BANDS];	/* NULL: band not loaded */
	uint8_t		*sig;
	uint8_t		*flags;
	double		*keep;		/* NAN = field missing; NULL if unused */
	uint64_t	*id_off;	/* n+1 offsets into ids; NULL if unused */
	struct buf	 ids;
	uint64_t	*line_hash;	/* NULL if unused */
	struct nd_setsrc *src;
	size_t		 nsrc;
};

enum {
	IX_IDS = 1,		/* keep ids */
	IX_LINE_HASH = 2,	/* keep line hashes */
	IX_NO_KEYS = 4		/* band keys are not kept (loaded by band) */
};

void	nd_index_init(struct nd_index *ix, const struct nd_params *p,
	    unsigned what);
void	nd_index_release(struct nd_index *ix);
/* Room for n records (the arrays the index keeps). */
void	nd_index_reserve(struct nd_index *ix, uint64_t n);
/* The id of record i (empty if ids are not kept). */
struct strv nd_index_id(const struct nd_index *ix, uint64_t i);
/* Bytes the index holds (for the memory report). */
uint64_t nd_index_bytes(const struct nd_index *ix);

static inline size_t
nd_sig_bytes(const struct nd_params *p)
{
	return p->perms / 2;
}

/* ---- union-find ---- */

struct uf {
	uint32_t	*parent;
	uint64_t	 n;
};

void	uf_init(struct uf *u, uint64_t n);
void	uf_release(struct uf *u);
uint32_t uf_find(struct uf *u, uint32_t i);
/* Join the sets of a and b; false if they were already one. */
bool	uf_union(struct uf *u, uint32_t a, uint32_t b);

/* ---- similarity of two records ---- */

struct nd_sim {
	const struct nd_index *ix;
	double		 threshold;
	unsigned	 min_matches;	/* estimate >= threshold */
	uint64_t	*a, *b;		/* exact: the two sets */
	size_t		 acap, bcap;
	uint64_t	 computed;
};

void	nd_sim_init(struct nd_sim *s, const struct nd_index *ix,
	    double threshold);
void	nd_sim_release(struct nd_sim *s);
/*
 * The Jaccard similarity of records i and j: estimated from signatures
 * (the decision is made on the count of agreeing values, never on a
 * rounded double), or with --verify exact the true shingle-set Jaccard.
 * *above: it is at least the threshold.
 */
double	nd_similarity(struct nd_sim *s, uint32_t i, uint32_t j, bool *above);
/* Only the decision; with exact sets, sizes alone rule most pairs out. */
bool	nd_similar(struct nd_sim *s, uint32_t i, uint32_t j);

/* ---- banding ---- */

struct nd_lsh_stats {
	uint64_t	 buckets;	/* band keys shared by 2+ records */
	uint64_t	 largest_bucket;
	uint64_t	 candidates;	/* pairs looked at */
	uint64_t	 compared;	/* ... not already joined: compared */
	uint64_t	 confirmed;	/* ... at or above the threshold */
};

typedef void nd_pair_fn(void *arg, uint32_t a, uint32_t b, double sim);

/*
 * For bands [b0, b1): group the records (not ND_SHORT) by band key; in
 * each bucket (members in index order) compare each member with the
 * members before it (the first ND_BUCKET_WINDOW of them in a larger
 * bucket) unless union-find already joins them; join and report (fn may
 * be NULL) the pairs at or above the threshold.
 */
void	nd_lsh(const struct nd_index *ix, unsigned b0, unsigned b1,
	    struct uf *uf, struct nd_sim *sim, nd_pair_fn *fn, void *arg,
	    struct nd_lsh_stats *st);

/* ---- clustering ---- */

struct nd_dup {
	uint32_t	 idx;		/* a duplicate */
	uint32_t	 kept;		/* the record it was merged into */
};

#define ND_SIZE_BUCKETS	16	/* 2, 3, 4-7, 8-15, ..., 2^15 and up */

struct nd_cluster_stats {
	uint64_t	 clusters;	/* with at least one duplicate */
	uint64_t	 duplicates;
	uint64_t	 largest;	/* records in the largest cluster */
	uint32_t	 largest_kept;
	uint64_t	 sizes[ND_SIZE_BUCKETS];
	uint64_t	 components;	/* union-find components of 2+ */
	uint64_t	 unchained;	/* without --chain: kept apart */
};

/* The bucket of the size histogram a cluster of size records goes to. */
unsigned nd_size_bucket(uint64_t size);

/*
 * Called for each cluster: the kept record and its duplicates with their
 * similarity to it (computed only if want_sims).
 */
typedef void nd_cluster_fn(void *arg, uint32_t kept, const uint32_t *dups,
	    const double *sims, size_t n);

struct nd_cluster_opts {
	bool		 chain;		/* --chain: transitive clusters */
	bool		 want_sims;
	nd_cluster_fn	*fn;		/* may be NULL */
	void		*arg;
};

/*
 * Turn the components of uf into clusters: in each, the record to keep is
 * the first (or, with keep values, the largest value, ties by index);
 * with chain every other member is its duplicate, without chain a member
 * is a duplicate only if similar to the kept record itself, and the rest
 * are clustered again the same way.  Returns the duplicates sorted by
 * index in *dups (caller frees), their count in *ndups.  Destroys uf.
 */
void	nd_cluster(const struct nd_index *ix, struct uf *uf, struct nd_sim *sim,
	    const struct nd_cluster_opts *o, struct nd_dup **dups,
	    uint64_t *ndups, struct nd_cluster_stats *st);

/* ---- sorting ---- */

/*
 * Sort (key, val) pairs by bits lo..hi-1 of the keys, stable (LSD radix,
 * 11 bits a pass); kt and vt are scratch of n entries.
 */
void	nd_sort_kv(uint64_t *key, uint32_t *val, size_t n, unsigned lo,
	    unsigned hi, uint64_t *kt, uint32_t *vt);

#endif
