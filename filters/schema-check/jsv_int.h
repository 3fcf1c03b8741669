/*
 * jsv_int.h - the insides of the JSON Schema validator, shared by
 * jsv_load.c (documents, resources, compilation), jsv_valid.c
 * (evaluation), jsv_format.c and jsv_uri.c.  Not for filters.
 */
#ifndef CODESIFT_JSV_INT_H
#define CODESIFT_JSV_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <pcre2.h>

#include "jsv.h"
#include "mem.h"

/* Nesting allowed in a schema document (json-c depth). */
#define JSV_JSON_DEPTH	512

/* ---- maps: string keys and pointer keys ---- */

struct smap_ent {
	char	*key;		/* owned */
	void	*val;
};

struct smap {
	struct smap_ent	*e;
	size_t		 n, cap;
};

void	*smap_get(const struct smap *m, const char *key);
/* Returns false (and leaves the map) if key is there already. */
bool	 smap_put(struct smap *m, const char *key, void *val);
void	 smap_release(struct smap *m);

struct pmap_ent {
	const void	*key;
	void		*val;
};

struct pmap {
	struct pmap_ent	*e;
	size_t		 n, cap;
};

void	*pmap_get(const struct pmap *m, const void *key);
void	 pmap_put(struct pmap *m, const void *key, void *val);
void	 pmap_release(struct pmap *m);

/* ---- URIs and JSON pointers (jsv_uri.c) ---- */

/* ref resolved against base (RFC 3986 5.2), dot segments removed. */
char	*uri_resolve(const char *base, const char *ref);
void	 uri_pct_decode(const char *s, size_t n, struct buf *out);
/*
 * Follow JSON pointer ptr ("" or "/a/0") from root.  trail, if not NULL,
 * receives the values passed through (up to maxtrail).
 */
bool	 jptr_get(json_object *root, const char *ptr,
	    json_object **out, json_object **trail, size_t *ntrail,
	    size_t maxtrail);
/* Append "/" and the escaped token. */
void	 jptr_add(struct buf *b, const char *tok, size_t n);
/* Append the pointer of target within root; false if not found. */
bool	 jptr_of(json_object *root, json_object *target,
	    struct buf *b);

/* ---- dialects and vocabularies ---- */

enum {
	VOC_CORE	= 1u << 0,
	VOC_APPLICATOR	= 1u << 1,
	VOC_UNEVALUATED	= 1u << 2,
	VOC_VALIDATION	= 1u << 3,
	VOC_FORMAT	= 1u << 4,	/* format-annotation */
	VOC_FORMAT_ASSERT = 1u << 5,	/* format-assertion */
	VOC_CONTENT	= 1u << 6,
	VOC_METADATA	= 1u << 7,
	VOC_ALL		= 0xffu & ~VOC_FORMAT_ASSERT
};

#define URI_2020	"https://json-schema.org/draft/2020-12/schema"
#define URI_D7		"http://json-schema.org/draft-07/schema"

struct jdoc;
struct jnode;

struct janchor {
	const char	*name;		/* borrowed from the schema */
	json_object	*obj;
	struct jnode	*node;		/* compiled at load */
};

/* A schema resource: a document root or a subschema with an $id. */
struct jres {
	char		*uri;		/* absolute, no fragment */
	int		 draft;		/* 7 or 2020 */
	unsigned	 vocab;
	json_object	*root;
	struct jdoc	*doc;
	struct janchor	*dyn;		/* $dynamicAnchor names */
	size_t		 ndyn;
};

struct jdoc {
	json_object	*root;		/* owned */
	char		*uri;		/* retrieval URI */
	char		*name;		/* for messages: a path or a URI */
	bool		 bundled;	/* an official meta-schema */
	bool		 checked;	/* validated against its meta-schema */
	bool		 forced;	/* dialect forced by --draft */
	struct jres	*res;		/* the root resource */
	const char	*meta;		/* $schema of the root, or NULL */
};

/* A registered URI: a resource, or an anchor ("uri#name"). */
struct jentry {
	json_object	*obj;
	struct jres	*res;
	bool		 dynamic;	/* a $dynamicAnchor */
};

/* ---- compiled schemas ---- */

enum jkind { JN_TRUE, JN_FALSE, JN_OBJ };

/* keyword bits of jnode.has */
enum {
	H_TYPE = 1u << 0, H_CONST = 1u << 1, H_ENUM = 1u << 2,
	H_MIN = 1u << 3, H_MAX = 1u << 4, H_XMIN = 1u << 5, H_XMAX = 1u << 6,
	H_MULT = 1u << 7, H_MINLEN = 1u << 8, H_MAXLEN = 1u << 9,
	H_PATTERN = 1u << 10, H_MINITEMS = 1u << 11, H_MAXITEMS = 1u << 12,
	H_UNIQUE = 1u << 13, H_MINCONT = 1u << 14, H_MAXCONT = 1u << 15,
	H_MINPROPS = 1u << 16, H_MAXPROPS = 1u << 17, H_REQUIRED = 1u << 18,
	H_FORMAT = 1u << 19,
	/* groups, to skip whole families at once */
	H_NUMERIC = H_MIN | H_MAX | H_XMIN | H_XMAX | H_MULT,
	H_STRING = H_MINLEN | H_MAXLEN | H_PATTERN | H_FORMAT,
	H_ARRAY = H_MINITEMS | H_MAXITEMS | H_UNIQUE,
	H_OBJECT = H_MINPROPS | H_MAXPROPS | H_REQUIRED
};

