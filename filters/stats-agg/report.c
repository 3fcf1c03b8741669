/*
 * report.c - from the state to the report: quantiles, shares, the
 * expected-mix test, outliers, the funnel; and the report as JSON text,
 * Prometheus gauges and CSV files (report.h).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "report.h"
#include "stream.h"

#define REPORT_FORMAT	"codesift-stats-agg-report"
#define REPORT_VERSION	1

/* 0.6745 = the 0.75 quantile of N(0,1): MAD / 0.6745 estimates sigma */
#define MAD_K		0.6745
/*
 * The least MAD used, in ln units (a spread of about 10%): where most files
 * of a language are alike (lines cut at 80 columns), the MAD is near 0 and
 * any small departure would otherwise count as an outlier.
 */
#define MAD_FLOOR	0.1

static const double quantiles[] = {
	0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99
};
static const char *const quantile_names[] = {
	"p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99"
};
#define NQUANT	(sizeof(quantiles) / sizeof(quantiles[0]))

/* ---- numbers ---- */

json_object *
jnum(double v, int sig)
{
	char t[48];

	if (!isfinite(v))
		return NULL;
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(t, sizeof(t), "%.0f", v);
		if (strcmp(t, "-0") == 0)
			strcpy(t, "0");
	} else
		snprintf(t, sizeof(t), "%.*g", sig, v);
	return json_object_new_double_s(v, t);
}

static json_object *
ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *
jshare(uint64_t part, uint64_t whole)
{
	return whole > 0 ? jnum((double)part / (double)whole, 6) : NULL;
}

static void
add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

/* ---- chi-square ---- */

/* Regularized lower incomplete gamma P(a, x) by its series (x < a+1). */
static double
gamma_p_series(double a, double x)
{
	double sum = 1.0 / a, del = sum, ap = a;
	int n;

	for (n = 0; n < 1000; n++) {
		ap += 1;
		del *= x / ap;
		sum += del;
		if (fabs(del) < fabs(sum) * 1e-16)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Regularized upper incomplete gamma Q(a, x), continued fraction. */
static double
gamma_q_cf(double a, double x)
{
	double b = x + 1 - a, c = 1.0 / DBL_MIN, d = 1.0 / b, h = d, an, del;
	int i;

	for (i = 1; i < 1000; i++) {
		an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < DBL_MIN)
			d = DBL_MIN;
		c = b + an / c;
		if (fabs(c) < DBL_MIN)
			c = DBL_MIN;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

double
chisq_sf(double x, double df)
{
	double a = df / 2, h = x / 2;

	if (df <= 0 || !(x > 0))
		return 1;
	if (h < a + 1)
		return 1 - gamma_p_series(a, h);
	return gamma_q_cf(a, h);
}

/* ---- the expected mix ---- */

static void
expect_add(struct expect *e, const char *lang, double w)
{
	e->lang = xreallocarray(e->lang, e->n + 1, sizeof(*e->lang));
	e->w = xreallocarray(e->w, e->n + 1, sizeof(*e->w));
	e->lang[e->n] = xstrdup(lang);
	e->w[e->n++] = w;
}

void
expect_default(struct expect *e)
{
	memset(e, 0, sizeof(*e));
	expect_add(e, "Python", 0.25);
	expect_add(e, "Java", 0.25);
	expect_add(e, "C++", 0.25);
	expect_add(e, "JavaScript", 0.25);
	e->source = xstrdup("default");
}

bool
expect_parse(struct expect *e, const char *source, const char *text,
    size_t n, struct buf *why)
{
	struct json_tokener *tok;
	json_object *o, *v;
	struct json_object_iterator it, end;
	double w;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	if (n > INT32_MAX || (tok = json_tokener_new()) == NULL) {
		buf_adds(why, "file too large");
		return false;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)n);
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		buf_adds(why, "not a JSON object of language: share");
		goto done;
	}
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int)) {
			buf_addf(why, "the share of '%s' is not a number",
			    json_object_iter_peek_name(&it));
			goto done;
		}
		w = json_object_get_double(v);
		if (!isfinite(w) || w <= 0) {
			buf_addf(why, "the share of '%s' is not positive",
			    json_object_iter_peek_name(&it));
			goto done;
		}
		if (strcmp(json_object_iter_peek_name(&it), OTHER_NAME) == 0)
			e->other = true;
		expect_add(e, json_object_iter_peek_name(&it), w);
	}
	if (e->n < 2) {
		buf_adds(why, "give at least two languages (or one and "
		    "\"(other)\")");
		goto done;
	}
	e->source = xstrdup(source);
	ok = true;
done:
	json_object_put(o);
	if (!ok)
		expect_release(e);
	return ok;
}

