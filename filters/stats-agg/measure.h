/*
 * measure.h - text measures of one file's content, read straight from the
 * escaped JSON string of the record (no unescaping, no copy).
 *
 * Definitions (the same in bench/stats_agg_ref.py and stats-agg(1)):
 * characters are Unicode code points; a line ends at LF, and a CR just
 * before the LF belongs to the terminator; a last line without LF counts
 * when it is not empty; alphanumeric means ASCII letters and digits.
 */
#ifndef STATS_AGG_MEASURE_H
#define STATS_AGG_MEASURE_H

#include <stddef.h>
#include <stdint.h>

struct text_measure {
	uint64_t	bytes;		/* UTF-8 bytes of the text */
	uint64_t	chars;		/* code points */
	uint64_t	lines;		/* lines, as defined above */
	uint64_t	line_chars;	/* characters in lines, no ends */
	uint64_t	max_line;	/* longest line, in characters */
	uint64_t	alnum;		/* ASCII letters and digits */
};

/*
 * Measure the body (without the quotes) of a JSON string that jscan
 * validated.  Escapes count as what they stand for; lone surrogates as
 * U+FFFD, as jscan_unescape() writes them.
 */
void	measure_json_string(const char *p, size_t n, struct text_measure *m);

/* Measure plain UTF-8 text (the slow reference, for tests). */
void	measure_text(const char *p, size_t n, struct text_measure *m);

#endif
