/*
 * fuzz_pii.c - libFuzzer target for the PII rule engine.
 *
 * The first byte chooses what the rest is: text to scan with the default
 * catalogue (findings must be sorted, disjoint, inside the text, of a
 * known kind and rule, and the same on a second scan with a second match
 * state), or a catalogue to load (any input: a clean error or rules that
 * scan without crashing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"

static struct pii_rules *rs;
static struct pii_match *m1, *m2;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pii_config cfg = PII_CONFIG_INIT;
	struct buf err = BUF_INIT;

	(void)argc;
	(void)argv;
	if ((rs = pii_rules_load(&cfg, &err)) == NULL)
		err_die("fuzz_pii: %s", buf_cstr(&err));
	m1 = pii_match_new(rs);
	m2 = pii_match_new(rs);
	buf_release(&err);
	return 0;
}

static void
scan(const char *t, size_t n)
{
	const struct pii_finding *f, *g;
	struct pii_finding *copy;
	size_t nf, ng, i;

	nf = pii_scan(m1, t, n, &f);
	copy = malloc((nf ? nf : 1) * sizeof(*copy));
	memcpy(copy, f, nf * sizeof(*copy));
	for (i = 0; i < nf; i++) {
		if (copy[i].start >= copy[i].end || copy[i].end > n ||
		    (unsigned)copy[i].kind >= PII_NKINDS ||
		    copy[i].rule >= pii_rules_count(rs) ||
		    pii_rule_kind(rs, copy[i].rule) != copy[i].kind)
			abort();
		if (i > 0 && copy[i - 1].end > copy[i].start)
			abort();
	}
	ng = pii_scan(m2, t, n, &g);
	if (ng != nf || (nf > 0 && memcmp(g, copy, nf * sizeof(*g)) != 0))
		abort();
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pii_config cfg = PII_CONFIG_INIT;
	struct buf err = BUF_INIT;
	struct pii_rules *r;
	struct pii_match *m;
	const struct pii_finding *f;

	if (size == 0)
		return 0;
	if (data[0] != '{') {
		scan((const char *)data + 1, size - 1);
		return 0;
	}
	r = pii_rules_parse((const char *)data, size, "fuzz.json", &cfg, &err);
	if (r == NULL) {
		if (err.len == 0)
			abort();	/* every failure says why */
	} else {
		m = pii_match_new(r);
		(void)pii_scan(m, (const char *)data, size, &f);
		pii_match_free(m);
		pii_rules_free(r);
	}
	buf_release(&err);
	return 0;
}
