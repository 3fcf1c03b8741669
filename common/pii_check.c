/*
 * pii_check.c - the named validators of the PII catalogue ("check" in a
 * rule): what a regex cannot say well.  IP ranges and version context,
 * TLDs and documentation domains, phone number plans, GitHub checksums,
 * and the judgment of a generic "name = value" secret (the words of the
 * identifier, the shape and entropy of the value, placeholders).
 *
 * Each check sees the whole text and the match, so it can look at the
 * context around a value; none of them allocates or keeps state, so they
 * are safe on any number of threads.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "hex.h"
#include "acscan.h"
#include "pii_int.h"

static const char *const check_names[CHECK_NCHECKS] = {
	"none", "email", "email-obfuscated", "ipv4", "ipv6", "phone",
	"github-checksum", "assignment", "provider", "password",
	"url-password", "password-value", "header-value", "private-key",
	"not-placeholder"
};

int
pii_check_parse(const char *name)
{
	int i;

	for (i = 0; i < CHECK_NCHECKS; i++)
		if (strcmp(name, check_names[i]) == 0)
			return i;
	return -1;
}

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static bool
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* case-insensitive: does s[0..n) contain the lower-case word w? */
static bool
contains_ci(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w), i, j;

	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m && lc((unsigned char)s[i + j]) == w[j]; j++)
			;
		if (j == m)
			return true;
	}
	return false;
}

double
pii_entropy(const char *s, size_t n)
{
	unsigned cnt[256];
	double h = 0, p;
	size_t i;

	if (n == 0)
		return 0;
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++)
		if (cnt[i]) {
			p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/*
 * The entropy a random string of this length and alphabet would about
 * reach, times a factor: digits-only values are judged against log2(10),
 * hex against 4 bits, and so on; capped by the rule's minimum.
 */
static bool
entropy_ok(const char *s, size_t n, double cap, double factor)
{
	bool dig = false, low = false, up = false, sym = false;
	double alph, lim;
	size_t i;

	if (cap <= 0)
		return true;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_digit(c))
			dig = true;
		else if (is_lower(c))
			low = true;
		else if (is_upper(c))
			up = true;
		else
			sym = true;
	}
	alph = (dig ? 10 : 0) + (low ? 26 : 0) + (up ? 26 : 0) + (sym ? 8 : 0);
	if (dig && !low && !up && !sym)
		alph = 10;
	else if (!sym && ((low && !up) || (up && !low))) {
		/* hex looks like 16 symbols, not 36 */
		for (i = 0; i < n && hex_is_digit((unsigned char)s[i]); i++)
			;
		if (i == n)
			alph = 16;
	}
	lim = log2(alph < (double)n ? alph : (double)n) * factor;
	if (lim > cap)
		lim = cap;
	return pii_entropy(s, n) >= lim;
}

struct sw_arg {
	bool	hit;
};

static void
sw_hit(void *arg, uint32_t id, size_t end)
{
	(void)id;
	(void)end;
	((struct sw_arg *)arg)->hit = true;
}

bool
pii_has_stopword(const struct pii_data *d, const char *s, size_t n)
{
	struct sw_arg a = { false };

	if (d->stopwords == NULL)
		return false;
	ac_scan(d->stopwords, s, n, sw_hit, &a);
	return a.hit;
}

bool
pii_placeholder(const struct pii_data *d, const char *s, size_t n)
{
	size_t i, run = 1, distinct = 0;
	bool seen[256];

	if (n == 0)
		return true;
	/* templates and variable references */
	if (s[0] == '<' || s[n - 1] == '>' || s[0] == '{' ||
	    (s[0] == '$' && n > 1 && (s[1] == '{' || s[1] == '(' ||
	    is_upper((unsigned char)s[1]) || s[1] == '_')) ||
	    (s[0] == '%' && n > 1 && (s[1] == '(' || s[1] == 's')) ||
	    (n > 1 && s[0] == '#' && s[1] == '{'))
		return true;
	if (wordset_has(&d->placeholders, s, n))
		return true;
	/* encrypted, not a secret in clear: SOPS ENC[...], vault:v1:... */
	if ((n > 4 && memcmp(s, "ENC[", 4) == 0) ||
	    (n > 6 && memcmp(s, "vault:", 6) == 0))
		return true;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!seen[c]) {
			seen[c] = true;
			distinct++;
		}
		if (i > 0 && lc(c) == lc((unsigned char)s[i - 1]))
			run++;
		else
			run = 1;
		/* xxxx, ****, ####, ...., 0000: masked or filler */
		if (run >= 4 && (lc(c) == 'x' || c == '*' || c == '#' ||
		    c == '.' || c == '_' || c == '-' || c == '0'))
			return true;
		if (run >= 8 && run * 3 >= n)
			return true;
	}
	return distinct <= 2 || (n >= 12 && distinct <= 4);
}

/* a placeholder, or a value with a stopword in it ("your_api_key_here") */
static bool
fake_value(const struct pii_data *d, const char *s, size_t n)
{
	return pii_placeholder(d, s, n) || pii_has_stopword(d, s, n);
}

/* user:user, test:test - the "name" group holds the user */
static bool
same_as_user(const struct pii_cand *k)
{
	size_t n = k->sec.e - k->sec.s;

	return k->name.s != SIZE_MAX && k->name.e - k->name.s == n &&
	    memcmp(k->t + k->name.s, k->t + k->sec.s, n) == 0;
}

/* ---- e-mail ---- */

/* Is the domain d[0..n) (or a parent of it) in the set? */
static bool
domain_in(const struct wordset *set, const char *d, size_t n)
{
	size_t i;

	if (wordset_has(set, d, n))
		return true;
	for (i = 0; i < n; i++)
		if (d[i] == '.' && wordset_has(set, d + i + 1, n - i - 1))
			return true;
	return false;
}

