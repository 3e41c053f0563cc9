/* mail.c - RFC 5322 messages: safe headers (RFC 2047 for non-ASCII),
 * MIME bodies in base64, addresses, and the templates of templates/. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* RFC 5322 §2.1.1: a line of a message MUST NOT exceed 998 characters
 * and SHOULD NOT exceed 78 (both without the CRLF). A server may refuse
 * a longer one for good (aiosmtpd: "500 Line too long"), and with it a
 * message the ledger then marks failed. */
#define HEADER_LINE 78

/* How a header's value may be written. */
enum header_kind {
	HEADER_STRUCTURED,   /* addresses, a message id: folded only at its
			      * spaces (after a list's commas), never
			      * encoded but for non-ASCII bytes */
	HEADER_UNSTRUCTURED, /* free text (Subject): folded at its spaces;
			      * RFC 2047 encoded when a space-delimited
			      * piece cannot fit a line */
};

/* Appends value as RFC 2047 encoded words, each whole UTF-8 characters
 * only, separated by folding whitespace; col is the line's length so
 * far. Spaces are encoded inside the words, since the whitespace between
 * two encoded words is not part of the text. */
static void header_encoded(struct br_buf *out, size_t col, const char *v,
			   size_t n)
{
	/* 39 bytes encode to 52 characters: "=?UTF-8?B?" + 52 + "?=" is 64,
	 * within the 75 of RFC 2047, and " " + 64 within a line. */
	size_t i = 0;
	while (i < n) {
		size_t end = i + 39 < n ? i + 39 : n;
		while (end < n && end > i + 1 &&
		       ((unsigned char)v[end] & 0xc0) == 0x80)
			end--;
		if (col + 1 + 64 > HEADER_LINE) {
			br_buf_puts(out, "\r\n");
			col = 0;
		}
		br_buf_puts(out, " =?UTF-8?B?");
		base64_put(out, (const unsigned char *)v + i, end - i);
		br_buf_puts(out, "?=");
		col += 1 + 10 + (end - i + 2) / 3 * 4 + 2;
		i = end;
	}
}

/* The length of the piece of v at p: its spaces, then the word after
 * them (a fold may go before any of those spaces). */
static size_t piece_len(const char *p)
{
	size_t k = strspn(p, " ");
	return k + strcspn(p + k, " ");
}

/* Appends a header field "Name: value" without the CRLF that ends it
 * (header adds it; a MIME header adds its parameters first), folded so
 * that no line is longer than 78 characters unless a single word is
 * (RFC 5322 §2.1.1): a CRLF goes before a space of value, which
 * unfolding removes again, whenever the next word would take the line
 * past 78. Control characters in value become spaces, so it stays one
 * field. A value that is not all
 * printable ASCII - and free text with a word too long for a line by
 * itself, or with "=?", which a reader would take for an encoded word -
 * is written as RFC 2047 encoded words instead, folded between words.
 * The words of a structured value are at most an address (254
 * characters, mail_address_valid) or a message id: its lines stay far
 * below 998. */
static void header_put(struct br_buf *out, const char *name,
		       const char *value, enum header_kind kind)
{
	size_t n = strlen(value);
	char *v = br_malloc(n + 2);
	bool encode = false;
	/* v is " " + value: the space after the colon is the first fold
	 * point, for a first word that does not fit beside the name. */
	v[0] = ' ';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		v[i + 1] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		encode |= c >= 0x80;
	}
	v[n + 1] = 0;
	size_t col = strlen(name) + 1;
	if (kind == HEADER_UNSTRUCTURED && !encode) {
		encode = strstr(v, "=?") != NULL;
		for (const char *p = v; *p && !encode; p += piece_len(p))
			encode = piece_len(p) > HEADER_LINE;
	}
	br_buf_printf(out, "%s:", name);
	if (encode) {
		header_encoded(out, col, v + 1, n);
	} else {
		for (const char *p = v; *p;) {
			size_t k = piece_len(p);
			/* Not before a piece of spaces only: a line of
			 * nothing but whitespace is obsolete syntax. */
			if (col + k > HEADER_LINE && p[k - 1] != ' ') {
				br_buf_puts(out, "\r\n");
				col = 0;
			}
			br_buf_put(out, p, k);
			col += k;
			p += k;
		}
	}
	free(v);
}

static void header(struct br_buf *out, const char *name, const char *value,
		   enum header_kind kind)
{
	header_put(out, name, value, kind);
	br_buf_puts(out, "\r\n");
}

/* Appends the parameter key="value" of a MIME header on a line of its own
 * and ends the field; value holds only letters, digits, '.', '-' and '_'
 * (safe_filename). A value too long for one line is split into RFC 2231
 * continuations, key*0="..."; key*1="...", one per line. */
static void header_param(struct br_buf *out, const char *key,
			 const char *value)
{
	/* Room for " key*NNN=\"\";" beside 50 characters of value. */
	const size_t chunk = 50;
	size_t n = strlen(value);
	if (1 + strlen(key) + 3 + n <= HEADER_LINE) {
		br_buf_printf(out, "\r\n %s=\"%s\"\r\n", key, value);
		return;
	}
	for (size_t i = 0, part = 0; i < n; i += chunk, part++)
		br_buf_printf(out, "\r\n %s*%zu=\"%.*s\"%s", key, part,
			      (int)(n - i < chunk ? n - i : chunk), value + i,
			      i + chunk < n ? ";" : "");
	br_buf_puts(out, "\r\n");
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
	header(out, "From", c->from, HEADER_STRUCTURED);
	/* ", " between addresses: the fold points of a long list. */
	struct br_buf to = {0};
	for (size_t i = 0; i < c->nto; i++)
		br_buf_printf(&to, "%s%s", i ? ", " : "", c->to[i]);
	header(out, "To", to.p ? to.p : "", HEADER_STRUCTURED);
	br_buf_free(&to);
	header(out, "Subject", c->subject, HEADER_UNSTRUCTURED);
	header(out, "Message-ID", c->message_id, HEADER_STRUCTURED);
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
		br_buf_puts(&name, "");
		safe_filename(c->attachment_name, &name);
		struct br_buf type = {0};
		br_buf_printf(&type, "%s;", c->attachment_type);
		br_buf_printf(out, "--%s\r\n", mixed);
		/* A type as long as XLSX's takes a line of its own. */
		header_put(out, "Content-Type", type.p, HEADER_STRUCTURED);
		header_param(out, "name", name.p);
		br_buf_puts(out, "Content-Disposition: attachment;");
		header_param(out, "filename", name.p);
		br_buf_puts(out, "Content-Transfer-Encoding: base64\r\n\r\n");
		br_buf_free(&type);
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
		bool again = false;
		for (size_t i = 0; i < *n && !again; i++)
			again = strcasecmp(out[i], t) == 0;
		if (again)
			continue;
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
