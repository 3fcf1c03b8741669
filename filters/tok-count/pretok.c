/*
 * pretok.c - pre-tokenization steps (see pretok.h).
 *
 * Source code is mostly ASCII, and the pre-tokenizer regex is where a
 * byte-level BPE spends most of its time.  For the three pattern families
 * the references use, scan_*() decide a match from ASCII bytes alone and
 * give up (return 0) as soon as the answer depends on a non-ASCII
 * character, which PCRE2 then matches: the result is PCRE2's in every
 * case, only faster.  tests/unit/test_pretok.c checks the scanners against
 * PCRE2 on random text.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "err.h"
#include "mem.h"
#include "pretok.h"
#include "ucd16.h"

const char PT_GPT2_PATTERN[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+"
    "|\\s+(?!\\S)|\\s+";
const char PT_CL100K_PATTERN[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
    "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+"
    "|\\s+(?!\\S)|\\s+";
const char PT_O200K_PATTERN[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+"
    "|\\s+(?!\\S)|\\s+";

/*
 * Other spellings of the same patterns: upstream tiktoken's possessive
 * forms (equivalent: tiktoken's own tests and ../shared checks), and the
 * forms with the contractions spelled out case by case (js-tiktoken).
 */
static const char GPT2_UPSTREAM[] =
    "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++"
    "|\\s++$|\\s+(?!\\S)|\\s";

enum fast { FAST_NONE, FAST_GPT2, FAST_CL100K, FAST_O200K };

/* White_Space: what Rust's and Oniguruma's \s match (PCRE2 adds U+180E) */
#define WS_CLASS "\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}" \
	"\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
/* Oniguruma's and Rust's \w (less Join_Control / Alphabetic subtleties) */
#define WORD_CLASS "\\p{L}\\p{M}\\p{Nd}\\p{Pc}"

enum kind { K_REGEX, K_BYTELEVEL };

struct step {
	enum kind	 kind;
	pcre2_code	*re;		/* NULL: no split (ByteLevel, no regex) */
	bool		 jit;
	enum pt_behavior beh;
	bool		 invert;
	bool		 prefix_space;	/* ByteLevel add_prefix_space */
	enum fast	 fast;
};

struct pretok {
	struct step	*s;
	size_t		 n;
	bool		 fast_on;
};

struct seg {
	size_t	off, end;
	bool	match;
};

struct cstep {
	pcre2_match_data *md;
	struct seg	*seg;
	size_t		 nseg, segcap;
};

struct pretok_ctx {
	const struct pretok	*pt;
	/* pieces with a space prepended: they stay valid until the next
	 * pretok_run(), as pieces given to the sink may be used late */
	struct arena		 copies;
	pcre2_match_context	*mc;
	pcre2_jit_stack		*js;
	struct cstep		*cs;
	pt_sink			*sink;
	void			*arg;
	struct buf		*err;
	bool			 failed;
};

struct pretok *
pretok_new(void)
{
	struct pretok *pt = xcalloc(1, sizeof(*pt));

	pt->fast_on = true;
	return pt;
}

void
pretok_free(struct pretok *pt)
{
	size_t i;

	if (pt == NULL)
		return;
	for (i = 0; i < pt->n; i++)
		pcre2_code_free(pt->s[i].re);
	free(pt->s);
	free(pt);
}

size_t
pretok_steps(const struct pretok *pt)
{
	return pt->n;
}

bool
pretok_fast(const struct pretok *pt, size_t i)
{
	return pt->fast_on && i < pt->n && pt->s[i].fast != FAST_NONE;
}

void
pretok_set_fast(struct pretok *pt, bool on)
{
	pt->fast_on = on;
}

/*
 * Rewrite the escapes whose meaning differs between PCRE2 and the Rust /
 * Oniguruma engines into explicit classes; refuse those that cannot be
 * rewritten.  Returns false with a message in err.
 */