static bool
domain_ok(const struct pii_data *d, const char *dom, size_t n)
{
	size_t i, last = 0, lablen = 0;

	if (n == 0 || dom[0] == '.' || dom[n - 1] == '.' || dom[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (dom[i] == '.') {
			if (lablen == 0 || dom[i - 1] == '-')
				return false;
			lablen = 0;
			last = i + 1;
		} else
			lablen++;
	}
	if (last == 0)
		return false;		/* no dot: localhost, a host name */
	if (!wordset_has(&d->tlds, dom + last, n - last))
		return false;
	return !domain_in(&d->email_allow, dom, n);
}

static bool
check_email(const struct pii_data *d, struct pii_cand *k)
{
	const char *t = k->t, *at;
	size_t s = k->sec.s, e = k->sec.e, i, lo;

	at = memchr(t + s, '@', e - s);
	if (at == NULL)
		return false;
	/* a trailing dot ends a sentence, not the domain */
	while (e > s && t[e - 1] == '.')
		e--;
	k->sec.e = e;
	if (t[s] == '.' || at[-1] == '.')
		return false;
	for (i = s; i + 1 < (size_t)(at - t); i++)
		if (t[i] == '.' && t[i + 1] == '.')
			return false;
	if (!domain_ok(d, at + 1, (size_t)(t + e - at - 1)))
		return false;
	/* scp-style remote (git@github.com:owner/repo) */
	if (e + 1 < k->n && t[e] == ':' && (is_alnum((unsigned char)t[e + 1])
	    || t[e + 1] == '/' || t[e + 1] == '~' || t[e + 1] == '_'))
		return false;
	/* userinfo of a URL (scheme://user@host, scheme://u:p@host) */
	lo = s > 256 ? s - 256 : 0;
	for (i = s; i > lo; i--) {
		char c = t[i - 1];

		if (c == ' ' || c == '\t' || c == '\n' || c == '"' ||
		    c == '\'' || c == '<' || c == '(' || c == '`')
			break;
		if (c == '/' && i >= 3 && t[i - 2] == '/' && t[i - 3] == ':')
			return false;
	}
	/* the local part is a placeholder ("you@", "user@", "john.fake@") */
	if (wordset_has(&d->placeholders, t + s, (size_t)(at - t) - s) ||
	    pii_has_stopword(d, t + s, (size_t)(at - t) - s))
		return false;
	return true;
}

/* name [at] host [dot] org: rebuild the address, then judge the domain */
static bool
check_email_obf(const struct pii_data *d, struct pii_cand *k)
{
	char dom[256];
	const char *t = k->t;
	size_t i, n = 0, s, e;
	bool at = false;

	/* find the end of the [at] token, then copy the domain part */
	s = k->sec.s;
	e = k->sec.e;
	for (i = s; i < e; i++) {
		if (!at) {
			if ((t[i] == '[' || t[i] == '(' || t[i] == '{' ||
			    t[i] == '<') && i + 3 < e && lc(t[i + 1]) == 'a' &&
			    lc(t[i + 2]) == 't')
				at = true, i += 3;
			else if (t[i] == '@')
				at = true;
			continue;
		}
		if (t[i] == ' ' || t[i] == '\t')
			continue;
		if ((t[i] == '[' || t[i] == '(' || t[i] == '{' ||
		    t[i] == '<') && i + 4 < e && lc(t[i + 1]) == 'd' &&
		    lc(t[i + 2]) == 'o' && lc(t[i + 3]) == 't') {
			if (n + 1 >= sizeof(dom))
				return false;
			dom[n++] = '.';
			i += 4;
			continue;
		}
		if (i + 5 <= e && lc(t[i]) == 'd' && lc(t[i + 1]) == 'o' &&
		    lc(t[i + 2]) == 't' && i > s && t[i - 1] == ' ' &&
		    t[i + 3] == ' ') {
			if (n + 1 >= sizeof(dom))
				return false;
			dom[n++] = '.';
			i += 3;
			continue;
		}
		if (n + 1 >= sizeof(dom))
			return false;
		dom[n++] = (char)lc((unsigned char)t[i]);
	}
	if (!at)
		return false;
	while (n > 0 && dom[n - 1] == '.')
		n--;
	return domain_ok(d, dom, n);
}

/* ---- IP addresses ---- */

bool
pii_ipv4_parse(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0, k, start;
	unsigned v;

	for (k = 0; k < 4; k++) {
		start = i;
		v = 0;
		while (i < n && is_digit((unsigned char)s[i]) && i - start < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || i - start > 3 || v > 255)
			return false;
		if (s[start] == '0' && i - start > 1)
			return false;	/* leading zero: not an address */
		out[k] = (uint8_t)v;
		if (k < 3) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

bool
pii_ipv4_netmask(const uint8_t a[4])
{
	uint32_t v = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
	    ((uint32_t)a[2] << 8) | a[3];

	/* contiguous ones then zeros (255.255.255.0), or the inverse */
	if (v == 0)
		return false;
	if ((~v & (~v + 1)) == 0 || (((~v) + 1) & ~v) == 0)
		return true;
	return (v & (v + 1)) == 0;	/* wildcard mask 0.0.0.255 */
}

bool
pii_ipv4_public(const uint8_t a[4])
{
	if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224)
		return false;		/* this net, private, loopback, mcast */
	if (a[0] == 100 && (a[1] & 0xC0) == 64)
		return false;		/* CGNAT 100.64/10 */
	if (a[0] == 169 && a[1] == 254)
		return false;		/* link-local */
	if (a[0] == 172 && (a[1] & 0xF0) == 16)
		return false;		/* 172.16/12 */
	if (a[0] == 192 && a[1] == 168)
		return false;
	if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2))
		return false;		/* IETF protocol, TEST-NET-1 */
	if (a[0] == 198 && (a[1] == 18 || a[1] == 19))
		return false;		/* benchmarking */
	if (a[0] == 198 && a[1] == 51 && a[2] == 100)
		return false;		/* TEST-NET-2 */
	if (a[0] == 203 && a[1] == 0 && a[2] == 113)
		return false;		/* TEST-NET-3 */
	return true;
}