void
expect_release(struct expect *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->lang[i]);
	free(e->lang);
	free(e->w);
	free(e->source);
	memset(e, 0, sizeof(*e));
}

/* ---- distributions ---- */

static json_object *
dist_json(const struct dist *d, bool integer)
{
	json_object *o = json_object_new_object();
	size_t i;

	add(o, "count", ju64(d->count));
	if (d->count == 0) {
		add(o, "min", NULL);
		add(o, "max", NULL);
		add(o, "mean", NULL);
		add(o, "stddev", NULL);
		for (i = 0; i < NQUANT; i++)
			add(o, quantile_names[i], NULL);
		return o;
	}
	add(o, "min", jnum(d->min, integer ? 15 : 6));
	add(o, "max", jnum(d->max, integer ? 15 : 6));
	add(o, "mean", jnum(dist_mean(d), 6));
	add(o, "stddev", jnum(dist_stddev(d), 6));
	for (i = 0; i < NQUANT; i++) {
		double q = dd_quantile(&d->dd, quantiles[i]);

		/* the sketch's middle value may lie past the exact ends */
		if (q < d->min)
			q = d->min;
		if (q > d->max)
			q = d->max;
		add(o, quantile_names[i], jnum(q, 6));
	}
	return o;
}

static json_object *
hist_json(const struct dist *d)
{
	json_object *a = json_object_new_array(), *b;
	size_t i, first = dist_nbins(d), last = 0;
	double lo, hi;

	for (i = 0; i < dist_nbins(d); i++)
		if (d->hist[i] > 0) {
			if (first == dist_nbins(d))
				first = i;
			last = i;
		}
	for (i = first; i <= last && first < dist_nbins(d); i++) {
		dist_bin(d, i, &lo, &hi);
		b = json_object_new_object();
		add(b, "lo", jnum(lo, 6));
		add(b, "hi", jnum(hi, 6));
		add(b, "count", ju64(d->hist[i]));
		json_object_array_add(a, b);
	}
	return a;
}

/* ---- outliers ---- */

struct zfit {
	bool		ok;
	int32_t		im;		/* median bucket */
	double		tmed;		/* ln(1 + median) */
	double		scale;		/* z = (t - tmed) / scale */
	double		mad;		/* of ln(1 + x) */
	double		median;
};

/* Median and MAD of ln(1 + x) from the sketch of 1 + x. */
static struct zfit
fit(const struct ddsketch *d)
{
	struct zfit f;
	uint64_t rank, seen = 0, *by;
	uint32_t i, span, k;

	memset(&f, 0, sizeof(f));
	if (d->count < OUTLIER_MIN_RECORDS || d->n == 0)
		return f;
	rank = (d->count - 1) / 2;
	for (i = 0; i < d->n; i++) {
		seen += d->counts[i];
		if (seen > rank)
			break;
	}
	f.im = d->lo + (int32_t)i;
	/* ln(dd_value(i)) = i ln(gamma) + c: distances are in buckets */
	span = d->n;
	by = xcalloc(span, sizeof(*by));
	for (i = 0; i < d->n; i++) {
		int32_t b = d->lo + (int32_t)i;

		k = (uint32_t)(b > f.im ? b - f.im : f.im - b);
		by[k] += d->counts[i];
	}
	for (seen = 0, k = 0; k < span; k++) {
		seen += by[k];
		if (seen > rank)
			break;
	}
	free(by);
	f.tmed = log(dd_value(f.im));
	f.median = dd_value(f.im) - 1;
	f.mad = (double)k * log(dd_value(1) / dd_value(0));
	f.scale = (f.mad > MAD_FLOOR ? f.mad : MAD_FLOOR) / MAD_K;
	f.ok = true;
	return f;
}

static double
zscore(const struct zfit *f, uint64_t v)
{
	return (log1p((double)v) - f->tmed) / f->scale;
}

struct flagged {
	const struct cand *c;
	double		   z;
};

static int
flagged_order(const void *a, const void *b)
{
	const struct flagged *x = a, *y = b;
	double ax = fabs(x->z), ay = fabs(y->z);

	if (ax != ay)
		return ax > ay ? -1 : 1;
	return cand_cmp(x->c, y->c);
}

static json_object *
cand_id(const struct cand *c)
{
	return c->hasid ? json_object_new_string_len(c->id, c->idlen) : NULL;
}

/*
 * Outliers of one metric of one language; NULL if the language is too
 * small or its values too uniform.  *count: the outliers (an estimate
 * from the sketch when more than the kept extremes are outliers).
 */
