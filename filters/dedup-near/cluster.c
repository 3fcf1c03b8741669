/*
 * cluster.c - from union-find components to kept records and duplicates.
 *
 * The members of every component of two or more records are gathered by
 * sorting (root, record) pairs, so the memory is 12 bytes a clustered
 * record for the sort, nothing per singleton.  Each component is then
 * decided alone, deterministically: the same components give the same
 * clusters whatever produced them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

unsigned
nd_size_bucket(uint64_t size)
{
	unsigned b = 0;

	if (size <= 2)
		return 0;
	if (size == 3)
		return 1;
	while (size >> (b + 1) != 0)
		b++;
	return b < ND_SIZE_BUCKETS - 1 ? b : ND_SIZE_BUCKETS - 1;
}

struct pref {
	double		 v;	/* keep value; -inf when missing */
	uint32_t	 i;
};

/* Larger value first, then smaller index. */
static int
pref_cmp(const void *a, const void *b)
{
	const struct pref *x = a, *y = b;

	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

struct dupsim {
	uint32_t	 i;
	double		 s;
};

static int
dupsim_cmp(const void *a, const void *b)
{
	const struct dupsim *x = a, *y = b;

	return x->i < y->i ? -1 : x->i > y->i;
}

struct state {
	const struct nd_index	*ix;
	struct nd_sim		*sim;
	const struct nd_cluster_opts *o;
	struct nd_cluster_stats	*st;
	uint32_t		*dk, *dv;	/* duplicates: idx, kept */
	size_t			 nd, dcap;
	struct dupsim		*ds;		/* one cluster's duplicates */
	uint32_t		*tmpi;
	double			*tmps;
	size_t			 dscap;
};

static void
add_cluster(struct state *c, uint32_t kept, size_t n)
{
	struct nd_cluster_stats *st = c->st;
	size_t k;

	if (n == 0)
		return;
	st->clusters++;
	st->duplicates += n;
	st->sizes[nd_size_bucket(n + 1)]++;
	if (n + 1 > st->largest) {
		st->largest = n + 1;
		st->largest_kept = kept;
	}
	if (c->nd + n > c->dcap) {
		c->dcap = c->nd + n < 2 * c->dcap ? 2 * c->dcap : c->nd + n;
		c->dk = xreallocarray(c->dk, c->dcap, sizeof(*c->dk));
		c->dv = xreallocarray(c->dv, c->dcap, sizeof(*c->dv));
	}
	for (k = 0; k < n; k++) {
		c->dk[c->nd] = c->ds[k].i;
		c->dv[c->nd++] = kept;
	}
	if (c->o->fn != NULL) {
		qsort(c->ds, n, sizeof(*c->ds), dupsim_cmp);
		for (k = 0; k < n; k++) {
			c->tmpi[k] = c->ds[k].i;
			c->tmps[k] = c->ds[k].s;
		}
		c->o->fn(c->o->arg, kept, c->tmpi, c->tmps, n);
	}
}

static double
sim_of(struct state *c, uint32_t a, uint32_t b)
{
	bool above;

	return c->o->want_sims ? nd_similarity(c->sim, a, b, &above) : NAN;
}

/* Decide one component: ord[0..m) in order of preference. */
static void
component(struct state *c, const uint32_t *ord, size_t m, bool *taken)
{
	size_t a, b, n;

	if (m > c->dscap) {
		c->dscap = m;
		c->ds = xreallocarray(c->ds, m, sizeof(*c->ds));
		c->tmpi = xreallocarray(c->tmpi, m, sizeof(*c->tmpi));
		c->tmps = xreallocarray(c->tmps, m, sizeof(*c->tmps));
	}
	c->st->components++;
	if (c->o->chain) {
		for (b = 1; b < m; b++) {
			c->ds[b - 1].i = ord[b];
			c->ds[b - 1].s = sim_of(c, ord[0], ord[b]);
		}
		add_cluster(c, ord[0], m - 1);
		return;
	}
	/* greedy: the best record left keeps what is similar to it */
	memset(taken, 0, m * sizeof(*taken));
	for (a = 0; a < m; a++) {
		if (taken[a])
			continue;
		if (a > 0)
			c->st->unchained++;
		for (b = a + 1, n = 0; b < m; b++) {
			bool above;
			double s;

			if (taken[b])
				continue;
			s = nd_similarity(c->sim, ord[a], ord[b], &above);
			if (!above)
				continue;
			taken[b] = true;
			c->ds[n].i = ord[b];
			c->ds[n++].s = s;
		}
		add_cluster(c, ord[a], n);
	}
}

void
nd_cluster(const struct nd_index *ix, struct uf *uf, struct nd_sim *sim,
    const struct nd_cluster_opts *o, struct nd_dup **dups, uint64_t *ndups,
    struct nd_cluster_stats *st)
{
	struct state c;
	uint32_t *p = uf->parent, *v, *vt, *ord = NULL;
	uint64_t *k, *kt, i;
	struct pref *pr = NULL;
	bool *taken = NULL;
	size_t m = 0, s, e, j, cap = 0;
	struct nd_dup *out;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.ix = ix;
	c.sim = sim;
	c.o = o;
	c.st = st;
	/* parents are below their children: one pass flattens every path */
	for (i = 0; i < uf->n; i++) {
		p[i] = p[p[i]];
		if (p[i] != i)
			m++;
	}
	k = xreallocarray(NULL, m + 1, sizeof(*k));
	kt = xreallocarray(NULL, m + 1, sizeof(*kt));
	v = xreallocarray(NULL, m + 1, sizeof(*v));
	vt = xreallocarray(NULL, m + 1, sizeof(*vt));
	for (i = 0, s = 0; i < uf->n; i++)
		if (p[i] != i) {
			k[s] = p[i];
			v[s++] = (uint32_t)i;
		}
	nd_sort_kv(k, v, m, 0, 32, kt, vt);
	free(kt);
	free(vt);
	for (s = 0; s < m; s = e) {
		for (e = s + 1; e < m && k[e] == k[s]; e++)
			;
		/* the root (smallest) and its members, in index order */
		if (e - s + 1 > cap) {
			cap = e - s + 1;
			ord = xreallocarray(ord, cap, sizeof(*ord));
			pr = xreallocarray(pr, cap, sizeof(*pr));
			taken = xreallocarray(taken, cap, sizeof(*taken));
		}
		ord[0] = (uint32_t)k[s];
		for (j = s; j < e; j++)
			ord[j - s + 1] = v[j];
		if (ix->keep != NULL) {
			for (j = 0; j <= e - s; j++) {
				pr[j].i = ord[j];
				pr[j].v = isnan(ix->keep[ord[j]]) ? -INFINITY :
				    ix->keep[ord[j]];
			}
			qsort(pr, e - s + 1, sizeof(*pr), pref_cmp);
			for (j = 0; j <= e - s; j++)
				ord[j] = pr[j].i;
		}
		component(&c, ord, e - s + 1, taken);
	}
	free(k);
	free(v);
	free(ord);
	free(pr);
	free(taken);
	free(c.ds);
	free(c.tmpi);
	free(c.tmps);
	uf_release(uf);

	/* the duplicates in index order, for the output pass */
	kt = xreallocarray(NULL, c.nd + 1, sizeof(*kt));
	k = xreallocarray(NULL, c.nd + 1, sizeof(*k));
	vt = xreallocarray(NULL, c.nd + 1, sizeof(*vt));
	for (j = 0; j < c.nd; j++)
		k[j] = c.dk[j];
	nd_sort_kv(k, c.dv, c.nd, 0, 32, kt, vt);
	out = xreallocarray(NULL, c.nd + 1, sizeof(*out));
	for (j = 0; j < c.nd; j++) {
		out[j].idx = (uint32_t)k[j];
		out[j].kept = c.dv[j];
	}
	free(k);
	free(kt);
	free(vt);
	free(c.dk);
	free(c.dv);
	*dups = out;
	*ndups = c.nd;
}
