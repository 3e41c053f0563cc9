/* time.c - timestamp parsing, the proleptic Gregorian calendar, time zones. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY BR_US_PER_DAY

/* Floor division and modulo for negative instants. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int32_t br_day_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void br_civil_from_day(int32_t day, int *y, int *m, int *d)
{
	int z = day + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Reads exactly n digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Parses "YYYY-MM-DD" at s (10 bytes available) into a day. */
static const char not_a_date[] = "expected YYYY-MM-DD";

static const char *parse_date(const char *s, int32_t *day)
{
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return not_a_date;
	if (m < 1 || m > 12)
		return "invalid month";
	if (d < 1 || d > month_length(y, m))
		return "invalid day of month";
	*day = br_day_from_civil(y, m, d);
	return NULL;
}

/* Parses what follows the seconds, "[.f](Z|±hh:mm|±hhmm|±hh)", or with
 * sep ' ' between date and time "[.f][Z|±hh:mm|±hhmm|±hh]": the fraction
 * of the second (us) and the UTC offset. */
static inline __attribute__((always_inline)) const char *
parse_fraction_zone(const char *s, size_t n, char sep, int64_t *frac_us,
		    int64_t *offset_us)
{
	size_t i = 0;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		i++;
		size_t start = i;
		/* Microseconds; the rest is cut, however many digits there
		 * are: RFC 3339 sets no limit (19 or more were refused as
		 * "fraction too long"). */
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (i - start < 6)
				frac = frac * 10 + (s[i] - '0');
		if (i == start)
			return "expected digits after '.'";
		static const int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
		frac *= scale[i - start < 6 ? i - start : 6];
	}
	*offset_us = 0;
	if (i == n) {
		if (sep != ' ')
			return "missing time zone (Z or +hh:mm)";
	} else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		/* UTC */
	} else if ((s[i] == '+' || s[i] == '-') &&
		   (i + 6 == n || i + 5 == n || i + 3 == n)) {
		/* ±hh:mm (RFC 3339), and ISO 8601's ±hhmm and ±hh, which
		 * PostgreSQL writes ("2025-10-01 23:30:00.118+00"). */
		int oh, om = 0;
		const char *m = s + i + (i + 6 == n ? 4 : 3);
		if (!digits(s + i + 1, 2, &oh) ||
		    (i + 6 == n && s[i + 3] != ':') ||
		    (i + 3 != n && !digits(m, 2, &om)) || oh > 23 || om > 59)
			return "invalid offset, expected +hh:mm";
		*offset_us = (int64_t)(oh * 3600 + om * 60) * US_PER_SEC;
		if (s[i] == '-')
			*offset_us = -*offset_us;
	} else {
		return "invalid time zone, expected Z or +hh:mm";
	}
	*frac_us = frac;
	return NULL;
}

/* Parses the part after the date: "THH:MM:SS[.f](Z|±hh:mm)" or
 * " HH:MM:SS[.f][Z|±hh:mm]". */
