/*
 * pii.h - the PII and secret rule engine shared by pii-scrub (which
 * redacts what it finds) and schema-check (which verifies that nothing is
 * left).
 *
 * The catalogue is data: configs/pii-rules.json (found with data_path()),
 * optionally replaced or extended by a user rules file (a file with
 * "extends": "default" adds to the default catalogue, may override rules by
 * id and drop them with "disable"; any other file replaces it).  Each rule
 * has an id, a kind, a PCRE2 regex (the value to redact is the group named
 * "secret", else the whole match), the keywords that must occur near
 * any match (the prefilter), and optional gates: a minimum Shannon
 * entropy, character-class requirements, a stopword list, allowlist
 * regexes and a named validator (IP ranges, TLDs, checksums...).
 * man/pii-scrub.1 documents the file format.
 *
 * Scanning.  One pass of a literal prefilter (Aho-Corasick over every
 * rule's keywords, case-insensitive) finds where rules can match; only
 * those rules run, JIT-compiled, in bounded windows around the keyword
 * hits.  Every regex uses bounded quantifiers, so a scan takes time linear
 * in the text whatever its content.
 *
 * Findings are the values to redact: a kind, a rule and a byte range of
 * the text, sorted by start and never overlapping (where rules overlap,
 * the higher-priority rule wins, then the longer match).  Values the
 * configuration says not to redact (private IP ranges unless
 * private_ips, documentation domains, placeholders, allowlisted values)
 * are not findings.
 *
 * Threads and ownership.  A struct pii_rules is immutable once loaded and
 * may be shared by any number of threads.  Each thread scans with its own
 * struct pii_match (reusable from text to text, never shared).  Findings
 * returned by pii_scan() are borrowed from the match state and valid until
 * its next pii_scan() or pii_match_free(); rule ids and names are
 * borrowed from the rules and valid until pii_rules_free().
 *
 * Nothing here prints a matched value: error messages name rule ids,
 * files and offsets only.
 */
#ifndef CODESIFT_PII_H
#define CODESIFT_PII_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

enum pii_kind {
	PII_EMAIL = 0,		/* "email" */
	PII_IP_ADDRESS,		/* "ip_address" */
	PII_KEY,		/* "key": tokens, API keys, generic secrets */
	PII_PRIVATE_KEY,	/* "private_key": PEM / OpenSSH blocks */
	PII_PASSWORD,		/* "password" */
	PII_PHONE		/* "phone" */
};
#define PII_NKINDS	6
#define PII_ALL_KINDS	((1u << PII_NKINDS) - 1)

/* "email", "ip_address", ... (static storage). */
const char *pii_kind_name(enum pii_kind k);
/* The tag placeholder: "<EMAIL>", "<IP_ADDRESS>", ... (static storage). */
const char *pii_kind_tag(enum pii_kind k);
/* The kind named s[0..n), or -1 if there is none. */
int	pii_kind_parse(const char *s, size_t n);
/*
 * A comma-separated list of kind names ("email,key") as a mask of
 * (1u << kind) bits.  Returns false with a message in err on an unknown
 * or empty name.
 */
bool	pii_kinds_mask(const char *list, unsigned *mask, struct buf *err);

struct pii_config {
	const char	*rules_file;	/* user rules file, or NULL */
	unsigned	 kinds;		/* mask of kinds to detect */
	bool		 private_ips;	/* also report private, loopback,
					   link-local, CGNAT, documentation,
					   multicast, unspecified addresses */
};
#define PII_CONFIG_INIT { NULL, PII_ALL_KINDS, false }

struct pii_rules;

/*
 * Load and compile the catalogue: the default one (configs/pii-rules.json)
 * and/or cfg->rules_file as described above, keeping the rules of the
 * kinds in cfg->kinds.  Returns NULL on any error, with one line in err
 * naming the file and, for a bad rule, its id ("rules.json: rule 'x':
 * invalid regex at offset 3: ..."); callers exit with STATUS_USAGE.
 */
struct pii_rules *pii_rules_load(const struct pii_config *cfg,
	    struct buf *err);

/*
 * The same from a catalogue held in memory (name is used in messages); a
 * catalogue with "extends" is refused here.  For tests and fuzzing.
 */
struct pii_rules *pii_rules_parse(const char *json, size_t n,
	    const char *name, const struct pii_config *cfg, struct buf *err);

void	pii_rules_free(struct pii_rules *rs);

/* The compiled rules, in catalogue order: count, id and kind by index. */
size_t	pii_rules_count(const struct pii_rules *rs);
const char *pii_rule_id(const struct pii_rules *rs, size_t i);
enum pii_kind pii_rule_kind(const struct pii_rules *rs, size_t i);

/*
 * A hex SHA-256 of the catalogue files as read (for lineage in run
 * summaries).
 */
const char *pii_rules_digest(const struct pii_rules *rs);

struct pii_finding {
	size_t		start, end;	/* the value: text[start..end) */
	enum pii_kind	kind;
	unsigned	rule;		/* index: pii_rule_id(rs, rule) */
};

struct pii_match;

/* Per-thread scanning state for the rules rs (which must outlive it). */
struct pii_match *pii_match_new(const struct pii_rules *rs);
void	pii_match_free(struct pii_match *m);

/*
 * Scan text[0..n) (any bytes; UTF-8 expected) and return the number of
 * findings, stored sorted by start in *out (borrowed, see above).
 */
size_t	pii_scan(struct pii_match *m, const char *text, size_t n,
	    const struct pii_finding **out);

#endif
