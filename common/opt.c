/*
 * opt.c - the common options of DESIGN.md and strict number parsing
 * (in the spirit of OpenBSD's strtonum).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "mem.h"
#include "opt.h"

enum {
	O_REJECTS = OPT_SHARED_BASE,
	O_MAX_REJECTS,
	O_METRICS,
	O_PUSH,
	O_STAGE,
	O_SHARD,
	O_SUMMARY,
	O_PROGRESS,
	O_NO_PROGRESS,
	O_FIELD,
	O_ID_FIELD,
	O_MAX_RECORD_BYTES
};

static const struct option shared_long[] = {
	{ "field",		required_argument, NULL, O_FIELD },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "id-field",		required_argument, NULL, O_ID_FIELD },
	{ "max-record-bytes",	required_argument, NULL, O_MAX_RECORD_BYTES },
	{ "max-rejects",	required_argument, NULL, O_MAX_REJECTS },
	{ "metrics",		required_argument, NULL, O_METRICS },
	{ "no-progress",	no_argument,	   NULL, O_NO_PROGRESS },
	{ "output",		required_argument, NULL, 'o' },
	{ "progress",		no_argument,	   NULL, O_PROGRESS },
	{ "push",		required_argument, NULL, O_PUSH },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "rejects",		required_argument, NULL, O_REJECTS },
	{ "shard",		required_argument, NULL, O_SHARD },
	{ "stage",		required_argument, NULL, O_STAGE },
	{ "summary",		required_argument, NULL, O_SUMMARY },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char shared_help[] =
"  -o, --output FILE       write records to FILE (atomically; .gz/.zst\n"
"                          compress) instead of stdout\n"
"      --rejects FILE      write rejected records to FILE as JSON lines\n"
"      --max-rejects N|P%  exit 1 if more than N records (or P% of them)\n"
"                          are rejected\n"
"      --max-record-bytes SIZE\n"
"                          reject lines longer than SIZE (default 64MiB)\n"
"      --field NAME        the text field (default: content)\n"
"      --id-field NAME     the record id field (default: blob_id)\n"
"      --summary FILE      write the run's counts as JSON to FILE\n"
"      --metrics FILE      write Prometheus metrics to FILE\n"
"      --push URL          push metrics to the Pushgateway at URL\n"
"      --stage NAME        stage label for metrics (default: program name)\n"
"      --shard NAME        shard label for metrics and grouping key\n"
"      --progress          show progress on stderr (default if a terminal)\n"
"      --no-progress       do not show progress\n"
"  -q, --quiet             no warnings (errors are still reported)\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n";

_Noreturn void
opt_help(const struct opt_prog *p)
{
	printf("%s\n%s\n", p->synopsis, p->purpose);
	if (p->help != NULL && *p->help != '\0')
		printf("\nOptions:\n%s", p->help);
	printf("\nCommon options:\n%s", shared_help);
	printf("\nExit status: 0 ok, 1 a data gate failed, 2 usage error,"
	    " 3 fatal error.\nSee %s(1) and codesift(7).\n", err_prog());
	if (fflush(stdout) != 0 || ferror(stdout))
		err_die_errno("write error");
	exit(STATUS_OK);
}

#define MAX_LONGOPTS	128

int
opt_parse(int argc, char *argv[], const struct opt_prog *p,
    struct opt_shared *o)
{
	/* on the stack: misuse exits from anywhere below, leaking nothing */
	struct option lo[MAX_LONGOPTS];
	char sopt[128];
	size_t nf = 0, ns, i;
	int c;

	memset(o, 0, sizeof(*o));
	o->field = "content";
	o->id_field = "blob_id";
	o->progress = -1;
	o->max_record_bytes = (size_t)64 << 20;
	o->argc = argc;
	o->argv = argv;

	if (p->longopts != NULL)
		while (p->longopts[nf].name != NULL)
			nf++;
	ns = sizeof(shared_long) / sizeof(shared_long[0]);
	if (nf + ns > MAX_LONGOPTS)
		err_bug("too many long options (%zu)", nf + ns);
	for (i = 0; i < nf; i++)
		lo[i] = p->longopts[i];
	for (i = 0; i < ns; i++)
		lo[nf + i] = shared_long[i];

	/* GNU order: options may follow operands ("--" ends them) */
	if ((size_t)snprintf(sopt, sizeof(sopt), ":ho:qV%s",
	    p->shortopts != NULL ? p->shortopts : "") >= sizeof(sopt))
		err_bug("too many short options");

	opterr = 0;
	while ((c = getopt_long(argc, argv, sopt, lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			opt_help(p);
		case 'o':
			o->out = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'V':
			printf("%s (codesift) %s\n", err_prog(),
			    CODESIFT_VERSION);
			exit(STATUS_OK);
		case O_FIELD:
			if (*optarg == '\0')
				err_usage("--field needs a field name");
			o->field = optarg;
			break;
		case O_ID_FIELD:
			if (*optarg == '\0')
				err_usage("--id-field needs a field name");
			o->id_field = optarg;
			break;
		case O_MAX_RECORD_BYTES:
			o->max_record_bytes = opt_size("--max-record-bytes",
			    optarg, 1, (size_t)1 << 40);
			break;
		case O_MAX_REJECTS:
			opt_limit("--max-rejects", optarg, &o->max_rejects,
			    &o->max_rejects_pct);
			o->max_rejects_set = true;
			break;
		case O_METRICS:
			o->metrics = optarg;
			break;
		case O_NO_PROGRESS:
			o->progress = 0;
			break;
		case O_PROGRESS:
			o->progress = 1;
			break;
		case O_PUSH:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0)
				err_usage("--push needs an http:// or https://"
				    " URL, not '%s'", optarg);
			o->push = optarg;
			break;
		case O_REJECTS:
			o->rejects = optarg;
			break;
		case O_SHARD:
			if (*optarg == '\0')
				err_usage("--shard needs a name");
			o->shard = optarg;
			break;
		case O_STAGE:
			if (*optarg == '\0')
				err_usage("--stage needs a name");
			o->stage = optarg;
			break;
		case O_SUMMARY:
			o->summary = optarg;
			break;
		case ':':
			if (optopt != 0 && optopt < OPT_FILTER_BASE)
				err_usage("option '-%c' needs a value", optopt);
			err_usage("option '%s' needs a value",
			    argv[optind - 1]);
		case '?':
			if (optopt != 0 && optopt < OPT_FILTER_BASE)
				err_usage("unknown option '-%c'", optopt);
			err_usage("unknown option '%s'", argv[optind - 1]);
		default:
			if (p->handle == NULL)
				err_bug("option %d without a handler", c);
			p->handle(c, optarg);
			break;
		}
	}
	if (o->stage == NULL)
		o->stage = err_prog();
	return optind;
}

