/* test_notify.c - CUnit suites for notify/: the msmtp configuration
 * parser, and SMTP sending against a real server (tests/smtpd.py, run
 * with $PYTHON, default /usr/bin/python3; the tests run from the
 * repository root, or $SMTPD names the script). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "notify/notify.h"
#include "tests/testutil.h"

/* ------------------------------------------------------------- helpers */

static char tmp[64];

/* Writes content to tmp/name with mode and returns the path (static). */
static const char *write_conf(const char *name, const char *content,
			      mode_t mode)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	size_t n = strlen(content);
	CU_ASSERT_FATAL(write(fd, content, n) == (ssize_t)n);
	CU_ASSERT_FATAL(fchmod(fd, mode) == 0);
	close(fd);
	return path;
}

static bool contains(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int suite_tmp_init(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/burnrate-notify-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int suite_tmp_cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* Loads account from a file of content (mode 0600) expecting failure;
 * checks the status and that the message holds want. */
static void expect_conf_error(const char *content, const char *account,
			      const char *want)
{
	const char *path = write_conf("bad.msmtprc", content, 0600);
	struct smtp_account a;
	struct br_err err = {0};
	CU_ASSERT_EQUAL(smtp_account_load(path, account, &a, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	struct br_buf b = {0};
	br_buf_printf(&b, "%s%s", want[0] == ':' ? path : "", want);
	if (!contains(err.msg, b.p))
		fprintf(stderr, "\n  want \"%s\" in \"%s\"\n", b.p, err.msg);
	CU_ASSERT(contains(err.msg, b.p));
	br_buf_free(&b);
	CU_ASSERT_PTR_NULL(a.host);
}

/* ------------------------------------------------------------- msmtprc */

static void test_msmtp_inheritance(void)
{
	const char *path = write_conf("inherit.msmtprc",
		"# burnrate test\n"
		"\n"
		"defaults\n"
		"port 587\n"
		"tls on\n"
		"tls_trust_file /etc/ssl/certs/ca-certificates.crt\n"
		"timeout 30\n"
		"logfile ~/.msmtp.log\n"
		"\n"
		"account base\n"
		"host smtp.example.com\n"
		"from alerts@example.com\n"
		"auth on\n"
		"user bob\n"
		"passwordeval \"pass show smtp\"\n"
		"\n"
		"   # indented comment\n"
		"account work : base\n"
		"from work@example.com\n"
		"tls_starttls off\n"
		"\n"
		"defaults\n"
		"timeout 45\n"
		"\n"
		"account other : base, work\n"
		"port 2525\n"
		"\n"
		"account default : work\n", 0644);
	struct smtp_account a;
	struct br_err err = {0};
	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, NULL, &a, &err), 0);
	CU_ASSERT(str_eq(a.name, "default"));
	CU_ASSERT(str_eq(a.path, path));
	CU_ASSERT(str_eq(a.host, "smtp.example.com"));
	CU_ASSERT_EQUAL(a.port, 587);
	CU_ASSERT(str_eq(a.from, "work@example.com"));
	CU_ASSERT_EQUAL(a.auth, SMTP_AUTH_ON);
	CU_ASSERT(str_eq(a.user, "bob"));
	CU_ASSERT_PTR_NULL(a.password);
	CU_ASSERT(str_eq(a.passwordeval, "pass show smtp"));
	CU_ASSERT(a.tls && !a.tls_starttls && a.tls_certcheck);
	CU_ASSERT(str_eq(a.tls_trust_file,
			 "/etc/ssl/certs/ca-certificates.crt"));
	/* The defaults as they were when the account was defined. */
	CU_ASSERT_EQUAL(a.timeout, 45);
	smtp_account_free(&a);

	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, "base", &a, &err), 0);
	CU_ASSERT(str_eq(a.name, "base") && a.tls_starttls);
	CU_ASSERT(str_eq(a.from, "alerts@example.com"));
	CU_ASSERT_EQUAL(a.timeout, 30);
	smtp_account_free(&a);

	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, "other", &a, &err), 0);
	CU_ASSERT_EQUAL(a.port, 2525);
	CU_ASSERT(str_eq(a.from, "work@example.com") && !a.tls_starttls);
	CU_ASSERT_EQUAL(a.timeout, 45);
	smtp_account_free(&a);
	smtp_account_free(&a); /* a freed account may be freed again */
	smtp_account_free(NULL);
}