static json_object *
outliers_one(const char *lang, const char *metric,
    const struct extremes *heaps, const struct ddsketch *d, double zlim,
    uint64_t *count)
{
	struct zfit f = fit(d);
	json_object *o, *w, *x, *side;
	struct flagged *fl;
	struct extremes sorted, *e = &sorted;
	uint64_t nhi = 0, nlo = 0;
	double lim_hi, lim_lo;
	bool exact_hi = true, exact_lo = true;
	size_t nf = 0, i;

	*count = 0;
	if (!f.ok)
		return NULL;
	/* sort copies: the state stays mergeable */
	ext_init(e, heaps->cap);
	ext_merge(e, heaps);
	ext_sort(e);
	lim_hi = exp(f.tmed + zlim * f.scale) - 1;
	lim_lo = exp(f.tmed - zlim * f.scale) - 1;
	fl = xreallocarray(NULL, (size_t)e->nhi + e->nlo + 1, sizeof(*fl));
	for (i = 0; i < e->nhi && zscore(&f, e->hi[i].v) > zlim; i++) {
		fl[nf].c = &e->hi[i];
		fl[nf++].z = zscore(&f, e->hi[i].v);
		nhi++;
	}
	if (nhi == e->cap && e->cap > 0 && nhi < d->count) {
		uint64_t est = dd_count_above(d, 1 + lim_hi);

		exact_hi = false;
		nhi = est > nhi ? est : nhi;
	}
	for (i = 0; i < e->nlo && zscore(&f, e->lo[i].v) < -zlim; i++) {
		fl[nf].c = &e->lo[i];
		fl[nf++].z = zscore(&f, e->lo[i].v);
		nlo++;
	}
	if (nlo == e->cap && e->cap > 0 && nlo < d->count) {
		uint64_t est = dd_count_below(d, 1 + lim_lo);

		exact_lo = false;
		nlo = est > nlo ? est : nlo;
	}
	*count = nhi + nlo;
	o = json_object_new_object();
	add(o, "language", json_object_new_string(lang));
	add(o, "metric", json_object_new_string(metric));
	add(o, "records", ju64(d->count));
	add(o, "median", jnum(f.median, 6));
	add(o, "mad_log", jnum(f.mad, 4));
	add(o, "low_limit", lim_lo > 0 ? jnum(lim_lo, 6) : NULL);
	add(o, "high_limit", jnum(lim_hi, 6));
	side = json_object_new_object();
	add(side, "count", ju64(nhi));
	add(side, "exact", json_object_new_boolean(exact_hi));
	add(o, "high", side);
	side = json_object_new_object();
	add(side, "count", ju64(nlo));
	add(side, "exact", json_object_new_boolean(exact_lo));
	add(o, "low", side);
	qsort(fl, nf, sizeof(*fl), flagged_order);
	w = json_object_new_array();
	for (i = 0; i < nf && i < e->cap; i++) {
		x = json_object_new_object();
		add(x, "id", cand_id(fl[i].c));
		add(x, "value", ju64(fl[i].c->v));
		add(x, "z", jnum(round(fl[i].z * 100) / 100, 6));
		json_object_array_add(w, x);
	}
	add(o, "worst", w);
	free(fl);
	ext_release(e);
	return o;
}

static json_object *
outliers_json(struct stats *s, const struct report_params *p)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *e;
	uint32_t *ix = ctab_sorted(&s->lang);
	struct lang_x *x;
	uint64_t total = 0, n;
	size_t i, assessed = 0;
	int k;

	add(o, "method", json_object_new_string("modified z-score of "
	    "ln(1 + value) against the language's median and MAD"));
	add(o, "z", jnum(p->z, 6));
	add(o, "mad_floor", jnum(MAD_FLOOR, 6));
	add(o, "min_records", json_object_new_int(OUTLIER_MIN_RECORDS));
	for (i = 0; i < ctab_count(&s->lang); i++) {
		x = s->lang.g[ix[i]].x;
		for (k = 0; k < OM_N && x != NULL; k++) {
			e = outliers_one(ctab_name(&s->lang, ix[i]),
			    omet_names[k], &x->ext[k], &x->dd[k], p->z, &n);
			if (e == NULL)
				continue;
			assessed++;
			if (n == 0) {
				json_object_put(e);
				continue;
			}
			total += n;
			json_object_array_add(a, e);
		}
	}
	add(o, "assessed", ju64(assessed));
	add(o, "total", ju64(total));
	add(o, "groups", a);
	free(ix);
	return o;
}

/* ---- tables ---- */

