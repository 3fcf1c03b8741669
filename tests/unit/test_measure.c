/*
 * test_measure.c - stats-agg's content measures: the fast scan of the
 * escaped JSON string against the slow reference on the unescaped text,
 * on hand-made cases and on random texts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "mem.h"
#include "t.h"
#include "../../filters/stats-agg/measure.h"

/* Measure JSON string literal js (with quotes) both ways; compare. */
static int
both(const char *js, size_t n, struct text_measure *fast)
{
	struct text_measure slow;
	char *u = xmalloc(n);
	size_t k;
	enum jtype t;

	if (jscan_value(js, n, &t, NULL) != JSCAN_OK || t != JT_STRING) {
		free(u);
		return -1;
	}
	measure_json_string(js + 1, n - 2, fast);
	k = jscan_unescape(js + 1, n - 2, u);
	measure_text(u, k, &slow);
	free(u);
	return memcmp(fast, &slow, sizeof(slow)) == 0;
}

#define BOTH(s) both((s), strlen(s), &m)

static void
hand_cases(void)
{
	struct text_measure m;

	CHECK(BOTH("\"\"") == 1);
	CHECK_EQ_U(m.lines, 0);
	CHECK_EQ_U(m.chars, 0);
	CHECK_EQ_U(m.max_line, 0);

	/* CRLF: the CR belongs to the terminator */
	CHECK(BOTH("\"ab\\r\\ncde\\n\"") == 1);
	CHECK_EQ_U(m.bytes, 8);
	CHECK_EQ_U(m.chars, 8);
	CHECK_EQ_U(m.lines, 2);
	CHECK_EQ_U(m.line_chars, 5);
	CHECK_EQ_U(m.max_line, 3);
	CHECK_EQ_U(m.alnum, 5);

	/* a last line without LF counts; a CR at the very end stays */
	CHECK(BOTH("\"x\\ny\\r\"") == 1);
	CHECK_EQ_U(m.lines, 2);
	CHECK_EQ_U(m.line_chars, 3);
	CHECK_EQ_U(m.max_line, 2);

	/* escapes are characters, not letters: \t \b \f \/ \" \\ */
	CHECK(BOTH("\"\\t\\b\\f\\/\\\"\\\\\"") == 1);
	CHECK_EQ_U(m.chars, 6);
	CHECK_EQ_U(m.alnum, 0);
	CHECK_EQ_U(m.lines, 1);

	/* \u escapes: a letter, a line feed, a pair, lone surrogates */
	CHECK(BOTH("\"\\u0041\\u000a\\ud83d\\ude00\\ud800x\\udc00\"")
	    == 1);
	CHECK_EQ_U(m.alnum, 2);		/* A and x */
	CHECK_EQ_U(m.lines, 2);
	CHECK_EQ_U(m.chars, 6);		/* A LF U+1F600 FFFD x FFFD */
	CHECK_EQ_U(m.bytes, 1 + 1 + 4 + 3 + 1 + 3);

	/* multi-byte UTF-8 is one character per sequence */
	CHECK(BOTH("\"h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80\"")
	    == 1);
	CHECK_EQ_U(m.chars, 8);
	CHECK_EQ_U(m.alnum, 4);
	CHECK_EQ_U(m.bytes, 14);
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random texts of every awkward kind, escaped by jscan_escape(). */
static void
random_texts(void)
{
	static const char *const pieces[] = {
		"a", "Z", "9", " ", "_", "\n", "\r\n", "\r", "\t", "\"", "\\",
		"/", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "int main(void)", "\n\n",
		"0123456789abcdef",
		"\xe4\xb8\xad\xe6\x96\x87"
	};
	struct buf text = BUF_INIT, js = BUF_INIT;
	struct text_measure m;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int i, k, len, bad = 0;

	for (i = 0; i < 20000; i++) {
		buf_reset(&text);
		len = (int)(rnd(&seed) % 200);
		for (k = 0; k < len; k++)
			buf_adds(&text, pieces[rnd(&seed) %
			    (sizeof(pieces) / sizeof(pieces[0]))]);
		buf_reset(&js);
		jscan_escape(&js, buf_cstr(&text), text.len);
		if (both(js.data, js.len, &m) != 1)
			bad++;
	}
	CHECK(bad == 0);
	buf_release(&text);
	buf_release(&js);
}

/* \u escapes of every kind, written by hand (jscan_escape never does). */
static void
random_u_escapes(void)
{
	struct buf js = BUF_INIT;
	struct text_measure m;
	uint64_t seed = 12345;
	int i, k, bad = 0;
	unsigned cp;

	for (i = 0; i < 5000; i++) {
		buf_reset(&js);
		buf_addc(&js, '"');
		for (k = 0; k < 40; k++) {
			switch (rnd(&seed) % 5) {
			case 0:
				cp = (unsigned)(rnd(&seed) % 0x80);
				break;
			case 1:
				cp = 0xD800 + (unsigned)(rnd(&seed) % 0x800);
				break;
			case 2:
				cp = 0x0A;
				break;
			case 3:
				cp = 0x0D;
				break;
			default:
				cp = (unsigned)(rnd(&seed) % 0x10000);
				break;
			}
			buf_addf(&js, "\\u%04x", cp);
			if (rnd(&seed) % 3 == 0)
				buf_adds(&js, "q\xc3\xa9");
		}
		buf_addc(&js, '"');
		if (both(js.data, js.len, &m) != 1)
			bad++;
	}
	CHECK(bad == 0);
	buf_release(&js);
}

int
main(void)
{
	T_RUN(hand_cases);
	T_RUN(random_texts);
	T_RUN(random_u_escapes);
	return t_done();
}
