/*
 * test_cluster.c - union-find (against a brute-force reference), banding
 * and clustering on hand-made indexes whose similarities are known.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "minhash.h"
#include "t.h"

static const struct nd_params params = {
	5, 5, 256, 25, 10, false, false, 1, "content", "blob_id", NULL
};

/* Components by repeated relaxation: the slow obvious reference. */
static void
reference_components(uint32_t n, const uint32_t (*e)[2], size_t ne,
    uint32_t *label)
{
	bool changed = true;
	uint32_t i, m;
	size_t k;

	for (i = 0; i < n; i++)
		label[i] = i;
	while (changed) {
		changed = false;
		for (k = 0; k < ne; k++) {
			m = label[e[k][0]] < label[e[k][1]] ?
			    label[e[k][0]] : label[e[k][1]];
			if (label[e[k][0]] != m || label[e[k][1]] != m) {
				label[e[k][0]] = label[e[k][1]] = m;
				changed = true;
			}
		}
	}
}

static void
test_union_find(void)
{
	enum { N = 500, E = 300 };
	uint32_t e[E][2], label[N];
	uint64_t st = 9;
	struct uf u;
	size_t k;
	uint32_t i;

	uf_init(&u, 5);
	CHECK(uf_union(&u, 3, 4));
	CHECK(!uf_union(&u, 4, 3));
	CHECK(uf_union(&u, 4, 1));
	CHECK_EQ_U(uf_find(&u, 3), 1);	/* the smallest is the root */
	CHECK_EQ_U(uf_find(&u, 0), 0);
	uf_release(&u);

	for (k = 0; k < E; k++) {
		e[k][0] = (uint32_t)(mh_splitmix64(&st) % N);
		e[k][1] = (uint32_t)(mh_splitmix64(&st) % N);
	}
	reference_components(N, (const uint32_t (*)[2])e, E, label);
	/* any order of unions gives the same roots */
	uf_init(&u, N);
	for (k = E; k-- > 0;)
		uf_union(&u, e[k][0], e[k][1]);
	for (i = 0; i < N; i++)
		CHECK_EQ_U(uf_find(&u, i), label[i]);
	uf_release(&u);
}

/*
 * An index of n records whose packed signatures are all zero but for
 * `flip[i]` nibbles set in record i, starting at nibble `at[i]`: records
 * agree wherever neither has a nibble set.
 */
static void
make_index(struct nd_index *ix, size_t n, const unsigned *at,
    const unsigned *flip, const double *keep)
{
	struct nd_params p = params;
	size_t i, b;
	unsigned k;

	if (keep != NULL)
		p.keep_field = "stars";
	nd_index_init(ix, &p, IX_IDS);
	nd_index_reserve(ix, n);
	for (i = 0; i < n; i++) {
		uint8_t *s = ix->sig + i * 128;
		char id[24];

		memset(s, 0, 128);
		for (k = at[i]; k < at[i] + flip[i]; k++)
			s[k / 2] |= (uint8_t)(k % 2 ? 0x10 : 0x01);
		ix->flags[i] = 0;
		for (b = 0; b < 25; b++)
			ix->keys[b][i] = b == 0 ? 42 : i * 100 + b;
		if (keep != NULL)
			ix->keep[i] = keep[i];
		snprintf(id, sizeof(id), "r%zu", i);
		buf_adds(&ix->ids, id);
		ix->id_off[i + 1] = ix->ids.len;
		ix->n = i + 1;
	}
}

struct seen {
	uint32_t	 kept[16];
	size_t		 n[16];
	uint32_t	 dups[16][16];
	size_t		 nc;
};

static void
on_cluster(void *arg, uint32_t kept, const uint32_t *dups, const double *sims,
    size_t n)
{
	struct seen *s = arg;

	(void)sims;
	if (s->nc == 16)
		return;
	s->kept[s->nc] = kept;
	s->n[s->nc] = n;
	memcpy(s->dups[s->nc], dups, (n < 16 ? n : 16) * sizeof(*dups));
	s->nc++;
}

static void
run_all(struct nd_index *ix, bool chain, struct seen *seen,
    struct nd_dup **dups, uint64_t *nd, struct nd_cluster_stats *cst)
{
	struct nd_cluster_opts o = { chain, true, on_cluster, seen };
	struct nd_lsh_stats lst;
	struct nd_sim sim;
	struct uf u;

	memset(seen, 0, sizeof(*seen));
	memset(&lst, 0, sizeof(lst));
	uf_init(&u, ix->n);
	nd_sim_init(&sim, ix, 0.85);
	nd_lsh(ix, 0, 25, &u, &sim, NULL, NULL, &lst);
	nd_cluster(ix, &u, &sim, &o, dups, nd, cst);
	nd_sim_release(&sim);
}

/*
 * A chain.  A has nibbles 40..59 set, B 50..69, C 60..79: A and B differ
 * in 20 values (estimate 0.917), B and C in 20, A and C in 40 (0.833, under
 * 0.85).  D (0..199) shares their band key but is far from all.
 */
