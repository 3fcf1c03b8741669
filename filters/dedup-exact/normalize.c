/*
 * normalize.c - format and code normalization for dedup-exact keys.
 *
 * norm_code() is a single-pass lexer driven by a language profile: it
 * knows just enough of each family (comments, string forms, where newlines
 * and indentation matter) to drop comments and insignificant whitespace
 * and to copy every literal verbatim.  It never has to accept valid code
 * only: any input gives some output, and unknown constructs pass through.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "normalize.h"

enum {
	F_SLASH_LINE	= 1u << 0,	/* // comments */
	F_BLOCK		= 1u << 1,	/* block comments */
	F_NEST		= 1u << 2,	/* block comments nest */
	F_HASH_PY	= 1u << 3,	/* # comments anywhere outside strings */
	F_HASH_SH	= 1u << 4,	/* # comments at the start of a word */
	F_NL		= 1u << 5,	/* newlines end statements */
	F_INDENT	= 1u << 6,	/* leading indentation is syntax */
	F_PREPROC	= 1u << 7,	/* # lines are preprocessor lines */
	F_SQ_STR	= 1u << 8,	/* '...' is a string of any length */
	F_SQ_CHAR	= 1u << 9,	/* '...' is a short character literal */
	F_BACKTICK	= 1u << 10,	/* `...` template, with escapes */
	F_BACKTICK_RAW	= 1u << 11,	/* `...` raw string (Go) */
	F_TRIPLE_DQ	= 1u << 12,	/* """...""" */
	F_TRIPLE_SQ	= 1u << 13,	/* '''...''' */
	F_CPP_RAW	= 1u << 14,	/* R"delim(...)delim" */
	F_RUST_RAW	= 1u << 15,	/* r#"..."# */
	F_CS_VERB	= 1u << 16,	/* @"..." */
	F_REGEX		= 1u << 17,	/* JavaScript regular expression literals */
	F_HEREDOC	= 1u << 18,	/* shell here-documents */
	F_ML_STR	= 1u << 19,	/* quoted strings may span lines */
	F_SQ_RAW	= 1u << 20,	/* '...' has no escapes (shell) */
	F_WS_KEEP	= 1u << 21,	/* whitespace separates words: keep one */
	F_SHEBANG	= 1u << 22	/* a first #! line is kept */
};

struct norm_lang {
	const char		*name;
	unsigned		 flags;
	const char *const	*langs;	/* Linguist names */
	const char *const	*exts;	/* file extensions */
	const char *const	*files;	/* whole file names */
};

#define LIST(...) (const char *const[]){ __VA_ARGS__, NULL }