static bool
rewrite(const char *p, size_t n, struct buf *out, struct buf *err)
{
	bool in_class = false;
	size_t i = 0;
	char c, d;

	while (i < n) {
		c = p[i];
		if (c == '\\' && i + 1 < n) {
			d = p[i + 1];
			i += 2;
			switch (d) {
			case 's':
				buf_adds(out, in_class ? WS_CLASS :
				    "[" WS_CLASS "]");
				continue;
			case 'S':
				/* PCRE2's \S lacks U+180E, which is not a space
				 * for the references */
				buf_adds(out, in_class ? "\\S\\x{180E}" :
				    "[^" WS_CLASS "]");
				continue;
			case 'w':
				buf_adds(out, in_class ? WORD_CLASS :
				    "[" WORD_CLASS "]");
				continue;
			case 'W':
				if (in_class) {
					buf_adds(err, "\\W inside a character "
					    "class");
					return false;
				}
				buf_adds(out, "[^" WORD_CLASS "]");
				continue;
			case 'h':
			case 'H':
				buf_addf(err, "\\%c (a hex digit in Oniguruma, "
				    "a space in PCRE2)", d);
				return false;
			case 'Q':
				/* quoted up to \E: copied as is */
				buf_adds(out, "\\Q");
				while (i < n && !(p[i] == '\\' && i + 1 < n &&
				    p[i + 1] == 'E'))
					buf_addc(out, p[i++]);
				if (i < n) {
					buf_adds(out, "\\E");
					i += 2;
				}
				continue;
			default:
				buf_addc(out, '\\');
				buf_addc(out, d);
				continue;
			}
		}
		if (in_class) {
			if (c == '[' && i + 1 < n && p[i + 1] == ':') {
				/* a POSIX class [:name:] */
				const char *e = memmem(p + i + 2, n - i - 2,
				    ":]", 2);

				if (e != NULL) {
					buf_add(out, p + i, (size_t)(e + 2 -
					    (p + i)));
					i = (size_t)(e + 2 - p);
					continue;
				}
			}
			if (c == '[') {
				buf_adds(err, "a nested character class");
				return false;
			}
			if (c == '&' && i + 1 < n && p[i + 1] == '&') {
				buf_adds(err, "a class intersection (&&)");
				return false;
			}
			if (c == ']')
				in_class = false;
			buf_addc(out, c);
			i++;
			continue;
		}
		buf_addc(out, c);
		i++;
		if (c == '[') {
			in_class = true;
			if (i < n && p[i] == '^')
				buf_addc(out, p[i++]);
			/* a ']' first in a class is a literal */
			if (i < n && p[i] == ']')
				buf_addc(out, p[i++]);
		}
	}
	return true;
}

/* The class \p{name}, short or long name, of ucd16_classes, or NULL. */
static const struct ucd_class *
ucd_class(const char *name, size_t n)
{
	static const struct { const char *lng, *sht; } alias[] = {
		{ "Letter", "L" }, { "Number", "N" }, { "Mark", "M" },
		{ "Uppercase_Letter", "Lu" }, { "Lowercase_Letter", "Ll" },
		{ "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
		{ "Other_Letter", "Lo" }, { "Decimal_Number", "Nd" },
		{ "Letter_Number", "Nl" }, { "Other_Number", "No" },
		{ "Spacing_Mark", "Mc" }, { "Enclosing_Mark", "Me" },
		{ "Connector_Punctuation", "Pc" },
	};
	const struct ucd_class *c;
	size_t i;

	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strlen(alias[i].lng) == n &&
		    strncmp(alias[i].lng, name, n) == 0) {
			name = alias[i].sht;
			n = strlen(name);
			break;
		}
	for (c = ucd16_classes; c->name != NULL; c++)
		if (strlen(c->name) == n && strncmp(c->name, name, n) == 0)
			return c;
	return NULL;
}

/*
 * Add to every \p{X} of a (rewritten) pattern the code points Unicode 15
 * and 16 added to X (ucd16.h), so that PCRE2's Unicode 14 tables give the
 * references' classes.  \P{X} becomes a negated class; inside a class it
 * cannot be completed and is refused.
 */
