/* test_mail.c - messages (headers that cannot be injected, RFC 2047,
 * base64 bodies, attachments), addresses, templates, the ledger, and
 * which alerts are due. */
#include <string.h>
#include <sys/stat.h>

#include "notify/notify.h"
#include "tests/testutil.h"

/* The header block of a composed message. */
static char *headers_of(const struct br_buf *msg)
{
	const char *end = strstr(msg->p, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	size_t n = (size_t)(end - msg->p) + 2;
	char *h = br_malloc(n + 1);
	memcpy(h, msg->p, n);
	h[n] = 0;
	return h;
}

static void compose(const char *subject, const char *attachment,
		    struct br_buf *out)
{
	const char *to[] = {"a@example.com", "b@example.com"};
	struct mail_content c = {
		.from = "burnrate@example.com", .to = to, .nto = 2,
		.subject = subject, .message_id = "<abc.actual@example.com>",
		.date = 1764547200, /* 2025-12-01 00:00:00 UTC */
		.text = "line one\nline two\n", .html = "<p>hi</p>"};
	if (attachment) {
		c.attachment_name = attachment;
		c.attachment_type = "application/octet-stream";
		c.attachment = "0123456789";
		c.attachment_len = 10;
	}
	mail_compose(&c, out);
}

static void test_headers_plain(void)
{
	struct br_buf m = {0};
	compose("[burnrate] INFO: budget all reached 50%", NULL, &m);
	char *h = headers_of(&m);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Date: Mon, 01 Dec 2025 00:00:00 +0000\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "From: burnrate@example.com\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "To: a@example.com, b@example.com\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Subject: [burnrate] INFO: budget all reached 50%\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Message-ID: <abc.actual@example.com>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "MIME-Version: 1.0\r\n"));
	/* "line one\r\nline two\r\n" in base64. */
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "bGluZSBvbmUNCmxpbmUgdHdvDQo=\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "text/html; charset=utf-8"));
	free(h);
	br_buf_free(&m);
}

static void test_headers_injection(void)
{
	struct br_buf m = {0};
	compose("budget evil\r\nBcc: victim@example.com\n\nbody", NULL, &m);
	char *h = headers_of(&m);
	CU_ASSERT_PTR_NULL(strstr(h, "\r\nBcc:"));
	CU_ASSERT_PTR_NULL(strstr(h, "\nBcc:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Subject: budget evil  Bcc: victim@example.com  body\r\n"));
	/* Every header line is printable ASCII. */
	for (const char *p = h; *p; p++)
		CU_ASSERT((*p >= 32 && *p < 127) || *p == '\r' || *p == '\n');
	free(h);
	br_buf_free(&m);
}

static void test_headers_rfc2047(void)
{
	struct br_buf m = {0};
	/* 30 x "é" (60 bytes): two encoded words, folded, neither splitting
	 * a character. */
	char subject[128] = "";
	for (int i = 0; i < 30; i++)
		strcat(subject, "\xc3\xa9");
	compose(subject, NULL, &m);
	char *h = headers_of(&m);
	const char *s = strstr(h, "Subject: =?UTF-8?B?");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* 38 bytes (19 characters) fit the first word. */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "?=\r\n =?UTF-8?B?"));
	const char *eol = strstr(s, "\r\n");
	CU_ASSERT(eol - s <= 78);
	free(h);
	br_buf_free(&m);
}

/* The longest line of s (CRLF not counted). */
static size_t longest_line(const char *s)
{
	size_t run = 0, max = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n')
			run = 0;
		else if (++run > max)
			max = run;
	}
	return max;
}

/* Header field name of headers h, unfolded (every CRLF before a space or
 * tab removed), without "Name:" and the one space after it; owned. */