static void test_msmtp_values(void)
{
	const char *home = getenv("HOME");
	const char *path = write_conf("values.msmtprc",
		"host  spaced.example \t\r\n"
		"password \"  sp ace\\\"q\\\\b  \"\r\n"
		"user \"bob smith\"\r\n"
		"from \"a@b.example\"\r\n"
		"tls\r\n"
		"tls_starttls off\r\n"
		"tls_trust_file ~/ca.pem\r\n"
		"connect_timeout 5\r\n"
		"syslog LOG_MAIL\r\n"
		"aliases /etc/aliases\r\n"
		"domain client.example\r\n"
		"protocol smtp\r\n"
		"tls_fingerprint\r\n"
		"\r\n"
		"account plain\r\n"
		"host h\r\n"
		"user u\r\n"
		"password p\r\n"
		"auth plain\r\n"
		"tls_trust_file system\r\n"
		"timeout off\r\n"
		"\r\n"
		"account login\r\n"
		"host h\r\n"
		"auth login\r\n"
		"user u\r\n"
		"password p\r\n"
		"tls_certcheck off\r\n"
		"\r\n"
		"account anon\r\n"
		"host h\r\n"
		"port 2525\r\n"
		"user\r\n"
		"password \"\"\r\n", 0600);
	struct smtp_account a;
	struct br_err err = {0};
	/* Commands before any account make msmtp's account "default". */
	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, NULL, &a, &err), 0);
	CU_ASSERT(str_eq(a.name, "default"));
	CU_ASSERT(str_eq(a.host, "spaced.example"));
	CU_ASSERT(str_eq(a.password, "  sp ace\"q\\b  "));
	CU_ASSERT(str_eq(a.user, "bob smith"));
	CU_ASSERT(str_eq(a.from, "a@b.example"));
	CU_ASSERT(a.tls && !a.tls_starttls && a.tls_certcheck);
	CU_ASSERT_EQUAL(a.port, 465); /* implicit TLS */
	CU_ASSERT_EQUAL(a.auth, SMTP_AUTH_ON); /* a user and no auth */
	CU_ASSERT_EQUAL(a.timeout, 5);
	if (home) {
		struct br_buf want = {0};
		br_buf_printf(&want, "%s/ca.pem", home);
		CU_ASSERT(str_eq(a.tls_trust_file, want.p));
		br_buf_free(&want);
	}
	smtp_account_free(&a);

	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, "plain", &a, &err), 0);
	CU_ASSERT_EQUAL(a.auth, SMTP_AUTH_PLAIN);
	CU_ASSERT_PTR_NULL(a.tls_trust_file);
	CU_ASSERT_EQUAL(a.timeout, 0);
	CU_ASSERT_EQUAL(a.port, 25);
	CU_ASSERT(!a.tls && a.tls_starttls);
	smtp_account_free(&a);

	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, "login", &a, &err), 0);
	CU_ASSERT_EQUAL(a.auth, SMTP_AUTH_LOGIN);
	CU_ASSERT(!a.tls_certcheck);
	smtp_account_free(&a);

	CU_ASSERT_EQUAL_FATAL(smtp_account_load(path, "anon", &a, &err), 0);
	CU_ASSERT_EQUAL(a.auth, SMTP_AUTH_OFF);
	CU_ASSERT_PTR_NULL(a.user);
	CU_ASSERT_PTR_NULL(a.password);
	CU_ASSERT_EQUAL(a.port, 2525);
	smtp_account_free(&a);
	CU_ASSERT(!br_failed(&err));
}

static void test_msmtp_errors(void)
{
	expect_conf_error("account a\nhost\n", "a", ":2: host: needs an argument");
	expect_conf_error("account a\nhost h\nport 70000\n", "a",
			  ":3: port: invalid value '70000'");
	expect_conf_error("account a\nport 25x\n", "a",
			  ":2: port: invalid value '25x'");
	expect_conf_error("account a\ntimeout -1\n", "a",
			  ":2: timeout: invalid value '-1'");
	expect_conf_error("account a\nhost h\ntls maybe\n", "a",
			  ":3: tls: invalid value 'maybe' (on or off)");
	expect_conf_error("account a\nauth cram-md5\n", "a",
			  ":2: auth: method 'cram-md5' is not supported");
	expect_conf_error("account a\nauth sometimes\n", "a",
			  ":2: auth: invalid value 'sometimes'");
	expect_conf_error("\n\naccount a\nfrobnicate 1\n", "a",
			  ":4: unknown command 'frobnicate'");
	expect_conf_error("account a : nope\nhost h\n", "a",
			  ":1: account: 'nope' is not defined before this line");
	expect_conf_error("account a : a\nhost h\n", "a",
			  ":1: account: 'a' is not defined before this line");
	expect_conf_error("account a\nhost h\naccount a\n", "a",
			  ":3: account: 'a' is already defined");
	expect_conf_error("account\n", NULL, ":1: account: missing account name");
	expect_conf_error("account a,b\n", NULL,
			  ":1: account: a name must not contain colons or commas");
	expect_conf_error("account a\nhost \"x\n", "a",
			  ":2: host: unterminated double quote");
	expect_conf_error("account a\nhost \"x\\\"\n", "a",
			  ":2: host: unterminated double quote");
	expect_conf_error("account a\nhost \"x\" y\n", "a",
			  ":2: host: text after the closing double quote");
	expect_conf_error("defaults now\n", NULL,
			  ":1: defaults: takes no argument");
	expect_conf_error("account a\nhost h\nprotocol lmtp\n", "a",
			  ":3: protocol: 'lmtp' is not supported");
	/* Refused keys count only for the accounts that use them. */
	expect_conf_error("account a\nhost h\ntls_fingerprint AA:BB\n"
			  "account b : a\n", "b",
			  ":3: tls_fingerprint: not supported by burnrate");
	expect_conf_error("defaults\nproxy_host 10.0.0.1\naccount a\nhost h\n",
			  "a", ":2: proxy_host: not supported by burnrate");
	expect_conf_error("account a\nhost h\naccount b\nhost h\n", "c",
			  ": no account 'c' (accounts: 'a', 'b')");
	expect_conf_error("account a\nhost h\n", NULL,
			  ": no account 'default' (accounts: 'a')");
	expect_conf_error("# nothing\n", NULL,
			  ": no account 'default' (the file defines none)");
	expect_conf_error("account a\nfrom x@y\n", "a",
			  ": account 'a': host is not set");
	expect_conf_error("account a\nhost h\nuser u\n", "a",
			  ": account 'a': auth needs password or passwordeval");
	expect_conf_error("account a\nhost h\nauth on\npassword p\n", "a",
			  ": account 'a': auth needs user");
	/* auth on (also a user without an auth line) without TLS: refused
	 * as the account is read, so notify writes nothing pending and a
	 * dry run fails as the real run would (it was first refused by
	 * smtp_send, after the night's alerts were written pending). */
	expect_conf_error("account a\nhost h\nauth on\nuser u\npassword p\n"
			  "tls off\n", "a", ": account 'a': auth on sends the "
			  "password only over TLS");
	expect_conf_error("account a\nhost h\nuser u\npassword p\n", "a",
			  ": account 'a': auth on sends the password only over TLS");

	const char *path = write_conf("refused.msmtprc",
		"account a\nhost h\ntls_crl_file /x\n"
		"account b\nhost h\ntls_key_file\n", 0600);
	struct smtp_account a;
	struct br_err err = {0};
	CU_ASSERT_EQUAL(smtp_account_load(path, "b", &a, &err), 0);
	smtp_account_free(&a);

	struct br_buf missing = {0};
	br_buf_printf(&missing, "%s/no-such-file", tmp);
	CU_ASSERT_EQUAL(smtp_account_load(missing.p, NULL, &a, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, missing.p));
	CU_ASSERT(contains(err.msg, strerror(ENOENT)));
	br_buf_free(&missing);
}

