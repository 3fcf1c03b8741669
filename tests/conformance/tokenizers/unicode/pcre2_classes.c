/*
 * pcre2_classes.c - print, for every code point from U+0080, the classes
 * PCRE2 puts it in, in the format of probe_unicode.js (without WS).
 * cc pcre2_classes.c -lpcre2-8 -o pcre2_classes && ./pcre2_classes
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = { "L", "N", "M", "Lu", "Ll", "Lt", "Lm",
    "Lo", "Nd", "Nl", "No", "Mn", "Mc", "Me", "Pc" };
#define NC (sizeof(names) / sizeof(names[0]))

int
main(void)
{
	pcre2_code *re[NC];
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	unsigned char b[4];
	char pat[32], out[128];
	unsigned cp;
	size_t i, n;
	PCRE2_SIZE eo;
	int ec;

	for (i = 0; i < NC; i++) {
		snprintf(pat, sizeof(pat), "^\\p{%s}$", names[i]);
		re[i] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
	}
	for (cp = 0x80; cp < 0x110000; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (cp < 0x800) {
			b[0] = 0xC0 | cp >> 6;
			b[1] = 0x80 | (cp & 63);
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = 0xE0 | cp >> 12;
			b[1] = 0x80 | ((cp >> 6) & 63);
			b[2] = 0x80 | (cp & 63);
			n = 3;
		} else {
			b[0] = 0xF0 | cp >> 18;
			b[1] = 0x80 | ((cp >> 12) & 63);
			b[2] = 0x80 | ((cp >> 6) & 63);
			b[3] = 0x80 | (cp & 63);
			n = 4;
		}
		out[0] = '\0';
		for (i = 0; i < NC; i++)
			if (pcre2_match(re[i], b, n, 0, 0, md, NULL) >= 0) {
				strcat(out, names[i]);
				strcat(out, ",");
			}
		if (out[0] != '\0')
			printf("%x %s\n", cp, out);
	}
	return 0;
}