/* type bits */
enum {
	T_NULL = 1, T_BOOLEAN = 2, T_OBJECT = 4, T_ARRAY = 8, T_NUMBER = 16,
	T_STRING = 32, T_INTEGER = 64
};

struct jnum {
	long double	 v;
	json_object	*src;
};

struct jre {
	pcre2_code	*code;
	const char	*src;		/* borrowed from the schema */
};

struct jprop {
	const char	*name;		/* borrowed */
	size_t		 len;
	struct jnode	*s;
};

struct jpprop {
	struct jre	 re;
	struct jnode	*s;
};

struct jdepreq {
	const char	*name;
	const char	**req;
	size_t		 nreq;
};

struct jnode {
	uint8_t		 kind;		/* enum jkind */
	uint8_t		 draft;		/* 7 or 2020 */
	bool		 unev;		/* has unevaluatedProperties/Items */
	bool		 compiled;
	uint32_t	 has;		/* H_* */
	unsigned	 types;		/* T_* for "type" */
	struct jres	*res;		/* resource (dynamic scope) */
	json_object	*src;		/* the schema object */

	json_object	*cnst;
	json_object	**enums;
	size_t		 nenum;
	struct jnum	 min, max, xmin, xmax, mult;
	uint64_t	 min_len, max_len, min_items, max_items;
	uint64_t	 min_props, max_props, min_cont, max_cont;
	struct jre	 pattern;
	int		 format;	/* enum jfmt, or -1: unknown */
	const char	*format_name;

	struct jprop	*props;		/* sorted by name */
	size_t		 nprops;
	struct jpprop	*pprops;
	size_t		 npprops;
	struct jnode	*addl_props, *prop_names, *unev_props, *unev_items;
	struct jnode	**prefix;	/* prefixItems, draft-07 items [] */
	size_t		 nprefix;
	struct jnode	*items;		/* items after the prefix */
	bool		 items_array;	/* draft-07 items was an array */
	struct jnode	*addl_items;	/* draft-07 */
	struct jnode	*contains;
	struct jnode	**all_of, **any_of, **one_of;
	size_t		 nall, nany, none;
	struct jnode	*not_, *if_, *then_, *else_;
	const char	**required;
	size_t		 nrequired;
	struct jdepreq	*depreq;
	size_t		 ndepreq;
	struct jprop	*depsch;	/* dependentSchemas */
	size_t		 ndepsch;
	struct jnode	*ref;
	struct jnode	*dynref;	/* $dynamicRef, statically resolved */
	const char	*dyn_name;	/* bookended: the anchor to look up */
};

struct jmap {
	char	*prefix;		/* owned */
	char	*dir;
};

struct jsv {
	struct jsv_opts	 o;
	struct jmap	*maps;		/* copies of o.maps */
	struct jdoc	**docs;
	size_t		 ndocs;
	struct jres	**res;
	size_t		 nres;
	struct smap	 reg;		/* URI -> struct jentry */
	struct pmap	 where;		/* schema object -> its jres */
	struct pmap	 nodes;		/* schema object -> struct jnode */
	struct jnode	**all;		/* every node, for freeing */
	size_t		 nall, allcap;
	struct jnode	 t, f;		/* true and false */
	struct jnode	*root;
	int		 draft;
};

/* ---- formats (jsv_format.c) ---- */

enum jfmt {
	F_DATE_TIME, F_DATE, F_TIME, F_DURATION, F_EMAIL, F_IDN_EMAIL,
	F_HOSTNAME, F_IDN_HOSTNAME, F_IPV4, F_IPV6, F_URI, F_URI_REFERENCE,
	F_IRI, F_IRI_REFERENCE, F_URI_TEMPLATE, F_UUID, F_REGEX,
	F_JSON_POINTER, F_RELATIVE_JSON_POINTER
};

/* The format named s, or -1. */
int	 jsv_format_lookup(const char *s);
/*
 * Compile an ECMA-262 style pattern with PCRE2 (UTF mode); NULL with
 * the PCRE2 error code and offset on failure.
 */
pcre2_code *jsv_regex_compile(const char *s, size_t n, int *code,
	    size_t *off);
/* Does string s[0..n) conform to format f? */
bool	 jsv_format_check(int f, const char *s, size_t n);

/* ---- used across files ---- */

/* jsv_explain() against node n instead of the root (meta-schema checks). */
size_t	 jsv_explain_node(struct jsv_ctx *c, const struct jnode *n,
	    json_object *inst, size_t max);

/* Count the code points of UTF-8 text. */
size_t	 utf8_count(const char *s, size_t n);

#endif