bool
pretok_expand_unicode(const char *p, size_t n, struct buf *out,
    struct buf *err)
{
	const struct ucd_class *uc;
	bool in_class = false, neg;
	size_t i = 0, j, nl;
	const char *name;
	int k;

	while (i < n) {
		if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'p' ||
		    p[i + 1] == 'P') && i + 2 < n) {
			neg = p[i + 1] == 'P';
			if (p[i + 2] == '{') {
				for (j = i + 3; j < n && p[j] != '}'; j++)
					;
				name = p + i + 3;
				nl = j - (i + 3);
				j++;
			} else {
				name = p + i + 2;
				nl = 1;
				j = i + 3;
			}
			if (nl > 0 && name[0] == '^') {
				neg = !neg;
				name++;
				nl--;
			}
			if ((uc = ucd_class(name, nl)) == NULL) {
				buf_add(out, p + i, j - i);
				i = j;
				continue;
			}
			if (in_class && neg) {
				buf_addf(err, "\\P{%.*s} inside a character "
				    "class", (int)nl, name);
				return false;
			}
			if (!in_class)
				buf_adds(out, neg ? "[^" : "[");
			buf_addf(out, "\\p{%s}", uc->name);
			for (k = 0; k < uc->n; k++) {
				buf_addf(out, "\\x{%X}", uc->r[k].lo);
				if (uc->r[k].hi != uc->r[k].lo)
					buf_addf(out, "-\\x{%X}", uc->r[k].hi);
			}
			if (!in_class)
				buf_addc(out, ']');
			i = j;
			continue;
		}
		if (p[i] == '\\' && i + 1 < n && p[i + 1] == 'Q') {
			/* quoted up to \E */
			for (j = i + 2; j < n && !(p[j] == '\\' &&
			    j + 1 < n && p[j + 1] == 'E'); j++)
				;
			j = j < n ? j + 2 : n;
			buf_add(out, p + i, j - i);
			i = j;
			continue;
		}
		if (p[i] == '\\' && i + 1 < n) {
			buf_add(out, p + i, 2);
			i += 2;
			continue;
		}
		if (in_class && p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
			const char *e = memmem(p + i + 2, n - i - 2, ":]", 2);

			j = e != NULL ? (size_t)(e + 2 - p) : i + 1;
			buf_add(out, p + i, j - i);
			i = j;
			continue;
		}
		if (!in_class && p[i] == '[') {
			in_class = true;
			buf_addc(out, p[i++]);
			if (i < n && p[i] == '^')
				buf_addc(out, p[i++]);
			if (i < n && p[i] == ']')
				buf_addc(out, p[i++]);
			continue;
		}
		if (in_class && p[i] == ']')
			in_class = false;
		buf_addc(out, p[i++]);
	}
	return true;
}

static pcre2_code *
compile(const char *pat, size_t n, bool *jit, struct buf *err)
{
	struct buf rw = BUF_INIT, why = BUF_INIT, ex = BUF_INIT;
	pcre2_code *re;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE eoff;
	int ec;

	if (!rewrite(pat, n, &rw, &why) || !pretok_expand_unicode(buf_cstr(&rw),
	    rw.len, &ex, &why)) {
		buf_addf(err, "unsupported regex construct: %s", buf_cstr(&why));
		buf_release(&rw);
		buf_release(&why);
		buf_release(&ex);
		return NULL;
	}
	re = pcre2_compile((PCRE2_SPTR)buf_cstr(&ex), ex.len,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_UTF_CHECK,
	    &ec, &eoff, NULL);
	if (re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		buf_addf(err, "regex does not compile: %s", (char *)msg);
	} else
		*jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	buf_release(&rw);
	buf_release(&why);
	buf_release(&ex);
	return re;
}

