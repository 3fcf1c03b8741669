/*
 * fuzz_rec.c - libFuzzer target for the record reader's fast path.
 *
 * The input is one line.  jscan must never crash, must agree with a slow
 * reference validator on whether the line is JSON and an object, and for
 * accepted objects every string member must unescape to json-c's bytes.
 * Editing a member must render a line that scans again.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rec.h"

static json_object *
json_c_parse(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new_ex(JSCAN_MAX_DEPTH + 2);
	char *s = malloc(size + 1);
	json_object *o;
	size_t n = size;

	memcpy(s, data, size);
	s[size] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	/* json-c stops at the value's end: trailing blanks are allowed */
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	o = json_tokener_parse_ex(tok, s, (int)n + 1);
	if (o != NULL && tok->char_offset < (int)n) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	free(s);
	return o;
}

/*
 * A slow, obvious RFC 8259 validator: the oracle for accept/reject.
 * (json-c's strict mode is laxer: it takes raw control characters, "2.",
 * "-025" and some overlong UTF-8.)
 */
struct ref {
	const unsigned char	*p;
	size_t			 n, i;
	int			 depth;
};

static void
ref_ws(struct ref *r)
{
	while (r->i < r->n && strchr(" \t\r\n", r->p[r->i]) != NULL &&
	    r->p[r->i] != '\0')
		r->i++;
}

static bool ref_value(struct ref *r);

static bool
ref_string(struct ref *r)
{
	size_t k;

	if (r->i >= r->n || r->p[r->i] != '"')
		return false;
	for (r->i++; r->i < r->n; ) {
		unsigned char c = r->p[r->i];

		if (c == '"') {
			r->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (r->i + 1 >= r->n)
				return false;
			c = r->p[r->i + 1];
			if (c == 'u') {
				for (k = 2; k < 6; k++)
					if (r->i + k >= r->n ||
					    !isxdigit(r->p[r->i + k]))
						return false;
				r->i += 6;
			} else if (strchr("\"\\/bfnrt", c) != NULL && c != 0)
				r->i += 2;
			else
				return false;
			continue;
		}
		if (c < 0x80) {
			r->i++;
			continue;
		}
		/* UTF-8 by the book: lead byte ranges and continuations */
		{
			uint32_t cp;
			int len;

			if (c >= 0xC2 && c <= 0xDF) {
				len = 2;
				cp = c & 0x1F;
			} else if (c >= 0xE0 && c <= 0xEF) {
				len = 3;
				cp = c & 0x0F;
			} else if (c >= 0xF0 && c <= 0xF4) {
				len = 4;
				cp = c & 0x07;
			} else
				return false;
			if (r->i + (size_t)len > r->n)
				return false;
			for (k = 1; k < (size_t)len; k++) {
				if ((r->p[r->i + k] & 0xC0) != 0x80)
					return false;
				cp = cp << 6 | (r->p[r->i + k] & 0x3F);
			}
			if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return false;
			r->i += (size_t)len;
		}
	}
	return false;
}

static bool
ref_digits(struct ref *r)
{
	size_t st = r->i;

	while (r->i < r->n && isdigit(r->p[r->i]))
		r->i++;
	return r->i > st;
}