static json_object *
langs_json(struct stats *s)
{
	json_object *a = json_object_new_array(), *o;
	uint32_t *ix = ctab_sorted(&s->lang);
	const struct group *g;
	const struct lang_x *x;
	size_t i;

	for (i = 0; i < ctab_count(&s->lang); i++) {
		g = &s->lang.g[ix[i]];
		x = g->x;
		o = json_object_new_object();
		add(o, "language",
		    json_object_new_string(ctab_name(&s->lang, ix[i])));
		add(o, "records", ju64(g->records));
		add(o, "share", jshare(g->records, s->records));
		add(o, "bytes", ju64(g->bytes));
		add(o, "bytes_share", jshare(g->bytes, s->d[M_BYTES].count ?
		    (uint64_t)s->d[M_BYTES].sum : 0));
		add(o, "lines", ju64(g->lines));
		add(o, "tokens", g->token_records ? ju64(g->tokens) : NULL);
		add(o, "median_bytes", x != NULL && x->dd[OM_BYTES].count ?
		    jnum(dd_quantile(&x->dd[OM_BYTES], 0.5) - 1, 6) : NULL);
		add(o, "duplicates_marked", ju64(g->dups));
		add(o, "pii_records", ju64(g->pii));
		add(o, "quality_failed", ju64(g->qfail));
		json_object_array_add(a, o);
	}
	free(ix);
	return a;
}

/* Rows name/records/bytes of a table, the first `top` (0: all). */
static json_object *
table_json(struct ctab *t, const char *key, unsigned top, uint64_t total,
    uint64_t total_bytes)
{
	json_object *a = json_object_new_array(), *o;
	uint32_t *ix = ctab_sorted(t);
	size_t i;

	for (i = 0; i < ctab_count(t) && (top == 0 || i < top); i++) {
		o = json_object_new_object();
		add(o, key, json_object_new_string(ctab_name(t, ix[i])));
		add(o, "records", ju64(t->g[ix[i]].records));
		if (total > 0)
			add(o, "share", jshare(t->g[ix[i]].records, total));
		add(o, "bytes", ju64(t->g[ix[i]].bytes));
		if (total_bytes > 0)
			add(o, "bytes_share", jshare(t->g[ix[i]].bytes,
			    total_bytes));
		json_object_array_add(a, o);
	}
	free(ix);
	return a;
}

/* ---- repositories ---- */

struct byrow {
	uint32_t	i;
	uint64_t	key, bytes;
};

static int
byrow_order(const void *a, const void *b, void *arg)
{
	const struct byrow *x = a, *y = b;
	const struct spacesaving *ss = arg;
	int c;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	c = strcmp(ss->map.key[x->i], ss->map.key[y->i]);
	return c;
}

/* Share of repo bytes from the first k repositories ranked by key. */
static double
top_share(struct spacesaving *ss, bool by_stars, size_t k, uint64_t total)
{
	size_t n = ss_count(ss), i;
	struct byrow *r = xreallocarray(NULL, n + 1, sizeof(*r));
	uint64_t sum = 0;

	for (i = 0; i < n; i++) {
		r[i].i = (uint32_t)i;
		r[i].bytes = ss->it[i].bytes;
		r[i].key = by_stars ? (uint64_t)(ss->it[i].stars + 1) :
		    ss->it[i].bytes;
	}
	qsort_r(r, n, sizeof(*r), byrow_order, ss);
	for (i = 0; i < n && i < k; i++)
		sum += r[i].bytes;
	free(r);
	return total > 0 ? (double)sum / (double)total : 0;
}

static json_object *
repos_json(struct stats *s, unsigned top)
{
	json_object *o = json_object_new_object(), *a, *e;
	struct spacesaving *ss = &s->repos;
	uint32_t *ix = ss_sorted(ss);
	uint64_t distinct;
	bool exact = !ss->evicted, stars = false;
	size_t i, k1, k10;

	distinct = exact ? ss_count(ss) :
	    (uint64_t)llround(hll_estimate(&s->repo_hll));
	add(o, "records", ju64(s->repo_records));
	add(o, "distinct", ju64(distinct));
	add(o, "exact", json_object_new_boolean(exact));
	add(o, "capacity", ju64(ss->cap));
	a = json_object_new_array();
	for (i = 0; i < ss_count(ss) && i < top; i++) {
		e = json_object_new_object();
		add(e, "repo", json_object_new_string(ss->map.key[ix[i]]));
		add(e, "records", ju64(ss->it[ix[i]].count));
		add(e, "bytes", ju64(ss->it[ix[i]].bytes));
		add(e, "error", ju64(ss->it[ix[i]].err));
		if (ss->it[ix[i]].stars >= 0)
			add(e, "stars", json_object_new_int64(
			    ss->it[ix[i]].stars));
		json_object_array_add(a, e);
	}
	add(o, "top", a);
	for (i = 0; i < ss_count(ss); i++)
		stars |= ss->it[i].stars >= 0;
	k1 = (size_t)ceil((double)distinct * 0.01);
	k10 = (size_t)ceil((double)distinct * 0.10);
	add(o, "top_1pct_repos", ju64(k1));
	add(o, "bytes_share_top_1pct", distinct > 0 ? jnum(top_share(ss,
	    false, k1, s->repo_bytes), 6) : NULL);
	add(o, "bytes_share_top_10pct", distinct > 0 ? jnum(top_share(ss,
	    false, k10, s->repo_bytes), 6) : NULL);
	add(o, "bytes_share_top_1pct_by_stars", distinct > 0 && stars ?
	    jnum(top_share(ss, true, k1, s->repo_bytes), 6) : NULL);
	free(ix);
	return o;
}

