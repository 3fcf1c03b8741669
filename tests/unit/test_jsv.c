/*
 * test_jsv.c - the JSON Schema validator's parts: URI resolution (the
 * examples of RFC 3986 section 5.4), JSON pointers, equality, formats,
 * loading errors, explained errors, and thread-independent contexts.
 */
#include <stdlib.h>
#include <string.h>

#include "jsv_int.h"
#include "t.h"

static void
check_resolve(const char *base, const char *ref, const char *want)
{
	char *got = uri_resolve(base, ref);

	if (strcmp(got, want) != 0) {
		printf("#   resolve(%s, %s) = %s, expected %s\n", base, ref, got,
		    want);
		t_cur_failed++;
	}
	free(got);
}

static void
test_rfc3986_normal(void)
{
	static const char *const ex[][2] = {
		{ "g:h", "g:h" }, { "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" }, { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" }, { "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" }, { "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" }, { "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" }, { ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" }, { ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" }, { "..", "http://a/b/" },
		{ "../", "http://a/b/" }, { "../g", "http://a/b/g" },
		{ "../..", "http://a/" }, { "../../", "http://a/" },
		{ "../../g", "http://a/g" },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		check_resolve("http://a/b/c/d;p?q", ex[i][0], ex[i][1]);
}

static void
test_rfc3986_abnormal(void)
{
	static const char *const ex[][2] = {
		{ "../../../g", "http://a/g" }, { "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" }, { "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." }, { ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." }, { "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" }, { "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		check_resolve("http://a/b/c/d;p?q", ex[i][0], ex[i][1]);
}

static void
test_schema_uris(void)
{
	check_resolve("urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed", "#/$defs/x",
	    "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/x");
	check_resolve("http://localhost:1234/draft2020-12/tree.json", "node",
	    "http://localhost:1234/draft2020-12/node");
	check_resolve("file:///a/b/schema.json", "defs/c.json#x",
	    "file:///a/b/defs/c.json#x");
	check_resolve("https://json-schema.org/draft/2020-12/schema",
	    "meta/core", "https://json-schema.org/draft/2020-12/meta/core");
}

static void
test_pointers(void)
{
	json_object *doc = json_tokener_parse(
	    "{\"a/b\": [10, {\"c~d\": true}], \"\": 1, \"%\": 2}"), *out;
	struct buf b = BUF_INIT;

	CHECK(jptr_get(doc, "/a~1b/1/c~0d", &out, NULL, NULL, 0));
	CHECK(json_object_get_boolean(out));
	CHECK(jptr_get(doc, "/a~1b/0", &out, NULL, NULL, 0));
	CHECK_EQ_U(json_object_get_int(out), 10);
	CHECK(jptr_get(doc, "/", &out, NULL, NULL, 0));
	CHECK_EQ_U(json_object_get_int(out), 1);
	CHECK(jptr_get(doc, "", &out, NULL, NULL, 0) && out == doc);
	CHECK(!jptr_get(doc, "/a~1b/01", &out, NULL, NULL, 0));
	CHECK(!jptr_get(doc, "/a~1b/2", &out, NULL, NULL, 0));
	CHECK(!jptr_get(doc, "a", &out, NULL, NULL, 0));
	uri_pct_decode("/%25", 4, &b);
	CHECK_STR(b.data, "/%");
	CHECK(jptr_get(doc, b.data, &out, NULL, NULL, 0));
	buf_reset(&b);
	CHECK(jptr_of(doc, out, &b));
	CHECK_STR(b.data, "/%");
	buf_release(&b);
	json_object_put(doc);
}

static void
test_equal(void)
{
	json_object *a = json_tokener_parse("{\"x\": [1, 2.0, {\"y\": null}]}");
	json_object *b = json_tokener_parse("{\"x\": [1.0, 2, {\"y\": null}]}");
	json_object *c = json_tokener_parse("{\"x\": [1, 2, {\"y\": false}]}");

	CHECK(jsv_equal(a, b));
	CHECK(!jsv_equal(a, c));
	CHECK(jsv_equal(NULL, NULL));
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
}

static void
test_formats(void)
{
	static const struct {
		const char	*fmt;
		const char	*s;
		bool		 ok;
	} t[] = {
		{ "date-time", "1963-06-19T08:30:06.283185Z", true },
		{ "date-time", "1963-06-19T08:30:06+01:00", true },
		{ "date-time", "1998-12-31T23:59:60Z", true },
		{ "date-time", "1998-12-31T15:59:60.123-08:00", true },
		{ "date-time", "1998-12-31T22:59:60Z", false },
		{ "date-time", "2023-03-17T20:32:25", false },
		{ "date-time", "1990-02-31T15:59:59Z", false },
		{ "date", "2020-02-29", true },
		{ "date", "2021-02-29", false },
		{ "date", "2020-1-01", false },
		{ "time", "08:30:06Z", true },
		{ "time", "08:30:06", false },
		{ "duration", "P4DT12H30M5S", true },
		{ "duration", "P2W", true },
		{ "duration", "PT", false },
		{ "duration", "P1Y2W", false },
		{ "email", "joe.bloggs@example.com", true },
		{ "email", "\"joe bloggs\"@example.com", true },
		{ "email", "joe..bloggs@example.com", false },
		{ "email", "2962", false },
		{ "email", "joe@[127.0.0.1]", true },
		{ "hostname", "www.example.com", true },
		{ "hostname", "-a-host-name-that-starts-with--", false },
		{ "hostname", "not_a_valid_host_name", false },
		{ "ipv4", "192.168.0.1", true },
		{ "ipv4", "087.10.0.1", false },
		{ "ipv4", "256.256.256.256", false },
		{ "ipv6", "::1", true },
		{ "ipv6", "1:2:3:4:5:6:7:8", true },
		{ "ipv6", "12345::", false },
		{ "ipv6", "[::1]", false },
		{ "uri", "http://foo.bar/?baz=qux#quux", true },
		{ "uri", "urn:oasis:names:specification:docbook:dtd:xml:4.1.2", true },
		{ "uri", "//foo.bar/?baz=qux#quux", false },
		{ "uri", "http:// shouldfail.com", false },
		{ "uri", "http://[::1]:80/", true },
		{ "uri-reference", "#fragment", true },
		{ "uri-reference", "/abc", true },
		{ "uri-reference", "\\\\WINDOWS\\fileshare", false },
		{ "iri", "http://ƒøø.ßår/?∂éœ=πîx#πîüx", true },
		{ "uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true },
		{ "uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638", false },
		{ "regex", "([abc])+\\s+$", true },
		{ "regex", "^(abc]", false },
		{ "json-pointer", "/foo/bar~0/baz~1/%a", true },
		{ "json-pointer", "/foo/bar~", false },
		{ "json-pointer", "foo", false },
		{ "relative-json-pointer", "1/foo/bar", true },
		{ "relative-json-pointer", "0#", true },
		{ "relative-json-pointer", "/foo", false },
		{ "uri-template", "http://example.com/dictionary/{term:1}/{term}",
		    true },
		{ "uri-template", "http://example.com/dictionary/{term:1}/{term",
		    false },
	};
	size_t i;
	int f;

	CHECK(jsv_format_lookup("no-such-format") < 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = jsv_format_lookup(t[i].fmt);
		CHECK(f >= 0);
		if (jsv_format_check(f, t[i].s, strlen(t[i].s)) != t[i].ok) {
			printf("#   %s '%s' should be %s\n", t[i].fmt, t[i].s,
			    t[i].ok ? "valid" : "invalid");
			t_cur_failed++;
		}
	}
}

static struct jsv *
load(const char *text, struct buf *err)
{
	struct jsv_opts o;

	memset(&o, 0, sizeof(o));
	o.format_assert = true;
	buf_reset(err);
	return jsv_load_mem(text, strlen(text), "urn:test:schema", &o, err);
}

static void
test_load_errors(void)
{
	struct buf err = BUF_INIT;

	CHECK(load("{\"type\": \"object\",\n \"x\": }", &err) == NULL);
	CHECK_STR(err.data, "urn:test:schema:2:7: expected a value");
	CHECK(load("{\"minLength\": \"3\"}", &err) == NULL);
	CHECK(strstr(err.data, "not a valid schema: /minLength: \"3\" is not of "
	    "type \"integer\"") != NULL);
	CHECK(load("{\"$ref\": \"#/nowhere\"}", &err) == NULL);
	CHECK(strstr(err.data, "no value at '/nowhere'") != NULL);
	CHECK(load("{\"$ref\": \"#nope\"}", &err) == NULL);
	CHECK(strstr(err.data, "no anchor 'nope'") != NULL);
	CHECK(load("{\"$defs\": {\"a\": {\"$id\": \"x\"}, \"b\": {\"$id\": "
	    "\"x\"}}}", &err) == NULL);
	CHECK(strstr(err.data, "is defined twice") != NULL);
	CHECK(load("{\"allOf\": [{\"$ref\": \"#\"}]}", &err) == NULL);
	CHECK(strstr(err.data, "applies itself") != NULL);
	buf_release(&err);
}

static void
test_explain(void)
{
	struct buf err = BUF_INIT;
	struct jsv *v = load("{\"properties\": {\"a\": {\"type\": \"integer\", "
	    "\"minimum\": 3}, \"m\": {\"format\": \"email\"}, \"b\": true}, "
	    "\"required\": "
	    "[\"b\"], \"additionalProperties\": false}", &err);
	struct jsv_ctx *c;
	json_object *inst = json_tokener_parse(
	    "{\"a\": 1, \"m\": \"x\", \"z\": true}");
	const struct jsv_error *e;

	CHECK(v != NULL);
	if (v == NULL) {
		printf("#   %s\n", err.data);
		return;
	}
	c = jsv_ctx_new(v);
	CHECK(!jsv_valid(c, inst));
	CHECK_EQ_U(jsv_explain(c, inst, 10), 4);
	CHECK_EQ_U(jsv_nerrors_total(c), 4);
	e = jsv_error(c, 0);
	CHECK_STR(e->instance, "/b");
	CHECK_STR(e->keyword, "required");
	CHECK_STR(e->schema, "/required");
	e = jsv_error(c, 1);
	CHECK_STR(e->instance, "/a");
	CHECK_STR(e->schema, "/properties/a/minimum");
	CHECK_STR(e->message, "1 is less than the minimum of 3");
	e = jsv_error(c, 2);
	CHECK_STR(e->message, "\"x\" is not a valid \"email\"");
	e = jsv_error(c, 3);
	CHECK_STR(e->instance, "/z");
	CHECK_STR(e->keyword, "additionalProperties");
	CHECK_STR(e->message, "property is not allowed");
	/* a cap on the errors kept, not on those counted */
	CHECK_EQ_U(jsv_explain(c, inst, 2), 2);
	CHECK_EQ_U(jsv_nerrors_total(c), 4);
	json_object_put(inst);
	inst = json_tokener_parse("{\"a\": 4, \"b\": null}");
	CHECK(jsv_valid(c, inst));
	CHECK_EQ_U(jsv_explain(c, inst, 10), 0);
	json_object_put(inst);
	jsv_ctx_free(c);
	jsv_free(v);
	buf_release(&err);
}

int
main(void)
{
	/* the bundled meta-schemas, from the source tree */
	setenv("CODESIFT_DATADIR", "configs", 0);
	T_RUN(test_rfc3986_normal);
	T_RUN(test_rfc3986_abnormal);
	T_RUN(test_schema_uris);
	T_RUN(test_pointers);
	T_RUN(test_equal);
	T_RUN(test_formats);
	T_RUN(test_load_errors);
	T_RUN(test_explain);
	return t_done();
}
