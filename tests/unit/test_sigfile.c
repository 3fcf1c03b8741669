/*
 * test_sigfile.c - intermediate files: written, read back, and refused
 * when torn, corrupt, foreign or of another version.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "sigfile.h"
#include "t.h"

static char dir[] = "/tmp/test_sigfile.XXXXXX";

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	*n = fread(p, 1, (size_t)len, f);
	fclose(f);
	return p;
}

static void
write_sample(const char *path)
{
	const char *names[2] = { "odd", "words" };
	uint64_t lens[2] = { 3, 16 }, w[2] = { 1, 0x0102030405060708ULL };
	json_object *h = json_object_new_object();
	struct nd_params p = {
		5, 5, 256, 25, 10, false, true, 12345678901234567ULL,
		"text", "id", "stars"
	};
	struct sfw *f;

	json_object_object_add(h, "kind", json_object_new_string("sign"));
	json_object_object_add(h, "params", sf_params_json(&p));
	f = sfw_open(path);
	sfw_begin(f, h, names, lens, 2);
	sfw_write(f, "abc", 3);
	sfw_end(f);
	sfw_write(f, w, 16);
	sfw_end(f);
	sfw_commit(f);
}

static void
test_roundtrip(void)
{
	char path[64];
	struct nd_params p;
	struct sfr *r;
	uint64_t off, len, *w;
	char s[4] = { 0 };
	struct buf err = BUF_INIT;
	size_t n;
	char *img;

	snprintf(path, sizeof(path), "%s/a.sign", dir);
	write_sample(path);
	img = slurp(path, &n);
	CHECK(n % 8 == 0);
	CHECK(memcmp(img + n - 8, SF_MAGIC, 8) == 0);
	CHECK_EQ_U(sf_check_image(img, n, &err), 0);
	r = sfr_open(path, "sign");
	CHECK_STR(sfr_kind(r), "sign");
	CHECK(sfr_section(r, "odd", &off, &len));
	CHECK_EQ_U(off % 8, 0);
	CHECK_EQ_U(len, 3);
	sfr_read(r, "odd", 0, s, 3);
	CHECK_STR(s, "abc");
	w = sfr_load(r, "words", 2, 8);
	CHECK(w[1] == 0x0102030405060708ULL);
	free(w);
	CHECK(!sfr_section(r, "nothing", &off, &len));
	sf_params_read(r, &p);
	CHECK_EQ_U(p.perms, 256);
	CHECK(p.exact);
	CHECK(p.seed == 12345678901234567ULL);
	CHECK_STR(p.keep_field, "stars");
	CHECK_STR(p.field, "text");
	CHECK(sf_params_diff(&p, &p) == NULL);
	{
		struct nd_params q = p;

		q.rows = 9;
		CHECK_STR(sf_params_diff(&p, &q), "--rows 10 vs 9");
		q = p;
		q.keep_field = NULL;
		CHECK(sf_params_diff(&p, &q) != NULL);
	}
	CHECK(strlen(sfr_id(r)) == 16);
	sfr_close(r);
	free(img);
	buf_release(&err);
}

static int
check(const char *p, size_t n, const char *want)
{
	struct buf err = BUF_INIT;
	int st = sf_check_image(p, n, &err);

	if (strstr(buf_cstr(&err), want) == NULL) {
		printf("#   message '%s', expected '%s'\n", buf_cstr(&err), want);
		st = -1;
	}
	buf_release(&err);
	return st;
}

static void
test_refused(void)
{
	char path[64];
	size_t n, k;
	char *img, *bad;

	snprintf(path, sizeof(path), "%s/b.sign", dir);
	write_sample(path);
	img = slurp(path, &n);
	bad = malloc(n);

	/* cut anywhere: torn (status 3) */
	for (k = 1; k < n; k += 7)
		CHECK_EQ_U(check(img, n - k, "torn"), 3);
	CHECK_EQ_U(check(img, 10, "torn"), 3);
	/* one byte changed anywhere: corrupt or torn (status 3) */
	for (k = 0; k < n - 8; k += 5) {
		memcpy(bad, img, n);
		bad[k] ^= 0x20;
		CHECK_EQ_U(check(bad, n, ""), 3);
	}
	/* not ours at all: status 2 */
	CHECK_EQ_U(check("{\"blob_id\":\"x\"}\n", 16, "not a dedup-near"), 2);
	CHECK_EQ_U(check("", 0, "not a dedup-near"), 2);
	/* a good checksum over a header of another version: status 2 */
	{
		const char *v2 = "{\"format\":\"codesift-dedup-near\","
		    "\"version\":2,\"byte_order\":\"little\",\"kind\":\"sign\","
		    "\"sections\":{}}";
		size_t hl = strlen(v2) + 1, m = (hl + 7) / 8 * 8 + SF_TRAILER;
		char *f = calloc(1, m);
		uint64_t sum;
		unsigned i;

		memset(f, ' ', m - SF_TRAILER);
		memcpy(f, v2, strlen(v2));
		f[m - SF_TRAILER - 1] = '\n';
		for (i = 0; i < 8; i++)
			f[m - 24 + i] = (char)((uint64_t)m >> (8 * i));
		sum = XXH3_64bits(f, m - 16);
		for (i = 0; i < 8; i++)
			f[m - 16 + i] = (char)(sum >> (8 * i));
		memcpy(f + m - 8, SF_MAGIC, 8);
		CHECK_EQ_U(check(f, m, "version 2"), 2);
		free(f);
	}
	free(bad);
	free(img);
}

int
main(void)
{
	char cmd[64];
	int st;

	if (mkdtemp(dir) == NULL)
		return 2;
	T_RUN(test_roundtrip);
	T_RUN(test_refused);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	st = system(cmd);
	(void)st;
	return t_done();
}
