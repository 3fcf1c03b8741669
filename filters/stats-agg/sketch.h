/*
 * sketch.h - mergeable summaries of a distribution in bounded memory.
 *
 * struct ddsketch is DDSketch (Masson, Rim and Lee, VLDB 2019): values are
 * counted in buckets whose bounds grow geometrically by gamma, so that any
 * quantile is returned with a relative error of at most DD_ALPHA (0.5%).
 * Buckets are plain counts: merging two sketches adds them, and the result
 * is the very sketch one pass over both inputs would have built.  Values
 * below DD_MIN (0 in practice) have a bucket of their own.  Memory: one
 * counter per bucket between the smallest and the largest value seen, at
 * most about 5,000 (40 KB) for values from 1e-9 to 2^40.
 *
 * struct dist adds what a report wants beside the quantiles: count, exact
 * min and max, mean and standard deviation from sums kept in 128-bit fixed
 * point (so they too merge exactly, in any order), and a histogram with
 * fixed bins: log-scale (four per decade) or linear on [0, 1].
 *
 * struct hll is a HyperLogLog distinct counter (2^14 registers, standard
 * error 0.8%), mergeable by register-wise maximum.
 */
#ifndef STATS_AGG_SKETCH_H
#define STATS_AGG_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__extension__ typedef unsigned __int128 u128;

#define DD_ALPHA	0.005
#define DD_MIN		1e-9
#define DD_INDEX_MIN	(-2100)		/* index of DD_MIN */
#define DD_INDEX_MAX	3000		/* above 2^43 */

struct ddsketch {
	uint64_t	*counts;	/* counts[i] is bucket lo + i */
	int32_t		 lo;
	uint32_t	 n;
	uint64_t	 zero;		/* values below DD_MIN */
	uint64_t	 count;
};

/* The bucket of v (v >= DD_MIN), and the value a bucket stands for. */
int32_t	dd_index(double v);
double	dd_value(int32_t i);

void	dd_add(struct ddsketch *d, double v);
/* Add n to bucket i (DD_INDEX_MIN <= i <= DD_INDEX_MAX). */
void	dd_add_bucket(struct ddsketch *d, int32_t i, uint64_t n);
void	dd_merge(struct ddsketch *d, const struct ddsketch *o);
/*
 * The value of rank floor(q * (count - 1)) in sorted order (numpy's
 * "lower" quantile), within DD_ALPHA; 0 for an empty sketch.
 */
double	dd_quantile(const struct ddsketch *d, double q);
/* Records in buckets entirely above x, and entirely below x. */
uint64_t dd_count_above(const struct ddsketch *d, double x);
uint64_t dd_count_below(const struct ddsketch *d, double x);
void	dd_release(struct ddsketch *d);

enum hist_kind { HIST_LOG, HIST_UNIT };

#define HIST_LOG_BINS	57	/* [0,1), then 4 per decade up to 1e14 */
#define HIST_UNIT_BINS	20	/* [0, 0.05), ... [0.95, 1] */

struct dist {
	enum hist_kind	 kind;
	unsigned	 shift;		/* fixed point: value * 2^shift */
	uint64_t	 count;
	double		 min, max;
	u128		 sum, sumsq;
	struct ddsketch	 dd;
	uint64_t	 hist[HIST_LOG_BINS];
};

void	dist_init(struct dist *d, enum hist_kind kind, unsigned shift);
/* v >= 0 and finite; integers up to 2^40 keep sums exact. */
void	dist_add(struct dist *d, double v);
void	dist_merge(struct dist *d, const struct dist *o);
double	dist_mean(const struct dist *d);
double	dist_stddev(const struct dist *d);	/* population */
size_t	dist_nbins(const struct dist *d);
/* Bounds of bin i: [lo, hi). */
void	dist_bin(const struct dist *d, size_t i, double *lo, double *hi);
size_t	dist_bin_of(const struct dist *d, double v);
void	dist_release(struct dist *d);

#define HLL_P		14
#define HLL_M		(1u << HLL_P)

struct hll {
	uint8_t		reg[HLL_M];
};

void	hll_add(struct hll *h, uint64_t hash);
void	hll_merge(struct hll *h, const struct hll *o);
double	hll_estimate(const struct hll *h);

/* Decimal text of v (for the state file), and back; false on junk. */
void	u128_format(u128 v, char out[40]);
bool	u128_parse(const char *s, u128 *out);

#endif