bool
pii_ipv6_public(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (memcmp(a, mapped, 12) == 0)
		return pii_ipv4_public(a + 12);
	if ((a[0] & 0xE0) != 0x20)
		return false;		/* only 2000::/3 is global unicast */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return false;		/* 2001:db8::/32 documentation */
	if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xF0) == 0)
		return false;		/* 3fff::/20 documentation */
	return true;
}

/* Does s[0..n) (lower case) hold the word w, not inside a longer word? */
static bool
has_word(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w), i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(s + i, w, m) == 0 && (i == 0 ||
		    !is_alpha((unsigned char)s[i - 1])) && (i + m == n ||
		    !is_alpha((unsigned char)s[i + m])))
			return true;
	return false;
}

/* Is there a version marker just before s on the same line? */
static bool
version_context(const char *t, size_t s)
{
	size_t lo = s > 48 ? s - 48 : 0, i;
	char buf[49];
	size_t n = 0;

	if (s > 0 && (t[s - 1] == 'v' || t[s - 1] == 'V'))
		return true;
	for (i = s; i > lo && t[i - 1] != '\n'; i--)
		;
	for (; i < s; i++)
		buf[n++] = (char)lc((unsigned char)t[i]);
	return contains_ci(buf, n, "version") || has_word(buf, n, "ver") ||
	    contains_ci(buf, n, "release") || has_word(buf, n, "build") ||
	    contains_ci(buf, n, "firmware") ||
	    contains_ci(buf, n, "revision") ||
	    has_word(buf, n, "oid") || contains_ci(buf, n, "section") ||
	    has_word(buf, n, "rfc") || contains_ci(buf, n, "\xc2\xa7");
}

/*
 * A three-part number (1.7.8, 9.2.4) standing alone in t[lo..hi): the
 * neighbours are versions or outline numbers, and so is ours.
 */
static bool
three_part_nearby(const char *t, size_t lo, size_t hi)
{
	size_t i, j, parts;

	for (i = lo; i < hi; i++) {
		if (!is_digit((unsigned char)t[i]) || (i > lo &&
		    (is_alnum((unsigned char)t[i - 1]) || t[i - 1] == '.')))
			continue;
		for (j = i, parts = 0; j < hi; ) {
			size_t st = j;

			while (j < hi && is_digit((unsigned char)t[j]))
				j++;
			if (j == st)
				break;
			parts++;
			if (j + 1 < hi && t[j] == '.' &&
			    is_digit((unsigned char)t[j + 1]))
				j++;
			else
				break;
		}
		if (parts == 3 && !(j < hi && is_alnum((unsigned char)t[j])))
			return true;
		i = j;
	}
	return false;
}

/* Words after the number that say it is a section of a document. */
static bool
section_after(const char *t, size_t n, size_t e)
{
	size_t hi = e + 40 < n ? e + 40 : n, i;
	const char *nl = memchr(t + e, '\n', hi - e);

	if (nl != NULL)
		hi = (size_t)(nl - t);
	i = hi - e;
	return contains_ci(t + e, i, "spec") || contains_ci(t + e, i,
	    "standard") || contains_ci(t + e, i, "c++") || contains_ci(t + e, i,
	    "section") || contains_ci(t + e, i, "chapter");
}

static bool
check_ipv4(const struct pii_data *d, struct pii_cand *k)
{
	uint8_t a[4];
	const char *t = k->t;
	size_t s = k->sec.s, e = k->sec.e;

	if (!pii_ipv4_parse(t + s, e - s, a))
		return false;
	/* 1.2.3.4-beta, 1.2.3.4.5: a version or an OID */
	if (e < k->n && (t[e] == '-' || t[e] == '_') && e + 1 < k->n &&
	    is_alpha((unsigned char)t[e + 1]))
		return false;
	/* -1.2.3.4-.5 in SVG path data or arithmetic: numbers, not a host */
	if (e + 1 < k->n && t[e] == '-' && (is_digit((unsigned char)t[e + 1])
	    || t[e + 1] == '.'))
		return false;
	/* perl-5.24.3.1, lib_1.2.3.4, Chrome/126.0.0.0: a version in a name */
	if (s >= 2 && (((t[s - 1] == '-' || t[s - 1] == '_') &&
	    (is_alnum((unsigned char)t[s - 2]) || t[s - 2] == '.')) ||
	    (t[s - 1] == '/' && is_alpha((unsigned char)t[s - 2]))))
		return false;
	/* zlib >= 1.2.0.4: a version comparison */
	if (s >= 2 && t[s - 1] == ' ' && (t[s - 2] == '<' || t[s - 2] == '>' ||
	    (s >= 3 && t[s - 2] == '=' && (t[s - 3] == '<' || t[s - 3] == '>'
	    || t[s - 3] == '='))))
		return false;
	if (version_context(t, s) || section_after(t, k->n, e) ||
	    three_part_nearby(t, s > 96 ? s - 96 : 0, s))
		return false;
	/* 2.5.4.x is X.500's attribute-type arc: an OID table, not a host */
	if (a[0] == 2 && a[1] == 5)
		return false;
	if (d->private_ips)
		return true;
	return pii_ipv4_public(a) && !pii_ipv4_netmask(a);
}

