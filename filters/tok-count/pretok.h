/*
 * pretok.h - pre-tokenization: cutting a text into the pieces that BPE
 * encodes one by one.
 *
 * A pre-tokenizer is a list of steps, applied as Hugging Face applies a
 * Sequence: each step splits every piece the previous step produced, and
 * empty pieces are dropped between steps.  Steps:
 *   regex     a PCRE2 pattern and what to do with the matches
 *             (Hugging Face SplitDelimiterBehavior, and invert); tiktoken's
 *             "keep the matches only" is PT_REMOVED with invert
 *   digits    Hugging Face Digits: \p{N} characters, one by one or in runs
 *   bytelevel Hugging Face ByteLevel: an optional leading space, then the
 *             GPT-2 pattern (the byte-to-unicode mapping itself is implicit:
 *             pieces stay raw UTF-8 bytes)
 *
 * Patterns are compiled with PCRE2 (UTF, UCP, JIT).  To give the matches of
 * the Rust and Oniguruma engines the references use, \s and \w are
 * rewritten to explicit classes (White_Space; Letter, Mark, Nd, Pc): PCRE2's
 * own \s adds U+180E; and \p{L}, \p{N}, \p{M} and their subcategories get
 * the code points of Unicode 15 and 16 (ucd16.h).  The patterns of the known encodings (GPT-2, cl100k,
 * o200k) also run through a hand-written scanner for ASCII text that hands
 * over to PCRE2 at the first non-ASCII byte (pretok_fast() says which).
 *
 * A struct pretok is read-only once built and shared by threads; each
 * thread uses its own struct pretok_ctx.  Texts must be valid UTF-8 (they
 * are never re-checked).
 */
#ifndef CODESIFT_PRETOK_H
#define CODESIFT_PRETOK_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

enum pt_behavior {
	PT_REMOVED,		/* drop the matches (keep them, with invert) */
	PT_ISOLATED,		/* matches and the text between, each a piece */
	PT_MERGED_PREV,		/* a match joins the piece before it */
	PT_MERGED_NEXT,		/* a match joins the piece after it */
	PT_CONTIGUOUS		/* runs of matches / non-matches joined */
};

/* The pre-tokenizer regexes of the known encodings, as the references
 * write them (tiktoken's "classic" forms; GPT-2 = Hugging Face ByteLevel). */
extern const char PT_GPT2_PATTERN[];
extern const char PT_CL100K_PATTERN[];
extern const char PT_O200K_PATTERN[];

struct pretok;
struct pretok_ctx;

struct pretok *pretok_new(void);
void	pretok_free(struct pretok *pt);

/*
 * Add a step.  The regex forms return false with a message in err when the
 * pattern does not compile or uses a construct whose meaning differs
 * between PCRE2 and the reference engines.
 */
bool	pretok_add_regex(struct pretok *pt, const char *pat, size_t n,
	    enum pt_behavior beh, bool invert, struct buf *err);
bool	pretok_add_literal(struct pretok *pt, const char *s, size_t n,
	    enum pt_behavior beh, bool invert, struct buf *err);
bool	pretok_add_digits(struct pretok *pt, bool individual,
	    struct buf *err);
bool	pretok_add_bytelevel(struct pretok *pt, bool add_prefix_space,
	    bool use_regex, struct buf *err);

size_t	pretok_steps(const struct pretok *pt);
/* Does step i use the ASCII fast scanner? */
bool	pretok_fast(const struct pretok *pt, size_t i);

/* Disable (or re-enable) the fast scanners, for tests and benchmarks. */
void	pretok_set_fast(struct pretok *pt, bool on);

/*
 * Append to out the pattern p[0..n) with the code points Unicode 15 and 16
 * added to each \p{X} (ucd16.h): PCRE2 10.42 has Unicode 14, the
 * references 16.0.  The regex steps do this themselves.  false with a
 * message in err for a \P{X} inside a character class.
 */
bool	pretok_expand_unicode(const char *p, size_t n, struct buf *out,
	    struct buf *err);

struct pretok_ctx *pretok_ctx_new(const struct pretok *pt);
void	pretok_ctx_free(struct pretok_ctx *c);

typedef void pt_sink(void *arg, const char *p, size_t n);

/*
 * Cut p[0..n) and call sink with each final piece, in order.  A piece is
 * inside p[0..n) or in c, and stays valid until the next pretok_run() on
 * c (so a sink may queue pieces).  Returns true,
 * or false with a message in err if PCRE2 failed to match (a resource
 * limit); the pieces given so far are then incomplete.
 */
bool	pretok_run(struct pretok_ctx *c, const char *p, size_t n,
	    pt_sink *sink, void *arg, struct buf *err);

#endif
