/*
 * test_blob.c - swh-fetch's object checks and decoders: gzip framing,
 * SHA-1 and git ids, NUL, length_bytes, charset names and decoding, and
 * the offline fixtures of tests/conformance/swh/fixtures/.
 *
 * With "--dump CODEC" it is a tool instead: each stdin line is hex bytes,
 * each output line the hex of the UTF-8 text or "ERR"; swh-fetch.bats
 * feeds it every short byte sequence and compares with Python.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "blob.h"
#include "charset.h"
#include "mem.h"
#include "t.h"

#define FIX "tests/conformance/swh/fixtures"

static struct blob_ctx *ctx;
static struct charset_ctx *cc;

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[4096];
	size_t k;

	if (f == NULL)
		return NULL;
	buf_grow(&b, 0);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, k);
	fclose(f);
	return buf_detach(&b, n);
}

/* gzip p[0..n) into out (one member). */
static void
gz(const void *p, size_t n, struct buf *out)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	buf_grow(out, deflateBound(&z, n) + 32);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (unsigned char *)out->data + out->len;
	z.avail_out = (uInt)(out->cap - out->len - 1);
	deflate(&z, Z_FINISH);
	out->len = (size_t)((char *)z.next_out - out->data);
	deflateEnd(&z);
}

static void
sha1_of(const char *s, size_t n, uint8_t id[20])
{
	blob_sha1(ctx, s, n, id);
}

static enum blob_status
open_str(const struct buf *g, const char *want, size_t max, struct buf *raw,
    struct buf *detail)
{
	uint8_t id[20];

	sha1_of(want, strlen(want), id);
	return blob_open(ctx, g->data, g->len, max, id, raw, detail);
}

static void
test_gzip_framing(void)
{
	struct buf g = BUF_INIT, raw = BUF_INIT, d = BUF_INIT;
	const char *text = "hello, archive\n";

	gz(text, strlen(text), &g);
	CHECK(open_str(&g, text, 1024, &raw, &d) == BLOB_OK);
	CHECK_MEM(raw.data, raw.len, text);
	/* two members, then zero padding: Python's gzip reads them all */
	gz("more\n", 5, &g);
	buf_add(&g, "\0\0\0", 3);
	CHECK(open_str(&g, "hello, archive\nmore\n", 1024, &raw, &d) ==
	    BLOB_OK);
	CHECK_EQ_U(raw.len, 20);
	/* junk after the members */
	buf_add(&g, "xy", 2);
	CHECK(open_str(&g, "hello, archive\nmore\n", 1024, &raw, &d) ==
	    BLOB_BAD_GZIP);
	CHECK(strstr(d.data, "junk after gzip data") != NULL);
	/* truncated */
	buf_reset(&g);
	gz(text, strlen(text), &g);
	g.len -= 5;
	CHECK(open_str(&g, text, 1024, &raw, &d) == BLOB_BAD_GZIP);
	CHECK(strstr(d.data, "truncated") != NULL);
	/* a flipped byte in the deflate data */
	buf_reset(&g);
	gz(text, strlen(text), &g);
	g.data[12] ^= 0x55;
	CHECK(open_str(&g, text, 1024, &raw, &d) == BLOB_BAD_GZIP);
	/* not gzip at all */
	buf_reset(&g);
	buf_adds(&g, "plain text");
	CHECK(open_str(&g, "plain text", 1024, &raw, &d) == BLOB_BAD_GZIP);
	CHECK_STR(d.data, "not gzip data");
	/* empty object: empty content */
	buf_reset(&g);
	CHECK(open_str(&g, "", 1024, &raw, &d) == BLOB_OK);
	CHECK_EQ_U(raw.len, 0);
	buf_release(&g);
	buf_release(&raw);
	buf_release(&d);
}