static _Noreturn void
bad_value(const char *opt, const char *arg, const char *why)
{
	err_usage("invalid value '%s' for %s: %s", arg, opt, why);
}

bool
opt_u64_str(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

uint64_t
opt_u64(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!opt_u64_str(arg, &v))
		bad_value(opt, arg, "not a whole number");
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof(why), "must be between %llu and %llu",
		    (unsigned long long)min, (unsigned long long)max);
		bad_value(opt, arg, why);
	}
	return v;
}

bool
opt_size_str(const char *s, size_t *out)
{
	static const struct { const char *suf; unsigned shift; } sufs[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KiB", 10 }, { "k", 10 },
		{ "M", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GiB", 30 },
		{ "T", 40 }, { "TiB", 40 },
	};
	char num[32];
	size_t i, n = 0;
	uint64_t v;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n >= sizeof(num))
		return false;
	memcpy(num, s, n);
	num[n] = '\0';
	if (!opt_u64_str(num, &v))
		return false;
	for (i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
		if (strcmp(s + n, sufs[i].suf) != 0)
			continue;
		if (sufs[i].shift > 0 && v > (SIZE_MAX >> sufs[i].shift))
			return false;
		if (v > SIZE_MAX)
			return false;
		*out = (size_t)(v << sufs[i].shift);
		return true;
	}
	return false;
}

size_t
opt_size(const char *opt, const char *arg, size_t min, size_t max)
{
	size_t v;

	if (!opt_size_str(arg, &v))
		bad_value(opt, arg, "not a size (a number with an optional "
		    "K, M, G or T suffix)");
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof(why), "must be between %zu and %zu",
		    min, max);
		bad_value(opt, arg, why);
	}
	return v;
}

bool
opt_double_str(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return false;
	/* strtod takes hex floats, "inf" and "nan": only decimals here */
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && strchr("+-.eE", *s) == NULL)
			return false;
	*out = v;
	return true;
}

double
opt_double(const char *opt, const char *arg, double min, double max)
{
	double v;

	if (!opt_double_str(arg, &v))
		bad_value(opt, arg, "not a number");
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof(why), "must be between %g and %g", min,
		    max);
		bad_value(opt, arg, why);
	}
	return v;
}

void
opt_limit(const char *opt, const char *arg, double *val, bool *pct)
{
	size_t n = strlen(arg);
	uint64_t v;

	if (n > 1 && arg[n - 1] == '%') {
		char *num = xstrndup(arg, n - 1);
		double d;

		if (!opt_double_str(num, &d) || d < 0 || d > 100) {
			free(num);
			bad_value(opt, arg, "a share must be between 0% and "
			    "100%");
		}
		free(num);
		*val = d;
		*pct = true;
		return;
	}
	if (!opt_u64_str(arg, &v))
		bad_value(opt, arg, "not a count or a percentage");
	*val = (double)v;
	*pct = false;
}

unsigned
opt_threads(const char *opt, const char *arg)
{
	uint64_t v = opt_u64(opt, arg, 0, 256);
	long n;

	if (v > 0)
		return (unsigned)v;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n > 256 ? 256 : n) : 1;
}
