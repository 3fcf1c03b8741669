/*
 * pii_int.h - internals shared by pii.c (catalogue, scanning) and
 * pii_check.c (the named validators).  Not for filters: use pii.h.
 */
#ifndef CODESIFT_PII_INT_H
#define CODESIFT_PII_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pii.h"

struct ac;

/* A sorted, lower-case set of words (binary search). */
struct wordset {
	char	**w;
	size_t	  n;
};

bool	wordset_has(const struct wordset *s, const char *w, size_t n);

/* Data of the catalogue that validators read. */
struct pii_data {
	struct wordset	 tlds;		/* valid top-level domains */
	struct wordset	 email_allow;	/* domains never reported */
	struct wordset	 secret_words;	/* identifiers naming a secret */
	struct wordset	 strong_words;	/* ... a secret even if hex/UUID */
	struct wordset	 password_words;
	struct wordset	 deny_before;	/* identifier words that cancel */
	struct wordset	 deny_after;
	struct wordset	 placeholders;	/* whole values that are no secret */
	struct ac	*stopwords;	/* substrings that make a value fake */
	bool		 private_ips;
};

struct span {
	size_t	s, e;		/* [s, e); s == e == SIZE_MAX: unset */
};

/* What a validator sees: the text, the match and its groups. */
struct pii_cand {
	const char	*t;	/* the whole text */
	size_t		 n;
	struct span	 m;	/* the whole match */
	struct span	 sec;	/* the value to redact (may be adjusted) */
	struct span	 name;	/* the "name" group, if any */
};

enum pii_check {
	CHECK_NONE = 0,
	CHECK_EMAIL,		/* TLD, documentation domains, scp/git/npm */
	CHECK_EMAIL_OBF,	/* obfuscated: name [at] host [dot] org */
	CHECK_IPV4,		/* ranges, netmasks, version context */
	CHECK_IPV6,
	CHECK_PHONE,		/* digit count, NANP rules, fictional 555 */
	CHECK_GITHUB,		/* CRC32 confirms; else the entropy gate */
	CHECK_ASSIGNMENT,	/* generic secret: identifier words, value */
	CHECK_PROVIDER,		/* secret next to a provider name */
	CHECK_PASSWORD,		/* password assignment: placeholders */
	CHECK_URL_PASSWORD,	/* password in a URL: placeholders, hosts */
	CHECK_PASSWORD_VALUE,	/* a password alone (curl -u): placeholders */
	CHECK_HEADER_VALUE,	/* an HTTP credential header's value */
	CHECK_PRIVATE_KEY,	/* a key block: its body is not masked */
	CHECK_NOT_PLACEHOLDER,	/* any value: no x-runs, no template */
	CHECK_NCHECKS
};

/* Name <-> enum, for the catalogue's "check" field. */
int	pii_check_parse(const char *name);

/*
 * Run check c on candidate k with the rule's entropy minimum; returns
 * false to discard.  May narrow k->sec.
 */
bool	pii_check_run(enum pii_check c, const struct pii_data *d,
	    struct pii_cand *k, double min_entropy);

/* Shannon entropy of s[0..n), bits per byte. */
double	pii_entropy(const char *s, size_t n);

/* Does s[0..n) look like a placeholder (xxxx, <...>, ${...}, "changeme")? */
bool	pii_placeholder(const struct pii_data *d, const char *s, size_t n);

/* Does s[0..n) contain a stopword (case-insensitive)? */
bool	pii_has_stopword(const struct pii_data *d, const char *s, size_t n);

/* IPv4 and IPv6 classification, for the checks and unit tests. */
bool	pii_ipv4_parse(const char *s, size_t n, uint8_t out[4]);
bool	pii_ipv4_public(const uint8_t a[4]);
bool	pii_ipv4_netmask(const uint8_t a[4]);
bool	pii_ipv6_public(const uint8_t a[16]);

/* The GitHub token checksum: CRC32 of the body in base62, 6 chars. */
bool	pii_github_crc_ok(const char *tok, size_t n);

#endif