static void
test_limits_and_ids(void)
{
	struct buf g = BUF_INIT, raw = BUF_INIT, d = BUF_INIT;
	char *big = xmalloc(100000);
	uint8_t id[20];
	char hex[41];

	memset(big, 'a', 100000);
	gz(big, 100000, &g);
	sha1_of(big, 100000, id);
	CHECK(blob_open(ctx, g.data, g.len, 100000, id, &raw, &d) ==
	    BLOB_OK);
	CHECK(blob_open(ctx, g.data, g.len, 99999, id, &raw, &d) ==
	    BLOB_TOO_LARGE);
	CHECK(raw.len <= 100000);
	/* a body for another blob */
	id[0] ^= 1;
	CHECK(blob_open(ctx, g.data, g.len, 100000, id, &raw, &d) ==
	    BLOB_INTEGRITY);
	CHECK(strstr(d.data, "SHA-1 of the content is ") != NULL);

	CHECK(blob_parse_id("65699954B4EEA5CFA082711EDEFB9187F7BCEAA9", 40,
	    id));
	blob_format_id(id, hex);
	CHECK_STR(hex, "65699954b4eea5cfa082711edefb9187f7bceaa9");
	CHECK(!blob_parse_id("65699954b4eea5cfa082711edefb9187f7bceaa", 39,
	    id));
	CHECK(!blob_parse_id("65699954b4eea5cfa082711edefb9187f7bceaag", 40,
	    id));
	/* the empty blob's well-known ids */
	sha1_of("", 0, id);
	blob_format_id(id, hex);
	CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	free(big);
	buf_release(&g);
	buf_release(&raw);
	buf_release(&d);
}

