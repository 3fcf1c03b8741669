/*
 * rec.h - NDJSON records: reading lines, reading fields, editing fields.
 *
 * Reading.  struct rec_in yields one line at a time from a list of inputs
 * (stdin or files, gzip/zstd by name or magic), with no line-length limit
 * but max_bytes: a longer line is returned as REC_TOOBIG and its bytes can
 * be drained chunk by chunk (so a reject can still carry it whole).  Lines
 * are kept byte for byte (a CR before the newline stays); a last line
 * without a newline counts.
 *
 * Fields.  Nothing is parsed until a filter asks: the first getter call
 * validates the whole line with jscan (strict JSON, valid UTF-8) and
 * locates the top-level members; strings are unescaped on demand.  With a
 * duplicated key, the last one wins (as json-c and Python do).  When a
 * getter fails, rec_reason()/rec_detail() say why, in the words of a reject
 * record (run_reject_rec() uses them).
 *
 * Editing.  rec_set_*() replace a member's value in place or append a new
 * member; rec_render() writes the line with the edits, every other byte
 * unchanged.  A record without edits is written as read.
 *
 * Ownership.  r->raw is borrowed from the reader and valid until the next
 * rec_in_next() on it.  Strings returned by getters are borrowed from the
 * record (its line or its arena) and valid until the record is cleared
 * (the next rec_in_next(), rec_set_line() or rec_release()).
 */
#ifndef CODESIFT_REC_H
#define CODESIFT_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "jscan.h"
#include "mem.h"

struct rec_edit;

struct rec {
	const char	*raw;	/* borrowed: the line, without its newline */
	size_t		 len;	/* bytes in raw */
	uint64_t	 line;	/* 1-based line number in file */
	const char	*file;	/* borrowed: name of the input ("-" = stdin) */

	/* private to rec.c */
	int		 scanned;	/* 0 not yet, 1 ok, -1 failed */
	struct jscan	 js;
	struct arena	 arena;
	const char	*reason;
	struct buf	 detail;
	struct rec_edit	*ed;
	size_t		 ned, edcap;
	struct buf	 edbuf;
	json_object	*obj;
};
#define REC_INIT { NULL, 0, 0, NULL, 0, JSCAN_INIT, ARENA_INIT, NULL, \
	BUF_INIT, NULL, 0, 0, BUF_INIT, NULL }

/* Point r at a new line (clears fields, edits and the json-c tree). */
void	rec_set_line(struct rec *r, const char *raw, size_t len,
	    const char *file, uint64_t line);
void	rec_release(struct rec *r);

/* ---- reading lines ---- */

struct rec_in;

enum rec_next {
	REC_EOF = 0,
	REC_OK,
	REC_TOOBIG	/* r->raw holds the first max_bytes; drain the rest */
};

/*
 * Open the inputs (n == 0: stdin).  Inputs are opened one after the other
 * as reading reaches them; rec_in_check() opens none but reports the first
 * path that cannot be read (NULL if all can), for a status-2 exit before
 * any input is read.
 */
struct rec_in *rec_in_open(char *const paths[], size_t n, size_t max_bytes);
const char *rec_in_check(char *const paths[], size_t n, const char **why);
enum rec_next rec_in_next(struct rec_in *in, struct rec *r);
/*
 * After REC_TOOBIG: the next piece of the long line in *p and *n; returns
 * false once the whole line (up to its newline) was returned.
 */
bool	rec_in_drain(struct rec_in *in, const char **p, size_t *n);
/* Decompressed bytes consumed so far, newlines included. */
uint64_t rec_in_bytes(const struct rec_in *in);
void	rec_in_close(struct rec_in *in);

/* ---- fields ---- */

enum rec_get {
	REC_GOT = 0,
	REC_ABSENT,	/* no such member (reason "missing-field") */
	REC_BAD		/* not JSON / not an object / wrong type */
};

/* Validate the line and locate its members (done once, lazily). */
bool	rec_scan(struct rec *r);

/* The member named key (last one wins), or NULL; scans if needed. */
const struct jmember *rec_member(struct rec *r, const char *key);

/* The type of member key, or -1 if absent or the line is not an object. */
int	rec_type(struct rec *r, const char *key);

/* A string member, unescaped.  REC_BAD if it is not a string. */
enum rec_get rec_str(struct rec *r, const char *key, struct strv *out);

/*
 * A string member in canonical JSON escaping, without quotes (see enum
 * jesc in jscan.h): a one-to-one function of its text, so it can be
 * hashed or compared in place of the text.  Zero-copy when the line
 * already escapes canonically (the usual case); re-escaped otherwise.
 */
enum rec_get rec_str_canon(struct rec *r, const char *key, struct strv *out);

/* An integer member (a JSON number with no fraction, within int64). */
enum rec_get rec_i64(struct rec *r, const char *key, int64_t *out);

/* A number member as double. */
enum rec_get rec_num(struct rec *r, const char *key, double *out);

/* A boolean member. */
enum rec_get rec_bool(struct rec *r, const char *key, bool *out);

/* A member's JSON text, as written in the line. */
enum rec_get rec_raw(struct rec *r, const char *key, struct strv *out);

/*
 * A member parsed by json-c: a new reference the caller must put.  NULL if
 * absent (reason "missing-field") or the line is bad.
 */
json_object *rec_get_json(struct rec *r, const char *key);

/*
 * The whole record parsed by json-c, borrowed until the record is cleared
 * (json_object_get() to keep it).  NULL if the line is not a JSON object.
 */
json_object *rec_json(struct rec *r);

/* Why the last getter failed: a reject reason and a detail message. */
const char *rec_reason(const struct rec *r);
const char *rec_detail(const struct rec *r);

/* Set the failure reason and detail, for a filter's own checks. */
void	rec_fail(struct rec *r, const char *reason, const char *fmt, ...)
	    ERR_PRINTF(3, 4);

/* Unescape a string member found with rec_member() into r's arena. */
struct strv rec_member_str(struct rec *r, const struct jmember *m);

/* ---- editing (the record must scan; it is a bug otherwise) ---- */

void	rec_set_str(struct rec *r, const char *key, const char *s, size_t n);
void	rec_set_raw(struct rec *r, const char *key, const char *json,
	    size_t n);
void	rec_set_i64(struct rec *r, const char *key, int64_t v);
void	rec_del(struct rec *r, const char *key);
bool	rec_edited(const struct rec *r);

/* Append the record as one line (without newline) to out, edits applied. */
void	rec_render(struct rec *r, struct buf *out);

#endif
