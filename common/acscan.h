/*
 * acscan.h - find many literal keywords in one pass (Aho-Corasick), ASCII
 * case-insensitive.  The prefilter of the PII engine (pii.c).
 *
 * Keywords are added with an id, then ac_build() compiles a DFA over byte
 * classes (bytes that occur in no keyword share one class), so a scan
 * costs one table lookup per byte whatever the number of keywords.  Every
 * occurrence of every keyword is reported, overlapping ones included.
 *
 * A built struct ac is immutable and may be scanned by many threads.
 */
#ifndef CODESIFT_ACSCAN_H
#define CODESIFT_ACSCAN_H

#include <stddef.h>
#include <stdint.h>

struct ac;

struct ac *ac_new(void);
/* Add keyword kw[0..n) (n > 0) with id; before ac_build() only. */
void	ac_add(struct ac *a, const char *kw, size_t n, uint32_t id);
void	ac_build(struct ac *a);
void	ac_free(struct ac *a);
/* Number of DFA states (for tests and statistics). */
size_t	ac_states(const struct ac *a);

/*
 * Called for each occurrence: id of the keyword and end, the offset just
 * after its last byte in the text.
 */
typedef void ac_hit_fn(void *arg, uint32_t id, size_t end);

void	ac_scan(const struct ac *a, const char *text, size_t n,
	    ac_hit_fn *fn, void *arg);

#endif
