/*
 * jscan.c - strict JSON validation and member location for NDJSON lines.
 *
 * Built for records that are mostly one long string (a source file, tens of
 * KiB to MiB, with many \n escapes): string bodies are skipped 16 bytes at a
 * time with SSE2 (8 with a portable word loop elsewhere), stopping only at
 * '"', '\\', control bytes and non-ASCII bytes, which are then checked one
 * by one.  Everything else (punctuation, numbers, keys) is a plain loop.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hex.h"
#include "jscan.h"

struct scanner {
	const unsigned char	*p;
	size_t			 n;
	size_t			 i;
	struct jscan_error	 err;
	enum jscan_status	 status;
};

static bool
fail(struct scanner *sc, enum jscan_status st, const char *what)
{
	if (sc->status == JSCAN_OK) {
		sc->status = st;
		sc->err.pos = sc->i;
		sc->err.what = what;
	}
	return false;
}

static inline void
skip_ws(struct scanner *sc)
{
	while (sc->i < sc->n) {
		unsigned char c = sc->p[sc->i];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
		sc->i++;
	}
}

size_t
utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
		if (n >= 3 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xC0) == 0x80)
			return 3;
		return 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n >= 4 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
			return 4;
		return 0;
	}
	return 0;
}

bool
utf8_valid(const char *str, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;

	while (i < n) {
#if defined(__SSE2__)
		while (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + i));

			if (_mm_movemask_epi8(v) != 0)
				break;
			i += 16;
		}
		if (i >= n)
			break;
#endif
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seqlen(s + i, n - i)) == 0) {
			if (bad != NULL)
				*bad = i;
			return false;
		}
		i += k;
	}
	return true;
}

size_t
utf8_encode(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Index of the first byte at or after i that is '"', '\\', < 0x20 or
 * >= 0x80; n if none.
 */
static inline size_t
find_special(const unsigned char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		/* signed compare: bytes >= 0x80 are negative, so < 0x20 too */
		__m128i m = _mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
		    _mm_cmplt_epi8(v, space));
		int mask = _mm_movemask_epi8(m);

		if (mask != 0)
			return i + (size_t)__builtin_ctz((unsigned)mask);
		i += 16;
	}
#else
	while (i + 8 <= n) {
		uint64_t w, t;
		const uint64_t ones = 0x0101010101010101ULL;
		const uint64_t highs = 0x8080808080808080ULL;

		memcpy(&w, p + i, 8);
		t = ((w ^ (ones * '"')) - ones) & ~(w ^ (ones * '"'));
		t |= ((w ^ (ones * '\\')) - ones) & ~(w ^ (ones * '\\'));
		t |= (w - ones * 0x20) & ~w;
		t |= w;
		if ((t & highs) != 0)
			break;
		i += 8;
	}
#endif
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			return i;
		i++;
	}
	return n;
}

/*
 * Scan a string whose opening quote is at sc->i; on success sc->i is just
 * past the closing quote and *esc says whether it had escapes.
 */
/* Characters that may follow a backslash, except 'u'. */
/*
 * Characters that may follow a backslash in canonical escaping (what
 * jscan_escape() writes), except 'u'.  '\/' is valid but not canonical.
 */
static const unsigned char simple_escape[256] = {
	['"'] = 1, ['\\'] = 1, ['b'] = 1, ['f'] = 1, ['n'] = 1, ['r'] = 1,
	['t'] = 1
};

/* Is the \uXXXX escape at p canonical: a control character, lowercase? */
static bool
canonical_u(const unsigned char *p)
{
	unsigned cp = (unsigned)(hex_digit(p[2]) << 12 | hex_digit(p[3]) << 8 |
	    hex_digit(p[4]) << 4 | hex_digit(p[5]));

	return cp < 0x20 && cp != 0x08 && cp != 0x09 && cp != 0x0a &&
	    cp != 0x0c && cp != 0x0d && !(p[4] >= 'A' && p[4] <= 'F') &&
	    !(p[5] >= 'A' && p[5] <= 'F');
}

/*
 * Scan a string whose opening quote is at sc->i; on success sc->i is just
 * past the closing quote and *esc is JESC_NONE, JESC_CANON or JESC_OTHER.
 */
