/* fuzz_prices.c - the prices CSV (core/catalog.c): any file either loads
 * models that the catalog then resolves and prices (every tier, days
 * around their versions, token counts up to the largest a log may hold)
 * or fails with a message naming the file and leaves the catalog as it
 * was. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

static void on_problem(void *ctx, const struct br_model *m, const char *problem)
{
	(void)ctx;
	FUZZ_CHECK(m && problem && *problem, "problem");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0644);
	struct br_catalog *c = br_catalog_new();
	struct br_err err = {0};
	if (br_catalog_load_csv(c, path, &err) != 0) {
		FUZZ_CHECK(strstr(err.msg, path), "bad error: %s", err.msg);
		FUZZ_CHECK(br_catalog_models(c) == 0 &&
			   !*br_catalog_identity(c), "a failed load changed it");
		br_catalog_free(c);
		fuzz_file_close();
		return 0;
	}
	br_catalog_check(c, on_problem, NULL);
	const struct br_tokens most = {999999999999999999, 999999999999999999,
				       999999999999999999, 999999999999999999,
				       999999999999999999, 999999999999999999};
	for (size_t i = 0; i < br_catalog_models(c); i++) {
		const struct br_model *m = br_catalog_model(c, i);
		struct br_str provider = {m->provider, strlen(m->provider)};
		struct br_str model = {m->name, strlen(m->name)};
		struct br_match match;
		br_catalog_resolve(c, provider, model, &match);
		FUZZ_CHECK(match.model, "model %zu does not resolve", i);
		FUZZ_CHECK(m->nprices >= 1, "model %zu without prices", i);
		for (size_t k = 0; k < m->nprices; k++) {
			const struct br_price *pr = &m->prices[k];
			int32_t day = pr->from_day == BR_DAY_NONE ? 20000 : pr->from_day;
			uint64_t lo, hi;
			br_catalog_band(c, pr->min_input_tokens, &lo, &hi);
			FUZZ_CHECK(lo <= pr->min_input_tokens &&
				   (pr->min_input_tokens < hi || hi == UINT64_MAX),
				   "band");
			enum br_unpriced why;
			const struct br_price *got = br_model_price(m, day, pr->tier,
								     lo, hi, &why);
			FUZZ_CHECK(got || why != BR_PRICED, "unpriced without a reason");
			br_price_cost(&pr->rates, &most);
			br_model_price(m, day - 1, pr->tier, 0, 1, &why);
		}
	}
	br_catalog_free(c);
	fuzz_file_close();
	return 0;
}
