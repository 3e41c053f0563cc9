/* forecast.c - projects spend to the end of a period with an 80% interval:
 * a weekday-aware run rate whose level, trend and changes of level are
 * averaged over candidate models, each weighted by how well it explains
 * the recent days (method and backtest: docs/FORECAST.md).
 *
 * Projections are estimates, not sums of money: they use doubles, and are
 * rounded to micro-dollars only when printed. */
#include <math.h>
#include <string.h>

#include "report/report.h"

/* The constants were chosen on the backtests of bench/forecast.c
 * (docs/FORECAST.md), never on the data being projected. */
#define HISTORY_DAYS 63   /* the days report.c keeps: nine weeks */
#define WEEKDAY_DAYS 14   /* days of history before weekday factors */
#define QUIET_FACTOR 0.2  /* weekdays below this factor say little */
#define SPIKE 2.5         /* a day above 2.5x its fortnight's median */
#define TREND_DAYS 14     /* days with spend before a trend is fitted */
#define STEP_BEFORE 5     /* days a change of level needs before it, */
#define STEP_AFTER 3      /* after it, */
#define NEW_TREND_DAYS 7  /* and after it for a trend of its own */
#define STEP_PRIOR 6.0    /* a change of level's extra penalty (BIC) */
#define STEADY_SE 2.0     /* one day moving a slope by 2 of its s.e. */
#define TREND_SHRINK 3.0  /* slopes are kept in proportion t^2/(t^2+3) */
#define GROWTH_MAX 0.05   /* growth beyond as_of: at most 5% a day */
#define DAMPING 0.97      /* each day ahead keeps 97% of the growth */
#define STOP_PRIOR 0.001  /* the prior odds that spending has stopped */
#define SD_SCALE 1.2      /* interval width for 80% coverage */
#define Z80 1.2815515655446004 /* two-sided 80%: the 90th percentile */