static bool
check_ipv6(const struct pii_data *d, struct pii_cand *k)
{
	char buf[64];
	uint8_t a[16];
	const char *t = k->t;
	size_t s = k->sec.s, e = k->sec.e, i, colons = 0, digits = 0;

	if (e - s >= sizeof(buf) || e - s < 3)
		return false;
	for (i = s; i < e; i++) {
		if (t[i] == ':')
			colons++;
		else if (is_digit((unsigned char)t[i]))
			digits++;
	}
	/* a::b in C++ or a Rust path is no address: want digits, groups */
	if (colons < 2 || digits == 0)
		return false;
	memcpy(buf, t + s, e - s);
	buf[e - s] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1)
		return false;
	if (colons < 3 && (e - s) < 6)
		return false;
	if (d->private_ips)
		return true;
	return pii_ipv6_public(a);
}

/* ---- phone numbers ---- */

/* +2012-05-25, 270000-01-01: a date, its last two groups of two digits */
static bool
date_shaped(const char *s, size_t n)
{
	size_t i = n, g[3], k = 0, len;

	while (k < 3 && i > 0) {
		len = 0;
		while (i > 0 && is_digit((unsigned char)s[i - 1]))
			i--, len++;
		if (len == 0)
			return false;
		g[k++] = len;
		if (k < 3) {
			if (i == 0 || (s[i - 1] != '-' && s[i - 1] != '/'))
				return false;
			i--;
		}
	}
	return k == 3 && g[0] == 2 && g[1] == 2 && g[2] >= 4;
}

static bool
check_phone(const struct pii_data *d, struct pii_cand *k)
{
	const char *t = k->t;
	size_t s = k->sec.s, e = k->sec.e, i, nd = 0;
	char dg[24];
	bool plus = t[s] == '+', same = true, asc = true, desc = true;

	(void)d;
	for (i = s; i < e; i++)
		if (is_digit((unsigned char)t[i])) {
			if (nd >= sizeof(dg))
				return false;
			dg[nd++] = t[i];
		}
	if (nd < 8 || nd > 15 || date_shaped(t + s, e - s))
		return false;
	for (i = 1; i < nd; i++) {
		same &= dg[i] == dg[0];
		asc &= dg[i] == (char)(((dg[i - 1] - '0' + 1) % 10) + '0');
		desc &= dg[i] == (char)(((dg[i - 1] - '0' + 9) % 10) + '0');
	}
	if (same || asc || desc)
		return false;
	/* ...555 01xx: fictional numbers (and our fakes), in any plan */
	if (memcmp(dg + nd - 7, "55501", 5) == 0)
		return false;
	if (!plus || (nd == 11 && dg[0] == '1')) {
		/* NANP: NXX-NXX-XXXX */
		const char *p = plus || nd == 11 ? dg + 1 : dg;

		if (nd != 10 && nd != 11)
			return false;
		if (nd == 11 && dg[0] != '1')
			return false;
		if (p[0] < '2' || p[3] < '2')
			return false;
		/* 555-0100..0199 are fictional (and our fakes) */
		if (p[3] == '5' && p[4] == '5' && p[5] == '5' &&
		    p[6] == '0' && p[7] == '1')
			return false;
		/* N11 codes are services, not subscriber numbers */
		if (p[1] == '1' && p[2] == '1')
			return false;
	}
	/* a date-time or a version nearby says it is no phone */
	if (version_context(t, s))
		return false;
	return true;
}

/* ---- GitHub tokens ---- */

bool
pii_github_crc_ok(const char *tok, size_t n)
{
	static const char b62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *u = memchr(tok, '_', n);
	size_t body, i;
	uint32_t crc;
	char want[6];

	/* ghp_ + 30 random + 6 checksum */
	if (u == NULL || n - (size_t)(u - tok) - 1 != 36)
		return false;
	body = (size_t)(u - tok) + 1;
	crc = (uint32_t)crc32(0L, (const Bytef *)tok + body, 30);
	for (i = 6; i > 0; i--) {
		want[i - 1] = b62[crc % 62];
		crc /= 62;
	}
	return memcmp(want, tok + body + 30, 6) == 0;
}

/* ---- generic "name = value" secrets ---- */

#define MAX_WORDS 24

struct words {
	struct span	w[MAX_WORDS];
	size_t		n;
};