static const struct norm_lang langs[] = {
	{ "c", F_SLASH_LINE | F_BLOCK | F_PREPROC | F_SQ_CHAR | F_CPP_RAW,
	    LIST("C", "C++", "Objective-C", "Objective-C++", "CUDA"),
	    LIST("c", "h", "cc", "cpp", "cxx", "c++", "hpp", "hh", "hxx",
	    "h++", "ipp", "inl", "tcc", "m", "mm", "cu", "cuh"),
	    LIST(NULL) },
	{ "csharp", F_SLASH_LINE | F_BLOCK | F_PREPROC | F_SQ_CHAR | F_CS_VERB,
	    LIST("C#"), LIST("cs"), LIST(NULL) },
	{ "java", F_SLASH_LINE | F_BLOCK | F_SQ_CHAR | F_TRIPLE_DQ,
	    LIST("Java"), LIST("java"), LIST(NULL) },
	{ "rust", F_SLASH_LINE | F_BLOCK | F_NEST | F_SQ_CHAR | F_RUST_RAW,
	    LIST("Rust"), LIST("rs"), LIST(NULL) },
	{ "go", F_SLASH_LINE | F_BLOCK | F_NL | F_SQ_CHAR | F_BACKTICK_RAW,
	    LIST("Go"), LIST("go"), LIST(NULL) },
	{ "javascript", F_SLASH_LINE | F_BLOCK | F_NL | F_SQ_STR | F_BACKTICK |
	    F_REGEX | F_SHEBANG,
	    LIST("JavaScript", "TypeScript", "TSX", "JSX"),
	    LIST("js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"),
	    LIST(NULL) },
	{ "kotlin", F_SLASH_LINE | F_BLOCK | F_NEST | F_NL | F_SQ_CHAR |
	    F_TRIPLE_DQ,
	    LIST("Kotlin", "Swift", "Scala"),
	    LIST("kt", "kts", "swift", "scala", "sc"), LIST(NULL) },
	{ "groovy", F_SLASH_LINE | F_BLOCK | F_NL | F_SQ_STR | F_TRIPLE_DQ |
	    F_TRIPLE_SQ,
	    LIST("Groovy", "Dart", "Gradle"),
	    LIST("groovy", "gradle", "dart"), LIST(NULL) },
	{ "css", F_BLOCK | F_SQ_STR | F_WS_KEEP,
	    LIST("CSS", "Less", "SCSS"), LIST("css", "less", "scss"),
	    LIST(NULL) },
	{ "python", F_HASH_PY | F_NL | F_INDENT | F_SQ_STR | F_TRIPLE_DQ |
	    F_TRIPLE_SQ | F_SHEBANG,
	    LIST("Python", "Cython", "Starlark"),
	    LIST("py", "pyw", "pyi", "pyx", "pxd", "bzl"),
	    LIST("SConstruct", "SConscript", "BUILD.bazel", "WORKSPACE") },
	{ "shell", F_HASH_SH | F_NL | F_SQ_STR | F_SQ_RAW | F_ML_STR |
	    F_HEREDOC | F_WS_KEEP | F_SHEBANG,
	    LIST("Shell"), LIST("sh", "bash", "zsh", "ksh"),
	    LIST(".bashrc", ".profile", ".zshrc") },
	{ "cmake", F_HASH_SH | F_NL | F_ML_STR | F_WS_KEEP,
	    LIST("CMake"), LIST("cmake"), LIST("CMakeLists.txt") },
};

const struct norm_lang *
norm_lang_find(const char *language, size_t ln, const char *path, size_t pn)
{
	const struct norm_lang *l;
	const char *const *p;
	const char *base, *ext;
	size_t i, bn, en;

	for (i = 0; language != NULL && ln > 0 &&
	    i < sizeof(langs) / sizeof(langs[0]); i++)
		for (l = &langs[i], p = l->langs; *p != NULL; p++)
			if (strlen(*p) == ln &&
			    strncasecmp(*p, language, ln) == 0)
				return l;
	if (path == NULL || pn == 0)
		return NULL;
	for (base = path + pn; base > path && base[-1] != '/'; base--)
		;
	bn = (size_t)(path + pn - base);
	for (ext = base + bn; ext > base && ext[-1] != '.'; ext--)
		;
	en = ext > base ? (size_t)(base + bn - ext) : 0;
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		l = &langs[i];
		for (p = l->files; *p != NULL; p++)
			if (strlen(*p) == bn && memcmp(*p, base, bn) == 0)
				return l;
		for (p = l->exts; en > 0 && *p != NULL; p++)
			if (strlen(*p) == en && strncasecmp(*p, ext, en) == 0)
				return l;
	}
	return NULL;
}

const char *
norm_lang_name(const struct norm_lang *l)
{
	return l != NULL ? l->name : "none";
}

static inline bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

void
norm_format(const char *s, size_t n, struct buf *out)
{
	const char *end = s + n, *nl, *e;
	size_t blanks = 0;

	buf_reset(out);
	buf_grow(out, n + 1);
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		for (e = nl; e > s && is_blank((unsigned char)e[-1]); e--)
			;
		if (e == s)
			blanks++;	/* written only if a line follows */
		else {
			if (out->len > 0)
				for (; blanks > 0; blanks--)
					buf_addc(out, '\n');
			blanks = 0;
			buf_add(out, s, (size_t)(e - s));
			buf_addc(out, '\n');
		}
		s = nl + 1;
	}
}

/* ---- the code lexer ---- */

/* What a token is, for the blanks it needs around it. */
enum tclass { T_NONE, T_WORD, T_OP, T_DELIM, T_LIT };

