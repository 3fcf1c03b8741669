/*
 * report.h - the stats-agg report: computed from a state (stats.h) into
 * one json-c object, which the JSON, Prometheus, CSV and HTML outputs are
 * all written from.  The report is a function of the state and the
 * parameters only (no clock, no host): the same state gives the same
 * bytes, whether it came from one pass or from merged shards.
 */
#ifndef STATS_AGG_REPORT_H
#define STATS_AGG_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "metrics.h"
#include "stats.h"

/* Records a language needs before outliers are looked for in it. */
#define OUTLIER_MIN_RECORDS	10

/* The expected language mix: weights, normalised over the categories. */
struct expect {
	char		**lang;
	double		*w;
	size_t		 n;
	bool		 other;		/* "(other)" collects the rest */
	char		*source;	/* "default" or the file name */
};

/* The default mix: Python, Java, C++, JavaScript, equal shares. */
void	expect_default(struct expect *e);
/* Parse {"Language": weight, ...}; false with a message in why. */
bool	expect_parse(struct expect *e, const char *source, const char *text,
	    size_t n, struct buf *why);
void	expect_release(struct expect *e);

struct report_params {
	double		 z;		/* robust z-score limit */
	unsigned	 top;		/* rows of top lists */
	const struct expect *expect;
	const char	*content_field, *id_field, *language_field;
};

json_object *report_build(struct stats *s, const struct report_params *p);

/* The report as pretty JSON text with a final newline. */
void	report_text(json_object *rep, struct buf *out);

/* Gauges per language, stage, kind... (stats-agg(1), METRICS). */
void	report_metrics(json_object *rep, struct metrics *m);

/* Histograms and tables as CSV files in dir (created if needed). */
void	report_csv(json_object *rep, const char *dir);

/* P(X >= x) for X chi-square with df degrees of freedom. */
double	chisq_sf(double x, double df);

/*
 * Read a built report by dotted path ("totals.records"): the member (or
 * NULL), its number (NaN if absent), its string ("" if absent).
 */
json_object *report_get(json_object *o, const char *path);
double	report_num(json_object *o, const char *path);
const char *report_str(json_object *o, const char *path);

/* A number with sig significant digits, written as such in JSON. */
json_object *jnum(double v, int sig);

#endif