static bool
scan_string(struct scanner *sc, uint8_t *esc)
{
	const unsigned char *p = sc->p;
	size_t n = sc->n, i = sc->i + 1, k;
	uint8_t e = JESC_NONE;

	for (;;) {
#if defined(__SSE2__)
		/* the hot loop: plain bytes and two-character escapes */
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i bslash = _mm_set1_epi8('\\');
		const __m128i space = _mm_set1_epi8(0x20);

		while (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
			int mask = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
			    _mm_cmplt_epi8(v, space)));

			if (mask == 0) {
				i += 16;
				continue;
			}
			i += (size_t)__builtin_ctz((unsigned)mask);
			if (p[i] != '\\' || i + 1 >= n ||
			    !simple_escape[p[i + 1]])
				break;
			if (e == JESC_NONE)
				e = JESC_CANON;
			i += 2;
		}
#endif
		i = find_special(p, i, n);
		if (i >= n) {
			sc->i = n;
			return fail(sc, JSCAN_BAD_JSON, "unterminated string");
		}
		switch (p[i]) {
		case '"':
			sc->i = i + 1;
			*esc = e;
			return true;
		case '\\':
			if (e == JESC_NONE)
				e = JESC_CANON;
			if (i + 1 >= n) {
				sc->i = i;
				return fail(sc, JSCAN_BAD_JSON,
				    "unterminated string");
			}
			if (simple_escape[p[i + 1]]) {
				i += 2;
				break;
			}
			if (p[i + 1] == '/') {
				e = JESC_OTHER;
				i += 2;
				break;
			}
			if (p[i + 1] != 'u') {
				sc->i = i;
				return fail(sc, JSCAN_BAD_JSON,
				    "bad escape in string");
			}
			if (i + 6 > n || hex_digit(p[i + 2]) < 0 ||
			    hex_digit(p[i + 3]) < 0 || hex_digit(p[i + 4]) < 0 ||
			    hex_digit(p[i + 5]) < 0) {
				sc->i = i;
				return fail(sc, JSCAN_BAD_JSON,
				    "bad \\u escape in string");
			}
			if (!canonical_u(p + i))
				e = JESC_OTHER;
			i += 6;
			break;
		default:
			if (p[i] < 0x20) {
				sc->i = i;
				return fail(sc, JSCAN_BAD_JSON,
				    "control character in string");
			}
			/* non-ASCII: validate runs of sequences here */
			while (i < n && p[i] >= 0x80) {
				if ((k = utf8_seqlen(p + i, n - i)) == 0) {
					sc->i = i;
					return fail(sc, JSCAN_BAD_UTF8,
					    "invalid UTF-8 in string");
				}
				i += k;
			}
			break;
		}
	}
}

static bool
scan_number(struct scanner *sc)
{
	const unsigned char *p = sc->p;
	size_t n = sc->n, i = sc->i;

	if (i < n && p[i] == '-')
		i++;
	if (i >= n)
		goto bad;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9') {
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	} else
		goto bad;
	if (i < n && p[i] == '.') {
		i++;
		if (i >= n || p[i] < '0' || p[i] > '9')
			goto bad;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= n || p[i] < '0' || p[i] > '9')
			goto bad;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	sc->i = i;
	return true;
bad:
	sc->i = i;
	return fail(sc, JSCAN_BAD_JSON, "bad number");
}

static bool
scan_literal(struct scanner *sc, const char *lit, size_t len)
{
	if (sc->n - sc->i < len || memcmp(sc->p + sc->i, lit, len) != 0)
		return fail(sc, JSCAN_BAD_JSON, "unexpected character");
	sc->i += len;
	return true;
}

static bool scan_any(struct scanner *, int depth, enum jtype *, uint8_t *esc);

static bool
scan_array(struct scanner *sc, int depth)
{
	enum jtype t;
	uint8_t esc;

	sc->i++;			/* '[' */
	skip_ws(sc);
	if (sc->i < sc->n && sc->p[sc->i] == ']') {
		sc->i++;
		return true;
	}
	for (;;) {
		if (!scan_any(sc, depth + 1, &t, &esc))
			return false;
		skip_ws(sc);
		if (sc->i >= sc->n)
			return fail(sc, JSCAN_BAD_JSON, "unterminated array");
		if (sc->p[sc->i] == ']') {
			sc->i++;
			return true;
		}
		if (sc->p[sc->i] != ',')
			return fail(sc, JSCAN_BAD_JSON,
			    "expected ',' or ']' in array");
		sc->i++;
		skip_ws(sc);
	}
}