static const char *parse_clock(const char *s, size_t n, int64_t *us_of_day,
			       int64_t *offset_us)
{
	if (n < 9)
		return "expected a time after the date";
	char sep = s[0];
	if (sep != 'T' && sep != 't' && sep != ' ')
		return "expected 'T' or ' ' between date and time";
	int hh, mm, ss;
	if (!digits(s + 1, 2, &hh) || s[3] != ':' || !digits(s + 4, 2, &mm) ||
	    s[6] != ':' || !digits(s + 7, 2, &ss))
		return "expected HH:MM:SS";
	if (hh > 23)
		return "invalid hour";
	if (mm > 59)
		return "invalid minute";
	if (ss > 60)
		return "invalid second";
	int64_t frac;
	const char *why = parse_fraction_zone(s + 9, n - 9, sep, &frac, offset_us);
	if (why)
		return why;
	if (ss == 60) {
		/* A leap second (RFC 3339 5.6): UTC inserts it as 23:59:60,
		 * the local time of that instant under any offset. POSIX
		 * time has no leap seconds: it is read as the second before,
		 * on the same day. Elsewhere it is no time at all. */
		ss = 59;
		int64_t utc = (int64_t)(hh * 3600 + mm * 60 + ss) * US_PER_SEC -
			      *offset_us;
		utc %= US_PER_DAY;
		if (utc < 0)
			utc += US_PER_DAY;
		if (utc != (int64_t)86399 * US_PER_SEC)
			return "invalid second";
	}
	*us_of_day = (int64_t)(hh * 3600 + mm * 60 + ss) * US_PER_SEC + frac;
	return NULL;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* br_day_from_civil of a date of years 0 to 9999, inlined: its year
 * counted from March (January and February belong to the year before)
 * moved up by 400 years (146,097 days) is never negative, so that the
 * days of its years before it take no era and no signed division. */
static inline int32_t usual_day(int y, int m, int d)
{
	/* The days of a March-based year before each month, January first. */
	static const int16_t before[12] = {306, 337, 0,   31,  61,  92,
					   122, 153, 184, 214, 245, 275};
	unsigned years = (unsigned)(y + 400 - (m <= 2));
	return (int32_t)(years * 365 + years / 4 - years / 100 + years / 400) +
	       before[m - 1] + d - 1 - (719468 + 146097);
}

/* Of the digits of word w (any byte may be one), the number of two
 * digits starting at each byte, 10 * its digit + the next one's, in that
 * byte: no byte carries. */
static inline uint64_t digit_pairs(uint64_t w)
{
	uint64_t v = w & UINT64_C(0x0F0F0F0F0F0F0F0F);
	return v * 10 + (v >> 8);
}

/* Byte i of word w. */
static inline int byte_at(uint64_t w, int i)
{
	return (int)(w >> (8 * i) & 0xFF);
}

/* The usual start of a timestamp, "YYYY-MM-DDTHH:MM:SS" (or 't' or ' '
 * for 'T'), read 8 bytes at a time: true when s starts with it and its
 * values are in range, with its day and second of the day; else false,
 * and the general parser tells what is wrong. */
static inline __attribute__((always_inline)) bool
parse_usual(const char *s, size_t n, int32_t *day, int *second)
{
	if (n < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return false;
	uint64_t date, clock; /* "YYYY-MM-", "HH:MM:SS" */
	memcpy(&date, s, 8);
	memcpy(&clock, s + 11, 8);
	const uint64_t date_seps = UINT64_C(0xFF) << 56 | UINT64_C(0xFF) << 32,
		       clock_seps = UINT64_C(0xFF) << 40 | UINT64_C(0xFF) << 16;
	/* The separators first: then every other byte is to be a digit, and
	 * a non-digit is flagged by br_nondigits, whatever carries. */
	if ((date & date_seps) != ((uint64_t)'-' << 56 | (uint64_t)'-' << 32) ||
	    (clock & clock_seps) != ((uint64_t)':' << 40 | (uint64_t)':' << 16) ||
	    (br_nondigits(date) & ~date_seps) || (br_nondigits(clock) & ~clock_seps) ||
	    (unsigned char)(s[8] - '0') > 9 || (unsigned char)(s[9] - '0') > 9)
		return false;
	uint64_t dp = digit_pairs(date), cp = digit_pairs(clock);
	int y = byte_at(dp, 0) * 100 + byte_at(dp, 2), m = byte_at(dp, 5);
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	int hh = byte_at(cp, 0), mm = byte_at(cp, 3), ss = byte_at(cp, 6);
	if (m < 1 || m > 12 || d < 1 || d > month_length(y, m) || hh > 23 ||
	    mm > 59 || ss > 59)
		return false;
	*day = usual_day(y, m, d);
	*second = hh * 3600 + mm * 60 + ss;
	return true;
}

/* The usual ends of a timestamp after its seconds, in UTC: "Z", ".fffZ"
 * (milliseconds, as JavaScript's toISOString writes them) and ".ffffffZ"
 * ('z' too), s holding the n bytes after the seconds: true with the
 * fraction in microseconds. False for any other end, which
 * parse_fraction_zone reads or refuses. The '.' and its digits are read
 * as one word (".fff" with "000" after it), the digits' six bytes tested
 * by br_nondigits and the 'Z' apart. */
static bool parse_usual_utc(const char *s, size_t n, int64_t *frac_us)
{
	if (n == 0 || (s[n - 1] != 'Z' && s[n - 1] != 'z'))
		return false;
	if (n == 1) {
		*frac_us = 0;
		return true;
	}
	uint64_t w;
	if (n == 8) {
		memcpy(&w, s, 8); /* ".ffffff" and the 'Z' */
	} else if (n == 5) {
		uint32_t w4; /* ".fff", the 'Z' after it */
		memcpy(&w4, s, 4);
		w = (uint64_t)w4 | (uint64_t)0x303030 << 32; /* "000" more */
	} else {
		return false;
	}
	const uint64_t digits = UINT64_C(0xFFFFFFFFFFFF) << 8;
	if ((w & 0xFF) != '.' || (br_nondigits(w) & digits))
		return false;
	uint64_t pairs = digit_pairs(w >> 8); /* in bytes 0, 2 and 4 */
	*frac_us = byte_at(pairs, 0) * 10000 + byte_at(pairs, 2) * 100 +
		   byte_at(pairs, 4);
	return true;
}

/* 16 bytes as one vector (GCC's vector extension: SSE2 on x86-64, a
 * scalar loop where a target has none). */
typedef uint8_t bytes16 __attribute__((vector_size(16)));

/* parse_usual_ms of s, its bytes tested, in the month mo of its first 8
 * ("YYYY-MM-"): the day and the time. */
static inline __attribute__((always_inline)) bool
usual_ms_in(const char *s, const struct br_month_memo *mo, int64_t *us)
{
	uint64_t clock, second; /* "DDTHH:MM", ":SS.fffZ" */
	memcpy(&clock, s + 8, 8);
	memcpy(&second, s + 16, 8);
	uint64_t cp = digit_pairs(clock), sp = digit_pairs(second);
	int d = byte_at(cp, 0), hh = byte_at(cp, 3), mm = byte_at(cp, 6);
	int ss = byte_at(sp, 1);
	int ms = byte_at(sp, 4) * 10 + (int)(second >> 48 & 0x0F);
	if (d < 1 || d > mo->len || hh > 23)
		return false;
	*us = mo->first_us +
	      (int64_t)((d - 1) * 86400 + hh * 3600 + mm * 60 + ss) * US_PER_SEC +
	      ms * 1000;
	return true;
}

/* parse_usual_ms of s, its bytes tested, of a month other than mo's,
 * which it becomes when it is one (1-12). Out of line: the usual call, in
 * mo's month, saves no registers for it. */
static __attribute__((noinline)) bool usual_ms_month(const char *s,
						     uint64_t date,
						     struct br_month_memo *mo,
						     int64_t *us)
{
	uint64_t dp = digit_pairs(date);
	int y = byte_at(dp, 0) * 100 + byte_at(dp, 2), m = byte_at(dp, 5);
	if (m < 1 || m > 12)
		return false;
	*mo = (struct br_month_memo){date, (int64_t)usual_day(y, m, 1) * US_PER_DAY,
				     month_length(y, m)};
	return usual_ms_in(s, mo, us);
}

/* The usual timestamp of the logs, "YYYY-MM-DDTHH:MM:SS.fffZ" (24 bytes,
 * as JavaScript's toISOString writes it): true with the instant in *us
 * when s is one of a valid day and a second before 60 (of years 0000 to
 * 9999 in UTC, within them); else false, *us untouched, and parse_usual
 * or the general parser read it. Its bytes are tested as two vectors,
 * s[0..16) and s[8..24): each byte less what it is to be ('0' for a
 * digit, a separator's own value) is at most a limit, 0 for a separator,
 * 9 for a digit, 5 for a minute's or a second's tens (so that they need
 * no test of their own), 1 for a month's, 3 for a day's, 2 for an hour's;
 * a byte below its base wraps above 9. Stop 41 tested them as three words
 * (br_nondigits and the separators' masks, ~50 instructions): the whole
 * parse took 158 instructions a record of the bench, then 107 (stop 42);
 * with the month of the one before (the caller's br_month_memo) 72, its
 * year's and month's arithmetic and month_length made when the month
 * changes (callgrind, first300k.jsonl). */
static inline __attribute__((always_inline)) bool
parse_usual_ms(const char *s, struct br_month_memo *mo, int64_t *us)
{
	static const bytes16 base_lo = {'0', '0', '0', '0', '-', '0', '0', '-',
					'0', '0', 'T', '0', '0', ':', '0', '0'},
			     limit_lo = {9, 9, 9, 9, 0, 1, 9, 0,
					 3, 9, 0, 2, 9, 0, 5, 9},
			     base_hi = {'0', '0', 'T', '0', '0', ':', '0', '0',
					':', '0', '0', '.', '0', '0', '0', 'Z'},
			     limit_hi = {3, 9, 0, 2, 9, 0, 5, 9,
					 0, 5, 9, 0, 9, 9, 9, 0};
	bytes16 lo, hi;
	memcpy(&lo, s, 16);
	memcpy(&hi, s + 8, 16);
	bytes16 over = ((bytes16)(lo - base_lo) > limit_lo) |
		       ((bytes16)(hi - base_hi) > limit_hi);
	uint64_t bad[2];
	memcpy(bad, &over, 16);
	if (bad[0] | bad[1])
		return false;
	uint64_t date; /* "YYYY-MM-" */
	memcpy(&date, s, 8);
	if (date != mo->date)
		return usual_ms_month(s, date, mo, us);
	return usual_ms_in(s, mo, us);
}
#endif

/* Parses an epoch number: seconds, or milliseconds above 1e11. */
static const char *parse_epoch(const char *s, size_t n, int64_t *us)
{
	br_pico v; /* the number times 1e12, exactly */
	if (br_money_parse(s, n, &v) != 0)
		return "not a timestamp or epoch number";
	const br_pico e11 = (br_pico)100000000000 * BR_PICO_PER_USD;
	if (v > e11 || v < -e11)
		*us = (int64_t)(v / 1000000000); /* milliseconds */
	else
		*us = (int64_t)(v / 1000000);
	return NULL;
}

/* The instants whose UTC day br_day_format prints as it is. */
#define FIRST_US ((int64_t)BR_DAY_FIRST * US_PER_DAY)
#define END_US (((int64_t)BR_DAY_LAST + 1) * US_PER_DAY)

/* br_time_parse, but for the range of the instant; out of line, so that
 * the other usual timestamps in UTC, which other_time_parse reads first,
 * save no registers for it. */
static __attribute__((noinline)) const char *
time_parse(const char *s, size_t n, int64_t *us)
{
	if (n == 0)
		return "empty timestamp";
	if (n >= 10 && s[4] == '-') {
		int32_t day;
		const char *why;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		int second;
		if (parse_usual(s, n, &day, &second)) {
			int64_t frac, off;
			why = parse_fraction_zone(s + 19, n - 19, s[10], &frac, &off);
			if (why)
				return why;
			*us = (int64_t)day * US_PER_DAY +
			      (int64_t)second * US_PER_SEC + frac - off;
			return NULL;
		}
#endif
		why = parse_date(s, &day);
		if (why)
			return why;
		int64_t tod, off;
		why = parse_clock(s + 10, n - 10, &tod, &off);
		if (why)
			return why;
		*us = (int64_t)day * US_PER_DAY + tod - off;
		return NULL;
	}
	return parse_epoch(s, n, us);
}

/* br_time_parse of any timestamp but the logs' usual one, which it reads
 * first; out of line, so that reading that one saves no registers. */
static __attribute__((noinline)) const char *
other_time_parse(const char *s, size_t n, int64_t *us)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The other usual timestamps in UTC, by their end first (any other
	 * fails at its last byte): of a day of years 0000 to 9999, in UTC,
	 * they are within them. */
	int32_t day;
	int second;
	int64_t frac;
	if (n >= 20 && parse_usual_utc(s + 19, n - 19, &frac) &&
	    parse_usual(s, n, &day, &second)) {
		*us = (int64_t)day * US_PER_DAY + (int64_t)second * US_PER_SEC +
		      frac;
		return NULL;
	}
#endif
	int64_t t;
	const char *why = time_parse(s, n, &t);
	if (why)
		return why;
	/* A date in range can leave it by its offset: 0000-01-01T00:30+01:00
	 * is in year -1, and was reported as 0001-12-31 (the sign dropped);
	 * 9999-12-31T23:59:59-23:59 as 0000-01-01. So can an epoch number
	 * (milliseconds up to 10^15). */
	if (t < FIRST_US || t >= END_US)
		return "outside years 0000 to 9999 (UTC)";
	*us = t;
	return NULL;
}

const char *br_time_parse_memo(struct br_month_memo *mo, const char *s,
			       size_t n, int64_t *us)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The logs' usual timestamp ("2025-10-25T15:38:17.093Z"): of a day
	 * of years 0000 to 9999, in UTC, it is within them. */
	if (n == 24 && parse_usual_ms(s, mo, us))
		return NULL;
#else
	(void)mo;
#endif
	return other_time_parse(s, n, us);
}