static struct step *
add_step(struct pretok *pt)
{
	struct step *s;

	pt->s = xreallocarray(pt->s, pt->n + 1, sizeof(*pt->s));
	s = &pt->s[pt->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

static enum fast
known(const char *pat, size_t n)
{
	static const struct { const char *p; enum fast f; } k[] = {
		{ PT_GPT2_PATTERN, FAST_GPT2 },
		{ GPT2_UPSTREAM, FAST_GPT2 },
		{ PT_CL100K_PATTERN, FAST_CL100K },
		{ PT_O200K_PATTERN, FAST_O200K },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strlen(k[i].p) == n && memcmp(k[i].p, pat, n) == 0)
			return k[i].f;
	return FAST_NONE;
}

bool
pretok_add_regex(struct pretok *pt, const char *pat, size_t n,
    enum pt_behavior beh, bool invert, struct buf *err)
{
	bool jit = false;
	pcre2_code *re = compile(pat, n, &jit, err);
	struct step *s;

	if (re == NULL)
		return false;
	s = add_step(pt);
	s->kind = K_REGEX;
	s->re = re;
	s->jit = jit;
	s->beh = beh;
	s->invert = invert;
	/* the scanners give PCRE2's matches, so any behaviour may use them */
	s->fast = known(pat, n);
	return true;
}

bool
pretok_add_literal(struct pretok *pt, const char *str, size_t n,
    enum pt_behavior beh, bool invert, struct buf *err)
{
	struct buf pat = BUF_INIT;
	size_t i;
	bool ok;

	/* Hugging Face compiles regex::escape(s); \Q..\E would stop at a
	 * "\E" inside s, so escape every ASCII punctuation byte */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c == 0)
			buf_adds(&pat, "\\x{0}");
		else if (c < 0x80 && !(c >= '0' && c <= '9') &&
		    !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    c > ' ') {
			buf_addc(&pat, '\\');
			buf_addc(&pat, (char)c);
		} else
			buf_addc(&pat, (char)c);
	}
	ok = pretok_add_regex(pt, buf_cstr(&pat), pat.len, beh, invert, err);
	buf_release(&pat);
	return ok;
}

bool
pretok_add_digits(struct pretok *pt, bool individual, struct buf *err)
{
	/* Rust's char::is_numeric is Nd, Nl and No: \p{N}, one character
	 * per match, as Hugging Face's char-predicate pattern yields them */
	return pretok_add_regex(pt, "\\p{N}", 5,
	    individual ? PT_ISOLATED : PT_CONTIGUOUS, false, err);
}

bool
pretok_add_bytelevel(struct pretok *pt, bool add_prefix_space,
    bool use_regex, struct buf *err)
{
	bool jit = false;
	pcre2_code *re = NULL;
	struct step *s;

	if (use_regex && (re = compile(PT_GPT2_PATTERN,
	    strlen(PT_GPT2_PATTERN), &jit, err)) == NULL)
		return false;
	s = add_step(pt);
	s->kind = K_BYTELEVEL;
	s->re = re;
	s->jit = jit;
	s->beh = PT_ISOLATED;
	s->prefix_space = add_prefix_space;
	s->fast = use_regex ? FAST_GPT2 : FAST_NONE;
	return true;
}

/* ---- per-thread context ---- */

struct pretok_ctx *
pretok_ctx_new(const struct pretok *pt)
{
	struct pretok_ctx *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->pt = pt;
	c->cs = xcalloc(pt->n > 0 ? pt->n : 1, sizeof(*c->cs));
	c->mc = pcre2_match_context_create(NULL);
	/* long runs (a 10 MB line of letters) need more than the default
	 * 32 KiB JIT stack */
	c->js = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, NULL);
	if (c->mc == NULL || c->js == NULL)
		err_die("out of memory for PCRE2");
	pcre2_jit_stack_assign(c->mc, NULL, c->js);
	for (i = 0; i < pt->n; i++) {
		if (pt->s[i].re == NULL)
			continue;
		c->cs[i].md = pcre2_match_data_create_from_pattern(pt->s[i].re,
		    NULL);
		if (c->cs[i].md == NULL)
			err_die("out of memory for PCRE2");
	}
	return c;
}

