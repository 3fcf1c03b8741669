/*
 * metrics.h - Prometheus text exposition (format 0.0.4) for batch runs.
 *
 * A metrics set holds families (name, type, help) in the order first used,
 * each with its samples; rendering groups every sample under its family's
 * HELP and TYPE, as promtool and the Pushgateway require.  No timestamps
 * are written (the textfile collector and the Pushgateway refuse them).
 *
 * Labels are passed preformatted ("kind=\"email\",rule=\"x\""); build them
 * with metrics_label(), which escapes values.
 */
#ifndef CODESIFT_METRICS_H
#define CODESIFT_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

struct metrics;

struct metrics *metrics_new(void);
void	metrics_free(struct metrics *m);

/*
 * Declare a family (once; later calls with the same name are ignored).
 * type: "gauge", "counter", "histogram", "summary" or "untyped".
 */
void	metrics_family(struct metrics *m, const char *name, const char *type,
	    const char *help);

/*
 * Set sample `sample` (the family name, or for histograms name_bucket,
 * name_sum, name_count) of family `family` with labels to v; setting the
 * same sample and labels again replaces the value.
 */
void	metrics_sample(struct metrics *m, const char *family,
	    const char *sample, const char *labels, double v);

/* Shorthand: declare a gauge and set one sample. */
void	metrics_gauge(struct metrics *m, const char *name, const char *help,
	    const char *labels, double v);

/*
 * A histogram: bounds[0..nb) are the finite upper bounds, ascending;
 * counts[0..nb] the observations in each bucket, not cumulative, the last
 * one above every bound (the +Inf bucket is added).  sum: of observations.
 */
void	metrics_histogram(struct metrics *m, const char *name,
	    const char *help, const char *labels, const double *bounds,
	    const unsigned long long *counts, size_t nb, double sum);

/* Append name="value" (escaped), with a comma first if b is not empty. */
void	metrics_label(struct buf *b, const char *name, const char *value);

/*
 * Render the exposition text into out; common (preformatted labels, may be
 * NULL) is prepended to every sample's labels.
 */
void	metrics_render(const struct metrics *m, const char *common,
	    struct buf *out);

/*
 * POST body to a Pushgateway: url is its base URL (or a full
 * .../metrics/job/... URL), grouping the labels of the grouping key as
 * name/value pairs after job (NULL-terminated).  Returns true on success;
 * on failure err holds a message.
 */
bool	metrics_push(const char *url, const char *job,
	    const char *const grouping[], const char *body, size_t len,
	    struct buf *err);

#endif
