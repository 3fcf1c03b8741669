/*
 * charset.c - decoding to UTF-8 with Python's codec semantics.
 *
 * Three kinds of codec: UTF-8 (validated in place), single-byte (a table
 * of the upper 128 bytes), and multi-byte through iconv.  For the last,
 * the input is walked character by character (split as the codec reads
 * it); runs of characters glibc decodes as Python does go to iconv in one
 * call, and the few characters listed as overrides are written (or
 * refused) from the table instead.  Source files are mostly ASCII, so a
 * bitmap of the first bytes that have overrides keeps the walk cheap.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "err.h"
#include "jscan.h"

enum cs_kind {
	CK_UTF8, CK_SBCS, CK_MBCS, CK_UTF16, CK_UTF16LE, CK_UTF16BE,
	CK_UTF32, CK_UTF32LE, CK_UTF32BE
};

enum cs_tok { TOK_NONE, TOK_SJIS, TOK_EUCJP, TOK_EUC, TOK_DBCS, TOK_GB18030 };

struct cs_override {
	uint32_t	 key;	/* the bytes, big-endian */
	uint8_t		 len;
	const char	*utf8;	/* Python's text, or NULL: Python refuses */
};

struct charset {
	const char	*name;
	enum cs_kind	 kind;
	const uint16_t	*sb;	/* CK_SBCS: bytes 0x80..0xFF, 0xFFFF = none */
	const struct cs_override *ov;	/* CK_MBCS, sorted by (len, key) */
	const char	*iconv;
	enum cs_tok	 tok;
	size_t		 nov;
};

struct cs_alias {
	const char	*name;	/* normalized */
	int		 codec;
};

#include "charsets.inc"

#define NCODECS (sizeof(cs_codecs) / sizeof(cs_codecs[0]))

struct charset_ctx {
	iconv_t		 cd[NCODECS];
	iconv_t		 utf[4];	/* UTF-16LE, -16BE, -32LE, -32BE */
	uint8_t		 lead[NCODECS][32];	/* first bytes with overrides */
};

size_t
charset_count(void)
{
	return NCODECS;
}

const struct charset *
charset_at(size_t i)
{
	return i < NCODECS ? &cs_codecs[i] : NULL;
}

const char *
charset_kind(const struct charset *cs)
{
	return cs->kind == CK_SBCS ? "sbcs" : cs->kind == CK_MBCS ? "mbcs" :
	    "utf";
}

const char *
charset_name(const struct charset *cs)
{
	return cs->name;
}

bool
charset_is_utf8(const struct charset *cs)
{
	return cs->kind == CK_UTF8;
}

static int
alias_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct cs_alias *)elt)->name);
}

static const struct charset *
find_alias(const char *norm)
{
	const struct cs_alias *a;

	a = bsearch(norm, cs_aliases, sizeof(cs_aliases) /
	    sizeof(cs_aliases[0]), sizeof(cs_aliases[0]), alias_cmp);
	return a != NULL ? &cs_codecs[a->codec] : NULL;
}

/*
 * Python's lookup: lowercase, then encodings.normalize_encoding() (runs
 * of characters other than letters, digits and '.' become one '_', none
 * at either end), then the alias table, also with '.' read as '_'.
 */
const struct charset *
charset_find(const char *name, size_t n)
{
	char norm[64];
	const struct charset *c;
	size_t i, k = 0;
	bool punct = false;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)name[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '.') {
			if (punct && k > 0)
				norm[k++] = '_';
			norm[k++] = (char)ch;
			punct = false;
		} else if (ch >= 0x80)
			return NULL;	/* Python names are ASCII */
		else
			punct = true;
		if (k >= sizeof(norm) - 2)
			return NULL;
	}
	norm[k] = '\0';
	if ((c = find_alias(norm)) == NULL) {
		for (i = 0; i < k; i++)
			if (norm[i] == '.')
				norm[i] = '_';
		c = find_alias(norm);
	}
	return c;
}