/* Split an identifier into words: separators, camelCase, digits. */
static void
split_words(const char *s, size_t n, struct words *out)
{
	size_t i = 0, st;

	out->n = 0;
	while (i < n && out->n < MAX_WORDS) {
		while (i < n && !is_alnum((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		st = i;
		if (is_digit((unsigned char)s[i])) {
			while (i < n && is_digit((unsigned char)s[i]))
				i++;
		} else if (is_upper((unsigned char)s[i])) {
			i++;
			if (i < n && is_upper((unsigned char)s[i])) {
				/* APIKey: API, then Key */
				while (i < n && is_upper((unsigned char)s[i]))
					i++;
				if (i < n && is_lower((unsigned char)s[i]))
					i--;
			} else
				while (i < n && is_lower((unsigned char)s[i]))
					i++;
		} else
			while (i < n && is_lower((unsigned char)s[i]))
				i++;
		out->w[out->n].s = st;
		out->w[out->n].e = i;
		out->n++;
	}
}

/*
 * The identifier around the name group: back to its start, and the words.
 * Returns the index of the last word in set (or -1); *deny says whether a
 * word before it is in deny_before or one after it in deny_after.
 */
static int
ident_words(const struct pii_data *d, const struct pii_cand *k,
    const struct wordset *set, struct words *w, size_t *is, size_t *ie,
    bool *deny)
{
	const char *t = k->t;
	size_t s = k->name.s, e = k->name.e, i;
	int last = -1;

	*deny = false;
	if (s == SIZE_MAX)
		return -1;
	while (s > 0 && k->name.s - s < 80 && (is_alnum((unsigned char)t[s - 1])
	    || t[s - 1] == '_' || t[s - 1] == '-' || t[s - 1] == '.'))
		s--;
	*is = s;
	*ie = e;
	split_words(t + s, e - s, w);
	for (i = 0; i < w->n; i++) {
		w->w[i].s += s;
		w->w[i].e += s;
		if (wordset_has(set, t + w->w[i].s, w->w[i].e - w->w[i].s))
			last = (int)i;
	}
	if (last < 0)
		return -1;
	for (i = 0; i < w->n; i++) {
		const struct wordset *ds = (int)i < last ? &d->deny_before :
		    (int)i > last ? &d->deny_after : NULL;

		if (ds != NULL && wordset_has(ds, t + w->w[i].s,
		    w->w[i].e - w->w[i].s))
			*deny = true;
		/* a denied word anywhere before counts too: publicKeyId */
		if ((int)i != last && wordset_has(&d->deny_after,
		    t + w->w[i].s, w->w[i].e - w->w[i].s) && (int)i > last)
			*deny = true;
	}
	return last;
}

/*
 * Words in camelCase, PascalCase or snake_case, maybe with a version or a
 * number at the end (ultraPictureBox1, SalesResults-1.2): an identifier,
 * not a key.  Digits inside the letters (eyusl6vaatyiug) are not words.
 */
static bool
wordlike(const char *s, size_t n)
{
	size_t i = 0, seg = 0, longest = 0, caps = 0, other = 0;

	/* an UPPER_CASE_CONSTANT with a number (UINT32_MAX, KEY_F12) */
	for (i = 0; i < n; i++) {
		if (is_upper((unsigned char)s[i]))
			caps++;
		else if (!is_digit((unsigned char)s[i]) && s[i] != '_')
			other++;
	}
	if (other == 0 && memchr(s, '_', n) != NULL && caps * 2 >= n)
		return true;
	i = 0;
	while (i < n) {
		size_t st = i;

		if (is_upper((unsigned char)s[i]))
			i++;
		while (i < n && is_lower((unsigned char)s[i]))
			i++;
		/* two-letter words inside: defaultToConfig2, getIdOf */
		if (i - st >= 3 || (i - st == 2 && seg > 0 &&
		    is_upper((unsigned char)s[st]))) {
			seg++;
			if (i - st > longest)
				longest = i - st;
			if (i < n && (s[i] == '_' || s[i] == '-' || s[i] == '.'
			    || s[i] == ' ') && i + 1 < n &&
			    is_alpha((unsigned char)s[i + 1]))
				i++;
			continue;
		}
		if (i != st)
			return false;	/* a one- or two-letter piece */
		break;
	}
	if (seg < 2 || longest < 4)
		return false;
	/* what is left may only be a number or a version: -1.2, 1, _v2 */
	if (i < n && (s[i] == '_' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	for (; i < n; i++)
		if (!is_digit((unsigned char)s[i]) && s[i] != '.')
			return false;
	return true;
}

/*
 * A long piece (between : _ . -) made of words: "...:AgencyIdentification
 * CodeContentType", "xoxp-1-SlackAppConfigurationAccessTokenHere".
 */
static bool
wordy_piece(const char *s, size_t n)
{
	size_t i = 0, st;

	while (i < n) {
		st = i;
		while (i < n && is_alnum((unsigned char)s[i]))
			i++;
		if (i - st >= 16 && wordlike(s + st, i - st))
			return true;
		i++;
	}
	return false;
}

/* A run of 6 consecutive characters: an alphabet or a test vector. */
static bool
sequential(const char *s, size_t n)
{
	size_t i, up = 1, down = 1;

	for (i = 1; i < n; i++) {
		unsigned char a = (unsigned char)s[i - 1];
		unsigned char b = (unsigned char)s[i];

		up = b == a + 1 && is_alnum(b) ? up + 1 : 1;
		down = b + 1 == a && is_alnum(b) ? down + 1 : 1;
		if (up >= 6 || down >= 6)
			return true;
	}
	return false;
}

static bool
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!hex_is_digit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * a.b.c made of identifiers (os.environ, XSalsa20.key_length, a.host.com):
 * each part starts with a letter and is short or has few digits.
 */
static bool
dotted_ident(const char *s, size_t n)
{
	size_t i, dots = 0, len = 0, dig = 0;
	bool start = true;

	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (start)
				return false;
			if (len > 8 && dig > 3)
				return false;	/* s.ZC9Ecf4M5g9o34Q: a token */
			if (i < n)
				dots++;
			start = true;
			len = dig = 0;
			continue;
		}
		if (start && !is_alpha(c) && c != '_' && c != '$')
			return false;
		if (!is_alnum(c) && c != '_' && c != '-')
			return false;
		dig += is_digit(c);
		len++;
		start = false;
	}
	return dots > 0;
}

/*
 * Does the value name itself: contain the identifier's secret word
 * ("NEXUS-GPT4-API-KEY" for a key) or spell the identifier?
 */
static bool
echoes_name(const char *t, const struct words *w, int last, const char *v,
    size_t n)
{
	size_t i, j, m, a, is, ie;
	char word[64];

	if (last >= 0) {
		m = w->w[last].e - w->w[last].s;
		if (m >= 3 && m < sizeof(word)) {
			for (i = 0; i < m; i++)
				word[i] = (char)lc((unsigned char)t[w->w[last].s
				    + i]);
			word[m] = '\0';
			if (contains_ci(v, n, word))
				return true;
		}
	}
	if (w->n == 0)
		return false;
	/* the value is the identifier, separators aside */
	is = w->w[0].s;
	ie = w->w[w->n - 1].e;
	for (i = is, a = 0; i < ie && a <= n; i++) {
		if (!is_alnum((unsigned char)t[i]))
			continue;
		while (a < n && !is_alnum((unsigned char)v[a]))
			a++;
		if (a == n ||
		    lc((unsigned char)v[a]) != lc((unsigned char)t[i]))
			return false;
		a++;
	}
	for (j = a; j < n; j++)
		if (is_alnum((unsigned char)v[j]))
			return false;
	return true;
}

/* 1.2.3 somewhere: a version, not a key */
static bool
has_version(const char *s, size_t n)
{
	size_t i, parts, d;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]) ||
		    (i > 0 && is_alnum((unsigned char)s[i - 1]) &&
		    !is_alpha((unsigned char)s[i - 1])))
			continue;
		parts = 0;
		while (i < n) {
			for (d = 0; i < n && is_digit((unsigned char)s[i]); i++)
				d++;
			if (d == 0 || d > 4)
				break;
			parts++;
			if (i + 1 < n && s[i] == '.' &&
			    is_digit((unsigned char)s[i + 1]))
				i++;
			else
				break;
		}
		if (parts >= 3)
			return true;
	}
	return false;
}

