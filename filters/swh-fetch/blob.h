/*
 * blob.h - from a Software Heritage object to a record's text.
 *
 * An object (key content/<sha1>) is the gzip of the file's raw bytes.
 * blob_open() inflates it and checks that SHA-1 of the raw bytes is the
 * key (Software Heritage's "sha1", The Stack v2's blob_id).  blob_text()
 * then applies what The Stack v2 applied to each file: the git blob id
 * (content_id, when known), no NUL byte, decoding from src_encoding, and
 * checks length_bytes, the size of the UTF-8 text.  Each failure has a
 * reject reason (blob_reason()) and a detail message.
 *
 * A struct blob_ctx holds one thread's zlib stream, hash contexts and
 * decoder state; buffers belong to the caller.
 */
#ifndef CODESIFT_BLOB_H
#define CODESIFT_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "charset.h"
#include "mem.h"

enum blob_status {
	BLOB_OK = 0,
	BLOB_BAD_GZIP,		/* "bad-gzip": not gzip, corrupt, truncated */
	BLOB_TOO_LARGE,		/* "too-large": over the byte limit */
	BLOB_INTEGRITY,		/* "integrity": SHA-1 or git id mismatch */
	BLOB_BINARY,		/* "binary": holds a NUL byte */
	BLOB_BAD_ENCODING,	/* "bad-encoding": not decodable */
	BLOB_LENGTH	/* "length-mismatch": UTF-8 size != length_bytes */
};

/* The reject reason of a status (static string; "" for BLOB_OK). */
const char *blob_reason(enum blob_status st);

struct blob_ctx;
struct blob_ctx *blob_ctx_new(void);
void	blob_ctx_free(struct blob_ctx *ctx);

/*
 * Inflate gz[0..n) (gzip members, zero padding allowed after them, as
 * Python's gzip module reads them) into raw (reset first), at most max
 * bytes, and check SHA-1(raw) == id.  On failure, detail (reset) says why.
 */
enum blob_status blob_open(struct blob_ctx *ctx, const void *gz, size_t n,
	    size_t max, const uint8_t id[20], struct buf *raw,
	    struct buf *detail);

/* What a record says about its file. */
struct blob_want {
	bool			 has_git;	/* content_id known */
	uint8_t			 git[20];
	const struct charset	*cs;		/* src_encoding */
	int64_t			 length;	/* length_bytes; -1: unknown */
	size_t			 max;		/* --max-bytes for the text */
};

/*
 * Check raw[0..n) against w and decode it.  On success *text is the UTF-8
 * text (raw itself, or ctx's scratch until the next call) and sha256 its
 * lowercase hex SHA-256.  On failure detail (reset) says why.
 */
enum blob_status blob_text(struct blob_ctx *ctx, const char *raw, size_t n,
	    const struct blob_want *w, struct strv *text, char sha256[65],
	    struct buf *detail);

/* Parse 40 hex digits (either case) into id; false if s is not that. */
bool	blob_parse_id(const char *s, size_t n, uint8_t id[20]);
/* Lowercase hex of id into hex (41 bytes). */
void	blob_format_id(const uint8_t id[20], char hex[41]);
/* SHA-1 of p[0..n). */
void	blob_sha1(struct blob_ctx *ctx, const void *p, size_t n,
	    uint8_t out[20]);

#endif
