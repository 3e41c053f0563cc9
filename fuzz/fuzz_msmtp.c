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

/* The input with the letters and digits of the value of every "password"
 * command turned into 'x': the same file to the parser in every other
 * respect. */
static char *masked(void)
{
	char *m = br_malloc(text_len ? text_len : 1);
	memcpy(m, text, text_len);
	char *line = m, *end = m + text_len;
	for (; line < end; line++) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *eol = nl ? nl : end, *p = line;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (eol - p > 9 && memcmp(p, "password", 8) == 0 &&
		    (p[8] == ' ' || p[8] == '\t'))
			for (p += 9; p < eol; p++)
				if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9'))
					*p = 'x';
		line = eol;
	}
	return m;
}

static void load(const char *path, const char *account, bool private)
{
	struct smtp_account a;
	struct br_err err = {0};
	if (smtp_account_load(path, account, &a, &err) != 0) {
		FUZZ_CHECK(err.status == BR_EXIT_USAGE && strstr(err.msg, path),
			   "bad error: %s", err.msg);
		/* The message must not depend on a password's value. */
		char *m = masked();
		fuzz_file_rewrite(m, text_len);
		struct br_err again = {0};
		int rc = smtp_account_load(path, account, &a, &again);
		if (rc == 0)
			smtp_account_free(&a);
		FUZZ_CHECK(rc != 0 && strcmp(err.msg, again.msg) == 0,
			   "a password in: %s", err.msg);
		fuzz_file_rewrite(text, text_len);
		free(m);
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