/* ---- the expected mix ---- */

static json_object *
mix_json(struct stats *s, const struct expect *ex)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *c;
	uint64_t *obs = xcalloc(ex->n + 1, sizeof(*obs)), n = 0, outside;
	double wsum = 0, chi = 0, e, r, rel;
	size_t i, k, other = ex->n;
	const char *flag;

	for (i = 0; i < ex->n; i++) {
		wsum += ex->w[i];
		if (strcmp(ex->lang[i], OTHER_NAME) == 0)
			other = i;
	}
	/* observed records per category */
	for (k = 0; k < ctab_count(&s->lang); k++) {
		for (i = 0; i < ex->n; i++)
			if (i != other && strcmp(ex->lang[i],
			    ctab_name(&s->lang, k)) == 0)
				break;
		if (i == ex->n && ex->other)
			i = other;
		if (i < ex->n)
			obs[i] += s->lang.g[k].records;
	}
	for (i = 0; i < ex->n; i++)
		n += obs[i];
	outside = s->records - n;
	add(o, "source", json_object_new_string(ex->source));
	add(o, "basis", json_object_new_string("records"));
	for (i = 0; i < ex->n; i++) {
		e = (double)n * ex->w[i] / wsum;
		c = json_object_new_object();
		add(c, "language", json_object_new_string(ex->lang[i]));
		add(c, "observed", ju64(obs[i]));
		add(c, "expected", jnum(e, 6));
		add(c, "observed_share", jshare(obs[i], n));
		add(c, "expected_share", jnum(ex->w[i] / wsum, 6));
		if (n > 0) {
			r = ((double)obs[i] - e) / sqrt(e);
			rel = (double)obs[i] / e - 1;
			chi += r * r;
			flag = r > 2 && rel > 0.1 ? "over" :
			    r < -2 && rel < -0.1 ? "under" : "ok";
			add(c, "residual", jnum(r, 4));
			add(c, "flag", json_object_new_string(flag));
		} else {
			add(c, "residual", NULL);
			add(c, "flag", NULL);
		}
		json_object_array_add(a, c);
	}
	add(o, "categories", a);
	add(o, "records_compared", ju64(n));
	add(o, "records_outside", ju64(outside));
	add(o, "outside_share", jshare(outside, s->records));
	add(o, "chi_square", n > 0 ? jnum(chi, 6) : NULL);
	add(o, "df", json_object_new_int((int)ex->n - 1));
	add(o, "p_value", n > 0 ? jnum(chisq_sf(chi, (double)ex->n - 1), 4) :
	    NULL);
	free(obs);
	return o;
}

/* ---- the funnel ---- */