static char *unfolded(const char *h, const char *name)
{
	struct br_buf want = {0};
	br_buf_printf(&want, "\r\n%s:", name);
	const char *p = strstr(h, want.p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p += want.len;
	br_buf_free(&want);
	struct br_buf v = {0};
	br_buf_puts(&v, "");
	for (; *p && !(p[0] == '\r' && p[1] == '\n' && p[2] != ' ' &&
		       p[2] != '\t'); p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		br_buf_putc(&v, *p);
	}
	memmove(v.p, v.p + (v.p[0] == ' '), v.len);
	return v.p;
}

/* The text of RFC 2047 "B" encoded words separated by whitespace;
 * owned. */
static char *decode_words(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	struct br_buf out = {0};
	br_buf_puts(&out, "");
	while (*s == ' ')
		s++;
	while (*s) {
		CU_ASSERT_FATAL(strncmp(s, "=?UTF-8?B?", 10) == 0);
		s += 10;
		const char *end = strstr(s, "?=");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT(end - s + 12 <= 75);
		unsigned v = 0;
		int bits = 0;
		for (; s < end && *s != '='; s++) {
			v = v << 6 | (unsigned)(strchr(b64, *s) - b64);
			if ((bits += 6) >= 8) {
				bits -= 8;
				br_buf_putc(&out, (char)(v >> bits & 0xff));
			}
		}
		s = end + 2;
		while (*s == ' ')
			s++;
	}
	return out.p;
}

static void test_headers_folded(void)
{
	/* 40 recipients: an unfolded To line of about 1,500 characters. */
	char *to[40];
	struct br_buf list = {0};
	for (int i = 0; i < 40; i++) {
		struct br_buf a = {0};
		br_buf_printf(&a, "finance-controller-%02d@example.com", i);
		br_buf_printf(&list, "%s%s", i ? ", " : "", a.p);
		to[i] = a.p;
	}
	/* A subject of many short words, then one of a word that fits no
	 * line (a budget name of 1,100 characters). */
	struct br_buf words = {0}, long_word = {0};
	br_buf_puts(&words, "[burnrate] INFO: budget");
	for (int i = 0; i < 150; i++)
		br_buf_printf(&words, " w%d", i);
	br_buf_puts(&words, "  two spaces, reached 50% of $100.00");
	br_buf_puts(&long_word, "[burnrate] INFO: budget ");
	for (int i = 0; i < 1100; i++)
		br_buf_putc(&long_word, (char)('a' + i % 26));
	br_buf_puts(&long_word, " reached 50% of $100.00");
	const char *subjects[] = {words.p, long_word.p,
				  "budget =?UTF-8?B?ZXZpbA==?= reached 50%"};
	for (size_t k = 0; k < 3; k++) {
		struct mail_content c = {
			.from = "burnrate@example.com",
			.to = (const char *const *)to, .nto = 40,
			.subject = subjects[k],
			.message_id = "<abc.actual@example.com>",
			.date = 1764547200, .text = "t\n",
			.attachment_name = "burnrate-2025-10-01-2025-10-31.xlsx",
			.attachment_type = "application/vnd.openxmlformats-"
					   "officedocument.spreadsheetml.sheet",
			.attachment = "x", .attachment_len = 1};
		struct br_buf m = {0};
		mail_compose(&c, &m);
		CU_ASSERT(longest_line(m.p) <= 78);
		char *h = headers_of(&m);
		char *got = unfolded(h, "To");
		CU_ASSERT_STRING_EQUAL(got, list.p);
		free(got);
		got = unfolded(h, "Subject");
		if (k == 0) {
			/* Plain text, folded at its spaces only. */
			CU_ASSERT_STRING_EQUAL(got, subjects[k]);
		} else {
			/* Encoded words: one word is too long for a line;
			 * "=?" would read as one. */
			char *text = decode_words(got);
			CU_ASSERT_STRING_EQUAL(text, subjects[k]);
			free(text);
		}
		free(got);
		CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "\r\n name=\"burnrate-2025-10-01-"
						   "2025-10-31.xlsx\"\r\n"));
		free(h);
		br_buf_free(&m);
	}
	/* A file name too long for a line: RFC 2231 continuations. */
	struct br_buf name = {0}, m = {0};
	for (int i = 0; i < 1200; i++)
		br_buf_putc(&name, (char)('a' + i % 26));
	compose("report", name.p, &m);
	CU_ASSERT(longest_line(m.p) <= 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "\r\n filename*0=\"abcdefghij"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "\r\n filename*23=\""));
	CU_ASSERT_PTR_NULL(strstr(m.p, "filename*24"));
	br_buf_free(&m);
	br_buf_free(&name);
	for (int i = 0; i < 40; i++)
		free(to[i]);
	br_buf_free(&list);
	br_buf_free(&words);
	br_buf_free(&long_word);
}

