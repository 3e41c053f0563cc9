/* mkstore.c - builds a benchmark store through the reduce API: DAYS days of
 * data, KEYS (provider, model, agent) combinations a day, spread over
 * SEGMENTS segments, as a year of nightly and hourly ingests would leave it.
 * Usage: mkstore DIR [SEGMENTS [KEYS [DAYS]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkstore DIR [SEGMENTS [KEYS [DAYS]]]\n");
		return 2;
	}
	long segments = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
	long keys = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	long days = argc > 4 ? strtol(argv[4], NULL, 10) : 365;
	struct br_err err = {0};
	struct store *s = store_open(argv[1], "UTC", &err);
	if (!s || store_lock(s, &err) != 0) {
		fprintf(stderr, "mkstore: %s\n", err.msg);
		return 1;
	}
	int32_t first = br_day_from_civil(2025, 1, 1);
	struct agg *a = agg_new();
	char provider[32], model[32], agent[32];
	/* Segment k holds the keys k, k + SEGMENTS/DAYS... of its day: each
	 * day's KEYS rows are spread over the segments of that day. */
	long per_day = segments / days > 0 ? segments / days : 1;
	for (long seg = 0; seg < segments; seg++) {
		long day = seg / per_day;
		if (day >= days)
			day = days - 1;
		long part = seg % per_day;
		agg_clear(a);
		for (long k = part; k < keys; k += per_day) {
			snprintf(provider, sizeof provider, "provider-%ld", k % 7);
			snprintf(model, sizeof model, "model-%ld", k % 61);
			snprintf(agent, sizeof agent, "agent-%ld", k);
			struct br_event ev = {
				.provider = {provider, strlen(provider)},
				.model = {model, strlen(model)},
				.agent = {agent, strlen(agent)},
				.label = {"", 0},
				.tokens = {.input = (uint64_t)(1000 + k), .output = 100},
				.priced = true,
				.cost = (br_pico)(k + 1) * 1234567,
				.price_day = first + (int32_t)day,
				.band_hi = UINT64_MAX,
				.pricing = {"bench", 5},
			};
			agg_add(a, first + (int32_t)day, &ev);
		}
		char name[32];
		snprintf(name, sizeof name, "bench-%ld", seg);
		struct store_input in = {name, br_hash(name, strlen(name)), 1, 1};
		if (store_publish(s, NULL, a, &in, 1, &err) != 0) {
			fprintf(stderr, "mkstore: %s\n", err.msg);
			return 1;
		}
	}
	agg_free(a);
	store_free(s);
	return 0;
}