static void test_msmtp_permissions(void)
{
	static const char with_password[] =
		"account a\nhost h\ntls on\nuser u\npassword hunter2-secret\n";
	struct smtp_account a;
	struct br_err err = {0};
	const char *path = write_conf("perm.msmtprc", with_password, 0644);
	CU_ASSERT_EQUAL(smtp_account_load(path, "a", &a, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, "chmod 600"));
	CU_ASSERT(contains(err.msg, path));
	CU_ASSERT(!contains(err.msg, "hunter2"));

	br_err_clear(&err);
	path = write_conf("perm.msmtprc", with_password, 0640);
	CU_ASSERT_EQUAL(smtp_account_load(path, "a", &a, &err), -1);
	CU_ASSERT(contains(err.msg, "mode 0640"));

	br_err_clear(&err);
	path = write_conf("perm.msmtprc", with_password, 0600);
	CU_ASSERT_EQUAL(smtp_account_load(path, "a", &a, &err), 0);
	CU_ASSERT(str_eq(a.password, "hunter2-secret"));
	smtp_account_free(&a);

	/* Without a password (passwordeval, or none) anyone may read it. */
	path = write_conf("perm.msmtprc",
			  "account a\nhost h\ntls on\nuser u\npasswordeval echo x\n"
			  "account b\nhost h\npassword\n", 0644);
	CU_ASSERT_EQUAL(smtp_account_load(path, "a", &a, &err), 0);
	smtp_account_free(&a);
	/* A password in any account of the file counts. */
	path = write_conf("perm.msmtprc",
			  "account a\nhost h\naccount b\nhost h\npassword x\n",
			  0604);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(smtp_account_load(path, "a", &a, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, "mode 0604"));
}

/* ----------------------------------------------------------- the server */

static char certdir[64];
static bool have_server;

static const char *python(void)
{
	const char *p = getenv("PYTHON");
	return p && *p ? p : "/usr/bin/python3";
}

static const char *smtpd_script(void)
{
	const char *p = getenv("SMTPD");
	return p && *p ? p : "tests/smtpd.py";
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Certificates for localhost and 127.0.0.1, and for another name. */
static int smtp_suite_init(void)
{
	snprintf(certdir, sizeof certdir, "/tmp/burnrate-smtp-XXXXXX");
	if (!mkdtemp(certdir))
		return -1;
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' -c 'import aiosmtpd' 2>/dev/null",
		 python());
	have_server = run(cmd) == 0;
	if (!have_server)
		return 0;
	static const char *const certs[][2] = {
		{"localhost", "DNS:localhost,IP:127.0.0.1"},
		{"other", "DNS:other.example"}};
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof cmd,
			 "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
			 "-subj /CN=%s -addext subjectAltName=%s "
			 "-keyout %s/%s.key -out %s/%s.pem 2>/dev/null",
			 certs[i][0], certs[i][1], certdir, certs[i][0], certdir,
			 certs[i][0]);
		if (run(cmd) != 0)
			return -1;
	}
	return 0;
}

static int smtp_suite_cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", certdir);
	return system(cmd) == 0 ? 0 : -1;
}

struct server {
	pid_t pid;
	int port;
	char dir[64];
	char maildir[96];
};

static char *cert_path(const char *name, const char *ext)
{
	static char buf[4][128];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, 128, "%s/%s.%s", certdir, name, ext);
	return p;
}

/* Starts tests/smtpd.py with the NULL-terminated options and waits for
 * its port. */
