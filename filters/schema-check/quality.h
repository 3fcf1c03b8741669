/*
 * quality.h - code-quality rules over a record's text (configs/quality.json).
 *
 * Each rule has an id, a check and a threshold, an optional description
 * and an optional language scope ("languages": only these; "skip_languages":
 * all but these).  The checks are those code-LLM data pipelines filter on
 * (The Stack, StarCoder): text size, longest and mean line, the share of
 * alphanumeric characters, encoded blobs (base64, hex and \u runs),
 * auto-generated markers in the header, replacement characters (a lossy
 * decode), NUL bytes, and PII or secrets left in the text (the rule engine
 * of common/pii.h, the one pii-scrub redacts with).  Lengths count
 * characters (code points) and lines
 * split as Python's str.splitlines() does, so that the figures are those of
 * the usual Python filters (bigcode-dataset's preprocessing).
 *
 * Loading is strict: an unknown key, check or language scope error is a
 * configuration error naming the file and the rule.  qrules_select()
 * chooses the rules to run and loads what they need (the PII catalogue);
 * after it a struct qrules is immutable and shared by threads, each of
 * which evaluates with its own struct qctx.
 */
#ifndef CODESIFT_QUALITY_H
#define CODESIFT_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "pii.h"

enum qcheck {
	Q_MAX_BYTES,		/* UTF-8 bytes > threshold */
	Q_MIN_BYTES,		/* UTF-8 bytes < threshold */
	Q_MAX_LINE,		/* longest line (characters) > threshold */
	Q_MEAN_LINE,		/* mean line length > threshold */
	Q_MIN_ALNUM,		/* alphanumeric share < threshold */
	Q_MAX_ENCODED,		/* encoded share > threshold, or a run
				   longer than max_run */
	Q_GENERATED,		/* markers in the header > threshold */
	Q_MAX_REPLACEMENT,	/* U+FFFD characters > threshold */
	Q_MAX_NUL,		/* NUL characters > threshold */
	Q_MAX_PII,		/* PII findings > threshold */
	Q_NCHECKS
};

struct qrule {
	char		*id;
	enum qcheck	 check;
	double		 threshold;
	char		*description;
	char		**langs;	/* only these languages (if any) */
	size_t		 nlangs;
	char		**skip;		/* never these */
	size_t		 nskip;
	uint64_t	 max_run;	/* Q_MAX_ENCODED: longest run allowed */
	char		**markers;	/* Q_GENERATED: lower-case ASCII */
	size_t		 nmarkers;
	uint64_t	 header_lines;	/* Q_GENERATED */
	unsigned	 pii_kinds;	/* Q_MAX_PII: mask of enum pii_kind */
	bool		 private_ips;	/* Q_MAX_PII: report those too */
	char		*pii_rules;	/* Q_MAX_PII: catalogue file, or NULL */
	struct pii_rules *pii;		/* loaded by qrules_select() */
	bool		 enabled;
};

struct qrules {
	struct qrule	*r;
	size_t		 n;
	char		*name;		/* the file, for messages */
};

/* The name of a check in the configuration ("max_line_length", ...). */
const char *qcheck_name(enum qcheck c);

/* Load rules from a file or from memory; NULL with a message in err. */
struct qrules *qrules_load(const char *path, struct buf *err);
struct qrules *qrules_parse(const char *text, size_t n, const char *name,
	    struct buf *err);
void	qrules_free(struct qrules *q);

/*
 * Keep only the rules whose ids are in only (comma-separated; NULL: all)
 * and not in skip, and load the PII catalogue of the PII rules kept.
 * False with a message naming an unknown id or the catalogue's error.
 */
bool	qrules_select(struct qrules *q, const char *only, const char *skip,
	    struct buf *err);

/* Per-thread state: the PII scanners.  NULL-safe free. */
struct qctx;
struct qctx *qctx_new(const struct qrules *q);
void	qctx_free(struct qctx *c);

/* Figures of one text, computed in one pass (plus one for encoded runs). */
struct qstats {
	uint64_t	bytes, chars;
	uint64_t	lines, line_sum, line_max;
	uint64_t	alnum;
	uint64_t	nul, replacement;
	uint64_t	encoded, encoded_max;	/* characters; longest run */
	uint64_t	header_end;		/* bytes of the first lines */
	uint64_t	markers;		/* markers found (last rule) */
};

struct qresult {
	bool		 failed;
	bool		 applied;	/* in scope for the language */
	double		 value;		/* the measured figure */
	uint32_t	 pii[PII_NKINDS];	/* Q_MAX_PII: by kind */
};

/*
 * Evaluate every enabled rule on text[0..n) (valid UTF-8) of a record in
 * language lang[0..langlen) (may be empty), with the thread's c (NULL is
 * fine when no PII rule is enabled).  res[i] receives rule i's outcome;
 * returns how many rules failed.  st (may be NULL) receives the figures.
 */
size_t	qrules_check(const struct qrules *q, struct qctx *c, const char *text,
	    size_t n, const char *lang, size_t langlen, struct qresult *res,
	    struct qstats *st);

/*
 * One line on rule i's outcome: "longest line 1520 > 1000".  PII rules
 * name kinds and counts only, never a value.
 */
void	qrule_explain(const struct qrule *r, const struct qresult *res,
	    struct buf *b);

/* Code points above U+007F that are alphanumeric (ualnum.c). */
extern const uint32_t qual_alnum_ranges[][2];
extern const size_t qual_alnum_nranges;

#endif
