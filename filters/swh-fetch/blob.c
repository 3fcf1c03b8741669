/*
 * blob.c - inflate, verify and decode Software Heritage objects.
 *
 * Per object: one inflate pass into the caller's buffer, one SHA-1 pass
 * over the raw bytes (two with content_id), a memchr for NUL, the decode
 * (a validation pass for UTF-8) and one SHA-256 pass over the text.  The
 * OpenSSL digests are fetched once per context, not per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "hex.h"
#include "blob.h"
#include "err.h"

struct blob_ctx {
	z_stream		 z;
	bool			 zinit;
	EVP_MD			*sha1, *sha256;
	EVP_MD_CTX		*md;
	struct charset_ctx	*cs;
	struct buf		 scratch;	/* decoded text */
};

static const char *const reasons[] = {
	"", "bad-gzip", "too-large", "integrity", "binary", "bad-encoding",
	"length-mismatch"
};

const char *
blob_reason(enum blob_status st)
{
	return reasons[st];
}

struct blob_ctx *
blob_ctx_new(void)
{
	struct blob_ctx *ctx = xcalloc(1, sizeof(*ctx));

	ctx->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ctx->md = EVP_MD_CTX_new();
	if (ctx->sha1 == NULL || ctx->sha256 == NULL || ctx->md == NULL)
		err_die("OpenSSL has no SHA-1 or SHA-256");
	ctx->cs = charset_ctx_new();
	return ctx;
}

void
blob_ctx_free(struct blob_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->zinit)
		inflateEnd(&ctx->z);
	EVP_MD_free(ctx->sha1);
	EVP_MD_free(ctx->sha256);
	EVP_MD_CTX_free(ctx->md);
	charset_ctx_free(ctx->cs);
	buf_release(&ctx->scratch);
	free(ctx);
}

static void
digest(struct blob_ctx *ctx, const EVP_MD *md, const void *head, size_t hn,
    const void *p, size_t n, unsigned char *out)
{
	unsigned int len;

	if (EVP_DigestInit_ex(ctx->md, md, NULL) != 1 ||
	    (hn > 0 && EVP_DigestUpdate(ctx->md, head, hn) != 1) ||
	    EVP_DigestUpdate(ctx->md, p, n) != 1 ||
	    EVP_DigestFinal_ex(ctx->md, out, &len) != 1)
		err_die("OpenSSL digest failed");
}

void
blob_sha1(struct blob_ctx *ctx, const void *p, size_t n, uint8_t out[20])
{
	digest(ctx, ctx->sha1, NULL, 0, p, n, out);
}

void
blob_format_id(const uint8_t id[20], char hex[41])
{
	hex_encode(hex, id, 20);
}

