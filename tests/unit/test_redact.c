/*
 * test_redact.c - pii-scrub's replacements: tags, fakes that keep the
 * format (same length and alphabet for keys, documentation ranges for
 * addresses, 555-01xx phones), the same fake for the same value, and the
 * mapping of input offsets to output offsets.
 */
#include <string.h>

#include "redact.h"
#include "t.h"

static const char *
fake(enum pii_kind k, const char *v, uint64_t seed)
{
	static struct buf b;

	buf_reset(&b);
	redact_fake(seed, k, v, strlen(v), &b);
	return buf_cstr(&b);
}

static bool
same_shape(const char *a, const char *b)
{
	size_t i;

	if (strlen(a) != strlen(b))
		return false;
	for (i = 0; a[i]; i++) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[i];

		if ((ca >= '0' && ca <= '9') != (cb >= '0' && cb <= '9') ||
		    (ca >= 'a' && ca <= 'z') != (cb >= 'a' && cb <= 'z') ||
		    (ca >= 'A' && ca <= 'Z') != (cb >= 'A' && cb <= 'Z'))
			return false;
		if (!((ca >= '0' && ca <= '9') || (ca >= 'a' && ca <= 'z') ||
		    (ca >= 'A' && ca <= 'Z')) && ca != cb)
			return false;
	}
	return true;
}

static void
keys(void)
{
	const char *k = "ghp_R8Zx2mQ7vLw0pK4tN9sJ3hB6cF1dY5gU2aE7";
	char first[64];

	strcpy(first, fake(PII_KEY, k, 1));
	CHECK(same_shape(first, k));
	CHECK(strcmp(first, k) != 0);
	CHECK(strncmp(first, "ghp_", 4) == 0);	/* the provider prefix stays */
	CHECK_STR(fake(PII_KEY, k, 1), first);	/* same value, same fake */
	CHECK(strcmp(fake(PII_KEY, k, 2), first) != 0);	/* the seed keys it */
	CHECK(same_shape(fake(PII_PASSWORD, "Tr0ub4dor&3", 7), "Tr0ub4dor&3"));
	CHECK(strncmp(fake(PII_KEY, "sk_live_51HbQ2eKz8Lm4", 1), "sk_live_",
	    8) == 0);
}

static void
others(void)
{
	const char *e = fake(PII_EMAIL, "john.smith@gmail.com", 3), *ip;
	const char *pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow8Zq\n"
	    "-----END RSA PRIVATE KEY-----";

	CHECK(strstr(e, "@example.com") != NULL);
	CHECK(strstr(e, "john") == NULL);
	ip = fake(PII_IP_ADDRESS, "93.184.216.34", 3);
	CHECK(strncmp(ip, "192.0.2.", 8) == 0 ||
	    strncmp(ip, "198.51.100.", 11) == 0 ||
	    strncmp(ip, "203.0.113.", 10) == 0);
	CHECK(strncmp(fake(PII_IP_ADDRESS, "2606:4700::1111", 3),
	    "2001:db8::", 10) == 0);
	e = fake(PII_PHONE, "+1 (415) 867-5309", 3);
	CHECK_EQ_U(strlen(e), strlen("+1 (415) 867-5309"));
	CHECK(strncmp(e, "+1 (", 4) == 0);
	CHECK(strncmp(e + 9, "555-01", 6) == 0);
	e = fake(PII_PHONE, "415-867-5309", 3);
	CHECK(strncmp(e + 4, "555-01", 6) == 0 && e[0] >= '2');
	e = fake(PII_PRIVATE_KEY, pem, 3);
	CHECK(strncmp(e, "-----BEGIN RSA PRIVATE KEY-----\n", 32) == 0);
	CHECK(strstr(e, "\n-----END RSA PRIVATE KEY-----") != NULL);
	CHECK(strstr(e, "MIIEow8Zq") == NULL);
	CHECK_EQ_U(strlen(e), strlen(pem));
}

static void
text_and_map(void)
{
	const char *t = "ab SECRET cd KEY ef";
	struct pii_finding f[2] = {
		{ 3, 9, PII_KEY, 0 }, { 13, 16, PII_EMAIL, 0 }
	};
	struct redact_span sp[2];
	struct buf out = BUF_INIT;

	redact_text(REDACT_TAG, 0, t, strlen(t), f, 2, &out, sp);
	CHECK_STR(buf_cstr(&out), "ab <KEY> cd <EMAIL> ef");
	CHECK_EQ_U(sp[0].start, 3);
	CHECK_EQ_U(sp[0].end, 8);
	CHECK_EQ_U(sp[1].start, 12);
	CHECK_EQ_U(sp[1].end, 19);
	CHECK_EQ_U(redact_map(0, f, sp, 2), 0);
	CHECK_EQ_U(redact_map(10, f, sp, 2), 9);	/* after the first */
	CHECK_EQ_U(redact_map(17, f, sp, 2), 20);
	CHECK_EQ_U(redact_map(5, f, sp, 2), 8);	/* inside: to its end */
	buf_release(&out);
}

int
main(void)
{
	T_RUN(keys);
	T_RUN(others);
	T_RUN(text_and_map);
	return t_done();
}