static void
test_chain(void)
{
	static const unsigned at[] = { 40, 50, 60, 0 }, flip[] = { 20, 20, 20,
	    200 };
	struct nd_cluster_stats cst;
	struct nd_index ix;
	struct nd_dup *dups;
	struct seen seen;
	uint64_t nd;

	make_index(&ix, 4, at, flip, NULL);
	run_all(&ix, true, &seen, &dups, &nd, &cst);
	CHECK_EQ_U(nd, 2);		/* B and C join A, C through B */
	CHECK_EQ_U(dups[0].idx, 1);
	CHECK_EQ_U(dups[0].kept, 0);
	CHECK_EQ_U(dups[1].idx, 2);
	CHECK_EQ_U(dups[1].kept, 0);
	CHECK_EQ_U(seen.nc, 1);
	CHECK_EQ_U(cst.largest, 3);
	CHECK_EQ_U(cst.sizes[nd_size_bucket(3)], 1);
	free(dups);
	nd_index_release(&ix);

	/* the default (no chain): C is not similar to A itself, so it stays */
	make_index(&ix, 4, at, flip, NULL);
	run_all(&ix, false, &seen, &dups, &nd, &cst);
	CHECK_EQ_U(nd, 1);
	CHECK_EQ_U(dups[0].idx, 1);
	CHECK_EQ_U(dups[0].kept, 0);
	CHECK_EQ_U(cst.unchained, 1);
	free(dups);
	nd_index_release(&ix);
}

static void
test_keep_max(void)
{
	static const unsigned at[] = { 0, 0, 0, 0, 0 };
	static const unsigned flip[] = { 0, 1, 2, 3, 4 };
	const double stars[] = { 3, NAN, 7, 7, 1 };
	struct nd_cluster_stats cst;
	struct nd_index ix;
	struct nd_dup *dups;
	struct seen seen;
	uint64_t nd, k;

	make_index(&ix, 5, at, flip, stars);
	run_all(&ix, true, &seen, &dups, &nd, &cst);
	/* the largest value, ties by input order: record 2 */
	CHECK_EQ_U(nd, 4);
	for (k = 0; k < nd; k++)
		CHECK_EQ_U(dups[k].kept, 2);
	CHECK_EQ_U(dups[0].idx, 0);
	CHECK_EQ_U(dups[1].idx, 1);
	CHECK_EQ_U(dups[2].idx, 3);
	CHECK_EQ_U(dups[3].idx, 4);
	CHECK_EQ_U(seen.kept[0], 2);
	CHECK_EQ_U(seen.n[0], 4);
	free(dups);
	nd_index_release(&ix);
}

/* Short records are never candidates; a big bucket is windowed. */
static void
test_lsh(void)
{
	enum { N = 200 };
	unsigned at[N], flip[N];
	struct nd_cluster_stats cst;
	struct nd_index ix;
	struct nd_dup *dups;
	struct seen seen;
	uint64_t nd;
	size_t i;

	for (i = 0; i < N; i++) {
		at[i] = 0;
		flip[i] = i % 2 ? 0 : 100;	/* odd: alike; even: far */
	}
	make_index(&ix, N, at, flip, NULL);
	ix.flags[1] = ND_SHORT;
	run_all(&ix, true, &seen, &dups, &nd, &cst);
	/* the even records are alike too (the same 100 nibbles set) */
	CHECK_EQ_U(nd, N - 3);		/* two clusters; record 1 short */
	CHECK_EQ_U(seen.nc, 2);
	CHECK_EQ_U(seen.kept[0], 0);
	CHECK_EQ_U(seen.kept[1], 3);
	free(dups);
	nd_index_release(&ix);
}

/* Keys sharing their top 33 bits but not the rest still group right. */
static void
test_lsh_close_keys(void)
{
	static const unsigned at[] = { 0, 0, 0, 0, 0 }, flip[] = { 0, 0, 0, 0,
	    0 };
	const uint64_t a = (uint64_t)0x5a5a5a5a << 32;
	struct nd_cluster_stats cst;
	struct nd_index ix;
	struct nd_dup *dups;
	struct seen seen;
	uint64_t nd;

	make_index(&ix, 5, at, flip, NULL);
	ix.keys[0][0] = a | 1;
	ix.keys[0][1] = a | 2;
	ix.keys[0][2] = a | 1;
	ix.keys[0][3] = a | 2;
	ix.keys[0][4] = a | 3;
	run_all(&ix, true, &seen, &dups, &nd, &cst);
	CHECK_EQ_U(nd, 2);
	CHECK_EQ_U(dups[0].idx, 2);
	CHECK_EQ_U(dups[0].kept, 0);
	CHECK_EQ_U(dups[1].idx, 3);
	CHECK_EQ_U(dups[1].kept, 1);
	free(dups);
	nd_index_release(&ix);
}

static void
test_size_bucket(void)
{
	CHECK_EQ_U(nd_size_bucket(2), 0);
	CHECK_EQ_U(nd_size_bucket(3), 1);
	CHECK_EQ_U(nd_size_bucket(4), 2);
	CHECK_EQ_U(nd_size_bucket(7), 2);
	CHECK_EQ_U(nd_size_bucket(8), 3);
	CHECK_EQ_U(nd_size_bucket(1u << 20), ND_SIZE_BUCKETS - 1);
}

int
main(void)
{
	T_RUN(test_union_find);
	T_RUN(test_chain);
	T_RUN(test_keep_max);
	T_RUN(test_lsh);
	T_RUN(test_lsh_close_keys);
	T_RUN(test_size_bucket);
	return t_done();
}
