/* forecast.c - backtests the month-end projection (report/forecast.c) on
 * synthetic spend histories and prints its error beside the naive run rate
 * (month to date / days elapsed x days in month) and the coverage of its 80%
 * interval. Run by `make bench-forecast`; figures in docs/FORECAST.md.
 *
 * Histories (deterministic, seeded): a level with noise, and any mix of a
 * trend, a weekly pattern, spikes, and a new model launched mid-month that
 * steps spend up. Each history has 2 months of warm-up, then each later
 * month is projected from days 7, 14 and 21. */
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
		int32_t first_day = 4 - offset; /* day 0's weekday is offset */
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
	return ok ? 0 : 1;
}