static bool server_start(struct server *s, ...)
{
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/burnrate-smtpd-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(s->dir));
	char portfile[96];
	snprintf(portfile, sizeof portfile, "%s/port", s->dir);
	snprintf(s->maildir, sizeof s->maildir, "%s/mail", s->dir);
	CU_ASSERT_FATAL(mkdir(s->maildir, 0700) == 0);
	const char *argv[32] = {python(), smtpd_script(), "--port-file",
				portfile, "--maildir", s->maildir};
	size_t n = 6;
	va_list ap;
	va_start(ap, s);
	for (const char *arg; (arg = va_arg(ap, const char *)) && n < 31;)
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	pid_t parent = getpid();
	s->pid = fork();
	CU_ASSERT_FATAL(s->pid >= 0);
	if (s->pid == 0) {
		/* The server ends with the test, even one that crashes. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(portfile, "r");
		if (f) {
			int ok = fscanf(f, "%d", &s->port);
			fclose(f);
			if (ok == 1)
				return true;
		}
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		usleep(10000);
	}
	fprintf(stderr, "\n  %s %s did not start\n", python(), smtpd_script());
	CU_FAIL("tests/smtpd.py did not start");
	return false;
}

static void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		int status;
		for (int i = 0; i < 300; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				s->pid = 0;
				break;
			}
			usleep(10000);
		}
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The n-th message (1-based) the server kept, and its envelope. */
static bool server_message(const struct server *s, int n, struct br_buf *eml,
			   struct br_buf *env)
{
	char path[160];
	struct br_err err = {0};
	snprintf(path, sizeof path, "%s/%d.eml", s->maildir, n);
	if (access(path, F_OK) != 0)
		return false;
	CU_ASSERT_EQUAL(br_file_read(path, 1 << 20, eml, &err), 0);
	snprintf(path, sizeof path, "%s/%d.json", s->maildir, n);
	CU_ASSERT_EQUAL(br_file_read(path, 1 << 20, env, &err), 0);
	return true;
}

static bool server_kept_nothing(const struct server *s)
{
	char path[160];
	snprintf(path, sizeof path, "%s/1.eml", s->maildir);
	return access(path, F_OK) != 0;
}

#define SKIP_WITHOUT_SERVER()                                               \
	do {                                                                \
		if (!have_server) {                                         \
			CU_PASS("skipped: no aiosmtpd in $PYTHON "          \
				"(default /usr/bin/python3)");              \
			fprintf(stderr, " [skipped: no aiosmtpd] ");        \
			return;                                             \
		}                                                           \
	} while (0)

static const char message1[] =
	"Date: Mon, 01 Dec 2025 10:00:00 +0000\r\n"
	"From: Budget alerts <alerts@example.com>\r\n"
	"To: ops@example.com, cfo@example.com\r\n"
	"Subject: burnrate: budget 'team' at 90%\r\n"
	"Message-ID: <0123456789abcdef@burnrate>\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: 8bit\r\n"
	"\r\n"
	"Spend is $90.000000 of $100.000000.\r\n"
	".a line that starts with a dot\r\n"
	"..and two\r\n"
	".\r\n"
	"\r\n"
	"-- \r\n"
	"burnrate \xe2\x80\x94 the end\r\n";

static const char message2[] =
	"Date: Mon, 01 Dec 2025 10:00:01 +0000\r\n"
	"From: alerts@example.com\r\n"
	"To: ops@example.com\r\n"
	"Subject: second\r\n"
	"Message-ID: <second@burnrate>\r\n"
	"\r\n"
	"two\r\n";

static const char *const rcpts1[] = {"ops@example.com", "cfo@example.com"};
static const char *const rcpts2[] = {"ops@example.com"};

static struct mail mail_of(const char *text, const char *const *to,
			   size_t nto)
{
	return (struct mail){.from = "alerts@example.com", .to = to,
			     .nto = nto, .data = text, .len = strlen(text)};
}

static struct smtp_account account(const char *host, int port)
{
	return (struct smtp_account){.name = "test", .host = (char *)host,
				     .port = port, .tls_starttls = true,
				     .tls_certcheck = true, .timeout = 10,
				     .path = "test.msmtprc"};
}

/* Sends message1 with a; returns smtp_send's result. */
static int send_one(const struct smtp_account *a, enum smtp_outcome *out,
		    char **reply, struct br_err *err)
{
	struct mail m = mail_of(message1, rcpts1, 2);
	return smtp_send(a, &m, 1, out, reply, err);
}

static void free_replies(char **reply, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(reply[i]);
		reply[i] = NULL;
	}
}

/* Sends message1 with a, which must arrive; returns its envelope JSON
 * (caller frees) so that the test can look at it. */
static char *expect_sent(struct server *srv, const struct smtp_account *a)
{
	enum smtp_outcome out = SMTP_REJECTED;
	char *reply = NULL;
	struct br_err err = {0};
	int rc = send_one(a, &out, &reply, &err);
	if (rc != 0)
		fprintf(stderr, "\n  smtp_send: %s\n", err.msg);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(out, SMTP_SENT);
	CU_ASSERT_PTR_NULL(reply);
	free(reply);
	struct br_buf eml = {0}, env = {0};
	CU_ASSERT(server_message(srv, 1, &eml, &env));
	CU_ASSERT(eml.len == strlen(message1) &&
		  memcmp(eml.p, message1, eml.len) == 0);
	br_buf_free(&eml);
	return env.p;
}

