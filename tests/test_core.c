/* test_core.c - CUnit suites for core/: money, time, zones, dictionary,
 * fingerprints, prices and event pricing, output files. */
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/testutil.h"

/* ---------------------------------------------------------------- money */

static br_pico money(const char *s)
{
	br_pico v = -777;
	CU_ASSERT_EQUAL_FATAL(br_money_parse(s, strlen(s), &v), 0);
	return v;
}

static const char *fmt(br_pico v)
{
	static char buf[BR_MONEY_BUFSZ];
	return br_money_format(v, buf);
}

static void test_money_parse(void)
{
	CU_ASSERT(money("0.0123") == (br_pico)12300000000);
	CU_ASSERT(money("1") == (br_pico)BR_PICO_PER_USD);
	CU_ASSERT(money("-2.5") == -(br_pico)2500000000000);
	CU_ASSERT(money("1.5e-3") == (br_pico)1500000000);
	CU_ASSERT(money("15E-4") == (br_pico)1500000000);
	CU_ASSERT(money("2e2") == (br_pico)200 * BR_PICO_PER_USD);
	CU_ASSERT(money("0") == 0);
	CU_ASSERT(money("-0") == 0);
	CU_ASSERT(money("0e99999") == 0);
	/* Beyond 12 decimals: half away from zero. */
	CU_ASSERT(money("0.0000000000005") == 1);
	CU_ASSERT(money("0.0000000000004999") == 0);
	CU_ASSERT(money("-0.0000000000005") == -1);
	CU_ASSERT(money("1e-13") == 0);
	CU_ASSERT(money("5e-13") == 1);
	CU_ASSERT(money("999999999999999.999999999999") ==
		  (br_pico)999999999999999 * BR_PICO_PER_USD + 999999999999);
	br_pico v;
	const char *bad[] = {"", "-", "+1", "01", "1.", ".5", "1e", "1e+",
			     "1x", " 1", "1 ", "NaN", "1e15", "1000000000000000",
			     "--1", "0x10", NULL};
	for (int i = 0; bad[i]; i++)
		CU_ASSERT_EQUAL(br_money_parse(bad[i], strlen(bad[i]), &v), -1);
}

/* A small deterministic generator for the differential tests. */
static uint64_t gen_next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static int gen_below(uint64_t *state, int n)
{
	return (int)(gen_next(state) % (uint64_t)n);
}

/* The usual amount ([-]digits[.digits], at most 15 digits before the
 * point and 12 after it) has a path of its own in br_money_parse; the
 * same text with "e0" after it, the same number, is read by the general
 * digit walk. Over generated texts, valid or not (empty parts, leading
 * zeros, 16 digits, 13 decimals and more, a stray '-' or '.'), both give
 * the same result and value, for an amount and for a sum. */
static void test_money_usual_vs_general(void)
{
	static const char *const edges[] = {
		"0", "-0", "0.0", "-0.000000000000", "1", "0.426767", "007", "0.",
		".5", "-", "", "1.2.3", "1-", "--1", "-.5", "999999999999999",
		"999999999999999.999999999999", "-999999999999999.999999999999",
		"1000000000000000", "0.0000000000001", "0.000000000000",
		"123456789012345.123456789012", "1234567890123456.1", "00.5",
		"0.1234567890123", "9.999999999999", "10.", "5"};
	const int nedges = (int)(sizeof edges / sizeof edges[0]);
	uint64_t state = 0x9E3779B97F4A7C15u;
	int checked = 0, accepted = 0, wrong = 0;
	for (int i = 0; i < nedges + 200000; i++) {
		char s[80];
		size_t n = 0;
		if (i < nedges) {
			n = strlen(edges[i]);
			memcpy(s, edges[i], n);
		} else {
			if (gen_below(&state, 3) == 0)
				s[n++] = '-';
			int nint = gen_below(&state, 10)
					   ? 1 + gen_below(&state, gen_below(&state, 4) ? 3 : 17)
					   : 0;
			for (int k = 0; k < nint; k++)
				s[n++] = (char)('0' + (k == 0 && gen_below(&state, 4) == 0
							       ? 0 : gen_below(&state, 10)));
			if (gen_below(&state, 4)) {
				s[n++] = '.';
				int nfrac = gen_below(&state, gen_below(&state, 5) ? 13 : 20);
				for (int k = 0; k < nfrac; k++)
					s[n++] = (char)('0' + gen_below(&state, 10));
			}
			if (gen_below(&state, 20) == 0 && n > 0)
				s[gen_below(&state, (int)n)] = "-.x9"[gen_below(&state, 4)];
		}
		static const char *const exponents[] = {"e0", "E+0", "e-0", "e00"};
		const char *e = exponents[gen_below(&state, 4)];
		char g[84];
		memcpy(g, s, n);
		memcpy(g + n, e, strlen(e));
		size_t gn = n + strlen(e);
		br_pico a = 1, b = 2;
		int ra = br_money_parse(s, n, &a), rb = br_money_parse(g, gn, &b);
		br_pico c = 3, d = 4;
		int rc = br_money_parse_sum(s, n, &c), rd = br_money_parse_sum(g, gn, &d);
		if (ra != rb || (ra == 0 && a != b) || rc != rd || (rc == 0 && c != d)) {
			if (wrong++ < 5)
				fprintf(stderr, "\n'%.*s': %d, general %d\n", (int)n, s, ra, rb);
		}
		checked++;
		accepted += ra == 0;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	/* The generator makes both kinds. */
	CU_ASSERT(accepted > 50000);
	CU_ASSERT(checked - accepted > 20000);
	/* Its values, at its limits. */
	CU_ASSERT(money("0.426767") == (br_pico)426767000000);
	CU_ASSERT(money("-0.000000000001") == -1);
	CU_ASSERT(money("123456789012345.678901234567") ==
		  (br_pico)123456789012345 * BR_PICO_PER_USD + 678901234567);
}

static void test_money_format(void)
{
	CU_ASSERT_STRING_EQUAL(fmt(0), "0.000000");
	CU_ASSERT_STRING_EQUAL(fmt(1234567000000), "1.234567");
	CU_ASSERT_STRING_EQUAL(fmt(1234567500000), "1.234568");
	CU_ASSERT_STRING_EQUAL(fmt(1234567499999), "1.234567");
	CU_ASSERT_STRING_EQUAL(fmt(-1234567500000), "-1.234568");
	CU_ASSERT_STRING_EQUAL(fmt(-400000), "0.000000");
	CU_ASSERT_STRING_EQUAL(fmt(500000), "0.000001");
	/* Sums beyond 64 bits print exactly. */
	br_pico big = (br_pico)INT64_MAX * 1000 + 500000;
	CU_ASSERT_STRING_EQUAL(fmt(big), "9223372036.854776");
	CU_ASSERT_EQUAL(br_pico_to_micro(1500000), 2);
	CU_ASSERT_EQUAL(br_pico_to_micro(-1500000), -2);
	char buf[BR_MONEY_BUFSZ];
	CU_ASSERT_STRING_EQUAL(br_money_format_exact(2500000000000, buf), "2.5");
	CU_ASSERT_STRING_EQUAL(br_money_format_exact(1, buf), "0.000000000001");
	CU_ASSERT_STRING_EQUAL(br_money_format_exact(0, buf), "0.0");
}

/* br_money_parse_sum reads back every sum br_money_format_exact writes,
 * up to the saturated BR_PICO_MAX (a baseline's totals), and refuses what
 * is beyond it, an exponent of 1e99999 too, without overflowing. */
static void test_money_parse_sum(void)
{
	char buf[BR_MONEY_BUFSZ];
	const br_pico sums[] = {(br_pico)1000000000000000 * BR_PICO_PER_USD,
				-(br_pico)1000000000000000 * BR_PICO_PER_USD - 1,
				BR_PICO_MAX, -BR_PICO_MAX, 1, 0};
	for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
		const char *s = br_money_format_exact(sums[i], buf);
		br_pico v = -777;
		CU_ASSERT_EQUAL(br_money_parse_sum(s, strlen(s), &v), 0);
		CU_ASSERT(v == sums[i]);
	}
	br_pico v;
	/* The same rounding as br_money_parse. */
	CU_ASSERT(br_money_parse_sum("1e15", 4, &v) == 0 &&
		  v == (br_pico)1000000000000000 * BR_PICO_PER_USD);
	CU_ASSERT(br_money_parse_sum("5e-13", 5, &v) == 0 && v == 1);
	const char *bad[] = {"170141183460469231731687303715884.105728",
			     "170141183460469231731687303715884.1057275",
			     "-170141183460469231731687303715884.105728",
			     "1e27", "1e99999", "999999999999999999999999999999999999999",
			     "1x", "", NULL};
	for (int i = 0; bad[i]; i++)
		CU_ASSERT_EQUAL(br_money_parse_sum(bad[i], strlen(bad[i]), &v), -1);
}

/* br_decimal_whole: whole numbers in any JSON form, exactly. */
static void test_decimal_whole(void)
{
	const struct { const char *s; uint64_t v; } ok[] = {
		{"12", 12}, {"12.0", 12}, {"1.2e1", 12}, {"1200e-2", 12},
		{"0.5e1", 5}, {"-0", 0}, {"-0.0e5", 0}, {"0e99999", 0},
		{"9223372036854775807", INT64_MAX},
		{"9.223372036854775807e18", INT64_MAX}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t v = 7;
		CU_ASSERT(br_decimal_whole(ok[i].s, strlen(ok[i].s), &v));
		CU_ASSERT_EQUAL(v, ok[i].v);
	}
	const char *bad[] = {"12.5", "10.0000000000000000001", "5e-1", "-1",
			     "-0.5", "9223372036854775808", "1e19", "1e99999",
			     "", "1.", "+1", "0x1", NULL};
	uint64_t v;
	for (int i = 0; bad[i]; i++)
		CU_ASSERT(!br_decimal_whole(bad[i], strlen(bad[i]), &v));
}

static void test_rate_parse(void)
{
	int64_t r;
	CU_ASSERT(br_rate_parse("2.5", 3, &r) == 0 && r == 2500000);
	CU_ASSERT(br_rate_parse("0.075", 5, &r) == 0 && r == 75000);
	CU_ASSERT(br_rate_parse("3", 1, &r) == 0 && r == 3000000);
	CU_ASSERT(br_rate_parse("0.000001", 8, &r) == 0 && r == 1);
	CU_ASSERT(br_rate_parse("1000000", 7, &r) == 0 && r == INT64_C(1000000000000));
	const char *bad[] = {"", "-1", "0.0000001", "1e3", "1.", ".5", "abc",
			     "1000000.5", "2000000", NULL};
	for (int i = 0; bad[i]; i++)
		CU_ASSERT_EQUAL(br_rate_parse(bad[i], strlen(bad[i]), &r), -1);
}

/* ----------------------------------------------------------------- time */

static int64_t ts(const char *s)
{
	int64_t us = -1;
	const char *why = br_time_parse(s, strlen(s), &us);
	if (why)
		fprintf(stderr, "%s: %s\n", s, why);
	CU_ASSERT_PTR_NULL_FATAL(why);
	return us;
}

static const char *ts_error(const char *s)
{
	int64_t us;
	return br_time_parse(s, strlen(s), &us);
}

/* ts_error, "accepted" when s is (for a string compare that fails, not
 * crashes, on a timestamp wrongly accepted). */
static const char *ts_why(const char *s)
{
	const char *why = ts_error(s);
	return why ? why : "accepted";
}

#define SEC INT64_C(1000000)
static const int64_t oct1 = INT64_C(1759276800) * SEC; /* 2025-10-01T00:00Z */

