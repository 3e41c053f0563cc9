/* backfill.c - ingest --replace FROM..TO --dry-run: what a backfill would
 * change, per day, provider and model, before anything is published. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* One (day, provider, model) of the range, before and after. */
struct change {
	int32_t day;
	/* As shown: control characters '?' (br_printable); owned by the
	 * preview's dictionary. */
	const char *provider, *model;
	struct red_totals before, after;
};

struct preview {
	struct br_dict *keys; /* day, provider, NUL, model -> index into v */
	struct br_dict *names;
	struct change *v;
	size_t n, cap;
	bool after;           /* rows go to after (the backfill's) */
};

static int collect(void *ctx, const struct store_row *row)
{
	struct preview *p = ctx;
	struct br_buf key = {0};
	/* Names hold no NUL (ingest rejects them); any other byte may be
	 * in them, a separator of this key too. */
	br_buf_put(&key, &row->day, sizeof row->day);
	br_buf_put(&key, row->provider, strlen(row->provider) + 1);
	br_buf_put(&key, row->model, strlen(row->model) + 1);
	uint32_t id = br_dict_intern(p->keys, key.p, key.len);
	br_buf_free(&key);
	if (id == p->n) {
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->v = br_realloc(p->v, p->cap * sizeof *p->v);
		}
		struct change *c = &p->v[p->n++];
		memset(c, 0, sizeof *c);
		c->day = row->day;
		char *pv = br_printable(row->provider), *md = br_printable(row->model);
		c->provider = br_dict_str(p->names, br_dict_intern(p->names,
					  pv, strlen(pv)), NULL);
		c->model = br_dict_str(p->names, br_dict_intern(p->names,
				       md, strlen(md)), NULL);
		free(pv);
		free(md);
	}
	red_totals_add(p->after ? &p->v[id].after : &p->v[id].before, &row->t);
	return 0;
}

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if ((c = strcmp(x->provider, y->provider)))
		return c;
	return strcmp(x->model, y->model);
}

static bool changed(const struct red_totals *a, const struct red_totals *b)
{
	return memcmp(a, b, sizeof *a) != 0;
}

/* The printf field width, in bytes, that pads s to width terminal
 * columns (br_utf8_width): a name of wide letters or of several bytes a
 * letter ('模型', 'modèle') takes fewer columns than bytes. */
static int pad_to(const char *s, int width)
{
	return width + (int)(strlen(s) - br_utf8_width(s));
}

/* Prints one line: key, requests and cost before and after, the change;
 * provider and model padded to pw and mw columns. */
static void line(FILE *out, const char *day, const char *provider,
		 const char *model, int pw, int mw, const struct red_totals *b,
		 const struct red_totals *a)
{
	char cb[BR_MONEY_BUFSZ], ca[BR_MONEY_BUFSZ], cd[BR_MONEY_BUFSZ],
		req[64];
	snprintf(req, sizeof req, "%llu -> %llu", (unsigned long long)b->requests,
		 (unsigned long long)a->requests);
	char cost[2 * BR_MONEY_BUFSZ + 8];
	snprintf(cost, sizeof cost, "%s -> %s", br_money_format(b->cost, cb),
		 br_money_format(a->cost, ca));
	br_money_format(br_pico_add(a->cost, -b->cost), cd);
	fprintf(out, "%-10s  %-*s  %-*s  %21s  %27s  %s%s\n", day,
		pad_to(provider, pw), provider, pad_to(model, mw), model, req,
		cost, a->cost >= b->cost ? "+" : "", cd);
}

int backfill_preview(struct store *s, const char *source, int32_t from,
		     int32_t to, const struct agg *rows, FILE *out,
		     struct br_err *err)
{
	struct preview p = {.keys = br_dict_new(), .names = br_dict_new()};
	/* Before: the rows the backfill overshadows, the store's own; rows
	 * merged from other stores stay whatever it publishes. */
	struct store_query q = {from, to, source};
	int rc = store_scan_own(s, &q, collect, &p, err);
	if (rc == 0) {
		p.after = true;
		agg_scan(rows, source, collect, &p);
	}
	if (rc != 0)
		goto out;
	if (p.n)
		qsort(p.v, p.n, sizeof *p.v, change_cmp);
	int pw = 8, mw = 5;
	struct red_totals before = {0}, after = {0};
	size_t nchanged = 0, days = 0;
	int32_t last_day = BR_DAY_NONE;
	for (size_t i = 0; i < p.n; i++) {
		red_totals_add(&before, &p.v[i].before);
		red_totals_add(&after, &p.v[i].after);
		if (!changed(&p.v[i].before, &p.v[i].after))
			continue;
		nchanged++;
		days += p.v[i].day != last_day;
		last_day = p.v[i].day;
		int n = (int)br_utf8_width(p.v[i].provider);
		pw = n > pw ? n : pw;
		n = (int)br_utf8_width(p.v[i].model);
		mw = n > mw ? n : mw;
	}
	char f[11], t[11];
	br_day_format(from, f);
	br_day_format(to, t);
	fprintf(out, "dry run: the backfill of %s..%s for source '%s' would "
		"change %zu group%s on %zu day%s (nothing was published)\n", f, t,
		source, nchanged, nchanged == 1 ? "" : "s", days, days == 1 ? "" : "s");
	if (!nchanged)
		goto out;
	fprintf(out, "%-10s  %-*s  %-*s  %21s  %27s  %s\n", "day", pw, "provider",
		mw, "model", "requests", "cost_usd", "change_usd");
	for (size_t i = 0; i < p.n; i++) {
		if (!changed(&p.v[i].before, &p.v[i].after))
			continue;
		char d[11];
		br_day_format(p.v[i].day, d);
		line(out, d, p.v[i].provider, p.v[i].model, pw, mw, &p.v[i].before,
		     &p.v[i].after);
	}
	line(out, "total", "", "", pw, mw, &before, &after);
out:
	br_dict_free(p.keys);
	br_dict_free(p.names);
	free(p.v);
	return rc;
}