void
pretok_ctx_free(struct pretok_ctx *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->pt->n; i++) {
		pcre2_match_data_free(c->cs[i].md);
		free(c->cs[i].seg);
	}
	free(c->cs);
	arena_release(&c->copies);
	pcre2_jit_stack_free(c->js);
	pcre2_match_context_free(c->mc);
	free(c);
}

/* ---- the ASCII scanners ---- */

enum { C_OTHER = 0, C_LOWER = 1, C_UPPER = 2, C_DIGIT = 4, C_WS = 8,
    C_NL = 16, C_HIGH = 32 };

static const unsigned char cls[256] = {
#define R8(x) x, x, x, x, x, x, x, x
#define R16(x) R8(x), R8(x)
	/* 0x00 */ R8(C_OTHER), C_OTHER, C_WS, C_WS | C_NL, C_WS, C_WS,
	    C_WS | C_NL, C_OTHER, C_OTHER,
	/* 0x10 */ R16(C_OTHER),
	/* 0x20 */ C_WS, C_OTHER, C_OTHER, C_OTHER, C_OTHER, C_OTHER,
	    C_OTHER, C_OTHER, R8(C_OTHER),
	/* 0x30 */ R8(C_DIGIT), C_DIGIT, C_DIGIT, C_OTHER, C_OTHER, C_OTHER,
	    C_OTHER, C_OTHER, C_OTHER,
	/* 0x40 */ C_OTHER, C_UPPER, C_UPPER, C_UPPER, C_UPPER, C_UPPER,
	    C_UPPER, C_UPPER, R8(C_UPPER),
	/* 0x50 */ R8(C_UPPER), C_UPPER, C_UPPER, C_UPPER, C_OTHER, C_OTHER,
	    C_OTHER, C_OTHER, C_OTHER,
	/* 0x60 */ C_OTHER, C_LOWER, C_LOWER, C_LOWER, C_LOWER, C_LOWER,
	    C_LOWER, C_LOWER, R8(C_LOWER),
	/* 0x70 */ R8(C_LOWER), C_LOWER, C_LOWER, C_LOWER, C_OTHER, C_OTHER,
	    C_OTHER, C_OTHER, C_OTHER,
	/* 0x80 */ R16(C_HIGH), R16(C_HIGH), R16(C_HIGH), R16(C_HIGH),
	R16(C_HIGH), R16(C_HIGH), R16(C_HIGH), R16(C_HIGH)
#undef R8
#undef R16
};

#define IS_L(c)		((c) & (C_LOWER | C_UPPER))
#define END_OR(p, n, i, test) ((i) >= (n) || (test))

/*
 * Each scanner returns the end of the match that starts at i (the
 * patterns match at every position), or 0 when a non-ASCII character
 * takes part in the decision.
 */

/* The end of the run of characters of class mask from i, or 0 if the run
 * stops at a non-ASCII byte (which might belong to the Unicode class). */
static inline size_t
run(const unsigned char *p, size_t n, size_t i, unsigned mask)
{
	while (i < n && (cls[p[i]] & mask))
		i++;
	if (i < n && cls[p[i]] == C_HIGH)
		return 0;
	return i;
}

/* [^\s\p{L}\p{N}]+ */
static inline size_t
run_other(const unsigned char *p, size_t n, size_t i)
{
	while (i < n && cls[p[i]] == C_OTHER)
		i++;
	if (i < n && cls[p[i]] == C_HIGH)
		return 0;
	return i;
}

/*
 * \s+(?!\S)|\s+ from i (a space at i), with \s*[\r\n]+ first when
 * crlf: the whitespace run from i, less its last character when a
 * non-space follows a run of two or more.
 */
static inline size_t
space_run(const unsigned char *p, size_t n, size_t i, bool crlf)
{
	size_t e = i, lastnl = 0;

	while (e < n && (cls[p[e]] & C_WS)) {
		if (cls[p[e]] & C_NL)
			lastnl = e + 1;
		e++;
	}
	if (e < n && cls[p[e]] == C_HIGH)
		return 0;	/* U+0085, U+00A0, U+2028...: still space */
	if (crlf && lastnl > 0)
		return lastnl;
	if (e == n || e - i == 1)
		return e;
	return e - 1;
}

