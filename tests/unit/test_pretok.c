/*
 * test_pretok.c - the ASCII scanners give PCRE2's pieces on random text of
 * every character class the patterns care about; Hugging Face's split
 * behaviours on the examples of its own tests; empty matches; the \s and
 * \w rewriting.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../filters/tok-count/pretok.h"
#include "mem.h"
#include "t.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Pieces as one string, separated by '|'. */
static void
sink(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	if (b->len > 0)
		buf_addc(b, '|');
	buf_add(b, p, n);
}

static void
run_ctx(struct pretok_ctx *c, const char *text, struct buf *out)
{
	struct buf err = BUF_INIT;

	buf_reset(out);
	CHECK(pretok_run(c, text, strlen(text), sink, out, &err));
	buf_release(&err);
}

static void
pieces(struct pretok *pt, const char *text, struct buf *out)
{
	struct pretok_ctx *c = pretok_ctx_new(pt);

	run_ctx(c, text, out);
	pretok_ctx_free(c);
}

/* Everything the three patterns distinguish, ASCII or not. */
static const char *const atoms[] = {
	"a", "b", "Z", "Q", "s", "t", "re", "ve", "LL", "d", "m", "'", "'",
	"1", "9", "0", " ", " ", " ", "\t", "\n", "\r", "\r\n", "\x0b",
	"\x0c", "\x1c", "-", "/", ".", ",", "_", "(", "\x7f",
	"\xc3\xa9", "\xc3\x89", "\xc5\xbf", "\xe2\x84\xaa", "\xc2\xa0",
	"\xe2\x80\x80", "\xe3\x80\x80", "\xc2\x85", "\xe1\xa0\x8e",
	"\xd9\xa3", "\xc2\xb2", "\xe2\x80\x94", "\xf0\x9f\x98\x80",
	"\xe4\xb8\xad", "\xcc\x81", "\xca\xb0", "\xc7\x85", "\xef\xbb\xbf",
	"\xe2\x80\xa8",
};

static void
scanners_match_pcre2(void)
{
	static const char *const pats[] = { PT_GPT2_PATTERN,
	    PT_CL100K_PATTERN, PT_O200K_PATTERN };
	struct buf text = BUF_INIT, fast = BUF_INIT, slow = BUF_INIT;
	struct buf err = BUF_INIT;
	size_t k, i, n, natoms = sizeof(atoms) / sizeof(atoms[0]);
	int r, bad;

	for (k = 0; k < 3; k++) {
		struct pretok *pt = pretok_new();
		struct pretok_ctx *c;

		CHECK(pretok_add_regex(pt, pats[k], strlen(pats[k]),
		    PT_REMOVED, true, &err));
		CHECK(pretok_fast(pt, 0));
		c = pretok_ctx_new(pt);
		bad = 0;
		for (r = 0; r < 20000; r++) {
			buf_reset(&text);
			n = 1 + rnd(24);
			/* mostly ASCII, as code is */
			for (i = 0; i < n; i++)
				buf_adds(&text, atoms[rnd(rnd(4) == 0 ?
				    (uint32_t)natoms : 33)]);
			pretok_set_fast(pt, true);
			run_ctx(c, text.data, &fast);
			pretok_set_fast(pt, false);
			run_ctx(c, text.data, &slow);
			if (strcmp(fast.data, slow.data) != 0 && bad++ < 3)
				printf("#   pattern %zu on '%s': fast '%s', "
				    "pcre2 '%s'\n", k, text.data, fast.data,
				    slow.data);
		}
		CHECK(bad == 0);
		pretok_ctx_free(c);
		pretok_free(pt);
	}
	buf_release(&text);
	buf_release(&fast);
	buf_release(&slow);
	buf_release(&err);
}

static void
known_pieces(void)
{
	struct pretok *pt = pretok_new();
	struct buf out = BUF_INIT, err = BUF_INIT;

	CHECK(pretok_add_bytelevel(pt, false, true, &err));
	pieces(pt, "Hello my friend,  how's it?\n\n  x", &out);
	CHECK_STR(out.data, "Hello| my| friend|,| | how|'s| it|?|\n\n | x");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, PT_CL100K_PATTERN,
	    strlen(PT_CL100K_PATTERN), PT_REMOVED, true, &err));
	pieces(pt, "I'LL  do 12345 things\r\n\tnow", &out);
	CHECK_STR(out.data, "I|'LL| | do| |123|45| things|\r\n|\tnow");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, PT_O200K_PATTERN, strlen(PT_O200K_PATTERN),
	    PT_REMOVED, true, &err));
	pieces(pt, "HTTPServer don't a/b//\ncamelCase", &out);
	CHECK_STR(out.data, "HTTPServer| don't| a|/b|//\n|camel|Case");
	pretok_free(pt);
	buf_release(&out);
	buf_release(&err);
}

/* Hugging Face's Split tests (split.rs) and the doc of
 * NormalizedString::split ("the-final--countdown"). */
