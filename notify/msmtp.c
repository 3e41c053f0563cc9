/* msmtp.c - reads an msmtp configuration file (msmtp(1), "Configuration
 * files"), so that an existing ~/.msmtprc works unchanged: "defaults",
 * "account NAME [: PARENT[,PARENT...]]", the keys burnrate uses, and
 * msmtp's other keys either ignored (they only matter to msmtp's own
 * logging or header rewriting) or refused when the account uses them
 * (they would change how the connection is secured or routed, which
 * burnrate does not implement). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify/notify.h"

#define MSMTPRC_MAX_BYTES ((size_t)1 << 20)

/* What an account sets, itself or through the accounts it inherits
 * from: inheriting copies only these. */
enum {
	SET_HOST = 1 << 0,
	SET_PORT = 1 << 1,
	SET_FROM = 1 << 2,
	SET_AUTH = 1 << 3,
	SET_USER = 1 << 4,
	SET_PASSWORD = 1 << 5,
	SET_PASSWORDEVAL = 1 << 6,
	SET_TLS = 1 << 7,
	SET_STARTTLS = 1 << 8,
	SET_CERTCHECK = 1 << 9,
	SET_TRUST_FILE = 1 << 10,
	SET_TIMEOUT = 1 << 11,
	SET_UNSUPPORTED = 1 << 12,
};

struct conf_account {
	unsigned set;
	struct smtp_account a;  /* a.name is the account's name */
	bool auth_given;         /* auth was set, here or inherited */
	const char *unsupported; /* a key burnrate refuses, if set */
	unsigned long unsupported_line;
};

struct conf {
	const char *path;
	struct conf_account defaults;
	struct conf_account *v;
	size_t n, cap;
	bool has_password;
	struct br_err *err;
};

static void set_str(char **dst, const char *v)
{
	if (*dst) {
		explicit_bzero(*dst, strlen(*dst));
		free(*dst);
	}
	*dst = v ? br_strdup(v) : NULL;
}

/* Copies into dst the fields of src that mask names. */
static void copy_fields(struct conf_account *dst,
			const struct conf_account *src, unsigned mask)
{
	const struct smtp_account *s = &src->a;
	struct smtp_account *d = &dst->a;
	if (mask & SET_HOST)
		set_str(&d->host, s->host);
	if (mask & SET_PORT)
		d->port = s->port;
	if (mask & SET_FROM)
		set_str(&d->from, s->from);
	if (mask & SET_AUTH) {
		d->auth = s->auth;
		dst->auth_given = src->auth_given;
	}
	if (mask & SET_USER)
		set_str(&d->user, s->user);
	if (mask & SET_PASSWORD)
		set_str(&d->password, s->password);
	if (mask & SET_PASSWORDEVAL)
		set_str(&d->passwordeval, s->passwordeval);
	if (mask & SET_TLS)
		d->tls = s->tls;
	if (mask & SET_STARTTLS)
		d->tls_starttls = s->tls_starttls;
	if (mask & SET_CERTCHECK)
		d->tls_certcheck = s->tls_certcheck;
	if (mask & SET_TRUST_FILE)
		set_str(&d->tls_trust_file, s->tls_trust_file);
	if (mask & SET_TIMEOUT)
		d->timeout = s->timeout;
	if (mask & SET_UNSUPPORTED) {
		dst->unsupported = src->unsupported;
		dst->unsupported_line = src->unsupported_line;
	}
	dst->set |= mask;
}

static struct conf_account *conf_find(struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].a.name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* A new account: the defaults as they are now, nothing set by itself. */
static struct conf_account *conf_add(struct conf *c, const char *name)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = br_realloc(c->v, c->cap * sizeof *c->v);
	}
	struct conf_account *acc = &c->v[c->n++];
	*acc = (struct conf_account){0};
	acc->a.tls_starttls = true;
	acc->a.tls_certcheck = true;
	copy_fields(acc, &c->defaults, c->defaults.set);
	acc->set = 0;
	acc->a.name = br_strdup(name);
	return acc;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The argument of a command: blanks around it removed; a value in double
 * quotes loses them, and inside them \" and \\ stand for " and \. */
