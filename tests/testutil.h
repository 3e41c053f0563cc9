/* testutil.h - helpers shared by the CUnit suites. */
#ifndef BURNRATE_TESTUTIL_H
#define BURNRATE_TESTUTIL_H

#include <CUnit/CUnit.h>

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

#endif
