/*
 * lsh.c - LSH banding: records that share a band key are candidates;
 * candidates at or above the threshold are joined in a union-find.
 *
 * One band at a time: the band's keys are copied with their record
 * numbers and radix-sorted (stable, so a bucket's members stay in input
 * order), which needs 24 bytes a record for the band being processed and
 * nothing that grows with the number of buckets.
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"

void
nd_sort_kv(uint64_t *key, uint32_t *val, size_t n, unsigned lo,
    unsigned hi, uint64_t *kt, uint32_t *vt)
{
	size_t cnt[2048], i, sum, c;
	uint64_t *ks = key, *kd = kt, *tk;
	uint32_t *vs = val, *vd = vt, *tv;
	unsigned shift, d;

	if (n < 2)
		return;
	for (shift = lo; shift < hi; shift += 11) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(ks[i] >> shift) & 2047]++;
		/* a digit all keys share moves nothing: skip the pass */
		d = (unsigned)((ks[0] >> shift) & 2047);
		if (cnt[d] == n)
			continue;
		for (i = 0, sum = 0; i < 2048; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			size_t at = cnt[(ks[i] >> shift) & 2047]++;

			kd[at] = ks[i];
			vd[at] = vs[i];
		}
		tk = ks;
		ks = kd;
		kd = tk;
		tv = vs;
		vs = vd;
		vd = tv;
	}
	if (ks != key) {
		memcpy(key, ks, n * sizeof(*key));
		memcpy(val, vs, n * sizeof(*val));
	}
}

/*
 * Sort a band's (key, record) pairs by key, records in order within a
 * key.  Three radix passes on the top 33 bits; keys that share those bits
 * but differ below (a few in a million) are then put in order by a stable
 * insertion sort of their run.
 */
static void
sort_band(uint64_t *k, uint32_t *v, size_t m, uint64_t *kt, uint32_t *vt)
{
	size_t s, e, i, j;

	nd_sort_kv(k, v, m, 31, 64, kt, vt);
	for (s = 0; s < m; s = e) {
		bool mixed = false;

		for (e = s + 1; e < m && k[e] >> 31 == k[s] >> 31; e++)
			mixed |= k[e] != k[s];
		if (!mixed)
			continue;
		for (i = s + 1; i < e; i++) {
			uint64_t x = k[i];
			uint32_t y = v[i];

			for (j = i; j > s && k[j - 1] > x; j--) {
				k[j] = k[j - 1];
				v[j] = v[j - 1];
			}
			k[j] = x;
			v[j] = y;
		}
	}
}

/* Compare the members of one bucket, v[0..m) in index order. */
static void
bucket(const uint32_t *v, size_t m, struct uf *uf, struct nd_sim *sim,
    nd_pair_fn *fn, void *arg, struct nd_lsh_stats *st)
{
	size_t j, k, lim;
	bool above;
	double s;

	st->buckets++;
	if (m > st->largest_bucket)
		st->largest_bucket = m;
	for (j = 1; j < m; j++) {
		lim = j < ND_BUCKET_WINDOW ? j : ND_BUCKET_WINDOW;
		for (k = 0; k < lim; k++) {
			st->candidates++;
			if (uf_find(uf, v[k]) == uf_find(uf, v[j]))
				continue;
			st->compared++;
			if (!nd_similar(sim, v[k], v[j]))
				continue;
			st->confirmed++;
			uf_union(uf, v[k], v[j]);
			if (fn != NULL) {
				s = nd_similarity(sim, v[k], v[j], &above);
				fn(arg, v[k], v[j], s);
			}
		}
	}
}

void
nd_lsh(const struct nd_index *ix, unsigned b0, unsigned b1, struct uf *uf,
    struct nd_sim *sim, nd_pair_fn *fn, void *arg, struct nd_lsh_stats *st)
{
	uint64_t *k, *kt, i;
	uint32_t *v, *vt;
	size_t m = 0, s, e;
	unsigned b;

	for (i = 0; i < ix->n; i++)
		if (!(ix->flags[i] & ND_SHORT))
			m++;
	if (m < 2)
		return;
	k = xreallocarray(NULL, m, sizeof(*k));
	kt = xreallocarray(NULL, m, sizeof(*kt));
	v = xreallocarray(NULL, m, sizeof(*v));
	vt = xreallocarray(NULL, m, sizeof(*vt));
	for (b = b0; b < b1; b++) {
		const uint64_t *keys = ix->keys[b];

		if (keys == NULL)
			err_bug("band %u is not loaded", b);
		for (i = 0, s = 0; i < ix->n; i++)
			if (!(ix->flags[i] & ND_SHORT)) {
				k[s] = keys[i];
				v[s++] = (uint32_t)i;
			}
		sort_band(k, v, m, kt, vt);
		for (s = 0; s < m; s = e) {
			for (e = s + 1; e < m && k[e] == k[s]; e++)
				;
			if (e - s > 1)
				bucket(v + s, e - s, uf, sim, fn, arg, st);
		}
	}
	free(k);
	free(kt);
	free(v);
	free(vt);
}