static int parse_value(struct conf *c, unsigned long line, const char *cmd,
		       const char *s, size_t n, char **out)
{
	while (n && is_blank(*s))
		s++, n--;
	while (n && is_blank(s[n - 1]))
		n--;
	if (n == 0 || s[0] != '"') {
		*out = br_strndup(s, n);
		return 0;
	}
	char *v = br_malloc(n);
	size_t k = 0, i;
	for (i = 1; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		v[k++] = s[i];
	}
	v[k] = 0;
	if (i + 1 == n) {
		*out = v;
		return 0;
	}
	free(v);
	if (i >= n)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: %s: unterminated double quote",
				      c->path, line, cmd);
	return br_fail_status(c->err, BR_EXIT_USAGE,
			      "%s:%lu: %s: text after the closing double quote",
			      c->path, line, cmd);
}

/* "on" (or nothing, as msmtp allows) and "off". */
static int parse_bool(struct conf *c, unsigned long line, const char *cmd,
		      const char *v, bool *out)
{
	if (!*v || strcmp(v, "on") == 0)
		*out = true;
	else if (strcmp(v, "off") == 0)
		*out = false;
	else
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: %s: invalid value '%s' (on or off)",
				      c->path, line, cmd, v);
	return 0;
}

static int parse_int(struct conf *c, unsigned long line, const char *cmd,
		     const char *v, int max, int *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < 1 || x > max)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: %s: invalid value '%s' (1 to %d)",
				      c->path, line, cmd, v, max);
	*out = (int)x;
	return 0;
}

const char *smtp_home(void)
{
	const char *home = getenv("HOME");
	if (home && *home)
		return home;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

/* ~ at the start of a file name is the home directory, as msmtp does. */
static char *expand_home(const char *v)
{
	const char *home = smtp_home();
	if (v[0] != '~' || (v[1] && v[1] != '/') || !home)
		return br_strdup(v);
	struct br_buf b = {0};
	br_buf_printf(&b, "%s%s", home, v + 1);
	return b.p;
}

/* msmtp keys that only concern msmtp's logging, its header rewriting or
 * its sendmail mode: accepted and ignored. */
static const char *const ignored_keys[] = {
	"logfile", "logfile_time_format", "syslog", "aliases", "domain",
	"maildomain", "auto_from", "from_full_name", "allow_from_override",
	"dsn_notify", "dsn_return", "keepbcc", "undisclosed_recipients",
	"remove_bcc_headers", "set_from_header", "set_date_header",
	"set_msgid_header", "set_to_header", "add_missing_from_header",
	"add_missing_date_header", "ntlmdomain", "tls_priorities",
	"tls_min_dh_prime_bits", "tls_force_sslv3", NULL};

/* msmtp keys that change how the connection is secured or routed, which
 * burnrate does not implement: refused when the account uses them. */
static const char *const refused_keys[] = {
	"tls_fingerprint", "tls_crl_file", "tls_key_file", "tls_cert_file",
	"tls_host_override", "proxy_host", "proxy_port", "socket",
	"source_ip", "eval", NULL};

static const char *const *find_key(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return list;
	return NULL;
}

static int parse_auth(struct conf *c, unsigned long line, const char *v,
		      enum smtp_auth *out)
{
	static const char *const other[] = {
		"cram-md5", "digest-md5", "scram-sha-1", "scram-sha-1-plus",
		"scram-sha-256", "scram-sha-256-plus", "gssapi", "external",
		"ntlm", "oauthbearer", "xoauth2", NULL};
	if (!*v || strcmp(v, "on") == 0)
		*out = SMTP_AUTH_ON;
	else if (strcmp(v, "off") == 0)
		*out = SMTP_AUTH_OFF;
	else if (strcmp(v, "plain") == 0)
		*out = SMTP_AUTH_PLAIN;
	else if (strcmp(v, "login") == 0)
		*out = SMTP_AUTH_LOGIN;
	else if (find_key(other, v))
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: auth: method '%s' is not supported "
				      "(burnrate supports on, off, plain and login)",
				      c->path, line, v);
	else
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: auth: invalid value '%s' "
				      "(on, off, plain or login)", c->path, line, v);
	return 0;
}

