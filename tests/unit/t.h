/*
 * t.h - a minimal TAP harness for the C unit tests.
 *
 * T_RUN(fn) runs one test function and prints "ok N - fn" or
 * "not ok N - fn" (with the failed checks as "#" lines); t_done() prints
 * the plan and returns the exit status.  Checks never abort the process,
 * so one run reports every failure.
 */
#ifndef CODESIFT_T_H
#define CODESIFT_T_H

#include <stdio.h>
#include <string.h>

static int t_n, t_failed_tests, t_cur_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, \
		    #cond); \
		t_cur_failed++; \
	} \
} while (0)

#define CHECK_EQ_U(a, b) do { \
	unsigned long long t_a = (unsigned long long)(a); \
	unsigned long long t_b = (unsigned long long)(b); \
	if (t_a != t_b) { \
		printf("#   %s:%d: %s == %llu, expected %llu\n", __FILE__, \
		    __LINE__, #a, t_a, t_b); \
		t_cur_failed++; \
	} \
} while (0)

#define CHECK_MEM(p, n, s) do { \
	size_t t_n2 = strlen(s); \
	if ((size_t)(n) != t_n2 || memcmp((p), (s), t_n2) != 0) { \
		printf("#   %s:%d: %s is '%.*s', expected '%s'\n", __FILE__, \
		    __LINE__, #p, (int)(n), (const char *)(p), (s)); \
		t_cur_failed++; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *t_s1 = (a), *t_s2 = (b); \
	if (t_s1 == NULL || strcmp(t_s1, t_s2) != 0) { \
		printf("#   %s:%d: %s is '%s', expected '%s'\n", __FILE__, \
		    __LINE__, #a, t_s1 ? t_s1 : "(null)", t_s2); \
		t_cur_failed++; \
	} \
} while (0)

#define T_RUN(fn) do { \
	t_cur_failed = 0; \
	fflush(stdout); \
	fn(); \
	t_n++; \
	if (t_cur_failed) \
		t_failed_tests++; \
	printf("%s %d - %s\n", t_cur_failed ? "not ok" : "ok", t_n, #fn); \
	fflush(stdout); \
} while (0)

static inline int
t_done(void)
{
	(void)t_cur_failed;	/* unused in a file with no CHECK */
	printf("1..%d\n", t_n);
	return t_failed_tests ? 1 : 0;
}

#endif