/* smtp_send fails as a whole with status, and a message holding want. */
static void expect_session_error(const struct smtp_account *a, int status,
				 const char *want)
{
	enum smtp_outcome out = SMTP_SENT;
	char *reply = NULL;
	struct br_err err = {0};
	CU_ASSERT_EQUAL(send_one(a, &out, &reply, &err), -1);
	if (err.status != status || !contains(err.msg, want))
		fprintf(stderr, "\n  want %d \"%s\", got %d \"%s\"\n", status,
			want, err.status, err.msg);
	CU_ASSERT_EQUAL(err.status, status);
	CU_ASSERT(contains(err.msg, want));
	CU_ASSERT_EQUAL(out, SMTP_RETRY);
	CU_ASSERT_PTR_NULL(reply);
	free(reply);
	if (a->password)
		CU_ASSERT(!contains(err.msg, a->password));
}

/* ---------------------------------------------------------- SMTP tests */

static void test_smtp_plain(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	if (!server_start(&srv, NULL))
		return;
	struct smtp_account a = account("127.0.0.1", srv.port);
	struct mail m[2] = {mail_of(message1, rcpts1, 2),
			    mail_of(message2, rcpts2, 1)};
	m[1].from = NULL; /* the account's */
	a.from = "bounce@example.com";
	enum smtp_outcome out[2];
	char *reply[2];
	struct br_err err = {0};
	struct sigaction before, after;
	sigaction(SIGPIPE, NULL, &before);
	CU_ASSERT_EQUAL(smtp_send(&a, m, 2, out, reply, &err), 0);
	sigaction(SIGPIPE, NULL, &after);
	CU_ASSERT(before.sa_handler == after.sa_handler);
	CU_ASSERT(out[0] == SMTP_SENT && out[1] == SMTP_SENT);
	CU_ASSERT(!reply[0] && !reply[1]);
	CU_ASSERT(!br_failed(&err));

	struct br_buf eml = {0}, env = {0};
	CU_ASSERT(server_message(&srv, 1, &eml, &env));
	/* Exactly the bytes given: dot lines, 8-bit text, every header. */
	CU_ASSERT_EQUAL(eml.len, strlen(message1));
	CU_ASSERT(eml.len == strlen(message1) &&
		  memcmp(eml.p, message1, eml.len) == 0);
	CU_ASSERT(contains(env.p, "\"mail_from\": \"alerts@example.com\""));
	CU_ASSERT(contains(env.p, "\"ops@example.com\",\n  \"cfo@example.com\""));
	CU_ASSERT(contains(env.p, "\"tls\": false"));
	br_buf_reset(&eml);
	br_buf_reset(&env);
	CU_ASSERT(server_message(&srv, 2, &eml, &env));
	CU_ASSERT(eml.len == strlen(message2) &&
		  memcmp(eml.p, message2, eml.len) == 0);
	CU_ASSERT(contains(env.p, "\"mail_from\": \"bounce@example.com\""));
	br_buf_free(&eml);
	br_buf_free(&env);

	/* Nothing to send: no connection at all. */
	CU_ASSERT_EQUAL(smtp_send(&a, m, 0, out, reply, &err), 0);
	server_stop(&srv);
}

static int done_calls;
static bool count_done(size_t i, enum smtp_outcome outcome, const char *reply,
		       void *arg)
{
	(void)i, (void)outcome, (void)reply, (void)arg;
	done_calls++;
	return true;
}

