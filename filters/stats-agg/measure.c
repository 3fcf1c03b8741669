/*
 * measure.c - characters, lines, line lengths and alphanumeric share of a
 * file's content, from the escaped JSON string in the record.
 *
 * This is the hot loop of stats-agg: every content byte passes through it
 * once.  Between escapes the text is raw UTF-8 with no line breaks (JSON
 * escapes every control character), so a run of plain bytes only adds to
 * the character and alphanumeric counts; with SSE2 that is done 16 bytes
 * at a time, and each backslash ends a run.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hex.h"
#include "measure.h"

/* Running state of a measure. */
struct mstate {
	uint64_t	chars, alnum, bytes;
	uint64_t	line_start;	/* chars before the current line */
	uint64_t	lines, line_chars, max_line;
	int		cr;		/* the last character was a CR */
};

static const unsigned char alnum_tab[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1
};

static void
end_line(struct mstate *s, int terminated)
{
	uint64_t len = s->chars - s->line_start;

	if (terminated && s->cr)
		len--;
	s->lines++;
	s->line_chars += len;
	if (len > s->max_line)
		s->max_line = len;
}

/* One character (not a line feed) of code point cp. */
static inline void
one_char(struct mstate *s, uint32_t cp)
{
	s->chars++;
	s->alnum += cp < 0x80 && alnum_tab[cp];
	s->cr = cp == '\r';
}

static inline void
line_feed(struct mstate *s)
{
	end_line(s, 1);
	s->chars++;
	s->line_start = s->chars;
	s->cr = 0;
}

/* Plain UTF-8 bytes without line feeds. */
static inline void
plain_scalar(struct mstate *s, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s->chars += (p[i] & 0xC0) != 0x80;
		s->alnum += alnum_tab[p[i]];
	}
	s->bytes += n;
	if (n > 0)
		s->cr = 0;
}

static void
finish(struct mstate *s, struct text_measure *m)
{
	if (s->chars > s->line_start)
		end_line(s, 0);
	m->bytes = s->bytes;
	m->chars = s->chars;
	m->lines = s->lines;
	m->line_chars = s->line_chars;
	m->max_line = s->max_line;
	m->alnum = s->alnum;
}

static uint32_t
hex4(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	/* the scanner validated the escape: four hex digits */
	return (uint32_t)(hex_digit(u[0]) << 12 | hex_digit(u[1]) << 8 |
	    hex_digit(u[2]) << 4 | hex_digit(u[3]));
}

static unsigned
utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* The escape at p[0] == '\\'; returns the bytes it takes in p. */
static size_t
escape(struct mstate *s, const char *p, const char *end)
{
	uint32_t cp, lo;
	size_t used = 2;

	switch (p[1]) {
	case 'n':
		s->bytes++;
		line_feed(s);
		return 2;
	case 'r':
		s->bytes++;
		one_char(s, '\r');
		return 2;
	case 'u':
		cp = hex4(p + 2);
		used = 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - (p + 6) >= 6 && p[6] == '\\' && p[7] == 'u' &&
			    (lo = hex4(p + 8)) >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
				used = 12;
			} else
				cp = 0xFFFD;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF)
			cp = 0xFFFD;
		s->bytes += utf8_len(cp);
		if (cp == '\n')
			line_feed(s);
		else
			one_char(s, cp);
		return used;
	default:	/* b f t " \ / : none is a letter, digit or CR */
		s->bytes++;
		one_char(s, '\t');
		return 2;
	}
}

#if defined(__SSE2__)
/*
 * Bits set in 0..255: a table beats the library call __builtin_popcount()
 * becomes without -mpopcnt, and the 256 bytes stay in L1.
 */
static const unsigned char pop8[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
	B6(0), B6(1), B6(1), B6(2)
#undef B2
#undef B4
#undef B6
};

static inline unsigned
pop16(unsigned m)
{
	return (unsigned)pop8[m & 0xFF] + pop8[m >> 8];
}

/* Characters and alphanumerics among the bytes of v selected by keep. */
static inline void
plain16(struct mstate *s, __m128i v, unsigned keep)
{
	const __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
	unsigned high = (unsigned)_mm_movemask_epi8(v) & keep;
	__m128i digit, letter;

	digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	    _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	letter = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
	    _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
	/* ASCII (the common case): one character per byte */
	if (high == 0)
		s->chars += pop16(keep);
	else
		s->chars += pop16((unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(v,
		    _mm_set1_epi8(-65))) & keep);
	s->alnum += pop16((unsigned)_mm_movemask_epi8(
	    _mm_or_si128(digit, letter)) & keep);
}
#endif

void
measure_json_string(const char *p, size_t n, struct text_measure *m)
{
	struct mstate s;
	const char *end = p + n;

	memset(&s, 0, sizeof(s));
#if defined(__SSE2__)
	{
		const __m128i bs = _mm_set1_epi8('\\');

		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128(
			    (const __m128i *)(const void *)p);
			unsigned mask = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, bs));
			unsigned k;

			if (mask == 0) {
				plain16(&s, v, 0xFFFF);
				s.bytes += 16;
				s.cr = 0;
				p += 16;
				continue;
			}
			k = (unsigned)__builtin_ctz(mask);
			if (k > 0) {
				plain16(&s, v, (1u << k) - 1);
				s.bytes += k;
				s.cr = 0;
				p += k;
			}
			if (p[1] == 'n') {	/* the usual escape */
				s.bytes++;
				line_feed(&s);
				p += 2;
			} else
				p += escape(&s, p, end);
		}
	}
#endif
	while (p < end) {
		const char *b = memchr(p, '\\', (size_t)(end - p));

		if (b == NULL)
			b = end;
		plain_scalar(&s, (const unsigned char *)p, (size_t)(b - p));
		p = b;
		if (p < end)
			p += escape(&s, p, end);
	}
	finish(&s, m);
}

void
measure_text(const char *p, size_t n, struct text_measure *m)
{
	const unsigned char *u = (const unsigned char *)p;
	struct mstate s;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		s.bytes++;
		if ((u[i] & 0xC0) == 0x80)
			continue;	/* a continuation byte */
		if (u[i] == '\n')
			line_feed(&s);
		else
			one_char(&s, u[i]);
	}
	finish(&s, m);
}
