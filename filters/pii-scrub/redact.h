/*
 * redact.h - turn the findings of the PII engine into the output text:
 * typed tags (<EMAIL>) or format-preserving fakes, the output spans, and
 * the merged "pii" counts.  Pure functions of their inputs (and the seed),
 * so pii-scrub's output does not depend on thread scheduling.
 */
#ifndef CODESIFT_REDACT_H
#define CODESIFT_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "pii.h"

enum redact_mode { REDACT_TAG, REDACT_FAKE };

/* Where a finding ended up in the output text. */
struct redact_span {
	size_t		start, end;
	enum pii_kind	kind;
};

/*
 * Write text[0..n) to out with the findings f[0..nf) (sorted, disjoint)
 * replaced; spans (nf entries, may be NULL) receive their output offsets.
 */
void	redact_text(enum redact_mode mode, uint64_t seed, const char *text,
	    size_t n, const struct pii_finding *f, size_t nf, struct buf *out,
	    struct redact_span *spans);

/*
 * The fake for one value of kind k: same length and alphabet for keys and
 * passwords, user@example.com style e-mails, RFC 5737 / RFC 3849 IPs,
 * 555-01xx phones.  Deterministic in (seed, kind, value).
 */
void	redact_fake(uint64_t seed, enum pii_kind k, const char *v, size_t n,
	    struct buf *out);

/*
 * Map offset off of the input text to the output text, given the findings
 * and their output spans (for shifting spans of an earlier run).
 */
size_t	redact_map(size_t off, const struct pii_finding *f,
	    const struct redact_span *spans, size_t nf);

#endif