/* Scan an object at sc->i; with s != NULL record its members. */
static bool
scan_object(struct scanner *sc, int depth, struct jscan *s)
{
	size_t koff, klen, voff;
	uint8_t kesc, vesc;
	enum jtype t;

	sc->i++;			/* '{' */
	skip_ws(sc);
	if (sc->i < sc->n && sc->p[sc->i] == '}') {
		sc->i++;
		return true;
	}
	for (;;) {
		if (sc->i >= sc->n || sc->p[sc->i] != '"')
			return fail(sc, JSCAN_BAD_JSON,
			    sc->i >= sc->n ? "unterminated object" :
			    "expected a string key in object");
		koff = sc->i + 1;
		if (!scan_string(sc, &kesc))
			return false;
		klen = sc->i - 1 - koff;
		skip_ws(sc);
		if (sc->i >= sc->n || sc->p[sc->i] != ':')
			return fail(sc, JSCAN_BAD_JSON,
			    "expected ':' after object key");
		sc->i++;
		skip_ws(sc);
		voff = sc->i;
		if (!scan_any(sc, depth + 1, &t, &vesc))
			return false;
		if (s != NULL) {
			struct jmember *m;

			if (s->n == s->cap) {
				s->cap = s->cap < 16 ? 16 : s->cap * 2;
				s->m = xreallocarray(s->m, s->cap,
				    sizeof(*s->m));
			}
			m = &s->m[s->n++];
			m->key_off = koff;
			m->key_len = klen;
			m->val_off = voff;
			m->val_len = sc->i - voff;
			m->type = (uint8_t)t;
			m->key_esc = kesc != JESC_NONE;
			m->val_esc = t == JT_STRING ? vesc : JESC_NONE;
		}
		skip_ws(sc);
		if (sc->i >= sc->n)
			return fail(sc, JSCAN_BAD_JSON, "unterminated object");
		if (sc->p[sc->i] == '}') {
			sc->i++;
			return true;
		}
		if (sc->p[sc->i] != ',')
			return fail(sc, JSCAN_BAD_JSON,
			    "expected ',' or '}' in object");
		sc->i++;
		skip_ws(sc);
	}
}

static bool
scan_any(struct scanner *sc, int depth, enum jtype *t, uint8_t *esc)
{
	*esc = JESC_NONE;
	if (depth > JSCAN_MAX_DEPTH)
		return fail(sc, JSCAN_TOO_DEEP, "nesting too deep");
	if (sc->i >= sc->n)
		return fail(sc, JSCAN_BAD_JSON, "expected a value");
	switch (sc->p[sc->i]) {
	case '"':
		*t = JT_STRING;
		return scan_string(sc, esc);
	case '{':
		*t = JT_OBJECT;
		return scan_object(sc, depth, NULL);
	case '[':
		*t = JT_ARRAY;
		return scan_array(sc, depth);
	case 't':
		*t = JT_TRUE;
		return scan_literal(sc, "true", 4);
	case 'f':
		*t = JT_FALSE;
		return scan_literal(sc, "false", 5);
	case 'n':
		*t = JT_NULL;
		return scan_literal(sc, "null", 4);
	default:
		*t = JT_NUMBER;
		if (sc->p[sc->i] == '-' ||
		    (sc->p[sc->i] >= '0' && sc->p[sc->i] <= '9'))
			return scan_number(sc);
		return fail(sc, JSCAN_BAD_JSON, "expected a value");
	}
}

enum jscan_status
jscan_object(struct jscan *s, const char *p, size_t n, struct jscan_error *err)
{
	struct scanner sc = { (const unsigned char *)p, n, 0, { 0, NULL },
	    JSCAN_OK };
	enum jtype t;
	uint8_t esc;

	s->n = 0;
	skip_ws(&sc);
	if (sc.i < n && sc.p[sc.i] == '{') {
		if (!scan_object(&sc, 1, s))
			goto out;
	} else {
		/* say "not an object" only for valid JSON of another type */
		if (!scan_any(&sc, 1, &t, &esc))
			goto out;
		skip_ws(&sc);
		if (sc.i == n)
			fail(&sc, JSCAN_NOT_OBJECT, "not a JSON object");
		else
			fail(&sc, JSCAN_BAD_JSON, "trailing characters");
		goto out;
	}
	skip_ws(&sc);
	if (sc.i != n)
		fail(&sc, JSCAN_BAD_JSON, "trailing characters after object");
out:
	if (sc.status != JSCAN_OK) {
		s->n = 0;
		if (err != NULL)
			*err = sc.err;
	}
	return sc.status;
}

enum jscan_status
jscan_value(const char *p, size_t n, enum jtype *type, struct jscan_error *err)
{
	struct scanner sc = { (const unsigned char *)p, n, 0, { 0, NULL },
	    JSCAN_OK };
	enum jtype t = JT_NULL;
	uint8_t esc;

	skip_ws(&sc);
	if (scan_any(&sc, 1, &t, &esc)) {
		skip_ws(&sc);
		if (sc.i != n)
			fail(&sc, JSCAN_BAD_JSON, "trailing characters");
	}
	if (sc.status != JSCAN_OK && err != NULL)
		*err = sc.err;
	if (type != NULL)
		*type = t;
	return sc.status;
}