const char *br_time_parse(const char *s, size_t n, int64_t *us)
{
	struct br_month_memo mo = {0};
	return br_time_parse_memo(&mo, s, n, us);
}

int br_day_parse(const char *s, int32_t *day)
{
	if (strlen(s) != 10)
		return -1;
	return parse_date(s, day) ? -1 : 0;
}

int br_day_parse_why(const char *s, int32_t *day, char *why)
{
	static const char *const months[12] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"};
	const char *bad = strlen(s) == 10 ? parse_date(s, day) : not_a_date;
	int y, m;
	if (!bad)
		return 0;
	if (bad == not_a_date) {
		snprintf(why, BR_DAY_WHY_BUFSZ, "%s", not_a_date);
		return -1;
	}
	/* The shape is a date's: its month or its day does not exist. */
	digits(s, 4, &y);
	digits(s + 5, 2, &m);
	if (m < 1 || m > 12)
		snprintf(why, BR_DAY_WHY_BUFSZ, "no such month (months are 01 to 12)");
	else
		snprintf(why, BR_DAY_WHY_BUFSZ, "no such day (%s %04d has %d days)",
			 months[m - 1], y, month_length(y, m));
	return -2;
}

/* Writes v as exactly width decimal digits (modulo 10^width) at p and
 * returns p + width. */