static void
split_behaviours(void)
{
	static const struct {
		enum pt_behavior b;
		const char *want;
	} w[] = {
		{ PT_REMOVED, "How|are|you|doing|?" },
		{ PT_ISOLATED, "How| |are| |you| |doing|?" },
		{ PT_MERGED_PREV, "How |are |you |doing|?" },
		{ PT_MERGED_NEXT, "How| are| you| doing|?" },
		{ PT_CONTIGUOUS, "How| |are| |you| |doing?" },
	}, d[] = {
		{ PT_REMOVED, "the|final|countdown" },
		{ PT_ISOLATED, "the|-|final|-|-|countdown" },
		{ PT_MERGED_PREV, "the-|final-|-|countdown" },
		{ PT_MERGED_NEXT, "the|-final|-|-countdown" },
		{ PT_CONTIGUOUS, "the|-|final|--|countdown" },
	};
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct pretok *pt;
	size_t i;

	for (i = 0; i < 5; i++) {
		pt = pretok_new();
		CHECK(pretok_add_regex(pt, "\\w+|[^\\w\\s]+", 12, w[i].b,
		    true, &err));
		pieces(pt, "How are you doing?", &out);
		CHECK_STR(out.data, w[i].want);
		pretok_free(pt);
		pt = pretok_new();
		CHECK(pretok_add_literal(pt, "-", 1, d[i].b, false, &err));
		pieces(pt, "the-final--countdown", &out);
		CHECK_STR(out.data, d[i].want);
		pretok_free(pt);
	}
	buf_release(&out);
	buf_release(&err);
}

/* Rust's find_iter: an empty match right after a match is skipped. */
static void
empty_matches(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct pretok *pt = pretok_new();

	CHECK(pretok_add_regex(pt, "x*", 2, PT_CONTIGUOUS, false, &err));
	pieces(pt, "axxb", &out);
	CHECK_STR(out.data, "a|xx|b");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, "x*", 2, PT_MERGED_NEXT, false, &err));
	pieces(pt, "axxbx", &out);
	CHECK_STR(out.data, "a|xxb|x");
	pretok_free(pt);
	buf_release(&out);
	buf_release(&err);
}

/* \s is White_Space (no U+180E), \w is L M Nd Pc; \h is refused. */
static void
class_rewriting(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct pretok *pt = pretok_new();

	CHECK(pretok_add_regex(pt, "\\s+", 3, PT_ISOLATED, false, &err));
	pieces(pt, "a\xe1\xa0\x8e" "b\xe2\x80\x80" "c", &out);
	CHECK_STR(out.data, "a\xe1\xa0\x8e" "b|\xe2\x80\x80|c");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, "[^\\S\\n]+", 8, PT_ISOLATED, false,
	    &err));
	pieces(pt, "a \n\xe1\xa0\x8e" "b", &out);
	CHECK_STR(out.data, "a| |\n\xe1\xa0\x8e" "b");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, "\\w+", 3, PT_ISOLATED, false, &err));
	pieces(pt, "e\xcc\x81\xc2\xb2_x", &out);	/* Mn in, No out */
	CHECK_STR(out.data, "e\xcc\x81|\xc2\xb2|_x");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(!pretok_add_regex(pt, "\\h+", 3, PT_ISOLATED, false, &err));
	CHECK(strstr(buf_cstr(&err), "\\h") != NULL);
	buf_reset(&err);
	CHECK(!pretok_add_regex(pt, "[a&&b]", 6, PT_ISOLATED, false, &err));
	buf_reset(&err);
	CHECK(!pretok_add_regex(pt, "(", 1, PT_ISOLATED, false, &err));
	CHECK(strstr(buf_cstr(&err), "does not compile") != NULL);
	pretok_free(pt);
	buf_release(&out);
	buf_release(&err);
}

/* Letters and numbers of Unicode 15 and 16 count as the references count
 * them: Kaktovik numerals (15.0), CJK extension H (15.0), Garay (16.0). */
static void
unicode16(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct pretok *pt = pretok_new();

	CHECK(pretok_add_regex(pt, "\\p{N}+", strlen("\\p{N}+"),
	    PT_ISOLATED, false, &err));
	pieces(pt, "a\xf0\x9d\x8b\x80\xf0\x90\xb5\x80" "b", &out);
	CHECK_STR(out.data, "a|\xf0\x9d\x8b\x80\xf0\x90\xb5\x80|b");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, "[^\\s\\p{L}]+", strlen("[^\\s\\p{L}]+"),
	    PT_ISOLATED, false, &err));
	pieces(pt, "!\xf0\xb1\x8d\x90!", &out);	/* U+31350 */
	CHECK_STR(out.data, "!|\xf0\xb1\x8d\x90|!");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_regex(pt, "\\P{Letter}+", strlen("\\P{Letter}+"),
	    PT_ISOLATED, false, &err));
	pieces(pt, "!\xf0\xb1\x8d\x90!", &out);
	CHECK_STR(out.data, "!|\xf0\xb1\x8d\x90|!");
	CHECK(!pretok_add_regex(pt, "[\\P{L}]", strlen("[\\P{L}]"),
	    PT_ISOLATED, false, &err));
	pretok_free(pt);
	buf_release(&out);
	buf_release(&err);
}

/* Digits and ByteLevel's prefix space, as steps of a sequence. */
static void
sequences(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct pretok *pt = pretok_new();

	CHECK(pretok_add_digits(pt, true, &err));
	CHECK(pretok_add_bytelevel(pt, true, false, &err));
	pieces(pt, "ab12 c\xd9\xa3", &out);
	CHECK_STR(out.data, " ab| 1| 2| c| \xd9\xa3");
	pretok_free(pt);
	pt = pretok_new();
	CHECK(pretok_add_digits(pt, false, &err));
	CHECK(pretok_add_bytelevel(pt, false, true, &err));
	pieces(pt, "x123 45", &out);
	CHECK_STR(out.data, "x|123| |45");
	pretok_free(pt);
	buf_release(&out);
	buf_release(&err);
}

int
main(void)
{
	T_RUN(scanners_match_pcre2);
	T_RUN(known_pieces);
	T_RUN(split_behaviours);
	T_RUN(empty_matches);
	T_RUN(class_rewriting);
	T_RUN(unicode16);
	T_RUN(sequences);
	return t_done();
}
