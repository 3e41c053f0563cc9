/* mail.c - RFC 5322 messages: safe headers (RFC 2047 for non-ASCII),
 * MIME bodies in base64, addresses, and the templates of templates/. */
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

/* ----------------------------------------------------------- base64 */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends data in base64 without line breaks. */
static void base64_put(struct br_buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			     i + 1 < n ? b64[v >> 6 & 63] : '=',
			     i + 2 < n ? b64[v & 63] : '='};
		br_buf_put(out, q, 4);
	}
}

/* Appends data in base64, 76 characters per CRLF-ended line (RFC 2045). */
static void base64_lines(struct br_buf *out, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i += 57) {
		base64_put(out, p + i, n - i < 57 ? n - i : 57);
		br_buf_puts(out, "\r\n");
	}
}

/* ---------------------------------------------------------- headers */

/* Appends a header field "Name: value": control characters in value
 * become spaces, so it stays one field; a value that is not all printable
 * ASCII is written as RFC 2047 encoded words, folded, each whole UTF-8
 * characters only. */
static void header(struct br_buf *out, const char *name, const char *value)
{
	size_t n = strlen(value);
	char *v = br_malloc(n + 1);
	bool ascii = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		v[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		ascii &= c < 0x80;
	}
	v[n] = 0;
	br_buf_printf(out, "%s: ", name);
	if (ascii) {
		br_buf_puts(out, v);
	} else {
		/* 39 bytes encode to 52 characters: "=?UTF-8?B?" + 52 + "?="
		 * is 64, within the 75 of RFC 2047, and a line with the
		 * field name stays within 78. */
		size_t i = 0;
		while (i < n) {
			size_t end = i + 39 < n ? i + 39 : n;
			while (end < n && end > i + 1 &&
			       ((unsigned char)v[end] & 0xc0) == 0x80)
				end--;
			if (i)
				br_buf_puts(out, "\r\n ");
			br_buf_puts(out, "=?UTF-8?B?");
			base64_put(out, (const unsigned char *)v + i, end - i);
			br_buf_puts(out, "?=");
			i = end;
		}
	}
	br_buf_puts(out, "\r\n");
	free(v);
}

/* RFC 5322 date-time in UTC. */
static void header_date(struct br_buf *out, time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu",
					   "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
					     "Jun", "Jul", "Aug", "Sep", "Oct",
					     "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&t, &tm);
	br_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		      days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* --------------------------------------------------------- messages */

/* A text part: LF line ends become CRLF (the canonical form), then
 * base64. */
static void text_part(struct br_buf *out, const char *type, const char *text)
{
	struct br_buf canon = {0};
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			br_buf_putc(&canon, '\r');
		br_buf_putc(&canon, *p);
	}
	br_buf_printf(out, "Content-Type: %s; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: base64\r\n\r\n", type);
	base64_lines(out, canon.p ? canon.p : "", canon.len);
	br_buf_free(&canon);
}

/* Keeps a file name to letters, digits, '.', '-' and '_'. */
static void safe_filename(const char *name, struct br_buf *out)
{
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
		br_buf_putc(out, ok ? c : '_');
	}
}

