/* testutil.h - helpers shared by the CUnit suites. */
#ifndef BURNRATE_TESTUTIL_H
#define BURNRATE_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Defined by each suite file: adds its suites to the CUnit registry and
 * returns 0, or -1 when CUnit refuses one. */
int test_register(void);

/* Adds a suite with the NULL-terminated list of tests; -1 on failure. */
struct test_case {
	const char *name;
	void (*fn)(void);
};

static inline int test_add_suite(const char *name, const struct test_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	if (!s)
		return -1;
	for (; cases->name; cases++)
		if (!CU_add_test(s, cases->name, cases->fn))
			return -1;
	return 0;
}

/* Field k of /proc/self/statm (0: the address space mapped, 1: the
 * resident memory) of this process, in bytes; 0 when it cannot be read. */
static inline size_t test_statm_bytes(int k)
{
	unsigned long v[2] = {0, 0};
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu", &v[0], &v[1]) != 2)
			v[0] = v[1] = 0;
		fclose(f);
	}
	return (size_t)v[k] * (size_t)sysconf(_SC_PAGESIZE);
}

/* Whether this build's resident memory is the program's alone: not with
 * AddressSanitizer or ThreadSanitizer, whose shadow memory and allocators
 * count in it (tests that bound what is resident are skipped under them).
 * gcc tells them by __SANITIZE_ADDRESS__ and __SANITIZE_THREAD__; clang
 * (14) defines neither, and tells them by __has_feature. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_RESIDENT_EXACT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TEST_RESIDENT_EXACT 0
#endif
#endif
#ifndef TEST_RESIDENT_EXACT
#define TEST_RESIDENT_EXACT 1
#endif

/* The resident memory of this process, in bytes. */
static inline size_t test_resident_bytes(void)
{
	return test_statm_bytes(1);
}

/* Creates a fresh directory /tmp/burnrate-NAME-XXXXXX into dir (64 bytes). */
static inline void test_mkdtemp(char dir[64], const char *name)
{
	snprintf(dir, 64, "/tmp/burnrate-%s-XXXXXX", name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

/* Removes a directory made by test_mkdtemp, with everything in it. */
static inline void test_rmtree(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

#endif
