/*
 * test_pii.c - the PII engine with the default catalogue: positives and
 * hard negatives for every kind, what exactly is redacted, the catalogue's
 * errors (with the rule id), overlaps, and the keyword prefilter against a
 * naive search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "acscan.h"
#include "pii.h"
#include "pii_int.h"
#include "t.h"

static struct pii_rules *rs, *rs_priv;
static struct pii_match *m, *m_priv;

/* text with every finding replaced by its tag */
static const char *
scrub_with(struct pii_match *mm, const char *text)
{
	static struct buf out;
	const struct pii_finding *f;
	size_t n, i, pos = 0;

	buf_reset(&out);
	n = pii_scan(mm, text, strlen(text), &f);
	for (i = 0; i < n; i++) {
		buf_add(&out, text + pos, f[i].start - pos);
		buf_adds(&out, pii_kind_tag(f[i].kind));
		pos = f[i].end;
	}
	buf_adds(&out, text + pos);
	return buf_cstr(&out);
}

static const char *
scrub(const char *text)
{
	return scrub_with(m, text);
}

static size_t
count(const char *text)
{
	const struct pii_finding *f;

	return pii_scan(m, text, strlen(text), &f);
}

#define SAME(text)	CHECK_STR(scrub(text), text)

static void
emails(void)
{
	CHECK_STR(scrub("by John Smith <john.smith@gmail.com>, 2021"),
	    "by John Smith <<EMAIL>>, 2021");
	CHECK_STR(scrub("mail jane_doe+dev@mail.uni-heidelberg.de."),
	    "mail <EMAIL>.");
	CHECK_STR(scrub("write to alice [at] company [dot] org please"),
	    "write to <EMAIL> please");
	CHECK_STR(scrub("bob(at)kernel.org"), "<EMAIL>");
	CHECK_STR(scrub("x = 'ops@corp.co.uk'"), "x = '<EMAIL>'");
	/* documentation domains and look-alikes */
	SAME("user@example.com and a@b.example.org and c@x.example.net");
	SAME("dev@service.test, ops@box.invalid, root@localhost");
	SAME("git clone git@github.com:owner/repo.git");
	SAME("<img src=\"icon@2x.png\"> lodash@4.17.21 pkg@1.2.3");
	SAME("import x from '@scope/pkg'; @Override @app.route('/')");
	SAME("https://user@github.com/o/r and ssh://git@host.org/r");
	SAME("author: james.fake@ymail.com");	/* a fake local part */
	SAME("no tld: me@server.lan, file a@b.c");
}

static void
ips(void)
{
	CHECK_STR(scrub("nameserver 8.8.8.8"), "nameserver <IP_ADDRESS>");
	CHECK_STR(scrub("host = \"93.184.216.34\";"),
	    "host = \"<IP_ADDRESS>\";");
	CHECK_STR(scrub("listen [2606:4700:4700::1111]:53"),
	    "listen [<IP_ADDRESS>]:53");
	CHECK_STR(scrub("addr 2001:4860:4860:0:0:0:0:8888 up"),
	    "addr <IP_ADDRESS> up");
	/* private and special ranges, netmasks: not by default */
	SAME("10.1.2.3 192.168.0.1 172.16.5.4 127.0.0.1 169.254.1.1");
	SAME("100.64.0.1 192.0.2.7 198.51.100.3 203.0.113.9 224.0.0.251");
	SAME("0.0.0.0 255.255.255.0 255.255.0.0 0.0.0.255");
	SAME("::1 fe80::1 fc00::5 2001:db8::1 ff02::1 ::");
	/* versions, OIDs, times, MACs, C++ */
	SAME("__version__ = \"1.2.3.4\"");
	SAME("[assembly: AssemblyVersion(\"1.2.3.4\")]");
	SAME("<version>4.7.3.0</version> v1.2.3.4 perl-5.24.3.1");
	SAME("oid 1.3.6.1.4.1.311 and 1.2.3.4.5 and 2.5.4.46");
	SAME("12:30:45 00:1a:2b:3c:4d:5e std::vector<int> a::b");
	SAME("zlib >= 1.2.0.4 see RFC 7231 section 3.1.2.2");
	/* with --redact-private-ips */
	CHECK_STR(scrub_with(m_priv, "10.0.0.1 and fe80::1"),
	    "<IP_ADDRESS> and <IP_ADDRESS>");
}

