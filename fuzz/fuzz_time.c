/* fuzz_time.c - the scalar parsers of log fields: timestamps (every form
 * of DESIGN §3), dates, decimal USD amounts and per-token rates. What one
 * of them accepts must survive a round trip through its formatter (as a
 * value: a leap second comes back as second 59), and
 * the calendar functions must agree with each other on the day. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

static const struct br_tz *zone(void)
{
	static struct br_tz *tz;
	if (!tz) {
		struct br_err err = {0};
		/* A zone with a half-hour offset and daylight saving time. */
		tz = br_tz_load("America/St_Johns", &err);
		FUZZ_CHECK(tz, "time zone: %s", err.msg);
	}
	return tz;
}

static void check_day(int32_t day)
{
	int y, m, d;
	br_civil_from_day(day, &y, &m, &d);
	FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31, "day %d", day);
	FUZZ_CHECK(br_day_from_civil(y, m, d) == day, "day %d round trip", day);
	int32_t week = br_day_week_start(day), month = br_day_month_start(day);
	FUZZ_CHECK(week <= day && day - week < 7, "week of day %d", day);
	FUZZ_CHECK(month <= day && day - month < br_day_month_length(day),
		   "month of day %d", day);
	char buf[11], wk[9], mo[8];
	br_day_format(day, buf);
	br_week_format(day, wk);
	br_month_format(day, mo);
	if (y >= 0 && y <= 9999) {
		int32_t back;
		FUZZ_CHECK(br_day_parse(buf, &back) == 0 && back == day,
			   "day %d formatted as %s", day, buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = br_malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;

	int64_t us;
	if (!br_time_parse(s, size, &us)) {
		int32_t day = br_utc_day(us);
		check_day(day);
		int32_t local = br_tz_day(zone(), us);
		FUZZ_CHECK(local >= day - 1 && local <= day + 1,
			   "local day %d, UTC day %d", local, day);
		/* A leap second is the last second of its UTC day; it is
		 * read as second 59, so it round-trips as a value (formatted
		 * ":59"), not as the text it came in. */
		if (size >= 19 && s[4] == '-' && s[16] == ':' &&
		    s[17] == '6' && s[18] == '0') {
			int64_t sec = (us - (int64_t)day * 86400 * 1000000) / 1000000;
			FUZZ_CHECK(sec == 86399, "leap second %s at second %lld",
				   s, (long long)sec);
		}
		int y, m, d;
		br_civil_from_day(day, &y, &m, &d);
		if (y >= 0 && y <= 9999) {
			char buf[28];
			int64_t back;
			br_time_format(us, buf);
			FUZZ_CHECK(!br_time_parse(buf, strlen(buf), &back) &&
				   back == us, "%s formatted as %s", s, buf);
		}
	}
	int32_t day;
	if (br_day_parse(s, &day) == 0)
		check_day(day);

	br_pico v, back;
	if (br_money_parse(s, size, &v) == 0) {
		char buf[BR_MONEY_BUFSZ];
		br_money_format_exact(v, buf);
		FUZZ_CHECK(br_money_parse(buf, strlen(buf), &back) == 0 &&
			   back == v, "%s formatted as %s", s, buf);
		br_money_format(v, buf);
		FUZZ_CHECK(strlen(buf) < BR_MONEY_BUFSZ, "%s", buf);
		br_pico_to_micro(v);
	}
	int64_t rate;
	if (br_rate_parse(s, size, &rate) == 0) {
		FUZZ_CHECK(rate >= 0 && rate <= (int64_t)1000000 * 1000000,
			   "rate %s", s);
		/* Leading zeros are JSON-invalid: the amount parser may
		 * refuse what the rate parser takes. */
		if (br_money_parse(s, size, &v) == 0)
			FUZZ_CHECK(v == (br_pico)rate * 1000000, "rate %s", s);
	}
	free(s);
	return 0;
}
