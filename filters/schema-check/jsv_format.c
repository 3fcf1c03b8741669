/*
 * jsv_format.c - the "format" values of JSON Schema 2020-12 (section 7.3
 * of the validation vocabulary), checked when formats are asserted
 * (--format-assert).  Grammars: RFC 3339 (date-time, date, time,
 * duration), RFC 5321 (email), RFC 1123 (hostname), RFC 2673/4291
 * (ipv4, ipv6), RFC 3986/3987 (uri, iri and references), RFC 4122
 * (uuid), RFC 6901 (json-pointer), RFC 6570 (uri-template), and the
 * regular expressions PCRE2 accepts (regex).
 */
#include <arpa/inet.h>
#include <string.h>

#include "hex.h"
#include "jsv_int.h"

static const char *const names[] = {
	"date-time", "date", "time", "duration", "email", "idn-email",
	"hostname", "idn-hostname", "ipv4", "ipv6", "uri", "uri-reference",
	"iri", "iri-reference", "uri-template", "uuid", "regex",
	"json-pointer", "relative-json-pointer"
};

int
jsv_format_lookup(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static bool
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static bool
isalpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdig((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool
full_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, max;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if ((y = digits(s, 4)) < 0 || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = digits(s + 8, 2)) < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* RFC 3339 full-time: partial-time time-offset. */
static bool
full_time(const char *s, size_t n)
{
	int h, m, sec, oh = 0, om = 0, sign = 0;
	size_t i = 8;

	if (n < 9 || s[2] != ':' || s[5] != ':')
		return false;
	if ((h = digits(s, 2)) < 0 || h > 23 || (m = digits(s + 3, 2)) < 0 ||
	    m > 59 || (sec = digits(s + 6, 2)) < 0 || sec > 60)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !isdig((unsigned char)s[i]))
			return false;
		while (i < n && isdig((unsigned char)s[i]))
			i++;
	}
	if (i >= n)
		return false;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		sign = 0;
	else if ((s[i] == '+' || s[i] == '-') && n - i == 6 &&
	    s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		if ((oh = digits(s + i + 1, 2)) < 0 || oh > 23 ||
		    (om = digits(s + i + 4, 2)) < 0 || om > 59)
			return false;
	} else
		return false;
	if (sec == 60) {
		/* a leap second is 23:59:60 in UTC */
		int utc = h * 60 + m - sign * (oh * 60 + om);

		utc = ((utc % 1440) + 1440) % 1440;
		if (utc != 23 * 60 + 59)
			return false;
	}
	return true;
}

static bool
date_time(const char *s, size_t n)
{
	if (n < 20 || (s[10] != 'T' && s[10] != 't'))
		return false;
	return full_date(s, 10) && full_time(s + 11, n - 11);
}

/* ISO 8601 durations as RFC 3339 appendix A restricts them. */
static bool
duration(const char *s, size_t n)
{
	static const char date_units[] = "YMD", time_units[] = "HMS";
	size_t i = 1, u;
	bool any = false, in_time = false, num;
	const char *units = date_units;

	if (n < 3 || s[0] != 'P')
		return false;
	/* PnW stands alone */
	if (s[n - 1] == 'W') {
		for (i = 1; i < n - 1; i++)
			if (!isdig((unsigned char)s[i]))
				return false;
		return n > 2;
	}
	u = 0;
	while (i < n) {
		if (s[i] == 'T') {
			if (in_time)
				return false;
			in_time = true;
			units = time_units;
			u = 0;
			i++;
			if (i >= n)
				return false;
			continue;
		}
		num = false;
		while (i < n && isdig((unsigned char)s[i])) {
			i++;
			num = true;
		}
		if (!num || i >= n)
			return false;
		while (units[u] != '\0' && units[u] != s[i])
			u++;
		if (units[u] == '\0')
			return false;
		u++;
		i++;
		any = true;
	}
	/* "PT" alone or a T with nothing after it is refused above */
	return any && s[n - 1] != 'T';
}

static bool
hostname_(const char *s, size_t n, bool idn)
{
	size_t i, label = 0;
	unsigned char c;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isalpha_(c) || isdig(c) || c == '-' ||
		    (idn && c >= 0x80)))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

