/*
 * tally.h - what schema-check counts: records that passed and failed, per
 * quality rule, per schema keyword, per reason a record could not be
 * checked, per language, with the ids of the first failures of each.
 *
 * Each worker thread keeps its own tally; tally_merge() adds one into
 * another.  First ids are kept with the record's input position, so the
 * merged lists are the first ones in input order whatever the threads.
 * The merged tally is rendered as the --report JSON, the summary's stats
 * and Prometheus metrics.
 */
#ifndef CODESIFT_TALLY_H
#define CODESIFT_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "metrics.h"

#define TALLY_FIRST_IDS	10	/* ids kept per rule, keyword or reason */

struct tally_ids {
	uint64_t	 ord[TALLY_FIRST_IDS];
	char		*id[TALLY_FIRST_IDS];	/* owned */
	size_t		 n;
};

struct tally_key {
	char		*key;		/* owned */
	uint64_t	 failed;
	uint64_t	 records;	/* languages: records seen */
	struct tally_ids ids;
};

struct tally_tab {
	struct tally_key *k;
	size_t		  n, cap;
};

struct tally {
	uint64_t	 passed;	/* schema and rules all passed */
	uint64_t	 failed;	/* schema or a rule failed */
	uint64_t	 schema_failed;
	uint64_t	 rules_failed;	/* records failing at least one rule */
	size_t		 nrules;
	uint64_t	*rule_failed;	/* per rule, in rules order */
	uint64_t	*rule_applied;
	struct tally_ids *rule_ids;
	struct tally_tab keywords;	/* schema keyword -> failures */
	struct tally_tab reasons;	/* could not be checked: reason */
	struct tally_tab langs;		/* language -> records, failed */
};

void	tally_init(struct tally *t, size_t nrules);
void	tally_release(struct tally *t);

/* Remember id (copied) at input position ord if it is among the first. */
void	tally_id(struct tally_ids *ids, uint64_t ord, const char *id);
/* The entry for key (created at zero); key is copied. */
struct tally_key *tally_get(struct tally_tab *tab, const char *key,
	    size_t n);
/* Add src into dst (same rules). */
void	tally_merge(struct tally *dst, const struct tally *src);

struct qrules;

struct tally_meta {
	const char	*schema;	/* file, or NULL with --no-schema */
	int		 draft;
	const char	*rules;		/* file, or NULL with no rules */
	const struct qrules *q;
	uint64_t	 records;	/* read, all of them */
	const char	*max_fail;	/* as given, or NULL */
	bool		 gate_failed;
};

/* The --report object (a new reference). */
json_object *tally_report(const struct tally *t, const struct tally_meta *m);
/* Counts into the --summary stats object. */
void	tally_stats(const struct tally *t, const struct tally_meta *m,
	    json_object *stats);
void	tally_metrics(const struct tally *t, const struct tally_meta *m,
	    struct metrics *mx);

#endif
