/* forecast.c - projects spend to the end of a period with an 80% interval:
 * a weekday-aware, damped-trend run rate whose interval comes from the
 * variation of recent days (method and backtest: docs/FORECAST.md).
 *
 * Projections are estimates, not sums of money: they use doubles, and are
 * rounded to micro-dollars only when printed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* The constants were chosen on the backtest of bench/forecast.c
 * (docs/FORECAST.md), never on the data being projected. */
#define HISTORY_DAYS 56   /* eight weeks of weekday pattern */
#define LEVEL_DAYS 56     /* the window of the level, trend and noise */
#define BLEND_DAYS 28.0   /* weight of the period's own mean: n/(n+28) */
#define TREND_DAMPING 0.5 /* half the fitted growth is carried forward */
#define SD_SCALE 1.8      /* interval width for 80% coverage */
#define Z80 1.2815515655446004 /* two-sided 80%: the 90th percentile */

/* Weekday of a day number (0 = Monday): 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
	int w = (int)((day + 3) % 7);
	return w < 0 ? w + 7 : w;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void forecast_period(const double *daily, size_t n, int32_t first_day,
		     int32_t period_start, int32_t period_end,
		     struct forecast *out)
{
	memset(out, 0, sizeof *out);
	int32_t as_of = first_day + (int32_t)n - 1;
	/* Spent so far in the period. */
	for (int32_t d = period_start; d <= as_of && d <= period_end; d++)
		if (d >= first_day)
			out->actual += daily[d - first_day];
	int32_t h = period_end - as_of; /* days left to project */
	out->projected = out->low = out->high = out->actual;
	out->method = "weekday-aware damped-trend run rate";
	if (h <= 0 || n == 0)
		return;

	/* The history the projection learns from: at most HISTORY_DAYS. */
	size_t hn = n < HISTORY_DAYS ? n : HISTORY_DAYS;
	const double *hist = daily + (n - hn);
	int32_t hist_first = as_of - (int32_t)hn + 1;

	/* Weekday factors: mean spend per weekday over the mean, shrunk
	 * towards 1 while few weeks are known, then normalised. */
	double wsum[7] = {0}, wcount[7] = {0}, total = 0;
	for (size_t i = 0; i < hn; i++) {
		int w = weekday(hist_first + (int32_t)i);
		wsum[w] += hist[i];
		wcount[w] += 1;
		total += hist[i];
	}
	double mean = total / (double)hn, factor[7];
	double fsum = 0;
	for (int w = 0; w < 7; w++) {
		double raw = wcount[w] > 0 && mean > 0 ? wsum[w] / wcount[w] / mean : 1;
		double weeks = wcount[w];
		double shrink = weeks >= 2 ? weeks / (weeks + 2) : 0;
		factor[w] = 1 + shrink * (raw - 1);
		if (factor[w] < 0.05)
			factor[w] = 0.05;
		fsum += factor[w];
	}
	for (int w = 0; w < 7; w++)
		factor[w] *= 7 / fsum;

	/* Deseasonalised recent days, clipped at 3x their median so that one
	 * spike does not become the level. */
	size_t ln = hn < LEVEL_DAYS ? hn : LEVEL_DAYS;
	int32_t level_first = as_of - (int32_t)ln + 1;
	double des[LEVEL_DAYS], sorted[LEVEL_DAYS];
	for (size_t i = 0; i < ln; i++) {
		int32_t d = level_first + (int32_t)i;
		des[i] = daily[d - first_day] / factor[weekday(d)];
		sorted[i] = des[i];
	}
	double med = median(sorted, ln);
	double excess = 0; /* what spikes add per day, on average */
	for (size_t i = 0; i < ln; i++)
		if (med > 0 && des[i] > 3 * med) {
			excess += des[i] - 3 * med;
			des[i] = 3 * med;
		}
	excess /= (double)ln;

	/* Level and trend: a least-squares line through the logarithms of
	 * the deseasonalised days (growth is multiplicative), its slope
	 * damped when projected; no trend until a week is known. */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t m = 0;
	for (size_t i = 0; i < ln; i++) {
		if (des[i] <= 0)
			continue;
		double x = (double)i, y = log(des[i]);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		m++;
	}
	double slope = 0, a = 0, resid = 0;
	if (m > 0) {
		double den = (double)m * sxx - sx * sx;
		if (m >= 7 && den > 0)
			slope = ((double)m * sxy - sx * sy) / den;
		a = (sy - slope * sx) / (double)m;
		for (size_t i = 0; i < ln; i++)
			if (des[i] > 0) {
				double e = log(des[i]) - (a + slope * (double)i);
				resid += e * e;
			}
		resid = m > 2 ? resid / (double)(m - 2) : 0.25;
	}
	double zero_share = 1 - (double)m / (double)ln; /* days without spend */
	double n_eff = (double)(m ? m : 1);
	double damped = TREND_DAMPING * slope;
	/* E[exp(noise)] = exp(var / 2): the mean of a log-normal day. */
	double lvl = (1 - zero_share) * exp(a + slope * (double)(ln - 1) + resid / 2);
	/* Blend with the period's own deseasonalised mean so far, which
	 * follows a change of regime (a new model, a new team) sooner. */
	double pm = 0;
	int pn = 0;
	for (int32_t d = period_start > level_first ? period_start : level_first;
	     d <= as_of; d++) {
		pm += des[d - level_first];
		pn++;
	}
	if (pn > 0) {
		double w = (double)pn / ((double)pn + BLEND_DAYS);
		lvl = (1 - w) * lvl + w * (pm / pn);
	}

	/* Noise: the relative deviation of recent days (spikes included)
	 * from the fit, as a root mean square. */
	double ss = 0;
	size_t nd = 0;
	for (size_t i = 0; i < ln; i++) {
		int32_t d = level_first + (int32_t)i;
		double fit = lvl * exp(-slope * (double)(ln - 1 - i)) + excess;
		if (fit > 0) {
			double r = daily[d - first_day] / factor[weekday(d)] / fit - 1;
			ss += r * r;
			nd++;
		}
	}
	double rel = nd ? sqrt(ss / (double)nd) : 1.0;
	if (rel < 0.02)
		rel = 0.02;
	if (nd < 7)
		rel = rel > 0.5 ? rel : 0.5; /* little history: wide */

	/* Project the days left. */
	double rest = 0, var_days = 0;
	for (int32_t j = 1; j <= h; j++) {
		double f = (lvl * exp(damped * j) + excess) * factor[weekday(as_of + j)];
		if (f < 0)
			f = 0;
		rest += f;
		var_days += f * f * rel * rel;
	}
	/* Independent daily noise, plus the uncertainty of the level itself
	 * (shared by every day left), plus that of the trend. */
	double var_level = rest * rest * rel * rel / n_eff;
	double var_trend = 0;
	if (slope != 0 && m >= 7) {
		double tr = 0;
		for (int32_t j = 1; j <= h; j++)
			tr += j * factor[weekday(as_of + j)];
		double slope_sd = lvl * rel * sqrt(12.0 / ((double)m * m * m));
		var_trend = tr * tr * slope_sd * slope_sd;
	}
	double sd = SD_SCALE * sqrt(var_days + var_level + var_trend);
	out->projected = out->actual + rest;
	out->low = out->actual + (rest - Z80 * sd > 0 ? rest - Z80 * sd : 0);
	out->high = out->actual + rest + Z80 * sd;
	out->daily_rate = h > 0 ? rest / h : 0;
}