static void test_time_parse(void)
{
	CU_ASSERT_EQUAL(ts("2025-10-01T00:00:00Z"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01t00:00:00z"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01T12:00:00.5Z"), oct1 + 43200 * SEC + 500000);
	CU_ASSERT_EQUAL(ts("2025-10-01T00:00:00.123456789Z"), oct1 + 123456);
	CU_ASSERT_EQUAL(ts("2025-10-01T02:00:00+02:00"), oct1);
	CU_ASSERT_EQUAL(ts("2025-09-30T19:30:00-04:30"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01 00:00:00"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01 00:00:00.25"), oct1 + 250000);
	CU_ASSERT_EQUAL(ts("2025-10-01 01:00:00+01:00"), oct1);
	CU_ASSERT_EQUAL(ts("1759276800"), oct1);
	CU_ASSERT_EQUAL(ts("1759276800.25"), oct1 + 250000);
	CU_ASSERT_EQUAL(ts("1759276800000"), oct1);       /* milliseconds */
	CU_ASSERT_EQUAL(ts("1759276800123.5"), oct1 + 123500);
	CU_ASSERT_EQUAL(ts("1.7592768e9"), oct1);
	CU_ASSERT_EQUAL(ts("100000000000"), INT64_C(100000000000) * SEC);
	CU_ASSERT_EQUAL(ts("100000000001"), INT64_C(100000000001) * 1000);
	CU_ASSERT_EQUAL(ts("2024-02-29T23:59:59Z"),
			(int64_t)br_day_from_civil(2024, 2, 29) * 86400 * SEC +
				86399 * SEC);
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-02-29T00:00:00Z"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-13-01T00:00:00Z"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T24:00:00Z"));
	/* A leap second (RFC 3339 5.6) is read as the second before, on
	 * its own day, under any offset; second 60 is refused where no leap
	 * second can be (not at the end of a UTC day) and 61 everywhere. */
	const int64_t leap = (int64_t)br_day_from_civil(2016, 12, 31) * 86400 * SEC +
			     86399 * SEC;
	CU_ASSERT_EQUAL(ts("2016-12-31T23:59:60Z"), leap);
	CU_ASSERT_EQUAL(ts("2016-12-31T23:59:60.25Z"), leap + 250000);
	CU_ASSERT_EQUAL(ts("2016-12-31 23:59:60"), leap);
	CU_ASSERT_EQUAL(ts("2016-12-31T18:59:60-05:00"), leap);
	CU_ASSERT_EQUAL(ts("2017-01-01T05:29:60+05:30"), leap);
	CU_ASSERT_EQUAL(ts("2025-09-30T23:59:60Z"), oct1 - SEC);
	CU_ASSERT_STRING_EQUAL(ts_error("2016-12-31T23:59:61Z"), "invalid second");
	CU_ASSERT_STRING_EQUAL(ts_error("2016-12-31T23:58:60Z"), "invalid second");
	CU_ASSERT_STRING_EQUAL(ts_error("2016-12-31T22:59:60Z"), "invalid second");
	CU_ASSERT_STRING_EQUAL(ts_error("2016-12-31T23:59:60+01:00"), "invalid second");
	CU_ASSERT_STRING_EQUAL(ts_error("2016-12-31T23:59:60"), "missing time zone (Z or +hh:mm)");
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00"));
	/* ISO 8601's offsets without the colon, and of whole hours
	 * (PostgreSQL's "2025-10-01 23:30:00.118+00") */
	CU_ASSERT_EQUAL(ts("2025-10-01T02:00:00+0200"), oct1);
	CU_ASSERT_EQUAL(ts("2025-09-30T19:30:00-0430"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01T02:00:00+02"), oct1);
	CU_ASSERT_EQUAL(ts("2025-10-01 00:00:00.118+00"), oct1 + 118000);
	CU_ASSERT_EQUAL(ts("2025-09-30 22:00:00-02"), oct1);
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+020"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+2"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+02:0"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+0260"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+24"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+02x0"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00+24:00"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00Z"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025-10-01T00:00:00.Z"));
	CU_ASSERT_PTR_NOT_NULL(ts_error("yesterday"));
	CU_ASSERT_PTR_NOT_NULL(ts_error(""));
	CU_ASSERT_PTR_NOT_NULL(ts_error("2025/10/01 00:00:00"));
	/* A fraction of any length (RFC 3339 sets none; 19 digits or more
	 * were "fraction too long"), cut to microseconds. */
	CU_ASSERT_EQUAL(ts("2025-10-01T00:00:00.1234567890123456789Z"),
			oct1 + 123456);
	CU_ASSERT_EQUAL(ts("2025-10-01 00:00:00.99999999999999999999999999999"
			   "999999999999999999999999999999+00:00"),
			oct1 + 999999);
	CU_ASSERT_EQUAL(ts("2025-10-01T00:00:00.000000000000000000000001Z"), oct1);
	/* Instants whose UTC day br_day_format prints: 0000-01-01 to
	 * 9999-12-31. Beyond, by an offset or as an epoch number, they are
	 * refused: 0000-01-01T00:30:00+01:00 (year -1) was day 0001-12-31,
	 * 9999-12-31T23:59:59-23:59 day 0000-01-01. */
	static const char beyond[] = "outside years 0000 to 9999 (UTC)";
	const int64_t day0 = (int64_t)br_day_from_civil(0, 1, 1) * 86400 * SEC;
	const int64_t day_end = (int64_t)br_day_from_civil(10000, 1, 1) * 86400 * SEC;
	char buf[28];
	CU_ASSERT_EQUAL(ts("0000-01-01T00:00:00Z"), day0);
	CU_ASSERT_EQUAL(ts("0000-01-01T01:00:00+01:00"), day0);
	CU_ASSERT_EQUAL(ts("9999-12-31T23:59:59.999999999Z"), day_end - 1);
	CU_ASSERT_EQUAL(ts("9999-12-31T23:59:59-00:00"), day_end - SEC);
	CU_ASSERT_EQUAL(ts("0000-01-01T00:00:00-23:59"), day0 + 86340 * SEC);
	CU_ASSERT_EQUAL(ts("9999-12-31T00:00:00+23:59"), day_end - 2 * 86400 * SEC + 60 * SEC);
	br_time_format(day0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "0000-01-01T00:00:00.000000Z");
	br_time_format(day_end - 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "9999-12-31T23:59:59.999999Z");
	CU_ASSERT_STRING_EQUAL(ts_why("0000-01-01T00:30:00+01:00"), beyond);
	CU_ASSERT_STRING_EQUAL(ts_why("0000-01-01T00:59:59.999999+01:00"), beyond);
	CU_ASSERT_STRING_EQUAL(ts_why("0000-01-01 00:00:00+00:01"), beyond);
	CU_ASSERT_STRING_EQUAL(ts_why("9999-12-31T23:59:59-23:59"), beyond);
	CU_ASSERT_STRING_EQUAL(ts_why("9999-12-31T23:00:00-01"), beyond);
	CU_ASSERT_EQUAL(ts("9999-12-31T23:59:60Z"), day_end - SEC);
	/* Epoch numbers: milliseconds reach 10^15 (year 33658). */
	CU_ASSERT_EQUAL(ts("253402300799999"), day_end - 1000);
	CU_ASSERT_STRING_EQUAL(ts_why("253402300800000"), beyond);
	CU_ASSERT_EQUAL(ts("-62167219200000"), day0);
	CU_ASSERT_STRING_EQUAL(ts_why("-62167219200001"), beyond);
	CU_ASSERT_STRING_EQUAL(ts_why("999999999999999"), beyond);
}

/* The timestamp at instant us (UTC) as "YYYY-MM-DD<sep>HH:MM:SS", into
 * buf (20 bytes). */
static void clock_text(char *buf, int64_t us, char sep)
{
	char iso[28];
	br_time_format(us, iso);
	iso[10] = sep;
	memcpy(buf, iso, 19);
	buf[19] = 0;
}

/* br_time_parse reads the usual timestamps in UTC ("...:SSZ", ".fffZ",
 * ".ffffffZ", 'z' too) on a path of their own; the same instant written
 * otherwise ("+00:00", other fraction lengths, no zone after a space, its
 * local time under an offset: +05:30, -0330, +09) is read by the general
 * one, and so is a leap second, 23:59:60, against
 * 23:59:59 of the same day. Over generated instants of years 0000 to
 * 9999 (before 1970 too) they agree, and the usual path's day is
 * br_day_from_civil's. */
static void test_time_usual_vs_general(void)
{
	uint64_t state = 0x2545F4914F6CDD1Du;
	const int64_t first = (int64_t)br_day_from_civil(0, 1, 1) * 86400 * SEC;
	const int64_t span = ((int64_t)br_day_from_civil(10000, 1, 1) -
			      br_day_from_civil(0, 1, 1)) * 86400 * SEC;
	int wrong = 0;
	for (int i = 0; i < 100000; i++) {
		/* Mostly recent instants, some anywhere in the years. */
		int64_t us = gen_below(&state, 3)
				     ? oct1 + (int64_t)(gen_next(&state) % (uint64_t)(200LL * 365 * 86400 * SEC)) - 100LL * 365 * 86400 * SEC
				     : first + (int64_t)(gen_next(&state) % (uint64_t)span);
		if (gen_below(&state, 4) == 0)
			us -= us % SEC; /* whole seconds */
		else if (gen_below(&state, 3) == 0)
			us -= us % 1000; /* milliseconds */
		char sep = "TTt "[gen_below(&state, 4)];
		int64_t sec_us = (us % SEC + SEC) % SEC;
		char head[20], usual[48], general[64];
		clock_text(head, us, sep);
		int n = 19;
		char z = gen_below(&state, 4) ? 'Z' : 'z';
		/* The usual form for the fraction it has, and a general one. */
		if (sec_us == 0 && gen_below(&state, 2))
			snprintf(usual, sizeof usual, "%.*s%c", n, head, z);
		else if (sec_us % 1000 == 0 && gen_below(&state, 2))
			snprintf(usual, sizeof usual, "%.*s.%03d%c", n, head,
				 (int)(sec_us / 1000), z);
		else
			snprintf(usual, sizeof usual, "%.*s.%06d%c", n, head,
				 (int)sec_us, z);
		static const char *const zones[] = {"+00:00", "-00:00", "+0000",
						    "+00", "000Z", "000000z"};
		/* Or its local time under an offset, a day from the ends. */
		static const struct {
			const char *text;
			int minutes;
		} offsets[] = {{"+05:30", 330}, {"-08:00", -480}, {"+1400", 840},
			       {"-0330", -210}, {"+09", 540}, {"-23:59", -1439}};
		int k = gen_below(&state, sep == ' ' ? 7 : 6);
		if (gen_below(&state, 3) == 0 && us - first > 86400 * SEC &&
		    first + span - us > 86400 * SEC) {
			int o = gen_below(&state, 6);
			char local[20];
			clock_text(local, us + offsets[o].minutes * 60 * SEC, sep);
			snprintf(general, sizeof general, "%s.%06d%s", local,
				 (int)sec_us, offsets[o].text);
		} else {
			snprintf(general, sizeof general, "%.*s.%06d%s", n, head,
				 (int)sec_us, k < 6 ? zones[k] : "");
		}
		int64_t a = 1, b = 2;
		const char *wa = br_time_parse(usual, strlen(usual), &a);
		const char *wb = br_time_parse(general, strlen(general), &b);
		if (wa || wb || a != us || b != us) {
			if (wrong++ < 5)
				fprintf(stderr, "\n%s: %s %lld, %s: %s %lld, want %lld\n",
					usual, wa ? wa : "ok", (long long)a, general,
					wb ? wb : "ok", (long long)b, (long long)us);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	/* The day: 23:59:59 on the usual path against 23:59:60 on the
	 * general one (parse_date), and against br_day_from_civil, for days
	 * of every year (a day in 37 of each), and every day of the years
	 * whose rules are the calendar's edges. */
	static const int years[] = {0, 1, 4, 99, 100, 399, 400, 1582, 1899, 1900,
				    1969, 1970, 1971, 1999, 2000, 2024, 2100,
				    9996, 9999};
	wrong = 0;
	int32_t last = br_day_from_civil(9999, 12, 31);
	for (int32_t day = br_day_from_civil(0, 1, 1); day <= last; day++) {
		int y, m, d;
		br_civil_from_day(day, &y, &m, &d);
		bool edge = false;
		for (size_t k = 0; k < sizeof years / sizeof years[0]; k++)
			edge |= y == years[k];
		if (!edge && day % 37 != 0)
			continue;
		char usual[32], leap[32];
		snprintf(usual, sizeof usual, "%04d-%02d-%02dT23:59:59Z", y, m, d);
		snprintf(leap, sizeof leap, "%04d-%02d-%02dT23:59:60z", y, m, d);
		int64_t a = 1, b = 2;
		const char *wa = br_time_parse(usual, strlen(usual), &a);
		const char *wb = br_time_parse(leap, strlen(leap), &b);
		int64_t want = ((int64_t)day * 86400 + 86399) * SEC;
		if (wa || wb || a != want || b != want) {
			if (wrong++ < 5)
				fprintf(stderr, "\n%s: %lld, %s: %lld, want %lld\n",
					usual, (long long)a, leap, (long long)b,
					(long long)want);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

/* br_nondigits (the timestamp's usual paths, the JSON scanner's counts):
 * every non-digit's place flagged, no digit's before the first non-digit,
 * whatever the bytes after it (an addition's carry lands only past a
 * non-digit): every byte in every place, digits before it, random bytes
 * after it. */
static void test_nondigits(void)
{
	uint64_t state = 0x9E3779B97F4A7C15u;
	int wrong = 0;
	for (int at = 0; at < 8; at++)
		for (int b = 0; b < 256; b++)
			for (int r = 0; r < 16; r++) {
				unsigned char w[8];
				int first = 8;
				for (int i = 0; i < 8; i++) {
					w[i] = i < at ? (unsigned char)('0' + gen_below(&state, 10))
						      : (unsigned char)gen_next(&state);
					if (i == at)
						w[i] = (unsigned char)b;
					if (first == 8 && (w[i] < '0' || w[i] > '9'))
						first = i;
				}
				uint64_t m = br_nondigits(br_le64(w));
				for (int i = 0; i < 8; i++) {
					bool digit = w[i] >= '0' && w[i] <= '9';
					bool flagged = (m >> (8 * i) & 0xFF) != 0;
					if ((!digit && !flagged) || (i < first && flagged))
						wrong++;
				}
			}
	CU_ASSERT_EQUAL(wrong, 0);
}

/* Every byte in every place of the usual ends ("Z", ".fffZ",
 * ".ffffffZ"), and random ends: the usual path takes only what the
 * general one reads the same. The general one reads the same end after a
 * leap second, 2016-12-31T23:59:60, read as 23:59:59 of the same day
 * (an end with an offset other than 0 refuses it there: no end here has
 * a sign, and a changed byte cannot make one an offset). */
static void test_time_usual_ends(void)
{
	static const char *const ends[] = {"Z", ".093Z", ".093125Z", "z",
					   ".000z", ".999999Z"};
	const char *at59 = "2016-12-31T23:59:59", *at60 = "2016-12-31T23:59:60";
	uint64_t state = 0xD1B54A32D192ED03u;
	int wrong = 0, usual = 0;
	for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
		size_t n = strlen(ends[e]);
		for (size_t at = 0; at <= n; at++)
			for (int c = 0; c < 256 + 64; c++) {
				char end[40];
				size_t len = n;
				memcpy(end, ends[e], n);
				if (at == n && c >= 256)
					continue;
				if (at == n) {
					end[len++] = (char)c; /* one more byte */
				} else if (c < 256) {
					end[at] = (char)c;
				} else { /* random ends of 0 to 12 bytes */
					len = (size_t)gen_below(&state, 13);
					for (size_t k = 0; k < len; k++)
						end[k] = ".0123456789Zz:x"[gen_below(&state, 15)];
				}
				char s59[64], s60[64];
				memcpy(s59, at59, 19);
				memcpy(s59 + 19, end, len);
				memcpy(s60, at60, 19);
				memcpy(s60 + 19, end, len);
				int64_t a = 1, b = 2;
				const char *wa = br_time_parse(s59, 19 + len, &a);
				const char *wb = br_time_parse(s60, 19 + len, &b);
				if ((wa == NULL) != (wb == NULL) ||
				    (wa && strcmp(wa, wb) != 0) || (!wa && a != b)) {
					if (wrong++ < 5)
						fprintf(stderr, "\n%.*s: %s, %.*s: %s\n",
							(int)(19 + len), s59, wa ? wa : "ok",
							(int)(19 + len), s60, wb ? wb : "ok");
				}
				usual += !wa;
			}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(usual > 100);
}

/* Whether the 24 bytes at s, a usual timestamp or one with a byte
 * changed, parse; counting into *wrong (and telling the first five) when
 * the same text with a fourth digit of fraction, '0', before its last
 * byte, which no path of its own reads, is not valid alike or has
 * another instant. */
static bool usual_ms_as_four(const char *s, struct br_month_memo *mo,
			     int *wrong)
{
	char four[25];
	memcpy(four, s, 23);
	four[23] = '0';
	four[24] = s[23];
	int64_t a = 1, m = 3, r = 2;
	const char *wa = br_time_parse(s, 24, &a);
	const char *wm = br_time_parse_memo(mo, s, 24, &m);
	const char *wr = br_time_parse(four, 25, &r);
	if ((wa == NULL) != (wr == NULL) || (!wa && a != r) || wm != wa ||
	    (!wa && m != a)) {
		if ((*wrong)++ < 5)
			fprintf(stderr, "\n%.24s: %s %lld (memo: %s %lld), "
				"%.25s: %s %lld\n", s, wa ? wa : "ok",
				(long long)a, wm ? wm : "ok", (long long)m, four,
				wr ? wr : "ok", (long long)r);
	}
	return !wa;
}

/* Every byte in every place of the logs' usual timestamp,
 * "YYYY-MM-DDTHH:MM:SS.fffZ", which br_time_parse tests as two vectors:
 * it is valid with an instant, or not, as the same text with a fourth
 * digit of fraction, '0', before its last byte, which no path of its own
 * reads (why not is told by the other paths alone, and differs where the
 * byte more moves an offset's digits). Some bases are edges: a leap day,
 * the last instant of year 9999, the first of year 0000. */
static void test_time_usual_ms_bytes(void)
{
	static const char *const bases[] = {
		"2025-10-25T15:38:17.093Z", "2024-02-29T23:59:58.999Z",
		"9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z",
		"2100-02-28T12:00:00.500Z", "2016-12-31T23:59:59.001Z"};
	/* One month memo through all of it (br_time_parse_memo): a byte
	 * changed in a month it holds, or moving to another month, a year,
	 * an invalid one, and back. */
	struct br_month_memo mo = {0};
	int wrong = 0, valid = 0;
	for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
		for (int at = 0; at < 24; at++)
			for (int c = 0; c < 256; c++) {
				char s[24];
				memcpy(s, bases[b], 24);
				s[at] = (char)c;
				valid += usual_ms_as_four(s, &mo, &wrong);
			}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(valid > 6 * 24);
	/* Every day of the years, through the one memo: its last millisecond. */
	wrong = 0;
	int32_t last = br_day_from_civil(9999, 12, 31);
	for (int32_t day = br_day_from_civil(0, 1, 1); day <= last; day++) {
		int y, m, d;
		br_civil_from_day(day, &y, &m, &d);
		char s[32];
		snprintf(s, sizeof s, "%04d-%02d-%02dT23:59:59.999Z", y, m, d);
		int64_t us = 1;
		const char *why = br_time_parse_memo(&mo, s, 24, &us);
		if (why || us != ((int64_t)day * 86400 + 86399) * SEC + 999000) {
			if (wrong++ < 5)
				fprintf(stderr, "\n%s: %s %lld\n", s,
					why ? why : "ok", (long long)us);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

/* Every value 00 to 99 of each two-digit field of the logs' usual
 * timestamp (month, day, hour, minute, second, and the fraction's first
 * two digits), in years whose Februaries differ (2023, 2024, 1900, 2000,
 * 0000, 9999): valid with an instant, or not, as the same text with a
 * fourth digit of fraction (test_time_usual_ms_bytes), which no path of
 * its own reads. Its bytes are tested against a limit each (a month's
 * tens at most 1, a day's 3, an hour's 2, a minute's and a second's 5),
 * its values then: both digits changed at once. */
static void test_time_usual_ms_fields(void)
{
	static const char *const bases[] = {
		"2023-02-14T10:20:30.400Z", "2024-02-14T10:20:30.400Z",
		"1900-02-14T10:20:30.400Z", "2000-02-14T10:20:30.400Z",
		"0000-02-14T10:20:30.400Z", "9999-12-14T10:20:30.400Z"};
	static const int fields[] = {5, 8, 11, 14, 17, 20};
	struct br_month_memo mo = {0};
	int wrong = 0, valid = 0;
	for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
			for (int v = 0; v < 100; v++) {
				char s[24];
				memcpy(s, bases[b], 24);
				s[fields[f]] = (char)('0' + v / 10);
				s[fields[f] + 1] = (char)('0' + v % 10);
				valid += usual_ms_as_four(s, &mo, &wrong);
			}
	CU_ASSERT_EQUAL(wrong, 0);
	/* Each base: 12 months, 28 or 29 days (31 in December), 24 hours,
	 * 60 minutes, 60 seconds, 100 fractions. */
	CU_ASSERT_EQUAL(valid, 6 * (12 + 24 + 60 + 60 + 100) + 28 + 29 + 28 +
				       29 + 29 + 31);
}

/* The field of n digits at s, or -1. */
static int field(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Every byte in every place of "YYYY-MM-DDTHH:MM:SS", which the parser
 * reads 8 bytes at a time: what it makes of each, against the fields read
 * one by one here. */
static void test_time_parse_bytes(void)
{
	const char *base = "2024-02-29T23:59:58.5Z";
	size_t n = strlen(base);
	static const char *const sep_why[19] = {
		[4] = "not a timestamp or epoch number",
		[7] = "expected YYYY-MM-DD",
		[10] = "expected 'T' or ' ' between date and time",
		[13] = "expected HH:MM:SS",
		[16] = "expected HH:MM:SS",
	};
	int wrong = 0;
	for (int at = 0; at < 19; at++)
		for (int c = 0; c < 256; c++) {
			char s[32];
			memcpy(s, base, n + 1);
			s[at] = (char)c;
			int y = field(s, 4), m = field(s + 5, 2), d = field(s + 8, 2);
			int hh = field(s + 11, 2), mm = field(s + 14, 2),
			    ss = field(s + 17, 2);
			const char *want = NULL;
			if (sep_why[at])
				want = c == base[at] || (at == 10 && (c == 't' || c == ' '))
					       ? NULL : sep_why[at];
			else if (y < 0 || m < 0 || d < 0)
				want = "expected YYYY-MM-DD";
			else if (hh < 0 || mm < 0 || ss < 0)
				want = "expected HH:MM:SS";
			if (!want) {
				static const int days[] = {31, 29, 31, 30, 31, 30,
							   31, 31, 30, 31, 30, 31};
				bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
				if (m < 1 || m > 12)
					want = "invalid month";
				else if (d < 1 || d > days[m - 1] - (m == 2 && !leap))
					want = "invalid day of month";
				else if (hh > 23)
					want = "invalid hour";
				else if (mm > 59)
					want = "invalid minute";
				else if (ss > 59)
					want = "invalid second";
			}
			int64_t us = 0;
			const char *why = br_time_parse(s, n, &us);
			int64_t expect = ((int64_t)br_day_from_civil(y, m, d) * 86400 +
					  hh * 3600 + mm * 60 + ss) * SEC + 500000;
			if (want ? !why || strcmp(why, want) != 0
				 : why || us != expect) {
				if (wrong++ < 5)
					fprintf(stderr, "byte %d at %d: %s, not %s\n", c,
						at, why ? why : "valid",
						want ? want : "valid");
			}
		}
	CU_ASSERT_EQUAL(wrong, 0);
}

static void test_days(void)
{
	char buf[28];
	CU_ASSERT_EQUAL(br_day_from_civil(1970, 1, 1), 0);
	int32_t d;
	CU_ASSERT_EQUAL(br_day_parse("2024-02-29", &d), 0);
	br_day_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2024-02-29");
	CU_ASSERT_EQUAL(br_day_parse("2023-02-29", &d), -1);
	CU_ASSERT_EQUAL(br_day_parse("2023-2-28", &d), -1);
	CU_ASSERT_EQUAL(br_day_parse("2023-02-28x", &d), -1);
	/* Why a date is not one: its shape, or a day or month that does
	 * not exist (it said "expected YYYY-MM-DD" of 2025-02-30). */
	char why[BR_DAY_WHY_BUFSZ];
	CU_ASSERT_EQUAL(br_day_parse_why("2023-2-28", &d, why), -1);
	CU_ASSERT_STRING_EQUAL(why, "expected YYYY-MM-DD");
	CU_ASSERT_EQUAL(br_day_parse_why("2025-02-30", &d, why), -2);
	CU_ASSERT_STRING_EQUAL(why, "no such day (February 2025 has 28 days)");
	CU_ASSERT_EQUAL(br_day_parse_why("2024-04-00", &d, why), -2);
	CU_ASSERT_STRING_EQUAL(why, "no such day (April 2024 has 30 days)");
	CU_ASSERT_EQUAL(br_day_parse_why("2025-13-01", &d, why), -2);
	CU_ASSERT_STRING_EQUAL(why, "no such month (months are 01 to 12)");
	CU_ASSERT_EQUAL(br_day_parse_why("2024-02-29", &d, why), 0);
	br_day_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2024-02-29");
	/* Just before and after UTC midnight. */
	CU_ASSERT_EQUAL(br_utc_day(oct1 - 1), br_utc_day(oct1) - 1);
	CU_ASSERT_EQUAL(br_utc_day(-1), -1);
	/* Floored, a day's ends on both sides of 1970, and the extremes. */
	CU_ASSERT_EQUAL(br_utc_day(0), 0);
	CU_ASSERT_EQUAL(br_utc_day(BR_US_PER_DAY - 1), 0);
	CU_ASSERT_EQUAL(br_utc_day(BR_US_PER_DAY), 1);
	CU_ASSERT_EQUAL(br_utc_day(-BR_US_PER_DAY), -1);
	CU_ASSERT_EQUAL(br_utc_day(-BR_US_PER_DAY - 1), -2);
	CU_ASSERT_EQUAL(br_utc_day(-BR_US_PER_DAY + 1), -1);
	CU_ASSERT_EQUAL(br_utc_day(INT64_MAX), 106751991);
	CU_ASSERT_EQUAL(br_utc_day(INT64_MIN), -106751992);
	br_day_parse("2025-12-29", &d);
	br_week_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-W01");
	br_day_parse("2021-01-03", &d);
	br_week_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2020-W53");
	br_month_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2021-01");
	CU_ASSERT_EQUAL(br_day_weekday(0), 3); /* a Thursday */
	br_day_parse("2024-02-10", &d);
	CU_ASSERT_EQUAL(br_day_month_length(d), 29);
	CU_ASSERT_EQUAL(br_day_month_start(d), d - 9);
	br_time_format(oct1 + 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2025-10-01T00:00:00.000001Z");
}

static void test_timezones(void)
{
	struct br_err err = {0};
	struct br_tz *utc = br_tz_load("UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(utc);
	CU_ASSERT_EQUAL(br_tz_day(utc, oct1), br_utc_day(oct1));
	br_tz_free(utc);

	struct br_tz *paris = br_tz_load("Europe/Paris", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(paris);
	/* 2025-10-01T22:30Z is 00:30 on 2025-10-02 in Paris (CEST). */
	CU_ASSERT_EQUAL(br_tz_day(paris, ts("2025-10-01T22:30:00Z")),
			br_utc_day(oct1) + 1);
	CU_ASSERT_EQUAL(br_tz_day(paris, ts("2025-10-01T21:59:59Z")),
			br_utc_day(oct1));
	/* The 25-hour day 2025-10-26: 23:30Z is already the 27th (CET). */
	int32_t d26;
	br_day_parse("2025-10-26", &d26);
	CU_ASSERT_EQUAL(br_tz_day(paris, ts("2025-10-25T22:00:00Z")), d26);
	CU_ASSERT_EQUAL(br_tz_day(paris, ts("2025-10-26T22:59:59Z")), d26);
	CU_ASSERT_EQUAL(br_tz_day(paris, ts("2025-10-26T23:00:00Z")), d26 + 1);
	br_tz_free(paris);

	CU_ASSERT_PTR_NULL(br_tz_load("Mars/Olympus", &err));
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Mars/Olympus"));
	br_err_clear(&err);
	CU_ASSERT_PTR_NULL(br_tz_load("../../etc/passwd", &err));
	br_err_clear(&err);
	CU_ASSERT_PTR_NULL(br_tz_load("", &err));
}

/* The day of instant `at` (UTC) in `zone` is `day`. */
struct tz_case {
	const char *zone, *at, *day;
};

static int check_tz_cases(const struct tz_case *c, size_t n)
{
	int wrong = 0;
	struct br_tz *tz = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!tz || strcmp(br_tz_name(tz), c[i].zone) != 0) {
			struct br_err err = {0};
			br_tz_free(tz);
			tz = br_tz_load(c[i].zone, &err);
			if (!tz)
				fprintf(stderr, "%s\n", err.msg);
			CU_ASSERT_PTR_NOT_NULL_FATAL(tz);
		}
		int32_t want = 0;
		CU_ASSERT_EQUAL(br_day_parse(c[i].day, &want), 0);
		int32_t got = br_tz_day(tz, ts(c[i].at));
		if (got != want && wrong++ < 5) {
			char buf[11];
			br_day_format(got, buf);
			fprintf(stderr, "%s at %s: %s, not %s\n", c[i].zone,
				c[i].at, buf, c[i].day);
		}
	}
	br_tz_free(tz);
	return wrong;
}

/* Past the last transition of a zone file (2037 in "fat" files, the last
 * change of rules in "slim" ones) its footer's TZ rule gives the offset.
 * The instants: each transition (the second before and the first after)
 * and the local midnights around it, in 2030 (listed in fat files), 2038,
 * 2050 and 2099 (from the rule); made by python 3.11's zoneinfo:
 *
 *	import datetime as dt, zoneinfo
 *	U = dt.timezone.utc
 *	def z(t): return dt.datetime.fromtimestamp(t, U).strftime('%Y-%m-%dT%H:%M:%SZ')
 *	rows = []
 *	for name in ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe',
 *		     'Pacific/Chatham', 'Asia/Kolkata', 'America/Sao_Paulo']:
 *	    zi = zoneinfo.ZoneInfo(name)
 *	    for y in [2030, 2038, 2050, 2099]:
 *		t0 = int(dt.datetime(y, 1, 1, tzinfo=U).timestamp())
 *		off = lambda t: dt.datetime.fromtimestamp(t, zi).utcoffset()
 *		days = {dt.date(y, 1, 1), dt.date(y, 7, 1)}
 *		for h in range(0, 366 * 24):  # the transitions, to the second
 *		    a, b = t0 + h * 3600, t0 + (h + 1) * 3600
 *		    if off(a) != off(b):
 *			while b - a > 1:
 *			    m = (a + b) // 2
 *			    a, b = (m, b) if off(m) == off(a) else (a, m)
 *			rows.append((name, b - 1)); rows.append((name, b))
 *			d = dt.datetime.fromtimestamp(b, zi).date()
 *			days |= {d, d + dt.timedelta(1)}
 *		for d in sorted(days):  # local midnight and the second before
 *		    m = int(dt.datetime(d.year, d.month, d.day, tzinfo=zi).timestamp())
 *		    rows.append((name, m - 1)); rows.append((name, m))
 *	for name, t in sorted(set(rows), key=lambda r: (r[0], r[1])):
 *	    print('\t{"%s", "%s", "%s"},' % (name, z(t),
 *		  dt.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(name)).date()))
 */
static const struct tz_case tz_rule_cases[] = {
	{"America/New_York", "2030-01-01T04:59:59Z", "2029-12-31"},
	{"America/New_York", "2030-01-01T05:00:00Z", "2030-01-01"},
	{"America/New_York", "2030-03-10T04:59:59Z", "2030-03-09"},
	{"America/New_York", "2030-03-10T05:00:00Z", "2030-03-10"},
	{"America/New_York", "2030-03-10T06:59:59Z", "2030-03-10"},
	{"America/New_York", "2030-03-10T07:00:00Z", "2030-03-10"},
	{"America/New_York", "2030-03-11T03:59:59Z", "2030-03-10"},
	{"America/New_York", "2030-03-11T04:00:00Z", "2030-03-11"},
	{"America/New_York", "2030-07-01T03:59:59Z", "2030-06-30"},
	{"America/New_York", "2030-07-01T04:00:00Z", "2030-07-01"},
	{"America/New_York", "2030-11-03T03:59:59Z", "2030-11-02"},
	{"America/New_York", "2030-11-03T04:00:00Z", "2030-11-03"},
	{"America/New_York", "2030-11-03T05:59:59Z", "2030-11-03"},
	{"America/New_York", "2030-11-03T06:00:00Z", "2030-11-03"},
	{"America/New_York", "2030-11-04T04:59:59Z", "2030-11-03"},
	{"America/New_York", "2030-11-04T05:00:00Z", "2030-11-04"},
	{"America/New_York", "2038-01-01T04:59:59Z", "2037-12-31"},
	{"America/New_York", "2038-01-01T05:00:00Z", "2038-01-01"},
	{"America/New_York", "2038-03-14T04:59:59Z", "2038-03-13"},
	{"America/New_York", "2038-03-14T05:00:00Z", "2038-03-14"},
	{"America/New_York", "2038-03-14T06:59:59Z", "2038-03-14"},
	{"America/New_York", "2038-03-14T07:00:00Z", "2038-03-14"},
	{"America/New_York", "2038-03-15T03:59:59Z", "2038-03-14"},
	{"America/New_York", "2038-03-15T04:00:00Z", "2038-03-15"},
	{"America/New_York", "2038-07-01T03:59:59Z", "2038-06-30"},
	{"America/New_York", "2038-07-01T04:00:00Z", "2038-07-01"},
	{"America/New_York", "2038-11-07T03:59:59Z", "2038-11-06"},
	{"America/New_York", "2038-11-07T04:00:00Z", "2038-11-07"},
	{"America/New_York", "2038-11-07T05:59:59Z", "2038-11-07"},
	{"America/New_York", "2038-11-07T06:00:00Z", "2038-11-07"},
	{"America/New_York", "2038-11-08T04:59:59Z", "2038-11-07"},
	{"America/New_York", "2038-11-08T05:00:00Z", "2038-11-08"},
	{"America/New_York", "2050-01-01T04:59:59Z", "2049-12-31"},
	{"America/New_York", "2050-01-01T05:00:00Z", "2050-01-01"},
	{"America/New_York", "2050-03-13T04:59:59Z", "2050-03-12"},
	{"America/New_York", "2050-03-13T05:00:00Z", "2050-03-13"},
	{"America/New_York", "2050-03-13T06:59:59Z", "2050-03-13"},
	{"America/New_York", "2050-03-13T07:00:00Z", "2050-03-13"},
	{"America/New_York", "2050-03-14T03:59:59Z", "2050-03-13"},
	{"America/New_York", "2050-03-14T04:00:00Z", "2050-03-14"},
	{"America/New_York", "2050-07-01T03:59:59Z", "2050-06-30"},
	{"America/New_York", "2050-07-01T04:00:00Z", "2050-07-01"},
	{"America/New_York", "2050-11-06T03:59:59Z", "2050-11-05"},
	{"America/New_York", "2050-11-06T04:00:00Z", "2050-11-06"},
	{"America/New_York", "2050-11-06T05:59:59Z", "2050-11-06"},
	{"America/New_York", "2050-11-06T06:00:00Z", "2050-11-06"},
	{"America/New_York", "2050-11-07T04:59:59Z", "2050-11-06"},
	{"America/New_York", "2050-11-07T05:00:00Z", "2050-11-07"},
	{"America/New_York", "2099-01-01T04:59:59Z", "2098-12-31"},
	{"America/New_York", "2099-01-01T05:00:00Z", "2099-01-01"},
	{"America/New_York", "2099-03-08T04:59:59Z", "2099-03-07"},
	{"America/New_York", "2099-03-08T05:00:00Z", "2099-03-08"},
	{"America/New_York", "2099-03-08T06:59:59Z", "2099-03-08"},
	{"America/New_York", "2099-03-08T07:00:00Z", "2099-03-08"},
	{"America/New_York", "2099-03-09T03:59:59Z", "2099-03-08"},
	{"America/New_York", "2099-03-09T04:00:00Z", "2099-03-09"},
	{"America/New_York", "2099-07-01T03:59:59Z", "2099-06-30"},
	{"America/New_York", "2099-07-01T04:00:00Z", "2099-07-01"},
	{"America/New_York", "2099-11-01T03:59:59Z", "2099-10-31"},
	{"America/New_York", "2099-11-01T04:00:00Z", "2099-11-01"},
	{"America/New_York", "2099-11-01T05:59:59Z", "2099-11-01"},
	{"America/New_York", "2099-11-01T06:00:00Z", "2099-11-01"},
	{"America/New_York", "2099-11-02T04:59:59Z", "2099-11-01"},
	{"America/New_York", "2099-11-02T05:00:00Z", "2099-11-02"},
	{"America/Sao_Paulo", "2030-01-01T02:59:59Z", "2029-12-31"},
	{"America/Sao_Paulo", "2030-01-01T03:00:00Z", "2030-01-01"},
	{"America/Sao_Paulo", "2030-07-01T02:59:59Z", "2030-06-30"},
	{"America/Sao_Paulo", "2030-07-01T03:00:00Z", "2030-07-01"},
	{"America/Sao_Paulo", "2038-01-01T02:59:59Z", "2037-12-31"},
	{"America/Sao_Paulo", "2038-01-01T03:00:00Z", "2038-01-01"},
	{"America/Sao_Paulo", "2038-07-01T02:59:59Z", "2038-06-30"},
	{"America/Sao_Paulo", "2038-07-01T03:00:00Z", "2038-07-01"},
	{"America/Sao_Paulo", "2050-01-01T02:59:59Z", "2049-12-31"},
	{"America/Sao_Paulo", "2050-01-01T03:00:00Z", "2050-01-01"},
	{"America/Sao_Paulo", "2050-07-01T02:59:59Z", "2050-06-30"},
	{"America/Sao_Paulo", "2050-07-01T03:00:00Z", "2050-07-01"},
	{"America/Sao_Paulo", "2099-01-01T02:59:59Z", "2098-12-31"},
	{"America/Sao_Paulo", "2099-01-01T03:00:00Z", "2099-01-01"},
	{"America/Sao_Paulo", "2099-07-01T02:59:59Z", "2099-06-30"},
	{"America/Sao_Paulo", "2099-07-01T03:00:00Z", "2099-07-01"},
	{"Asia/Kolkata", "2029-12-31T18:29:59Z", "2029-12-31"},
	{"Asia/Kolkata", "2029-12-31T18:30:00Z", "2030-01-01"},
	{"Asia/Kolkata", "2030-06-30T18:29:59Z", "2030-06-30"},
	{"Asia/Kolkata", "2030-06-30T18:30:00Z", "2030-07-01"},
	{"Asia/Kolkata", "2037-12-31T18:29:59Z", "2037-12-31"},
	{"Asia/Kolkata", "2037-12-31T18:30:00Z", "2038-01-01"},
	{"Asia/Kolkata", "2038-06-30T18:29:59Z", "2038-06-30"},
	{"Asia/Kolkata", "2038-06-30T18:30:00Z", "2038-07-01"},
	{"Asia/Kolkata", "2049-12-31T18:29:59Z", "2049-12-31"},
	{"Asia/Kolkata", "2049-12-31T18:30:00Z", "2050-01-01"},
	{"Asia/Kolkata", "2050-06-30T18:29:59Z", "2050-06-30"},
	{"Asia/Kolkata", "2050-06-30T18:30:00Z", "2050-07-01"},
	{"Asia/Kolkata", "2098-12-31T18:29:59Z", "2098-12-31"},
	{"Asia/Kolkata", "2098-12-31T18:30:00Z", "2099-01-01"},
	{"Asia/Kolkata", "2099-06-30T18:29:59Z", "2099-06-30"},
	{"Asia/Kolkata", "2099-06-30T18:30:00Z", "2099-07-01"},
	{"Australia/Lord_Howe", "2029-12-31T12:59:59Z", "2029-12-31"},
	{"Australia/Lord_Howe", "2029-12-31T13:00:00Z", "2030-01-01"},
	{"Australia/Lord_Howe", "2030-04-06T12:59:59Z", "2030-04-06"},
	{"Australia/Lord_Howe", "2030-04-06T13:00:00Z", "2030-04-07"},
	{"Australia/Lord_Howe", "2030-04-06T14:59:59Z", "2030-04-07"},
	{"Australia/Lord_Howe", "2030-04-06T15:00:00Z", "2030-04-07"},
	{"Australia/Lord_Howe", "2030-04-07T13:29:59Z", "2030-04-07"},
	{"Australia/Lord_Howe", "2030-04-07T13:30:00Z", "2030-04-08"},
	{"Australia/Lord_Howe", "2030-06-30T13:29:59Z", "2030-06-30"},
	{"Australia/Lord_Howe", "2030-06-30T13:30:00Z", "2030-07-01"},
	{"Australia/Lord_Howe", "2030-10-05T13:29:59Z", "2030-10-05"},
	{"Australia/Lord_Howe", "2030-10-05T13:30:00Z", "2030-10-06"},
	{"Australia/Lord_Howe", "2030-10-05T15:29:59Z", "2030-10-06"},
	{"Australia/Lord_Howe", "2030-10-05T15:30:00Z", "2030-10-06"},
	{"Australia/Lord_Howe", "2030-10-06T12:59:59Z", "2030-10-06"},
	{"Australia/Lord_Howe", "2030-10-06T13:00:00Z", "2030-10-07"},
	{"Australia/Lord_Howe", "2037-12-31T12:59:59Z", "2037-12-31"},
	{"Australia/Lord_Howe", "2037-12-31T13:00:00Z", "2038-01-01"},
	{"Australia/Lord_Howe", "2038-04-03T12:59:59Z", "2038-04-03"},
	{"Australia/Lord_Howe", "2038-04-03T13:00:00Z", "2038-04-04"},
	{"Australia/Lord_Howe", "2038-04-03T14:59:59Z", "2038-04-04"},
	{"Australia/Lord_Howe", "2038-04-03T15:00:00Z", "2038-04-04"},
	{"Australia/Lord_Howe", "2038-04-04T13:29:59Z", "2038-04-04"},
	{"Australia/Lord_Howe", "2038-04-04T13:30:00Z", "2038-04-05"},
	{"Australia/Lord_Howe", "2038-06-30T13:29:59Z", "2038-06-30"},
	{"Australia/Lord_Howe", "2038-06-30T13:30:00Z", "2038-07-01"},
	{"Australia/Lord_Howe", "2038-10-02T13:29:59Z", "2038-10-02"},
	{"Australia/Lord_Howe", "2038-10-02T13:30:00Z", "2038-10-03"},
	{"Australia/Lord_Howe", "2038-10-02T15:29:59Z", "2038-10-03"},
	{"Australia/Lord_Howe", "2038-10-02T15:30:00Z", "2038-10-03"},
	{"Australia/Lord_Howe", "2038-10-03T12:59:59Z", "2038-10-03"},
	{"Australia/Lord_Howe", "2038-10-03T13:00:00Z", "2038-10-04"},
	{"Australia/Lord_Howe", "2049-12-31T12:59:59Z", "2049-12-31"},
	{"Australia/Lord_Howe", "2049-12-31T13:00:00Z", "2050-01-01"},
	{"Australia/Lord_Howe", "2050-04-02T12:59:59Z", "2050-04-02"},
	{"Australia/Lord_Howe", "2050-04-02T13:00:00Z", "2050-04-03"},
	{"Australia/Lord_Howe", "2050-04-02T14:59:59Z", "2050-04-03"},
	{"Australia/Lord_Howe", "2050-04-02T15:00:00Z", "2050-04-03"},
	{"Australia/Lord_Howe", "2050-04-03T13:29:59Z", "2050-04-03"},
	{"Australia/Lord_Howe", "2050-04-03T13:30:00Z", "2050-04-04"},
	{"Australia/Lord_Howe", "2050-06-30T13:29:59Z", "2050-06-30"},
	{"Australia/Lord_Howe", "2050-06-30T13:30:00Z", "2050-07-01"},
	{"Australia/Lord_Howe", "2050-10-01T13:29:59Z", "2050-10-01"},
	{"Australia/Lord_Howe", "2050-10-01T13:30:00Z", "2050-10-02"},
	{"Australia/Lord_Howe", "2050-10-01T15:29:59Z", "2050-10-02"},
	{"Australia/Lord_Howe", "2050-10-01T15:30:00Z", "2050-10-02"},
	{"Australia/Lord_Howe", "2050-10-02T12:59:59Z", "2050-10-02"},
	{"Australia/Lord_Howe", "2050-10-02T13:00:00Z", "2050-10-03"},
	{"Australia/Lord_Howe", "2098-12-31T12:59:59Z", "2098-12-31"},
	{"Australia/Lord_Howe", "2098-12-31T13:00:00Z", "2099-01-01"},
	{"Australia/Lord_Howe", "2099-04-04T12:59:59Z", "2099-04-04"},
	{"Australia/Lord_Howe", "2099-04-04T13:00:00Z", "2099-04-05"},
	{"Australia/Lord_Howe", "2099-04-04T14:59:59Z", "2099-04-05"},
	{"Australia/Lord_Howe", "2099-04-04T15:00:00Z", "2099-04-05"},
	{"Australia/Lord_Howe", "2099-04-05T13:29:59Z", "2099-04-05"},
	{"Australia/Lord_Howe", "2099-04-05T13:30:00Z", "2099-04-06"},
	{"Australia/Lord_Howe", "2099-06-30T13:29:59Z", "2099-06-30"},
	{"Australia/Lord_Howe", "2099-06-30T13:30:00Z", "2099-07-01"},
	{"Australia/Lord_Howe", "2099-10-03T13:29:59Z", "2099-10-03"},
	{"Australia/Lord_Howe", "2099-10-03T13:30:00Z", "2099-10-04"},
	{"Australia/Lord_Howe", "2099-10-03T15:29:59Z", "2099-10-04"},
	{"Australia/Lord_Howe", "2099-10-03T15:30:00Z", "2099-10-04"},
	{"Australia/Lord_Howe", "2099-10-04T12:59:59Z", "2099-10-04"},
	{"Australia/Lord_Howe", "2099-10-04T13:00:00Z", "2099-10-05"},
	{"Europe/Berlin", "2029-12-31T22:59:59Z", "2029-12-31"},
	{"Europe/Berlin", "2029-12-31T23:00:00Z", "2030-01-01"},
	{"Europe/Berlin", "2030-03-30T22:59:59Z", "2030-03-30"},
	{"Europe/Berlin", "2030-03-30T23:00:00Z", "2030-03-31"},
	{"Europe/Berlin", "2030-03-31T00:59:59Z", "2030-03-31"},
	{"Europe/Berlin", "2030-03-31T01:00:00Z", "2030-03-31"},
	{"Europe/Berlin", "2030-03-31T21:59:59Z", "2030-03-31"},
	{"Europe/Berlin", "2030-03-31T22:00:00Z", "2030-04-01"},
	{"Europe/Berlin", "2030-06-30T21:59:59Z", "2030-06-30"},
	{"Europe/Berlin", "2030-06-30T22:00:00Z", "2030-07-01"},
	{"Europe/Berlin", "2030-10-26T21:59:59Z", "2030-10-26"},
	{"Europe/Berlin", "2030-10-26T22:00:00Z", "2030-10-27"},
	{"Europe/Berlin", "2030-10-27T00:59:59Z", "2030-10-27"},
	{"Europe/Berlin", "2030-10-27T01:00:00Z", "2030-10-27"},
	{"Europe/Berlin", "2030-10-27T22:59:59Z", "2030-10-27"},
	{"Europe/Berlin", "2030-10-27T23:00:00Z", "2030-10-28"},
	{"Europe/Berlin", "2037-12-31T22:59:59Z", "2037-12-31"},
	{"Europe/Berlin", "2037-12-31T23:00:00Z", "2038-01-01"},
	{"Europe/Berlin", "2038-03-27T22:59:59Z", "2038-03-27"},
	{"Europe/Berlin", "2038-03-27T23:00:00Z", "2038-03-28"},
	{"Europe/Berlin", "2038-03-28T00:59:59Z", "2038-03-28"},
	{"Europe/Berlin", "2038-03-28T01:00:00Z", "2038-03-28"},
	{"Europe/Berlin", "2038-03-28T21:59:59Z", "2038-03-28"},
	{"Europe/Berlin", "2038-03-28T22:00:00Z", "2038-03-29"},
	{"Europe/Berlin", "2038-06-30T21:59:59Z", "2038-06-30"},
	{"Europe/Berlin", "2038-06-30T22:00:00Z", "2038-07-01"},
	{"Europe/Berlin", "2038-10-30T21:59:59Z", "2038-10-30"},
	{"Europe/Berlin", "2038-10-30T22:00:00Z", "2038-10-31"},
	{"Europe/Berlin", "2038-10-31T00:59:59Z", "2038-10-31"},
	{"Europe/Berlin", "2038-10-31T01:00:00Z", "2038-10-31"},
	{"Europe/Berlin", "2038-10-31T22:59:59Z", "2038-10-31"},
	{"Europe/Berlin", "2038-10-31T23:00:00Z", "2038-11-01"},
	{"Europe/Berlin", "2049-12-31T22:59:59Z", "2049-12-31"},
	{"Europe/Berlin", "2049-12-31T23:00:00Z", "2050-01-01"},
	{"Europe/Berlin", "2050-03-26T22:59:59Z", "2050-03-26"},
	{"Europe/Berlin", "2050-03-26T23:00:00Z", "2050-03-27"},
	{"Europe/Berlin", "2050-03-27T00:59:59Z", "2050-03-27"},
	{"Europe/Berlin", "2050-03-27T01:00:00Z", "2050-03-27"},
	{"Europe/Berlin", "2050-03-27T21:59:59Z", "2050-03-27"},
	{"Europe/Berlin", "2050-03-27T22:00:00Z", "2050-03-28"},
	{"Europe/Berlin", "2050-06-30T21:59:59Z", "2050-06-30"},
	{"Europe/Berlin", "2050-06-30T22:00:00Z", "2050-07-01"},
	{"Europe/Berlin", "2050-10-29T21:59:59Z", "2050-10-29"},
	{"Europe/Berlin", "2050-10-29T22:00:00Z", "2050-10-30"},
	{"Europe/Berlin", "2050-10-30T00:59:59Z", "2050-10-30"},
	{"Europe/Berlin", "2050-10-30T01:00:00Z", "2050-10-30"},
	{"Europe/Berlin", "2050-10-30T22:59:59Z", "2050-10-30"},
	{"Europe/Berlin", "2050-10-30T23:00:00Z", "2050-10-31"},
	{"Europe/Berlin", "2098-12-31T22:59:59Z", "2098-12-31"},
	{"Europe/Berlin", "2098-12-31T23:00:00Z", "2099-01-01"},
	{"Europe/Berlin", "2099-03-28T22:59:59Z", "2099-03-28"},
	{"Europe/Berlin", "2099-03-28T23:00:00Z", "2099-03-29"},
	{"Europe/Berlin", "2099-03-29T00:59:59Z", "2099-03-29"},
	{"Europe/Berlin", "2099-03-29T01:00:00Z", "2099-03-29"},
	{"Europe/Berlin", "2099-03-29T21:59:59Z", "2099-03-29"},
	{"Europe/Berlin", "2099-03-29T22:00:00Z", "2099-03-30"},
	{"Europe/Berlin", "2099-06-30T21:59:59Z", "2099-06-30"},
	{"Europe/Berlin", "2099-06-30T22:00:00Z", "2099-07-01"},
	{"Europe/Berlin", "2099-10-24T21:59:59Z", "2099-10-24"},
	{"Europe/Berlin", "2099-10-24T22:00:00Z", "2099-10-25"},
	{"Europe/Berlin", "2099-10-25T00:59:59Z", "2099-10-25"},
	{"Europe/Berlin", "2099-10-25T01:00:00Z", "2099-10-25"},
	{"Europe/Berlin", "2099-10-25T22:59:59Z", "2099-10-25"},
	{"Europe/Berlin", "2099-10-25T23:00:00Z", "2099-10-26"},
	{"Pacific/Chatham", "2029-12-31T10:14:59Z", "2029-12-31"},
	{"Pacific/Chatham", "2029-12-31T10:15:00Z", "2030-01-01"},
	{"Pacific/Chatham", "2030-04-06T10:14:59Z", "2030-04-06"},
	{"Pacific/Chatham", "2030-04-06T10:15:00Z", "2030-04-07"},
	{"Pacific/Chatham", "2030-04-06T13:59:59Z", "2030-04-07"},
	{"Pacific/Chatham", "2030-04-06T14:00:00Z", "2030-04-07"},
	{"Pacific/Chatham", "2030-04-07T11:14:59Z", "2030-04-07"},
	{"Pacific/Chatham", "2030-04-07T11:15:00Z", "2030-04-08"},
	{"Pacific/Chatham", "2030-06-30T11:14:59Z", "2030-06-30"},
	{"Pacific/Chatham", "2030-06-30T11:15:00Z", "2030-07-01"},
	{"Pacific/Chatham", "2030-09-28T11:14:59Z", "2030-09-28"},
	{"Pacific/Chatham", "2030-09-28T11:15:00Z", "2030-09-29"},
	{"Pacific/Chatham", "2030-09-28T13:59:59Z", "2030-09-29"},
	{"Pacific/Chatham", "2030-09-28T14:00:00Z", "2030-09-29"},
	{"Pacific/Chatham", "2030-09-29T10:14:59Z", "2030-09-29"},
	{"Pacific/Chatham", "2030-09-29T10:15:00Z", "2030-09-30"},
	{"Pacific/Chatham", "2037-12-31T10:14:59Z", "2037-12-31"},
	{"Pacific/Chatham", "2037-12-31T10:15:00Z", "2038-01-01"},
	{"Pacific/Chatham", "2038-04-03T10:14:59Z", "2038-04-03"},
	{"Pacific/Chatham", "2038-04-03T10:15:00Z", "2038-04-04"},
	{"Pacific/Chatham", "2038-04-03T13:59:59Z", "2038-04-04"},
	{"Pacific/Chatham", "2038-04-03T14:00:00Z", "2038-04-04"},
	{"Pacific/Chatham", "2038-04-04T11:14:59Z", "2038-04-04"},
	{"Pacific/Chatham", "2038-04-04T11:15:00Z", "2038-04-05"},
	{"Pacific/Chatham", "2038-06-30T11:14:59Z", "2038-06-30"},
	{"Pacific/Chatham", "2038-06-30T11:15:00Z", "2038-07-01"},
	{"Pacific/Chatham", "2038-09-25T11:14:59Z", "2038-09-25"},
	{"Pacific/Chatham", "2038-09-25T11:15:00Z", "2038-09-26"},
	{"Pacific/Chatham", "2038-09-25T13:59:59Z", "2038-09-26"},
	{"Pacific/Chatham", "2038-09-25T14:00:00Z", "2038-09-26"},
	{"Pacific/Chatham", "2038-09-26T10:14:59Z", "2038-09-26"},
	{"Pacific/Chatham", "2038-09-26T10:15:00Z", "2038-09-27"},
	{"Pacific/Chatham", "2049-12-31T10:14:59Z", "2049-12-31"},
	{"Pacific/Chatham", "2049-12-31T10:15:00Z", "2050-01-01"},
	{"Pacific/Chatham", "2050-04-02T10:14:59Z", "2050-04-02"},
	{"Pacific/Chatham", "2050-04-02T10:15:00Z", "2050-04-03"},
	{"Pacific/Chatham", "2050-04-02T13:59:59Z", "2050-04-03"},
	{"Pacific/Chatham", "2050-04-02T14:00:00Z", "2050-04-03"},
	{"Pacific/Chatham", "2050-04-03T11:14:59Z", "2050-04-03"},
	{"Pacific/Chatham", "2050-04-03T11:15:00Z", "2050-04-04"},
	{"Pacific/Chatham", "2050-06-30T11:14:59Z", "2050-06-30"},
	{"Pacific/Chatham", "2050-06-30T11:15:00Z", "2050-07-01"},
	{"Pacific/Chatham", "2050-09-24T11:14:59Z", "2050-09-24"},
	{"Pacific/Chatham", "2050-09-24T11:15:00Z", "2050-09-25"},
	{"Pacific/Chatham", "2050-09-24T13:59:59Z", "2050-09-25"},
	{"Pacific/Chatham", "2050-09-24T14:00:00Z", "2050-09-25"},
	{"Pacific/Chatham", "2050-09-25T10:14:59Z", "2050-09-25"},
	{"Pacific/Chatham", "2050-09-25T10:15:00Z", "2050-09-26"},
	{"Pacific/Chatham", "2098-12-31T10:14:59Z", "2098-12-31"},
	{"Pacific/Chatham", "2098-12-31T10:15:00Z", "2099-01-01"},
	{"Pacific/Chatham", "2099-04-04T10:14:59Z", "2099-04-04"},
	{"Pacific/Chatham", "2099-04-04T10:15:00Z", "2099-04-05"},
	{"Pacific/Chatham", "2099-04-04T13:59:59Z", "2099-04-05"},
	{"Pacific/Chatham", "2099-04-04T14:00:00Z", "2099-04-05"},
	{"Pacific/Chatham", "2099-04-05T11:14:59Z", "2099-04-05"},
	{"Pacific/Chatham", "2099-04-05T11:15:00Z", "2099-04-06"},
	{"Pacific/Chatham", "2099-06-30T11:14:59Z", "2099-06-30"},
	{"Pacific/Chatham", "2099-06-30T11:15:00Z", "2099-07-01"},
	{"Pacific/Chatham", "2099-09-26T11:14:59Z", "2099-09-26"},
	{"Pacific/Chatham", "2099-09-26T11:15:00Z", "2099-09-27"},
	{"Pacific/Chatham", "2099-09-26T13:59:59Z", "2099-09-27"},
	{"Pacific/Chatham", "2099-09-26T14:00:00Z", "2099-09-27"},
	{"Pacific/Chatham", "2099-09-27T10:14:59Z", "2099-09-27"},
	{"Pacific/Chatham", "2099-09-27T10:15:00Z", "2099-09-28"},
};

/* Past 2100 the rule is evaluated per instant, not tabulated; by python:
 *	zoneinfo.ZoneInfo('America/New_York')
 */
static const struct tz_case tz_far_cases[] = {
	{"America/New_York", "2100-12-31T04:59:59Z", "2100-12-30"},
	{"America/New_York", "2101-01-01T05:00:00Z", "2101-01-01"},
	{"America/New_York", "2101-07-01T03:59:59Z", "2101-06-30"},
	{"America/New_York", "2101-07-01T04:00:00Z", "2101-07-01"},
	{"America/New_York", "2150-03-14T04:00:00Z", "2150-03-14"},
	{"America/New_York", "2150-11-07T04:59:59Z", "2150-11-06"},
	{"America/New_York", "9999-07-01T04:00:00Z", "9999-07-01"},
};

/* zic -b slim writes no transitions the footer rule predicts (New York's
 * end in 2007): with such files of this system's tzdata source, made
 * here when zic and /usr/share/zoneinfo/tzdata.zi are there, the cases
 * above come out the same. */
static void test_timezone_rules(void)
{
	size_t n = sizeof tz_rule_cases / sizeof *tz_rule_cases,
	       far = sizeof tz_far_cases / sizeof *tz_far_cases;
	CU_ASSERT_EQUAL(check_tz_cases(tz_rule_cases, n), 0);
	CU_ASSERT_EQUAL(check_tz_cases(tz_far_cases, far), 0);
	if (access("/usr/share/zoneinfo/tzdata.zi", R_OK) != 0 ||
	    system("zic --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "(no zic or tzdata.zi: slim zone files not tested) ");
		return;
	}
	char dir[64], cmd[160];
	test_mkdtemp(dir, "slimtz");
	snprintf(cmd, sizeof cmd,
		 "zic -b slim -d '%s' /usr/share/zoneinfo/tzdata.zi", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	char *saved = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
	setenv("TZDIR", dir, 1);
	CU_ASSERT_EQUAL(check_tz_cases(tz_rule_cases, n), 0);
	CU_ASSERT_EQUAL(check_tz_cases(tz_far_cases, far), 0);
	/* The slim New York lists no 2025 transition: the auditor's case. */
	static const struct tz_case slim[] = {
		{"America/New_York", "2025-01-15T04:30:00Z", "2025-01-14"},
		{"America/New_York", "2025-07-01T03:59:59Z", "2025-06-30"},
		{"America/New_York", "2025-07-01T04:00:00Z", "2025-07-01"},
	};
	CU_ASSERT_EQUAL(check_tz_cases(slim, sizeof slim / sizeof *slim), 0);
	if (saved)
		setenv("TZDIR", saved, 1);
	else
		unsetenv("TZDIR");
	free(saved);
	test_rmtree(dir);
}

/* Writes dir/Test/Zone: a TZif version 2 file without transitions, of one
 * local time type of UTC offset off, and the footer "\n" footer "\n". */
static void write_tzif(const char *dir, int32_t off, const char *footer,
		       size_t footer_len)
{
	unsigned char block[44 + 6 + 4] = "TZif2";
	block[39] = 1; /* typecnt */
	block[43] = 4; /* charcnt */
	for (int i = 0; i < 4; i++)
		block[44 + i] = (unsigned char)((uint32_t)off >> (24 - 8 * i));
	memcpy(block + 50, "STD", 4);
	char path[128];
	snprintf(path, sizeof path, "%s/Test", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/Test/Zone", dir);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(block, 1, sizeof block, f); /* version 1 */
	fwrite(block, 1, sizeof block, f); /* version 2+ */
	if (footer) {
		fputc('\n', f);
		fwrite(footer, 1, footer_len, f);
		fputc('\n', f);
	}
	CU_ASSERT_EQUAL(fclose(f), 0);
}

/* A footer rule alone (a file without transitions), each form of it; and
 * malformed ones refused, as other damage to a zone file is. */
static void test_timezone_footer(void)
{
	/* The day of instant at in a zone of offset off (its one type) and
	 * the footer rule; by python 3.11's zoneinfo:
	 *
	 *	def tzif(footer, off):
	 *	    block = struct.pack('>4sc15x6I', b'TZif', b'2', 0, 0, 0, 0, 1, 4) + \
	 *		struct.pack('>lBB', off, 0, 0) + b'STD\0'
	 *	    return block + block + b'\n' + footer.encode() + b'\n'
	 *	zi = zoneinfo.ZoneInfo.from_file(io.BytesIO(tzif(footer, off)))
	 *	t = dt.datetime.fromisoformat(at.replace('Z', '+00:00'))
	 *	print(t.astimezone(zi).date())
	 *
	 * Lord Howe's half-hour DST across the year end; Nuuk's, changing at
	 * negative hours (RFC 8536 3.3.1); DST all year (ibid.): EDT even in
	 * the first hours of a UTC year; no DST; no rule.
	 */
	static const struct {
		const char *footer;
		int32_t off;
		const char *at, *day;
	} cases[] = {
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-04-05T14:59:59Z", "2025-04-06"}, /* 2025-04-06 01:59:59+11:00 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-04-05T15:00:00Z", "2025-04-06"}, /* 2025-04-06 01:30:00+10:30 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-10-04T13:29:59Z", "2025-10-04"}, /* 2025-10-04 23:59:59+10:30 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-10-04T13:30:00Z", "2025-10-05"}, /* 2025-10-05 00:00:00+10:30 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-12-31T12:59:59Z", "2025-12-31"}, /* 2025-12-31 23:59:59+11:00 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2025-12-31T13:00:00Z", "2026-01-01"}, /* 2026-01-01 00:00:00+11:00 */
	{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, "2150-10-04T13:00:00Z", "2150-10-05"}, /* 2150-10-05 00:00:00+11:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-03-29T02:59:59Z", "2025-03-28"}, /* 2025-03-28 23:59:59-03:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-03-29T03:00:00Z", "2025-03-29"}, /* 2025-03-29 00:00:00-03:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-03-30T01:59:59Z", "2025-03-29"}, /* 2025-03-29 23:59:59-02:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-03-30T02:00:00Z", "2025-03-30"}, /* 2025-03-30 00:00:00-02:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-10-25T02:59:59Z", "2025-10-25"}, /* 2025-10-25 00:59:59-02:00 */
	{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, "2025-10-25T03:00:00Z", "2025-10-25"}, /* 2025-10-25 01:00:00-02:00 */
	{"EST5EDT,0/0,J365/25", -18000, "2030-01-01T03:59:59Z", "2029-12-31"}, /* 2029-12-31 23:59:59-04:00 */
	{"EST5EDT,0/0,J365/25", -18000, "2030-01-01T04:00:00Z", "2030-01-01"}, /* 2030-01-01 00:00:00-04:00 */
	{"EST5EDT,0/0,J365/25", -18000, "2030-12-31T03:59:59Z", "2030-12-30"}, /* 2030-12-30 23:59:59-04:00 */
	{"EST5EDT,0/0,J365/25", -18000, "2030-12-31T04:00:00Z", "2030-12-31"}, /* 2030-12-31 00:00:00-04:00 */
	{"EST5EDT,0/0,J365/25", -18000, "2150-01-01T03:30:00Z", "2149-12-31"}, /* 2149-12-31 23:30:00-04:00 */
	{"<+0530>-5:30", 19800, "2025-01-01T18:29:59Z", "2025-01-01"}, /* 2025-01-01 23:59:59+05:30 */
	{"<+0530>-5:30", 19800, "2025-01-01T18:30:00Z", "2025-01-02"}, /* 2025-01-02 00:00:00+05:30 */
	{"", 3600, "2025-06-30T22:59:59Z", "2025-06-30"}, /* 2025-06-30 23:59:59+01:00 */
	{"", 3600, "2025-06-30T23:00:00Z", "2025-07-01"}, /* 2025-07-01 00:00:00+01:00 */
		/* Jn skips Feb 29, n counts from 0 and counts it (POSIX),
		 * with a time of day past 24 hours; by glibc (python 3.11
		 * counts n from 1):
		 *	TZ='<+02>-2<+03>-3:30:15,J60/0,300/25' date -d AT +%F
		 */
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-02-29T21:59:59Z", "2024-02-29"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-02-29T22:00:00Z", "2024-03-01"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2025-02-28T21:59:59Z", "2025-02-28"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2025-02-28T22:00:00Z", "2025-03-01"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-10-27T20:29:44Z", "2024-10-27"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-10-27T20:29:45Z", "2024-10-28"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-10-27T21:29:44Z", "2024-10-28"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2024-10-27T21:29:45Z", "2024-10-27"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2025-10-28T21:29:44Z", "2025-10-29"},
		{"<+02>-2<+03>-3:30:15,J60/0,300/25", 7200, "2025-10-28T21:29:45Z", "2025-10-28"},
	};
	char dir[64];
	test_mkdtemp(dir, "tzfooter");
	char *saved = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
	setenv("TZDIR", dir, 1);
	struct br_err err = {0};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		write_tzif(dir, cases[i].off, cases[i].footer,
			   strlen(cases[i].footer));
		struct br_tz *tz = br_tz_load("Test/Zone", &err);
		if (!tz)
			fprintf(stderr, "%s\n", err.msg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tz);
		int32_t want = 0;
		br_day_parse(cases[i].day, &want);
		if (br_tz_day(tz, ts(cases[i].at)) != want)
			fprintf(stderr, "'%s' at %s: not %s\n", cases[i].footer,
				cases[i].at, cases[i].day);
		CU_ASSERT_EQUAL(br_tz_day(tz, ts(cases[i].at)), want);
		br_tz_free(tz);
	}

	static const struct {
		const char *footer, *why;
	} bad[] = {
		{"EST5EDT", "daylight saving time without its rules"},
		{"<+1030>-10:30<+11>-11,M10.1.0", "expected ',' and the end of"},
		{"EST5EDT,M13.1.0,M11.1.0", "expected a date Mm.w.d"},
		{"EST5EDT,M3.6.0,M11.1.0", "expected a date Mm.w.d"},
		{"EST5EDT,M3.2.7,M11.1.0", "expected a date Mm.w.d"},
		{"EST5EDT,J0,J365", "expected a day Jn, 1-365"},
		{"EST5EDT,366,0", "expected a date Mm.w.d, Jn or n"},
		{"EST5EDT,M3.2.0/168,M11.1.0", "within 167 hours"},
		{"EST5EDT,M3.2.0/2:60,M11.1.0", "expected minutes 00-59"},
		{"EST25", "within 24 hours"},
		{"EST", "expected an offset"},
		{"ES5", "expected an abbreviation of 3 or more letters"},
		{"5", "expected an abbreviation of 3 or more letters"},
		{"<+1030-10:30", "expected '>' closing a quoted abbreviation"},
		{"<+1>-1", "fewer than 3 characters"},
		{"EST5EDT,M3.2.0,M11.1.0x", "unexpected characters after the rule"},
		{"EST5\tEDT", "'EST5?EDT' in the TZif footer: expected an abbreviation"},
		{"EST5EDT,M3.2.0,M11.1.0 EST5EDT,M3.2.0,M11.1.0 EST5EDT,M3.2.0,M11.1.0 "
		 "EST5EDT,M3.2.0,M11.1.0 EST5EDT,M3.2.0,M11.1.0 EST5EDT,M3.2.0,M11.1.0",
		 "longer than 127 bytes"},
		/* Just fits, its abbreviations long. */
		{"<ABCDEFGHIJKLMNOPQRSTUVWXYZ>5<ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ>,"
		 "M3.2.0/-1:30:00,M11.1.0/0:30:00x", "unexpected characters after the rule"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		write_tzif(dir, -18000, bad[i].footer, strlen(bad[i].footer));
		br_err_clear(&err);
		CU_ASSERT_PTR_NULL(br_tz_load("Test/Zone", &err));
		CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
		if (!strstr(err.msg, "bad TZ rule") || !strstr(err.msg, bad[i].why))
			fprintf(stderr, "'%s': %s\n", bad[i].footer, err.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "in the TZif footer: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].why));
	}
	/* A NUL in it, and no footer at all. */
	write_tzif(dir, 0, "UTC0\0", 5);
	br_err_clear(&err);
	CU_ASSERT_PTR_NULL(br_tz_load("Test/Zone", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad TZ rule 'UTC0?' in the TZif footer: a NUL byte"));
	write_tzif(dir, 0, NULL, 0);
	br_err_clear(&err);
	CU_ASSERT_PTR_NULL(br_tz_load("Test/Zone", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated TZif file (no footer)"));
	br_err_clear(&err);
	if (saved)
		setenv("TZDIR", saved, 1);
	else
		unsetenv("TZDIR");
	free(saved);
	test_rmtree(dir);
}

/* ----------------------------------------------------- dict, hash, errors */

static void test_dict(void)
{
	struct br_dict *d = br_dict_new();
	char key[32];
	for (int i = 0; i < 10000; i++) {
		int n = snprintf(key, sizeof key, "model-%d", i);
		CU_ASSERT_EQUAL(br_dict_intern(d, key, (size_t)n), (uint32_t)i);
	}
	CU_ASSERT_EQUAL(br_dict_intern(d, "model-42", 8), 42);
	CU_ASSERT_EQUAL(br_dict_find(d, "model-9999", 10), 9999);
	CU_ASSERT_EQUAL(br_dict_find(d, "model-10000", 11), -1);
	CU_ASSERT_EQUAL(br_dict_intern(d, "a\0b", 3), 10000);
	CU_ASSERT_EQUAL(br_dict_find(d, "a", 1), -1);
	size_t len;
	CU_ASSERT_STRING_EQUAL(br_dict_str(d, 7, &len), "model-7");
	CU_ASSERT_EQUAL(len, 7);
	CU_ASSERT_EQUAL(br_dict_count(d), 10001);
	br_dict_free(d);
	br_dict_free(NULL);
}

/* The cache of strings interned lately: strings alike at both ends (one
 * set of it), or more than a set holds, taken in turn and back and forth,
 * keep their own ids. */
static void test_dict_recent(void)
{
	struct br_dict *d = br_dict_new();
	char key[64];
	uint32_t ids[40];
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			int n = snprintf(key, sizeof key,
					 "provider-prefix-%02d-model-suffix", i);
			uint32_t id = br_dict_intern(d, key, (size_t)n);
			if (round == 0)
				ids[i] = id;
			CU_ASSERT_EQUAL(id, ids[i]);
		}
	CU_ASSERT_EQUAL(br_dict_count(d), 40);
	/* Back and forth between two, then one of the first again. */
	for (int i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(br_dict_intern(d, "ab", 2), 40);
		CU_ASSERT_EQUAL(br_dict_intern(d, "abab", 4), 41);
		CU_ASSERT_EQUAL(br_dict_intern(d, "", 0), 42);
	}
	int n = snprintf(key, sizeof key, "provider-prefix-%02d-model-suffix", 7);
	CU_ASSERT_EQUAL(br_dict_intern(d, key, (size_t)n), ids[7]);
	CU_ASSERT_EQUAL(br_dict_count(d), 43);
	br_dict_free(d);
}

static void check_hash(void)
{
	unsigned char data[1000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	struct br_fp whole = br_hash(data, sizeof data);
	/* Any split of the stream gives the same fingerprint. */
	for (size_t cut = 0; cut <= sizeof data; cut += 37) {
		struct br_hasher h;
		br_hash_init(&h);
		br_hash_update(&h, data, cut);
		br_hash_update(&h, data + cut, sizeof data - cut);
		CU_ASSERT(br_fp_equal(br_hash_final(&h), whole));
	}
	/* Every single-bit change and every length changes it. */
	for (size_t i = 0; i < 64; i++) {
		data[i] ^= 1;
		CU_ASSERT(!br_fp_equal(br_hash(data, sizeof data), whole));
		data[i] ^= 1;
		CU_ASSERT(!br_fp_equal(br_hash(data, i), whole));
	}
	CU_ASSERT(!br_fp_equal(br_hash("", 0), br_hash("\0", 1)));
	char hex[33];
	br_fp_hex((struct br_fp){1, 2}, hex);
	CU_ASSERT_STRING_EQUAL(hex, "00000000000000020000000000000001");
	/* A store holds fingerprints: their values never change, whatever
	 * the code computing them (its stripes one or two at a time, a tail
	 * carried across calls). These are those of the first version. */
	static unsigned char more[4096];
	for (size_t i = 0; i < sizeof more; i++)
		more[i] = (unsigned char)(i * 7 + 3);
	static const struct {
		size_t len;
		const char *hex;
	} known[] = {
		{0, "ccd16b4c0143c3a39573ec0758b482fe"},
		{1, "ecab23750aa89f46ae83e952b501b69a"},
		{7, "342ceccadf6e9880ba3cd60200d94172"},
		{8, "971ef088e60a14d23a6af68b47cb37c2"},
		{31, "869c9aa39d49842b0e20a6a3bb71f213"},
		{32, "f3de89de20b091658acc0c433da78823"},
		{33, "259f1f8c3485b1c64fe578a5d21ca522"},
		{63, "f865f5f3c616a13f80bbfdd687f429eb"},
		{64, "984d80d732a7efb8afb634c219ffe6be"},
		{65, "f0a7cc58fff25e63921b32cca8ecf916"},
		{95, "0260f8e03eb76266b538ee87c94953d1"},
		{96, "2c9425f5ffd645fcd46c1bd6f94b14da"},
		{127, "2809a5dbd2f2c1b481f880565165865e"},
		{128, "17dceb9732afea2cad1b4b100f12a47d"},
		{129, "104ae5fd62243997ffed846fa25f8347"},
		{1000, "4c9cb076a1d0be3a6a47d77d11eb4e03"},
		{4096, "aea64a484a1ceaac1bc184a9b56f0f0c"},
	};
	for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
		br_fp_hex(br_hash(more, known[k].len), hex);
		CU_ASSERT_STRING_EQUAL(hex, known[k].hex);
	}
	/* The 4096 bytes in pieces of 1, 2, ..., 100, 1, ... bytes. */
	struct br_hasher h;
	br_hash_init(&h);
	for (size_t at = 0, step = 1; at < sizeof more; step = step % 100 + 1) {
		size_t take = step < sizeof more - at ? step : sizeof more - at;
		br_hash_update(&h, more + at, take);
		at += take;
	}
	br_fp_hex(br_hash_final(&h), hex);
	CU_ASSERT_STRING_EQUAL(hex, "aea64a484a1ceaac1bc184a9b56f0f0c");
}

/* The fingerprints, known and of random bytes in random pieces, are the
 * same absorbed in vector registers (where this CPU has them) as in
 * scalar ones, and the way the default takes is one of the two. */
static void test_hash(void)
{
	enum br_hash_way best = br_hash_use(BR_HASH_BEST);
	CU_ASSERT(best == BR_HASH_SCALAR || best == BR_HASH_VECTOR);
	check_hash();
	CU_ASSERT_EQUAL(br_hash_use(BR_HASH_SCALAR), BR_HASH_SCALAR);
	check_hash();
	bool vector = br_hash_use(BR_HASH_VECTOR) == BR_HASH_VECTOR;
	check_hash();
	static unsigned char data[1 << 16];
	uint64_t x = 0x9e3779b97f4a7c15;
	for (size_t i = 0; i < sizeof data; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		data[i] = (unsigned char)(x >> 56);
	}
	for (int round = 0; round < 64; round++) {
		struct br_hasher by[2];
		for (int way = 0; way < 2; way++) {
			br_hash_use(way ? BR_HASH_SCALAR : BR_HASH_VECTOR);
			br_hash_init(&by[way]);
			uint64_t y = (uint64_t)round * 2654435761u + 1;
			for (size_t at = 0; at < sizeof data;) {
				y = y * 6364136223846793005u + 1442695040888963407u;
				size_t take = (size_t)(y >> 33) % 3000;
				if (take > sizeof data - at)
					take = sizeof data - at;
				br_hash_update(&by[way], data + at, take);
				at += take;
			}
		}
		CU_ASSERT(br_fp_equal(br_hash_final(&by[0]),
				      br_hash_final(&by[1])));
	}
	CU_ASSERT_EQUAL(br_hash_use(BR_HASH_BEST), best);
	printf("(this CPU: %s; the faster here: %s) ",
	       vector ? "scalar and AVX-512 ways" : "the scalar way only",
	       best == BR_HASH_VECTOR ? "AVX-512" : "scalar");
}

static void test_errors(void)
{
	struct br_err err = {0};
	CU_ASSERT(!br_failed(&err));
	CU_ASSERT_EQUAL(br_fail(&err, "first %d", 1), -1);
	CU_ASSERT_EQUAL(br_fail_status(&err, BR_EXIT_USAGE, "second"), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "first 1");
	CU_ASSERT_EQUAL(err.status, BR_EXIT_FAILURE);
	br_err_clear(&err);
	CU_ASSERT(!br_failed(&err));
	CU_ASSERT_EQUAL(br_fail(NULL, "ignored"), -1);
	struct br_buf b = {0};
	br_buf_printf(&b, "%s-%d", "x", 42);
	br_buf_putc(&b, '!');
	CU_ASSERT_STRING_EQUAL(b.p, "x-42!");
	br_buf_free(&b);
}

/* Large arrays on huge pages: zeroed like calloc's, aligned to a huge page
 * from 2 MiB, and freed with free(); a buffer reserved so is an ordinary
 * one after. The memory after a reused heap block is zero too. */
static void test_huge_alloc(void)
{
	const size_t huge = BR_HUGE_PAGE;
	/* Only whole huge pages are advised: one past the end would be
	 * resident whole, up to 2 MiB never written. Large blocks mapped
	 * afresh, as burnrate's main has them (on a host without transparent
	 * huge pages, small pages: resident as written). */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	size_t before = test_resident_bytes();
	unsigned char *tail = br_calloc_huge(huge + 64 * 1024, 1);
	CU_ASSERT(!TEST_RESIDENT_EXACT ||
		  test_resident_bytes() - before < huge + huge / 2);
	free(tail);
	unsigned char *dirty = br_malloc(3 * huge);
	memset(dirty, 0xA5, 3 * huge);
	free(dirty);
	for (size_t n = 1000; n <= 3 * huge; n *= 50) {
		unsigned char *p = br_calloc_huge(n, 1);
		size_t nonzero = 0;
		for (size_t i = 0; i < n; i++)
			nonzero += p[i] != 0;
		CU_ASSERT_EQUAL(nonzero, 0);
		if (n >= huge)
			CU_ASSERT_EQUAL((uintptr_t)p % huge, 0);
		memset(p, 1, n);
		free(p);
	}
	struct br_buf b = {0};
	br_buf_reserve_huge(&b, 3 * huge);
	CU_ASSERT_EQUAL((uintptr_t)b.p % huge, 0);
	char *at = b.p;
	for (size_t i = 0; i < 3 * huge; i += 8)
		br_buf_put(&b, "8 bytes.", 8);
	CU_ASSERT_PTR_EQUAL(b.p, at); /* it held them all */
	br_buf_reserve_huge(&b, 10); /* not empty: grows as usual */
	br_buf_puts(&b, "end");
	CU_ASSERT_EQUAL(b.len, 3 * huge + 3);
	CU_ASSERT_STRING_EQUAL(b.p + 3 * huge - 8, "8 bytes.end");
	br_buf_free(&b);
	CU_ASSERT_PTR_NULL(b.p);
}

/* --------------------------------------------------------------- prices */

/* Writes text to a temporary file and returns its path (static buffer). */
static const char *temp_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/burnrate-test-XXXXXX");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	size_t n = strlen(text);
	CU_ASSERT_FATAL(write(fd, text, n) == (ssize_t)n);
	close(fd);
	return path;
}

static struct br_catalog *load(const char *text, struct br_err *err)
{
	struct br_catalog *c = br_catalog_new();
	const char *path = temp_file(text);
	int rc = br_catalog_load_csv(c, path, err);
	unlink(path);
	if (rc != 0) {
		br_catalog_free(c);
		return NULL;
	}
	return c;
}

static const char prices_csv[] =
	"\xEF\xBB\xBFprovider,model,from,input,output,cache_read,cache_write,"
	"cache_write_1h,reasoning,min_input_tokens,tier\r\n"
	"openai,gpt-4o,,2.50,10.00,1.25,,,,,\r\n"
	"openai,gpt-4o,,1.25,5.00,,,,,,batch\r\n"
	"anthropic,claude,2025-01-01,3,15,0.30,3.75,6,,,\n"
	"anthropic,claude,2025-10-15,2,10,0.20,2.50,,,,\n"
	"google,gemini,,1.25,10,0.31,,,,,\n"
	"google,gemini,,2.50,15,0.625,,,,200001,\n"
	",private-model,,1,2,,,,,,\n"
	"x,\"quoted,model\",,0.000001,1000000,,,,8,,\n";

static void test_catalog_lookup(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	if (!c)
		fprintf(stderr, "%s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(br_catalog_models(c), 5);
	enum br_unpriced why;
	int32_t d1001, d1014, d1015;
	br_day_parse("2025-10-01", &d1001);
	br_day_parse("2025-10-14", &d1014);
	br_day_parse("2025-10-15", &d1015);

	const struct br_price *p = br_catalog_find(c, "openai", "gpt-4o", d1001,
						   BR_TIER_STANDARD, 10, &why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->rates.input, 2500000);
	CU_ASSERT_EQUAL(p->rates.cache_write, BR_RATE_UNSET);
	p = br_catalog_find(c, "openai", "gpt-4o", d1001, BR_TIER_BATCH, 10, &why);
	CU_ASSERT(p && p->rates.output == 5000000);
	CU_ASSERT_PTR_NULL(br_catalog_find(c, "openai", "gpt-4o", d1001,
					   BR_TIER_FLEX, 10, &why));
	CU_ASSERT_EQUAL(why, BR_UNPRICED_NO_TIER);
	/* History: the row in force on the day. */
	p = br_catalog_find(c, "anthropic", "claude", d1014, BR_TIER_STANDARD, 0, &why);
	CU_ASSERT(p && p->rates.input == 3000000);
	p = br_catalog_find(c, "anthropic", "claude", d1015, BR_TIER_STANDARD, 0, &why);
	CU_ASSERT(p && p->rates.input == 2000000);
	CU_ASSERT_PTR_NULL(br_catalog_find(c, "anthropic", "claude",
					   br_day_from_civil(2024, 12, 31),
					   BR_TIER_STANDARD, 0, &why));
	CU_ASSERT_EQUAL(why, BR_UNPRICED_NO_PRICE_ON_DAY);
	/* Long-context tier chosen by the request's total input. */
	p = br_catalog_find(c, "google", "gemini", d1001, BR_TIER_STANDARD, 200000, &why);
	CU_ASSERT(p && p->rates.input == 1250000);
	p = br_catalog_find(c, "google", "gemini", d1001, BR_TIER_STANDARD, 200001, &why);
	CU_ASSERT(p && p->rates.input == 2500000);
	/* An empty provider matches any provider; unknown models are not
	 * guessed. */
	CU_ASSERT_PTR_NOT_NULL(br_catalog_find(c, "acme", "private-model", d1001,
					       BR_TIER_STANDARD, 0, &why));
	CU_ASSERT_PTR_NULL(br_catalog_find(c, "openai", "gpt-4o-2024-08-06", d1001,
					   BR_TIER_STANDARD, 0, &why));
	CU_ASSERT_EQUAL(why, BR_UNPRICED_UNKNOWN_MODEL);
	CU_ASSERT_PTR_NOT_NULL(br_catalog_find(c, "x", "quoted,model", d1001,
					       BR_TIER_STANDARD, 0, &why));
	br_catalog_free(c);
}

static void test_catalog_override(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const char *path = temp_file("provider,model,from,input,output,cache_read,cache_write\n"
				     "anthropic,claude,,1,1,,\n");
	CU_ASSERT_EQUAL(br_catalog_load_csv(c, path, &err), 0);
	unlink(path);
	enum br_unpriced why;
	/* The override replaces the whole history of the model it lists. */
	const struct br_price *p = br_catalog_find(c, "anthropic", "claude",
						   br_day_from_civil(2020, 1, 1),
						   BR_TIER_STANDARD, 0, &why);
	CU_ASSERT(p && p->rates.input == 1000000);
	p = br_catalog_find(c, "openai", "gpt-4o", 0, BR_TIER_STANDARD, 0, &why);
	CU_ASSERT_PTR_NOT_NULL(p);
	br_catalog_free(c);
}

static void expect_load_error(const char *text, const char *needle)
{
	struct br_err err = {0};
	struct br_catalog *c = load(text, &err);
	CU_ASSERT_PTR_NULL(c);
	if (!strstr(err.msg, needle))
		fprintf(stderr, "expected '%s' in '%s'\n", needle, err.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
	br_catalog_free(c);
}

static void test_catalog_errors(void)
{
	const char *h = "provider,model,from,input,output,cache_read,cache_write\n";
	char text[512];
	expect_load_error("provider,model,from,input,output,cache_read\n", "'cache_write'");
	expect_load_error("", "empty prices file");
	snprintf(text, sizeof text, "%sopenai,gpt,,-1,2,,\n", h);
	expect_load_error(text, ":2: invalid input rate '-1'");
	snprintf(text, sizeof text, "%sopenai,gpt,,1,,,\n", h);
	expect_load_error(text, ":2: missing output rate");
	snprintf(text, sizeof text, "%sopenai,gpt,2025-02-30,1,2,,\n", h);
	expect_load_error(text, "invalid from date '2025-02-30'");
	snprintf(text, sizeof text, "%sopenai,,,1,2,,\n", h);
	expect_load_error(text, ":2: empty model");
	snprintf(text, sizeof text, "%sopenai,gpt,,1,2,,\nopenai,x,,1,2,,\nopenai,gpt,,1,3,,\n", h);
	expect_load_error(text, ":4: model 'openai/gpt' has two prices for the same tier, "
			  "from date and min_input_tokens (the other on line 2)");
	/* Two spellings of one provider: named as the one it is. */
	snprintf(text, sizeof text, "%sgemini,g,,1,2,,\ngoogle,g,,1,3,,\n", h);
	expect_load_error(text, ":3: model 'google/g' has two prices");
	snprintf(text, sizeof text, "%sopenai,gpt,,1.0000001,2,,\n", h);
	expect_load_error(text, "at most 6 decimals");
	expect_load_error("provider,model,from,input,output,cache_read,cache_write,tier\n"
			  "openai,gpt,,1,2,,,turbo\n", "invalid tier 'turbo'");
	/* Quoting errors say what is wrong, on the line where the field
	 * starts (libcsv's "error parsing data while strict checking
	 * enabled"; a quote left open was "expected 7 fields" on the line
	 * after the last). */
	snprintf(text, sizeof text, "%sopenai,\"gpt,,1,2,,\n", h);
	expect_load_error(text, ":2: a quoted field, field 2 (model), is not "
			  "closed before the end of the file");
	snprintf(text, sizeof text, "%s\"openai,gpt,,1,2,,\n", h);
	expect_load_error(text, ":2: a quoted field, field 1 (provider), is not "
			  "closed before the end of the file");
	snprintf(text, sizeof text, "%sopenai,g\"pt,,1,2,,\n", h);
	expect_load_error(text, ":2: a quote inside an unquoted field, field 2 "
			  "(model): quote the whole field and double the quotes");
	snprintf(text, sizeof text, "%sopenai,\"gpt\"x,,1,2,,\n", h);
	expect_load_error(text, ":2: a quoted field, field 2 (model), has text "
			  "after its closing quote");
	snprintf(text, sizeof text, "%sopenai,\"gpt,,1,2,,\nopenai,\"x\",,1,2,,\n", h);
	expect_load_error(text, ":2: a quoted field, field 2 (model), has text "
			  "after its closing quote on line 3");
	expect_load_error("provider,mo\"del\n", ":1: a quote inside an unquoted "
			  "field, field 2:");
	/* Doubled quotes and a field over two lines are no error. */
	snprintf(text, sizeof text, "%sopenai,\"g\"\"pt\",,1,2,,\nopenai,\"a\nb\",,1,2,,\n"
		 "openai,x,,1,,,\n", h);
	expect_load_error(text, ":5: missing output rate");
	/* A cell more or less than the header would shift the rates: $0,15
	 * written with a decimal comma is not input 0, output 15. */
	snprintf(text, sizeof text, "%sacme,mini,,0,15,0,60,,\n", h);
	expect_load_error(text, ":2: expected 7 fields, as in the header, got 9");
	snprintf(text, sizeof text, "%sacme,mini,,2,50\n", h);
	expect_load_error(text, ":2: expected 7 fields, as in the header, got 5");
	expect_load_error("provider,model,from,input,output,cache_read,cache_write,input\n"
			  "acme,w,,1,2,,,9\n",
			  ":1: column 'input' appears twice in the header");
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_new();
	CU_ASSERT_EQUAL(br_catalog_load_csv(c, "/nonexistent/prices.csv", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open '/nonexistent/prices.csv'"));
	br_catalog_free(c);
}

static void test_price_cost(void)
{
	struct br_rates r = {2500000, 10000000, 1250000, BR_RATE_UNSET,
			     BR_RATE_UNSET, BR_RATE_UNSET};
	struct br_tokens t = {1000, 200, 300, 40, 5, 50};
	/* 1000*2.5 + 200*10 + 300*1.25 + 40*2.5 + 5*2.5, per 1M tokens. */
	CU_ASSERT(br_price_cost(&r, &t) == (br_pico)(2500000000 + 2000000000 +
						     375000000 + 100000000 + 12500000));
	r.reasoning = 20000000;
	r.cache_write = 3000000;
	/* 150 output at 10, 50 reasoning at 20; 1h writes at the 5m rate. */
	CU_ASSERT(br_price_cost(&r, &t) ==
		  (br_pico)(2500000000 + 1500000000 + 1000000000 + 375000000 +
			    120000000 + 15000000));
}

/* br_price_cost's sum made in 128 bits, every rate set. */
static br_pico cost_in_128(const struct br_rates *r, const struct br_tokens *t)
{
	uint64_t reasoning = t->reasoning < t->output ? t->reasoning : t->output;
	return (br_pico)t->input * r->input +
	       (br_pico)(t->output - reasoning) * r->output +
	       (br_pico)reasoning * r->reasoning +
	       (br_pico)t->cache_read * r->cache_read +
	       (br_pico)t->cache_write * r->cache_write +
	       (br_pico)t->cache_write_1h * r->cache_write_1h;
}

/* br_price_cost sums in 64 bits while every token count is below 2^29 and
 * every rate below 2^32: at the largest of both, and just past either
 * (the 128-bit sum), it is exact. */
static void test_price_cost_bounds(void)
{
	const uint64_t tmax = (UINT64_C(1) << 29) - 1;
	const int64_t rmax = (INT64_C(1) << 32) - 1;
	struct br_rates r = {rmax, rmax, rmax, rmax, rmax, rmax};
	struct br_tokens t = {tmax, tmax, tmax, tmax, tmax, 7};
	/* Six products of nearly 2^61: past 2^63, below 2^64. */
	CU_ASSERT(br_price_cost(&r, &t) == cost_in_128(&r, &t));
	CU_ASSERT(br_price_cost(&r, &t) > (br_pico)INT64_MAX);
	struct br_tokens big = t;
	big.cache_write_1h = tmax + 1;
	CU_ASSERT(br_price_cost(&r, &big) == cost_in_128(&r, &big));
	big.cache_write_1h = UINT64_C(3) << 40;
	CU_ASSERT(br_price_cost(&r, &big) == cost_in_128(&r, &big));
	big = t;
	big.output = UINT64_C(1) << 40;
	big.reasoning = UINT64_C(1) << 39;
	CU_ASSERT(br_price_cost(&r, &big) == cost_in_128(&r, &big));
	struct br_rates dear = r;
	dear.cache_read = rmax + 1;
	CU_ASSERT(br_price_cost(&dear, &t) == cost_in_128(&dear, &t));
	dear.cache_read = INT64_C(5) << 40;
	CU_ASSERT(br_price_cost(&dear, &t) == cost_in_128(&dear, &t));
	/* An unset rate is another's, in either way of summing. */
	struct br_rates unset = r;
	unset.reasoning = BR_RATE_UNSET;
	struct br_rates same = r;
	same.reasoning = same.output;
	CU_ASSERT(br_price_cost(&unset, &t) == cost_in_128(&same, &t));
	unset.output = dear.cache_read;
	same.output = same.reasoning = dear.cache_read;
	CU_ASSERT(br_price_cost(&unset, &t) == cost_in_128(&same, &t));
}

/* Prices ev with a fresh pricer of catalog c under mode. */
static void price(struct br_event *ev, const struct br_catalog *c,
		  enum br_cost_mode mode)
{
	struct br_pricer *p = br_pricer_new(c, mode);
	br_pricer_price(p, ev);
	br_pricer_free(p);
}

/* A request of 1M input tokens to openai/gpt-4o on 2025-10-01. */
static struct br_event gpt4o_event(void)
{
	return (struct br_event){.ts_us = oct1,
				 .provider = {"openai", 6},
				 .model = {"gpt-4o", 6},
				 .tokens = {.input = 1000000}};
}

/* Tier names: the usual spellings (read without the loop), the others
 * in any case, "scale" only as a log's (br_tier_parse_logged), and none
 * else: -1. */
static void test_tier_parse(void)
{
	static const struct {
		const char *s;
		int tier, logged;
	} cases[] = {
		{"standard", BR_TIER_STANDARD, BR_TIER_STANDARD},
		{"batch", BR_TIER_BATCH, BR_TIER_BATCH},
		{"Standard", BR_TIER_STANDARD, BR_TIER_STANDARD},
		{"BATCH", BR_TIER_BATCH, BR_TIER_BATCH},
		{"default", BR_TIER_STANDARD, BR_TIER_STANDARD},
		{"Auto", BR_TIER_STANDARD, BR_TIER_STANDARD},
		{"on_demand", BR_TIER_STANDARD, BR_TIER_STANDARD},
		{"flex", BR_TIER_FLEX, BR_TIER_FLEX},
		{"PRIORITY", BR_TIER_PRIORITY, BR_TIER_PRIORITY},
		{"scale", -1, BR_TIER_STANDARD},
		{"Scale", -1, BR_TIER_STANDARD},
		{"", -1, -1},
		{"standar", -1, -1},
		{"standards", -1, -1},
		{"batchy", -1, -1},
		{"scales", -1, -1},
		{"bat h", -1, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].s;
		size_t n = strlen(s);
		CU_ASSERT_EQUAL(br_tier_parse(s, n), cases[i].tier);
		CU_ASSERT_EQUAL(br_tier_parse_logged(s, n), cases[i].logged);
	}
	/* A name's bytes only: "standard" and "batch" cut short. */
	CU_ASSERT_EQUAL(br_tier_parse("standardx", 8), BR_TIER_STANDARD);
	CU_ASSERT_EQUAL(br_tier_parse_logged("batchx", 5), BR_TIER_BATCH);
	CU_ASSERT_EQUAL(br_tier_parse_logged("scalex", 5), BR_TIER_STANDARD);
	CU_ASSERT_EQUAL(br_tier_parse("standard", 7), -1);
}

static void test_event_price(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_event ev = gpt4o_event();
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.priced && ev.cost == (br_pico)2500000 * 1000000);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_CATALOG);
	CU_ASSERT_EQUAL(ev.price_day, br_day_from_civil(2025, 10, 1));
	/* The catalog's only threshold is google/gemini's 200001. */
	CU_ASSERT(ev.band_lo == 200001 && ev.band_hi == UINT64_MAX);
	CU_ASSERT(ev.pricing.n > 0 && strstr(ev.pricing.p, "sha256:"));
	ev.has_logged_cost = true;
	ev.logged_cost = 7;
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.priced && ev.cost == 7 && ev.calc_cost == (br_pico)2500000 * 1000000);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_LOG);
	price(&ev, c, BR_COST_CALCULATE);
	CU_ASSERT(ev.cost == (br_pico)2500000 * 1000000);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_CATALOG);
	price(&ev, c, BR_COST_DISPLAY);
	CU_ASSERT(ev.priced && ev.cost == 7 && !ev.calc_priced);
	ev.has_logged_cost = false;
	price(&ev, c, BR_COST_DISPLAY);
	CU_ASSERT(!ev.priced && ev.cost == 0);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_NONE);
	/* A request without tokens costs nothing, in display mode too. */
	struct br_tokens kept = ev.tokens;
	ev.tokens = (struct br_tokens){0};
	price(&ev, c, BR_COST_DISPLAY);
	CU_ASSERT(ev.priced && ev.cost == 0);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_CATALOG);
	ev.tokens = kept;
	ev.model = (struct br_str){"mystery", 7};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(!ev.priced && !ev.calc_priced && ev.cost == 0);
	price(&ev, NULL, BR_COST_AUTO);
	CU_ASSERT(!ev.priced);
	CU_ASSERT(ev.band_lo == 0 && ev.band_hi == UINT64_MAX);
	/* A request past the threshold lands in the band above it. */
	ev.provider = (struct br_str){"Gemini", 6}; /* canonical: google */
	ev.model = (struct br_str){"gemini", 6};
	ev.tokens = (struct br_tokens){.input = 150000, .cache_read = 60000};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.band_lo == 200001 && ev.band_hi == UINT64_MAX);
	CU_ASSERT(ev.cost == (br_pico)150000 * 2500000 + (br_pico)60000 * 625000);
	/* An aggregate of many requests picks its band by the mean request,
	 * but is priced by its tokens, however few per request. */
	ev.requests = 1000;
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.band_lo == 0 && ev.band_hi == 200001);
	CU_ASSERT(ev.cost == (br_pico)150000 * 1250000 + (br_pico)60000 * 310000);
	ev.tokens = (struct br_tokens){.input = 3};
	ev.model = (struct br_str){"mystery", 7};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(!ev.priced); /* 3 tokens over 1000 requests are still tokens */
	ev.tokens = (struct br_tokens){0};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.priced && ev.cost == 0); /* no tokens: nothing to pay */
	br_catalog_free(c);
}

/* A failed request whose logged cost counts only for a success: the
 * catalog's price when there is one, else the logged cost, each under a
 * cost source of its own (report --reprice decides again); in display
 * mode, of the generic format, at a logged $0 or without tokens, the
 * sources of any request. */
static void test_failed_price(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_event ev = gpt4o_event();
	ev.error = ev.cost_if_ok = ev.has_logged_cost = true;
	ev.logged_cost = 7;
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.priced && ev.cost == (br_pico)2500000 * 1000000);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_CATALOG_FAILED);
	price(&ev, c, BR_COST_CALCULATE);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_CATALOG);
	price(&ev, c, BR_COST_DISPLAY);
	CU_ASSERT(ev.cost == 7 && ev.cost_source == BR_COST_FROM_LOG);
	ev.model = (struct br_str){"mystery", 7};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(ev.priced && ev.cost == 7 && ev.calc_cost == 0);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_LOG_FAILED);
	ev.cost_if_ok = false; /* generic: its cost_usd whatever the status */
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_LOG);
	ev.cost_if_ok = true;
	ev.error = false;
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_LOG);
	ev.error = true;
	ev.logged_cost = 0; /* no price: the catalog's, or none */
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT(!ev.priced && ev.cost_source == BR_COST_FROM_CATALOG);
	ev.logged_cost = 7;
	ev.tokens = (struct br_tokens){0};
	price(&ev, c, BR_COST_AUTO);
	CU_ASSERT_EQUAL(ev.cost_source, BR_COST_FROM_LOG);
	br_catalog_free(c);
}

static void test_band_reprice(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_match m;
	br_catalog_resolve(c, (struct br_str){"google", 6},
			   (struct br_str){"gemini", 6}, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m.model);
	enum br_unpriced why;
	/* A band inside one row's range prices; a band that a row starts
	 * inside of cannot be priced as one. */
	const struct br_price *p = br_model_price(m.model, 0, BR_TIER_STANDARD,
						  0, 200001, &why);
	CU_ASSERT(p && p->rates.input == 1250000);
	p = br_model_price(m.model, 0, BR_TIER_STANDARD, 128001, 256001, &why);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(why, BR_UNPRICED_SPLIT_BAND);
	p = br_model_price(m.model, 0, BR_TIER_STANDARD, 256001, UINT64_MAX, &why);
	CU_ASSERT(p && p->rates.input == 2500000);
	uint64_t lo, hi;
	br_catalog_band(c, 200000, &lo, &hi);
	CU_ASSERT(lo == 0 && hi == 200001);
	br_catalog_band(c, 200001, &lo, &hi);
	CU_ASSERT(lo == 200001 && hi == UINT64_MAX);
	br_catalog_band(NULL, 5, &lo, &hi);
	CU_ASSERT(lo == 0 && hi == UINT64_MAX);
	br_catalog_free(c);
}

/* One pricer prices each event as a fresh one does, whatever it priced
 * before: its caches (of the pairs, the band, the price per model and
 * tier) must not answer for another day, tier, band or provider. */
static void test_pricer_memo(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	int32_t d1014, d1015, d2024;
	br_day_parse("2025-10-14", &d1014);
	br_day_parse("2025-10-15", &d1015);
	br_day_parse("2024-06-01", &d2024);
	const struct {
		const char *provider, *model;
		int32_t day;
		enum br_tier tier;
		uint64_t input;
	} seq[] = {
		/* A date crossing claude's price change, back and forth, and
		 * a day before its first price. */
		{"anthropic", "claude", d1014, BR_TIER_STANDARD, 1000},
		{"anthropic", "claude", d1015, BR_TIER_STANDARD, 1000},
		{"anthropic", "claude", d1014, BR_TIER_STANDARD, 1000},
		{"anthropic", "claude", d2024, BR_TIER_STANDARD, 1000},
		{"anthropic", "claude", d1015, BR_TIER_STANDARD, 1000},
		/* A tier changing back and forth; one the model lacks. */
		{"openai", "gpt-4o", d1014, BR_TIER_STANDARD, 1000},
		{"openai", "gpt-4o", d1014, BR_TIER_BATCH, 1000},
		{"openai", "gpt-4o", d1014, BR_TIER_STANDARD, 1000},
		{"openai", "gpt-4o", d1014, BR_TIER_FLEX, 1000},
		{"openai", "gpt-4o", d1014, BR_TIER_BATCH, 1000},
		/* gemini's threshold crossed back and forth. */
		{"google", "gemini", d1014, BR_TIER_STANDARD, 200000},
		{"google", "gemini", d1014, BR_TIER_STANDARD, 200001},
		{"google", "gemini", d1014, BR_TIER_STANDARD, 1000},
		{"google", "gemini", d1015, BR_TIER_STANDARD, 300000},
		{"google", "gemini", d1015, BR_TIER_STANDARD, 200000},
		/* One model under two providers: one of the catalog's, one
		 * not; a model of any provider under two. */
		{"openai", "gemini", d1014, BR_TIER_STANDARD, 1000},
		{"google", "gemini", d1014, BR_TIER_STANDARD, 1000},
		{"openai", "gemini", d1014, BR_TIER_STANDARD, 1000},
		{"a", "private-model", d1014, BR_TIER_STANDARD, 1000},
		{"b", "private-model", d1014, BR_TIER_STANDARD, 1000},
		{"google", "gemini", d1014, BR_TIER_STANDARD, 1000},
		/* Names whose bytes run on across the pair's split. */
		{"openai", "gpt-4o", d1014, BR_TIER_STANDARD, 1000},
		{"opena", "igpt-4o", d1014, BR_TIER_STANDARD, 1000},
		{"openai", "gpt-4o", d1014, BR_TIER_STANDARD, 1000},
	};
	struct br_pricer *warm = br_pricer_new(c, BR_COST_AUTO);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
			struct br_event ev = {
				.ts_us = (int64_t)seq[i].day * BR_US_PER_DAY,
				.provider = {seq[i].provider, strlen(seq[i].provider)},
				.model = {seq[i].model, strlen(seq[i].model)},
				.tier = seq[i].tier,
				.tokens = {.input = seq[i].input, .output = 10}};
			struct br_event fresh = ev;
			br_pricer_price(warm, &ev);
			price(&fresh, c, BR_COST_AUTO);
			CU_ASSERT(ev.priced == fresh.priced);
			CU_ASSERT(ev.cost == fresh.cost);
			CU_ASSERT(ev.band_lo == fresh.band_lo &&
				  ev.band_hi == fresh.band_hi);
			if (ev.cost != fresh.cost)
				fprintf(stderr, "event %zu priced as another\n", i);
		}
	/* The answers above are not all one. */
	struct br_event a = {.ts_us = (int64_t)d1014 * BR_US_PER_DAY,
			     .provider = {"anthropic", 9}, .model = {"claude", 6},
			     .tokens = {.input = 1000000}};
	struct br_event b = a;
	b.ts_us = (int64_t)d1015 * BR_US_PER_DAY;
	br_pricer_price(warm, &a);
	br_pricer_price(warm, &b);
	CU_ASSERT(a.cost == (br_pico)3000000 * 1000000);
	CU_ASSERT(b.cost == (br_pico)2000000 * 1000000);
	br_pricer_free(warm);
	br_catalog_free(c);
}

/* A pricer's cache of recent pairs tells names apart by words of their
 * bytes, and by the bytes themselves past the lengths the words cover (8
 * for a provider, 16 for a model): names of every length up to past
 * those, each with one byte changed in each place, all in the catalog at
 * prices of their own, priced by one pricer in turn against a fresh one. */
static void test_pricer_pairs(void)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	enum { LONGEST = 24 };
	size_t cap = 1 << 16, len = 0;
	char *csv = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	len += (size_t)snprintf(csv + len, cap - len,
				"provider,model,from,input,output,cache_read,"
				"cache_write,cache_write_1h,reasoning,"
				"min_input_tokens,tier\n");
	/* Pair k: a provider and a model, one of them of n bytes with
	 * byte i changed (i == n: none). */
	struct {
		char provider[LONGEST + 1], model[LONGEST + 1];
	} pairs[2 * (LONGEST + 1) * (LONGEST + 2) / 2];
	size_t npairs = 0;
	for (int side = 0; side < 2; side++)
		for (size_t n = 1; n <= LONGEST; n++)
			for (size_t i = 0; i <= n; i++) {
				char name[LONGEST + 1];
				memcpy(name, letters, n);
				name[n] = 0;
				if (i < n)
					name[i] = '9';
				strcpy(pairs[npairs].provider, side ? "p" : name);
				strcpy(pairs[npairs].model, side ? name : "m");
				len += (size_t)snprintf(
					csv + len, cap - len, "%s,%s,,%zu,1,,,,,,\n",
					pairs[npairs].provider, pairs[npairs].model,
					npairs + 1);
				CU_ASSERT_FATAL(len < cap);
				npairs++;
			}
	struct br_err err = {0};
	struct br_catalog *c = load(csv, &err);
	free(csv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_pricer *warm = br_pricer_new(c, BR_COST_CALCULATE);
	size_t wrong = 0;
	for (int pass = 0; pass < 3; pass++)
		for (size_t k = 0; k < npairs; k++) {
			/* The pairs of one length in turn, and each after
			 * the one of the same length without a change. */
			size_t at = pass == 1 ? npairs - 1 - k : k;
			struct br_event ev = {
				.ts_us = oct1,
				.provider = {pairs[at].provider,
					     strlen(pairs[at].provider)},
				.model = {pairs[at].model, strlen(pairs[at].model)},
				.tokens = {.input = 1000000}};
			struct br_event fresh = ev;
			br_pricer_price(warm, &ev);
			price(&fresh, c, BR_COST_CALCULATE);
			wrong += !ev.priced || ev.cost != fresh.cost ||
				 ev.cost != (br_pico)(at + 1) * 1000000 * 1000000;
		}
	CU_ASSERT_EQUAL(wrong, 0);
	br_pricer_free(warm);
	br_catalog_free(c);
}

/* Every price of the built-in catalog, for its model, tier, first day and
 * input band, by one pricer in turn (its memo of rates in force, each
 * unset rate another's, worked out once) against br_model_price and
 * br_price_cost, in both orders. */
static void test_pricer_builtin(void)
{
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_builtin(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_pricer *p = br_pricer_new(c, BR_COST_CALCULATE);
	int32_t d2025;
	br_day_parse("2025-06-01", &d2025);
	size_t n = br_catalog_models(c), checked = 0, priced = 0, wrong = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < n; k++) {
			const struct br_model *m =
				br_catalog_model(c, pass ? n - 1 - k : k);
			struct br_str provider = {m->provider, strlen(m->provider)};
			struct br_str name = {m->name, strlen(m->name)};
			struct br_match match;
			br_catalog_resolve(c, provider, name, &match);
			for (size_t j = 0; match.model && j < m->nprices; j++) {
				const struct br_price *row = &m->prices[j];
				int32_t day = row->from_day == BR_DAY_NONE
						      ? d2025 : row->from_day;
				struct br_event ev = {
					.ts_us = (int64_t)day * BR_US_PER_DAY,
					.provider = provider, .model = name,
					.tier = row->tier,
					.tokens = {.input = row->min_input_tokens + 1,
						   .cache_read = 3000, .cache_write = 200,
						   .cache_write_1h = 50, .output = 900,
						   .reasoning = 400}};
				uint64_t total = row->min_input_tokens + 3251;
				enum br_unpriced why;
				const struct br_price *want = br_model_price(
					match.model, day, row->tier, total,
					total + 1, &why);
				br_pricer_price(p, &ev);
				checked++;
				priced += want != NULL;
				wrong += ev.calc_priced != (want != NULL) ||
					 (want && ev.calc_cost != br_price_cost(
							  &want->rates, &ev.tokens));
			}
		}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(checked > 4000 && priced > checked / 2);
	br_pricer_free(p);
	br_catalog_free(c);
}

/* A pricer's total input, summed in 64 bits or saturated past them, and
 * a tier no price has. */
static void test_pricer_totals(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const struct {
		uint64_t input, cache_read, cache_write, cache_write_1h, total;
	} cases[] = {
		{1000, 2000, 3000, 4000, 10000},
		{UINT64_C(1) << 62, 1, 0, 0, (UINT64_C(1) << 62) + 1},
		{(UINT64_C(1) << 62) - 1, (UINT64_C(1) << 62) - 1,
		 (UINT64_C(1) << 62) - 1, (UINT64_C(1) << 62) - 1,
		 (UINT64_C(1) << 62) * 4 - 4},
		{UINT64_MAX / 2, UINT64_MAX / 2, 1, 0, UINT64_MAX}, /* exactly */
		{UINT64_MAX / 2, UINT64_MAX / 2, 2, 0, UINT64_MAX},
		{0, 0, UINT64_MAX, 1, UINT64_MAX},
		{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX},
	};
	struct br_pricer *p = br_pricer_new(c, BR_COST_AUTO);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct br_event ev = {
			.ts_us = oct1, .provider = {"google", 6},
			.model = {"gemini", 6},
			.tokens = {.input = cases[i].input,
				   .cache_read = cases[i].cache_read,
				   .cache_write = cases[i].cache_write,
				   .cache_write_1h = cases[i].cache_write_1h}};
		br_pricer_price(p, &ev);
		uint64_t lo, hi;
		br_catalog_band(c, cases[i].total, &lo, &hi);
		CU_ASSERT(ev.band_lo == lo && ev.band_hi == hi);
		CU_ASSERT(ev.priced);
	}
	CU_ASSERT(cases[0].total < 200001 && cases[1].total >= 200001);
	/* A tier out of range: no price has it. */
	struct br_event ev = gpt4o_event();
	ev.tier = BR_TIER_COUNT;
	br_pricer_price(p, &ev);
	CU_ASSERT(!ev.priced && !ev.calc_priced && ev.pair != 0);
	br_pricer_free(p);
	br_catalog_free(c);
}

/* A fresh pricer's cache of pairs, its slots empty, asked first for the
 * empty names (lengths and words all 0, as a zeroed slot's): not found
 * there (they were, a slot of a pair never resolved), then resolved. */
static void test_pricer_empty_names(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_pricer *p = br_pricer_new(c, BR_COST_CALCULATE);
	struct br_str none = {"", 0};
	CU_ASSERT_PTR_NULL(br_pricer_model(p, none, none));
	struct br_event ev = {.ts_us = oct1, .tokens = {.input = 10}};
	br_pricer_price(p, &ev);
	CU_ASSERT(!ev.calc_priced && ev.pair != 0);
	struct br_str openai = {"openai", 6}, gpt4o = {"gpt-4o", 6};
	CU_ASSERT_PTR_NOT_NULL(br_pricer_model(p, openai, gpt4o));
	CU_ASSERT_PTR_NULL(br_pricer_model(p, none, none));
	br_pricer_free(p);
	br_catalog_free(c);
}

/* The days a price version holds for, br_model_price_days. */
static void test_price_days(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(prices_csv, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct br_match m;
	br_catalog_resolve(c, (struct br_str){"anthropic", 9},
			   (struct br_str){"claude", 6}, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m.model);
	int32_t d0101, d1015, from, until;
	br_day_parse("2025-01-01", &d0101);
	br_day_parse("2025-10-15", &d1015);
	enum br_unpriced why;
	const struct br_price *p = br_model_price_days(
		m.model, d1015 - 1, BR_TIER_STANDARD, 0, 1, &why, &from, &until);
	CU_ASSERT(p && from == d0101 && until == d1015);
	p = br_model_price_days(m.model, d1015 + 400, BR_TIER_STANDARD, 0, 1,
				&why, &from, &until);
	CU_ASSERT(p && from == d1015 && until == INT32_MAX);
	p = br_model_price_days(m.model, d0101 - 1, BR_TIER_STANDARD, 0, 1,
				&why, &from, &until);
	CU_ASSERT(!p && why == BR_UNPRICED_NO_PRICE_ON_DAY);
	CU_ASSERT(from == BR_DAY_NONE && until == d0101);
	p = br_model_price_days(m.model, d1015, BR_TIER_BATCH, 0, 1, &why,
				&from, &until);
	CU_ASSERT(!p && why == BR_UNPRICED_NO_TIER);
	CU_ASSERT(from == BR_DAY_NONE && until == INT32_MAX);
	br_catalog_free(c);
}

static void test_sha256(void)
{
	/* FIPS 180-4 examples, and a message that needs a second padding
	 * block (56 bytes). */
	char hex[65];
	br_sha256_hex("", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	br_sha256_hex("abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	br_sha256_hex(m, strlen(m), hex);
	CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char thousand[1000];
	memset(thousand, 'a', sizeof thousand);
	br_sha256_hex(thousand, sizeof thousand, hex);
	CU_ASSERT_STRING_EQUAL(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void test_provider_canonical(void)
{
	char buf[64];
	static const char *const pairs[][2] = {
		{"gemini", "google"}, {"Gemini", "google"},
		{"bedrock_converse", "bedrock"}, {"AWS", "bedrock"},
		{"vertex_ai-anthropic_models", "vertex_ai"},
		{"together_ai", "together"}, {"OpenAI", "openai"},
		{"acme", "acme"}, {"", ""},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		CU_ASSERT_STRING_EQUAL(br_provider_canonical(
			(struct br_str){pairs[i][0], strlen(pairs[i][0])}, buf,
			sizeof buf), pairs[i][1]);
	/* Truncated to the buffer. */
	CU_ASSERT_STRING_EQUAL(br_provider_canonical((struct br_str){"abcdef", 6},
						     buf, 4), "abc");
	/* br_provider_canonical_buf: the whole name, however long, and a
	 * merged spelling longer than the name. */
	struct br_buf b = {0};
	char long_name[301];
	memset(long_name, 'Q', 300);
	long_name[300] = 0;
	br_provider_canonical_buf((struct br_str){long_name, 300}, &b);
	CU_ASSERT_EQUAL(b.len, 300);
	CU_ASSERT(b.len == 300 && b.p[0] == 'q' && b.p[299] == 'q');
	CU_ASSERT_STRING_EQUAL(br_provider_canonical_buf((struct br_str){"palm", 4},
							 &b), "google");
	CU_ASSERT_EQUAL(b.len, 6);
	CU_ASSERT_STRING_EQUAL(br_provider_canonical_buf((struct br_str){"", 0},
							 &b), "");
	br_buf_free(&b);
}

static const struct br_model *resolve(const struct br_catalog *c,
				      const char *provider, const char *model,
				      const char **rule)
{
	struct br_match m;
	br_catalog_resolve(c, (struct br_str){provider, strlen(provider)},
			   (struct br_str){model, strlen(model)}, &m);
	*rule = m.rule;
	return m.model;
}

static void count_problem(void *ctx, const struct br_model *m, const char *problem)
{
	(void)m;
	(void)problem;
	++*(int *)ctx;
}

static void test_builtin_catalog(void)
{
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_builtin(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(br_catalog_models(c) > 2000);
	CU_ASSERT(br_catalog_aliases(c) > 2000);
	CU_ASSERT_PTR_NOT_NULL(strstr(br_catalog_identity(c), "built-in 2026-07-24 sha256:"));
	const char *rule;
	/* Exact, alias with the provider, alias for any provider. */
	const struct br_model *m = resolve(c, "openai", "gpt-4o", &rule);
	CU_ASSERT(m && strcmp(m->name, "gpt-4o") == 0 && strcmp(rule, "exact") == 0);
	m = resolve(c, "anthropic", "claude-sonnet-4-5-20250929", &rule);
	CU_ASSERT(m && strcmp(m->name, "claude-sonnet-4-5") == 0 &&
		  strcmp(rule, "date-suffix") == 0);
	m = resolve(c, "whatever", "openai/gpt-4o", &rule);
	CU_ASSERT(m && strcmp(m->provider, "openai") == 0 &&
		  strcmp(rule, "prefix") == 0);
	m = resolve(c, "gemini", "gemini-2.5-pro", &rule);
	CU_ASSERT(m && strcmp(m->provider, "google") == 0);
	/* Embedding models; genai-prices' voyageai is LiteLLM's voyage. */
	m = resolve(c, "openai", "text-embedding-3-small", &rule);
	CU_ASSERT(m && strcmp(m->name, "text-embedding-3-small") == 0);
	m = resolve(c, "voyageai", "voyage-3-large", &rule);
	CU_ASSERT(m && strcmp(m->provider, "voyage") == 0);
	/* Not guessed: an alias of another provider, an unknown name. */
	CU_ASSERT_PTR_NULL(resolve(c, "acme", "claude-sonnet-4-5-20250929", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "openai", "gpt-4o-turbo-ultra", &rule));
	/* genai-prices' regex rules: for their provider, whole names as
	 * they anchor them, case included; a NUL ends no name early. */
	struct br_match mt;
	br_catalog_resolve(c, (struct br_str){"x-ai", 4},
			   (struct br_str){"grok-4.3-20260501", 17}, &mt);
	CU_ASSERT(mt.model && strcmp(mt.model->name, "grok-4.3") == 0 &&
		  strcmp(mt.rule, "regex") == 0 &&
		  strcmp(mt.pattern, "^grok-4\\.3-[0-9]{8}$") == 0);
	m = resolve(c, "openai", "gpt-5-6-terra-2026-07-15", &rule);
	CU_ASSERT(m && strcmp(m->name, "gpt-5.6-terra") == 0);
	m = resolve(c, "google", "gemini-3.5-flash-001-exp", &rule);
	CU_ASSERT(m && strcmp(m->name, "gemini-3.5-flash") == 0);
	CU_ASSERT_PTR_NULL(resolve(c, "xai", "grok-4.3-2026050", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "xai", "grok-4.3-202605011", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "xai", "Grok-4.3-20260501", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "openrouter", "grok-4.3-20260501", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "", "grok-4.3-20260501", &rule));
	br_catalog_resolve(c, (struct br_str){"xai", 3},
			   (struct br_str){"grok-4.3-20260501\0x", 19}, &mt);
	CU_ASSERT_PTR_NULL(mt.model);
	char longname[400];
	memset(longname, '7', sizeof longname);
	memcpy(longname, "gemini-3.5-flash-", 17);
	br_catalog_resolve(c, (struct br_str){"google", 6},
			   (struct br_str){longname, sizeof longname}, &mt);
	CU_ASSERT(mt.model && strcmp(mt.model->name, "gemini-3.5-flash") == 0);
	/* genai-prices' 13 rules, and each behind its provider's routes
	 * (openai/gpt-5.6-luna-2026-07-15, Google's models/), for that
	 * provider only. */
	CU_ASSERT_EQUAL(br_catalog_patterns(c), 27);
	m = resolve(c, "google", "models/gemini-3.5-flash-001", &rule);
	CU_ASSERT(m && strcmp(m->name, "gemini-3.5-flash") == 0);
	m = resolve(c, "openai", "openai/gpt-5.6-luna-2026-07-15", &rule);
	CU_ASSERT(m && strcmp(m->name, "gpt-5.6-luna") == 0);
	CU_ASSERT_PTR_NULL(resolve(c, "groq", "openai/gpt-5.6-luna-2026-07-15", &rule));
	/* Bedrock ARNs of a foundation model or a system inference profile
	 * name the model after the last '/'; an application profile's none. */
	static const char arn[] = "arn:aws:bedrock:us-east-1::foundation-model/"
				  "anthropic.claude-sonnet-4-5-20250929-v1:0";
	br_catalog_resolve(c, (struct br_str){"bedrock", 7},
			   (struct br_str){arn, sizeof arn - 1}, &mt);
	CU_ASSERT(mt.model && mt.arn && strcmp(mt.model->provider, "bedrock") == 0 &&
		  strcmp(mt.model->name, "anthropic.claude-sonnet-4-5-20250929-v1:0") == 0);
	m = resolve(c, "aws", "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:"
		    "inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		    &rule);
	CU_ASSERT(m && strcmp(m->name, "us.anthropic.claude-sonnet-4-5-20250929-v1:0") == 0);
	CU_ASSERT_PTR_NULL(resolve(c, "bedrock", "arn:aws:bedrock:us-east-1:"
				   "123456789012:application-inference-profile/x1",
				   &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "bedrock", "arn:aws:sagemaker:us-east-1::"
				   "foundation-model/anthropic.claude-sonnet-4-5-"
				   "20250929-v1:0", &rule));
	CU_ASSERT_PTR_NULL(resolve(c, "anthropic", arn, &rule));
	CU_ASSERT_PTR_NOT_NULL(resolve(c, "", arn, &rule));
	/* History: o3's cut on 2025-06-10. */
	enum br_unpriced why;
	const struct br_price *p = br_catalog_find(c, "openai", "o3",
						   br_day_from_civil(2025, 6, 9),
						   BR_TIER_STANDARD, 10, &why);
	CU_ASSERT(p && p->rates.input == 10000000);
	p = br_catalog_find(c, "openai", "o3", br_day_from_civil(2025, 6, 10),
			    BR_TIER_STANDARD, 10, &why);
	CU_ASSERT(p && p->rates.input == 2000000);
	/* The built-in data passes its own checks. */
	int problems = 0;
	CU_ASSERT_EQUAL(br_catalog_check(c, count_problem, &problems), 0);

	/* A prices file wins over the built-in model, also through aliases,
	 * and an any-provider row wins over a built-in exact one. */
	const char *path = temp_file("provider,model,from,input,output,cache_read,cache_write\n"
				     "anthropic,claude-sonnet-4-5,,1,2,,\n"
				     ",gpt-4o-mini,,7,7,,\n");
	CU_ASSERT_EQUAL(br_catalog_load_csv(c, path, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(br_catalog_identity(c), "; prices /tmp/"));
	unlink(path);
	m = resolve(c, "anthropic", "claude-sonnet-4-5-20250929", &rule);
	CU_ASSERT(m && m->nprices == 1 && m->prices[0].rates.input == 1000000 &&
		  strncmp(m->origin, "/tmp/", 5) == 0);
	m = resolve(c, "openai", "gpt-4o-mini", &rule);
	CU_ASSERT(m && *m->provider == 0 && strcmp(rule, "any provider") == 0);
	br_catalog_free(c);
}

/* The built-in catalog's tables (tools/catalog_gen.c) hold what its CSV
 * does: every model with its prices, every alias and pattern with its
 * target, the identity, the long-context bands and the lookups. */
static void test_builtin_tables(void)
{
	struct br_err err = {0};
	struct br_catalog *t = br_catalog_builtin(&err);
	struct br_catalog *c = br_catalog_builtin_csv(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(br_catalog_identity(t), br_catalog_identity(c));
	CU_ASSERT_EQUAL_FATAL(br_catalog_models(t), br_catalog_models(c));
	for (size_t i = 0; i < br_catalog_models(c); i++) {
		const struct br_model *a = br_catalog_model(t, i);
		const struct br_model *b = br_catalog_model(c, i);
		CU_ASSERT_STRING_EQUAL(a->provider, b->provider);
		CU_ASSERT_STRING_EQUAL(a->name, b->name);
		CU_ASSERT_STRING_EQUAL(a->origin, b->origin);
		CU_ASSERT_EQUAL_FATAL(a->nprices, b->nprices);
		for (size_t j = 0; j < a->nprices; j++) {
			const struct br_price *x = &a->prices[j], *y = &b->prices[j];
			CU_ASSERT(x->from_day == y->from_day &&
				  x->min_input_tokens == y->min_input_tokens &&
				  x->tier == y->tier &&
				  memcmp(&x->rates, &y->rates, sizeof x->rates) == 0);
			uint64_t lo[2], hi[2];
			br_catalog_band(t, x->min_input_tokens, &lo[0], &hi[0]);
			br_catalog_band(c, x->min_input_tokens, &lo[1], &hi[1]);
			CU_ASSERT(lo[0] == lo[1] && hi[0] == hi[1]);
		}
		struct br_match ma, mb;
		br_catalog_resolve(t, (struct br_str){a->provider, strlen(a->provider)},
				   (struct br_str){a->name, strlen(a->name)}, &ma);
		br_catalog_resolve(c, (struct br_str){b->provider, strlen(b->provider)},
				   (struct br_str){b->name, strlen(b->name)}, &mb);
		CU_ASSERT(ma.model == a && mb.model == b && ma.index == i &&
			  mb.index == i && strcmp(ma.rule, mb.rule) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(br_catalog_aliases(t), br_catalog_aliases(c));
	for (size_t i = 0; i < br_catalog_aliases(c); i++) {
		const char *p[2], *n[2], *r[2];
		const struct br_model *a = br_catalog_alias(t, i, &p[0], &n[0], &r[0]);
		const struct br_model *b = br_catalog_alias(c, i, &p[1], &n[1], &r[1]);
		CU_ASSERT(strcmp(p[0], p[1]) == 0 && strcmp(n[0], n[1]) == 0 &&
			  strcmp(r[0], r[1]) == 0);
		CU_ASSERT(strcmp(a->provider, b->provider) == 0 &&
			  strcmp(a->name, b->name) == 0);
		struct br_match ma, mb;
		br_catalog_resolve(t, (struct br_str){p[0], strlen(p[0])},
				   (struct br_str){n[0], strlen(n[0])}, &ma);
		br_catalog_resolve(c, (struct br_str){p[1], strlen(p[1])},
				   (struct br_str){n[1], strlen(n[1])}, &mb);
		CU_ASSERT(ma.model && mb.model && ma.index == mb.index &&
			  strcmp(ma.rule, mb.rule) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(br_catalog_patterns(t), br_catalog_patterns(c));
	for (size_t i = 0; i < br_catalog_patterns(c); i++) {
		const char *p[2], *s[2];
		const struct br_model *a = br_catalog_pattern(t, i, &p[0], &s[0]);
		const struct br_model *b = br_catalog_pattern(c, i, &p[1], &s[1]);
		CU_ASSERT(strcmp(p[0], p[1]) == 0 && strcmp(s[0], s[1]) == 0 &&
			  strcmp(a->provider, b->provider) == 0 &&
			  strcmp(a->name, b->name) == 0);
	}
	br_catalog_free(t);
	br_catalog_free(c);
}

/* Tables that would make a wrong catalog are refused, naming the row. */
static void test_catalog_tables_errors(void)
{
	static char pool[] = "a\0m\0a\0m\0x\0n\0exact\0[\0";
	static struct br_price prices[1] = {{.from_day = BR_DAY_NONE}};
	static const struct br_table_model models[] = {{0, 1}, {0, 1}};
	/* a/m, a/m again, x/n, x/n again, a/m */
	static const struct br_table_key keys[] = {
		{0, 1, 3}, {4, 1, 3}, {8, 1, 3}, {8, 1, 3}, {0, 1, 3}};
	static const uint32_t order[] = {0, 1, 5};
	static const struct br_table_alias aliases[] = {{12, 0}, {12, 5}};
	static const struct br_table_pattern patterns[] = {{8, 18, 0}, {8, 18, 1}};
	static const struct {
		struct br_catalog_tables t;
		const char *msg;
	} cases[] = {
		{{pool, prices, models, keys, order, 2},
		 "built-in catalog: model a/m listed twice"},
		{{pool, prices, models, keys + 3, order, 2},
		 "built-in catalog: model a/m out of order"},
		{{pool, prices, models, keys, order + 2, 1},
		 "built-in catalog: model index 5 of 1"},
		{{pool, prices, models, keys, order, 1, aliases, keys + 2, order, 2},
		 "built-in catalog: alias x/n listed twice"},
		{{pool, prices, models, keys, order, 1, aliases + 1, keys + 2, order, 1},
		 "built-in catalog: alias x/n names no model"},
		{{pool, prices, models, keys, order, 1, .patterns = patterns + 1,
		  .npatterns = 1},
		 "built-in catalog: pattern '[': names no model"},
		{{pool, prices, models, keys, order, 1, .patterns = patterns,
		  .npatterns = 1},
		 "built-in catalog: pattern '[': "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct br_err err = {0};
		CU_ASSERT_PTR_NULL(br_catalog_from_tables(&cases[i].t, &err));
		CU_ASSERT_NSTRING_EQUAL(err.msg, cases[i].msg, strlen(cases[i].msg));
	}
	/* The same tables, but for the bad rows, make a catalog, to which a
	 * prices file adds a model after the tables' and replaces one. */
	struct br_catalog_tables good = {pool, prices, models, keys, order, 1,
					 aliases, keys + 2, order, 1, NULL, 0,
					 "id"};
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_from_tables(&good, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const char *rule;
	const struct br_model *m = resolve(c, "x", "n", &rule);
	CU_ASSERT(m && strcmp(m->name, "m") == 0 && strcmp(rule, "exact") == 0 &&
		  m->prices == prices && strcmp(m->origin, "built-in") == 0);
	CU_ASSERT_STRING_EQUAL(br_catalog_identity(c), "id");
	const char *path = temp_file("provider,model,from,input,output,cache_read,cache_write\n"
				     "b,m,,1,2,,\n"
				     "a,m,,3,4,,\n");
	CU_ASSERT_EQUAL_FATAL(br_catalog_load_csv(c, path, &err), 0);
	unlink(path);
	CU_ASSERT_EQUAL(br_catalog_models(c), 2);
	m = resolve(c, "b", "m", &rule);
	CU_ASSERT(m && m == br_catalog_model(c, 1) && m->prices[0].rates.input == 1000000);
	m = resolve(c, "x", "n", &rule);
	CU_ASSERT(m && m == br_catalog_model(c, 0) && m->prices[0].rates.input == 3000000);
	CU_ASSERT(prices[0].rates.input == 0);
	br_catalog_free(c);
}

static void test_catalog_check(void)
{
	struct br_err err = {0};
	struct br_catalog *c = load(
		"provider,model,from,input,output,cache_read,cache_write,min_input_tokens\n"
		"a,ok,,1,2,0.5,,\n"
		"a,absurd,,1,20000,,,\n"
		"a,dear-cache,,1,2,3,,\n"
		"a,no-base,,1,2,,,1000\n"
		"a,cheap-long,,2,2,,,\n"
		"a,cheap-long,,1,2,,,1000\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	int n = 0;
	CU_ASSERT_EQUAL(br_catalog_check(c, count_problem, &n), 4);
	CU_ASSERT_EQUAL(n, 4);
	br_catalog_free(c);
}

static void test_utf8_and_estimates(void)
{
	const struct {
		const char *s;
		size_t len;
	} cases[] = {
		{"a", 1}, {"\xc3\xa9", 2}, {"\xe2\x82\xac", 3},
		{"\xf0\x9f\x98\x80", 4},
		{"\xc0\xaf", 0},         /* overlong '/' */
		{"\xe0\x80\xaf", 0},     /* overlong */
		{"\xed\xa0\x80", 0},     /* a surrogate */
		{"\xf4\x90\x80\x80", 0}, /* above U+10FFFF */
		{"\xc3", 0},             /* cut short */
		{"\xc3(", 0}, {"\x80", 0}, {"\xff", 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CU_ASSERT_EQUAL(br_utf8_len((const unsigned char *)cases[i].s,
					    strlen(cases[i].s)), cases[i].len);
	char buf[BR_MONEY_BUFSZ];
	CU_ASSERT_STRING_EQUAL(br_money_format(br_money_estimate(341.0000004), buf), "341.000000");
	CU_ASSERT_STRING_EQUAL(br_money_format(br_money_estimate(0.0000005), buf), "0.000001");
	CU_ASSERT_STRING_EQUAL(br_money_format(br_money_estimate(-2.25), buf), "-2.250000");
	/* Past 2^63 micro-dollars (llround's end), clamped far inside
	 * br_pico, NaN as 0. */
	CU_ASSERT_STRING_EQUAL(br_money_format(br_money_estimate(1e13), buf),
			       "10000000000000.000000");
	CU_ASSERT(br_money_estimate(1e300) == br_money_estimate(1e200));
	CU_ASSERT(br_money_estimate(-1e300) == -br_money_estimate(1e300));
	CU_ASSERT(br_money_estimate(0.0 / 0.0) == 0);
	/* Rounding to a unit, half away from zero, saturated. */
	const br_pico cent = 10000000000;
	CU_ASSERT(br_pico_round(cent / 2, cent) == cent);
	CU_ASSERT(br_pico_round(cent / 2 - 1, cent) == 0);
	CU_ASSERT(br_pico_round(-cent / 2, cent) == -cent);
	CU_ASSERT(br_pico_round(BR_PICO_MAX, cent) == BR_PICO_MAX);
	CU_ASSERT(br_pico_round(-BR_PICO_MAX, cent) == -BR_PICO_MAX);
	/* A cut between two UTF-8 characters. */
	const char *e = "ab\xc3\xa9\xe2\x82\xac"; /* "abé€" */
	CU_ASSERT_EQUAL(br_utf8_cut(e, 7, 9), 7);
	CU_ASSERT_EQUAL(br_utf8_cut(e, 7, 4), 4);
	CU_ASSERT_EQUAL(br_utf8_cut(e, 7, 3), 2);
	CU_ASSERT_EQUAL(br_utf8_cut(e, 7, 6), 4);
	CU_ASSERT_EQUAL(br_utf8_cut(e, 7, 5), 4);
	/* Bytes that are not UTF-8 (overlong, a surrogate, a cut sequence)
	 * become U+FFFD; valid text is kept as it is. */
	struct br_buf b = {0};
	CU_ASSERT(!br_utf8_repair(&b, e));
	CU_ASSERT_STRING_EQUAL(b.p, e);
	CU_ASSERT(br_utf8_repair(&b, "a\xff\xc0\xaf\xed\xa0\x80\xc3"));
	CU_ASSERT_STRING_EQUAL(b.p, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CU_ASSERT(!br_utf8_repair(&b, ""));
	CU_ASSERT_STRING_EQUAL(b.p, "");
	br_buf_free(&b);
	/* Terminal columns: CJK two each, a combining accent none, a
	 * control character (shown as '?') and a byte not UTF-8 one. */
	CU_ASSERT_EQUAL(br_utf8_width(""), 0);
	CU_ASSERT_EQUAL(br_utf8_width("bot"), 3);
	CU_ASSERT_EQUAL(br_utf8_width("\xc3\xa9lan"), 4);
	CU_ASSERT_EQUAL(br_utf8_width("\xe6\x95\xb0\xe6\x8d\xae"), 4);
	CU_ASSERT_EQUAL(br_utf8_width("e\xcc\x81" "clair"), 6);
	CU_ASSERT_EQUAL(br_utf8_width("a\tb\xc2\x85"), 4);
	CU_ASSERT_EQUAL(br_utf8_width("a\xff\xc3"), 3);
}

/* ---------------------------------------------------------------- output */

/* The whole of the file at path, "" when missing (static buffer). */
static const char *slurp(const char *path)
{
	static char buf[4096];
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return buf;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Writes text to path through br_output_open with flags. */
static int output_text(const char *path, int flags, const char *text,
		       struct br_err *err)
{
	struct br_output o;
	if (br_output_open(&o, path, 0644, flags, err) != 0)
		return -1;
	if (br_write_all(o.fd, text, strlen(text)) != 0) {
		br_output_abort(&o);
		return -1;
	}
	return br_output_commit(&o, err);
}

/* How many names in dir start with prefix. */
static int count_names(const char *dir, const char *prefix)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s' >/dev/null",
		 dir, prefix);
	return system(cmd) == 0;
}

/* A name of one of the process's own descriptors is written through it,
 * at its offset and with O_APPEND kept, as a shell redirection does:
 * opened anew or renamed over, the file lost what it held. */
static void test_output_descriptor(void)
{
	char dir[64], path[128], name[160];
	test_mkdtemp(dir, "output");
	snprintf(path, sizeof path, "%s/app.log", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("previous\n", f);
	fclose(f);
	int fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	struct br_err err = {0};
	for (int i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(name, sizeof name, "/dev/fd/%d", fd);
		else if (i == 1)
			snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
		else
			snprintf(name, sizeof name, "/proc/%ld/fd/%d",
				 (long)getpid(), fd);
		CU_ASSERT_EQUAL(output_text(name, 0, "row\n", &err), 0);
	}
	/* Through a link to such a name too. */
	char link[160];
	snprintf(link, sizeof link, "%s/out.csv", dir);
	snprintf(name, sizeof name, "/dev/fd/%d", fd);
	CU_ASSERT_EQUAL(symlink(name, link), 0);
	CU_ASSERT_EQUAL(output_text(link, BR_OUTPUT_HIDDEN_TMP, "last\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	CU_ASSERT_STRING_EQUAL(slurp(path), "previous\nrow\nrow\nrow\nlast\n");
	close(fd);
	/* Without O_APPEND, at the descriptor's offset, nothing truncated. */
	fd = open(path, O_WRONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(lseek(fd, 9, SEEK_SET), 9);
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	CU_ASSERT_EQUAL(output_text(name, 0, "ROW\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(slurp(path), "previous\nROW\nrow\nrow\nlast\n");
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), 13);
	close(fd);
	/* A descriptor not open is an error naming the path. */
	CU_ASSERT_EQUAL(output_text(name, 0, "x", &err), -1);
	char want[200];
	snprintf(want, sizeof want, "cannot open '%s': ", name);
	CU_ASSERT_EQUAL(strncmp(err.msg, want, strlen(want)), 0);
	CU_ASSERT(!count_names(dir, "\\.tmp-"));
	CU_ASSERT(!count_names(dir, "app.log.tmp-"));
	test_rmtree(dir);
}

/* With BR_OUTPUT_FILE, a pipe gets a private regular file (mkstemp in
 * $TMPDIR) that a writer can seek in, copied into the pipe at the end and
 * removed: libxlsxwriter failed on the pipe with "Illegal seek". */
static void test_output_pipe_file(void)
{
	char dir[64], name[64];
	test_mkdtemp(dir, "output");
	const char *old = getenv("TMPDIR");
	char *saved = old ? br_strdup(old) : NULL;
	setenv("TMPDIR", dir, 1);
	int p[2];
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	snprintf(name, sizeof name, "/dev/fd/%d", p[1]);
	struct br_err err = {0};
	struct br_output o;
	CU_ASSERT_EQUAL_FATAL(br_output_open(&o, name, 0644, BR_OUTPUT_FILE,
					     &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tmp);
	CU_ASSERT_EQUAL(strncmp(o.tmp, dir, strlen(dir)), 0);
	struct stat st;
	CU_ASSERT(stat(o.tmp, &st) == 0 && S_ISREG(st.st_mode));
	/* A writer that seeks back, by path, as libxlsxwriter does. */
	FILE *f = fopen(o.tmp, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("xxxxworkbook", f);
	CU_ASSERT_EQUAL(fseek(f, 0, SEEK_SET), 0);
	fputs("PK\3\4", f);
	fclose(f);
	char *tmp = br_strdup(o.tmp);
	CU_ASSERT_EQUAL(br_output_commit(&o, &err), 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	CU_ASSERT(access(tmp, F_OK) != 0);
	free(tmp);
	close(p[1]);
	char buf[64] = {0};
	CU_ASSERT_EQUAL(read(p[0], buf, sizeof buf - 1), 12);
	CU_ASSERT_STRING_EQUAL(buf, "PK\3\4workbook");
	close(p[0]);
	/* An abort leaves no temporary file either. */
	CU_ASSERT_EQUAL_FATAL(br_output_open(&o, "/dev/null", 0644,
					     BR_OUTPUT_FILE, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(o.dest >= 0 ? o.tmp : NULL);
	br_output_abort(&o);
	CU_ASSERT(!count_names(dir, "burnrate-"));
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	test_rmtree(dir);
}

/* br_output_sync_ahead fsyncs a durable output's temporary file on a
 * thread of its own while the caller reads it back; commit waits for it
 * and publishes, abort waits for it and removes the file. An output that
 * is not durable gets no such thread. */
static void test_output_sync_ahead(void)
{
	char dir[64], path[128];
	test_mkdtemp(dir, "output");
	snprintf(path, sizeof path, "%s/seg.brs", dir);
	struct br_err err = {0};
	struct br_output o;
	int flags = BR_OUTPUT_DURABLE | BR_OUTPUT_HIDDEN_TMP | BR_OUTPUT_NEW;
	CU_ASSERT_EQUAL_FATAL(br_output_open(&o, path, 0644, flags, &err), 0);
	CU_ASSERT_EQUAL(br_write_all(o.fd, "rows\n", 5), 0);
	br_output_sync_ahead(&o);
	CU_ASSERT_PTR_NOT_NULL(o.ahead);
	/* Read back meanwhile, by its name. */
	CU_ASSERT_STRING_EQUAL(slurp(o.tmp), "rows\n");
	CU_ASSERT_EQUAL(br_output_commit(&o, &err), 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	CU_ASSERT_PTR_NULL(o.ahead);
	CU_ASSERT_STRING_EQUAL(slurp(path), "rows\n");
	/* Aborted, as a segment that would not decode is. */
	snprintf(path, sizeof path, "%s/other.brs", dir);
	CU_ASSERT_EQUAL_FATAL(br_output_open(&o, path, 0644, flags, &err), 0);
	CU_ASSERT_EQUAL(br_write_all(o.fd, "bad\n", 4), 0);
	br_output_sync_ahead(&o);
	CU_ASSERT_PTR_NOT_NULL(o.ahead);
	br_output_abort(&o);
	CU_ASSERT_PTR_NULL(o.ahead);
	CU_ASSERT(access(path, F_OK) != 0);
	CU_ASSERT(!count_names(dir, "\\.tmp-"));
	/* Not durable: nothing to start. */
	CU_ASSERT_EQUAL_FATAL(br_output_open(&o, path, 0644, 0, &err), 0);
	br_output_sync_ahead(&o);
	CU_ASSERT_PTR_NULL(o.ahead);
	CU_ASSERT_EQUAL(br_output_commit(&o, &err), 0);
	test_rmtree(dir);
}

/* Through a dangling link, or a chain of links, the file the last one
 * names is created, relative to its link's directory, and the links are
 * kept: the link was replaced by a regular file. A loop is an error. */
static void test_output_links(void)
{
	char dir[64], path[160], cwd[4096];
	test_mkdtemp(dir, "output");
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(path, sizeof path, "%s/sub", dir);
	CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
	/* dir/link.csv -> sub/l2 -> ../target.csv (= dir/target.csv) */
	snprintf(path, sizeof path, "%s/link.csv", dir);
	CU_ASSERT_EQUAL(symlink("sub/l2", path), 0);
	snprintf(path, sizeof path, "%s/sub/l2", dir);
	CU_ASSERT_EQUAL(symlink("../target.csv", path), 0);
	struct br_err err = {0};
	CU_ASSERT_EQUAL(br_file_publish(dir, "link.csv", "a,b\n", 4, 0644, &err), 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	snprintf(path, sizeof path, "%s/target.csv", dir);
	CU_ASSERT_STRING_EQUAL(slurp(path), "a,b\n");
	struct stat st;
	snprintf(path, sizeof path, "%s/link.csv", dir);
	CU_ASSERT(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	snprintf(path, sizeof path, "%s/sub/l2", dir);
	CU_ASSERT(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	/* A relative path from the working directory, a name-only link. */
	CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
	CU_ASSERT_EQUAL(symlink("t2.csv", "l.csv"), 0);
	CU_ASSERT_EQUAL(output_text("l.csv", 0, "x\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(slurp("t2.csv"), "x\n");
	CU_ASSERT(lstat("l.csv", &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(output_text("l.csv", 0, "y\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(slurp("t2.csv"), "y\n");
	/* A loop. */
	CU_ASSERT_EQUAL(symlink("loop2", "loop1"), 0);
	CU_ASSERT_EQUAL(symlink("loop1", "loop2"), 0);
	CU_ASSERT_EQUAL(output_text("loop1", 0, "z", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write 'loop1': "));
	CU_ASSERT(lstat("loop1", &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	CU_ASSERT(!count_names(dir, "\\.tmp-"));
	test_rmtree(dir);
}

int test_register(void)
{
	static const struct test_case money_tests[] = {
		{"parse", test_money_parse},
		{"parse: the usual amount against the general path",
		 test_money_usual_vs_general},
		{"format", test_money_format},
		{"parse a sum", test_money_parse_sum},
		{"whole decimal numbers", test_decimal_whole},
		{"rate parse", test_rate_parse},
		{NULL, NULL}};
	static const struct test_case time_tests[] = {
		{"timestamp parse", test_time_parse},
		{"timestamp parse, every byte in every place", test_time_parse_bytes},
		{"timestamp parse: the usual in UTC against the general path",
		 test_time_usual_vs_general},
		{"timestamp parse: every byte of the usual ends", test_time_usual_ends},
		{"non-digits of a word, every byte in every place", test_nondigits},
		{"timestamp parse: every byte of the logs' usual timestamp",
		 test_time_usual_ms_bytes},
		{"timestamp parse: every value of the usual timestamp's fields",
		 test_time_usual_ms_fields},
		{"calendar days", test_days},
		{"time zones", test_timezones},
		{"time zones: the footer rule, fat and slim files", test_timezone_rules},
		{"time zones: footer rules alone and malformed", test_timezone_footer},
		{NULL, NULL}};
	static const struct test_case misc_tests[] = {
		{"dictionary", test_dict},
		{"dictionary's cache of recent strings", test_dict_recent},
		{"fingerprint", test_hash},
		{"sha256", test_sha256},
		{"errors and buffers", test_errors},
		{"large arrays on huge pages", test_huge_alloc},
		{"UTF-8 and estimates", test_utf8_and_estimates},
		{NULL, NULL}};
	static const struct test_case output_tests[] = {
		{"a descriptor of the process, in place", test_output_descriptor},
		{"a seekable file for a pipe", test_output_pipe_file},
		{"an output's fsync ahead of its commit", test_output_sync_ahead},
		{"through dangling links and chains", test_output_links},
		{NULL, NULL}};
	static const struct test_case price_tests[] = {
		{"catalog lookup", test_catalog_lookup},
		{"catalog override", test_catalog_override},
		{"catalog errors", test_catalog_errors},
		{"price cost", test_price_cost},
		{"price cost in 64 bits and past them", test_price_cost_bounds},
		{"tier names", test_tier_parse},
		{"event pricing", test_event_price},
		{"failed request with a logged cost", test_failed_price},
		{"input bands and re-pricing", test_band_reprice},
		{"a pricer's caches", test_pricer_memo},
		{"a pricer's cache of pairs, every byte of the names",
		 test_pricer_pairs},
		{"a pricer's total input and tiers", test_pricer_totals},
		{"a pricer's empty names first", test_pricer_empty_names},
		{"a pricer against every built-in price", test_pricer_builtin},
		{"the days of a price version", test_price_days},
		{"built-in catalog and aliases", test_builtin_catalog},
		{"built-in catalog's tables as its CSV", test_builtin_tables},
		{"catalog tables refused", test_catalog_tables_errors},
		{"catalog check", test_catalog_check},
		{"provider names", test_provider_canonical},
		{NULL, NULL}};
	return test_add_suite("money", money_tests) ||
	       test_add_suite("time", time_tests) ||
	       test_add_suite("core", misc_tests) ||
	       test_add_suite("prices", price_tests) ||
	       test_add_suite("output", output_tests) ? -1 : 0;
}