static bool
value_is_code(const char *t, size_t n, const struct span *v)
{
	const char *s = t + v->s;
	size_t len = v->e - v->s;

	if (contains_ci(s, len, "://") || s[0] == '/' || s[0] == '~' ||
	    (len > 1 && s[0] == '.' && s[1] == '/'))
		return true;
	if (dotted_ident(s, len) || has_version(s, len))
		return true;
	/* followed by a call or an index: an expression */
	if (v->e < n && (t[v->e] == '(' || t[v->e] == '['))
		return true;
	return false;
}

static bool
quoted_at(const char *t, size_t s)
{
	return s > 0 && (t[s - 1] == '"' || t[s - 1] == '\'' ||
	    t[s - 1] == '`');
}

/* [A-Za-z_$][A-Za-z0-9_$]*: could be a variable */
static bool
ident_shaped(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || is_digit((unsigned char)v[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)v[i]) && v[i] != '_' &&
		    v[i] != '$')
			return false;
	return true;
}

/* Is the value the text of an XML element (<name>value</name>)? */
static bool
element_text(const char *t, size_t s)
{
	while (s > 0 && (t[s - 1] == ' ' || t[s - 1] == '\t' ||
	    t[s - 1] == '\n' || t[s - 1] == '\r'))
		s--;
	return s > 0 && t[s - 1] == '>';
}

/* Is ls at the start of a line, after blanks and "export " or "set "? */
static bool
line_start_at(const char *t, size_t ls)
{
	while (ls > 0 && (t[ls - 1] == ' ' || t[ls - 1] == '\t'))
		ls--;
	if (ls >= 6 && memcmp(t + ls - 6, "export", 6) == 0)
		ls -= 6;
	else if (ls >= 3 && memcmp(t + ls - 3, "set", 3) == 0)
		ls -= 3;
	while (ls > 0 && (t[ls - 1] == ' ' || t[ls - 1] == '\t'))
		ls--;
	return ls == 0 || t[ls - 1] == '\n';
}

/*
 * Does the identifier at is start its line (after blanks, "export ",
 * "set ", a quote)?  KEY=value in an .env or INI file, key: value in YAML.
 */
static bool
starts_line(const char *t, size_t is)
{
	size_t ls = is;

	/* "KEY=value..." inside a string, as in an embedded .env */
	if (ls > 0 && (t[ls - 1] == '"' || t[ls - 1] == '\''))
		return true;
	return line_start_at(t, ls);
}

/*
 * The identifier's secret word is a bare "key" or "keys", with no other
 * word that says secret (api, secret, private, access, signing...).
 */
static bool
is_weak_key(const char *t, const struct words *w, int last)
{
	static const char *const strong[] = { "api", "secret", "private",
	    "access", "signing", "encryption", "master", "client", "auth",
	    "license", "account", "app", "consumer", "webhook", "aws", "sk",
	    "subscription", "service", NULL };
	size_t m = w->w[last].e - w->w[last].s, i, j;

	if (!((m == 3 && contains_ci(t + w->w[last].s, m, "key")) ||
	    (m == 4 && contains_ci(t + w->w[last].s, m, "keys"))))
		return false;
	for (i = 0; i < w->n; i++)
		for (j = 0; strong[j] != NULL; j++)
			if (w->w[i].e - w->w[i].s == strlen(strong[j]) &&
			    contains_ci(t + w->w[i].s, strlen(strong[j]),
			    strong[j]))
				return false;
	return true;
}

static bool
check_assignment(const struct pii_data *d, struct pii_cand *k, double cap)
{
	struct words w;
	const char *v = k->t + k->sec.s;
	size_t n = k->sec.e - k->sec.s, is, ie;
	bool deny, strong = false, dig = false, let = false;
	size_t i;
	int last;

	last = ident_words(d, k, &d->secret_words, &w, &is, &ie, &deny);
	if (last < 0 || deny)
		return false;
	if (n < 10 || fake_value(d, v, n) || value_is_code(k->t, k->n,
	    &k->sec))
		return false;
	for (i = 0; i < n; i++) {
		dig |= is_digit((unsigned char)v[i]);
		let |= is_alpha((unsigned char)v[i]);
	}
	if (!dig || !let)
		return false;
	for (i = 0; i < w.n; i++)
		if (wordset_has(&d->strong_words, k->t + w.w[i].s,
		    w.w[i].e - w.w[i].s))
			strong = true;
	if (!strong && (hex_is_uuid(v, n) || (all_hex(v, n) && n >= 16)))
		return false;
	if (!quoted_at(k->t, k->sec.s) && ident_shaped(v, n) &&
	    !starts_line(k->t, is) && !element_text(k->t, k->sec.s))
		return false;	/* x = someVariable: a reference, not a value */
	if (sequential(v, n) || wordlike(v, n) || echoes_name(k->t, &w, last,
	    v, n))
		return false;
	/*
	 * "key" alone (cacheKey, key := "...") names a secret only sometimes:
	 * ask for a long, random value.
	 */
	if (w.n > 0 && is_weak_key(k->t, &w, last))
		return n >= 16 && entropy_ok(v, n, cap, 0.85);
	return entropy_ok(v, n, cap, 0.8);
}