static void test_smtp_auth(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	if (!server_start(&srv, "--auth", "bob:s3cret-pw", NULL))
		return;
	struct smtp_account a = account("127.0.0.1", srv.port);
	a.user = "bob";
	a.password = "s3cret-pw";

	a.auth = SMTP_AUTH_PLAIN;
	char *env = expect_sent(&srv, &a);
	CU_ASSERT(contains(env, "\"auth_user\": \"bob\""));
	CU_ASSERT(contains(env, "\"auth_mechanism\": \"PLAIN\""));
	free(env);
	server_stop(&srv);

	/* The server offers both; auth login uses LOGIN. */
	if (!server_start(&srv, "--auth", "bob:s3cret-pw", NULL))
		return;
	a.port = srv.port;
	a.auth = SMTP_AUTH_LOGIN;
	env = expect_sent(&srv, &a);
	CU_ASSERT(contains(env, "\"auth_mechanism\": \"LOGIN\""));
	free(env);

	/* A wrong password: refused, nothing sent, the password in no
	 * message. */
	a.auth = SMTP_AUTH_PLAIN;
	a.password = "wrong-Pa55word";
	struct br_buf want = {0};
	br_buf_printf(&want, "authentication failed for bob at 127.0.0.1:%d: "
		      "535", srv.port);
	expect_session_error(&a, BR_EXIT_USAGE, want.p);
	br_buf_free(&want);
	a.auth = SMTP_AUTH_LOGIN;
	expect_session_error(&a, BR_EXIT_USAGE, "authentication failed");
	server_stop(&srv);

	/* auth plain where the server offers LOGIN only. */
	if (!server_start(&srv, "--auth", "bob:s3cret-pw", "--auth-mechanisms",
			  "LOGIN", NULL))
		return;
	a.port = srv.port;
	a.password = "s3cret-pw";
	a.auth = SMTP_AUTH_PLAIN;
	expect_session_error(&a, BR_EXIT_USAGE,
			     "offers no authentication method that auth plain "
			     "allows (it offers LOGIN)");
	CU_ASSERT(server_kept_nothing(&srv));
	server_stop(&srv);

	/* Authentication asked for, none offered: nothing is sent. */
	if (!server_start(&srv, NULL))
		return;
	a.port = srv.port;
	expect_session_error(&a, BR_EXIT_USAGE, "does not offer authentication");
	CU_ASSERT(server_kept_nothing(&srv));
	server_stop(&srv);

	/* The server wants authentication the account does not do. */
	if (!server_start(&srv, "--auth", "bob:s3cret-pw", NULL))
		return;
	struct smtp_account plain = account("127.0.0.1", srv.port);
	expect_session_error(&plain, BR_EXIT_USAGE, "refuses mail from "
			     "account 'test' (test.msmtprc): MAIL FROM: 530");
	/* With several messages, libesmtp tries each one's MAIL FROM: its
	 * 530 is the account's too, and none is reported (marked failed
	 * for good, never to go out once the account is fixed): all stay
	 * to be sent again. */
	struct mail two[2] = {mail_of(message1, rcpts1, 2),
			      mail_of(message2, rcpts2, 1)};
	enum smtp_outcome out2[2] = {SMTP_SENT, SMTP_SENT};
	char *reply2[2] = {NULL, NULL};
	struct br_err err2 = {0};
	done_calls = 0;
	CU_ASSERT_EQUAL(smtp_send_each(&plain, two, 2, out2, reply2, count_done,
				       NULL, &err2), -1);
	CU_ASSERT_EQUAL(err2.status, BR_EXIT_USAGE);
	CU_ASSERT_EQUAL(done_calls, 0);
	CU_ASSERT(out2[0] == SMTP_RETRY && out2[1] == SMTP_RETRY);
	free_replies(reply2, 2);
	CU_ASSERT(server_kept_nothing(&srv));
	server_stop(&srv);

	/* auth on sends a password only over TLS. */
	a.auth = SMTP_AUTH_ON;
	expect_session_error(&a, BR_EXIT_USAGE, "auth on sends the password "
			     "only over TLS");
}

static void test_smtp_passwordeval(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	if (!server_start(&srv, "--auth", "bob:ev@l-pw", NULL))
		return;
	struct smtp_account a = account("127.0.0.1", srv.port);
	a.user = "bob";
	a.auth = SMTP_AUTH_PLAIN;
	a.password = "not-this-one"; /* passwordeval wins */
	/* One trailing newline goes; standard input is /dev/null, so cat
	 * adds nothing. */
	a.passwordeval = "cat; printf 'ev@l-pw\\n'";
	free(expect_sent(&srv, &a));

	a.passwordeval = "echo oops; exit 3";
	expect_session_error(&a, BR_EXIT_USAGE,
			     "test.msmtprc: account 'test': passwordeval failed "
			     "(exit status 3)");
	a.passwordeval = "cat";
	expect_session_error(&a, BR_EXIT_USAGE, "passwordeval printed nothing");
	a.passwordeval = "printf 'ev@l-pw\\n\\n'";
	expect_session_error(&a, BR_EXIT_USAGE, "authentication failed");
	/* libesmtp's PLAIN copies the password into 255 bytes: a longer one
	 * overran its buffer (heap corruption), now refused. */
	a.passwordeval = "head -c 256 /dev/zero | tr '\\0' x";
	expect_session_error(&a, BR_EXIT_USAGE, "test.msmtprc: account 'test': the "
			     "user or password is longer than the 255 bytes SMTP "
			     "authentication takes");
	server_stop(&srv);
}

