/*
 * sketch.c - DDSketch quantiles, exact moments in fixed point, fixed-bin
 * histograms and HyperLogLog; everything merges exactly (sketch.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mem.h"
#include "sketch.h"

/* ln(gamma), gamma = (1 + alpha) / (1 - alpha): 2 atanh(0.005) */
#define LN_GAMMA	0.010000083334583356
#define GAMMA		1.0100502512562812

static double
ln_gamma(void)
{
	return LN_GAMMA;
}

int32_t
dd_index(double v)
{
	double i = ceil(log(v) / ln_gamma());

	if (i < DD_INDEX_MIN)
		return DD_INDEX_MIN;
	if (i > DD_INDEX_MAX)
		return DD_INDEX_MAX;
	return (int32_t)i;
}

double
dd_value(int32_t i)
{
	/* the middle of (gamma^(i-1), gamma^i] in relative terms */
	return 2.0 * exp((double)i * ln_gamma()) / (GAMMA + 1.0);
}

/* Make room for bucket i. */
static void
dd_cover(struct ddsketch *d, int32_t i)
{
	int32_t lo, hi;
	uint32_t n;
	uint64_t *c;

	if (d->n > 0 && i >= d->lo && i < d->lo + (int32_t)d->n)
		return;
	if (d->n == 0) {
		lo = i - 32;
		hi = i + 32;
	} else {
		lo = i < d->lo ? i - 64 : d->lo;
		hi = i >= d->lo + (int32_t)d->n ? i + 64 :
		    d->lo + (int32_t)d->n - 1;
	}
	if (lo < DD_INDEX_MIN)
		lo = DD_INDEX_MIN;
	if (hi > DD_INDEX_MAX)
		hi = DD_INDEX_MAX;
	n = (uint32_t)(hi - lo + 1);
	c = xcalloc(n, sizeof(*c));
	if (d->n > 0)
		memcpy(c + (d->lo - lo), d->counts, d->n * sizeof(*c));
	free(d->counts);
	d->counts = c;
	d->lo = lo;
	d->n = n;
}

void
dd_add_bucket(struct ddsketch *d, int32_t i, uint64_t n)
{
	if (i < DD_INDEX_MIN || i > DD_INDEX_MAX)
		err_bug("bucket %d out of range", (int)i);
	dd_cover(d, i);
	d->counts[i - d->lo] += n;
	d->count += n;
}

void
dd_add(struct ddsketch *d, double v)
{
	if (!(v >= DD_MIN)) {
		d->zero++;
		d->count++;
		return;
	}
	dd_add_bucket(d, dd_index(v), 1);
}

void
dd_merge(struct ddsketch *d, const struct ddsketch *o)
{
	uint32_t i;

	if (o->n > 0) {
		dd_cover(d, o->lo);
		dd_cover(d, o->lo + (int32_t)o->n - 1);
		for (i = 0; i < o->n; i++)
			d->counts[o->lo + (int32_t)i - d->lo] += o->counts[i];
	}
	d->zero += o->zero;
	d->count += o->count;
}

double
dd_quantile(const struct ddsketch *d, double q)
{
	uint64_t rank, seen;
	uint32_t i;

	if (d->count == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = (uint64_t)floor(q * (double)(d->count - 1));
	seen = d->zero;
	if (seen > rank)
		return 0;
	for (i = 0; i < d->n; i++) {
		seen += d->counts[i];
		if (seen > rank)
			return dd_value(d->lo + (int32_t)i);
	}
	return dd_value(d->lo + (int32_t)d->n - 1);
}

uint64_t
dd_count_above(const struct ddsketch *d, double x)
{
	uint64_t n = 0;
	uint32_t i;
	int32_t k;
	double lx;

	if (x < 0)
		return d->count;
	lx = x > 0 ? log(x) : -HUGE_VAL;
	/* bucket k holds (gamma^(k-1), gamma^k]: above x when k-1 >= log x */
	for (i = 0; i < d->n; i++) {
		k = d->lo + (int32_t)i;
		if ((double)(k - 1) * ln_gamma() >= lx)
			n += d->counts[i];
	}
	return n;
}

uint64_t
dd_count_below(const struct ddsketch *d, double x)
{
	uint64_t n = 0;
	uint32_t i;
	int32_t k;
	double lx;

	if (x <= 0)
		return 0;
	if (x >= DD_MIN)
		n += d->zero;
	lx = log(x);
	for (i = 0; i < d->n; i++) {
		k = d->lo + (int32_t)i;
		if ((double)k * ln_gamma() < lx)
			n += d->counts[i];
	}
	return n;
}

void
dd_release(struct ddsketch *d)
{
	free(d->counts);
	memset(d, 0, sizeof(*d));
}

/* ---- dist ---- */

void
dist_init(struct dist *d, enum hist_kind kind, unsigned shift)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->shift = shift;
}