static bool
check_provider(const struct pii_data *d, struct pii_cand *k, double cap)
{
	struct words w;
	const char *v = k->t + k->sec.s, *t = k->t;
	size_t n = k->sec.e - k->sec.s, i, s;
	bool dig = false;

	if (k->name.s == SIZE_MAX)
		return false;
	/* the provider's name starts a word: not "SetSysctl" for etsy */
	s = k->name.s;
	if (s > 0 && is_alnum((unsigned char)t[s - 1]) &&
	    !(is_upper((unsigned char)t[s]) &&
	    !is_upper((unsigned char)t[s - 1]))
	    && !is_digit((unsigned char)t[s - 1]))
		return false;
	while (s > 0 && k->name.s - s < 80 && (is_alnum((unsigned char)t[s - 1])
	    || t[s - 1] == '_' || t[s - 1] == '-' || t[s - 1] == '.'))
		s--;
	split_words(t + s, k->name.e - s, &w);
	for (i = 0; i < w.n; i++) {
		w.w[i].s += s;
		w.w[i].e += s;
		if (wordset_has(&d->deny_after, t + w.w[i].s,
		    w.w[i].e - w.w[i].s) || wordset_has(&d->deny_before,
		    t + w.w[i].s, w.w[i].e - w.w[i].s))
			return false;
	}
	if (n < 12 || fake_value(d, v, n) || value_is_code(t, k->n, &k->sec))
		return false;
	for (i = 0; i < n; i++)
		dig |= is_digit((unsigned char)v[i]);
	if (!dig || sequential(v, n) || wordlike(v, n))
		return false;
	return entropy_ok(v, n, cap, 0.75);
}

/*
 * A password that is no secret: a placeholder, a password word itself or
 * one inside ("pass;word", "new_secured_password"), a stopword.
 */
static bool
weak_password(const struct pii_data *d, const char *v, size_t n)
{
	char plain[128];
	size_t i, m;

	if (n < 4 || fake_value(d, v, n) || has_version(v, n))
		return true;
	/* read l33t as letters: p4ssw0rd, s3cr3t */
	m = n < sizeof(plain) ? n : sizeof(plain);
	for (i = 0; i < m; i++) {
		switch (v[i]) {
		case '4': case '@': plain[i] = 'a'; break;
		case '3': plain[i] = 'e'; break;
		case '0': plain[i] = 'o'; break;
		case '1': case '!': plain[i] = 'i'; break;
		case '5': case '$': plain[i] = 's'; break;
		case '7': plain[i] = 't'; break;
		default: plain[i] = (char)lc((unsigned char)v[i]); break;
		}
	}
	for (i = 0; i < d->password_words.n; i++)
		if (strlen(d->password_words.w[i]) >= 4 &&
		    contains_ci(plain, m, d->password_words.w[i]))
			return true;
	return contains_ci(plain, m, "secret") || wordset_has(&d->placeholders,
	    plain, m);
}

/* Does the value have a digit or a symbol, or mixed case? */
static bool
not_a_word(const char *v, size_t n)
{
	size_t i;
	bool up = false, low = false;

	for (i = 0; i < n; i++) {
		if (is_upper((unsigned char)v[i]))
			up = true;
		else if (is_lower((unsigned char)v[i]))
			low = true;
		else
			return true;
	}
	return up && low && !wordlike(v, n);
}

/* Is the operator between the name (ending at ne) and the value a comma? */
static bool
comma_form(const char *t, size_t ne, size_t vs)
{
	return ne < vs && memchr(t + ne, ',', vs - ne) != NULL;
}

static bool
check_password(const struct pii_data *d, struct pii_cand *k)
{
	struct words w;
	const char *v = k->t + k->sec.s, *t = k->t;
	size_t n = k->sec.e - k->sec.s, is, ie;
	bool deny, quoted;
	int last;

	last = ident_words(d, k, &d->password_words, &w, &is, &ie, &deny);
	if (last < 0 || deny)
		return false;
	if (weak_password(d, v, n) || echoes_name(t, &w, last, v, n))
		return false;
	quoted = k->sec.s > 0 && (t[k->sec.s - 1] == '"' ||
	    t[k->sec.s - 1] == '\'' || t[k->sec.s - 1] == '`');
	/* "name", "value": the name must be a whole quoted string */
	if (comma_form(t, ie, k->sec.s) && (is == 0 || (t[is - 1] != '"' &&
	    t[is - 1] != '\'') || !quoted || !not_a_word(v, n)))
		return false;
	/* a bare "pass" (allPass, canPass) needs a value that is no word */
	if (w.w[last].e - w.w[last].s == 4 && !not_a_word(v, n))
		return false;
	if (!quoted) {
		size_t i;
		bool other = false;

		/* unquoted: an identifier or expression is code, not a value */
		if (value_is_code(t, k->n, &k->sec) || wordlike(v, n) ||
		    v[0] == '!' || v[0] == '=' || v[0] == '&' || v[0] == '*')
			return false;
		for (i = 0; i < n; i++)
			if (!is_alpha((unsigned char)v[i]) && v[i] != '_')
				other = true;
		if (!other || memchr(v, '(', n) || memchr(v, '>', n) ||
		    memchr(v, '[', n))
			return false;
		/* only config syntax: the name starts its line (KEY=value) */
		if (!line_start_at(t, is))
			return false;
	} else if (k->sec.e < k->n && t[k->sec.e] != t[k->sec.s - 1])
		return false;	/* "abc" + x: a fragment of an expression */
	return true;
}