void
jscan_release(struct jscan *s)
{
	free(s->m);
	s->m = NULL;
	s->n = s->cap = 0;
}

static inline uint32_t
hex4(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)(hex_digit(u[0]) << 12 | hex_digit(u[1]) << 8 |
	    hex_digit(u[2]) << 4 | hex_digit(u[3]));
}

/* Decode the escape at p (p[0] == '\\') into d; advance both. */
static void
unescape_one(const char **pp, char **dp, const char *end)
{
	const char *p = *pp;
	char *d = *dp;
	uint32_t cp, lo;

	switch (p[1]) {
	case 'b': *d++ = '\b'; p += 2; break;
	case 'f': *d++ = '\f'; p += 2; break;
	case 'n': *d++ = '\n'; p += 2; break;
	case 'r': *d++ = '\r'; p += 2; break;
	case 't': *d++ = '\t'; p += 2; break;
	case 'u':
		cp = hex4(p + 2);
		p += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    (lo = hex4(p + 2)) >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
				p += 6;
			} else
				cp = 0xFFFD;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF)
			cp = 0xFFFD;
		d += utf8_encode(d, cp);
		break;
	default:	/* '"', '\\', '/' */
		*d++ = p[1];
		p += 2;
		break;
	}
	*pp = p;
	*dp = d;
}

size_t
jscan_unescape(const char *p, size_t n, char *dst)
{
	const char *end = p + n;
	char *d = dst;

#if defined(__SSE2__)
	/*
	 * Copy 16 bytes, then look for a backslash in them.  The output is
	 * never ahead of the input (d - dst <= p - start), so the 16-byte
	 * store stays inside dst[0..n) while p + 16 <= end.
	 */
	const __m128i bs = _mm_set1_epi8('\\');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		int m;

		_mm_storeu_si128((__m128i *)d, v);
		m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, bs));
		if (m == 0) {
			p += 16;
			d += 16;
			continue;
		}
		m = __builtin_ctz((unsigned)m);
		p += m;
		d += m;
		if (p[1] == 'n') {	/* by far the most common escape */
			*d++ = '\n';
			p += 2;
		} else
			unescape_one(&p, &d, end);
	}
#endif
	while (p < end) {
		if (*p != '\\')
			*d++ = *p++;
		else
			unescape_one(&p, &d, end);
	}
	return (size_t)(d - dst);
}

size_t
jscan_escape(struct buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, j, k, bad = 0;
	char *d;

	/* worst case 6 bytes per input byte, plus quotes */
	buf_grow(b, n + 2);
	buf_addc(b, '"');
	while (i < n) {
		j = find_special(s, i, n);
		buf_add(b, s + i, j - i);
		if (j >= n)
			break;
		i = j;
		if (s[i] >= 0x80) {
			if ((k = utf8_seqlen(s + i, n - i)) != 0) {
				buf_add(b, s + i, k);
				i += k;
			} else {
				buf_add(b, "\xEF\xBF\xBD", 3);
				bad++;
				i++;
			}
			continue;
		}
		buf_grow(b, 6);
		d = b->data + b->len;
		switch (s[i]) {
		case '"': d[0] = '\\'; d[1] = '"'; b->len += 2; break;
		case '\\': d[0] = '\\'; d[1] = '\\'; b->len += 2; break;
		case '\b': d[0] = '\\'; d[1] = 'b'; b->len += 2; break;
		case '\f': d[0] = '\\'; d[1] = 'f'; b->len += 2; break;
		case '\n': d[0] = '\\'; d[1] = 'n'; b->len += 2; break;
		case '\r': d[0] = '\\'; d[1] = 'r'; b->len += 2; break;
		case '\t': d[0] = '\\'; d[1] = 't'; b->len += 2; break;
		default:
			memcpy(d, "\\u00", 4);
			d[4] = hex[s[i] >> 4];
			d[5] = hex[s[i] & 15];
			b->len += 6;
			break;
		}
		b->data[b->len] = '\0';
		i++;
	}
	buf_addc(b, '"');
	return bad;
}

size_t
jscan_utf8_complete(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, need;

	/* look back at most 3 bytes for the start of a sequence */
	for (i = n; i > 0 && n - i < 4; i--) {
		unsigned char c = s[i - 1];

		if ((c & 0xC0) == 0x80)
			continue;	/* continuation byte */
		if (c < 0x80)
			return n;
		need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		return n - (i - 1) < need ? i - 1 : n;
	}
	return n;
}