/* "account NAME [: PARENT[,PARENT...]]". */
static int parse_account(struct conf *c, unsigned long line, char *arg,
			 struct conf_account **cur)
{
	char *colon = strchr(arg, ':');
	char *parents = NULL;
	if (colon) {
		*colon = 0;
		parents = colon + 1;
	}
	char *name;
	if (parse_value(c, line, "account", arg, strlen(arg), &name) < 0)
		return -1;
	int rc = 0;
	if (!*name)
		rc = br_fail_status(c->err, BR_EXIT_USAGE,
				    "%s:%lu: account: missing account name",
				    c->path, line);
	else if (strchr(name, ','))
		rc = br_fail_status(c->err, BR_EXIT_USAGE,
				    "%s:%lu: account: a name must not contain "
				    "colons or commas", c->path, line);
	else if (conf_find(c, name))
		rc = br_fail_status(c->err, BR_EXIT_USAGE,
				    "%s:%lu: account: '%s' is already defined",
				    c->path, line, name);
	if (rc < 0) {
		free(name);
		return -1;
	}
	struct conf_account *acc = conf_add(c, name);
	free(name);
	while (parents) {
		char *comma = strchr(parents, ',');
		if (comma)
			*comma = 0;
		char *p;
		if (parse_value(c, line, "account", parents, strlen(parents),
				&p) < 0)
			return -1;
		struct conf_account *parent = *p ? conf_find(c, p) : NULL;
		if (!parent || parent == acc) {
			rc = *p ? br_fail_status(c->err, BR_EXIT_USAGE,
						 "%s:%lu: account: '%s' is not "
						 "defined before this line",
						 c->path, line, p)
				: br_fail_status(c->err, BR_EXIT_USAGE,
						 "%s:%lu: account: missing "
						 "account name after ':'",
						 c->path, line);
			free(p);
			return rc;
		}
		free(p);
		copy_fields(acc, parent, parent->set);
		parents = comma ? comma + 1 : NULL;
	}
	*cur = acc;
	return 0;
}

static int needs_argument(struct conf *c, unsigned long line, const char *cmd)
{
	return br_fail_status(c->err, BR_EXIT_USAGE,
			      "%s:%lu: %s: needs an argument", c->path, line, cmd);
}

/* Applies one command to the account (or defaults) being defined. */
static int parse_command(struct conf *c, unsigned long line, const char *cmd,
			 const char *arg, struct conf_account *acc)
{
	struct smtp_account *a = &acc->a;
	const char *const *refused;
	unsigned bit = 0;
	if (strcmp(cmd, "host") == 0) {
		if (!*arg)
			return needs_argument(c, line, cmd);
		set_str(&a->host, arg);
		bit = SET_HOST;
	} else if (strcmp(cmd, "port") == 0) {
		if (parse_int(c, line, cmd, arg, 65535, &a->port) < 0)
			return -1;
		bit = SET_PORT;
	} else if (strcmp(cmd, "timeout") == 0 ||
		   strcmp(cmd, "connect_timeout") == 0) {
		if (strcmp(arg, "off") == 0)
			a->timeout = 0;
		else if (parse_int(c, line, cmd, arg, 86400, &a->timeout) < 0)
			return -1;
		bit = SET_TIMEOUT;
	} else if (strcmp(cmd, "from") == 0) {
		set_str(&a->from, *arg ? arg : NULL);
		bit = SET_FROM;
	} else if (strcmp(cmd, "auth") == 0) {
		if (parse_auth(c, line, arg, &a->auth) < 0)
			return -1;
		acc->auth_given = true;
		bit = SET_AUTH;
	} else if (strcmp(cmd, "user") == 0) {
		set_str(&a->user, *arg ? arg : NULL);
		bit = SET_USER;
	} else if (strcmp(cmd, "password") == 0) {
		set_str(&a->password, *arg ? arg : NULL);
		c->has_password |= *arg != 0;
		bit = SET_PASSWORD;
	} else if (strcmp(cmd, "passwordeval") == 0) {
		set_str(&a->passwordeval, *arg ? arg : NULL);
		bit = SET_PASSWORDEVAL;
	} else if (strcmp(cmd, "tls") == 0) {
		if (parse_bool(c, line, cmd, arg, &a->tls) < 0)
			return -1;
		bit = SET_TLS;
	} else if (strcmp(cmd, "tls_starttls") == 0) {
		if (parse_bool(c, line, cmd, arg, &a->tls_starttls) < 0)
			return -1;
		bit = SET_STARTTLS;
	} else if (strcmp(cmd, "tls_certcheck") == 0) {
		if (parse_bool(c, line, cmd, arg, &a->tls_certcheck) < 0)
			return -1;
		bit = SET_CERTCHECK;
	} else if (strcmp(cmd, "tls_trust_file") == 0) {
		char *file = !*arg || strcmp(arg, "system") == 0 ? NULL
			     : expand_home(arg);
		set_str(&a->tls_trust_file, file);
		free(file);
		bit = SET_TRUST_FILE;
	} else if (strcmp(cmd, "protocol") == 0) {
		if (strcmp(arg, "smtp") != 0)
			return br_fail_status(c->err, BR_EXIT_USAGE,
					      "%s:%lu: protocol: '%s' is not "
					      "supported (only smtp)",
					      c->path, line, arg);
	} else if ((refused = find_key(refused_keys, cmd))) {
		/* An empty argument unsets it, which is harmless. */
		acc->unsupported = *arg ? *refused : NULL;
		acc->unsupported_line = line;
		bit = SET_UNSUPPORTED;
	} else if (!find_key(ignored_keys, cmd)) {
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: unknown command '%s'",
				      c->path, line, cmd);
	}
	acc->set |= bit;
	return 0;
}