static void test_attachment(void)
{
	struct br_buf m = {0};
	compose("report", "../../etc/pass wd.xlsx", &m);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "Content-Type: multipart/mixed;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "filename=\".._.._etc_pass_wd.xlsx\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "MDEyMzQ1Njc4OQ==\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.p, "--=_burnrate_mixed--\r\n"));
	/* No body line is longer than 76 characters plus CRLF. */
	size_t run = 0;
	for (const char *p = m.p; *p; p++) {
		run = *p == '\n' ? 0 : run + 1;
		CU_ASSERT(run <= 998);
	}
	br_buf_free(&m);
}

static void test_base64_lines(void)
{
	struct br_buf m = {0};
	char big[4000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	const char *to[] = {"a@example.com"};
	struct mail_content c = {.from = "f@example.com", .to = to, .nto = 1,
				 .subject = "s", .message_id = "<m@x>", .text = big};
	mail_compose(&c, &m);
	const char *body = strstr(m.p, "base64\r\n\r\n") + 10;
	const char *eol;
	size_t lines = 0;
	while ((eol = strstr(body, "\r\n")) && eol != body) {
		CU_ASSERT((size_t)(eol - body) <= 76);
		lines++;
		body = eol + 2;
	}
	CU_ASSERT(lines == (3999 + 56) / 57);
	br_buf_free(&m);
}

static void test_addresses(void)
{
	CU_ASSERT(mail_address_valid("a@example.com"));
	CU_ASSERT(mail_address_valid("first.last+tag@sub.example.org"));
	CU_ASSERT(!mail_address_valid("a@b.c\r\nBcc: x@y.z"));
	CU_ASSERT(!mail_address_valid("no-at-sign"));
	CU_ASSERT(!mail_address_valid("@example.com"));
	CU_ASSERT(!mail_address_valid("a@"));
	CU_ASSERT(!mail_address_valid("a b@example.com"));
	CU_ASSERT(!mail_address_valid("<a@example.com>"));
	CU_ASSERT(!mail_address_valid("a@b@c"));
	char *v[4];
	size_t n;
	struct br_err err = {0};
	CU_ASSERT_EQUAL(mail_address_list(" a@x.org; b@y.org ,c@z.org;", "t", v, 4,
					  &n, &err), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(v[1], "b@y.org");
	while (n)
		free(v[--n]);
	/* Each once, whatever its case: the first spelling is kept (two
	 * RCPT TO of one mailbox may deliver it twice). Not counted against
	 * the maximum. */
	CU_ASSERT_EQUAL(mail_address_list("a@x.org;b@y.org;A@X.org;c@z.org;"
					  "a@x.org;d@w.org;B@y.ORG", "t", v, 4,
					  &n, &err), 0);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_STRING_EQUAL(v[0], "a@x.org");
	CU_ASSERT_STRING_EQUAL(v[2], "c@z.org");
	CU_ASSERT_STRING_EQUAL(v[3], "d@w.org");
	while (n)
		free(v[--n]);
	CU_ASSERT_EQUAL(mail_address_list("a@x.org;bad", "budget 'b' recipients",
					  v, 4, &n, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "budget 'b' recipients"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'bad'"));
	CU_ASSERT_EQUAL(n, 0);
}

static void test_templates(void)
{
	const char *names[] = {"budget", "severity_upper", "headline"};
	const char *values[] = {"<b>&\"x\"", "WARNING", "h"};
	struct br_buf t = {0}, h = {0};
	template_render(TEMPLATE_ALERT_TXT, names, values, 3, &t);
	template_render(TEMPLATE_ALERT_HTML, names, values, 3, &h);
	CU_ASSERT(strncmp(t.p, "WARNING: h\n", 11) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.p, "<b>&\"x\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.p, "&lt;b&gt;&amp;&quot;x&quot;"));
	CU_ASSERT_PTR_NULL(strstr(h.p, "<b>&"));
	/* Placeholders without a value stay visible. */
	CU_ASSERT_PTR_NOT_NULL(strstr(t.p, "{{limit_usd}}"));
	br_buf_free(&t);
	br_buf_free(&h);
}

static void test_ledger(void)
{
	char dir[64];
	test_mkdtemp(dir, "ledger");
	struct br_err err = {0};
	struct ledger *l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->n, 0);
	char *to[] = {"a@example.com", "b@example.com"};
	const char *msg = "Subject: x\r\n\r\nbody\r\n";
	CU_ASSERT_EQUAL(ledger_add(l, "alert|b\n|monthly|2025-11-01|actual|50",
				   "f@example.com", to, 2, msg, strlen(msg), &err), 0);
	CU_ASSERT_EQUAL(ledger_add(l, "alert|b|monthly|2025-11-01|forecast|100|1",
				   "f@example.com", to, 1, msg, strlen(msg), &err), 0);
	struct ledger_entry *e = ledger_find(l, "alert|b|monthly|2025-11-01|forecast|100|1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(ledger_set(l, e, LEDGER_FAILED, "550 5.7.1 no\r\nX: y", &err), 0);
	CU_ASSERT_EQUAL(ledger_rearm(l, e, &err), 0);
	ledger_free(l);

	/* Read back: states, recipients, reply kept on one line. */
	l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->n, 2);
	e = ledger_find(l, "alert|b|monthly|2025-11-01|forecast|100|1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, LEDGER_FAILED);
	CU_ASSERT(e->rearmed);
	CU_ASSERT_STRING_EQUAL(e->reply, "550 5.7.1 no  X: y");
	CU_ASSERT_EQUAL(e->nto, 1);
	/* A key with a newline is stored with a space, found as stored. */
	e = ledger_find(l, "alert|b |monthly|2025-11-01|actual|50");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, LEDGER_PENDING);
	CU_ASSERT_EQUAL(e->nto, 2);
	CU_ASSERT_STRING_EQUAL(e->to[1], "b@example.com");
	struct br_buf m = {0};
	CU_ASSERT_EQUAL(ledger_message(l, e, &m, &err), 0);
	CU_ASSERT_EQUAL(m.len, strlen(msg));
	br_buf_free(&m);
	/* Kept in the order recorded, not of the keys: pending entries
	 * are sent oldest first. */
	CU_ASSERT_EQUAL(ledger_add(l, "alert|a|monthly|2025-11-01|actual|50",
				   "f@example.com", to, 1, msg, strlen(msg), &err), 0);
	ledger_free(l);
	l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL_FATAL(l->n, 3);
	CU_ASSERT_STRING_EQUAL(l->v[0].key, "alert|b |monthly|2025-11-01|actual|50");
	CU_ASSERT_STRING_EQUAL(l->v[2].key, "alert|a|monthly|2025-11-01|actual|50");
	CU_ASSERT_EQUAL(l->v[2].seq, 3);
	ledger_free(l);

	/* A damaged state file is an error naming it. */
	char path[128];
	snprintf(path, sizeof path, "%s/notify/%032d.state", dir, 0);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("something else\n", f);
	fclose(f);
	CU_ASSERT_PTR_NULL(ledger_open(dir, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a burnrate ledger entry"));
	test_rmtree(dir);
}

/* An alert's key: its identity, then its recipients' hash. */
#define CU_ASSERT_KEY(key, base) \
	CU_ASSERT(strncmp((key), (base), strlen(base)) == 0 && \
		  strlen(key) == strlen(base) + 16)

/* A budget status for alerts_due, without a store. */
static struct report *fake_report(struct budget *b, struct budget_status *st,
				  br_pico spent, double projected)
{
	static struct report r;
	memset(&r, 0, sizeof r);
	memset(st, 0, sizeof *st);
	r.budgets = st;
	r.nbudgets = 1;
	br_day_parse("2025-11-20", &r.q.as_of);
	st->b = b;
	budget_period_range(b->period, r.q.as_of, &st->start, &st->end);
	st->spent = spent;
	st->f.projected = projected;
	st->projected = forecast_pico(&st->f, projected);
	st->recent_unknown = BUDGET_RECENT_DAYS;
	return &r;
}

static void test_alerts_due(void)
{
	char dir[64];
	test_mkdtemp(dir, "alerts");
	struct br_err err = {0};
	struct ledger *l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	struct budget b = {.name = "all", .scope = "*", .period = BUDGET_MONTHLY,
			   .limit = 100 * BR_PICO_PER_USD, .thresholds = {50, 75, 90, 100},
			   .nthresholds = 4, .forecast = true};
	struct budget_status st;
	struct alert *a;
	struct ledger_entry **rearm;
	size_t n, nrearm;
	char *to[] = {"a@example.com"};
	char *const *tos[] = {to};
	size_t ntos[] = {1};

	/* $80 spent, $120 projected: 50 and 75, and the forecast. */
	struct report *r = fake_report(&b, &st, 80 * BR_PICO_PER_USD, 120);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_KEY(a[0].key, "alert2|all|*|monthly|2025-11-01|actual|50|to=");
	CU_ASSERT_EQUAL(a[0].severity, SEVERITY_INFO);
	CU_ASSERT_KEY(a[1].key, "alert2|all|*|monthly|2025-11-01|actual|75|to=");
	CU_ASSERT_EQUAL(a[1].severity, SEVERITY_WARNING);
	CU_ASSERT_KEY(a[2].key, "alert2|all|*|monthly|2025-11-01|forecast|100|1|to=");
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(ledger_add(l, a[i].key, "f@x.org", to, 1, "m", 1, &err), 0);
	alerts_free(a, n);
	free(rearm);
	/* The same state again: nothing new. */
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(nrearm, 0);
	alerts_free(a, n);
	free(rearm);
	/* The projection falls back: the forecast re-arms... */
	r = fake_report(&b, &st, 80 * BR_PICO_PER_USD, 95);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL_FATAL(nrearm, 1);
	CU_ASSERT_EQUAL(ledger_rearm(l, rearm[0], &err), 0);
	alerts_free(a, n);
	free(rearm);
	/* ...and fires a second time when it passes the limit again; the
	 * exact limit reached fires 90 and 100 (critical), not a forecast. */
	r = fake_report(&b, &st, 85 * BR_PICO_PER_USD, 130);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_KEY(a[0].key, "alert2|all|*|monthly|2025-11-01|forecast|100|2|to=");
	alerts_free(a, n);
	free(rearm);
	r = fake_report(&b, &st, 100 * BR_PICO_PER_USD, 130);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(a[1].threshold, 100);
	CU_ASSERT_EQUAL(a[1].severity, SEVERITY_CRITICAL);
	alerts_free(a, n);
	free(rearm);

	/* Anomaly: 14 known days of $10 and a day of $40. */
	r = fake_report(&b, &st, 0, 0);
	b.nthresholds = 0;
	b.forecast = false;
	st.recent_unknown = 0;
	for (int i = 0; i < BUDGET_RECENT_DAYS; i++)
		st.recent[i] = 10 * BR_PICO_PER_USD;
	st.recent[BUDGET_RECENT_DAYS - 1] = 40 * BR_PICO_PER_USD;
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(a[0].kind, ALERT_ANOMALY);
	CU_ASSERT_KEY(a[0].key, "alert2|all|*|monthly|2025-11-20|anomaly|to=");
	alerts_free(a, n);
	free(rearm);
	/* Not with only 6 known days, nor for a rise of less than 1.5x. */
	st.recent_unknown = BUDGET_RECENT_DAYS - 1 - 6;
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL(n, 0);
	alerts_free(a, n);
	free(rearm);
	st.recent_unknown = 0;
	st.recent[BUDGET_RECENT_DAYS - 1] = 14 * BR_PICO_PER_USD;
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL(n, 0);
	alerts_free(a, n);
	free(rearm);
	ledger_free(l);
	test_rmtree(dir);
}

/* Names and scopes cannot read as each other's fields: "a|b" with scope
 * "*" and "a" with scope "b|*" are two alerts. */
static void test_alert_key_fields(void)
{
	char dir[64];
	test_mkdtemp(dir, "keyfields");
	struct br_err err = {0};
	struct ledger *l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(strlen(l->store_id), 32);
	struct budget b = {.name = "a|b", .scope = "*", .period = BUDGET_MONTHLY,
			   .limit = 100 * BR_PICO_PER_USD, .thresholds = {50},
			   .nthresholds = 1};
	struct budget_status st;
	struct alert *a;
	struct ledger_entry **rearm;
	size_t n, nrearm;
	char *to[] = {"a@example.com"};
	char *const *tos[] = {to};
	size_t ntos[] = {1};
	struct report *r = fake_report(&b, &st, 80 * BR_PICO_PER_USD, 120);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_KEY(a[0].key, "alert2|a\\|b|*|monthly|2025-11-01|actual|50|to=");
	CU_ASSERT_EQUAL(ledger_add(l, a[0].key, "f@x.org", to, 1, "m", 1, &err), 0);
	alerts_free(a, n);
	free(rearm);
	b.name = "a";
	b.scope = "b|*";
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_KEY(a[0].key, "alert2|a|b\\|*|monthly|2025-11-01|actual|50|to=");
	alerts_free(a, n);
	free(rearm);
	ledger_free(l);
	test_rmtree(dir);
}

/* A projection passes the limit when the amount shown is above it: a
 * double's noise around the limit is the limit (the status flapped, and
 * forecast alerts said "projected to exceed $100.00 (projected
 * $100.00)"); just above it, the mail shows its micro-dollars. */
static void test_forecast_at_limit(void)
{
	char dir[64];
	test_mkdtemp(dir, "atlimit");
	struct br_err err = {0};
	struct ledger *l = ledger_open(dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	struct budget b = {.name = "all", .scope = "*", .period = BUDGET_MONTHLY,
			   .limit = 100 * BR_PICO_PER_USD, .thresholds = {50},
			   .nthresholds = 1, .forecast = true};
	struct budget_status st;
	struct alert *a;
	struct ledger_entry **rearm;
	size_t n, nrearm;
	char *to[] = {"a@example.com"};
	char *const *tos[] = {to};
	size_t ntos[] = {1};

	struct report *r = fake_report(&b, &st, 80 * BR_PICO_PER_USD,
				       100.0000000000001);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(a[0].kind, ALERT_ACTUAL);
	alerts_free(a, n);
	free(rearm);
	r = fake_report(&b, &st, 80 * BR_PICO_PER_USD, 100.004);
	alerts_due(r, l, tos, ntos, &a, &n, &rearm, &nrearm);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL_FATAL(a[1].kind, ALERT_FORECAST);
	struct br_buf mail = {0};
	alert_compose(&a[1], r, "f@x.org", to, 1, 0, &mail);
	CU_ASSERT_PTR_NOT_NULL(strstr(mail.p, "$100.004000"));
	CU_ASSERT_PTR_NULL(strstr(mail.p, "(projected $100.00)"));
	br_buf_free(&mail);
	alerts_free(a, n);
	free(rearm);
	ledger_free(l);
	test_rmtree(dir);
}

int test_register(void)
{
	static const struct test_case mail[] = {
		{"headers", test_headers_plain},
		{"header injection", test_headers_injection},
		{"RFC 2047 subjects", test_headers_rfc2047},
		{"folded headers", test_headers_folded},
		{"attachment", test_attachment},
		{"base64 lines", test_base64_lines},
		{"addresses", test_addresses},
		{"templates", test_templates},
		{NULL, NULL}};
	static const struct test_case ledger[] = {
		{"entries", test_ledger},
		{"alerts due", test_alerts_due},
		{"alert key fields", test_alert_key_fields},
		{"a projection at the limit does not pass it", test_forecast_at_limit},
		{NULL, NULL}};
	return test_add_suite("mail", mail) || test_add_suite("ledger", ledger) ? -1 : 0;
}
