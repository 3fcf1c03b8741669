/*
 * charset.h - decode a file's bytes to UTF-8 the way Python's codecs do.
 *
 * The Stack v2 decoded every file with bytes.decode(src_encoding), where
 * src_encoding is cchardet's name for the charset, so the same name must
 * give the same text here.  Names are looked up as Python looks them up
 * (case, punctuation and aliases: "SHIFT_JIS", "Shift-JIS" and "sjis" are
 * one codec).  Single-byte codecs use tables taken from Python; multi-byte
 * ones use glibc's iconv with the characters where glibc and Python differ
 * overridden (glibc's SHIFT_JIS turns '\' into U+00A5, for one).  Both
 * come from gen-charsets.py, and the tests compare the decoder with Python
 * on every 1- and 2-byte sequence.
 *
 * Decoding is strict, as Python's default is: the first byte that cannot
 * be decoded fails the whole text.
 */
#ifndef CODESIFT_CHARSET_H
#define CODESIFT_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

struct charset;

/* The codec for a name, or NULL if Python has no such codec (or we lack it). */
const struct charset *charset_find(const char *name, size_t n);

/* The codec's Python name ("shift_jis", "cp1252", "utf-8"). */
const char *charset_name(const struct charset *cs);

/* Is it UTF-8 (decoding only validates, no copy)? */
bool	charset_is_utf8(const struct charset *cs);

/* Per-thread decoder state: iconv descriptors and lookup bitmaps. */
struct charset_ctx;
struct charset_ctx *charset_ctx_new(void);
void	charset_ctx_free(struct charset_ctx *ctx);

/*
 * Decode in[0..n) to UTF-8.  On success *out points to the text: in itself
 * for UTF-8, else scratch's bytes (reset first).  On failure returns false
 * with *bad the offset of the first undecodable byte.
 */
bool	charset_decode(struct charset_ctx *ctx, const struct charset *cs,
	    const char *in, size_t n, struct buf *scratch, struct strv *out,
	    size_t *bad);

/* Number of codecs and the i-th one (for tests and --help listings). */
size_t	charset_count(void);
const struct charset *charset_at(size_t i);
/* "sbcs", "mbcs" or "utf" */
const char *charset_kind(const struct charset *cs);

#endif