static json_object *
funnel_json(struct stats *s)
{
	json_object *a = json_object_new_array(), *o, *r;
	const struct stage *st;
	size_t i;

	stats_sort_stages(s);
	for (i = 0; i < s->nst; i++) {
		st = &s->st[i];
		o = json_object_new_object();
		add(o, "stage", json_object_new_string(st->stage));
		add(o, "filter", json_object_new_string(st->filter));
		add(o, "shards", ju64(st->nshards));
		r = json_object_new_object();
		add(r, "in", ju64(st->rin));
		add(r, "out", ju64(st->rout));
		add(r, "dropped", ju64(st->rdrop));
		add(r, "rejected", ju64(st->rrej));
		add(o, "records", r);
		r = json_object_new_object();
		add(r, "in", ju64(st->bin));
		add(r, "out", ju64(st->bout));
		add(o, "bytes", r);
		add(o, "kept_share", jshare(st->rout, st->rin));
		add(o, "duration_seconds", jnum(st->secs, 4));
		add(o, "rejects_by_reason", json_object_get(st->reasons));
		/* records that vanished between two stages */
		add(o, "unaccounted", i > 0 ? json_object_new_int64(
		    (int64_t)s->st[i - 1].rout - (int64_t)st->rin) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- the whole report ---- */

json_object *
report_build(struct stats *s, const struct report_params *p)
{
	json_object *r = json_object_new_object(), *o, *d, *h;
	uint64_t bytes = (uint64_t)s->d[M_BYTES].sum;
	size_t i;

	add(r, "report", json_object_new_string(REPORT_FORMAT));
	add(r, "version", json_object_new_int(REPORT_VERSION));
	o = json_object_new_object();
	add(o, "field", json_object_new_string(p->content_field));
	add(o, "id_field", json_object_new_string(p->id_field));
	add(o, "language_field", json_object_new_string(p->language_field));
	add(o, "z", jnum(p->z, 6));
	add(o, "outliers", ju64(s->p.outliers));
	add(o, "top", ju64(p->top));
	add(o, "repo_capacity", ju64(s->p.repo_capacity));
	add(o, "relative_error", jnum(DD_ALPHA, 6));
	add(r, "params", o);

	o = json_object_new_object();
	add(o, "lines_read", ju64(s->read));
	add(o, "rejected", ju64(s->rejected));
	add(r, "input", o);

	o = json_object_new_object();
	add(o, "records", ju64(s->records));
	add(o, "bytes", ju64(bytes));
	add(o, "lines", ju64((uint64_t)s->d[M_LINES].sum));
	add(o, "tokens", s->d[M_TOKENS].count ?
	    ju64((uint64_t)s->d[M_TOKENS].sum) : NULL);
	add(o, "records_with_content", ju64(s->with_content));
	add(o, "records_without_size", ju64(s->no_size));
	add(o, "empty_files", ju64(s->empty));
	add(o, "languages", ju64(ctab_count(&s->lang)));
	add(o, "extensions", ju64(ctab_count(&s->ext)));
	add(r, "totals", o);

	d = json_object_new_object();
	h = json_object_new_object();
	for (i = 0; i < M_NDIST; i++) {
		bool integer = i != M_MEAN_LINE && i != M_ALNUM;

		add(d, metric_names[i], dist_json(&s->d[i], integer));
		add(h, metric_names[i], hist_json(&s->d[i]));
	}
	add(r, "distributions", d);
	add(r, "histograms", h);

	add(r, "languages", langs_json(s));
	add(r, "expected_mix", mix_json(s, p->expect));
	add(r, "license_types", table_json(&s->lictype, "license_type", 0,
	    s->records, bytes));
	add(r, "licenses", table_json(&s->lic, "license", p->top, 0, 0));
	add(r, "extensions", table_json(&s->ext, "extension", p->top,
	    s->records, 0));
	add(r, "repositories", repos_json(s, p->top));

	o = json_object_new_object();
	add(o, "marked", ju64(s->dups));
	add(o, "share", jshare(s->dups, s->records));
	add(r, "duplicates", o);

	o = json_object_new_object();
	add(o, "checked", ju64(s->pii_checked));
	add(o, "records", ju64(s->pii_records));
	add(o, "share", jshare(s->pii_records, s->pii_checked));
	add(o, "found", ju64(s->pii_found));
	{
		json_object *a = json_object_new_array(), *k;
		uint32_t *ix = ctab_sorted(&s->pii);

		for (i = 0; i < ctab_count(&s->pii); i++) {
			k = json_object_new_object();
			add(k, "kind", json_object_new_string(
			    ctab_name(&s->pii, ix[i])));
			add(k, "found", ju64(s->pii.g[ix[i]].pii));
			add(k, "records", ju64(s->pii.g[ix[i]].records));
			json_object_array_add(a, k);
		}
		free(ix);
		add(o, "kinds", a);
	}
	add(r, "pii", o);

	o = json_object_new_object();
	add(o, "checked", ju64(s->q_checked));
	add(o, "ok", ju64(s->q_ok));
	add(o, "failed", ju64(s->q_failed));
	add(o, "failed_share", jshare(s->q_failed, s->q_checked));
	{
		json_object *a = json_object_new_array(), *k;
		uint32_t *ix = ctab_sorted(&s->qrule);

		for (i = 0; i < ctab_count(&s->qrule); i++) {
			k = json_object_new_object();
			add(k, "rule", json_object_new_string(
			    ctab_name(&s->qrule, ix[i])));
			add(k, "records", ju64(s->qrule.g[ix[i]].records));
			json_object_array_add(a, k);
		}
		free(ix);
		add(o, "rules", a);
	}
	add(r, "quality", o);

	add(r, "outliers", outliers_json(s, p));
	add(r, "funnel", funnel_json(s));
	return r;
}

void
report_text(json_object *rep, struct buf *out)
{
	buf_adds(out, json_object_to_json_string_ext(rep,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addc(out, '\n');
}

/* ---- reading the report back (metrics, CSV, HTML) ---- */

json_object *
report_get(json_object *o, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while (o != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (dot != NULL);
	}
	return o;
}

double
report_num(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	return v != NULL ? json_object_get_double(v) : NAN;
}

const char *
report_str(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	return v != NULL ? json_object_get_string(v) : "";
}

/* ---- Prometheus ---- */

static void
gauge(struct metrics *m, const char *name, const char *help,
    const char *labels, double v)
{
	if (!isfinite(v))
		return;
	metrics_family(m, name, "gauge", help);
	metrics_sample(m, name, name, labels, v);
}

static void
label1(struct buf *b, const char *k, const char *v)
{
	buf_reset(b);
	metrics_label(b, k, v);
}

static void
dist_metric(struct metrics *m, json_object *rep, const char *metric,
    const char *name, const char *help)
{
	struct buf lb = BUF_INIT, p = BUF_INIT;
	json_object *d = report_get(report_get(rep, "distributions"), metric);
	size_t i;
	char q[16];

	if (d == NULL || report_num(d, "count") <= 0)
		return;
	metrics_family(m, name, "summary", help);
	for (i = 0; i < NQUANT; i++) {
		snprintf(q, sizeof(q), "%g", quantiles[i]);
		label1(&lb, "quantile", q);
		metrics_sample(m, name, name, lb.data, report_num(d,
		    quantile_names[i]));
	}
	buf_addf(&p, "%s_sum", name);
	metrics_sample(m, name, p.data, NULL, report_num(d, "mean") * report_num(d, "count"));
	buf_reset(&p);
	buf_addf(&p, "%s_count", name);
	metrics_sample(m, name, p.data, NULL, report_num(d, "count"));
	buf_release(&lb);
	buf_release(&p);
}

void
report_metrics(json_object *rep, struct metrics *m)
{
	struct buf lb = BUF_INIT;
	json_object *a, *e;
	size_t i, n;
	static const char *const dirs[] = { "in", "out", "dropped",
	    "rejected" };
	size_t k;

	gauge(m, "codesift_stats_records", "Records in the dataset report.",
	    NULL, report_num(rep, "totals.records"));
	gauge(m, "codesift_stats_content_bytes",
	    "Bytes of file content in the report.", NULL,
	    report_num(rep, "totals.bytes"));
	gauge(m, "codesift_stats_lines", "Lines of file content in the "
	    "report.", NULL, report_num(rep, "totals.lines"));
	gauge(m, "codesift_stats_tokens", "Tokens (n_tokens) in the report.",
	    NULL, report_num(rep, "totals.tokens"));
	gauge(m, "codesift_stats_duplicates_marked",
	    "Records marked as duplicates (dup_of).", NULL,
	    report_num(rep, "duplicates.marked"));
	gauge(m, "codesift_stats_pii_records", "Records with PII found.",
	    NULL, report_num(rep, "pii.records"));
	gauge(m, "codesift_stats_quality_failed",
	    "Records that failed a quality rule.", NULL,
	    report_num(rep, "quality.failed"));
	gauge(m, "codesift_stats_repositories", "Distinct repositories.",
	    NULL, report_num(rep, "repositories.distinct"));
	gauge(m, "codesift_stats_top_1pct_repos_bytes_ratio",
	    "Share of content bytes from the largest 1% of repositories.",
	    NULL, report_num(rep, "repositories.bytes_share_top_1pct"));
	gauge(m, "codesift_stats_language_chi_square",
	    "Chi-square of the language mix against the expected mix.", NULL,
	    report_num(rep, "expected_mix.chi_square"));
	gauge(m, "codesift_stats_language_chi_square_p_value",
	    "P-value of the chi-square test of the language mix.", NULL,
	    report_num(rep, "expected_mix.p_value"));
	gauge(m, "codesift_stats_outliers", "Outliers found, all languages "
	    "and metrics.", NULL, report_num(rep, "outliers.total"));

	a = report_get(rep, "languages");
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		label1(&lb, "language", report_str(e, "language"));
		gauge(m, "codesift_stats_language_records",
		    "Records per language.", lb.data, report_num(e, "records"));
		gauge(m, "codesift_stats_language_content_bytes",
		    "Content bytes per language.", lb.data, report_num(e, "bytes"));
		gauge(m, "codesift_stats_language_ratio",
		    "Share of records per language.", lb.data, report_num(e, "share"));
	}
	a = report_get(rep, "expected_mix.categories");
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		label1(&lb, "language", report_str(e, "language"));
		gauge(m, "codesift_stats_language_expected_ratio",
		    "Expected share of records per language.", lb.data,
		    report_num(e, "expected_share"));
		gauge(m, "codesift_stats_language_residual",
		    "Pearson residual of the language against the expected "
		    "mix.", lb.data, report_num(e, "residual"));
	}
	a = report_get(rep, "outliers.groups");
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		label1(&lb, "language", report_str(e, "language"));
		metrics_label(&lb, "metric", report_str(e, "metric"));
		gauge(m, "codesift_stats_language_outliers",
		    "Outliers per language and metric.", lb.data,
		    report_num(e, "high.count") + report_num(e, "low.count"));
	}
	a = report_get(rep, "pii.kinds");
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		label1(&lb, "kind", report_str(e, "kind"));
		gauge(m, "codesift_stats_pii_found", "PII found per kind.",
		    lb.data, report_num(e, "found"));
	}
	a = report_get(rep, "funnel");
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		for (k = 0; k < 4; k++) {
			char path[32];

			label1(&lb, "pipeline_stage", report_str(e, "stage"));
			metrics_label(&lb, "outcome", dirs[k]);
			snprintf(path, sizeof(path), "records.%s", dirs[k]);
			gauge(m, "codesift_stats_stage_records",
			    "Records per pipeline stage (from --stage-summary)"
			    ".", lb.data, report_num(e, path));
		}
		for (k = 0; k < 2; k++) {
			char path[32];

			label1(&lb, "pipeline_stage", report_str(e, "stage"));
			metrics_label(&lb, "direction", dirs[k]);
			snprintf(path, sizeof(path), "bytes.%s", dirs[k]);
			gauge(m, "codesift_stats_stage_bytes",
			    "Bytes in and out per pipeline stage.", lb.data,
			    report_num(e, path));
		}
	}
	dist_metric(m, rep, "bytes", "codesift_stats_file_size_bytes",
	    "File size in bytes (quantiles within 0.5%).");
	dist_metric(m, rep, "lines", "codesift_stats_file_lines",
	    "Lines per file.");
	dist_metric(m, rep, "max_line_length",
	    "codesift_stats_file_max_line_length", "Longest line per file, "
	    "in characters.");
	dist_metric(m, rep, "mean_line_length",
	    "codesift_stats_file_mean_line_length", "Mean line length per "
	    "file, in characters.");
	dist_metric(m, rep, "alnum_fraction", "codesift_stats_file_alnum_ratio",
	    "Share of ASCII letters and digits per file.");
	dist_metric(m, rep, "n_tokens", "codesift_stats_file_tokens",
	    "Tokens per file.");
	dist_metric(m, rep, "star_events_count",
	    "codesift_stats_file_star_events", "Stars of the file's "
	    "repository.");
	buf_release(&lb);
}