static char *put_digits(char *p, int64_t v, int width)
{
	if (v < 0)
		v = -v;
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void br_day_format(int32_t day, char buf[11])
{
	int y, m, d;
	br_civil_from_day(day, &y, &m, &d);
	char *p = put_digits(buf, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p = 0;
}

int br_day_weekday(int32_t day)
{
	return (int)floor_mod((int64_t)day + 3, 7);
}

int32_t br_day_week_start(int32_t day)
{
	return day - br_day_weekday(day);
}

int32_t br_day_month_start(int32_t day)
{
	int y, m, d;
	br_civil_from_day(day, &y, &m, &d);
	return day - (d - 1);
}

int br_day_month_length(int32_t day)
{
	int y, m, d;
	br_civil_from_day(day, &y, &m, &d);
	return month_length(y, m);
}

void br_week_format(int32_t day, char buf[9])
{
	int32_t thursday = br_day_week_start(day) + 3;
	int y, m, d;
	br_civil_from_day(thursday, &y, &m, &d);
	int week = (thursday - br_day_from_civil(y, 1, 1)) / 7 + 1;
	char *p = put_digits(buf, y, 4);
	*p++ = '-';
	*p++ = 'W';
	p = put_digits(p, week, 2);
	*p = 0;
}

void br_month_format(int32_t day, char buf[8])
{
	int y, m, d;
	br_civil_from_day(day, &y, &m, &d);
	char *p = put_digits(buf, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p = 0;
}

void br_time_format(int64_t us, char buf[28])
{
	int32_t day = (int32_t)floor_div(us, US_PER_DAY);
	int64_t rest = floor_mod(us, US_PER_DAY);
	int64_t secs = rest / US_PER_SEC;
	br_day_format(day, buf);
	char *p = buf + 10;
	*p++ = 'T';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	*p++ = '.';
	p = put_digits(p, rest % US_PER_SEC, 6);
	*p++ = 'Z';
	*p = 0;
}

int32_t br_day_today(void)
{
	return (int32_t)floor_div((int64_t)time(NULL), 86400);
}

/* ------------------------------------------------------------ time zones */

/* The POSIX TZ string of a TZif footer (RFC 8536 3.3), say
 * "EST5EDT,M3.2.0,M11.1.0": it gives local time past the file's last
 * transition, and with "slim" files (zic -b slim) that is every date
 * since the zone's rules last changed, not only those after 2037. */
struct tz_date {
	char form;        /* 'M' (Mm.w.d), 'J' (Jn: 1-365, never Feb 29), 'n' (0-365) */
	int m, w, d, n;
	int32_t time;     /* local time of day of the change, -167h to 167h */
};

struct tz_rule {
	bool dst;                 /* else std_off all year */
	int32_t std_off, dst_off; /* UTC offsets, seconds east */
	struct tz_date start, end; /* into daylight saving time, out of it */
};

/* A zone is a sorted list of transition instants (seconds) and the UTC
 * offset in force from each; before the first, `initial` applies. Past
 * the file's last transition, rule_from, the footer rule applies: its
 * changes up to rule_to (the start of TZ_TABLE_END) are appended to the
 * list at load from table_from on, so the lookup stays a binary search
 * and the zone, shared by threads, is never written after load; outside
 * that table the rule is evaluated for each instant. */
struct br_tz {
	char name[64];
	size_t n;
	int64_t *at;      /* transition instants, seconds since the epoch */
	int32_t *offset;  /* UTC offset in seconds from at[i] on */
	int32_t initial;  /* offset before the first transition */
	int64_t rule_from, table_from, rule_to; /* INT64_MAX: no rule */
	struct tz_rule rule;
};

/* The rule's changes are tabulated up to the start of this year (UTC),
 * from 1970 at the earliest: beyond, each lookup computes them. */
#define TZ_TABLE_END 2101
#define TZ_TABLE_START INT64_C(0)

/* Reads a decimal of 1 to max_digits digits in [lo, hi] at *s. */
static bool tz_num(const char **s, int max_digits, int lo, int hi, int *v)
{
	const char *p = *s;
	int x = 0;
	while (p - *s < max_digits && *p >= '0' && *p <= '9')
		x = x * 10 + (*p++ - '0');
	if (p == *s || x < lo || x > hi)
		return false;
	*s = p;
	*v = x;
	return true;
}

/* A zone abbreviation: 3 or more letters, or <3 or more of [A-Za-z0-9+-]>. */
static const char *tz_abbr(const char **s)
{
	const char *p = *s, *name;
	if (*p == '<') {
		name = ++p;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-')
			p++;
		if (*p != '>')
			return "expected '>' closing a quoted abbreviation";
		if (p - name < 3)
			return "an abbreviation has fewer than 3 characters";
		*s = p + 1;
		return NULL;
	}
	name = p;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	if (p - name < 3)
		return "expected an abbreviation of 3 or more letters";
	*s = p;
	return NULL;
}

/* [+-]hh[:mm[:ss]] with hh up to max_h, in seconds. */
static const char *tz_hms(const char **s, int max_h, int32_t *v)
{
	const char *p = *s;
	int sign = *p == '-' ? -1 : 1, h, m = 0, sec = 0;
	if (*p == '+' || *p == '-')
		p++;
	if (!tz_num(&p, 3, 0, max_h, &h))
		return max_h > 24 ? "expected a time, [+-]hh[:mm[:ss]] within 167 hours"
				  : "expected an offset, [+-]hh[:mm[:ss]] within 24 hours";
	if (*p == ':') {
		p++;
		if (!tz_num(&p, 2, 0, 59, &m))
			return "expected minutes 00-59";
		if (*p == ':') {
			p++;
			if (!tz_num(&p, 2, 0, 59, &sec))
				return "expected seconds 00-59";
		}
	}
	*v = sign * (h * 3600 + m * 60 + sec);
	*s = p;
	return NULL;
}

/* A change of the rule: ",Mm.w.d[/time]", ",Jn[/time]" or ",n[/time]". */
static const char *tz_change(const char **s, struct tz_date *d)
{
	const char *p = *s;
	if (*p++ != ',')
		return "expected ',' and the end of daylight saving time";
	if (*p == 'M') {
		p++;
		d->form = 'M';
		if (!tz_num(&p, 2, 1, 12, &d->m) || *p++ != '.' ||
		    !tz_num(&p, 1, 1, 5, &d->w) || *p++ != '.' ||
		    !tz_num(&p, 1, 0, 6, &d->d))
			return "expected a date Mm.w.d (month 1-12, week 1-5, day 0-6)";
	} else if (*p == 'J') {
		p++;
		d->form = 'J';
		if (!tz_num(&p, 3, 1, 365, &d->n))
			return "expected a day Jn, 1-365";
	} else {
		d->form = 'n';
		if (!tz_num(&p, 3, 0, 365, &d->n))
			return "expected a date Mm.w.d, Jn or n";
	}
	d->time = 2 * 3600;
	if (*p == '/') {
		p++;
		const char *why = tz_hms(&p, 167, &d->time);
		if (why)
			return why;
	}
	*s = p;
	return NULL;
}

/* Parses a nonempty TZ string s (NUL-terminated) into r. A daylight
 * saving time without its rules (POSIX leaves them to the system) is
 * refused: zic always writes them. */
static const char *tz_rule_parse(const char *s, struct tz_rule *r)
{
	const char *why;
	int32_t v;
	memset(r, 0, sizeof *r);
	if ((why = tz_abbr(&s)) || (why = tz_hms(&s, 24, &v)))
		return why;
	r->std_off = -v; /* POSIX counts hours west */
	if (!*s)
		return NULL;
	if ((why = tz_abbr(&s)))
		return why;
	r->dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s && *s != ',') {
		if ((why = tz_hms(&s, 24, &v)))
			return why;
		r->dst_off = -v;
	}
	if (*s != ',')
		return "daylight saving time without its rules ',start[/time],end[/time]'";
	if ((why = tz_change(&s, &r->start)) || (why = tz_change(&s, &r->end)))
		return why;
	return *s ? "unexpected characters after the rule" : NULL;
}

/* The day of date d in year y. */
static int32_t tz_date_day(const struct tz_date *d, int y)
{
	int32_t jan1 = br_day_from_civil(y, 1, 1);
	if (d->form == 'J')
		return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
	if (d->form == 'n')
		return jan1 + d->n;
	/* Day d (0 is Sunday; br_day_weekday's 0 is Monday) of week w, the
	 * last such day of the month for w = 5. */
	int32_t first = br_day_from_civil(y, d->m, 1);
	int32_t day = first + (d->d - (br_day_weekday(first) + 1) % 7 + 7) % 7 +
		      7 * (d->w - 1);
	while (day >= first + month_length(y, d->m))
		day -= 7;
	return day;
}

/* The two changes of rule r (with dst) in year y: their instants in order
 * and the offset from each. Each time is local time of the offset it
 * ends. On a tie DST starts last, so it is in force (RFC 8536 3.3.1 and
 * glibc read it so). */
static void tz_rule_year(const struct tz_rule *r, int y, int64_t at[2],
			 int32_t off[2])
{
	int64_t start = (int64_t)tz_date_day(&r->start, y) * 86400 +
			r->start.time - r->std_off;
	int64_t end = (int64_t)tz_date_day(&r->end, y) * 86400 +
		      r->end.time - r->dst_off;
	bool dst_last = end <= start; /* e.g. the southern hemisphere */
	at[0] = dst_last ? end : start;
	at[1] = dst_last ? start : end;
	off[0] = dst_last ? r->std_off : r->dst_off;
	off[1] = dst_last ? r->dst_off : r->std_off;
}

/* The UTC offset of rule r at instant t: that of the latest of its
 * changes at or before t, the later year's on a tie (so "all year DST",
 * RFC 8536 3.3.1, whose end of one year is the start of the next, is DST
 * throughout). A change of year y is within a week (167 hours) and a day
 * (the offset) of year y, so those of the years around t's suffice. */
static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	if (!r->dst)
		return r->std_off;
	int y, m, d;
	br_civil_from_day((int32_t)floor_div(t, 86400), &y, &m, &d);
	int64_t best = INT64_MIN, at[2];
	int32_t off = r->std_off, o[2];
	for (int yy = y - 2; yy <= y + 1; yy++) {
		tz_rule_year(r, yy, at, o);
		for (int i = 0; i < 2; i++)
			if (at[i] <= t && at[i] >= best) {
				best = at[i];
				off = o[i];
			}
	}
	return off;
}

/* The UTC year of instant t (seconds within 10^12 of the epoch). */
static int utc_year(int64_t t)
{
	int y, m, d;
	br_civil_from_day((int32_t)floor_div(t, 86400), &y, &m, &d);
	return y;
}

/* Appends the changes of the footer rule with dst past the transitions:
 * from F, the instant after the last transition (1970 at the earliest),
 * with the offset of the rule at F, to the start of TZ_TABLE_END. Between
 * the last transition and F, and from rule_to on, the rule is evaluated
 * per instant (rule_offset). */
static void tz_tabulate(struct br_tz *tz)
{
	const int64_t end = (int64_t)br_day_from_civil(TZ_TABLE_END, 1, 1) * 86400;
	if (tz->n && tz->at[tz->n - 1] >= end - 86400 * 366)
		return; /* transitions listed to 2100: no table */
	int64_t f = tz->n ? tz->at[tz->n - 1] + 1 : TZ_TABLE_START;
	if (f < TZ_TABLE_START)
		f = TZ_TABLE_START;
	int y0 = utc_year(f) - 2;
	size_t n = tz->n, cap = n + 1 + 2 * (size_t)(TZ_TABLE_END - y0 + 1);
	tz->at = br_realloc(tz->at, sizeof *tz->at * cap);
	tz->offset = br_realloc(tz->offset, sizeof *tz->offset * cap);
	size_t first = n;
	tz->at[n] = f;
	tz->offset[n++] = rule_offset(&tz->rule, f);
	for (int y = y0; y <= TZ_TABLE_END; y++) {
		int64_t at[2];
		int32_t off[2];
		tz_rule_year(&tz->rule, y, at, off);
		for (int i = 0; i < 2; i++) {
			if (at[i] <= f)
				continue;
			/* In order of time, a later year's change replacing an
			 * earlier one at the same instant (see rule_offset); the
			 * changes of a sane rule come in order anyway. */
			size_t j = n;
			while (tz->at[j - 1] > at[i])
				j--;
			if (tz->at[j - 1] == at[i]) {
				tz->offset[j - 1] = off[i];
				continue;
			}
			memmove(tz->at + j + 1, tz->at + j, sizeof *tz->at * (n - j));
			memmove(tz->offset + j + 1, tz->offset + j,
				sizeof *tz->offset * (n - j));
			tz->at[j] = at[i];
			tz->offset[j] = off[i];
			n++;
		}
	}
	/* Drop the changes that change nothing (all year DST has only such). */
	size_t k = first + 1;
	for (size_t i = first + 1; i < n; i++)
		if (tz->offset[i] != tz->offset[k - 1]) {
			tz->at[k] = tz->at[i];
			tz->offset[k++] = tz->offset[i];
		}
	tz->n = k;
	tz->table_from = f;
	tz->rule_to = end;
}

#define TZIF_MAX_BYTES (1 << 20)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Reads a whole small file. Returns the byte count or -1 (errno set). */
static ssize_t read_small_file(const char *path, unsigned char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	unsigned char *buf = br_malloc(TZIF_MAX_BYTES);
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, TZIF_MAX_BYTES - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0 || (len += (size_t)r) == TZIF_MAX_BYTES)
			break;
	}
	close(fd);
	*out = buf;
	return (ssize_t)len;
}

