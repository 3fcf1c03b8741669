/*
 * redact.c - replacements for pii-scrub: typed tags as in StarCoder's
 * training data, or fakes that keep the code parseable (same length and
 * alphabet for secrets, documentation ranges for addresses).
 *
 * Fakes are drawn from a SplitMix64 stream seeded by XXH3 of (seed, kind,
 * value): the same value always gets the same fake, so a key used twice in
 * a file still matches itself after scrubbing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "redact.h"

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* Same class, random character: digits stay digits, case is kept. */
static char
same_class(uint64_t *st, char c)
{
	uint64_t r = splitmix(st);

	if (is_digit((unsigned char)c))
		return (char)('0' + r % 10);
	if (is_lower((unsigned char)c))
		return (char)('a' + r % 26);
	if (is_upper((unsigned char)c))
		return (char)('A' + r % 26);
	return c;
}

/* Length of a provider prefix to keep (ghp_, sk_live_, xoxb-, glpat-). */
static size_t
key_prefix(const char *v, size_t n)
{
	size_t i = 0, keep = 0;

	while (i < n && i < 12) {
		size_t st = i;

		while (i < n && (is_lower((unsigned char)v[i]) ||
		    is_upper((unsigned char)v[i])))
			i++;
		if (i == st || i >= n || (v[i] != '_' && v[i] != '-'))
			break;
		i++;
		if (i <= 12)
			keep = i;
	}
	return keep;
}

static void
fake_secret(uint64_t *st, const char *v, size_t n, struct buf *out)
{
	size_t i, keep = key_prefix(v, n);

	buf_add(out, v, keep);
	for (i = keep; i < n; i++)
		buf_addc(out, same_class(st, v[i]));
}

/* Keep the armor and header lines of a key block, fake the body. */
static void
fake_private_key(uint64_t *st, const char *v, size_t n, struct buf *out)
{
	size_t i = 0, e;
	bool keep;

	while (i < n) {
		const char *nl = memchr(v + i, '\n', n - i);

		e = nl != NULL ? (size_t)(nl - v) + 1 : n;
		keep = (e - i >= 5 && memcmp(v + i, "-----", 5) == 0) ||
		    memchr(v + i, ':', e - i) != NULL;
		if (keep)
			buf_add(out, v + i, e - i);
		else
			for (; i < e; i++)
				buf_addc(out, same_class(st, v[i]));
		i = e;
	}
}

static void
fake_email(uint64_t *st, const char *v, size_t n, struct buf *out)
{
	size_t local = 0, len, i;

	while (local < n && v[local] != '@' && v[local] != ' ' &&
	    v[local] != '[' && v[local] != '(' && v[local] != '{' &&
	    v[local] != '<')
		local++;
	len = local < 4 ? 4 : local > 12 ? 12 : local;
	for (i = 0; i < len; i++)
		buf_addc(out, (char)('a' + splitmix(st) % 26));
	buf_adds(out, "@example.com");
}

static void
fake_ip(uint64_t *st, const char *v, size_t n, struct buf *out)
{
	static const char *const nets[] = { "192.0.2.", "198.51.100.",
	    "203.0.113." };
	uint64_t r = splitmix(st);

	if (memchr(v, ':', n) != NULL)
		buf_addf(out, "2001:db8::%x", (unsigned)(r % 0xfffe) + 1);
	else
		buf_addf(out, "%s%u", nets[r % 3], (unsigned)((r >> 8) % 254)
		    + 1);
}

/* Keep the shape and the country code; end in 555-01xx. */
static void
fake_phone(uint64_t *st, const char *v, size_t n, struct buf *out)
{
	size_t i, nd = 0, keep = 0, k = 0;
	uint64_t r = splitmix(st);
	char tail[8];

	for (i = 0; i < n; i++)
		nd += is_digit((unsigned char)v[i]);
	if (v[0] == '+') {
		for (i = 1; i < n && is_digit((unsigned char)v[i]); i++)
			keep++;
		if (keep > 3)
			keep = 1;
	} else if (nd == 11)
		keep = 1;
	snprintf(tail, sizeof(tail), "55501%02u", (unsigned)(r % 100));
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (!is_digit((unsigned char)c)) {
			buf_addc(out, c);
			continue;
		}
		if (k < keep)
			buf_addc(out, c);
		else if (nd - k <= 7)
			buf_addc(out, tail[7 - (nd - k)]);
		else if (k == keep)
			buf_addc(out, (char)('2' + splitmix(st) % 8));
		else
			buf_addc(out, (char)('0' + splitmix(st) % 10));
		k++;
	}
}

void
redact_fake(uint64_t seed, enum pii_kind k, const char *v, size_t n,
    struct buf *out)
{
	uint64_t st = XXH3_64bits_withSeed(v, n, seed * 0x100000001B3ULL +
	    (uint64_t)k);

	switch (k) {
	case PII_EMAIL:
		fake_email(&st, v, n, out);
		break;
	case PII_IP_ADDRESS:
		fake_ip(&st, v, n, out);
		break;
	case PII_PHONE:
		fake_phone(&st, v, n, out);
		break;
	case PII_PRIVATE_KEY:
		fake_private_key(&st, v, n, out);
		break;
	case PII_KEY:
	case PII_PASSWORD:
	default:
		fake_secret(&st, v, n, out);
		break;
	}
}

void
redact_text(enum redact_mode mode, uint64_t seed, const char *text, size_t n,
    const struct pii_finding *f, size_t nf, struct buf *out,
    struct redact_span *spans)
{
	size_t i, pos = 0, s;

	for (i = 0; i < nf; i++) {
		buf_add(out, text + pos, f[i].start - pos);
		s = out->len;
		if (mode == REDACT_TAG)
			buf_adds(out, pii_kind_tag(f[i].kind));
		else
			redact_fake(seed, f[i].kind, text + f[i].start,
			    f[i].end - f[i].start, out);
		if (spans != NULL) {
			spans[i].start = s;
			spans[i].end = out->len;
			spans[i].kind = f[i].kind;
		}
		pos = f[i].end;
	}
	buf_add(out, text + pos, n - pos);
}

size_t
redact_map(size_t off, const struct pii_finding *f,
    const struct redact_span *spans, size_t nf)
{
	size_t i;
	long long shift = 0;

	for (i = 0; i < nf; i++) {
		if (f[i].end <= off)
			shift = (long long)spans[i].end - (long long)f[i].end;
		else if (f[i].start < off)
			return spans[i].end;	/* inside a redaction */
		else
			break;
	}
	return (size_t)((long long)off + shift);
}