static void
test_text_checks(void)
{
	struct blob_want w;
	struct strv t;
	struct buf d = BUF_INIT;
	char sha[65];

	memset(&w, 0, sizeof(w));
	w.cs = charset_find("UTF-8", 5);
	w.length = -1;
	w.max = 1 << 20;
	/* git blob id of "hello\n" (git hash-object) */
	w.has_git = blob_parse_id("ce013625030ba8dba906f756967f9e9ca394464a",
	    40, w.git);
	CHECK(blob_text(ctx, "hello\n", 6, &w, &t, sha, &d) == BLOB_OK);
	CHECK_STR(sha,
	    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	CHECK(blob_text(ctx, "hellO\n", 6, &w, &t, sha, &d) ==
	    BLOB_INTEGRITY);
	w.has_git = false;
	CHECK(blob_text(ctx, "a\0b", 3, &w, &t, sha, &d) == BLOB_BINARY);
	CHECK_STR(d.data, "NUL byte at offset 1");
	CHECK(blob_text(ctx, "a\xff", 2, &w, &t, sha, &d) ==
	    BLOB_BAD_ENCODING);
	CHECK_STR(d.data, "not valid utf-8 at byte 1");
	w.length = 5;
	CHECK(blob_text(ctx, "hello\n", 6, &w, &t, sha, &d) == BLOB_LENGTH);
	w.length = 6;
	CHECK(blob_text(ctx, "hello\n", 6, &w, &t, sha, &d) == BLOB_OK);
	w.max = 5;
	CHECK(blob_text(ctx, "hello\n", 6, &w, &t, sha, &d) ==
	    BLOB_TOO_LARGE);
	/* length_bytes is the UTF-8 size, not the raw size */
	w.max = 100;
	w.cs = charset_find("WINDOWS-1252", 12);
	w.length = 4;
	CHECK(blob_text(ctx, "\x80\x31", 2, &w, &t, sha, &d) == BLOB_OK);
	CHECK_MEM(t.p, t.n, "\xe2\x82\xac" "1");
	buf_release(&d);
}

static void
test_names(void)
{
	static const struct { const char *name, *codec; } cases[] = {
		{ "UTF-8", "utf-8" }, { "utf8", "utf-8" },
		{ "SHIFT_JIS", "shift_jis" }, { "Shift-JIS", "shift_jis" },
		{ "sjis", "shift_jis" }, { "WINDOWS-1252", "cp1252" },
		{ "windows_1252", "cp1252" }, { "ISO-8859-1", "iso8859-1" },
		{ "latin-1", "iso8859-1" }, { "  latin 1 ", "iso8859-1" },
		{ "EUC-JP", "euc_jp" }, { "EUC-KR", "euc_kr" },
		{ "GB18030", "gb18030" }, { "GB2312", "gb2312" },
		{ "BIG5", "big5" }, { "UHC", "cp949" },
		{ "IBM866", "cp866" }, { "KOI8-R", "koi8-r" },
		{ "MAC-CYRILLIC", "mac-cyrillic" }, { "TIS-620", "tis-620" },
		{ "UTF-16", "utf-16" }, { "ASCII", "ascii" },
	};
	static const char *const unknown[] = {
		"", "EUC-TW", "MAC-CENTRALEUROPE", "VISCII", "ISO-2022-CN",
		"x-unknown", "utf-8\xc3\xa9",
	};
	const struct charset *cs;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cs = charset_find(cases[i].name, strlen(cases[i].name));
		CHECK(cs != NULL);
		if (cs != NULL)
			CHECK_STR(charset_name(cs), cases[i].codec);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK(charset_find(unknown[i], strlen(unknown[i])) == NULL);
}

static bool
decode(const char *codec, const char *in, size_t n, struct buf *out)
{
	const struct charset *cs = charset_find(codec, strlen(codec));
	struct buf scratch = BUF_INIT;
	struct strv t;
	size_t bad;
	bool ok;

	buf_reset(out);
	if (cs == NULL)
		return false;
	ok = charset_decode(cc, cs, in, n, &scratch, &t, &bad);
	if (ok)
		buf_add(out, t.p, t.n);
	buf_release(&scratch);
	return ok;
}

static void
test_decode_python_semantics(void)
{
	struct buf o = BUF_INIT;

	/* glibc's SHIFT_JIS gives U+00A5 and U+203E; Python gives \ and ~ */
	CHECK(decode("SHIFT_JIS", "a\\b~c", 5, &o));
	CHECK_MEM(o.data, o.len, "a\\b~c");
	/* WAVE DASH: CP932 would give U+FF5E */
	CHECK(decode("SHIFT_JIS", "\x81\x60", 2, &o));
	CHECK_MEM(o.data, o.len, "\xe3\x80\x9c");
	/* NEC row 13 is CP932 only */
	CHECK(!decode("SHIFT_JIS", "\x87\x40", 2, &o));
	CHECK(decode("CP932", "\x87\x40", 2, &o));
	CHECK_MEM(o.data, o.len, "\xe2\x91\xa0");
	/* halfwidth katakana, then a truncated double-byte character */
	CHECK(decode("SHIFT_JIS", "\xb1", 1, &o));
	CHECK_MEM(o.data, o.len, "\xef\xbd\xb1");
	CHECK(!decode("SHIFT_JIS", "ab\x81", 3, &o));
	/* EUC-JP: glibc passes C1 bytes through, Python refuses them */
	CHECK(!decode("EUC-JP", "\x85", 1, &o));
	CHECK(decode("EUC-JP", "\xa4\xa2", 2, &o));
	CHECK_MEM(o.data, o.len, "\xe3\x81\x82");
	/* Big5: Python's table differs from glibc's here */
	CHECK(decode("BIG5", "\xa1\x45", 2, &o));
	CHECK_MEM(o.data, o.len, "\xe2\x80\xa2");
	/* GBK: 0x80 is the euro sign in glibc only */
	CHECK(!decode("GBK", "\x80", 1, &o));
	/* GB18030 four-byte form */
	CHECK(decode("GB18030", "\x81\x30\x81\x30", 4, &o));
	CHECK_MEM(o.data, o.len, "\xc2\x80");
	/* cp1252 holes, cp1255 without glibc's composition */
	CHECK(!decode("WINDOWS-1252", "\x81", 1, &o));
	CHECK(decode("WINDOWS-1255", "\xe0\xc7", 2, &o));
	CHECK_MEM(o.data, o.len, "\xd7\x90\xd6\xb7");
	/* UTF-16: BOM picks the order and is dropped; none: little end */
	CHECK(decode("UTF-16", "\xfe\xff\x30\x42", 4, &o));
	CHECK_MEM(o.data, o.len, "\xe3\x81\x82");
	CHECK(decode("UTF-16", "\x42\x30", 2, &o));
	CHECK_MEM(o.data, o.len, "\xe3\x81\x82");
	CHECK(!decode("UTF-16", "\x00\xd8", 2, &o));	/* lone surrogate */
	/* UTF-8: surrogates and overlongs are invalid, as in Python */
	CHECK(!decode("UTF-8", "\xed\xa0\x80", 3, &o));
	CHECK(!decode("UTF-8", "\xc0\xaf", 2, &o));
	CHECK(decode("UTF-8", "\xef\xbb\xbfx", 4, &o));	/* BOM kept */
	CHECK_EQ_U(o.len, 4);
	buf_release(&o);
}

/* The offline fixtures: every case of manifest.json. */
static void
test_fixtures(void)
{
	static const struct {
		const char *blob, *git, *enc;
		enum blob_status open, text;
	} cases[] = {
		{ "65699954b4eea5cfa082711edefb9187f7bceaa9",
		  "36c1ef66d4fb9fec0ae6dc110eaccd8c214def2c", "UTF-8",
		  BLOB_OK, BLOB_OK },
		{ "6fac83e2ee633b7c81f305a27280e9804d850b6d",
		  "cb1a9c544517283e49670a3eb83e97aef64433ff", "SHIFT_JIS",
		  BLOB_OK, BLOB_OK },
		{ "32e86b5214fd0c1e05b6ff1276b2aea1849e37d6",
		  "e1c8255d87b63f120546294735af2ae104334ce2", "WINDOWS-1252",
		  BLOB_OK, BLOB_OK },
		{ "637828c03aae38af639cc721200f2584864e8797", NULL, "UTF-8",
		  BLOB_INTEGRITY, BLOB_OK },
		{ "e3551a9303ce1ee8a163d40b9843630432f613b7", NULL, "UTF-8",
		  BLOB_BAD_GZIP, BLOB_OK },
		{ "512e3b65c123146e6be7b07ef07a3cba2f406837", NULL, "UTF-8",
		  BLOB_OK, BLOB_BINARY },
	};
	struct buf path = BUF_INIT, raw = BUF_INIT, d = BUF_INIT;
	struct blob_want w;
	struct strv t;
	uint8_t id[20];
	char *obj, *want, sha[65];
	size_t n, wn, i;
	enum blob_status st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, FIX "/content/%s", cases[i].blob);
		obj = slurp(path.data, &n);
		CHECK(obj != NULL);
		if (obj == NULL)
			continue;
		blob_parse_id(cases[i].blob, 40, id);
		st = blob_open(ctx, obj, n, 10 << 20, id, &raw, &d);
		CHECK_EQ_U(st, cases[i].open);
		free(obj);
		if (st != BLOB_OK)
			continue;
		memset(&w, 0, sizeof(w));
		w.cs = charset_find(cases[i].enc, strlen(cases[i].enc));
		w.length = -1;
		w.max = 10 << 20;
		if (cases[i].git != NULL)
			w.has_git = blob_parse_id(cases[i].git, 40, w.git);
		st = blob_text(ctx, raw.data, raw.len, &w, &t, sha, &d);
		CHECK_EQ_U(st, cases[i].text);
		if (st != BLOB_OK)
			continue;
		buf_reset(&path);
		buf_addf(&path, FIX "/expected/%s.utf8", cases[i].blob);
		want = slurp(path.data, &wn);
		CHECK(want != NULL && wn == t.n && memcmp(want, t.p, wn) == 0);
		free(want);
	}
	/* missing: no object under that key */
	buf_reset(&path);
	buf_adds(&path,
	    FIX "/content/16ca7689b5f953679c1b2277cacb8702590a370d");
	CHECK(slurp(path.data, &n) == NULL);
	buf_release(&path);
	buf_release(&raw);
	buf_release(&d);
}

