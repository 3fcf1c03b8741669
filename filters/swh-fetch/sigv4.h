/*
 * sigv4.h - AWS Signature Version 4 (HMAC-SHA256), as S3 uses it.
 *
 * The signer is generic enough to pass the AWS SigV4 test suite: a
 * request is a method, a raw (not percent-encoded) path, a raw query
 * string, a list of headers and a payload hash.  The canonical request
 * percent-encodes the path once (S3 never encodes it twice) and removes
 * dot segments only when normalize_path is set (never for S3); query
 * parameters are decoded, re-encoded and sorted; header names are
 * lowercased, values trimmed with inner runs of spaces collapsed, and
 * repeated headers joined with ',' in order.
 *
 * Nothing here keeps a secret: the caller passes the secret key to
 * sigv4_signing_key() and may wipe it afterwards; the derived key is only
 * good for one date, region and service.  No function prints anything.
 */
#ifndef CODESIFT_SIGV4_H
#define CODESIFT_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct sigv4_header {
	const char	*name;	/* any case; NUL-terminated */
	const char	*value;	/* as sent; NUL-terminated */
};

struct sigv4_request {
	const char	*method;
	const char	*path;		/* raw path, e.g. "/content/ab12..." */
	const char	*query;	/* after '?', may hold %XX; NULL: none */
	const struct sigv4_header *headers;
	size_t		 nheaders;
	const char	*payload_hash;	/* hex SHA-256 or UNSIGNED-PAYLOAD */
};

struct sigv4_scope {
	const char	*amz_date;	/* "20150830T123600Z" */
	const char	*region;	/* "us-east-1" */
	const char	*service;	/* "s3" */
	bool		 normalize_path; /* remove dot segments (not for S3) */
};

/*
 * The canonical request into creq (appended) and the signed header list
 * ("host;x-amz-date") into signed_headers (appended).
 */
void	sigv4_canonical_request(const struct sigv4_scope *sc,
	    const struct sigv4_request *rq, struct buf *creq,
	    struct buf *signed_headers);

/* The string to sign for a canonical request (appended to sts). */
void	sigv4_string_to_sign(const struct sigv4_scope *sc, const char *creq,
	    size_t n, struct buf *sts);

/* The signing key: HMAC chain over date, region, service, aws4_request. */
void	sigv4_signing_key(const char *secret, const struct sigv4_scope *sc,
	    unsigned char key[32]);

/* hex(HMAC-SHA256(key, sts)) into sig (65 bytes with the NUL). */
void	sigv4_signature(const unsigned char key[32], const char *sts,
	    size_t n, char sig[65]);

/*
 * The Authorization header value:
 * "AWS4-HMAC-SHA256 Credential=AK/scope, SignedHeaders=..., Signature=...".
 */
void	sigv4_authorization(const struct sigv4_scope *sc,
	    const char *access_key, const char *signed_headers,
	    const char *sig, struct buf *out);

/*
 * Query parameters of a presigned URL, before the signature, appended to
 * q (with a leading '&' if q is not empty): X-Amz-Algorithm, Credential,
 * Date, Expires, SignedHeaders and, when token is not NULL,
 * X-Amz-Security-Token, all encoded.
 */
void	sigv4_presign_params(const struct sigv4_scope *sc,
	    const char *access_key, const char *token, unsigned expires,
	    const char *signed_headers, struct buf *q);

/*
 * Percent-encode s[0..n) as SigV4 does: every byte but A-Z a-z 0-9 - _ . ~
 * (and '/' when keep_slash) as %XX with uppercase hex.
 */
void	sigv4_uri_encode(struct buf *b, const char *s, size_t n,
	    bool keep_slash);

/* "YYYYMMDDTHHMMSSZ" for time t (UTC) into d (17 bytes). */
void	sigv4_amz_date(long long t, char d[17]);

/* Lowercase hex of SHA-256(p[0..n)) into hex (65 bytes). */
void	sigv4_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
