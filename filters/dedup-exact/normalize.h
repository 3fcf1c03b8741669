/*
 * normalize.h - text normalization for dedup keys.
 *
 * norm_format(): what editors and CI bots change without touching code: a
 * UTF-8 BOM, CRLF line ends, trailing blanks on a line, blank lines at the
 * start and the end, a missing final newline.
 *
 * norm_code(): also comments and the whitespace that cannot change the
 * token sequence, for one language family.  The rule is that two texts
 * may only normalize to the same bytes if their token sequences are the
 * same: strings and here-documents are copied verbatim; a space is kept
 * between two word characters and between two punctuation characters
 * (so "a - -b" never meets "a--b"); newlines are kept where the language
 * gives them meaning (ASI in JavaScript and Go, Python, shell, C
 * preprocessor lines) and Python and Makefile-style indentation is kept.
 * When a construct is ambiguous the text is left as it is: a missed match
 * costs a duplicate, a false match would lose a file.
 */
#ifndef DEDUP_NORMALIZE_H
#define DEDUP_NORMALIZE_H

#include <stddef.h>

#include "mem.h"

struct norm_lang;

/*
 * The language profile for a record, from its language field (GitHub
 * Linguist names, as in The Stack) or else its path's extension or file
 * name; NULL when the language has no code profile.
 */
const struct norm_lang *norm_lang_find(const char *language, size_t ln,
	    const char *path, size_t pn);
const char *norm_lang_name(const struct norm_lang *l);

/* Replace out's contents with the normalized form of s[0..n). */
void	norm_format(const char *s, size_t n, struct buf *out);
/* Format normalization, then comments and whitespace (l != NULL). */
void	norm_code(const struct norm_lang *l, const char *s, size_t n,
	    struct buf *out);

#endif