/* One line: "defaults", "account ...", or a command for the current
 * account (before any, msmtp's implicit account "default"). */
static int parse_line(struct conf *c, unsigned long line, const char *s,
		      size_t n, struct conf_account **cur)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	size_t k = i;
	while (k < n && !is_blank(s[k]))
		k++;
	char *cmd = br_strndup(s + i, k - i);
	int rc;
	if (strcmp(cmd, "account") == 0) {
		char *rest = br_strndup(s + k, n - k);
		rc = parse_account(c, line, rest, cur);
		free(rest);
	} else {
		char *arg = NULL;
		rc = parse_value(c, line, cmd, s + k, n - k, &arg);
		if (rc == 0 && strcmp(cmd, "defaults") == 0) {
			if (*arg)
				rc = br_fail_status(c->err, BR_EXIT_USAGE,
						    "%s:%lu: defaults: takes no "
						    "argument", c->path, line);
			*cur = &c->defaults;
		} else if (rc == 0) {
			if (!*cur)
				*cur = conf_add(c, "default");
			rc = parse_command(c, line, cmd, arg, *cur);
		}
		if (arg)
			explicit_bzero(arg, strlen(arg));
		free(arg);
	}
	free(cmd);
	return rc;
}

static int parse_file(struct conf *c, const char *data, size_t len)
{
	struct conf_account *cur = NULL;
	unsigned long line = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
		size_t next = off + n + (nl != NULL);
		if (n && data[off + n - 1] == '\r')
			n--;
		if (parse_line(c, ++line, data + off, n, &cur) < 0)
			return -1;
		off = next;
	}
	return 0;
}

/* Reads the whole file, and its mode. */
static int read_file(const char *path, struct br_buf *out, mode_t *mode,
		     struct br_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return br_fail_status(err, BR_EXIT_USAGE, "cannot read %s: %s",
				      path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = br_fail_status(err, BR_EXIT_USAGE, "cannot read %s: %s",
				    path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "cannot read %s: not a regular file", path);
	} else {
		*mode = st.st_mode;
		char buf[8192];
		ssize_t k;
		while ((k = read(fd, buf, sizeof buf)) != 0) {
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = br_fail_status(err, BR_EXIT_USAGE,
						    "cannot read %s: %s", path,
						    strerror(errno));
				break;
			}
			if (out->len + (size_t)k > MSMTPRC_MAX_BYTES) {
				rc = br_fail_status(err, BR_EXIT_USAGE,
						    "%s: larger than %zu bytes",
						    path, MSMTPRC_MAX_BYTES);
				break;
			}
			br_buf_put(out, buf, (size_t)k);
		}
		explicit_bzero(buf, sizeof buf);
	}
	close(fd);
	return rc;
}