/* Parses the footer of a TZif file, "\n" TZ string "\n", at p (len bytes
 * to the end of the file), and sets up the zone past its transitions. A
 * bad rule is told, with the string, in msg. */
static const char *tzif_footer(struct br_tz *tz, const unsigned char *p,
			       size_t len, char msg[200])
{
	const unsigned char *nl = len > 1 ? memchr(p + 1, '\n', len - 1) : NULL;
	if (len == 0 || p[0] != '\n' || !nl)
		return "truncated TZif file (no footer)";
	size_t n = (size_t)(nl - p) - 1;
	if (n == 0)
		return NULL; /* no rule: the last offset stays in force */
	char s[128];
	const char *why = n < sizeof s ? NULL : "longer than 127 bytes";
	if (!why) {
		memcpy(s, p + 1, n);
		s[n] = 0;
		why = strlen(s) < n ? "a NUL byte" : tz_rule_parse(s, &tz->rule);
	}
	if (why) {
		/* The string as text, whatever its bytes. */
		char shown[64];
		size_t i;
		for (i = 0; i < n && i < sizeof shown - 1; i++)
			shown[i] = p[1 + i] >= ' ' && p[1 + i] < 127 ? (char)p[1 + i] : '?';
		shown[i] = 0;
		snprintf(msg, 200, "bad TZ rule '%s%s' in the TZif footer: %s",
			 shown, n > i ? "..." : "", why);
		return msg;
	}
	tz->rule_from = tz->n ? tz->at[tz->n - 1] : INT64_MIN;
	if (tz->rule.dst)
		tz_tabulate(tz);
	return NULL;
}