static bool
ref_number(struct ref *r)
{
	if (r->i < r->n && r->p[r->i] == '-')
		r->i++;
	if (r->i < r->n && r->p[r->i] == '0')
		r->i++;
	else if (r->i < r->n && r->p[r->i] >= '1' && r->p[r->i] <= '9')
		ref_digits(r);
	else
		return false;
	if (r->i < r->n && r->p[r->i] == '.') {
		r->i++;
		if (!ref_digits(r))
			return false;
	}
	if (r->i < r->n && (r->p[r->i] == 'e' || r->p[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (r->p[r->i] == '+' || r->p[r->i] == '-'))
			r->i++;
		if (!ref_digits(r))
			return false;
	}
	return true;
}

static bool
ref_lit(struct ref *r, const char *w)
{
	size_t k = strlen(w);

	if (r->n - r->i < k || memcmp(r->p + r->i, w, k) != 0)
		return false;
	r->i += k;
	return true;
}

static bool
ref_container(struct ref *r, char close)
{
	bool obj = close == '}';

	if (++r->depth > JSCAN_MAX_DEPTH)
		return false;
	r->i++;
	ref_ws(r);
	if (r->i < r->n && r->p[r->i] == close) {
		r->i++;
		r->depth--;
		return true;
	}
	for (;;) {
		if (obj) {
			if (!ref_string(r))
				return false;
			ref_ws(r);
			if (r->i >= r->n || r->p[r->i] != ':')
				return false;
			r->i++;
			ref_ws(r);
		}
		if (!ref_value(r))
			return false;
		ref_ws(r);
		if (r->i < r->n && r->p[r->i] == ',') {
			r->i++;
			ref_ws(r);
			continue;
		}
		if (r->i < r->n && r->p[r->i] == close) {
			r->i++;
			r->depth--;
			return true;
		}
		return false;
	}
}

static bool
ref_value(struct ref *r)
{
	if (r->i >= r->n)
		return false;
	switch (r->p[r->i]) {
	case '{': return ref_container(r, '}');
	case '[': return ref_container(r, ']');
	case '"': return ref_string(r);
	case 't': return ref_lit(r, "true");
	case 'f': return ref_lit(r, "false");
	case 'n': return ref_lit(r, "null");
	default: return ref_number(r);
	}
}

/* 1: a JSON object; 0: not JSON; -1: JSON but not an object. */
static int
ref_object(const uint8_t *data, size_t size)
{
	struct ref r = { data, size, 0, 0 };
	bool obj;

	ref_ws(&r);
	obj = r.i < r.n && r.p[r.i] == '{';
	if (!ref_value(&r))
		return 0;
	ref_ws(&r);
	if (r.i != r.n)
		return 0;
	return obj ? 1 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r = REC_INIT;
	json_object *o;
	bool ok;
	size_t i;

	if (size > 1 << 16 || memchr(data, '\n', size) != NULL ||
	    memchr(data, '\0', size) != NULL)
		return 0;	/* one line, as the reader delivers it */
	rec_set_line(&r, (const char *)data, size, "fuzz", 1);
	ok = rec_scan(&r);
	o = json_c_parse(data, size);
	/* acceptance must agree with the reference, reason for reason */
	switch (ref_object(data, size)) {
	case 1:
		if (!ok)
			abort();
		if (o == NULL)
			abort();	/* json-c refuses a valid object */
		break;
	case -1:
		if (ok || strcmp(rec_reason(&r), "not-object") != 0)
			abort();
		break;
	default:
		if (ok || strcmp(rec_reason(&r), "not-object") == 0)
			abort();
		break;
	}
	if (ok) {
		for (i = 0; i < r.js.n; i++) {
			const struct jmember *m = &r.js.m[i];
			struct strv s;

			if (m->type == JT_STRING) {
				s = rec_member_str(&r, m);
				(void)s;
			}
		}
		/* json-c cuts keys at an escaped NUL: compare without them */
		if (json_object_is_type(o, json_type_object) &&
		    memmem(data, size, "\\u0000", 6) == NULL) {
			json_object_object_foreach(o, k, v) {
				const struct jmember *m = rec_member(&r, k);
				struct strv s;

				if (m == NULL)
					abort();
				if (m->type == JT_STRING) {
					s = rec_member_str(&r, m);
					if ((size_t)json_object_get_string_len(v) !=
					    s.n || memcmp(s.p,
					    json_object_get_string(v), s.n) != 0) {
						/* json-c keeps lone surrogates
						 * differently; both are valid */
						if (memmem(data, size, "\\u", 2) == NULL &&
						    memmem(data, size, "\\U", 2) == NULL)
							abort();
					}
				}
			}
		}
		/* an edit renders a line that scans again */
		{
			struct buf b = BUF_INIT;
			struct rec r2 = REC_INIT;

			rec_set_str(&r, "fuzz", (const char *)data,
			    size > 64 ? 64 : size);
			rec_render(&r, &b);
			rec_set_line(&r2, b.data, b.len, "fuzz", 2);
			if (!rec_scan(&r2))
				abort();
			rec_release(&r2);
			buf_release(&b);
		}
	}
	json_object_put(o);
	rec_release(&r);
	return 0;
}
