/* cunit_main.c - the main() shared by every CUnit suite binary. Each
 * tests/test_*.c defines test_register(), which adds its suites. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "tests/testutil.h"

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (test_register() != 0) {
		fprintf(stderr, "cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* CU_basic_run_tests() returns success even when assertions fail. */
	unsigned failures = CU_get_number_of_failures();
	unsigned errors = CU_get_error();
	CU_cleanup_registry();
	return failures == 0 && errors == CUE_SUCCESS ? 0 : 1;
}