/* Parses the version 2+ (64-bit) data block of a TZif file and its footer. */
static const char *tzif_parse(struct br_tz *tz, const unsigned char *p,
			      size_t len, char msg[200])
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return "not a TZif file";
	if (p[4] < '2')
		return "TZif version 1 files are not supported";
	/* Skip the version 1 block: header counts with 4-byte times. */
	size_t v1 = 44 + (size_t)be32(p + 32) * 5 + be32(p + 36) * 6 +
		    be32(p + 40) + be32(p + 28) * 8 + be32(p + 24) +
		    be32(p + 20);
	if (v1 + 44 > len || memcmp(p + v1, "TZif", 4) != 0)
		return "truncated TZif file";
	const unsigned char *h = p + v1;
	uint32_t isutcnt = be32(h + 20), isstdcnt = be32(h + 24),
		 leapcnt = be32(h + 28), timecnt = be32(h + 32),
		 typecnt = be32(h + 36), charcnt = be32(h + 40);
	size_t need = 44 + (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt +
		      (size_t)leapcnt * 12 + isstdcnt + isutcnt;
	if (typecnt == 0 || v1 + need > len)
		return "truncated TZif file";
	const unsigned char *times = h + 44, *idx = times + (size_t)timecnt * 8,
			    *types = idx + timecnt;
	tz->n = timecnt;
	tz->at = br_malloc(sizeof *tz->at * (timecnt ? timecnt : 1));
	tz->offset = br_malloc(sizeof *tz->offset * (timecnt ? timecnt : 1));
	for (uint32_t i = 0; i < timecnt; i++) {
		if (idx[i] >= typecnt)
			return "bad TZif type index";
		tz->at[i] = be64(times + (size_t)i * 8);
		tz->offset[i] = (int32_t)be32(types + (size_t)idx[i] * 6);
		if (i > 0 && tz->at[i] <= tz->at[i - 1])
			return "TZif transitions out of order";
	}
	tz->initial = (int32_t)be32(types);
	return tzif_footer(tz, p + v1 + need, len - v1 - need, msg);
}