void mail_compose(const struct mail_content *c, struct br_buf *out)
{
	/* Boundaries cannot occur in base64 lines, which never hold '_'. */
	const char *mixed = "=_burnrate_mixed", *alt = "=_burnrate_alt";
	header_date(out, c->date);
	header(out, "From", c->from);
	struct br_buf to = {0};
	for (size_t i = 0; i < c->nto; i++)
		br_buf_printf(&to, "%s%s", i ? ", " : "", c->to[i]);
	header(out, "To", to.p ? to.p : "");
	br_buf_free(&to);
	header(out, "Subject", c->subject);
	header(out, "Message-ID", c->message_id);
	br_buf_puts(out, "MIME-Version: 1.0\r\n");
	br_buf_puts(out, "X-Mailer: burnrate " BR_VERSION "\r\n");
	if (c->attachment_name)
		br_buf_printf(out, "Content-Type: multipart/mixed; "
			      "boundary=\"%s\"\r\n\r\n--%s\r\n", mixed, mixed);
	if (c->html) {
		br_buf_printf(out, "Content-Type: multipart/alternative; "
			      "boundary=\"%s\"\r\n\r\n--%s\r\n", alt, alt);
		text_part(out, "text/plain", c->text);
		br_buf_printf(out, "--%s\r\n", alt);
		text_part(out, "text/html", c->html);
		br_buf_printf(out, "--%s--\r\n", alt);
	} else {
		text_part(out, "text/plain", c->text);
	}
	if (c->attachment_name) {
		struct br_buf name = {0};
		safe_filename(c->attachment_name, &name);
		br_buf_printf(out, "--%s\r\nContent-Type: %s; name=\"%s\"\r\n"
			      "Content-Disposition: attachment; filename=\"%s\"\r\n"
			      "Content-Transfer-Encoding: base64\r\n\r\n", mixed,
			      c->attachment_type, name.p, name.p);
		base64_lines(out, c->attachment, c->attachment_len);
		br_buf_printf(out, "--%s--\r\n", mixed);
		br_buf_free(&name);
	}
}

/* -------------------------------------------------------- addresses */

bool mail_address_valid(const char *s)
{
	const char *at = strrchr(s, '@');
	if (!at || at == s || !at[1] || strlen(s) > 254)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\"\\", c))
			return false;
		if (c == '@' && p != at)
			return false;
	}
	return at[1] != '.' && s[strlen(s) - 1] != '.';
}

int mail_address_list(const char *list, const char *what, char **out,
		      size_t max, size_t *n, struct br_err *err)
{
	*n = 0;
	char *copy = br_strdup(list), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
			t[--len] = 0;
		if (!len)
			continue;
		if (!mail_address_valid(t)) {
			rc = br_fail_status(err, BR_EXIT_USAGE, "%s: invalid email "
					    "address '%s'", what, t);
			break;
		}
		if (*n == max) {
			rc = br_fail_status(err, BR_EXIT_USAGE, "%s: more than %zu "
					    "addresses", what, max);
			break;
		}
		out[(*n)++] = br_strdup(t);
	}
	free(copy);
	if (rc)
		while (*n)
			free(out[--*n]);
	return rc;
}

/* -------------------------------------------------------- templates */

/* Emitted by notify/templates_data.S. */
extern const char br_template_alert_txt[], br_template_alert_html[],
	br_template_report_txt[], br_template_report_html[];

static void html_escape(struct br_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': br_buf_puts(out, "&amp;"); break;
		case '<': br_buf_puts(out, "&lt;"); break;
		case '>': br_buf_puts(out, "&gt;"); break;
		case '"': br_buf_puts(out, "&quot;"); break;
		case '\'': br_buf_puts(out, "&#39;"); break;
		default: br_buf_putc(out, *s);
		}
	}
}

void template_render(enum template_id id, const char *const *names,
		     const char *const *values, size_t n, struct br_buf *out)
{
	static const char *const text[] = {
		br_template_alert_txt, br_template_alert_html,
		br_template_report_txt, br_template_report_html};
	bool html = id == TEMPLATE_ALERT_HTML || id == TEMPLATE_REPORT_HTML;
	const char *p = text[id];
	br_buf_puts(out, "");
	for (;;) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!close) {
			br_buf_puts(out, p);
			return;
		}
		br_buf_put(out, p, (size_t)(open - p));
		size_t len = (size_t)(close - open - 2);
		size_t i = 0;
		while (i < n && !(strlen(names[i]) == len &&
				  memcmp(names[i], open + 2, len) == 0))
			i++;
		if (i == n)
			br_buf_put(out, open, len + 4);
		else if (html)
			html_escape(out, values[i]);
		else
			br_buf_puts(out, values[i]);
		p = close + 2;
	}
}