struct charset_ctx *
charset_ctx_new(void)
{
	struct charset_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const struct charset *c;
	size_t i, k;

	for (i = 0; i < NCODECS; i++) {
		ctx->cd[i] = (iconv_t)-1;
		c = &cs_codecs[i];
		for (k = 0; k < c->nov; k++) {
			unsigned b0 = c->ov[k].key >> (8 * (c->ov[k].len - 1));

			ctx->lead[i][b0 >> 3] |= (uint8_t)(1u << (b0 & 7));
		}
	}
	for (i = 0; i < 4; i++)
		ctx->utf[i] = (iconv_t)-1;
	return ctx;
}

void
charset_ctx_free(struct charset_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	for (i = 0; i < NCODECS; i++)
		if (ctx->cd[i] != (iconv_t)-1)
			iconv_close(ctx->cd[i]);
	for (i = 0; i < 4; i++)
		if (ctx->utf[i] != (iconv_t)-1)
			iconv_close(ctx->utf[i]);
	free(ctx);
}

static iconv_t
open_cd(iconv_t *slot, const char *charset)
{
	if (*slot == (iconv_t)-1 &&
	    (*slot = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		err_die_errno("iconv cannot convert from %s", charset);
	return *slot;
}

/*
 * iconv in[0..n) onto out.  False on an invalid or incomplete sequence,
 * with *bad its offset in in.
 */
static bool
run_iconv(iconv_t cd, const char *in, size_t n, struct buf *out, size_t *bad)
{
	char *ip = (char *)(uintptr_t)in, *op;
	size_t il = n, ol, r;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		buf_grow(out, il * 3 + 16);
		op = out->data + out->len;
		ol = out->cap - out->len - 1;
		r = iconv(cd, &ip, &il, &op, &ol);
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		/* E2BIG: room was made above; anything else is bad input */
		if (r == (size_t)-1 && errno != E2BIG) {
			*bad = (size_t)(ip - in);
			return false;
		}
	}
	/* stateful codecs may have a shift sequence to end */
	for (;;) {
		buf_grow(out, 16);
		op = out->data + out->len;
		ol = out->cap - out->len - 1;
		r = iconv(cd, NULL, NULL, &op, &ol);
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			return true;
		if (errno != E2BIG) {
			*bad = n;
			return false;
		}
	}
}

static size_t
toklen(enum cs_tok tok, const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t k = 1;

	switch (tok) {
	case TOK_SJIS:
		k = (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC) ?
		    2 : 1;
		break;
	case TOK_EUCJP:
		k = b == 0x8F ? 3 : b == 0x8E || (b >= 0xA1 && b <= 0xFE) ?
		    2 : 1;
		break;
	case TOK_EUC:
		k = b >= 0xA1 && b <= 0xFE ? 2 : 1;
		break;
	case TOK_DBCS:
		k = b >= 0x81 && b <= 0xFE ? 2 : 1;
		break;
	case TOK_GB18030:
		if (b >= 0x81 && b <= 0xFE)
			k = n >= 2 && s[1] >= 0x30 && s[1] <= 0x39 ? 4 : 2;
		break;
	case TOK_NONE:
		break;
	}
	return k < n ? k : n;
}

static const struct cs_override *
find_override(const struct charset *c, const unsigned char *s, size_t len)
{
	size_t lo = 0, hi = c->nov, mid, i;
	uint32_t key = 0;

	for (i = 0; i < len; i++)
		key = key << 8 | s[i];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->ov[mid].len < len ||
		    (c->ov[mid].len == len && c->ov[mid].key < key))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nov && c->ov[lo].len == len && c->ov[lo].key == key)
		return &c->ov[lo];
	return NULL;
}

static bool
decode_mbcs(struct charset_ctx *ctx, size_t ci, const char *in, size_t n,
    struct buf *out, size_t *bad)
{
	const struct charset *c = &cs_codecs[ci];
	const unsigned char *s = (const unsigned char *)in;
	const struct cs_override *ov;
	iconv_t cd = open_cd(&ctx->cd[ci], c->iconv);
	size_t i = 0, start = 0, k;