/* A GitHub token whose CRC32 checksum is right. */
static void
github_token(const char *body30, char out[41])
{
	static const char b62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)body30, 30);
	int i;

	memcpy(out, "ghp_", 4);
	memcpy(out + 4, body30, 30);
	for (i = 5; i >= 0; i--) {
		out[34 + i] = b62[crc % 62];
		crc /= 62;
	}
	out[40] = '\0';
}

static void
keys(void)
{
	char tok[41], text[128];

	CHECK_STR(scrub("aws_access_key_id = AKIAQ3EGX4RT5UV6WX7Z"),
	    "aws_access_key_id = <KEY>");
	SAME("aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
	CHECK_STR(scrub("aws_secret_access_key = "
	    "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"),
	    "aws_secret_access_key = <KEY>");
	/* GitHub: the checksum confirms even a dull body */
	github_token("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", tok);
	snprintf(text, sizeof(text), "t=%s", tok);
	CHECK_STR(scrub(text), "t=<KEY>");
	CHECK(pii_github_crc_ok(tok, 40));
	tok[39] = tok[39] == 'A' ? 'B' : 'A';
	CHECK(!pii_github_crc_ok(tok, 40));
	SAME("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CHECK_STR(scrub("GITHUB_TOKEN="
	    "ghp_R8Zx2mQ7vLw0pK4tN9sJ3hB6cF1dY5gU2aE7"),
	    "GITHUB_TOKEN=<KEY>");
	CHECK_STR(scrub("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123"
	    "456789ABCDEFGHIJKLMNOPQRSTUVWXyz0123456789ab"), "<KEY>");
	CHECK_STR(scrub("token: glpat-Zx8wQ2vN4mK7pL1tR9sB"), "token: <KEY>");
	CHECK_STR(scrub("SLACK="
	    "xoxb-2648301922-1836502299-Ts8lQ1xHn2rP4vZ7cW9yB3mD"),
	    "SLACK=<KEY>");
	CHECK_STR(scrub("https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/"
	    "x7Yq2Lm9Pz4Rk8Wn3Vb6Tc1H"), "https://hooks.slack.com/services/"
	    "<KEY>");
	CHECK_STR(scrub("key: AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
	    "key: <KEY>");
	CHECK_STR(scrub("sk-proj-AbCdEf1234567890GhIjKl"
	    "T3BlbkFJmNoPqRsTuVwXyZ123456"),
	    "<KEY>");
	CHECK_STR(scrub("stripe.api_key = "
	    "'sk_live_51HbQ2eKz8Lm4Np7Rt0Vw3Xy6Za9Bc'"),
	    "stripe.api_key = '<KEY>'");
	CHECK_STR(scrub("SK0123456789abcdef0123456789abcdef"), "<KEY>");
	CHECK_STR(scrub("SG.ngeVfQFYQlKU0ufo8x5d1A."
	    "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"),
	    "<KEY>");
	CHECK_STR(scrub("//registry.npmjs.org/:_authToken="
	    "npm_8fJ2kL9qW3eR7tY1uI5oP0aS4dF6gH2jK8lZ"),
	    "//registry.npmjs.org/:_authToken=<KEY>");
	CHECK_STR(scrub("HF_TOKEN=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"),
	    "HF_TOKEN=<KEY>");
	CHECK_STR(scrub("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJzdWIiOiIxMjM0NTY3"
	    "ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"), "<KEY>");
	CHECK_STR(scrub("DefaultEndpointsProtocol=https;AccountName=acct;"
	    "AccountKey="
	    "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"
	    "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cQ==;"),
	    "DefaultEndpointsProtocol=https;AccountName=acct;"
	    "AccountKey=<KEY>;");
	/* generic assignments */
	CHECK_STR(scrub("api_key = \"q8Zr2LxW9mTv4NpB7sKd\""),
	    "api_key = \"<KEY>\"");
	CHECK_STR(scrub("export CLIENT_SECRET=v9Bq2Lm7Xz4Rt8Wn"),
	    "export CLIENT_SECRET=<KEY>");
	CHECK_STR(scrub("<apiToken>\n  Tq9Lz2Xm7Rv4Nb8Kw3Ps\n</apiToken>"),
	    "<apiToken>\n  <KEY>\n</apiToken>");
	/* hashes, UUIDs, git SHAs, test vectors, placeholders, code */
	SAME("api_key = \"d41d8cd98f00b204e9800998ecf8427e\"");
	SAME("apiKey: '123e4567-e89b-12d3-a456-426614174000'");
	SAME("commit = \"9fceb02d0ae598e95dc970b74767f19372d61af8\"");
	SAME("key = \"000102030405060708090a0b0c0d0e0f\"");
	SAME("token = \"xxxxxxxxxxxxxxxxxxxxxxxx\"");
	SAME("api_key = \"your_api_key_here\"");
	SAME("api_key = os.environ[\"API_KEY\"]");
	SAME("token = getToken(user)");
	SAME("secret = ${SECRET_VALUE}");
	SAME("keyword = \"retention2024policy\"");
	SAME("primaryKey = \"QwYctzaqlvem52lADUCcgu\"");
	SAME("const validKeyChars = \"0123456789abcdefghijklmnopqrstuvwxyz\"");
	SAME("key_length = XSalsa20.key_length");
	SAME("cacheKey := \"user-profile-v2\"");
}

static void
private_keys(void)
{
	static const char pem[] =
	    "key = \"\"\"-----BEGIN RSA PRIVATE KEY-----\n"
	    "MIIEowIBAAKCAQEAr4p5vZ2Lq8XmN9kT3wR7yB1cD6fH0jJ2lK4nM8oP5qS7uV9w\n"
	    "Xa1Yb3Zc5Dd7Ee9Ff1Gg3Hh5Ii7Jj9Kk1Ll3Mm5Nn7Oo9Pp1Qq3Rr5Ss7Tt9Uu1V\n"
	    "-----END RSA PRIVATE KEY-----\"\"\"\n";
	static const char masked[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n"
	    "-----END PRIVATE KEY-----\n";

	CHECK_STR(scrub(pem), "key = \"\"\"<PRIVATE_KEY>\"\"\"\n");
	SAME(masked);
	/* escaped newlines, as in a string literal */
	CHECK_STR(scrub("-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXkt"
	    "djEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n"
	    "QyNTUxOQAAACBk9x2Lq7Rm3Wp8Zt5Nv1Hc4Jy6Gb0Xe2Kd9Sa7Fu3TgQAAAJgv\\n"
	    "-----END OPENSSH PRIVATE KEY-----"), "<PRIVATE_KEY>");
	SAME("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n"
	    "-----END PUBLIC KEY-----");
}

static void
passwords(void)
{
	CHECK_STR(scrub("DATABASE_URL="
	    "postgres://app:Kd8Wq2Zm5x@db.internal:5432/x"),
	    "DATABASE_URL=postgres://app:<PASSWORD>@db.internal:5432/x");
	CHECK_STR(scrub("mysql://root:Tr0ub4dor3@10.0.0.5/db"),
	    "mysql://root:<PASSWORD>@10.0.0.5/db");
	CHECK_STR(scrub("mongodb+srv://admin:Qz8mW2xR7@"
	    "cluster0.abcd.mongodb.net"),
	    "mongodb+srv://admin:<PASSWORD>@cluster0.abcd.mongodb.net");
	CHECK_STR(scrub("redis://:Zk4pL9qW2m@cache:6379/0"),
	    "redis://:<PASSWORD>@cache:6379/0");
	CHECK_STR(scrub("amqp://guest:Hn7Xc2Vb9q@rabbit:5672/"),
	    "amqp://guest:<PASSWORD>@rabbit:5672/");
	CHECK_STR(scrub("ftp://deploy:f7Gh2Jk9Lm@ftp.corp.net/pub"),
	    "ftp://deploy:<PASSWORD>@ftp.corp.net/pub");
	CHECK_STR(scrub("curl https://bob:Wq3Er8Ty1u@api.host.io/v1"),
	    "curl https://bob:<PASSWORD>@api.host.io/v1");
	CHECK_STR(scrub("DB_PASSWORD=hunter2x9"), "DB_PASSWORD=<PASSWORD>");
	CHECK_STR(scrub("    password: \"Gr8-Lakes!\"\n"),
	    "    password: \"<PASSWORD>\"\n");
	CHECK_STR(scrub("<add key=\"DbPassword\" value=\"Zx9!qPw2\" />"),
	    "<add key=\"DbPassword\" value=\"<PASSWORD>\" />");
	CHECK_STR(scrub("curl -u admin:Vb8Nm2Qw9 https://h.io"),
	    "curl -u admin:<PASSWORD> https://h.io");
	/* placeholders and examples */
	SAME("postgres://user:${DB_PASSWORD}@db:5432/app");
	SAME("postgres://user:<password>@db:5432/app");
	SAME("mysql://root:changeme@db/x and redis://u:password@localhost");
	SAME("password = \"${DB_PASSWORD}\"");
	SAME("password: <password>");
	SAME("password = request.form['password']");
	SAME("password = getpass()");
	SAME("self.password = password");
	SAME("'allPass': 'overEvery'");
	SAME("(\"username\", \"password\", \"port\")");
	SAME("sqlite+pysqlcipher://:passphrase@/file.db");
	SAME("curl -u test:test http://localhost/");
}

static void
phones(void)
{
	CHECK_STR(scrub("call +1 (415) 867-5309 today"), "call <PHONE> today");
	CHECK_STR(scrub("tel: +44 20 7946 0958"), "tel: <PHONE>");
	CHECK_STR(scrub("Phone: (212) 736-5000"), "Phone: <PHONE>");
	CHECK_STR(scrub("fax 415-867-5309."), "fax <PHONE>.");
	CHECK_STR(scrub("+49-30-3465789"), "<PHONE>");
	/* bare runs of digits, dates, ISBNs, fictional numbers */
	SAME("ts = 1700000000; max = 2147483647; n = 4155550123");
	SAME("isbn 978-3-16-148410-0, date 2023-01-15, 2023.01.15");
	SAME("(415) 555-0123 and 415-555-0199");	/* 555-01xx */
	SAME("x = 123-456-7890; y = +1234567890");
	SAME("moment('+270000-01-01'); '+2012-05-25'");
	SAME("version 1.234.567.8901");
}

static void
overlaps(void)
{
	const struct pii_finding *f;
	const char *t = "postgres://u:Pq8Zr2Lx9@mail.corp.com/db";
	size_t n = pii_scan(m, t, strlen(t), &f);

	/* the password only: "Pq8Zr2Lx9@mail.corp.com" is no e-mail */
	CHECK_EQ_U(n, 1);
	if (n == 1) {
		CHECK_EQ_U(f[0].kind, PII_PASSWORD);
		CHECK_STR(pii_rule_id(rs, f[0].rule), "url-password");
	}
	/* sorted, disjoint */
	t = "a@gmail.org 8.8.8.8 b@yahoo.com 1.1.1.1 AKIAQ3EGX4RT5UV6WX7Z";
	n = pii_scan(m, t, strlen(t), &f);
	CHECK_EQ_U(n, 5);
	for (size_t i = 1; i < n; i++)
		CHECK(f[i - 1].end <= f[i].start);
	CHECK_EQ_U(count(""), 0);
}

static struct pii_rules *
parse(const char *json, struct buf *err)
{
	struct pii_config cfg = PII_CONFIG_INIT;

	buf_reset(err);
	return pii_rules_parse(json, strlen(json), "r.json", &cfg, err);
}

static void
catalogue_errors(void)
{
	struct buf err = BUF_INIT;
	struct pii_rules *r;

	r = parse("{\"rules\":[{\"id\":\"bad-one\",\"kind\":\"key\","
	    "\"regex\":\"a(b\"}]}", &err);
	CHECK(r == NULL);
	CHECK(strstr(buf_cstr(&err), "rule 'bad-one'") != NULL);
	CHECK(strstr(buf_cstr(&err), "invalid regex") != NULL);
	r = parse("{\"rules\":[{\"id\":\"k\",\"kind\":\"ssn\","
	    "\"regex\":\"x\"}]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "rule 'k': unknown kind "
	    "'ssn'") != NULL);
	r = parse("{\"rules\":[{\"id\":\"k\",\"kind\":\"key\",\"regex\":\"x\","
	    "\"color\":1}]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "unknown field 'color'"));
	r = parse("{\"rules\":[{\"id\":\"k\",\"kind\":\"key\",\"regex\":\"x\"},"
	    "{\"id\":\"k\",\"kind\":\"key\",\"regex\":\"y\"}]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "duplicate id") != NULL);
	r = parse("{\"rules\":[{\"id\":\"k\",\"kind\":\"key\",\"regex\":\"x\","
	    "\"check\":\"luhn9\",\"keywords\":[\"x\"]}]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "unknown check") != NULL);
	r = parse("{\"extends\":\"default\",\"rules\":[]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "not allowed") != NULL);
	r = parse("{\"rules\":[", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "invalid JSON") != NULL);
	r = parse("{\"rules\":[{\"id\":\"k\",\"kind\":\"key\",\"regex\":\"x\","
	    "\"window\":[1]}]}", &err);
	CHECK(r == NULL && strstr(buf_cstr(&err), "'window'") != NULL);
	/* a small valid catalogue works, without keywords too */
	r = parse("{\"version\":1,\"rules\":[{\"id\":\"tick\",\"kind\":\"key\","
	    "\"regex\":\"TICK-(?<secret>[0-9]{4})\"}]}", &err);
	CHECK(r != NULL);
	if (r != NULL) {
		struct pii_match *mm = pii_match_new(r);

		CHECK_STR(scrub_with(mm, "a TICK-1234 b"), "a TICK-<KEY> b");
		CHECK_EQ_U(pii_rules_count(r), 1);
		CHECK_EQ_U(strlen(pii_rules_digest(r)), 64);
		pii_match_free(mm);
		pii_rules_free(r);
	}
	buf_release(&err);
}

static void
kinds(void)
{
	struct buf err = BUF_INIT;
	unsigned mask;

	CHECK(pii_kinds_mask("email,key", &mask, &err));
	CHECK_EQ_U(mask, (1u << PII_EMAIL) | (1u << PII_KEY));
	CHECK(!pii_kinds_mask("email,ssn", &mask, &err));
	CHECK(strstr(buf_cstr(&err), "'ssn'") != NULL);
	CHECK(!pii_kinds_mask("", &mask, &err));
	CHECK_STR(pii_kind_name(PII_IP_ADDRESS), "ip_address");
	CHECK_STR(pii_kind_tag(PII_PRIVATE_KEY), "<PRIVATE_KEY>");
	CHECK_EQ_U(pii_kind_parse("phone", 5), PII_PHONE);
	buf_release(&err);
}

static void
ranges(void)
{
	uint8_t a[4];

	CHECK(pii_ipv4_parse("8.8.8.8", 7, a) && pii_ipv4_public(a));
	CHECK(pii_ipv4_parse("172.31.0.1", 10, a) && !pii_ipv4_public(a));
	CHECK(pii_ipv4_parse("172.32.0.1", 10, a) && pii_ipv4_public(a));
	CHECK(pii_ipv4_parse("100.127.0.1", 11, a) && !pii_ipv4_public(a));
	CHECK(pii_ipv4_parse("100.128.0.1", 11, a) && pii_ipv4_public(a));
	CHECK(!pii_ipv4_parse("256.1.1.1", 9, a));
	CHECK(!pii_ipv4_parse("01.2.3.4", 8, a));
	CHECK(pii_ipv4_parse("255.255.254.0", 13, a) && pii_ipv4_netmask(a));
	CHECK(pii_ipv4_parse("255.0.255.0", 11, a) && !pii_ipv4_netmask(a));
}

/* the prefilter against a naive search, on random keywords and text */
struct hitlog {
	size_t		 n;
	size_t		 bad;	/* ids out of range, ends past the text */
};

static void
log_hit(void *arg, uint32_t id, size_t end)
{
	struct hitlog *h = arg;

	h->n++;
	if (id >= 40 || end > 2000)
		h->bad++;
}

static unsigned
rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

static void
prefilter(void)
{
	char kw[40][6], text[2000];
	size_t len[40], i, j, k, naive;
	struct hitlog h;
	unsigned seed = 12345;
	int round;

	for (round = 0; round < 20; round++) {
		struct ac *a = ac_new();

		for (i = 0; i < 40; i++) {
			len[i] = 1 + rnd(&seed) % 4;
			for (j = 0; j < len[i]; j++)
				kw[i][j] = "abAB:."[rnd(&seed) % 6];
			ac_add(a, kw[i], len[i], (uint32_t)i);
		}
		ac_build(a);
		for (i = 0; i < sizeof(text); i++)
			text[i] = "abcABC:.x"[rnd(&seed) % 9];
		h.n = h.bad = 0;
		ac_scan(a, text, sizeof(text), log_hit, &h);
		naive = 0;
		for (k = 0; k < sizeof(text); k++)
			for (i = 0; i < 40; i++) {
				if (k + len[i] > sizeof(text))
					continue;
				for (j = 0; j < len[i]; j++) {
					char c = text[k + j], d = kw[i][j];

					if (c >= 'A' && c <= 'Z')
						c += 32;
					if (d >= 'A' && d <= 'Z')
						d += 32;
					if (c != d)
						break;
				}
				if (j == len[i])
					naive++;
			}
		CHECK_EQ_U(h.n, naive);
		CHECK_EQ_U(h.bad, 0);
		ac_free(a);
	}
}

int
main(void)
{
	struct pii_config cfg = PII_CONFIG_INIT, priv = PII_CONFIG_INIT;
	struct buf err = BUF_INIT;
	int st;

	setenv("CODESIFT_DATADIR", "configs", 1);
	if ((rs = pii_rules_load(&cfg, &err)) == NULL) {
		printf("# cannot load the catalogue: %s\n", buf_cstr(&err));
		return 1;
	}
	priv.private_ips = true;
	priv.kinds = 1u << PII_IP_ADDRESS;
	if ((rs_priv = pii_rules_load(&priv, &err)) == NULL)
		return 1;
	m = pii_match_new(rs);
	m_priv = pii_match_new(rs_priv);
	T_RUN(emails);
	T_RUN(ips);
	T_RUN(keys);
	T_RUN(private_keys);
	T_RUN(passwords);
	T_RUN(phones);
	T_RUN(overlaps);
	T_RUN(catalogue_errors);
	T_RUN(kinds);
	T_RUN(ranges);
	T_RUN(prefilter);
	st = t_done();
	pii_match_free(m);
	pii_match_free(m_priv);
	pii_rules_free(rs);
	pii_rules_free(rs_priv);
	buf_release(&err);
	return st;
}
