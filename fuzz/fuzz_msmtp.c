/* fuzz_msmtp.c - the msmtp configuration parser (notify/msmtp.c): any
 * file either loads an account that is complete (a host, a port, a user
 * and a secret when it authenticates) or fails with a message naming the
 * file and never showing a password. The file is read as mode 0600, and
 * again as 0644, which must refuse a file holding a password. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "notify/notify.h"

static const char *text;
static size_t text_len;

/* Tells whether an error message shows the value of a "password" line:
 * one of at least 6 bytes, without NUL, found nowhere else in the file
 * (where a message could name it as something else). */
static bool shows_password(const char *msg)
{
	const char *p = text, *end = text + text_len;
	while ((p = memmem(p, (size_t)(end - p), "password", 8))) {
		p += 8;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '"'))
			p++;
		size_t n = 0;
		while (p + n < end && p[n] != '\n' && p[n] != '\r' && p[n] != '"')
			n++;
		if (n < 6 || memchr(p, 0, n))
			continue;
		char *value = br_strndup(p, n);
		const char *first = memmem(text, text_len, value, n);
		bool once = first == p && !memmem(p + 1, (size_t)(end - p - 1),
						  value, n);
		bool shown = once && strstr(msg, value);
		free(value);
		if (shown)
			return true;
	}
	return false;
}

static void load(const char *path, const char *account, bool private)
{
	struct smtp_account a;
	struct br_err err = {0};
	if (smtp_account_load(path, account, &a, &err) != 0) {
		FUZZ_CHECK(err.status == BR_EXIT_USAGE && strstr(err.msg, path),
			   "bad error: %s", err.msg);
		FUZZ_CHECK(!shows_password(err.msg), "a password in: %s",
			   err.msg);
		return;
	}
	FUZZ_CHECK(a.host && a.port > 0 && a.port <= 65535, "incomplete");
	FUZZ_CHECK(a.auth == SMTP_AUTH_OFF || (a.user && (a.password ||
							  a.passwordeval)),
		   "auth without credentials");
	FUZZ_CHECK(private || !a.password, "a password in a 0644 file");
	smtp_account_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	text = (const char *)data;
	text_len = size;
	const char *path = fuzz_file(data, size, 0600);
	load(path, NULL, true);
	load(path, "work", true);
	path = fuzz_file(data, size, 0644);
	load(path, NULL, false);
	fuzz_file_close();
	return 0;
}