/* ---- CSV ---- */

static void
csv_field(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void
csv_num(struct buf *b, json_object *v)
{
	if (v == NULL)
		return;		/* empty: no value */
	buf_adds(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* One CSV file: the columns of each object of array a. */
static void
csv_table(const char *dir, const char *name, json_object *a,
    const char *const cols[])
{
	struct buf b = BUF_INIT, path = BUF_INIT;
	json_object *e, *v;
	size_t i, k, n = a != NULL ? json_object_array_length(a) : 0;

	for (k = 0; cols[k] != NULL; k++) {
		if (k > 0)
			buf_addc(&b, ',');
		buf_adds(&b, cols[k]);
	}
	buf_addc(&b, '\n');
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		for (k = 0; cols[k] != NULL; k++) {
			if (k > 0)
				buf_addc(&b, ',');
			v = report_get(e, cols[k]);
			if (json_object_is_type(v, json_type_string))
				csv_field(&b, json_object_get_string(v));
			else
				csv_num(&b, v);
		}
		buf_addc(&b, '\n');
	}
	buf_addf(&path, "%s/%s", dir, name);
	stream_write_file(path.data, b.data, b.len);
	buf_release(&b);
	buf_release(&path);
}

void
report_csv(json_object *rep, const char *dir)
{
	static const char *const hist_cols[] = { "lo", "hi", "count", NULL };
	static const char *const lang_cols[] = { "language", "records",
	    "share", "bytes", "bytes_share", "lines", "tokens", NULL };
	static const char *const mix_cols[] = { "language", "observed",
	    "expected", "observed_share", "expected_share", "residual",
	    "flag", NULL };
	static const char *const funnel_cols[] = { "stage", "filter",
	    "records.in", "records.out", "records.dropped",
	    "records.rejected", "bytes.in", "bytes.out", NULL };
	static const char *const pii_cols[] = { "kind", "found", "records",
	    NULL };
	struct buf name = BUF_INIT;
	size_t i;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		err_die_errno("%s: cannot create", dir);
	for (i = 0; i < M_NDIST; i++) {
		buf_reset(&name);
		buf_addf(&name, "hist-%s.csv", metric_names[i]);
		csv_table(dir, name.data, report_get(report_get(rep, "histograms"),
		    metric_names[i]), hist_cols);
	}
	csv_table(dir, "languages.csv", report_get(rep, "languages"), lang_cols);
	csv_table(dir, "expected-mix.csv", report_get(rep,
	    "expected_mix.categories"), mix_cols);
	csv_table(dir, "funnel.csv", report_get(rep, "funnel"), funnel_cols);
	csv_table(dir, "pii.csv", report_get(rep, "pii.kinds"), pii_cols);
	buf_release(&name);
}