static bool
ipv4(const char *s, size_t n)
{
	size_t i = 0, parts = 0, k;
	int v;

	while (parts < 4) {
		for (k = 0; i + k < n && isdig((unsigned char)s[i + k]); k++)
			;
		if (k == 0 || k > 3 || (k > 1 && s[i] == '0'))
			return false;
		v = digits(s + i, k);
		if (v > 255)
			return false;
		i += k;
		parts++;
		if (parts < 4) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

static bool
ipv6(const char *s, size_t n)
{
	char tmp[64];
	unsigned char out[16];
	size_t i;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	for (i = 0; i < n; i++)
		if (!(hex_is_digit((unsigned char)s[i]) || s[i] == ':' || s[i] == '.'))
			return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1;
}

static bool
email_(const char *s, size_t n, bool idn)
{
	const char *at = NULL;
	size_t i, k;
	unsigned char c;

	/* the last '@' outside a quoted local part */
	if (n > 0 && s[0] == '"') {
		for (i = 1; i < n && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (i >= n || i + 1 >= n || s[i + 1] != '@')
			return false;
		at = s + i + 1;
	} else {
		for (i = 0; i < n; i++) {
			c = (unsigned char)s[i];
			if (c == '@') {
				at = s + i;
				break;
			}
			if (c == '.') {
				if (i == 0 || s[i - 1] == '.')
					return false;
				continue;
			}
			if (!(isalpha_(c) || isdig(c) ||
			    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL ||
			    (idn && c >= 0x80)))
				return false;
		}
		if (at == NULL || at == s || at[-1] == '.')
			return false;
	}
	k = n - (size_t)(at + 1 - s);
	at++;
	if (k >= 2 && at[0] == '[' && at[k - 1] == ']') {
		if (k > 7 && strncmp(at + 1, "IPv6:", 5) == 0)
			return ipv6(at + 6, k - 7);
		return ipv4(at + 1, k - 2);
	}
	return hostname_(at, k, idn);
}

/* RFC 3986 characters, with percent escapes checked; iri: also UTF-8. */
static bool
uri_chars(const char *s, size_t n, bool iri)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n ||
			    !hex_is_digit((unsigned char)s[i + 1]) ||
			    !hex_is_digit((unsigned char)s[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (isalpha_(c) || isdig(c) ||
		    strchr("-._~:/?#[]@!$&'()*+,;=", c) != NULL)
			continue;
		if (iri && c >= 0x80)
			continue;
		return false;
	}
	return true;
}

static bool
uri_(const char *s, size_t n, bool iri, bool ref)
{
	size_t i;
	const char *auth, *end;

	if (!uri_chars(s, n, iri))
		return false;
	for (i = 0; i < n && s[i] != ':' && s[i] != '/' && s[i] != '?' &&
	    s[i] != '#'; i++)
		;
	if (i < n && s[i] == ':' && i > 0) {
		size_t k;

		if (!isalpha_((unsigned char)s[0]))
			return false;
		for (k = 1; k < i; k++)
			if (!(isalpha_((unsigned char)s[k]) ||
			    isdig((unsigned char)s[k]) ||
			    strchr("+-.", s[k]) != NULL))
				return false;
		i++;
	} else if (!ref)
		return false;	/* a URI needs a scheme */
	else
		i = 0;
	/* brackets only around an IP literal host */
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		auth = s + i + 2;
		end = auth;
		while (end < s + n && *end != '/' && *end != '?' && *end != '#')
			end++;
		for (const char *p = auth; p < end; p++)
			if (*p == '[') {
				const char *q = memchr(p, ']',
				    (size_t)(end - p));

				if (q == NULL || (p > auth && p[-1] != '@'))
					return false;
				if (!ipv6(p + 1, (size_t)(q - p - 1)) &&
				    !(p[1] == 'v' || p[1] == 'V'))
					return false;
				p = q;
			} else if (*p == ']')
				return false;
		i = (size_t)(end - s);
	}
	for (; i < n; i++)
		if (s[i] == '[' || s[i] == ']')
			return false;
	return true;
}

static bool
json_pointer(const char *s, size_t n)
{
	size_t i;

	if (n > 0 && s[0] != '/')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' &&
		    s[i + 1] != '1')))
			return false;
	return true;
}

static bool
relative_json_pointer(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdig((unsigned char)s[i]))
		i++;
	if (i == 0 || (i > 1 && s[0] == '0'))
		return false;
	/* an optional index adjustment: +N or -N */
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t k = ++i;

		while (i < n && isdig((unsigned char)s[i]))
			i++;
		if (i == k || (i - k > 1 && s[k] == '0'))
			return false;
	}
	if (i == n)
		return true;
	if (s[i] == '#' && i + 1 == n)
		return true;
	return json_pointer(s + i, n - i);
}

static bool
uri_template(const char *s, size_t n)
{
	size_t i;
	bool open = false;

	for (i = 0; i < n; i++) {
		if (s[i] == '{') {
			if (open)
				return false;
			open = true;
		} else if (s[i] == '}') {
			if (!open)
				return false;
			open = false;
		}
	}
	return !open;
}

/*
 * ECMA-262 spells Unicode properties the long way (\p{Letter},
 * \p{General_Category=Decimal_Number}, \p{Script=Greek}); PCRE2 10.42
 * knows the short names.  Rewrite \p{...} and \P{...} accordingly.
 */
