/*
 * stats.h - the aggregate state of stats-agg: everything the report is
 * computed from, in memory that does not grow with the input (see the
 * limits below), built record by record, merged from shards, and saved to
 * or loaded from a state file.
 *
 * Merging states gives the state one pass over all their inputs would
 * have given: counts, sums, sketches and extremes exactly; the repository
 * heavy hitters exactly while no summary ran out of counters; the name
 * tables exactly while no table reached its limit.
 */
#ifndef STATS_AGG_STATS_H
#define STATS_AGG_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "measure.h"
#include "mem.h"
#include "rec.h"
#include "sketch.h"
#include "tables.h"

/* The distributions of the report, in report order. */
enum metric {
	M_BYTES, M_LINES, M_MAX_LINE, M_MEAN_LINE, M_ALNUM, M_TOKENS,
	M_STARS, M_NDIST
};
extern const char *const metric_names[M_NDIST];

/* The metrics outliers are looked for in, per language. */
enum omet { OM_BYTES, OM_MAX_LINE, OM_TOKENS, OM_N };
extern const char *const omet_names[OM_N];

/* Limits of distinct names (later ones count under "(other)"). */
#define LIMIT_LANGUAGES		1000
#define LIMIT_NAMES		10000	/* extensions, licences, rules, kinds */

/* Bounds of the state parameters (memory: see stats-agg(1)). */
#define OUTLIERS_MAX		100
#define REPO_CAPACITY_MAX	1000000

/* The largest integer field value accepted (sums stay exact). */
#define VALUE_MAX		((uint64_t)1 << 40)

struct lang_x {
	struct ddsketch	dd[OM_N];	/* of 1 + value */
	struct extremes	ext[OM_N];
};

struct stage {
	char		*stage, *filter;
	uint64_t	 rin, rout, rdrop, rrej, bin, bout;
	double		 secs;
	char		**shards;	/* shard names seen ("" = none) */
	size_t		 nshards;
	json_object	*reasons;	/* reason -> count */
};

struct stats_params {
	uint32_t	outliers;	/* extremes kept per tail */
	uint32_t	repo_capacity;	/* SpaceSaving counters */
};

struct stats {
	struct stats_params p;
	uint64_t	read, rejected;		/* lines, by the runs */
	uint64_t	records;		/* records in the report */
	uint64_t	with_content, empty, no_size;
	uint64_t	dups;
	uint64_t	pii_checked, pii_records, pii_found;
	uint64_t	q_checked, q_ok, q_failed;
	uint64_t	repo_records, repo_bytes;
	struct dist	d[M_NDIST];
	struct ctab	lang, ext, lictype, lic, pii, qrule;
	struct spacesaving repos;
	struct hll	repo_hll;
	struct stage	*st;
	size_t		 nst;
};

/* What one record contributes, read and checked before any of it counts. */
struct obs {
	struct strv	lang, ext, lictype, repo, id;	/* p NULL: absent */
	bool		has_content;
	struct text_measure tm;
	bool		has_bytes, has_tokens, has_stars;
	uint64_t	bytes, tokens, stars;
	bool		dup;
	json_object	*lics;		/* array of strings, or NULL */
	json_object	*pii;		/* object, or NULL */
	json_object	*quality;	/* object, or NULL */
};

/* The names of the fields read (the rest are fixed, see stats-agg(1)). */
struct fields {
	const char	*content, *id, *language;
};

/*
 * Read and check what record r contributes.  False if r must be rejected:
 * rec_reason(r) and rec_detail(r) say why (nothing was counted).
 */
bool	obs_read(struct obs *o, struct rec *r, const struct fields *f);

void	stats_init(struct stats *s, const struct stats_params *p);
void	stats_release(struct stats *s);

/* Add one record's observations. */
void	stats_add(struct stats *s, const struct obs *o);
void	obs_release(struct obs *o);

/* Merge o into s; false (and why) if their parameters differ. */
bool	stats_merge(struct stats *s, const struct stats *o, struct buf *why);

/*
 * Add the --summary JSON of an earlier stage run (text of file path);
 * false with a message in why when it is not one, or the same stage and
 * shard was given before.
 */
bool	stats_add_summary(struct stats *s, const char *path, const char *text,
	    size_t n, struct buf *why);
/* Stages in pipeline order (filter order of DESIGN.md, then as given). */
void	stats_sort_stages(struct stats *s);

/* The state as JSON text (written by --state). */
void	stats_save(struct stats *s, struct buf *out);
/*
 * Load a state from JSON text into s (initialised with the state's own
 * parameters); false with a message in why if it is not a valid state.
 */
bool	stats_load(struct stats *s, const char *text, size_t n,
	    struct buf *why);

#endif