static void test_smtp_starttls(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	if (!server_start(&srv, "--starttls", cert_path("localhost", "pem"),
			  cert_path("localhost", "key"), "--require-starttls",
			  "--auth", "bob:tls-pw", NULL))
		return;
	struct smtp_account a = account("localhost", srv.port);
	a.tls = true;
	a.tls_trust_file = cert_path("localhost", "pem");
	a.user = "bob";
	a.password = "tls-pw";
	a.auth = SMTP_AUTH_ON;
	char *env = expect_sent(&srv, &a);
	CU_ASSERT(contains(env, "\"tls\": true"));
	CU_ASSERT(contains(env, "\"sni\": \"localhost\""));
	CU_ASSERT(contains(env, "\"auth_user\": \"bob\""));
	free(env);
	server_stop(&srv);

	/* By address: the certificate's IP address entry. */
	if (!server_start(&srv, "--starttls", cert_path("localhost", "pem"),
			  cert_path("localhost", "key"), NULL))
		return;
	a = account("127.0.0.1", srv.port);
	a.tls = true;
	a.tls_trust_file = cert_path("localhost", "pem");
	env = expect_sent(&srv, &a);
	CU_ASSERT(contains(env, "\"sni\": null"));
	free(env);

	/* Not trusted: the system's certificates do not know it. */
	a.tls_trust_file = NULL;
	expect_session_error(&a, BR_EXIT_USAGE, "certificate of 127.0.0.1:");
	expect_session_error(&a, BR_EXIT_USAGE, "not trusted");
	/* tls_certcheck off takes it. */
	a.tls_certcheck = false;
	{
		enum smtp_outcome out;
		char *reply = NULL;
		struct br_err err = {0};
		CU_ASSERT_EQUAL(send_one(&a, &out, &reply, &err), 0);
		CU_ASSERT_EQUAL(out, SMTP_SENT);
		free(reply);
	}
	/* A trust file that cannot be loaded. */
	a.tls_certcheck = true;
	a.tls_trust_file = "/nonexistent/ca.pem";
	expect_session_error(&a, BR_EXIT_USAGE,
			     "tls_trust_file /nonexistent/ca.pem: cannot load");
	server_stop(&srv);

	/* Trusted, but for another name. */
	if (!server_start(&srv, "--starttls", cert_path("other", "pem"),
			  cert_path("other", "key"), NULL))
		return;
	a = account("localhost", srv.port);
	a.tls = true;
	a.tls_trust_file = cert_path("other", "pem");
	expect_session_error(&a, BR_EXIT_USAGE, "mismatch");
	server_stop(&srv);

	/* The server wants STARTTLS, the account has tls off. */
	if (!server_start(&srv, "--starttls", cert_path("localhost", "pem"),
			  cert_path("localhost", "key"), "--require-starttls",
			  NULL))
		return;
	a = account("127.0.0.1", srv.port);
	expect_session_error(&a, BR_EXIT_USAGE, "530 Must issue a STARTTLS "
			     "command first");
	server_stop(&srv);

	/* STARTTLS required, not offered. */
	if (!server_start(&srv, NULL))
		return;
	a = account("127.0.0.1", srv.port);
	a.tls = true;
	expect_session_error(&a, BR_EXIT_USAGE, "does not offer STARTTLS");
	CU_ASSERT(server_kept_nothing(&srv));
	/* Implicit TLS to a server that does not speak it. */
	a.tls_starttls = false;
	expect_session_error(&a, BR_EXIT_USAGE, "TLS handshake with 127.0.0.1:");
	server_stop(&srv);
}

static void test_smtp_implicit_tls(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	if (!server_start(&srv, "--implicit-tls", cert_path("localhost", "pem"),
			  cert_path("localhost", "key"), "--auth",
			  "bob:465-pw", NULL))
		return;
	struct smtp_account a = account("localhost", srv.port);
	a.tls = true;
	a.tls_starttls = false;
	a.tls_trust_file = cert_path("localhost", "pem");
	a.user = "bob";
	a.password = "465-pw";
	a.auth = SMTP_AUTH_LOGIN;
	char *env = expect_sent(&srv, &a);
	CU_ASSERT(contains(env, "\"tls\": true"));
	CU_ASSERT(contains(env, "\"sni\": \"localhost\""));
	CU_ASSERT(contains(env, "\"auth_mechanism\": \"LOGIN\""));
	free(env);

	a.password = "bad-465-pw";
	expect_session_error(&a, BR_EXIT_USAGE, "authentication failed for bob");
	a.password = "465-pw";
	a.tls_trust_file = NULL;
	expect_session_error(&a, BR_EXIT_USAGE, "not trusted");
	a.tls_trust_file = cert_path("other", "pem");
	expect_session_error(&a, BR_EXIT_USAGE, "not trusted");
	server_stop(&srv);
}

static void test_smtp_refusals(void)
{
	SKIP_WITHOUT_SERVER();
	struct server srv;
	enum smtp_outcome out[2];
	char *reply[2];
	struct br_err err = {0};
	struct mail m[2] = {mail_of(message1, rcpts1, 2),
			    mail_of(message2, rcpts2, 1)};

	if (!server_start(&srv, "--reply-data", "550", NULL))
		return;
	struct smtp_account a = account("127.0.0.1", srv.port);
	CU_ASSERT_EQUAL(smtp_send(&a, m, 2, out, reply, &err), 0);
	CU_ASSERT(out[0] == SMTP_REJECTED && out[1] == SMTP_REJECTED);
	CU_ASSERT(contains(reply[0], "550 5.7.1 Refused (test server)"));
	free_replies(reply, 2);
	server_stop(&srv);

	if (!server_start(&srv, "--reply-data", "451 4.7.1 Greylisted, come back",
			  NULL))
		return;
	a.port = srv.port;
	CU_ASSERT_EQUAL(smtp_send(&a, m, 2, out, reply, &err), 0);
	CU_ASSERT(out[0] == SMTP_RETRY && out[1] == SMTP_RETRY);
	CU_ASSERT(str_eq(reply[0], "451 4.7.1 Greylisted, come back"));
	free_replies(reply, 2);
	server_stop(&srv);

	if (!server_start(&srv, "--reply-rcpt", "550 5.1.1 No such user", NULL))
		return;
	a.port = srv.port;
	CU_ASSERT_EQUAL(smtp_send(&a, m, 2, out, reply, &err), 0);
	CU_ASSERT(out[0] == SMTP_REJECTED && out[1] == SMTP_REJECTED);
	CU_ASSERT(str_eq(reply[0], "RCPT TO:<ops@example.com>: 550 5.1.1 No "
			 "such user"));
	CU_ASSERT(server_kept_nothing(&srv));
	free_replies(reply, 2);
	server_stop(&srv);

	if (!server_start(&srv, "--reply-rcpt", "452", NULL))
		return;
	a.port = srv.port;
	CU_ASSERT_EQUAL(smtp_send(&a, m, 1, out, reply, &err), 0);
	CU_ASSERT_EQUAL(out[0], SMTP_RETRY);
	CU_ASSERT(contains(reply[0], "452 4.3.0"));
	free_replies(reply, 1);
	server_stop(&srv);
	CU_ASSERT(!br_failed(&err));
}

