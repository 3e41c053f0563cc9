/* forecast.c - backtests the month-end projection (report/forecast.c) on
 * synthetic spend histories and prints its error beside the naive run rate
 * (month to date / days elapsed x days in month) and the coverage of its 80%
 * interval. Run by `make bench-forecast`; figures in docs/FORECAST.md.
 *
 * Histories (deterministic, seeded): a level with noise, and any mix of a
 * trend, a weekly pattern, spikes, and a new model launched mid-month that
 * steps spend up. Each history has 2 months of warm-up, then each later
 * month is projected from days 7, 14 and 21.
 *
 * Then a second, independent set (validation): other seeds and other
 * shapes, on the calendar, passed to forecast_period as report.c passes
 * them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/report.h"

#define SERIES 400
#define MONTHS 6
#define DAYS (MONTHS * 30)

static uint64_t rng_state;

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	double u = uniform(), v = uniform();
	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* ------------------------------------------------------------ validation */

#define VAL_SERIES 200 /* per scenario */
#define VAL_DAYS 240
#define WINDOW 63 /* the days report.c passes */

enum scenario { LOW_NOISE, HIGH_NOISE, STEPS, DECAY, SPARSE, FIRST_MONTH,
		MIXED, FLAT, EXPLOSIVE, PROFILE, SPIKY, WEEKDAYS, RAMP, STOPPED,
		BATCH, SCENARIOS };

static const char *const scenario_names[SCENARIOS] = {
	"low noise", "high noise", "level steps", "slow decay", "sparse",
	"first month", "mixed", "flat", "explosive", "weekday profile",
	"spiky", "weekdays only", "ramp-up", "stopped", "weekly batch"};

/* A validation history: v[i] is the spend of day day0 + i; none before
 * v[first]. */
struct history {
	int32_t day0;
	int first;
	double v[VAL_DAYS];
};

/* Draws a history of scenario sc. All have log-normal noise (5-35%) and
 * 40% a weekend at 10-80%, over a level of $0.50-$1000 a day; then:
 * low noise: 1-8%; high noise: 40-80%; level steps: 1-3 changes of level
 * (x0.4-x2.5); slow decay: -0.2% to -1% a day; sparse: 30-85% of days
 * without spend; first month: data from 20-60 days before the end;
 * mixed: any of these at random; flat: noise 2-12%; explosive: growth of
 * 2-5% a day; weekday profile: every weekday its own factor (0.3-1.7);
 * spiky: spikes on 2-12% of days (2-12x); weekdays only: nothing on
 * weekends; ramp-up: a new user growing towards a plateau; stopped:
 * spending stops (or falls to 2-22%) on a random day; weekly batch: one
 * weekday spends 3-23 times the others. */