struct lexer {
	unsigned	 f;
	const char	*s;
	size_t		 n, i;
	struct buf	*out;
	bool		 pend_sp;	/* whitespace was skipped */
	bool		 pend_nl;	/* a significant newline was skipped */
	bool		 line_start;	/* no token yet on this source line */
	bool		 preproc;	/* on a C preprocessor line */
	size_t		 ind_off, ind_len;
	size_t		 word_off, word_len;	/* last word in out */
	bool		 last_word;	/* the last token was a word */
	enum tclass	 last;		/* class of the last token */
	const char	*hd;		/* pending here-document delimiter */
	size_t		 hd_len;
	bool		 hd_tabs;	/* <<- strips leading tabs */
};

/* ASCII word characters: letters, digits, '_', '$' (and UTF-8: >= 0x80). */
static const unsigned char word_char[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['_'] = 1, ['$'] = 1
};

static inline bool
is_word(unsigned char c)
{
	return c >= 0x80 || word_char[c] != 0;
}

/* Punctuation that never joins a neighbour into a longer token. */
static inline bool
is_delim(unsigned char c)
{
	return c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
	    c == '}' || c == ';' || c == ',';
}

/*
 * Must a blank between tokens of classes a and b stay?  Two words, or two
 * operators ("a - -b"), would join; a word and a literal may be a prefix
 * or suffix (L"x", "x"_s); two literals may fuse ("" "x" vs """x").  A
 * delimiter, or an operator beside a word or a literal, never joins.
 */
static bool
blank_matters(enum tclass a, enum tclass b)
{
	if (a == T_DELIM || b == T_DELIM)
		return false;
	if (a == T_OP || b == T_OP)
		return a == b;
	return true;		/* words and literals */
}

/* Before a token of class c: the separator it needs, indentation. */
static void
prefix(struct lexer *lx, enum tclass c)
{
	struct buf *o = lx->out;
	bool bol = o->len == 0 || o->data[o->len - 1] == '\n';

	if (lx->pend_nl && o->len > 0) {
		if (!bol)
			buf_addc(o, '\n');
		bol = true;
	} else if (lx->pend_sp && !bol) {
		if ((lx->f & F_WS_KEEP) || blank_matters(lx->last, c))
			buf_addc(o, ' ');
	}
	if (lx->line_start) {
		if ((lx->f & F_INDENT) && bol)
			buf_add(o, lx->s + lx->ind_off, lx->ind_len);
		lx->line_start = false;
	}
	lx->pend_sp = lx->pend_nl = false;
}

/* Emit s[i..j) as one token of class c (verbatim). */
static inline void
token(struct lexer *lx, size_t j, enum tclass c)
{
	if (lx->pend_sp || lx->pend_nl || lx->line_start)
		prefix(lx, c);
	if (c == T_WORD) {
		lx->word_off = lx->out->len;
		lx->word_len = j - lx->i;
	}
	lx->last_word = c == T_WORD;
	lx->last = c;
	buf_add(lx->out, lx->s + lx->i, j - lx->i);
	lx->i = j;
}

/* End of a quoted string opened at i by quote q (q repeated qn times). */
static size_t
string_end(const struct lexer *lx, size_t i, char q, size_t qn, bool esc,
    bool multiline)
{
	const char *s = lx->s;
	size_t n = lx->n, k;

	for (i += qn; i < n; i++) {
		if (esc && s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '\n' && !multiline)
			return i;	/* unterminated: stop at the line */
		if (s[i] == q) {
			for (k = 1; k < qn && i + k < n && s[i + k] == q; k++)
				;
			if (k == qn)
				return i + qn;
		}
	}
	return n;
}

/* A short character literal at i ('a', '\n', '\u1234'), or 0. */
static size_t
char_end(const struct lexer *lx, size_t i)
{
	size_t j;

	for (j = i + 1; j < lx->n && j < i + 12; j++) {
		if (lx->s[j] == '\\') {
			j++;
			continue;
		}
		if (lx->s[j] == '\n')
			return 0;
		if (lx->s[j] == '\'')
			return j > i + 1 ? j + 1 : 0;
	}
	return 0;
}

