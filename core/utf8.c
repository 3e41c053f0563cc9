/* utf8.c - UTF-8 validation, for writers that must not pass invalid
 * text on (JSON, XML, Prometheus labels) and for the JSON scanner; control
 * characters, which names shown on a terminal must not carry. */
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wchar.h>

#include "core/core.h"

size_t br_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2
		   : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((len == 2 && s[0] < 0xC2) ||
	    (len == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) ||
			  (s[0] == 0xED && s[1] >= 0xA0))) ||
	    (len == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || s[0] > 0xF4 ||
			  (s[0] == 0xF4 && s[1] >= 0x90))))
		return 0;
	return len;
}

size_t br_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

bool br_utf8_repair(struct br_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool changed = false;
	br_buf_reset(b);
	br_buf_puts(b, "");
	for (size_t n = strlen(s); n > 0;) {
		size_t len = br_utf8_len(p, n);
		if (len)
			br_buf_put(b, p, len);
		else
			br_buf_puts(b, "\xEF\xBF\xBD");
		changed |= len == 0;
		len = len ? len : 1;
		p += len;
		n -= len;
	}
	return changed;
}

/* C.UTF-8's character types (burnrate never calls setlocale: numbers
 * are written in C's). */
static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;

static void utf8_locale_new(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

locale_t br_utf8_ctype_begin(void)
{
	pthread_once(&utf8_locale_once, utf8_locale_new);
	return utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
}

void br_utf8_ctype_end(locale_t was)
{
	if (was)
		uselocale(was);
}

size_t br_utf8_width(const char *s)
{
	locale_t was = br_utf8_ctype_begin();
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;
	for (size_t n = strlen(s); n > 0;) {
		size_t len = br_utf8_len(p, n);
		wchar_t wc;
		mbstate_t st = {0};
		int cw = 1;
		if (len && was &&
		    mbrtowc(&wc, (const char *)p, len, &st) == len)
			cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
		len = len ? len : 1;
		p += len;
		n -= len;
	}
	br_utf8_ctype_end(was);
	return w;
}

size_t br_control_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	return n >= 2 && s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F ? 2 : 0;
}

char *br_printable(const char *s)
{
	size_t n = strlen(s), j = 0;
	char *out = br_malloc(n + 1);
	for (size_t i = 0; i < n;) {
		size_t k = br_control_len((const unsigned char *)s + i, n - i);
		out[j++] = k ? '?' : s[i];
		i += k ? k : 1;
	}
	out[j] = 0;
	return out;
}