static void draw_history(enum scenario sc, struct history *h)
{
	h->day0 = br_day_from_civil(2024, 1, 1) + (int32_t)(uniform() * 700);
	h->first = 0;
	double level = exp(log(0.5) + uniform() * log(2000.0));
	double noise = 0.05 + 0.3 * uniform();
	double growth = 0, wf[7] = {1, 1, 1, 1, 1, 1, 1};
	double spike_p = 0, zero_p = 0;
	int nsteps = 0, step_day[3];
	double step_f[3];
	if (uniform() < 0.4)
		wf[5] = wf[6] = 0.1 + 0.7 * uniform();
	if (sc == LOW_NOISE)
		noise = 0.01 + 0.07 * uniform();
	if (sc == HIGH_NOISE)
		noise = 0.4 + 0.4 * uniform();
	if (sc == STEPS || sc == MIXED) {
		nsteps = sc == STEPS ? 1 + (int)(uniform() * 3) : (int)(uniform() * 2);
		for (int i = 0; i < nsteps; i++) {
			step_day[i] = 30 + (int)(uniform() * (VAL_DAYS - 30));
			step_f[i] = exp(log(0.4) + uniform() * log(2.5 / 0.4));
		}
	}
	if (sc == DECAY)
		growth = -(0.002 + 0.008 * uniform());
	if (sc == MIXED && uniform() < 0.5)
		growth = (uniform() - 0.4) * 0.025;
	if (sc == EXPLOSIVE)
		growth = 0.02 + 0.03 * uniform();
	if (sc == SPARSE)
		zero_p = 0.3 + 0.55 * uniform();
	if (sc == MIXED && uniform() < 0.3)
		zero_p = 0.6 * uniform();
	if (sc == PROFILE || (sc == MIXED && uniform() < 0.3))
		for (int i = 0; i < 7; i++)
			wf[i] = 0.3 + 1.4 * uniform();
	if (sc == WEEKDAYS) {
		wf[5] = wf[6] = 0;
		if (uniform() < 0.5)
			zero_p = 0.5 * uniform();
	}
	if (sc == RAMP) {
		h->first = VAL_DAYS - 70 + (int)(uniform() * 40);
		growth = 0.01 + 0.05 * uniform();
	}
	if (sc == STOPPED) {
		nsteps = 1;
		step_day[0] = 60 + (int)(uniform() * (VAL_DAYS - 60));
		step_f[0] = uniform() < 0.5 ? 0 : 0.02 + 0.2 * uniform();
		if (uniform() < 0.3)
			zero_p = 0.3 * uniform();
	}
	if (sc == BATCH) {
		int day = (int)(uniform() * 7);
		wf[day] = 3 + 20 * uniform();
	}
	if (sc == SPIKY)
		spike_p = 0.02 + 0.1 * uniform();
	if (sc == MIXED && uniform() < 0.4)
		spike_p = 0.01 + 0.08 * uniform();
	if (sc == FLAT)
		noise = 0.02 + 0.1 * uniform();
	double spike = 2 + 10 * uniform();
	if (sc == FIRST_MONTH)
		h->first = VAL_DAYS - 60 + (int)(uniform() * 40);
	else if (sc == MIXED && uniform() < 0.2)
		h->first = 60 + (int)(uniform() * 120);
	double wsum = 0;
	for (int i = 0; i < 7; i++)
		wsum += wf[i];
	for (int d = 0; d < VAL_DAYS; d++) {
		h->v[d] = 0;
		if (d < h->first)
			continue;
		double x = level * exp(growth * (d - 150));
		if (sc == RAMP)
			x = level * (1 - exp(-growth * (d - h->first + 1)));
		if (sc == EXPLOSIVE && x > level * 50)
			x = level * 50;
		x *= wf[br_day_weekday(h->day0 + d)] * 7 / wsum;
		for (int i = 0; i < nsteps; i++)
			if (d >= step_day[i])
				x *= step_f[i];
		double v = x / (1 - zero_p) * exp(noise * gauss() - noise * noise / 2);
		if (uniform() < zero_p)
			v = 0;
		if (uniform() < spike_p)
			v *= spike * (0.5 + uniform());
		h->v[d] = v;
	}
}

/* Error, naive error and coverage of the projections of scenario sc. */
struct tally {
	double err, naive_err;
	int inside, count;
};

/* Projects every calendar month of h from its days 7, 14 and 21 with
 * what report.c would pass: the WINDOW days up to then, from the first
 * with spend, the month's earlier days counted as zero. */
static void project_history(const struct history *h, struct tally *t)
{
	for (int d = 60; d < VAL_DAYS; d++) {
		int32_t start = h->day0 + d;
		if (br_day_month_start(start) != start)
			continue;
		int len = br_day_month_length(start);
		int32_t end = start + len - 1;
		if (end - h->day0 >= VAL_DAYS)
			break;
		if (end - h->day0 < h->first)
			continue;
		double actual = 0;
		for (int32_t x = start; x <= end; x++)
			actual += h->v[x - h->day0];
		if (actual <= 0)
			continue;
		for (int c = 7; c <= 21; c += 7) {
			int32_t as_of = start + c - 1;
			if (as_of - h->day0 < h->first)
				continue;
			int32_t window = as_of - WINDOW + 1, first = as_of;
			for (int32_t x = window; x <= as_of; x++)
				if (x >= h->day0 && h->v[x - h->day0] > 0) {
					first = x;
					break;
				}
			if (first > start && start >= window)
				first = start;
			if (first < window)
				first = window;
			size_t n = (size_t)(as_of - first + 1);
			double buf[WINDOW];
			for (size_t i = 0; i < n; i++) {
				int at = first + (int32_t)i - h->day0;
				buf[i] = at >= 0 ? h->v[at] : 0;
			}
			struct forecast f;
			forecast_period(buf, n, first, start, end, &f);
			double naive = f.actual / c * len;
			t->err += fabs(f.projected - actual) / actual;
			t->naive_err += fabs(naive - actual) / actual;
			t->inside += actual >= f.low && actual <= f.high;
			t->count++;
		}
	}
}

/* Prints the validation table; true if every scenario beats the naive
 * run rate. */
