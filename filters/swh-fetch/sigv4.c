/*
 * sigv4.c - AWS Signature Version 4: canonical request, string to sign,
 * signing key and signature, with OpenSSL's HMAC and SHA-256.
 *
 * Built for one GET per object, so nothing is clever: a few small buffers
 * per request.  The test suite in tests/conformance/sigv4/ pins every
 * rule (see sigv4.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hex.h"
#include "err.h"
#include "sigv4.h"

void
sigv4_sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		err_die("SHA-256 failed in OpenSSL");
	hex_encode(hex, md, 32);
}

static void
hmac(const void *key, size_t klen, const void *msg, size_t n,
    unsigned char out[32])
{
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len) == NULL ||
	    len != 32)
		err_die("HMAC-SHA256 failed in OpenSSL");
}

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

void
sigv4_uri_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char up[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (unreserved(u[i]) || (keep_slash && u[i] == '/'))
			buf_addc(b, u[i]);
		else {
			buf_addc(b, '%');
			buf_addc(b, up[u[i] >> 4]);
			buf_addc(b, up[u[i] & 15]);
		}
	}
}

/* Decode %XX escapes of s[0..n) into b; a '%' not followed by hex stays. */
static void
uri_decode(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_digit((unsigned char)s[i + 2])) >= 0) {
			buf_addc(b, hi << 4 | lo);
			i += 2;
		} else
			buf_addc(b, s[i]);
	}
}

/*
 * RFC 3986 remove_dot_segments, plus collapsing empty segments ("//"),
 * as the suite's normalize-path cases want.
 */
static void
normalize_path(const char *p, struct buf *out)
{
	const char **seg = NULL;
	size_t *len = NULL, nseg = 0, cap = 0, i, n;
	const char *s = p, *e;
	bool trailing = false;

	while (*s != '\0') {
		while (*s == '/')
			s++;
		if (*s == '\0') {
			trailing = true;
			break;
		}
		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		trailing = false;
		if (n == 1 && s[0] == '.')
			trailing = true;
		else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (nseg > 0)
				nseg--;
			trailing = true;
		} else {
			if (nseg == cap) {
				cap = cap ? cap * 2 : 8;
				seg = xreallocarray(seg, cap, sizeof(*seg));
				len = xreallocarray(len, cap, sizeof(*len));
			}
			seg[nseg] = s;
			len[nseg++] = n;
		}
		s += n;
	}
	for (i = 0; i < nseg; i++) {
		buf_addc(out, '/');
		buf_add(out, seg[i], len[i]);
	}
	if (nseg == 0 || trailing)
		buf_addc(out, '/');
	free(seg);
	free(len);
}

struct qparam {
	char	*name;	/* encoded */
	char	*value;	/* encoded */
};

static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

static char *
reencode(const char *s, size_t n)
{
	struct buf dec = BUF_INIT, enc = BUF_INIT;

	uri_decode(&dec, s, n);
	buf_grow(&enc, 0);
	sigv4_uri_encode(&enc, dec.data != NULL ? dec.data : "", dec.len,
	    false);
	buf_release(&dec);
	return buf_detach(&enc, NULL);
}

static void
canonical_query(const char *q, struct buf *out)
{
	struct qparam *p = NULL;
	size_t np = 0, cap = 0, i, n;
	const char *s = q, *amp, *eq;

	while (s != NULL && *s != '\0') {
		amp = strchr(s, '&');
		n = amp != NULL ? (size_t)(amp - s) : strlen(s);
		if (n > 0) {
			if (np == cap) {
				cap = cap ? cap * 2 : 8;
				p = xreallocarray(p, cap, sizeof(*p));
			}
			eq = memchr(s, '=', n);
			if (eq != NULL) {
				p[np].name = reencode(s, (size_t)(eq - s));
				p[np].value = reencode(eq + 1,
				    n - (size_t)(eq - s) - 1);
			} else {
				p[np].name = reencode(s, n);
				p[np].value = xstrdup("");
			}
			np++;
		}
		s = amp != NULL ? amp + 1 : NULL;
	}
	if (np > 1)
		qsort(p, np, sizeof(*p), qparam_cmp);
	for (i = 0; i < np; i++) {
		if (i > 0)
			buf_addc(out, '&');
		buf_adds(out, p[i].name);
		buf_addc(out, '=');
		buf_adds(out, p[i].value);
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

struct chdr {
	char	*name;	/* lowercased */
	char	*value;	/* trimmed, spaces collapsed */
	size_t	 order;
};

static int
chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static char *
trim_value(const char *v)
{
	struct buf b = BUF_INIT;
	bool space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	buf_grow(&b, strlen(v));
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, *v);
	}
	return buf_detach(&b, NULL);
}

void
sigv4_canonical_request(const struct sigv4_scope *sc,
    const struct sigv4_request *rq, struct buf *creq,
    struct buf *signed_headers)
{
	struct chdr *h;
	struct buf path = BUF_INIT;
	size_t i, k;
	char *c;

