/*
 * ucd16.h - general-category data newer than PCRE2's.
 *
 * Both reference libraries classify characters with Unicode 16.0 tables
 * (Hugging Face tokenizers through Oniguruma, tiktoken through Rust
 * regex-syntax); PCRE2 10.42, as Debian 12 ships it, has Unicode 14.0.
 * Between the two, Unicode only added code points to the letter, mark and
 * number categories (none moved out of one used here), so a PCRE2 class
 * \p{X} plus these ranges is the Unicode 16.0 class.  pretok.c adds them to
 * every \p{X} of a pattern.
 */
#ifndef CODESIFT_UCD16_H
#define CODESIFT_UCD16_H

#include <stdint.h>

struct ucd_range {
	uint32_t	lo, hi;
};

struct ucd_class {
	const char		*name;	/* "L", "Lu", "N", "Nd", "M", ... */
	const struct ucd_range	*r;
	int			 n;
};

/* The classes, terminated by a NULL name.  \p{Mn} is missing: one code
 * point left it for Mc, which a union cannot express. */
extern const struct ucd_class ucd16_classes[];

#endif