static bool validate(void)
{
	printf("\nvalidation: %d histories per scenario on the calendar, "
	       "each month projected from days 7, 14, 21\n", VAL_SERIES);
	printf("%-16s %12s %12s %8s %14s\n", "scenario", "MAPE", "naive MAPE",
	       "ratio", "80% coverage");
	bool ok = true;
	double ratios = 0, all = 0, all_naive = 0;
	int all_in = 0, all_n = 0;
	for (int sc = 0; sc < SCENARIOS; sc++) {
		rng_state = 0x1234567u * (uint64_t)(sc + 3) + 99;
		struct tally t = {0};
		struct history h;
		for (int s = 0; s < VAL_SERIES; s++) {
			draw_history((enum scenario)sc, &h);
			project_history(&h, &t);
		}
		printf("%-16s %11.2f%% %11.2f%% %8.2f %13.1f%%\n",
		       scenario_names[sc], 100 * t.err / t.count,
		       100 * t.naive_err / t.count, t.err / t.naive_err,
		       100.0 * t.inside / t.count);
		ok = ok && t.err < t.naive_err;
		ratios += t.err / t.naive_err;
		all += t.err;
		all_naive += t.naive_err;
		all_in += t.inside;
		all_n += t.count;
	}
	printf("%-16s %11.2f%% %11.2f%% %8.2f %13.1f%%\n", "all",
	       100 * all / all_n, 100 * all_naive / all_n, all / all_naive,
	       100.0 * all_in / all_n);
	printf("mean ratio over scenarios %.2f; every scenario below naive: %s\n",
	       ratios / SCENARIOS, ok ? "yes" : "NO");
	return ok;
}

int main(void)
{
	rng_state = 0x9E3779B97F4A7C15u;
	static const int cutoffs[] = {7, 14, 21};
	double err[3] = {0}, naive_err[3] = {0};
	int inside[3] = {0}, count[3] = {0};
	/* Months are 30 days here; day 0 is a Monday + offset per series. */
	for (int s = 0; s < SERIES; s++) {
		double daily[DAYS];
		double level = 20 + 200 * uniform();
		double growth = uniform() < 0.5 ? (uniform() - 0.3) * 0.02 : 0;
		bool weekly = uniform() < 0.6, spikes = uniform() < 0.4,
		     launch = uniform() < 0.3;
		double noise = 0.08 + 0.25 * uniform();
		int offset = (int)(uniform() * 7);
		int launch_day = 2 * 30 + 10 + (int)(uniform() * 90);
		for (int d = 0; d < DAYS; d++) {
			double v = level * exp(growth * d);
			int wd = (d + offset) % 7;
			if (weekly && wd >= 5)
				v *= 0.35;
			if (launch && d >= launch_day)
				v *= 1.6;
			v *= exp(noise * gauss() - noise * noise / 2);
			if (spikes && uniform() < 0.04)
				v *= 3 + 4 * uniform();
			daily[d] = v;
		}
		int32_t first_day = 4 + offset; /* day 0's weekday is offset */
		for (int m = 2; m < MONTHS; m++) {
			double actual = 0;
			for (int d = m * 30; d < (m + 1) * 30; d++)
				actual += daily[d];
			for (int c = 0; c < 3; c++) {
				int t = cutoffs[c];
				size_t n = (size_t)(m * 30 + t);
				struct forecast f;
				forecast_period(daily, n, first_day, first_day + m * 30,
						first_day + m * 30 + 29, &f);
				double naive = f.actual / t * 30;
				err[c] += fabs(f.projected - actual) / actual;
				naive_err[c] += fabs(naive - actual) / actual;
				inside[c] += actual >= f.low && actual <= f.high;
				count[c]++;
			}
		}
	}
	printf("month-end projection backtest: %d synthetic histories, %d "
	       "months each projected from days 7, 14, 21\n", SERIES, MONTHS - 2);
	printf("%-6s %12s %12s %8s %14s\n", "day", "MAPE", "naive MAPE", "ratio",
	       "80% coverage");
	double all = 0, all_naive = 0;
	int all_in = 0, all_n = 0;
	for (int c = 0; c < 3; c++) {
		printf("%-6d %11.2f%% %11.2f%% %8.2f %13.1f%%\n", cutoffs[c],
		       100 * err[c] / count[c], 100 * naive_err[c] / count[c],
		       err[c] / naive_err[c], 100.0 * inside[c] / count[c]);
		all += err[c];
		all_naive += naive_err[c];
		all_in += inside[c];
		all_n += count[c];
	}
	printf("%-6s %11.2f%% %11.2f%% %8.2f %13.1f%%\n", "all", 100 * all / all_n,
	       100 * all_naive / all_n, all / all_naive, 100.0 * all_in / all_n);
	bool ok = all <= 0.8 * all_naive && all_in >= 0.7 * all_n &&
		  all_in <= 0.9 * all_n;
	printf("targets (error <= 0.8x naive, coverage 70-90%%): %s\n",
	       ok ? "met" : "NOT met");
	ok = validate() && ok;
	return ok ? 0 : 1;
}