/* A port nothing listens on. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sin;
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* A listening socket on 127.0.0.1 that never accepts: connections are
 * made by the kernel, and nothing is ever said. */
static int silent_listener(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sin;
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	CU_ASSERT_FATAL(listen(fd, 8) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Answers one connection with a 421 greeting and closes it, as a server
 * does that is shutting down. */
static void *greet_421(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	if (fd >= 0) {
		static const char msg[] = "421 4.3.2 Too busy, try later\r\n";
		ssize_t w = write(fd, msg, sizeof msg - 1);
		(void)w;
		close(fd);
	}
	return NULL;
}

static void test_smtp_unreachable(void)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int port = free_port();
	struct smtp_account a = account("127.0.0.1", port);
	struct br_buf want = {0};
	br_buf_printf(&want, "cannot connect to 127.0.0.1:%d: %s", port,
		      strerror(ECONNREFUSED));
	expect_session_error(&a, BR_EXIT_TEMPFAIL, want.p);
	br_buf_free(&want);
	CU_ASSERT(seconds_since(&t0) < 2);

	a.host = "no-such-host.invalid";
	expect_session_error(&a, BR_EXIT_TEMPFAIL,
			     "cannot resolve no-such-host.invalid");

	/* A server that takes the connection and says nothing. */
	int lfd = silent_listener(&port);
	a = account("127.0.0.1", port);
	a.timeout = 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_session_error(&a, BR_EXIT_TEMPFAIL, "within 2 s");
	double took = seconds_since(&t0);
	CU_ASSERT(took >= 1.5 && took < 6);
	/* The same with implicit TLS: the handshake times out. */
	a.tls = true;
	a.tls_starttls = false;
	a.tls_certcheck = false;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_session_error(&a, BR_EXIT_TEMPFAIL, "TLS handshake with");
	took = seconds_since(&t0);
	CU_ASSERT(took >= 1.5 && took < 6);
	close(lfd);

	/* 421 before the first message. */
	lfd = silent_listener(&port);
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, greet_421, &lfd) == 0);
	a = account("127.0.0.1", port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_session_error(&a, BR_EXIT_TEMPFAIL,
			     "refused the session in its greeting: "
			     "421 4.3.2 Too busy, try later");
	CU_ASSERT(seconds_since(&t0) < 2);
	pthread_join(th, NULL);
	close(lfd);
}

static void test_smtp_bad_calls(void)
{
	struct smtp_account a = account("127.0.0.1", 25);
	struct mail m = mail_of(message1, rcpts1, 0);
	enum smtp_outcome out;
	char *reply;
	struct br_err err = {0};
	CU_ASSERT_EQUAL(smtp_send(&a, &m, 1, &out, &reply, &err), -1);
	CU_ASSERT(contains(err.msg, "message 1 has no recipients"));
	br_err_clear(&err);
	m = mail_of(message1, rcpts1, 1);
	m.from = NULL;
	CU_ASSERT_EQUAL(smtp_send(&a, &m, 1, &out, &reply, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, "test.msmtprc: account 'test': from is not "
			   "set"));
	br_err_clear(&err);
	a.host = NULL;
	CU_ASSERT_EQUAL(smtp_send(&a, &m, 1, &out, &reply, &err), -1);
	CU_ASSERT(contains(err.msg, "host is not set"));
	CU_ASSERT(out == SMTP_RETRY && !reply);
}

int test_register(void)
{
	static const struct test_case msmtp_tests[] = {
		{"defaults and inheritance", test_msmtp_inheritance},
		{"values and quoting", test_msmtp_values},
		{"errors name file, line and key", test_msmtp_errors},
		{"a password needs mode 600", test_msmtp_permissions},
		{NULL, NULL}};
	static const struct test_case smtp_tests[] = {
		{"plain: exact bytes, two messages", test_smtp_plain},
		{"AUTH PLAIN and LOGIN, refusals", test_smtp_auth},
		{"passwordeval", test_smtp_passwordeval},
		{"STARTTLS and certificates", test_smtp_starttls},
		{"implicit TLS", test_smtp_implicit_tls},
		{"4xx and 5xx replies", test_smtp_refusals},
		{"unreachable, silent, 421", test_smtp_unreachable},
		{"bad calls", test_smtp_bad_calls},
		{NULL, NULL}};
	CU_pSuite msmtp = CU_add_suite("msmtp configuration", suite_tmp_init,
				       suite_tmp_cleanup);
	CU_pSuite smtp = CU_add_suite("SMTP", smtp_suite_init,
				      smtp_suite_cleanup);
	if (!msmtp || !smtp)
		return -1;
	for (const struct test_case *t = msmtp_tests; t->name; t++)
		if (!CU_add_test(msmtp, t->name, t->fn))
			return -1;
	for (const struct test_case *t = smtp_tests; t->name; t++)
		if (!CU_add_test(smtp, t->name, t->fn))
			return -1;
	return 0;
}