	buf_adds(creq, rq->method);
	buf_addc(creq, '\n');
	if (sc->normalize_path) {
		normalize_path(rq->path, &path);
		sigv4_uri_encode(creq, path.data, path.len, true);
	} else if (rq->path[0] == '\0')
		buf_addc(creq, '/');
	else
		sigv4_uri_encode(creq, rq->path, strlen(rq->path), true);
	buf_release(&path);
	buf_addc(creq, '\n');
	if (rq->query != NULL)
		canonical_query(rq->query, creq);
	buf_addc(creq, '\n');

	h = xreallocarray(NULL, rq->nheaders + 1, sizeof(*h));
	for (i = 0; i < rq->nheaders; i++) {
		h[i].name = xstrdup(rq->headers[i].name);
		for (c = h[i].name; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		h[i].value = trim_value(rq->headers[i].value);
		h[i].order = i;
	}
	qsort(h, rq->nheaders, sizeof(*h), chdr_cmp);
	for (i = 0; i < rq->nheaders; i = k) {
		buf_adds(creq, h[i].name);
		buf_addc(creq, ':');
		buf_adds(creq, h[i].value);
		for (k = i + 1; k < rq->nheaders &&
		    strcmp(h[k].name, h[i].name) == 0; k++) {
			buf_addc(creq, ',');
			buf_adds(creq, h[k].value);
		}
		buf_addc(creq, '\n');
		if (i > 0)
			buf_addc(signed_headers, ';');
		buf_adds(signed_headers, h[i].name);
	}
	buf_addc(creq, '\n');
	for (i = 0; i < rq->nheaders; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
	buf_adds(creq, signed_headers->data != NULL ?
	    signed_headers->data : "");
	buf_addc(creq, '\n');
	buf_adds(creq, rq->payload_hash);
}

static void
add_scope(struct buf *b, const struct sigv4_scope *sc)
{
	buf_add(b, sc->amz_date, 8);
	buf_addc(b, '/');
	buf_adds(b, sc->region);
	buf_addc(b, '/');
	buf_adds(b, sc->service);
	buf_adds(b, "/aws4_request");
}

void
sigv4_string_to_sign(const struct sigv4_scope *sc, const char *creq,
    size_t n, struct buf *sts)
{
	char hex[65];

	buf_adds(sts, "AWS4-HMAC-SHA256\n");
	buf_adds(sts, sc->amz_date);
	buf_addc(sts, '\n');
	add_scope(sts, sc);
	buf_addc(sts, '\n');
	sigv4_sha256_hex(creq, n, hex);
	buf_adds(sts, hex);
}

void
sigv4_signing_key(const char *secret, const struct sigv4_scope *sc,
    unsigned char key[32])
{
	struct buf k = BUF_INIT;
	unsigned char a[32], b[32];

	buf_adds(&k, "AWS4");
	buf_adds(&k, secret);
	hmac(k.data, k.len, sc->amz_date, 8, a);
	/* the secret must not linger in freed memory */
	OPENSSL_cleanse(k.data, k.len);
	buf_release(&k);
	hmac(a, 32, sc->region, strlen(sc->region), b);
	hmac(b, 32, sc->service, strlen(sc->service), a);
	hmac(a, 32, "aws4_request", 12, key);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
}

void
sigv4_signature(const unsigned char key[32], const char *sts, size_t n,
    char sig[65])
{
	unsigned char md[32];

	hmac(key, 32, sts, n, md);
	hex_encode(sig, md, 32);
}

void
sigv4_authorization(const struct sigv4_scope *sc, const char *access_key,
    const char *signed_headers, const char *sig, struct buf *out)
{
	buf_adds(out, "AWS4-HMAC-SHA256 Credential=");
	buf_adds(out, access_key);
	buf_addc(out, '/');
	add_scope(out, sc);
	buf_adds(out, ", SignedHeaders=");
	buf_adds(out, signed_headers);
	buf_adds(out, ", Signature=");
	buf_adds(out, sig);
}

void
sigv4_presign_params(const struct sigv4_scope *sc, const char *access_key,
    const char *token, unsigned expires, const char *signed_headers,
    struct buf *q)
{
	struct buf cred = BUF_INIT;

	if (q->len > 0)
		buf_addc(q, '&');
	buf_adds(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	buf_adds(&cred, access_key);
	buf_addc(&cred, '/');
	add_scope(&cred, sc);
	sigv4_uri_encode(q, cred.data, cred.len, false);
	buf_adds(q, "&X-Amz-Date=");
	buf_adds(q, sc->amz_date);
	buf_addf(q, "&X-Amz-Expires=%u", expires);
	if (token != NULL) {
		buf_adds(q, "&X-Amz-Security-Token=");
		sigv4_uri_encode(q, token, strlen(token), false);
	}
	buf_adds(q, "&X-Amz-SignedHeaders=");
	sigv4_uri_encode(q, signed_headers, strlen(signed_headers), false);
	buf_release(&cred);
}

void
sigv4_amz_date(long long t, char d[17])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(d, 17, "%Y%m%dT%H%M%SZ", &tm);
}
