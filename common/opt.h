/*
 * opt.h - command-line options shared by every filter, and strict parsing
 * of option values.
 *
 * A filter describes its own options (getopt_long short string, long
 * options with codes >= OPT_FILTER_BASE for long-only ones, a handler and
 * its help text); opt_parse() merges them with the common ones of
 * DESIGN.md, handles -h/--help (stdout, exit 0), -V/--version and misuse
 * (stderr, exit 2), and returns the index of the first operand.
 *
 * The value parsers refuse junk, signs where none belong, and range
 * errors, with a message naming the option (exit 2).  The *_str() forms
 * return false instead, for config files.
 */
#ifndef CODESIFT_OPT_H
#define CODESIFT_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPT_FILTER_BASE	256	/* first code for a filter's long-only option */
#define OPT_SHARED_BASE	0x4000	/* codes used by opt.c itself */

struct opt_shared {
	const char	*out;		/* -o FILE; NULL = stdout */
	const char	*rejects;	/* --rejects FILE */
	const char	*metrics;	/* --metrics FILE */
	const char	*push;		/* --push URL */
	const char	*stage;		/* --stage NAME; default program name */
	const char	*shard;		/* --shard NAME */
	const char	*summary;	/* --summary FILE */
	const char	*field;		/* --field NAME; default "content" */
	const char	*id_field;	/* --id-field NAME; default "blob_id" */
	int		 progress;	/* -1 auto (stderr is a tty), 0, 1 */
	int		 quiet;		/* -q */
	bool		 max_rejects_set;
	bool		 max_rejects_pct;	/* the limit is a percentage */
	double		 max_rejects;
	size_t		 max_record_bytes;	/* default 64 MiB */
	char		**argv;		/* the command line, for the summary */
	int		 argc;
};

struct opt_prog {
	const char	*synopsis;	/* usage lines, "usage: prog ..." */
	const char	*purpose;	/* one line: what the program does */
	const char	*help;		/* the filter's options, formatted */
	const char	*shortopts;	/* the filter's getopt letters */
	const struct option *longopts;	/* terminated by a zero entry */
	/* called for each of the filter's options; exits on bad values */
	void		(*handle)(int c, const char *arg);
};

int	opt_parse(int argc, char *argv[], const struct opt_prog *p,
	    struct opt_shared *o);

/* Print the usage to stdout (help) and exit 0. */
_Noreturn void opt_help(const struct opt_prog *p);

/* Strict value parsers: exit 2 naming opt on a bad value. */
uint64_t opt_u64(const char *opt, const char *arg, uint64_t min,
	    uint64_t max);
size_t	opt_size(const char *opt, const char *arg, size_t min, size_t max);
double	opt_double(const char *opt, const char *arg, double min, double max);
/* "N" (a count) or "P%" (a share of the records read) */
void	opt_limit(const char *opt, const char *arg, double *val, bool *pct);
/* a thread count: 1..256, or 0 for the number of online CPUs */
unsigned opt_threads(const char *opt, const char *arg);

/* Non-exiting forms: false on junk or out of range. */
bool	opt_u64_str(const char *s, uint64_t *out);
bool	opt_size_str(const char *s, size_t *out);	/* K/M/G/T, KiB... */
bool	opt_double_str(const char *s, double *out);

#endif
