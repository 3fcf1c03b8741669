/*
 * test_jscan.c - the strict JSON scanner: grammar, UTF-8, escapes,
 * canonical-escape flags, nesting limits.
 */
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "t.h"

static enum jscan_status
scan(const char *s, struct jscan *js)
{
	return jscan_object(js, s, strlen(s), NULL);
}

static void
valid_objects(void)
{
	struct jscan js = JSCAN_INIT;
	const char *s = " {\"a\":1, \"b\" : [1,2,{\"c\":null}],\"c\":\"x\\ny\","
	    "\"d\":true,\"e\":false,\"f\":{},\"g\":-0.5e+3} \r";

	CHECK(scan(s, &js) == JSCAN_OK);
	CHECK_EQ_U(js.n, 7);
	CHECK_MEM(s + js.m[0].key_off, js.m[0].key_len, "a");
	CHECK_MEM(s + js.m[0].val_off, js.m[0].val_len, "1");
	CHECK(js.m[0].type == JT_NUMBER);
	CHECK_MEM(s + js.m[1].val_off, js.m[1].val_len, "[1,2,{\"c\":null}]");
	CHECK(js.m[1].type == JT_ARRAY);
	CHECK_MEM(s + js.m[2].val_off, js.m[2].val_len, "\"x\\ny\"");
	CHECK(js.m[2].type == JT_STRING && js.m[2].val_esc == JESC_CANON);
	CHECK(js.m[3].type == JT_TRUE && js.m[4].type == JT_FALSE);
	CHECK(js.m[5].type == JT_OBJECT);
	CHECK_MEM(s + js.m[6].val_off, js.m[6].val_len, "-0.5e+3");
	CHECK(scan("{}", &js) == JSCAN_OK && js.n == 0);
	CHECK(scan("{\"\":\"\"}", &js) == JSCAN_OK && js.n == 1);
	jscan_release(&js);
}

static void
invalid_json(void)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
		"{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{\"a\":01}",
		"{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}",
		"{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":NaN}",
		"{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}",
		"{\"a\":\"\\u123\"}", "{\"a\":[1,]}", "{\"a\":[}", "{} {}",
		"{}x", "{\"a\":1}}", "{\"a\":\"tab\there\"}",
	};
	struct jscan js = JSCAN_INIT;
	struct jscan_error e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum jscan_status st = jscan_object(&js, bad[i],
		    strlen(bad[i]), &e);

		if (st != JSCAN_BAD_JSON)
			printf("#   '%s' gave %d\n", bad[i], (int)st);
		CHECK(st == JSCAN_BAD_JSON);
		CHECK(e.what != NULL);
	}
	/* a raw NUL byte is a control character */
	CHECK(jscan_object(&js, "{\"a\":\"x\0y\"}", 11, &e) == JSCAN_BAD_JSON);
	CHECK_STR(e.what, "control character in string");
	CHECK_EQ_U(e.pos, 7);
	jscan_release(&js);
}

static void
not_objects(void)
{
	struct jscan js = JSCAN_INIT;

	CHECK(scan("[1,2]", &js) == JSCAN_NOT_OBJECT);
	CHECK(scan("\"x\"", &js) == JSCAN_NOT_OBJECT);
	CHECK(scan(" 12 ", &js) == JSCAN_NOT_OBJECT);
	CHECK(scan("null", &js) == JSCAN_NOT_OBJECT);
	CHECK(scan("[1,2", &js) == JSCAN_BAD_JSON);
	jscan_release(&js);
}

static void
utf8(void)
{
	static const char *const bad[] = {
		"\xC0\x80",		/* overlong NUL */
		"\xC1\xBF",		/* overlong */
		"\xE0\x80\x80",		/* overlong */
		"\xED\xA0\x80",		/* surrogate */
		"\xF4\x90\x80\x80",	/* above U+10FFFF */
		"\xF5\x80\x80\x80",
		"\xFF", "\x80", "\xE2\x82",	/* truncated */
	};
	static const char *const good[] = {
		"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF",
		"\xF4\x8F\xBF\xBF", "\xED\x9F\xBF",
	};
	struct jscan js = JSCAN_INIT;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"a\":\"x%sy\"}", bad[i]);
		CHECK(scan(buf, &js) == JSCAN_BAD_UTF8);
		CHECK(!utf8_valid(bad[i], strlen(bad[i]), NULL));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"a\":\"x%sy\"}", good[i]);
		CHECK(scan(buf, &js) == JSCAN_OK);
		CHECK(utf8_valid(good[i], strlen(good[i]), NULL));
	}
	/* long ASCII runs take the vector path; a late bad byte is found */
	memset(buf, 'a', 40);
	buf[37] = '\xff';
	{
		size_t bad_at = 0;

		CHECK(!utf8_valid(buf, 40, &bad_at));
		CHECK_EQ_U(bad_at, 37);
	}
	jscan_release(&js);
}