static const struct {
	const char	*lng;
	const char	*shrt;
} gc_names[] = {
	{ "Letter", "L" }, { "Cased_Letter", "L&" },
	{ "Uppercase_Letter", "Lu" }, { "Lowercase_Letter", "Ll" },
	{ "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
	{ "Other_Letter", "Lo" }, { "Mark", "M" }, { "Combining_Mark", "M" },
	{ "Nonspacing_Mark", "Mn" }, { "Spacing_Mark", "Mc" },
	{ "Enclosing_Mark", "Me" }, { "Number", "N" },
	{ "Decimal_Number", "Nd" }, { "digit", "Nd" },
	{ "Letter_Number", "Nl" }, { "Other_Number", "No" },
	{ "Punctuation", "P" }, { "punct", "P" },
	{ "Connector_Punctuation", "Pc" }, { "Dash_Punctuation", "Pd" },
	{ "Open_Punctuation", "Ps" }, { "Close_Punctuation", "Pe" },
	{ "Initial_Punctuation", "Pi" }, { "Final_Punctuation", "Pf" },
	{ "Other_Punctuation", "Po" }, { "Symbol", "S" },
	{ "Math_Symbol", "Sm" }, { "Currency_Symbol", "Sc" },
	{ "Modifier_Symbol", "Sk" }, { "Other_Symbol", "So" },
	{ "Separator", "Z" }, { "Space_Separator", "Zs" },
	{ "Line_Separator", "Zl" }, { "Paragraph_Separator", "Zp" },
	{ "Other", "C" }, { "Control", "Cc" }, { "cntrl", "Cc" },
	{ "Format", "Cf" }, { "Surrogate", "Cs" }, { "Private_Use", "Co" },
	{ "Unassigned", "Cn" },
};

static void
translate_props(const char *s, size_t n, struct buf *out)
{
	const char *name, *close, *eq;
	size_t i = 0, k, len;

	while (i < n) {
		if (s[i] != '\\' || i + 1 >= n) {
			buf_addc(out, s[i++]);
			continue;
		}
		if ((s[i + 1] != 'p' && s[i + 1] != 'P') || i + 2 >= n ||
		    s[i + 2] != '{' ||
		    (close = memchr(s + i + 3, '}', n - i - 3)) == NULL) {
			buf_add(out, s + i, 2);
			i += 2;
			continue;
		}
		name = s + i + 3;
		len = (size_t)(close - name);
		if ((eq = memchr(name, '=', len)) != NULL) {
			len -= (size_t)(eq + 1 - name);
			name = eq + 1;
		}
		buf_add(out, s + i, 3);
		for (k = 0; k < sizeof(gc_names) / sizeof(gc_names[0]); k++)
			if (strlen(gc_names[k].lng) == len &&
			    memcmp(gc_names[k].lng, name, len) == 0)
				break;
		if (k < sizeof(gc_names) / sizeof(gc_names[0]))
			buf_adds(out, gc_names[k].shrt);
		else
			buf_add(out, name, len);
		buf_addc(out, '}');
		i = (size_t)(close + 1 - s);
	}
	if (out->data == NULL)
		buf_adds(out, "");
}

pcre2_code *
jsv_regex_compile(const char *s, size_t n, int *code, size_t *off)
{
	struct buf b = BUF_INIT;
	pcre2_code *re;
	PCRE2_SIZE o = 0;

	translate_props(s, n, &b);
	re = pcre2_compile((PCRE2_SPTR)b.data, b.len,
	    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX, code, &o, NULL);
	buf_release(&b);
	*off = (size_t)o;
	return re;
}

static bool
regex_(const char *s, size_t n)
{
	pcre2_code *re;
	size_t off;
	int code;

	if ((re = jsv_regex_compile(s, n, &code, &off)) == NULL)
		return false;
	pcre2_code_free(re);
	return true;
}

bool
jsv_format_check(int f, const char *s, size_t n)
{
	switch (f) {
	case F_DATE_TIME:
		return date_time(s, n);
	case F_DATE:
		return full_date(s, n);
	case F_TIME:
		return full_time(s, n);
	case F_DURATION:
		return duration(s, n);
	case F_EMAIL:
		return email_(s, n, false);
	case F_IDN_EMAIL:
		return email_(s, n, true);
	case F_HOSTNAME:
		return hostname_(s, n, false);
	case F_IDN_HOSTNAME:
		return hostname_(s, n, true);
	case F_IPV4:
		return ipv4(s, n);
	case F_IPV6:
		return ipv6(s, n);
	case F_URI:
		return uri_(s, n, false, false);
	case F_URI_REFERENCE:
		return uri_(s, n, false, true);
	case F_IRI:
		return uri_(s, n, true, false);
	case F_IRI_REFERENCE:
		return uri_(s, n, true, true);
	case F_URI_TEMPLATE:
		return uri_template(s, n);
	case F_UUID:
		return hex_is_uuid(s, n);
	case F_REGEX:
		return regex_(s, n);
	case F_JSON_POINTER:
		return json_pointer(s, n);
	case F_RELATIVE_JSON_POINTER:
		return relative_json_pointer(s, n);
	}
	return true;
}
