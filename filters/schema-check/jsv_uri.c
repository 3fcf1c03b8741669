/*
 * jsv_uri.c - URI references (RFC 3986 section 5) and JSON pointers
 * (RFC 6901), as $id, $ref and their fragments need them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "jsv_int.h"

struct parts {
	const char	*scheme, *auth, *path, *query, *frag;
	size_t		 nscheme, nauth, npath, nquery, nfrag;
	bool		 has_scheme, has_auth, has_query, has_frag;
};

static void
split(const char *s, struct parts *p)
{
	const char *q;
	size_t n = strlen(s), i;

	memset(p, 0, sizeof(*p));
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == ':') {
			if (i > 0) {
				p->has_scheme = true;
				p->scheme = s;
				p->nscheme = i;
				s += i + 1;
				n -= i + 1;
			}
			break;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (i > 0 && ((c >= '0' && c <= '9') || c == '+' ||
		    c == '-' || c == '.'))))
			break;
	}
	if ((q = memchr(s, '#', n)) != NULL) {
		p->has_frag = true;
		p->frag = q + 1;
		p->nfrag = n - (size_t)(q + 1 - s);
		n = (size_t)(q - s);
	}
	if ((q = memchr(s, '?', n)) != NULL) {
		p->has_query = true;
		p->query = q + 1;
		p->nquery = n - (size_t)(q + 1 - s);
		n = (size_t)(q - s);
	}
	if (n >= 2 && s[0] == '/' && s[1] == '/') {
		p->has_auth = true;
		p->auth = s + 2;
		for (i = 2; i < n && s[i] != '/'; i++)
			;
		p->nauth = i - 2;
		s += i;
		n -= i;
	}
	p->path = s;
	p->npath = n;
}

/* RFC 3986 5.2.4: remove "." and ".." segments from in into out. */
static void
remove_dots(const char *in, size_t n, struct buf *out)
{
	size_t i = 0, k;

	while (i < n) {
		if (n - i >= 3 && memcmp(in + i, "../", 3) == 0)
			i += 3;
		else if (n - i >= 2 && memcmp(in + i, "./", 2) == 0)
			i += 2;
		else if (n - i >= 3 && memcmp(in + i, "/./", 3) == 0)
			i += 2;
		else if (n - i == 2 && memcmp(in + i, "/.", 2) == 0) {
			i += 1;
			buf_addc(out, '/');
			i = n;
		} else if ((n - i >= 4 && memcmp(in + i, "/../", 4) == 0) ||
		    (n - i == 3 && memcmp(in + i, "/..", 3) == 0)) {
			bool end = n - i == 3;

			i += 3;
			while (out->len > 0 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
			if (out->data != NULL)
				out->data[out->len] = '\0';
			if (end) {
				buf_addc(out, '/');
				i = n;
			}
		} else if ((n - i == 1 && in[i] == '.') ||
		    (n - i == 2 && memcmp(in + i, "..", 2) == 0))
			i = n;
		else {
			k = i;
			if (in[k] == '/')
				k++;
			while (k < n && in[k] != '/')
				k++;
			buf_add(out, in + i, k - i);
			i = k;
		}
	}
}

static void
add_part(struct buf *b, const char *pre, const char *s, size_t n)
{
	buf_adds(b, pre);
	buf_add(b, s, n);
}

char *
uri_resolve(const char *base, const char *ref)
{
	struct parts b, r;
	struct buf out = BUF_INIT, path = BUF_INIT, merged = BUF_INIT;
	const char *slash;

	split(ref, &r);
	split(base, &b);
	if (r.has_scheme) {
		add_part(&out, "", r.scheme, r.nscheme);
		buf_addc(&out, ':');
		if (r.has_auth)
			add_part(&out, "//", r.auth, r.nauth);
		remove_dots(r.path, r.npath, &path);
		buf_add(&out, path.data, path.len);
		if (r.has_query)
			add_part(&out, "?", r.query, r.nquery);
		goto frag;
	}
	if (b.has_scheme) {
		add_part(&out, "", b.scheme, b.nscheme);
		buf_addc(&out, ':');
	}
	if (r.has_auth) {
		add_part(&out, "//", r.auth, r.nauth);
		remove_dots(r.path, r.npath, &path);
		buf_add(&out, path.data, path.len);
		if (r.has_query)
			add_part(&out, "?", r.query, r.nquery);
		goto frag;
	}
	if (b.has_auth)
		add_part(&out, "//", b.auth, b.nauth);
	if (r.npath == 0) {
		buf_add(&out, b.path, b.npath);
		if (r.has_query)
			add_part(&out, "?", r.query, r.nquery);
		else if (b.has_query)
			add_part(&out, "?", b.query, b.nquery);
		goto frag;
	}
	if (r.path[0] == '/')
		remove_dots(r.path, r.npath, &path);
	else {
		/* RFC 3986 5.2.3: merge with the base path */
		if (b.has_auth && b.npath == 0)
			buf_addc(&merged, '/');
		else if ((slash = b.npath > 0 ? (const char *)memrchr(b.path,
		    '/', b.npath) : NULL) != NULL)
			buf_add(&merged, b.path, (size_t)(slash - b.path) + 1);
		buf_add(&merged, r.path, r.npath);
		remove_dots(merged.data, merged.len, &path);
	}
	buf_add(&out, path.data, path.len);
	if (r.has_query)
		add_part(&out, "?", r.query, r.nquery);
frag:
	if (r.has_frag)
		add_part(&out, "#", r.frag, r.nfrag);
	buf_release(&path);
	buf_release(&merged);
	if (out.data == NULL)
		buf_adds(&out, "");
	return buf_detach(&out, NULL);
}

void
uri_pct_decode(const char *s, size_t n, struct buf *out)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (l = hex_digit((unsigned char)s[i + 2])) >= 0) {
			buf_addc(out, h * 16 + l);
			i += 2;
		} else
			buf_addc(out, s[i]);
	}
	if (out->data == NULL)
		buf_adds(out, "");
}