static void
nesting(void)
{
	struct jscan js = JSCAN_INIT;
	size_t depth, i, n;
	char *s;

	for (depth = JSCAN_MAX_DEPTH - 1; depth <= JSCAN_MAX_DEPTH + 1;
	    depth++) {
		s = malloc(2 * depth + 16);
		n = 0;
		s[n++] = '{';
		s[n++] = '"';
		s[n++] = 'a';
		s[n++] = '"';
		s[n++] = ':';
		for (i = 0; i < depth; i++)
			s[n++] = '[';
		for (i = 0; i < depth; i++)
			s[n++] = ']';
		s[n++] = '}';
		CHECK(jscan_object(&js, s, n, NULL) == (depth + 1 <=
		    JSCAN_MAX_DEPTH ? JSCAN_OK : JSCAN_TOO_DEEP));
		free(s);
	}
	jscan_release(&js);
}

static void
unescape(void)
{
	static const struct { const char *in, *out; size_t outlen; } c[] = {
		{ "plain", "plain", 5 },
		{ "a\\nb\\tc\\r\\b\\f\\\\\\\"\\/", "a\nb\tc\r\b\f\\\"/", 11 },
		{ "\\u00e9\\u20AC", "\xC3\xA9\xE2\x82\xAC", 5 },
		{ "\\ud83d\\ude00", "\xF0\x9F\x98\x80", 4 },
		{ "\\ud83dx", "\xEF\xBF\xBDx", 4 },		/* lone high */
		{ "\\ude00", "\xEF\xBF\xBD", 3 },		/* lone low */
		{ "\\ud83d\\u0041", "\xEF\xBF\xBD" "A", 4 },
		{ "a\\u0000b", "a\0b", 3 },
		/* escapes on both sides of the 16-byte vector boundary */
		{ "0123456789abcde\\n0123456789abcdef\\n\\n",
		    "0123456789abcde\n0123456789abcdef\n\n", 34 },
	};
	char out[128];
	size_t i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = jscan_unescape(c[i].in, strlen(c[i].in), out);
		CHECK_EQ_U(n, c[i].outlen);
		CHECK(memcmp(out, c[i].out, c[i].outlen) == 0);
	}
}

static void
escape(void)
{
	struct buf b = BUF_INIT;

	CHECK_EQ_U(jscan_escape(&b, "a\"b\\c\n\t\x01\x7f\xC3\xA9", 11), 0);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xC3\xA9\"");
	buf_reset(&b);
	CHECK_EQ_U(jscan_escape(&b, "x\xFFy\xC3", 4), 2);
	CHECK_STR(b.data, "\"x\xEF\xBF\xBDy\xEF\xBF\xBD\"");
	buf_release(&b);
}

static void
canonical(void)
{
	struct jscan js = JSCAN_INIT;
	const char *s = "{\"a\":\"x\",\"b\":\"x\\ny\\u001b\",\"c\":\"\\/\","
	    "\"d\":\"\\u00e9\",\"e\":\"\\u001B\",\"f\":\"\\u000a\"}";
	struct buf b = BUF_INIT;
	char tmp[64];
	size_t n;

	CHECK(scan(s, &js) == JSCAN_OK);
	CHECK(js.m[0].val_esc == JESC_NONE);
	CHECK(js.m[1].val_esc == JESC_CANON);
	CHECK(js.m[2].val_esc == JESC_OTHER);
	CHECK(js.m[3].val_esc == JESC_OTHER);
	CHECK(js.m[4].val_esc == JESC_OTHER);
	CHECK(js.m[5].val_esc == JESC_OTHER);
	/* canonical means: escaping the text gives the same bytes back */
	n = jscan_unescape(s + js.m[1].val_off + 1, js.m[1].val_len - 2, tmp);
	jscan_escape(&b, tmp, n);
	CHECK_MEM(b.data, b.len, "\"x\\ny\\u001b\"");
	buf_release(&b);
	jscan_release(&js);
}

static void
utf8_complete(void)
{
	CHECK_EQ_U(jscan_utf8_complete("ab", 2), 2);
	CHECK_EQ_U(jscan_utf8_complete("a\xC3", 2), 1);
	CHECK_EQ_U(jscan_utf8_complete("a\xC3\xA9", 3), 3);
	CHECK_EQ_U(jscan_utf8_complete("a\xF0\x9F\x98", 4), 1);
	CHECK_EQ_U(jscan_utf8_complete("a\xF0\x9F\x98\x80", 5), 5);
	CHECK_EQ_U(jscan_utf8_complete("\x80\x80\x80\x80", 4), 4);
}

static void
values(void)
{
	enum jtype t;

	CHECK(jscan_value(" [1, {\"a\": \"b\"}] ", 17, &t, NULL) == JSCAN_OK);
	CHECK(t == JT_ARRAY);
	CHECK(jscan_value("3.25", 4, &t, NULL) == JSCAN_OK && t == JT_NUMBER);
	CHECK(jscan_value("1 2", 3, &t, NULL) == JSCAN_BAD_JSON);
}

int
main(void)
{
	T_RUN(valid_objects);
	T_RUN(invalid_json);
	T_RUN(not_objects);
	T_RUN(utf8);
	T_RUN(nesting);
	T_RUN(unescape);
	T_RUN(escape);
	T_RUN(canonical);
	T_RUN(utf8_complete);
	T_RUN(values);
	return t_done();
}