static double
log_edge(size_t k)
{
	/* edge k (k >= 1) is 10^((k-1)/4): 1, 1.78, 3.16, 5.62, 10, ... */
	return pow(10.0, (double)(k - 1) / 4.0);
}

size_t
dist_nbins(const struct dist *d)
{
	return d->kind == HIST_LOG ? HIST_LOG_BINS : HIST_UNIT_BINS;
}

size_t
dist_bin_of(const struct dist *d, double v)
{
	size_t k;

	if (d->kind == HIST_UNIT) {
		k = v <= 0 ? 0 : (size_t)floor(v * HIST_UNIT_BINS);
		return k >= HIST_UNIT_BINS ? HIST_UNIT_BINS - 1 : k;
	}
	if (v < 1)
		return 0;
	k = 1 + (size_t)floor(4.0 * log10(v));
	/* log10 may round across an edge: settle on the exact edges */
	while (k > 1 && v < log_edge(k))
		k--;
	while (k + 1 < HIST_LOG_BINS && v >= log_edge(k + 1))
		k++;
	return k >= HIST_LOG_BINS ? HIST_LOG_BINS - 1 : k;
}

void
dist_bin(const struct dist *d, size_t i, double *lo, double *hi)
{
	if (d->kind == HIST_UNIT) {
		*lo = (double)i / HIST_UNIT_BINS;
		*hi = (double)(i + 1) / HIST_UNIT_BINS;
		return;
	}
	*lo = i == 0 ? 0 : log_edge(i);
	*hi = log_edge(i + 1);
}

void
dist_add(struct dist *d, double v)
{
	u128 f = (u128)llround(ldexp(v, (int)d->shift));

	if (d->count == 0 || v < d->min)
		d->min = v;
	if (d->count == 0 || v > d->max)
		d->max = v;
	d->count++;
	d->sum += f;
	d->sumsq += f * f;
	dd_add(&d->dd, v);
	d->hist[dist_bin_of(d, v)]++;
}

void
dist_merge(struct dist *d, const struct dist *o)
{
	size_t i;

	if (o->count == 0)
		return;
	if (d->count == 0 || o->min < d->min)
		d->min = o->min;
	if (d->count == 0 || o->max > d->max)
		d->max = o->max;
	d->count += o->count;
	d->sum += o->sum;
	d->sumsq += o->sumsq;
	dd_merge(&d->dd, &o->dd);
	for (i = 0; i < HIST_LOG_BINS; i++)
		d->hist[i] += o->hist[i];
}

double
dist_mean(const struct dist *d)
{
	if (d->count == 0)
		return 0;
	return (double)(ldexpl((long double)d->sum, -(int)d->shift) /
	    (long double)d->count);
}

double
dist_stddev(const struct dist *d)
{
	long double n, s, q, var;

	if (d->count == 0)
		return 0;
	n = (long double)d->count;
	s = ldexpl((long double)d->sum, -(int)d->shift);
	q = ldexpl((long double)d->sumsq, -2 * (int)d->shift);
	var = q / n - (s / n) * (s / n);
	return var > 0 ? (double)sqrtl(var) : 0;
}

void
dist_release(struct dist *d)
{
	dd_release(&d->dd);
}

/* ---- HyperLogLog ---- */

void
hll_add(struct hll *h, uint64_t hash)
{
	uint32_t idx = (uint32_t)(hash >> (64 - HLL_P));
	uint64_t w = hash << HLL_P | ((uint64_t)1 << (HLL_P - 1));
	uint8_t rho = (uint8_t)(__builtin_clzll(w) + 1);

	if (rho > h->reg[idx])
		h->reg[idx] = rho;
}

void
hll_merge(struct hll *h, const struct hll *o)
{
	size_t i;

	for (i = 0; i < HLL_M; i++)
		if (o->reg[i] > h->reg[i])
			h->reg[i] = o->reg[i];
}

double
hll_estimate(const struct hll *h)
{
	double m = HLL_M, sum = 0, e;
	size_t i, zeros = 0;

	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	e = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
	/* small range: linear counting */
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / (double)zeros);
	return e;
}

/* ---- 128-bit decimal ---- */

void
u128_format(u128 v, char out[40])
{
	char tmp[40];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v > 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

bool
u128_parse(const char *s, u128 *out)
{
	u128 v = 0, max = ~(u128)0;
	unsigned dgt;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		dgt = (unsigned)(*s - '0');
		if (v > (max - dgt) / 10)
			return false;
		v = v * 10 + dgt;
	}
	*out = v;
	return true;
}