static bool
check_url_password(const struct pii_data *d, struct pii_cand *k)
{
	const char *v = k->t + k->sec.s, *h;
	size_t n = k->sec.e - k->sec.s, hn;

	if (weak_password(d, v, n) || same_as_user(k))
		return false;
	/* the host after '@': a documentation host makes it an example */
	h = k->t + k->sec.e + 1;
	for (hn = 0; k->sec.e + 1 + hn < k->n && (is_alnum((unsigned char)h[hn])
	    || h[hn] == '.' || h[hn] == '-'); hn++)
		;
	if (hn > 0 && domain_in(&d->email_allow, h, hn) &&
	    (n < 8 || pii_entropy(v, n) < 2.5))
		return false;
	return true;
}

/*
 * A key block whose body (the lines that are not armor or headers) is
 * masked (XXXX, ****, ...) or too uniform is an example, not a key.
 */
static bool
private_key_ok(const char *v, size_t n)
{
	size_t i, b, e, body = 0, distinct = 0, most = 0, cnt[256];
	bool header = false;
	const char *p;

	/* the body: after the BEGIN armor's closing dashes, before -----END */
	p = n > 10 ? memmem(v + 5, n - 5, "-----", 5) : NULL;
	if (p == NULL)
		return false;
	b = (size_t)(p - v) + 5;
	p = memmem(v + b, n - b, "-----END", 8);
	e = p != NULL ? (size_t)(p - v) : n;
	memset(cnt, 0, sizeof(cnt));
	for (i = b; i < e; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\n' || (c == '\\' && i + 1 < e && v[i + 1] == 'n')) {
			header = false;
			continue;
		}
		if (c == ':')
			header = true;	/* Proc-Type: ..., Comment: ... */
		if (header || (!is_alnum(c) && c != '+' && c != '/'))
			continue;
		body++;
		if (cnt[c]++ == 0)
			distinct++;
		if (cnt[c] > most)
			most = cnt[c];
	}
	/* XXXX... or 0000...: one character makes most of the body */
	return body >= 16 && distinct >= 16 && most * 3 < body;
}

/* A password standing alone (curl -u user:PASS): judge the value only. */
static bool
check_password_value(const struct pii_data *d, struct pii_cand *k)
{
	const char *v = k->t + k->sec.s;
	size_t n = k->sec.e - k->sec.s;

	while (n > 0 && (v[n - 1] == '"' || v[n - 1] == '\'' ||
	    v[n - 1] == '}'))
		n--;
	k->sec.e = k->sec.s + n;
	if (weak_password(d, v, n) || v[0] == '$' || v[0] == '%' ||
	    v[0] == '[' || same_as_user(k))
		return false;
	return true;
}

/* The value of an HTTP credential header. */
static bool
check_header_value(const struct pii_data *d, struct pii_cand *k, double cap)
{
	const char *v = k->t + k->sec.s;
	size_t n = k->sec.e - k->sec.s, i;
	bool dig = false, let = false;

	if (n < 8 || fake_value(d, v, n) || value_is_code(k->t, k->n, &k->sec))
		return false;
	for (i = 0; i < n; i++) {
		dig |= is_digit((unsigned char)v[i]);
		let |= is_alpha((unsigned char)v[i]);
	}
	if (!dig || !let || sequential(v, n) || wordlike(v, n))
		return false;
	return entropy_ok(v, n, cap, 0.7);
}

bool
pii_check_run(enum pii_check c, const struct pii_data *d,
    struct pii_cand *k, double min_entropy)
{
	const char *v = k->t + k->sec.s;
	size_t n = k->sec.e - k->sec.s;

	switch (c) {
	case CHECK_NONE:
		return true;
	case CHECK_EMAIL:
		return check_email(d, k);
	case CHECK_EMAIL_OBF:
		return check_email_obf(d, k);
	case CHECK_IPV4:
		return check_ipv4(d, k);
	case CHECK_IPV6:
		return check_ipv6(d, k);
	case CHECK_PHONE:
		return check_phone(d, k);
	case CHECK_GITHUB:
		if (pii_github_crc_ok(v, n))
			return true;
		return !pii_placeholder(d, v, n) &&
		    entropy_ok(v, n, min_entropy, 0.8);
	case CHECK_ASSIGNMENT:
		return check_assignment(d, k, min_entropy);
	case CHECK_PROVIDER:
		return check_provider(d, k, min_entropy);
	case CHECK_PASSWORD:
		return check_password(d, k);
	case CHECK_URL_PASSWORD:
		return check_url_password(d, k);
	case CHECK_PASSWORD_VALUE:
		return check_password_value(d, k);
	case CHECK_HEADER_VALUE:
		return check_header_value(d, k, min_entropy);
	case CHECK_PRIVATE_KEY:
		return private_key_ok(v, n);
	case CHECK_NOT_PLACEHOLDER:
		return !pii_placeholder(d, v, n) && !wordy_piece(v, n) &&
		    entropy_ok(v, n, min_entropy, 0.7);
	case CHECK_NCHECKS:
		break;
	}
	return false;
}