/* The account asked for, checked and completed with msmtp's defaults. */
static int conf_select(struct conf *c, const char *name,
		       struct conf_account **out)
{
	struct conf_account *acc = conf_find(c, name);
	if (!acc) {
		struct br_buf known = {0};
		for (size_t i = 0; i < c->n; i++)
			br_buf_printf(&known, "%s'%s'", i ? ", " : "",
				      c->v[i].a.name);
		int rc = c->n ? br_fail_status(c->err, BR_EXIT_USAGE,
					       "%s: no account '%s' (accounts: "
					       "%s)", c->path, name, known.p)
			      : br_fail_status(c->err, BR_EXIT_USAGE,
					       "%s: no account '%s' (the file "
					       "defines none)", c->path, name);
		br_buf_free(&known);
		return rc;
	}
	struct smtp_account *a = &acc->a;
	if (acc->unsupported)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s:%lu: %s: not supported by burnrate "
				      "(it changes how the connection is secured "
				      "or routed); account '%s' uses it",
				      c->path, acc->unsupported_line,
				      acc->unsupported, name);
	if (!a->host)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s: account '%s': host is not set",
				      c->path, name);
	if (!acc->auth_given && a->user)
		a->auth = SMTP_AUTH_ON;
	if (a->auth != SMTP_AUTH_OFF && !a->user)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s: account '%s': auth needs user",
				      c->path, name);
	if (a->auth != SMTP_AUTH_OFF && !a->password && !a->passwordeval)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s: account '%s': auth needs password "
				      "or passwordeval", c->path, name);
	/* Refused here, with the other checks of the account, not first
	 * by smtp_send: notify would have written the alerts of the night
	 * as pending before failing, and a dry run passed it. */
	if (a->auth == SMTP_AUTH_ON && !a->tls)
		return br_fail_status(c->err, BR_EXIT_USAGE,
				      "%s: account '%s': auth on sends the "
				      "password only over TLS (set tls on, or "
				      "auth plain or auth login to send it "
				      "unencrypted)", c->path, name);
	if (!a->port)
		a->port = a->tls && !a->tls_starttls ? 465 : 25;
	*out = acc;
	return 0;
}

int smtp_account_load(const char *path, const char *account,
		      struct smtp_account *out, struct br_err *err)
{
	*out = (struct smtp_account){0};
	struct br_buf data = {0};
	mode_t mode = 0;
	if (read_file(path, &data, &mode, err) < 0)
		return -1;
	struct conf c = {.path = path, .err = err};
	c.defaults.a.tls_starttls = true;
	c.defaults.a.tls_certcheck = true;
	struct conf_account *acc = NULL;
	int rc = parse_file(&c, data.p ? data.p : "", data.len);
	if (rc == 0 && c.has_password && (mode & 077))
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s: holds a password but group or others "
				    "may access it (mode %04o); run chmod 600 %s",
				    path, (unsigned)(mode & 07777), path);
	if (rc == 0)
		rc = conf_select(&c, account ? account : "default", &acc);
	if (rc == 0) {
		*out = acc->a;
		acc->a = (struct smtp_account){0};
		out->path = br_strdup(path);
	}
	for (size_t i = 0; i < c.n; i++)
		smtp_account_free(&c.v[i].a);
	free(c.v);
	smtp_account_free(&c.defaults.a);
	if (data.p)
		explicit_bzero(data.p, data.cap);
	br_buf_free(&data);
	return rc;
}

void smtp_account_free(struct smtp_account *a)
{
	if (!a)
		return;
	if (a->password)
		explicit_bzero(a->password, strlen(a->password));
	free(a->name);
	free(a->host);
	free(a->from);
	free(a->user);
	free(a->password);
	free(a->passwordeval);
	free(a->tls_trust_file);
	free(a->path);
	*a = (struct smtp_account){0};
}
