/* money.c - exact decimal money: parsing to pico-dollars, rounding, printing. */
#include <math.h>
#include <string.h>

#include "core/core.h"

typedef unsigned __int128 u128;

#define PICO_DECIMALS 12
/* Amounts of 1e15 USD and more are refused: 1e27 pico-dollars. */
#define MAX_AMOUNT ((u128)1000000000000000 * BR_PICO_PER_USD)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digits of a parsed decimal number: digits[0..ndigits) with the
 * decimal point after `point` digits (point may be negative or exceed
 * ndigits), leading zeros removed. */
struct decimal {
	bool negative;
	const char *int_part, *frac_part;
	size_t nint, nfrac;
	long point;
};

/* Reads the digit at position k of int_part followed by frac_part. */
static int decimal_digit(const struct decimal *d, long k)
{
	if (k < 0)
		return 0;
	if ((size_t)k < d->nint)
		return d->int_part[k] - '0';
	k -= (long)d->nint;
	if ((size_t)k < d->nfrac)
		return d->frac_part[k] - '0';
	return 0;
}

/* Parses JSON number syntax into d. Returns 0 or -1. */
static int decimal_parse(const char *s, size_t n, struct decimal *d)
{
	size_t i = 0;
	memset(d, 0, sizeof *d);
	if (i < n && s[i] == '-') {
		d->negative = true;
		i++;
	}
	d->int_part = s + i;
	while (i < n && is_digit(s[i]))
		i++;
	d->nint = (size_t)(s + i - d->int_part);
	if (d->nint == 0 || (d->nint > 1 && d->int_part[0] == '0'))
		return -1;
	if (i < n && s[i] == '.') {
		i++;
		d->frac_part = s + i;
		while (i < n && is_digit(s[i]))
			i++;
		d->nfrac = (size_t)(s + i - d->frac_part);
		if (d->nfrac == 0)
			return -1;
	}
	long exp = 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i >= n || !is_digit(s[i]))
			return -1;
		for (; i < n && is_digit(s[i]); i++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
		if (eneg)
			exp = -exp;
	}
	if (i != n)
		return -1;
	d->point = (long)d->nint + exp;
	return 0;
}

/* The usual amount ("0.426767", "-12", "3.5"): an integer part of at
 * most 15 digits and at most 12 decimals, without an exponent. Its value
 * is exact in two integers, its whole dollars and its pico-dollars, and
 * under 1e15 USD, within either limit: true with it in *out. False for
 * any other text, which the digit walk of money_parse reads or refuses
 * (a log's cost_usd walked digit by digit, a 128-bit division each, was
 * ~850 instructions). Its decimals, 1 to 8 at the end of a text of 8
 * bytes or more, are read as one word (br_digits_value), not digit by
 * digit, and money_parse's walk is out of line: the bench's cost_usd
 * ("0.426767") 157 -> 99 instructions (callgrind, first300k.jsonl). */
static inline __attribute__((always_inline)) bool
money_usual(const char *s, size_t n, br_pico *out)
{
	static const uint64_t scale[PICO_DECIMALS + 1] = {
		1000000000000, 100000000000, 10000000000, 1000000000,
		100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};
	bool negative = n > 0 && s[0] == '-';
	size_t i = negative, start = i;
	uint64_t whole = 0, frac = 0; /* wrap harmlessly when too long */
	for (; i < n && is_digit(s[i]); i++)
		whole = whole * 10 + (uint64_t)(s[i] - '0');
	size_t nint = i - start, nfrac = 0;
	if (nint == 0 || nint > 15 || (nint > 1 && s[start] == '0'))
		return false;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		if (n - f - 1 < 8 && n >= 8) {
			/* 1 to 8 decimals, the text's last bytes: read as one
			 * word, the text's 8 last bytes with those before the
			 * decimals made '0's (leading zeros). */
			nfrac = n - f;
			const uint64_t zeros = UINT64_C(0x3030303030303030);
			uint64_t before = ((uint64_t)1 << (8 * (8 - nfrac))) - 1;
			uint64_t w = (br_le64(s + n - 8) & ~before) | (zeros & before);
			if (br_nondigits(w))
				return false;
			frac = br_digits_value(w, 8);
			i = n;
		} else {
			for (; i < n && is_digit(s[i]); i++)
				frac = frac * 10 + (uint64_t)(s[i] - '0');
			nfrac = i - f;
			if (nfrac == 0 || nfrac > PICO_DECIMALS)
				return false;
		}
	}
	if (i != n)
		return false;
	br_pico v = (br_pico)whole * BR_PICO_PER_USD +
		    (br_pico)(frac * scale[nfrac]);
	*out = negative ? -v : v;
	return true;
}