static bool
starts(const struct lexer *lx, size_t i, const char *lit)
{
	size_t k = strlen(lit);

	return lx->n - i >= k && memcmp(lx->s + i, lit, k) == 0;
}

/* A JavaScript regex literal may start here (not a division)? */
static bool
regex_allowed(const struct lexer *lx)
{
	static const char *const kw[] = { "return", "typeof", "instanceof",
	    "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
	    "yield", "await", NULL };
	const struct buf *o = lx->out;
	unsigned char p;
	size_t k;

	if (o->len == 0)
		return true;
	p = (unsigned char)o->data[o->len - 1];
	if (lx->last_word) {
		for (k = 0; kw[k] != NULL; k++)
			if (strlen(kw[k]) == lx->word_len &&
			    memcmp(o->data + lx->word_off, kw[k],
			    lx->word_len) == 0)
				return true;
		return false;
	}
	return strchr("(,=:[!&|?{};+-*%<>~^\n", p) != NULL;
}

/* End of a regex literal at i, flags included, or 0 if none. */
static size_t
regex_end(const struct lexer *lx, size_t i)
{
	bool cls = false;
	size_t j;

	for (j = i + 1; j < lx->n; j++) {
		char c = lx->s[j];

		if (c == '\n')
			return 0;
		if (c == '\\') {
			j++;
			continue;
		}
		if (c == '[')
			cls = true;
		else if (c == ']')
			cls = false;
		else if (c == '/' && !cls) {
			for (j++; j < lx->n && is_word((unsigned char)lx->s[j]);
			    j++)
				;
			return j;
		}
	}
	return 0;
}

/* Remember a here-document opened by << at i (shell). */
static void
heredoc_open(struct lexer *lx, size_t i)
{
	const char *s = lx->s;
	size_t j = i + 2, st;
	char q = 0;

	if ((j < lx->n && s[j] == '<') || (i > 0 && s[i - 1] == '<'))
		return;			/* <<< here-string */
	lx->hd_tabs = j < lx->n && s[j] == '-';
	if (lx->hd_tabs)
		j++;
	while (j < lx->n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j < lx->n && (s[j] == '\'' || s[j] == '"'))
		q = s[j++];
	else if (j < lx->n && s[j] == '\\')
		j++;
	st = j;
	while (j < lx->n && (is_word((unsigned char)s[j]) || s[j] == '-' ||
	    s[j] == '.'))
		j++;
	if (j == st || (q != 0 && (j >= lx->n || s[j] != q)))
		return;
	lx->hd = s + st;
	lx->hd_len = j - st;
}

/* At the start of a line after a here-document opener: copy its body. */
static void
heredoc_body(struct lexer *lx)
{
	const char *s = lx->s, *nl;
	size_t i = lx->i, k;

	prefix(lx, T_LIT);
	for (;;) {
		if (i >= lx->n)
			break;
		nl = memchr(s + i, '\n', lx->n - i);
		k = i;
		if (lx->hd_tabs)
			while (k < lx->n && s[k] == '\t')
				k++;
		if ((size_t)((nl != NULL ? nl : s + lx->n) - (s + k)) ==
		    lx->hd_len && memcmp(s + k, lx->hd, lx->hd_len) == 0) {
			i = nl != NULL ? (size_t)(nl - s) : lx->n;
			break;
		}
		if (nl == NULL) {
			i = lx->n;
			break;
		}
		i = (size_t)(nl - s) + 1;
	}
	buf_add(lx->out, s + lx->i, i - lx->i);
	lx->i = i;
	lx->hd = NULL;
	lx->last_word = false;
	lx->last = T_LIT;
	lx->pend_nl = true;
}

static void
newline(struct lexer *lx)
{
	const char *s = lx->s;
	size_t j;

	if ((lx->f & F_NL) || lx->preproc)
		lx->pend_nl = true;
	else
		lx->pend_sp = true;
	lx->preproc = false;
	lx->i++;
	if (lx->hd != NULL) {
		heredoc_body(lx);
		if (lx->i < lx->n && s[lx->i] == '\n')
			lx->i++;
	}
	lx->line_start = true;
	for (j = lx->i; j < lx->n && (s[j] == ' ' || s[j] == '\t'); j++)
		;
	lx->ind_off = lx->i;
	lx->ind_len = j - lx->i;
	lx->i = j;
}

