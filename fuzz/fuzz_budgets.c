/* fuzz_budgets.c - the budgets CSV (report/budget.c): any file either
 * loads budgets that are complete (a name, a period, a positive limit,
 * percent thresholds in range, scope terms with distinct keys) or fails with
 * a message naming the file; the scopes and periods of what loads are
 * then used as a report would. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0644);
	struct budget *v = NULL;
	size_t n = 0;
	struct br_err err = {0};
	if (budgets_load(path, &v, &n, &err) != 0) {
		FUZZ_CHECK(strstr(err.msg, path), "bad error: %s", err.msg);
		fuzz_file_close();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct budget *b = &v[i];
		FUZZ_CHECK(b->name[0] && b->limit > 0 && b->line >= 1,
			   "budget %zu", i);
		FUZZ_CHECK(b->nthresholds >= 1 &&
			   b->nthresholds <= BUDGET_MAX_THRESHOLDS, "thresholds");
		for (size_t t = 0; t < b->nthresholds; t++)
			FUZZ_CHECK(b->thresholds[t] > 0 && b->thresholds[t] <= 10000,
				   "threshold %d", b->thresholds[t]);
		FUZZ_CHECK(b->nterms <= BUDGET_MAX_TERMS, "terms");
		for (size_t t = 0; t < b->nterms; t++)
			FUZZ_CHECK(b->terms[t].key >= 0 && b->terms[t].key < 4 &&
				   b->terms[t].value, "term %zu", t);
		budget_matches(b, "openai", "gpt-4o", "bot", "");
		/* Each key once (a key given twice is refused: it would
		 * match nothing), so the row made of the scope's own values
		 * matches it. */
		const char *own[4] = {"", "", "", ""};
		for (size_t t = 0; t < b->nterms; t++) {
			for (size_t u = 0; u < t; u++)
				FUZZ_CHECK(b->terms[u].key != b->terms[t].key,
					   "key %d given twice", b->terms[t].key);
			own[b->terms[t].key] = b->terms[t].value;
		}
		FUZZ_CHECK(budget_matches(b, own[0], own[1], own[2], own[3]),
			   "a scope not matching its own terms");
		budget_period_name(b->period);
		for (int32_t day = -800000; day <= 3000000; day += 390001) {
			int32_t start, end;
			budget_period_range(b->period, day, &start, &end);
			FUZZ_CHECK(start <= day && day <= end && end - start < 31,
				   "period of day %d", day);
		}
	}
	budgets_free(v, n);
	fuzz_file_close();
	return 0;
}