bool
blob_parse_id(const char *s, size_t n, uint8_t id[20])
{
	int i, hi, lo;

	if (n != 40)
		return false;
	for (i = 0; i < 20; i++) {
		if ((hi = hex_digit((unsigned char)s[2 * i])) < 0 ||
		    (lo = hex_digit((unsigned char)s[2 * i + 1])) < 0)
			return false;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static const char *
zmsg(const z_stream *z, int rc)
{
	if (z->msg != NULL)
		return z->msg;
	return rc == Z_BUF_ERROR ? "unexpected end of data" : zError(rc);
}

enum blob_status
blob_open(struct blob_ctx *ctx, const void *gz, size_t n, size_t max,
    const uint8_t id[20], struct buf *raw, struct buf *detail)
{
	const unsigned char *p = gz;
	z_stream *z = &ctx->z;
	uint8_t got[20];
	char hex[41];
	size_t off = 0, room;
	int rc;

	buf_reset(raw);
	buf_reset(detail);
	buf_grow(raw, n < max / 4 ? n * 4 + 64 : max + 1);
	if (!ctx->zinit) {
		memset(z, 0, sizeof(*z));
		if (inflateInit2(z, 15 + 16) != Z_OK)
			err_die("zlib: cannot start inflate");
		ctx->zinit = true;
	}
	/* members one after the other; zero padding may follow any */
	for (;;) {
		while (off < n && p[off] == 0)
			off++;
		if (off == n)
			break;
		if (n - off < 2 || p[off] != 0x1f || p[off + 1] != 0x8b) {
			buf_addf(detail, off == 0 ? "not gzip data" :
			    "junk after gzip data at byte %zu", off);
			return BLOB_BAD_GZIP;
		}
		inflateReset(z);
		z->next_in = (unsigned char *)(uintptr_t)(p + off);
		z->avail_in = (uInt)((n - off) > UINT32_MAX ? UINT32_MAX :
		    n - off);
		do {
			if (raw->cap - raw->len <= 1)
				buf_grow(raw, raw->cap);
			room = raw->cap - raw->len - 1;
			/* never inflate more than max + 1 bytes */
			if (raw->len + room > max + 1)
				room = max + 1 - raw->len;
			z->next_out = (unsigned char *)raw->data + raw->len;
			z->avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX :
			    room);
			rc = inflate(z, Z_NO_FLUSH);
			raw->len = (size_t)((char *)z->next_out - raw->data);
			raw->data[raw->len] = '\0';
			if (raw->len > max) {
				buf_addf(detail, "object is larger than "
				    "--max-bytes (%zu bytes)", max);
				return BLOB_TOO_LARGE;
			}
			/* output room was given: no progress = no input */
			if (rc == Z_BUF_ERROR) {
				buf_adds(detail, "gzip data is truncated");
				return BLOB_BAD_GZIP;
			}
			if (rc != Z_OK && rc != Z_STREAM_END) {
				buf_addf(detail, "corrupt gzip data: %s",
				    zmsg(z, rc));
				return BLOB_BAD_GZIP;
			}
		} while (rc != Z_STREAM_END);
		off = (size_t)(z->next_in - p);
	}
	blob_sha1(ctx, raw->data != NULL ? raw->data : "", raw->len, got);
	if (memcmp(got, id, 20) != 0) {
		blob_format_id(got, hex);
		buf_addf(detail, "SHA-1 of the content is %s, not the blob id",
		    hex);
		return BLOB_INTEGRITY;
	}
	return BLOB_OK;
}

enum blob_status
blob_text(struct blob_ctx *ctx, const char *raw, size_t n,
    const struct blob_want *w, struct strv *text, char sha256[65],
    struct buf *detail)
{
	unsigned char md[32];
	uint8_t got[20];
	char head[40], hex[41];
	const char *nul;
	size_t bad;
	int hn;

	buf_reset(detail);
	if (w->has_git) {
		hn = snprintf(head, sizeof(head), "blob %zu", n) + 1;
		digest(ctx, ctx->sha1, head, (size_t)hn, raw, n, got);
		if (memcmp(got, w->git, 20) != 0) {
			blob_format_id(got, hex);
			buf_addf(detail, "git blob id of the content is %s, "
			    "not content_id", hex);
			return BLOB_INTEGRITY;
		}
	}
	if ((nul = memchr(raw, 0, n)) != NULL) {
		buf_addf(detail, "NUL byte at offset %zu",
		    (size_t)(nul - raw));
		return BLOB_BINARY;
	}
	if (!charset_decode(ctx->cs, w->cs, raw, n, &ctx->scratch, text,
	    &bad)) {
		buf_addf(detail, "not valid %s at byte %zu",
		    charset_name(w->cs), bad);
		return BLOB_BAD_ENCODING;
	}
	if (text->n > w->max) {
		buf_addf(detail, "text is %zu bytes, more than --max-bytes "
		    "(%zu)", text->n, w->max);
		return BLOB_TOO_LARGE;
	}
	if (w->length >= 0 && (uint64_t)w->length != text->n) {
		buf_addf(detail, "text is %zu UTF-8 bytes, length_bytes is "
		    "%lld", text->n, (long long)w->length);
		return BLOB_LENGTH;
	}
	digest(ctx, ctx->sha256, NULL, 0, text->p != NULL ? text->p : "",
	    text->n, md);
	hex_encode(sha256, md, 32);
	return BLOB_OK;
}