static int
dump(const char *codec)
{
	struct buf line = BUF_INIT, in = BUF_INIT, out = BUF_INIT;
	char tmp[65536];
	size_t i;
	unsigned v;

	if (charset_find(codec, strlen(codec)) == NULL) {
		fprintf(stderr, "test_blob: no codec %s\n", codec);
		return 2;
	}
	while (fgets(tmp, sizeof(tmp), stdin) != NULL) {
		buf_reset(&in);
		for (i = 0; tmp[i] != '\0' && tmp[i] != '\n'; i += 2) {
			sscanf(tmp + i, "%2x", &v);
			buf_addc(&in, (int)v);
		}
		buf_grow(&in, 0);
		if (!decode(codec, in.data, in.len, &out))
			fputs("ERR\n", stdout);
		else {
			for (i = 0; i < out.len; i++)
				printf("%02x", (unsigned char)out.data[i]);
			putchar('\n');
		}
	}
	buf_release(&line);
	buf_release(&in);
	buf_release(&out);
	return 0;
}

int
main(int argc, char *argv[])
{
	int st;

	ctx = blob_ctx_new();
	cc = charset_ctx_new();
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		size_t i;

		/* codec name and kind, for charsets-vs-python.py */
		for (i = 0; i < charset_count(); i++)
			printf("%s %s\n", charset_name(charset_at(i)),
			    charset_kind(charset_at(i)));
		blob_ctx_free(ctx);
		charset_ctx_free(cc);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--dump") == 0) {
		st = dump(argv[2]);
		blob_ctx_free(ctx);
		charset_ctx_free(cc);
		return st;
	}
	T_RUN(test_gzip_framing);
	T_RUN(test_limits_and_ids);
	T_RUN(test_text_checks);
	T_RUN(test_names);
	T_RUN(test_decode_python_semantics);
	T_RUN(test_fixtures);
	blob_ctx_free(ctx);
	charset_ctx_free(cc);
	return t_done();
}