/* Weekday of a day number (0 = Monday): 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
	int w = (int)((day + 3) % 7);
	return w < 0 ? w + 7 : w;
}

/* Median of v[0..n-1] (0 if n is 0), sorting v. */
static double median(double *v, int n)
{
	for (int i = 1; i < n; i++) {
		double x = v[i];
		int at = i;
		for (; at > 0 && v[at - 1] > x; at--)
			v[at] = v[at - 1];
		v[at] = x;
	}
	if (n == 0)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* v[i] clipped at SPIKE times the median of the positive v[j] within 7
 * days of it. */
static double unspiked(const double *v, int n, int i)
{
	double t[15];
	int c = 0;
	for (int j = i - 7; j <= i + 7; j++)
		if (j >= 0 && j < n && v[j] > 0)
			t[c++] = v[j];
	double md = median(t, c);
	return md > 0 && v[i] > SPIKE * md ? SPIKE * md : v[i];
}

/* Weekday factors of x[0..n-1] (x[0] is day x0), mean 1: each day over
 * the mean of the week around it (spikes clipped), averaged per weekday
 * and shrunk towards 1 as far as that mean is uncertain. A credit day
 * (x[i] < 0) is unknown: it has no ratio, and the mean of a week around
 * is that of its other days. */
static void weekday_factors(const double *x, int n, int32_t x0,
			    double factor[7])
{
	for (int w = 0; w < 7; w++)
		factor[w] = 1;
	if (n < WEEKDAY_DAYS)
		return;
	double clip[HISTORY_DAYS], ratio[7][HISTORY_DAYS / 7 + 1];
	int count[7] = {0};
	for (int i = 0; i < n; i++)
		clip[i] = unspiked(x, n, i);
	for (int i = 0; i < n; i++) {
		int lo = i < 3 ? 0 : i + 4 > n ? n - 7 : i - 3;
		double week = 0;
		int known = 0;
		for (int j = lo; j < lo + 7; j++)
			if (x[j] >= 0) {
				week += clip[j];
				known++;
			}
		int w = weekday(x0 + i);
		if (week > 0 && x[i] >= 0)
			ratio[w][count[w]++] = x[i] * known / week;
	}
	double fsum = 0;
	for (int w = 0; w < 7; w++) {
		int c = count[w];
		if (c > 1) {
			/* Each clipped at SPIKE times the weekday's median: a
			 * weekly batch job is a pattern, one spike is not. */
			double md = median(ratio[w], c), sum = 0, sq = 0;
			for (int i = 0; i < c; i++) {
				double r = md > 0 && ratio[w][i] > SPIKE * md
						   ? SPIKE * md : ratio[w][i];
				sum += r;
				sq += r * r;
			}
			double mean = sum / c, var = (sq - c * mean * mean) / (c - 1);
			double d2 = (mean - 1) * (mean - 1);
			/* Without spread (se 0) a difference is kept whole: a
			 * weekday that never spends has factor 0, and projects
			 * nothing (a floor of 0.02 here projected $0.14 of
			 * weekends a month for a team that never works them,
			 * and a false forecast alert). */
			double keep = var <= 0 && d2 > 0 ? 1 : d2 / (d2 + var / c + 1e-12);
			factor[w] = 1 + keep * (mean - 1);
		}
		if (factor[w] < 0)
			factor[w] = 0;
		fsum += factor[w];
	}
	/* fsum > 0: the first day spends, so its weekday's factor is 1 (one
	 * ratio) or above 0 (the mean of ratios, one positive, is kept in
	 * part or whole). */
	for (int w = 0; w < 7; w++)
		factor[w] = fsum > 0 ? factor[w] * 7 / fsum : 1;
}

/* Sums over days for least squares of y (log spend) on x (day index). */
struct sums {
	double n, x, xx, y, xy, yy;
};

static struct sums sums_minus(struct sums a, const struct sums *b)
{
	a.n -= b->n;
	a.x -= b->x;
	a.xx -= b->xx;
	a.y -= b->y;
	a.xy -= b->xy;
	a.yy -= b->yy;
	return a;
}

static double sxx(const struct sums *s)
{
	return s->n > 0 ? s->xx - s->x * s->x / s->n : 0;
}

static double sxy(const struct sums *s)
{
	return s->n > 0 ? s->xy - s->x * s->y / s->n : 0;
}

static double syy(const struct sums *s)
{
	return s->n > 0 ? s->yy - s->y * s->y / s->n : 0;
}

/* A candidate model of the log of the deseasonalised days: the line
 * a1 + b1 x before day k and a2 + b2 x from it (k = 0: one line). */
struct model {
	double a1, b1, a2, b2;
	double sse, sxx; /* residual sum of squares; spread of x behind b2 */
	double params, score;
	int k;
	bool trend;
};

/* The slope of the days of seg (days lo..hi-1 of pre, n days in all) and
 * other, on one line each with a common slope, that no one day of seg
 * makes. b is their least-squares slope, se its standard error, best the
 * slope kept so far (b, or a caller's earlier answer). Of the slopes with
 * one day of seg left out (or, if seg ends the history, its last two or
 * three days: a change of level too recent for a model of its own) that
 * differ from b by more than STEADY_SE standard errors, the nearest to
 * zero; zero if one turns b around. In a steady history one day far off
 * its line is most of the squared error, and the pooled noise is small:
 * a line through the last 7 days with a spike at their end took it for
 * growth of 4% a day (docs/FORECAST.md). */
static double steady_slope(const struct sums *pre, int n, int lo, int hi,
			   const struct sums *seg, const struct sums *other,
			   double b, double se, double best)
{
	for (int j = lo; j < hi + STEP_AFTER - 1 && best != 0; j++) {
		/* Each day, then the last two and three days at the end. */
		struct sums day;
		if (j < hi)
			day = sums_minus(pre[j + 1], &pre[j]);
		else if (hi == n && hi - (j - hi + 2) > lo)
			day = sums_minus(pre[hi], &pre[hi - (j - hi + 2)]);
		else
			break;
		if (day.n <= 0)
			continue;
		struct sums rest = sums_minus(*seg, &day);
		double den = sxx(&rest) + sxx(other);
		double bj = den > 0 ? (sxy(&rest) + sxy(other)) / den : 0;
		if (fabs(bj - b) <= STEADY_SE * se)
			continue; /* within the slope's noise */
		if (bj * b <= 0)
			best = 0;
		else if (fabs(bj) < fabs(best))
			best = bj;
	}
	return best;
}

/* The intercept of the line of slope b through the days of seg (days
 * lo..hi-1 of pre; a its least-squares intercept) that no one day makes,
 * as steady_slope's slope: of the intercepts with each day left out
 * that differ from a by more than STEADY_SE standard errors (se), the
 * nearest to before (the line before the change), before itself if
 * leaving one out crosses it. A change of level of three days, one of
 * them a spike, had moved a steady projection by 12%. */
static double steady_level(const struct sums *pre, int lo, int hi,
			   const struct sums *seg, double b, double a,
			   double before, double se)
{
	double best = a;
	for (int j = lo; j < hi && seg->n > 1 && best != before; j++) {
		struct sums day = sums_minus(pre[j + 1], &pre[j]);
		if (day.n <= 0)
			continue;
		double aj = (seg->y - day.y - b * (seg->x - day.x)) / (seg->n - 1);
		if (fabs(aj - a) <= STEADY_SE * se)
			continue;
		if ((aj - before) * (a - before) <= 0)
			best = before;
		else if (fabs(aj - before) < fabs(best - before))
			best = aj;
	}
	return best;
}

/* The residual sum of squares of the days of s about a line of slope b
 * (its level fitted). */
static double sse_at(const struct sums *s, double b)
{
	return syy(s) - 2 * b * sxy(s) + b * b * sxx(s);
}

/* Fits m (its k and trend set) to the days before k (s1) and from k
 * (s2), pre their sums from day 0 (n days), both lines on one slope if
 * shared; false if too few days. The slopes are steady_slope's, the new
 * level steady_level's, and sse is about the lines kept: a model that
 * one day makes loses its weight too. */
static bool fit_model(struct model *m, const struct sums *pre, int n,
		      const struct sums *s1, const struct sums *s2, bool shared)
{
	static const struct sums none;
	if (m->k > 0 && (s1->n < 2 || s2->n < 2))
		return false;
	if (m->trend && !shared && s2->n < NEW_TREND_DAYS)
		return false;
	m->params = 1 + m->trend + (m->k > 0) + (m->trend && !shared);
	m->b1 = m->b2 = 0;
	m->sxx = sxx(s2) + (shared ? sxx(s1) : 0);
	/* Least squares first, for the noise of the slopes. */
	double b1 = 0, b2 = 0;
	if (m->trend && shared && m->sxx > 0) {
		b1 = b2 = (sxy(s1) + sxy(s2)) / m->sxx;
	} else if (m->trend && !shared) {
		b1 = sxx(s1) > 0 ? sxy(s1) / sxx(s1) : 0;
		b2 = sxx(s2) > 0 ? sxy(s2) / sxx(s2) : 0;
	}
	if (b1 != 0 || b2 != 0) {
		double dof = s1->n + s2->n - m->params;
		double sse = sse_at(s1, b1) + sse_at(s2, b2);
		double s2dev = dof > 0 && sse > 0 ? sse / dof : INFINITY;
		double se1 = sqrt(s2dev / sxx(s1)), se2 = sqrt(s2dev / m->sxx);
		if (shared) {
			double b = steady_slope(pre, n, 0, m->k, s1, s2, b2,
						se2, b2);
			m->b1 = m->b2 = steady_slope(pre, n, m->k, n, s2, s1,
						     b2, se2, b);
		} else {
			m->b1 = steady_slope(pre, n, 0, m->k, s1, &none, b1,
					     se1, b1);
			m->b2 = steady_slope(pre, n, m->k, n, s2, &none, b2,
					     se2, b2);
		}
	}
	m->sse = sse_at(s1, m->b1) + sse_at(s2, m->b2);
	if (m->sse < 0)
		m->sse = 0;
	m->a1 = s1->n > 0 ? (s1->y - m->b1 * s1->x) / s1->n : 0;
	m->a2 = (s2->y - m->b2 * s2->x) / s2->n;
	if (m->k > 0) {
		/* The new level, as no one day of it makes it: the change
		 * is measured at k, from the line before. */
		double dof = s1->n + s2->n - m->params;
		double se = dof > 0 && m->sse > 0
				    ? sqrt(m->sse / dof / s2->n) : INFINITY;
		double before = m->a1 + (m->b1 - m->b2) * m->k;
		double a2 = steady_level(pre, m->k, n, s2, m->b2, m->a2,
					 before, se);
		m->sse += s2->n * (a2 - m->a2) * (a2 - m->a2);
		m->a2 = a2;
	}
	return true;
}

/* The days of the history, deseasonalised. */
struct history {
	int n;
	int32_t first, as_of;
	double factor[7];
	double des[HISTORY_DAYS];  /* spend / weekday factor */
	double cdes[HISTORY_DAYS]; /* the same, spikes clipped */
	double wt[HISTORY_DAYS];   /* what a day says about the level */
	double spike;              /* what spikes add: des over cdes */
	double spending;           /* days with spend */
};

/* Projects the h days after as_of under model m: *rest their sum, *var
 * its variance. False if the model's segment says nothing. */
static bool project_model(const struct history *hs, const struct model *m,
			  int32_t h, double *rest, double *var)
{
	int n = hs->n, seg = m->k;
	/* The slope, shrunk by its evidence. */
	double b = m->b2;
	if (b != 0 && m->sxx > 0) {
		double dof = hs->spending - m->params;
		double s2 = dof > 0 ? m->sse / dof : 0.25;
		double t2 = s2 > 0 ? b * b * m->sxx / s2 : 1e9;
		b *= t2 / (t2 + TREND_SHRINK);
	}
	/* The level at as_of: the segment's days carried forward by the
	 * trend, weighted, spikes spread back as their average. */
	double s = 0, sw = 0, g = 1, eb = exp(b);
	for (int i = n - 1; i >= seg; i--) {
		s += hs->wt[i] * hs->cdes[i] * g;
		sw += hs->wt[i];
		g *= eb;
	}
	if (sw <= 0)
		return false;
	double level = s / sw * hs->spike;
	/* Beyond as_of, the growth is bounded. */
	if (b > GROWTH_MAX)
		b = GROWTH_MAX;
	if (b < -GROWTH_MAX)
		b = -GROWTH_MAX;
	eb = exp(b);
	/* Daily noise: the relative deviation of the days (spikes
	 * included) from the model's lines, scaled to their mean. */
	double fit[HISTORY_DAYS], fs = 0, ds = 0;
	double step1 = exp(m->b1), step2 = exp(m->b2);
	for (int i = 0; i < n; i++) {
		if (i == 0 || i == seg) {
			double y = i < seg ? m->a1 + m->b1 * i : m->a2 + m->b2 * i;
			fit[i] = exp(y < 700 ? y : 700);
		} else {
			fit[i] = fit[i - 1] * (i < seg ? step1 : step2);
		}
		fs += hs->wt[i] * fit[i];
		ds += hs->wt[i] * hs->des[i];
	}
	double scale = fs > 0 ? ds / fs : 1, ss = 0, ssw = 0;
	for (int i = 0; i < n; i++)
		if (fit[i] * scale > 0) {
			double r = hs->des[i] / (fit[i] * scale) - 1;
			ss += hs->wt[i] * r * r;
			ssw += hs->wt[i];
		}
	double rel = ssw > 0 ? sqrt(ss / ssw) : 1;
	if (rel < 0.02)
		rel = 0.02;
	if (n < 7 && rel < 0.5)
		rel = 0.5; /* little history: wide */
	/* The days left, growth damped; undamped for the interval. */
	double r = 0, full = 0, var_days = 0, slope_lever = 0;
	double keep = 1, carried = 0, gf = 1;
	for (int32_t j = 1; j <= h; j++) {
		keep *= DAMPING;
		carried += keep;
		gf *= eb;
		double f = hs->factor[weekday(hs->as_of + j)];
		double day = level * (b != 0 ? exp(b * carried) : 1) * f;
		r += day;
		full += level * gf * f;
		var_days += day * day * rel * rel;
		slope_lever += j * day;
	}
	/* Independent daily noise, the level's uncertainty (shared by every
	 * day left), the slope's, and the growth that damping set aside. */
	double var_level = r * r * rel * rel / sw;
	double var_slope = 0;
	if (m->trend && n - seg >= 7) {
		double d = n - seg;
		double sd = rel * sqrt(12.0 / (d * d * d));
		var_slope = slope_lever * slope_lever * sd * sd;
	}
	*rest = r;
	*var = var_days + var_level + var_slope + (full - r) * (full - r);
	return true;
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
	out->method = "weekday-aware run rate, averaged over trend and "
		      "level-change models";
	if (h <= 0 || n == 0)
		return;

	/* The history: at most HISTORY_DAYS, from the first day with spend
	 * (days before it were before spending began). */
	size_t hn = n < HISTORY_DAYS ? n : HISTORY_DAYS;
	const double *x = daily + (n - hn);
	while (hn > 0 && x[0] <= 0) {
		x++;
		hn--;
	}
	if (hn == 0)
		return; /* nothing spent: nothing projected */
	struct history hs = {.n = (int)hn, .as_of = as_of};
	hs.first = as_of - hs.n + 1;
	weekday_factors(x, hs.n, hs.first, hs.factor);
	double sum_des = 0, sum_cdes = 0;
	for (int i = 0; i < hs.n; i++) {
		double f = hs.factor[weekday(hs.first + i)];
		/* A factor of 0 is a weekday that never spent (x[i] is 0):
		 * it says nothing of the level (weight 0). Nor does a credit
		 * day (x[i] < 0, an OpenAI Costs API credit line larger than
		 * the day's usage): what was used that day is unknown, and
		 * as a day of negative spend it had pulled the level, and
		 * the days still to come, below zero (docs/FORECAST.md,
		 * "Credits"). It still counts, as it is, in what was spent. */
		hs.des[i] = f > 0 && x[i] >= 0 ? x[i] / f : 0;
		hs.wt[i] = x[i] < 0 ? 0
				    : f * f / (f * f + QUIET_FACTOR * QUIET_FACTOR);
	}
	for (int i = 0; i < hs.n; i++) {
		hs.cdes[i] = unspiked(hs.des, hs.n, i);
		sum_des += hs.wt[i] * hs.des[i];
		sum_cdes += hs.wt[i] * hs.cdes[i];
	}
	hs.spike = sum_cdes > 0 ? sum_des / sum_cdes : 1;

	/* Sums of the log of the clipped days with spend, from day 0. */
	struct sums pre[HISTORY_DAYS + 1];
	memset(&pre[0], 0, sizeof pre[0]);
	for (int i = 0; i < hs.n; i++) {
		pre[i + 1] = pre[i];
		if (hs.cdes[i] > 0) {
			double y = log(hs.cdes[i]);
			pre[i + 1].n += 1;
			pre[i + 1].x += i;
			pre[i + 1].xx += (double)i * i;
			pre[i + 1].y += y;
			pre[i + 1].xy += i * y;
			pre[i + 1].yy += y * y;
		}
	}
	const struct sums *all = &pre[hs.n];
	double npos = hs.spending = all->n;

	/* The candidates: a level, a trend, and from every day k a new
	 * level (alone, on a shared trend, or with a trend of its own);
	 * scored by BIC, a change of level paying for where it falls. */
	int first_k = STEP_BEFORE, last_k = hs.n - STEP_AFTER;
	if (npos < STEP_BEFORE + STEP_AFTER + 3 || last_k < first_k)
		last_k = 0; /* too few days for a change of level */
	int nk = last_k ? last_k - first_k + 1 : 0;
	struct model models[3 * HISTORY_DAYS + 2];
	int nm = 0;
	double best = INFINITY;
	for (int kind = 0; kind < 3 && (!kind || npos >= TREND_DAYS); kind++)
		for (int k = kind == 2 ? first_k : 0; k <= last_k;
		     k = k ? k + 1 : first_k) {
			struct model *m = &models[nm];
			m->k = k;
			m->trend = kind > 0;
			struct sums s2 = sums_minus(*all, &pre[k]);
			if (!fit_model(m, pre, hs.n, &pre[k], &s2, kind < 2))
				continue;
			if (npos > m->params + 1)
				m->score = npos * log(m->sse / npos + 1e-12) +
					   log(npos) * m->params +
					   (k > 0 ? STEP_PRIOR + log((double)nk) : 0);
			else if (m->params == 1)
				m->score = 0; /* too few days: the level alone */
			else
				continue;
			if (m->score < best)
				best = m->score;
			nm++;
		}

	/* Their average, weighted by exp(-score / 2); its variance adds
	 * how far the models disagree. */
	double wsum = 0, rest = 0, rest2 = 0, var = 0;
	for (int i = 0; i < nm; i++) {
		double w = exp(-0.5 * (models[i].score - best)), r, v;
		if (w < 1e-4 || !project_model(&hs, &models[i], h, &r, &v))
			continue;
		wsum += w;
		rest += w * r;
		rest2 += w * r * r;
		var += w * v;
	}
	if (wsum <= 0)
		return;
	rest /= wsum;
	var = var / wsum + fmax(rest2 / wsum - rest * rest, 0);

	/* Spending may have stopped: a run of days without it, at the end,
	 * that the earlier share of such days makes unlikely (counting only
	 * the weekdays that spend: factor above QUIET_FACTOR, weight 1/2). */
	int run = 0, i = hs.n - 1;
	for (; i >= 0; i--)
		if (hs.wt[i] >= 0.5) {
			if (x[i] > 0)
				break;
			run++;
		}
	if (run > 0) {
		double zeros = 0, days = 0;
		for (; i >= 0; i--)
			if (hs.wt[i] >= 0.5) {
				days++;
				zeros += x[i] <= 0;
			}
		double odds = pow((zeros + 1) / (days + 2), run);
		double stopped = STOP_PRIOR / (STOP_PRIOR + odds);
		var = (1 - stopped) * var + stopped * (1 - stopped) * rest * rest;
		rest *= 1 - stopped;
	}

	/* rest >= 0 (no day of the history is below zero once credits are
	 * left out), so actual <= low <= projected <= high. */
	double sd = SD_SCALE * sqrt(var);
	out->projected = out->actual + rest;
	out->low = out->actual + (rest - Z80 * sd > 0 ? rest - Z80 * sd : 0);
	out->high = out->actual + rest + Z80 * sd;
	out->daily_rate = rest / h;
}
