/*
 * jscan.h - a fast, strict JSON scanner for NDJSON records.
 *
 * jscan_object() validates one whole line as RFC 8259 JSON (strings must be
 * valid UTF-8, nesting is bounded) and records where each member of the
 * top-level object lies, without building a tree or copying anything.
 * Filters then unescape only the fields they need.  This is the fast path
 * of common/: json-c is used only when a filter needs a tree.
 *
 * Offsets are into the caller's buffer, which must outlive the scan.
 */
#ifndef CODESIFT_JSCAN_H
#define CODESIFT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

enum jtype {
	JT_NULL, JT_FALSE, JT_TRUE, JT_NUMBER, JT_STRING, JT_ARRAY, JT_OBJECT
};

/*
 * How a string is escaped.  Canonical escaping is what jscan_escape()
 * writes (and Python's json.dumps, jq and most writers): \" \\ \b \f
 * \n \r \t, and \u00xx (lowercase) for the other control characters
 * only; everything else raw UTF-8.  It is one-to-one: two canonical
 * strings are equal exactly when their texts are.
 */
enum jesc {
	JESC_NONE = 0,		/* no escapes at all */
	JESC_CANON = 1,		/* escapes, all canonical */
	JESC_OTHER = 2		/* some escape is not canonical (\/, \u00e9) */
};

struct jmember {
	size_t	key_off, key_len;	/* the key's text, without quotes */
	size_t	val_off, val_len;	/* the value's text (strings: quoted) */
	uint8_t	type;			/* enum jtype */
	uint8_t	key_esc;		/* the key contains escapes */
	uint8_t	val_esc;		/* strings: enum jesc */
};

/* The members of one scanned object; reused from record to record. */
struct jscan {
	struct jmember	*m;
	size_t		 n, cap;
};
#define JSCAN_INIT { NULL, 0, 0 }

enum jscan_status {
	JSCAN_OK = 0,
	JSCAN_BAD_JSON,		/* not JSON */
	JSCAN_NOT_OBJECT,	/* valid JSON, but not an object */
	JSCAN_BAD_UTF8,		/* a string is not valid UTF-8 */
	JSCAN_TOO_DEEP		/* nesting deeper than JSCAN_MAX_DEPTH */
};

#define JSCAN_MAX_DEPTH	512

struct jscan_error {
	size_t		 pos;	/* byte offset (0-based) of the problem */
	const char	*what;	/* static description, lower case */
};

/*
 * Validate p[0..n) as one JSON object (surrounding whitespace allowed) and
 * fill s with its members in order.  Returns JSCAN_OK or the status, with
 * err (if not NULL) saying where and what.
 */
enum jscan_status jscan_object(struct jscan *s, const char *p, size_t n,
    struct jscan_error *err);

/* Validate p[0..n) as any one JSON value (surrounding whitespace allowed). */
enum jscan_status jscan_value(const char *p, size_t n, enum jtype *type,
    struct jscan_error *err);

void	jscan_release(struct jscan *s);

/*
 * Unescape the body of a validated JSON string (p[0..n), without quotes)
 * into dst, which must have room for n bytes (the result is never longer).
 * Lone surrogate escapes become U+FFFD.  Returns the length written.
 */
size_t	jscan_unescape(const char *p, size_t n, char *dst);

/*
 * Append s[0..n) to b as a quoted JSON string.  Invalid UTF-8 bytes are
 * written as U+FFFD so that the output is always valid JSON; returns the
 * number of bytes so replaced.
 */
size_t	jscan_escape(struct buf *b, const char *s, size_t n);

/*
 * Length of the longest prefix of s[0..n) that does not end inside a UTF-8
 * sequence that could still be completed by later bytes; used to escape a
 * stream chunk by chunk.
 */
size_t	jscan_utf8_complete(const char *s, size_t n);

/* Is s[0..n) valid UTF-8?  If not, *bad (if not NULL) is the first bad byte. */
bool	utf8_valid(const char *s, size_t n, size_t *bad);

/*
 * Length of the valid UTF-8 sequence at s[0..n), 0 if invalid or truncated.
 * s[0] must be >= 0x80.
 */
size_t	utf8_seqlen(const unsigned char *s, size_t n);

/* Encode code point cp (<= 0x10FFFF) at d; returns the length (1..4). */
size_t	utf8_encode(char *d, uint32_t cp);

#endif