/* money_parse of any text but the usual amount's (money_usual): out of
 * line, so that the usual amount's call saves no registers for it. */
static __attribute__((noinline)) int money_walk(const char *s, size_t n,
						u128 limit, br_pico *out)
{
	struct decimal d;
	if (decimal_parse(s, n, &d) != 0)
		return -1;
	long ndig = (long)(d.nint + d.nfrac);
	long first = 0; /* first significant digit */
	while (first < ndig && decimal_digit(&d, first) == 0)
		first++;
	if (first == ndig) {
		*out = 0;
		return 0;
	}
	/* The value in pico-dollars is the digits up to position point + 12;
	 * the next digit decides the rounding (half away from zero). A digit
	 * that would take it to limit or beyond refuses it before it can
	 * overflow (1e99999 too). */
	long end = d.point + PICO_DECIMALS;
	u128 v = 0;
	for (long k = first; k < end; k++) {
		unsigned digit = (unsigned)decimal_digit(&d, k);
		if (v > (limit - 1 - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (end >= first && decimal_digit(&d, end) >= 5)
		v++;
	/* Rounding may carry 999...9.9999999999995 up to the limit. */
	if (v >= limit)
		return -1;
	*out = d.negative ? -(br_pico)v : (br_pico)v;
	return 0;
}

/* Parses s to pico-dollars as br_money_parse does, refusing a magnitude
 * of limit pico-dollars or more (at least 1e15 USD). */
static inline __attribute__((always_inline)) int
money_parse(const char *s, size_t n, u128 limit,
			      br_pico *out)
{
	if (money_usual(s, n, out))
		return 0;
	return money_walk(s, n, limit, out);
}

int br_money_parse(const char *s, size_t n, br_pico *out)
{
	return money_parse(s, n, MAX_AMOUNT, out);
}

int br_money_parse_sum(const char *s, size_t n, br_pico *out)
{
	return money_parse(s, n, (u128)BR_PICO_MAX + 1, out);
}

int br_money_parse_exact(const char *s, size_t n, br_pico *out)
{
	struct decimal d;
	if (decimal_parse(s, n, &d) != 0)
		return -1;
	for (long k = d.point + PICO_DECIMALS; k < (long)(d.nint + d.nfrac); k++)
		if (decimal_digit(&d, k) != 0)
			return -2;
	return br_money_parse(s, n, out);
}

bool br_decimal_whole(const char *s, size_t n, uint64_t *out)
{
	struct decimal d;
	if (decimal_parse(s, n, &d) != 0)
		return false;
	/* The digits before the point make the value, those after it must
	 * be zeros; an exponent can put the point beyond the digits (1e3)
	 * or before them (5e-1). */
	uint64_t v = 0;
	for (long k = 0; k < (long)(d.nint + d.nfrac) || k < d.point; k++) {
		unsigned digit = (unsigned)decimal_digit(&d, k);
		if (k >= d.point) {
			if (digit)
				return false;
		} else if (v > ((uint64_t)INT64_MAX - digit) / 10) {
			return false;
		} else {
			v = v * 10 + digit;
		}
	}
	if (d.negative && v)
		return false;
	*out = v;
	return true;
}

int br_rate_parse(const char *s, size_t n, int64_t *pico_per_token)
{
	size_t i = 0;
	int64_t whole = 0, frac = 0;
	int nfrac = 0;
	if (n == 0 || !is_digit(s[0]))
		return -1;
	for (; i < n && is_digit(s[i]); i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > 1000000)
			return -1;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i == n)
			return -1;
		for (; i < n && is_digit(s[i]); i++) {
			if (++nfrac > 6)
				return -1;
			frac = frac * 10 + (s[i] - '0');
		}
	}
	if (i != n)
		return -1;
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	int64_t v = whole * 1000000 + frac;
	if (v > INT64_C(1000000000000))
		return -1;
	*pico_per_token = v;
	return 0;
}

br_pico br_pico_add(br_pico a, br_pico b)
{
	br_pico sum;
	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? BR_PICO_MAX : -BR_PICO_MAX;
	return sum < -BR_PICO_MAX ? -BR_PICO_MAX : sum;
}

br_pico br_pico_mul(br_pico a, int64_t k)
{
	br_pico product;
	if (__builtin_mul_overflow(a, (br_pico)k, &product))
		return (a > 0) == (k > 0) ? BR_PICO_MAX : -BR_PICO_MAX;
	return product < -BR_PICO_MAX ? -BR_PICO_MAX : product;
}

/* Rounds |v| to a multiple of unit, half away from zero; returns the
 * quotient (a magnitude). */
static u128 round_magnitude(br_pico v, u128 unit)
{
	u128 m = v < 0 ? (u128)0 - (u128)v : (u128)v;
	u128 q = m / unit, r = m % unit;
	if (r * 2 >= unit)
		q++;
	return q;
}

br_pico br_pico_round(br_pico v, int64_t unit)
{
	u128 q = round_magnitude(v, (u128)unit);
	/* A quotient of at most BR_PICO_MAX / unit + 1: its product saturates. */
	br_pico m = br_pico_mul((br_pico)q, unit);
	return v < 0 ? -m : m;
}

int64_t br_pico_to_micro(br_pico v)
{
	u128 q = round_magnitude(v, 1000000);
	return v < 0 ? -(int64_t)q : (int64_t)q;
}

/* Writes the decimal digits of m into buf and returns the length. */
static size_t u128_digits(u128 m, char *buf)
{
	char tmp[48];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

/* Writes sign, whole part, '.', and `decimals` digits of the magnitude m
 * (in units of 10^-decimals). */
static char *format_fixed(bool negative, u128 m, int decimals, char *buf)
{
	u128 scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	char *p = buf;
	if (negative && m != 0)
		*p++ = '-';
	p += u128_digits(m / scale, p);
	*p++ = '.';
	u128 frac = m % scale;
	for (int i = decimals - 1; i >= 0; i--) {
		p[i] = (char)('0' + (int)(frac % 10));
		frac /= 10;
	}
	p[decimals] = 0;
	return buf;
}

char *br_money_format(br_pico v, char *buf)
{
	return format_fixed(v < 0, round_magnitude(v, 1000000), 6, buf);
}

char *br_money_format_exact(br_pico v, char *buf)
{
	format_fixed(v < 0, round_magnitude(v, 1), PICO_DECIMALS, buf);
	size_t n = strlen(buf);
	while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = 0;
	return buf;
}

br_pico br_money_estimate(double usd)
{
	/* In 128 bits: llround is undefined beyond 2^63 micro-dollars
	 * (about $9.2 trillion), which a month of large sums reaches. */
	double micro = round(usd * 1e6);
	if (micro != micro)
		micro = 0;
	const double lim = 1e30; /* far inside br_pico, x 1e6 */
	if (micro > lim)
		micro = lim;
	else if (micro < -lim)
		micro = -lim;
	return (br_pico)micro * 1000000;
}