struct br_tz *br_tz_load(const char *name, struct br_err *err)
{
	if (!name || !*name || strlen(name) >= sizeof ((struct br_tz *)0)->name) {
		br_fail_status(err, BR_EXIT_USAGE, "invalid time zone '%s'",
			       name ? name : "");
		return NULL;
	}
	struct br_tz *tz = br_calloc(1, sizeof *tz);
	snprintf(tz->name, sizeof tz->name, "%s", name);
	tz->rule_from = tz->table_from = tz->rule_to = INT64_MAX;
	if (strcmp(name, "UTC") == 0)
		return tz;
	/* An IANA name is letters, digits, '_', '-', '+' and '/' (no "..",
	 * no leading '/'), so it can never name a file outside TZDIR. */
	for (const char *c = name; *c; c++) {
		bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
			  *c == '+' || (*c == '/' && c != name && c[-1] != '/');
		if (!ok || (c[0] == '.')) {
			br_fail_status(err, BR_EXIT_USAGE,
				       "invalid time zone '%s'", name);
			br_tz_free(tz);
			return NULL;
		}
	}
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s",
		 dir && *dir ? dir : "/usr/share/zoneinfo", name);
	unsigned char *data = NULL;
	ssize_t len = read_small_file(path, &data);
	if (len < 0) {
		br_fail_status(err, BR_EXIT_USAGE, "unknown time zone '%s': %s",
			       name, strerror(errno));
		br_tz_free(tz);
		return NULL;
	}
	char msg[200];
	const char *why = tzif_parse(tz, data, (size_t)len, msg);
	free(data);
	if (why) {
		br_fail_status(err, BR_EXIT_USAGE, "time zone '%s' (%s): %s",
			       name, path, why);
		br_tz_free(tz);
		return NULL;
	}
	return tz;
}

void br_tz_free(struct br_tz *tz)
{
	if (!tz)
		return;
	free(tz->at);
	free(tz->offset);
	free(tz);
}

const char *br_tz_name(const struct br_tz *tz)
{
	return tz->name;
}

/* The UTC offset in force at instant t (seconds): from the transitions
 * (with the footer rule's tabulated), else from the rule itself, past the
 * last transition outside the table. */
static int32_t tz_offset(const struct br_tz *tz, int64_t t)
{
	if (t >= tz->rule_to || (t > tz->rule_from && t < tz->table_from))
		return rule_offset(&tz->rule, t);
	if (tz->n == 0 || t < tz->at[0])
		return tz->initial;
	size_t lo = 0, hi = tz->n; /* at[lo] <= t < at[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offset[lo];
}

int32_t br_tz_day(const struct br_tz *tz, int64_t us)
{
	int64_t t = floor_div(us, US_PER_SEC);
	t += tz_offset(tz, t);
	return (int32_t)floor_div(t, 86400);
}

int32_t br_tz_today(const struct br_tz *tz)
{
	return br_tz_day(tz, (int64_t)time(NULL) * US_PER_SEC);
}