/* Next token of JSON pointer p (starting at '/'), unescaped into tok. */
static const char *
next_token(const char *p, struct buf *tok)
{
	buf_reset(tok);
	p++;			/* '/' */
	while (*p != '\0' && *p != '/') {
		if (p[0] == '~' && p[1] == '0') {
			buf_addc(tok, '~');
			p += 2;
		} else if (p[0] == '~' && p[1] == '1') {
			buf_addc(tok, '/');
			p += 2;
		} else
			buf_addc(tok, *p++);
	}
	if (tok->data == NULL)
		buf_adds(tok, "");
	return p;
}

static bool
array_index(const char *s, size_t n, size_t len, size_t *out)
{
	size_t v = 0, i;

	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	if (v >= len)
		return false;
	*out = v;
	return true;
}

bool
jptr_get(json_object *root, const char *ptr, json_object **out,
    json_object **trail, size_t *ntrail, size_t maxtrail)
{
	struct buf tok = BUF_INIT;
	json_object *cur = root, *next;
	size_t idx;
	bool ok = true;

	if (ntrail != NULL)
		*ntrail = 0;
	while (*ptr == '/') {
		ptr = next_token(ptr, &tok);
		if (json_object_is_type(cur, json_type_object)) {
			if (!json_object_object_get_ex(cur, tok.data, &next)) {
				ok = false;
				break;
			}
		} else if (json_object_is_type(cur, json_type_array)) {
			if (!array_index(tok.data, tok.len,
			    json_object_array_length(cur), &idx)) {
				ok = false;
				break;
			}
			next = json_object_array_get_idx(cur, idx);
		} else {
			ok = false;
			break;
		}
		cur = next;
		if (trail != NULL && *ntrail < maxtrail)
			trail[(*ntrail)++] = cur;
	}
	if (ok && *ptr != '\0')
		ok = false;
	buf_release(&tok);
	if (ok)
		*out = cur;
	return ok;
}

void
jptr_add(struct buf *b, const char *tok, size_t n)
{
	size_t i;

	buf_addc(b, '/');
	for (i = 0; i < n; i++) {
		if (tok[i] == '~')
			buf_adds(b, "~0");
		else if (tok[i] == '/')
			buf_adds(b, "~1");
		else
			buf_addc(b, tok[i]);
	}
}

/* Depth-first search for target under cur, appending its pointer to b. */
static bool
find_in(json_object *cur, json_object *target, struct buf *b, int depth)
{
	size_t mark = b->len, i, n;
	char num[32];

	if (cur == target)
		return true;
	if (depth > JSV_JSON_DEPTH)
		return false;
	if (json_object_is_type(cur, json_type_object)) {
		json_object_object_foreach(cur, k, v) {
			if (v == NULL)
				continue;
			jptr_add(b, k, strlen(k));
			if (find_in(v, target, b, depth + 1))
				return true;
			b->len = mark;
			b->data[mark] = '\0';
		}
	} else if (json_object_is_type(cur, json_type_array)) {
		n = json_object_array_length(cur);
		for (i = 0; i < n; i++) {
			snprintf(num, sizeof(num), "/%zu", i);
			buf_adds(b, num);
			if (find_in(json_object_array_get_idx(cur, i), target,
			    b, depth + 1))
				return true;
			b->len = mark;
			b->data[mark] = '\0';
		}
	}
	return false;
}

bool
jptr_of(json_object *root, json_object *target, struct buf *b)
{
	size_t mark = b->len;

	if (find_in(root, target, b, 0))
		return true;
	b->len = mark;
	if (b->data != NULL)
		b->data[mark] = '\0';
	return false;
}