/* Skip a block comment at i; true if it held a newline. */
static bool
block_comment(struct lexer *lx)
{
	const char *s = lx->s;
	size_t i = lx->i + 2, depth = 1;
	bool nl = false;

	while (i < lx->n) {
		if (s[i] == '\n')
			nl = true;
		if ((lx->f & F_NEST) && s[i] == '/' && i + 1 < lx->n &&
		    s[i + 1] == '*') {
			depth++;
			i += 2;
			continue;
		}
		if (s[i] == '*' && i + 1 < lx->n && s[i + 1] == '/') {
			i += 2;
			if (--depth == 0)
				break;
			continue;
		}
		i++;
	}
	lx->i = i < lx->n ? i : lx->n;
	return nl;
}

/* Raw string forms that start with a word prefix (R"(, r#", @"). */
static size_t
raw_string_end(const struct lexer *lx, size_t i, size_t wend)
{
	const char *s = lx->s, *w = s + i;
	size_t wl = wend - i, j, d, k;

	if ((lx->f & F_CPP_RAW) && wend < lx->n && s[wend] == '"' &&
	    w[wl - 1] == 'R' && (wl == 1 || (wl == 2 && strchr("LuU", w[0])) ||
	    (wl == 3 && memcmp(w, "u8", 2) == 0))) {
		for (j = wend + 1; j < lx->n && j < wend + 18 && s[j] != '('; j++)
			if (strchr(" \\)\n\t", s[j]) != NULL)
				return 0;
		if (j >= lx->n || s[j] != '(')
			return 0;
		d = j - (wend + 1);
		for (k = j + 1; k + d + 1 < lx->n; k++)
			if (s[k] == ')' && memcmp(s + k + 1, s + wend + 1, d) == 0 &&
			    s[k + 1 + d] == '"')
				return k + d + 2;
		return lx->n;
	}
	if ((lx->f & F_RUST_RAW) && ((wl == 1 && w[0] == 'r') ||
	    (wl == 2 && memcmp(w, "br", 2) == 0))) {
		for (j = wend, d = 0; j < lx->n && s[j] == '#'; j++, d++)
			;
		if (j >= lx->n || s[j] != '"')
			return 0;
		for (k = j + 1; k < lx->n; k++) {
			if (s[k] != '"')
				continue;
			for (j = 0; j < d && k + 1 + j < lx->n &&
			    s[k + 1 + j] == '#'; j++)
				;
			if (j == d)
				return k + 1 + d;
		}
		return lx->n;
	}
	return 0;
}

void
norm_code(const struct norm_lang *l, const char *text, size_t tn,
    struct buf *out)
{
	struct buf fmt = BUF_INIT;
	struct lexer lx;
	size_t j;
	unsigned char c;

	norm_format(text, tn, &fmt);
	memset(&lx, 0, sizeof(lx));
	lx.f = l->flags;
	lx.s = fmt.data;
	lx.n = fmt.len;
	lx.out = out;
	lx.line_start = true;
	buf_reset(out);
	buf_grow(out, fmt.len + 1);

