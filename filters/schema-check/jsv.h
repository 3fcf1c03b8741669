/*
 * jsv.h - a JSON Schema validator (draft 2020-12 and draft-07) over json-c.
 *
 * jsv_load() reads a schema, decides its dialect ($schema, or the forced
 * one), checks it against its meta-schema (the official ones are bundled
 * under configs/schemas/) and compiles it, loading every document its
 * $refs reach: bundled meta-schemas, files named by --schema-map prefixes
 * and file: URIs.  There is no network access.  After loading, the
 * compiled schema is immutable and can be shared by threads, each with
 * its own struct jsv_ctx.
 *
 * Validation has two speeds.  jsv_valid() answers yes or no, stopping at
 * the first failure.  jsv_explain() validates again and collects the
 * errors, each naming the JSON pointer of the instance and the path of the
 * failing keyword (as the standard's "basic" output does); filters call it
 * only for records that failed.
 *
 * Ownership: errors and their strings are owned by the context and valid
 * until its next validation.  Schemas (json-c trees) are owned by the jsv.
 */
#ifndef CODESIFT_JSV_H
#define CODESIFT_JSV_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "mem.h"

enum jsv_draft {
	JSV_DRAFT_AUTO = 0,	/* from $schema; 2020-12 when absent */
	JSV_DRAFT_7 = 7,
	JSV_DRAFT_2020 = 2020
};

struct jsv_map {
	const char	*prefix;	/* a URI prefix, e.g. http://host/ */
	const char	*dir;		/* the directory that serves it */
};

struct jsv_opts {
	enum jsv_draft		 draft;		/* forced for the root */
	bool			 format_assert;	/* check "format" */
	const struct jsv_map	*maps;
	size_t			 nmaps;
	size_t			 max_depth;	/* 0: JSV_MAX_DEPTH */
};

/* Nested evaluations (applicators, $refs) allowed before an error. */
#define JSV_MAX_DEPTH	2000

struct jsv;
struct jsv_ctx;

struct jsv_error {
	const char	*instance;	/* JSON pointer into the instance */
	const char	*schema;	/* keyword path from the root schema */
	const char	*keyword;	/* the failing keyword */
	const char	*message;	/* what went wrong, lower case */
};

/*
 * Load and compile the schema in file path.  On failure returns NULL and
 * err holds one line: "path:line:column: ..." for bad JSON, "path: /ptr:
 * ..." for an invalid schema or a $ref that cannot be resolved.
 */
struct jsv *jsv_load(const char *path, const struct jsv_opts *o,
	    struct buf *err);
/* The same from memory; name is used in messages and as the base URI. */
struct jsv *jsv_load_mem(const char *text, size_t n, const char *name,
	    const struct jsv_opts *o, struct buf *err);
void	jsv_free(struct jsv *v);

/* The dialect the root schema was compiled as (7 or 2020). */
int	jsv_draft(const struct jsv *v);
/* Bytes of schema documents loaded, and how many documents. */
size_t	jsv_ndocs(const struct jsv *v);

struct jsv_ctx *jsv_ctx_new(const struct jsv *v);
void	jsv_ctx_free(struct jsv_ctx *c);

/* Is inst valid?  inst may be NULL (JSON null). */
bool	jsv_valid(struct jsv_ctx *c, json_object *inst);

/*
 * Validate inst and collect up to max errors; returns how many there are
 * (0 if valid).  jsv_nerrors_total() tells how many were found in all.
 */
size_t	jsv_explain(struct jsv_ctx *c, json_object *inst, size_t max);
const struct jsv_error *jsv_error(const struct jsv_ctx *c, size_t i);
size_t	jsv_nerrors_total(const struct jsv_ctx *c);

/* Deep equality with JSON semantics (1 == 1.0, objects unordered). */
bool	jsv_equal(json_object *a, json_object *b);

#endif