	while (i < n) {
		if (s[i] < 0x80 && (ctx->lead[ci][s[i] >> 3] &
		    (1u << (s[i] & 7))) == 0) {
			i++;
			continue;
		}
		k = toklen(c->tok, s + i, n - i);
		if ((ctx->lead[ci][s[i] >> 3] & (1u << (s[i] & 7))) != 0 &&
		    (ov = find_override(c, s + i, k)) != NULL) {
			if (i > start && !run_iconv(cd, in + start, i - start,
			    out, bad)) {
				*bad += start;
				return false;
			}
			if (ov->utf8 == NULL) {
				*bad = i;
				return false;
			}
			buf_adds(out, ov->utf8);
			start = i + k;
		}
		i += k;
	}
	if (n > start && !run_iconv(cd, in + start, n - start, out, bad)) {
		*bad += start;
		return false;
	}
	return true;
}

static bool
decode_sbcs(const struct charset *c, const char *in, size_t n,
    struct buf *out, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)in;
	uint16_t cp;
	size_t i;
	char *d;

	buf_grow(out, n * 3);
	d = out->data + out->len;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			*d++ = (char)s[i];
			continue;
		}
		if ((cp = c->sb[s[i] - 0x80]) == 0xFFFF) {
			out->len = (size_t)(d - out->data);
			out->data[out->len] = '\0';
			*bad = i;
			return false;
		}
		d += utf8_encode(d, cp);
	}
	out->len = (size_t)(d - out->data);
	out->data[out->len] = '\0';
	return true;
}

/* UTF-16/32 with Python's BOM rule: a BOM picks the order and is dropped;
 * without one, little-endian (Python uses the machine's order). */
static bool
decode_utf(struct charset_ctx *ctx, enum cs_kind kind, const char *in,
    size_t n, struct buf *out, size_t *bad)
{
	static const char *const names[4] = { "UTF-16LE", "UTF-16BE",
	    "UTF-32LE", "UTF-32BE" };
	const unsigned char *s = (const unsigned char *)in;
	size_t skip = 0;
	int which = 0;

	switch (kind) {
	case CK_UTF16:
		if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
			which = 1;
			skip = 2;
		} else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
			skip = 2;
		break;
	case CK_UTF16BE:
		which = 1;
		break;
	case CK_UTF32:
		which = 2;
		if (n >= 4 && memcmp(s, "\0\0\xFE\xFF", 4) == 0) {
			which = 3;
			skip = 4;
		} else if (n >= 4 && memcmp(s, "\xFF\xFE\0\0", 4) == 0)
			skip = 4;
		break;
	case CK_UTF32LE:
		which = 2;
		break;
	case CK_UTF32BE:
		which = 3;
		break;
	default:
		break;
	}
	if (!run_iconv(open_cd(&ctx->utf[which], names[which]), in + skip,
	    n - skip, out, bad)) {
		*bad += skip;
		return false;
	}
	return true;
}

bool
charset_decode(struct charset_ctx *ctx, const struct charset *cs,
    const char *in, size_t n, struct buf *scratch, struct strv *out,
    size_t *bad)
{
	const struct charset *c = cs;
	bool ok;

	*bad = 0;
	if (c->kind == CK_UTF8) {
		if (!utf8_valid(in, n, bad))
			return false;
		out->p = in;
		out->n = n;
		return true;
	}
	buf_reset(scratch);
	buf_grow(scratch, n + 16);
	switch (c->kind) {
	case CK_SBCS:
		ok = decode_sbcs(c, in, n, scratch, bad);
		break;
	case CK_MBCS:
		ok = decode_mbcs(ctx, (size_t)(c - cs_codecs), in, n, scratch,
		    bad);
		break;
	default:
		ok = decode_utf(ctx, c->kind, in, n, scratch, bad);
		break;
	}
	if (!ok)
		return false;
	out->p = scratch->data;
	out->n = scratch->len;
	return true;
}