	/* the interpreter line is not a comment to the user */
	if ((lx.f & F_SHEBANG) && starts(&lx, 0, "#!")) {
		const char *nl = memchr(lx.s, '\n', lx.n);

		token(&lx, nl != NULL ? (size_t)(nl - lx.s) : lx.n, T_LIT);
		lx.pend_nl = true;
	}
	while (lx.i < lx.n) {
		c = (unsigned char)lx.s[lx.i];
		if (is_word(c)) {
			size_t r;

			for (j = lx.i + 1; j < lx.n &&
			    is_word((unsigned char)lx.s[j]); j++)
				;
			if ((lx.f & (F_CPP_RAW | F_RUST_RAW)) &&
			    (r = raw_string_end(&lx, lx.i, j)) != 0)
				token(&lx, r, T_LIT);
			else
				token(&lx, j, T_WORD);
			continue;
		}
		if (c == '\n') {
			newline(&lx);
			continue;
		}
		if (is_blank(c)) {
			for (lx.i++; lx.i < lx.n &&
			    is_blank((unsigned char)lx.s[lx.i]); lx.i++)
				;
			lx.pend_sp = true;
			continue;
		}
		if (c == '/' && (lx.f & F_SLASH_LINE) && starts(&lx, lx.i, "//")) {
			while (lx.i < lx.n && lx.s[lx.i] != '\n')
				lx.i++;
			lx.pend_sp = true;
			continue;
		}
		if (c == '/' && (lx.f & F_BLOCK) && starts(&lx, lx.i, "/*")) {
			if (block_comment(&lx) && (lx.f & F_NL))
				lx.pend_nl = true;
			lx.pend_sp = true;
			continue;
		}
		if (c == '#' && ((lx.f & F_HASH_PY) || ((lx.f & F_HASH_SH) &&
		    (lx.line_start || is_blank((unsigned char)lx.s[lx.i - 1]))))) {
			while (lx.i < lx.n && lx.s[lx.i] != '\n')
				lx.i++;
			lx.pend_sp = true;
			continue;
		}
		if (c == '#' && (lx.f & F_PREPROC) && lx.line_start) {
			lx.preproc = true;
			lx.pend_nl = true;
			token(&lx, lx.i + 1, T_OP);
			continue;
		}
		if (c == '\\') {
			/* an escaped character or line continuation */
			j = lx.i + 2 <= lx.n ? lx.i + 2 : lx.n;
			token(&lx, j, T_OP);
			continue;
		}
		if (c == '"') {
			bool triple = (lx.f & F_TRIPLE_DQ) &&
			    starts(&lx, lx.i, "\"\"\"");

			token(&lx, string_end(&lx, lx.i, '"', triple ? 3 : 1,
			    true, triple || (lx.f & F_ML_STR)), T_LIT);
			continue;
		}
		if (c == '\'' && (lx.f & F_SQ_STR)) {
			bool triple = (lx.f & F_TRIPLE_SQ) &&
			    starts(&lx, lx.i, "'''");
			/* shell: '...' is raw, $'...' has escapes */
			bool esc = !(lx.f & F_SQ_RAW) ||
			    (lx.i > 0 && lx.s[lx.i - 1] == '$');

			token(&lx, string_end(&lx, lx.i, '\'', triple ? 3 : 1,
			    esc, triple || (lx.f & F_ML_STR)), T_LIT);
			continue;
		}
		if (c == '\'' && (lx.f & F_SQ_CHAR) &&
		    (j = char_end(&lx, lx.i)) != 0) {
			token(&lx, j, T_LIT);
			continue;
		}
		if (c == '`' && (lx.f & (F_BACKTICK | F_BACKTICK_RAW))) {
			token(&lx, string_end(&lx, lx.i, '`', 1,
			    (lx.f & F_BACKTICK) != 0, true), T_LIT);
			continue;
		}
		if (c == '@' && (lx.f & F_CS_VERB) && starts(&lx, lx.i, "@\"")) {
			/* verbatim: "" is a quote, no backslash escapes */
			for (j = lx.i + 2; j < lx.n; j++)
				if (lx.s[j] == '"') {
					if (j + 1 < lx.n && lx.s[j + 1] == '"')
						j++;
					else
						break;
				}
			token(&lx, j < lx.n ? j + 1 : lx.n, T_LIT);
			continue;
		}
		if (c == '/' && (lx.f & F_REGEX) && regex_allowed(&lx) &&
		    (j = regex_end(&lx, lx.i)) != 0) {
			token(&lx, j, T_LIT);
			continue;
		}
		if (c == '<' && (lx.f & F_HEREDOC) && starts(&lx, lx.i, "<<"))
			heredoc_open(&lx, lx.i);
		token(&lx, lx.i + 1, is_delim(c) ? T_DELIM : T_OP);
	}
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_release(&fmt);
}