/* 's 't 're 've 'm 'll 'd at i (p[i] == '\''): the length, 0 if none,
 * -1 if a non-ASCII character decides (U+017F folds to s). */
static inline int
contraction(const unsigned char *p, size_t n, size_t i, bool icase)
{
	unsigned char a, b;

	if (i + 1 >= n)
		return 0;
	a = p[i + 1];
	if (a >= 0x80)
		return icase ? -1 : 0;
	if (icase && a >= 'A' && a <= 'Z')
		a = (unsigned char)(a + 32);
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return 2;
	if (i + 2 >= n || (a != 'r' && a != 'v' && a != 'l'))
		return 0;
	b = p[i + 2];
	if (icase && b >= 'A' && b <= 'Z')
		b = (unsigned char)(b + 32);
	if ((a == 'r' || a == 'v') && b == 'e')
		return 3;
	if (a == 'l' && b == 'l')
		return 3;
	return 0;
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+
 * |\s+(?!\S)|\s+ */
static size_t
scan_gpt2(const unsigned char *p, size_t n, size_t i)
{
	unsigned c = cls[p[i]], d;
	size_t j;
	int k;

	if (c == C_HIGH)
		return 0;
	if (p[i] == '\'' && (k = contraction(p, n, i, false)) > 0)
		return i + (size_t)k;
	j = i;
	if (p[i] == ' ') {
		if (i + 1 >= n)
			return n;
		d = cls[p[i + 1]];
		if (d == C_HIGH)
			return 0;
		if (!(d & C_WS)) {
			j = i + 1;
			c = d;
		}
	}
	if (IS_L(c))
		return run(p, n, j + 1, C_LOWER | C_UPPER);
	if (c == C_DIGIT)
		return run(p, n, j + 1, C_DIGIT);
	if (c == C_OTHER)
		return run_other(p, n, j + 1);
	return space_run(p, n, i, false);
}

/* \p{N}{1,3} */
static inline size_t
digits3(const unsigned char *p, size_t n, size_t i)
{
	size_t e = i + 1;

	while (e < n && e < i + 3 && cls[p[e]] == C_DIGIT)
		e++;
	if (e < n && e < i + 3 && cls[p[e]] == C_HIGH)
		return 0;
	return e;
}

/* ' ?[^\s\p{L}\p{N}]+' then [\r\n]* (cl100k) or [\r\n/]* (o200k) */
static inline size_t
punct(const unsigned char *p, size_t n, size_t j, bool slash)
{
	size_t e = run_other(p, n, j + 1);

	if (e == 0)
		return 0;
	while (e < n && ((cls[p[e]] & C_NL) || (slash && p[e] == '/')))
		e++;
	return e;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 * | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static size_t
scan_cl100k(const unsigned char *p, size_t n, size_t i)
{
	unsigned c = cls[p[i]], d;
	int k;

	if (c == C_HIGH)
		return 0;
	if (p[i] == '\'') {
		k = contraction(p, n, i, true);
		if (k < 0)
			return 0;
		if (k > 0)
			return i + (size_t)k;
	}
	if (IS_L(c))
		return run(p, n, i + 1, C_LOWER | C_UPPER);
	if (c == C_DIGIT)
		return digits3(p, n, i);
	/* c is a space or other: an optional lead character before letters */
	d = i + 1 < n ? cls[p[i + 1]] : C_OTHER;
	if (i + 1 < n && !(c & C_NL)) {
		if (d == C_HIGH)
			return 0;
		if (IS_L(d))
			return run(p, n, i + 2, C_LOWER | C_UPPER);
	}
	if (c == C_OTHER)
		return punct(p, n, i, false);
	if (p[i] == ' ' && i + 1 < n && d == C_OTHER)
		return punct(p, n, i + 1, false);
	return space_run(p, n, i, true);
}

/* The letters of o200k's first two alternatives from j, then an optional
 * contraction. */
static size_t
o200k_word(const unsigned char *p, size_t n, size_t j)
{
	size_t u = j, l;
	int k;

	while (u < n && cls[p[u]] == C_UPPER)
		u++;
	if (u < n && cls[p[u]] == C_HIGH)
		return 0;
	l = u;
	while (l < n && cls[p[l]] == C_LOWER)
		l++;
	if (l < n && cls[p[l]] == C_HIGH)
		return 0;
	/* l > u: [Lu...]*[Ll...]+; else [Lu...]+ with no lowercase */
	if (l < n && p[l] == '\'') {
		k = contraction(p, n, l, true);
		if (k < 0)
			return 0;
		l += (size_t)k;
	}
	return l;
}

static size_t
scan_o200k(const unsigned char *p, size_t n, size_t i)
{
	unsigned c = cls[p[i]], d;

	if (c == C_HIGH)
		return 0;
	if (IS_L(c))
		return o200k_word(p, n, i);
	if (c == C_DIGIT)
		return digits3(p, n, i);
	d = i + 1 < n ? cls[p[i + 1]] : C_OTHER;
	if (i + 1 < n && !(c & C_NL)) {
		if (d == C_HIGH)
			return 0;
		if (IS_L(d))
			return o200k_word(p, n, i + 1);
	}
	if (c == C_OTHER)
		return punct(p, n, i, true);
	if (p[i] == ' ' && i + 1 < n && d == C_OTHER)
		return punct(p, n, i + 1, true);
	return space_run(p, n, i, true);
}

/* ---- matching ---- */

static inline size_t
utf8_len_at(const unsigned char *p, size_t n, size_t i)
{
	unsigned char c;

	if (i >= n)
		return 1;
	c = p[i];
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/*
 * The next match at or after from: 1 with *s, *e; 0 for none; -1 on a
 * PCRE2 error (message in c->err).
 */
static int
find(struct pretok_ctx *c, const struct step *st, struct cstep *cs,
    const unsigned char *p, size_t n, size_t from, size_t *s, size_t *e)
{
	PCRE2_SIZE *ov;
	size_t end;
	int rc;

	if (st->fast != FAST_NONE && c->pt->fast_on && from < n) {
		switch (st->fast) {
		case FAST_GPT2:
			end = scan_gpt2(p, n, from);
			break;
		case FAST_CL100K:
			end = scan_cl100k(p, n, from);
			break;
		default:
			end = scan_o200k(p, n, from);
			break;
		}
		if (end != 0) {
			*s = from;
			*e = end;
			return 1;
		}
	}
	if (st->jit)
		rc = pcre2_jit_match(st->re, p, n, from, PCRE2_NO_UTF_CHECK,
		    cs->md, c->mc);
	else
		rc = pcre2_match(st->re, p, n, from, PCRE2_NO_UTF_CHECK,
		    cs->md, c->mc);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		buf_addf(c->err, "regex match failed: %s", (char *)msg);
		return -1;
	}
	ov = pcre2_get_ovector_pointer(cs->md);
	*s = ov[0];
	*e = ov[1];
	return 1;
}

static void run_step(struct pretok_ctx *c, size_t k, const char *p,
    size_t n);

static inline void
emit(struct pretok_ctx *c, size_t k, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (k + 1 >= c->pt->n)
		c->sink(c->arg, p, n);
	else
		run_step(c, k + 1, p, n);
}

static void
add_seg(struct cstep *cs, size_t off, size_t end, bool match)
{
	if (cs->nseg == cs->segcap) {
		cs->segcap = cs->segcap < 64 ? 64 : cs->segcap * 2;
		cs->seg = xreallocarray(cs->seg, cs->segcap, sizeof(*cs->seg));
	}
	cs->seg[cs->nseg].off = off;
	cs->seg[cs->nseg].end = end;
	cs->seg[cs->nseg].match = match;
	cs->nseg++;
}

/*
 * Hugging Face's Pattern::find_matches over p[0..n): the segments that
 * cover the text, matches and gaps, with Rust's rule for empty matches (an
 * empty match right after a match is skipped).  Isolated and Removed are
 * applied as the segments come; the other behaviours need the list.
 */
static void
split(struct pretok_ctx *c, size_t k, const char *s, size_t n)
{
	const struct step *st = &c->pt->s[k];
	struct cstep *cs = &c->cs[k];
	const unsigned char *p = (const unsigned char *)s;
	size_t from = 0, prev = 0, ms, me, last = SIZE_MAX, i;
	bool listed = st->beh != PT_ISOLATED && st->beh != PT_REMOVED;
	bool keep_match = st->invert;	/* Removed keeps the non-matches */
	int rc;

	if (listed)
		cs->nseg = 0;
	while (from <= n) {
		rc = find(c, st, cs, p, n, from, &ms, &me);
		if (rc < 0) {
			c->failed = true;
			return;
		}
		if (rc == 0)
			break;
		if (ms == me) {
			from = me + utf8_len_at(p, n, me);
			if (me == last)
				continue;
		} else
			from = me;
		last = me;
		if (listed) {
			if (prev != ms)
				add_seg(cs, prev, ms, st->invert);
			add_seg(cs, ms, me, !st->invert);
		} else if (st->beh == PT_ISOLATED) {
			emit(c, k, s + prev, ms - prev);
			emit(c, k, s + ms, me - ms);
		} else {
			if (!keep_match)
				emit(c, k, s + prev, ms - prev);
			else
				emit(c, k, s + ms, me - ms);
		}
		if (c->failed)
			return;
		prev = me;
	}
	if (!listed) {
		if (prev < n && (st->beh == PT_ISOLATED || !keep_match))
			emit(c, k, s + prev, n - prev);
		return;
	}
	if (prev != n)
		add_seg(cs, prev, n, st->invert);

	/* the fold of SplitDelimiterBehavior, on the list */
	{
		struct seg *g = cs->seg;
		size_t m = cs->nseg, o = 0;
		bool prevm = false;

		switch (st->beh) {
		case PT_CONTIGUOUS:
			for (i = 0; i < m; i++) {
				if (g[i].match == prevm && o > 0)
					g[o - 1].end = g[i].end;
				else
					g[o++] = g[i];
				prevm = g[i].match;
			}
			break;
		case PT_MERGED_PREV:
			for (i = 0; i < m; i++) {
				if (g[i].match && !prevm && o > 0)
					g[o - 1].end = g[i].end;
				else
					g[o++] = g[i];
				prevm = g[i].match;
			}
			break;
		default:	/* PT_MERGED_NEXT: the same, from the end */
			for (i = m; i-- > 0;) {
				struct seg x = g[i];

				if (x.match && !prevm && o > 0)
					g[m - o].off = x.off;
				else {
					o++;
					g[m - o] = x;
				}
				prevm = x.match;
			}
			memmove(g, g + (m - o), o * sizeof(*g));
			break;
		}
		cs->nseg = o;
		/* the next step may use its own list; ours is stable */
		for (i = 0; i < cs->nseg && !c->failed; i++)
			emit(c, k, s + cs->seg[i].off,
			    cs->seg[i].end - cs->seg[i].off);
	}
}

static void
run_step(struct pretok_ctx *c, size_t k, const char *p, size_t n)
{
	const struct step *st = &c->pt->s[k];

	if (st->kind == K_BYTELEVEL) {
		if (st->prefix_space && p[0] != ' ') {
			char *q = arena_alloc(&c->copies, n + 1);

			q[0] = ' ';
			memcpy(q + 1, p, n);
			p = q;
			n++;
		}
		if (st->re == NULL) {
			emit(c, k, p, n);
			return;
		}
	}
	split(c, k, p, n);
}

bool
pretok_run(struct pretok_ctx *c, const char *p, size_t n, pt_sink *sink,
    void *arg, struct buf *err)
{
	if (n == 0)
		return true;
	c->sink = sink;
	c->arg = arg;
	c->err = err;
	c->failed = false;
	arena_reset(&c->copies);
	if (c->pt->n == 0)
		sink(arg, p, n);
	else
		run_step(c, 0, p, n);
	return !c->failed;
}
