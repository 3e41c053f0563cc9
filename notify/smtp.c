/* smtp.c - sends messages in one SMTP session with libesmtp.
 *
 * libesmtp 1.1 speaks SMTP, STARTTLS and AUTH, but it connects by itself
 * with a blocking connect(2) that has no timeout, and it has no implicit
 * TLS (port 465). So smtp_send connects itself - resolving, with the
 * account's timeout and, for implicit TLS, the TLS handshake and the
 * certificate check - and hands libesmtp a loopback relay: a listener on
 * 127.0.0.1 whose one connection, made by this process, a thread joins to
 * the server byte for byte (through TLS for implicit TLS). libesmtp does
 * the rest over it: the greeting, STARTTLS with our SSL_CTX (so its own
 * certificate files are never read), AUTH and the messages.
 *
 * libesmtp's results are completed by watching the session: its protocol
 * monitor shows the server's replies, which tells an authentication
 * refused from a server that answered 4xx, and the commands before they
 * are written (only their first words are looked at: AUTH lines carry
 * the password), which lets the relay cut the session before MAIL FROM
 * when authentication did not succeed - libesmtp would otherwise go on
 * unauthenticated. Its event callback tells the caller each message's
 * fate as the reply deciding it arrives (smtp_send_each), so that it is
 * on disk before the session goes on. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
/* After openssl/ssl.h, which makes libesmtp.h declare
 * smtp_starttls_set_ctx, and auth-client.h, smtp_auth_set_context. */
#include <auth-client.h>
#include <libesmtp.h>

#include "notify/notify.h"

#define PASSWORDEVAL_MAX_BYTES 65536
/* The least wait for the reply to the end of data (RFC 5321 4.5.3.2.6:
 * 10 minutes): the server may be filtering the message, and a client that
 * gives up first sends it again, a second copy. */
#define DATA_END_TIMEOUT_S 600
#define REPLY_MAX 512
/* The longest user or password libesmtp's PLAIN and LOGIN mechanisms take. */
#define SASL_FIELD_MAX 255

extern char **environ;

/* The loopback relay between libesmtp and the server. */
struct relay {
	int listen_fd;
	int wake[2];          /* a byte written to wake[1]: stop */
	int server_fd;
	SSL *ssl;             /* implicit TLS, else NULL */
	atomic_bool cut;      /* forward nothing more to the server */
	pthread_t thread;
	bool started;
	int accept_ms;        /* how long libesmtp may take to connect */
	bool server_closed;   /* set by the thread, read once joined */
};

struct session {
	const struct smtp_account *a;
	const char *host;
	int port, timeout;
	char *password;
	SSL_CTX *ctx;
	struct relay relay;
	auth_context_t actx;

	/* The certificate check. */
	long verify_error;          /* X509_V_ERR_* of the first failure */
	char verify_subject[256];
	char cert_problem[256];     /* libesmtp's certificate events */

	/* What the protocol monitor saw. */
	struct br_buf partial;      /* a server line not yet complete */
	int last_code;
	char last_reply[REPLY_MAX];
	int greet_code;             /* the greeting, the first reply */
	char greet_reply[REPLY_MAX];
	bool in_ehlo;
	int ehlo_code;              /* the last EHLO's (or HELO's) */
	char ehlo_reply[REPLY_MAX];
	bool in_starttls;
	int starttls_code;
	char starttls_reply[REPLY_MAX];
	bool in_auth, creds_given, authenticated;
	int auth_code;
	char auth_reply[REPLY_MAX];
	char offered[REPLY_MAX];    /* the mechanisms of EHLO's AUTH line */
	bool no_starttls;
	bool cut_unauthenticated;

	/* The messages; which of them are decided, and which of those done
	 * was told about. */
	smtp_message_t *handles;
	size_t n;
	bool *reported, *told;
	int data_end_timeout;       /* seconds, the wait after the dot */
	smtp_message_t in_data;     /* its data sent, its reply not read */
	smtp_done_fn *done;
	void *done_arg;
	bool ended;                 /* by done: nothing more is sent */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or deadline (now_ms) passes:
 * 1 ready, 0 timed out, -1 failed. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int k = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (k > 0)
			return 1;
		if (k == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Copies a server reply into dst (REPLY_MAX): control characters become
 * spaces, trailing blanks go. */
static void copy_reply(char *dst, const char *src, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < REPLY_MAX; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[k++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	while (k && dst[k - 1] == ' ')
		k--;
	dst[k] = 0;
}

/* Replaces every occurrence of secret in s by asterisks. */
static void scrub(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (!s || !n)
		return;
	for (char *p = strstr(s, secret); p; p = strstr(p + n, secret))
		memset(p, '*', n);
}

/* The file an account came from, for messages. */
static const char *account_path(const struct smtp_account *a)
{
	return a->path ? a->path : "the SMTP configuration";
}

static const char *account_name(const struct smtp_account *a)
{
	return a->name ? a->name : "";
}

/* ------------------------------------------------------- passwordeval */

static int run_passwordeval(struct session *s, struct br_err *err)
{
	const struct smtp_account *a = s->a;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return br_fail(err, "cannot run passwordeval: %s",
			       strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	/* The command gets the default of the signal burnrate ignores
	 * (SIGXFSZ, burnrate.c), as a shell would give it. */
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t dfl;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGXFSZ);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {"sh", "-c", a->passwordeval, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return br_fail(err, "cannot run passwordeval: %s", strerror(rc));
	}
	struct br_buf out = {0};
	char buf[4096];
	bool too_long = false;
	ssize_t k;
	while ((k = read(p[0], buf, sizeof buf)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		if (out.len + (size_t)k > PASSWORDEVAL_MAX_BYTES)
			too_long = true;
		else
			br_buf_put(&out, buf, (size_t)k);
	}
	explicit_bzero(buf, sizeof buf);
	close(p[0]);
	int status;
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (out.len && out.p[out.len - 1] == '\n')
		out.p[--out.len] = 0;
	const char *path = account_path(a), *what = account_name(a);
	if (rc < 0)
		rc = br_fail(err, "cannot wait for passwordeval: %s",
			     strerror(errno));
	else if (WIFSIGNALED(status))
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s: account '%s': passwordeval was killed "
				    "by signal %d", path, what,
				    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s: account '%s': passwordeval failed "
				    "(exit status %d)", path, what,
				    WEXITSTATUS(status));
	else if (too_long)
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s: account '%s': passwordeval printed "
				    "more than %d bytes", path, what,
				    PASSWORDEVAL_MAX_BYTES);
	else if (!out.len || memchr(out.p, 0, out.len))
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s: account '%s': passwordeval printed %s",
				    path, what, out.len ? "a NUL byte"
							   : "nothing");
	else
		rc = 0;
	if (rc == 0) {
		s->password = out.p;
	} else {
		if (out.p)
			explicit_bzero(out.p, out.cap);
		br_buf_free(&out);
	}
	return rc;
}

/* ---------------------------------------------------------------- TLS */

static struct session *session_of(const SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

/* Notes the first certificate the chain check refused. */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct session *s = session_of(ssl);
	if (!ok && !s->verify_error) {
		s->verify_error = X509_STORE_CTX_get_error(store);
		X509 *cert = X509_STORE_CTX_get_current_cert(store);
		if (cert)
			X509_NAME_oneline(X509_get_subject_name(cert),
					  s->verify_subject,
					  sizeof s->verify_subject);
	}
	return ok;
}

/* Sends the server's name (SNI) in every handshake on the context, also
 * the ones libesmtp starts for STARTTLS, which sets none. */
static void sni_cb(const SSL *ssl, int where, int ret)
{
	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_START) &&
	    !SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
		SSL_set_tlsext_host_name((SSL *)ssl, session_of(ssl)->host);
}

static bool is_ip_address(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, addr) == 1 ||
	       inet_pton(AF_INET6, host, addr) == 1;
}

static const char *ssl_error_text(void)
{
	static _Thread_local char buf[256];
	unsigned long e = ERR_peek_last_error();
	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, sizeof buf);
	return buf;
}

/* The context for implicit TLS and STARTTLS: TLS 1.2 at least and, with
 * tls_certcheck, the chain checked against tls_trust_file (or the system's
 * certificates) and the name against the host, by OpenSSL. */
static int tls_setup(struct session *s, struct br_err *err)
{
	const struct smtp_account *a = s->a;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return br_fail(err, "cannot set up TLS: %s", ssl_error_text());
	s->ctx = ctx;
	SSL_CTX_set_app_data(ctx, s);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* libesmtp 1.1 polls for the reply to its EHLO after STARTTLS
	 * before it has written the EHLO: TLS 1.3 session tickets arriving
	 * in between make it wait for a reply that cannot come, until the
	 * timeout. TLS 1.2 sends nothing after the handshake. (Implicit TLS
	 * is ours, in the relay, and takes TLS 1.3.) */
	if (a->tls_starttls)
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	bool ip = is_ip_address(s->host);
	if (!ip)
		SSL_CTX_set_info_callback(ctx, sni_cb);
	if (!a->tls_certcheck) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	if (a->tls_trust_file) {
		if (SSL_CTX_load_verify_locations(ctx, a->tls_trust_file,
						  NULL) != 1)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "%s: tls_trust_file %s: cannot load "
					      "certificates: %s", account_path(a),
					      a->tls_trust_file, ssl_error_text());
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		return br_fail(err, "cannot load the system's certificates: %s",
			       ssl_error_text());
	}
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(param,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(param, s->host)
		: X509_VERIFY_PARAM_set1_host(param, s->host, 0)) != 1)
		return br_fail(err, "cannot set up TLS for %s: %s", s->host,
			       ssl_error_text());
	return 0;
}

static int certificate_error(struct session *s, struct br_err *err)
{
	const struct smtp_account *a = s->a;
	return br_fail_status(err, BR_EXIT_USAGE,
			      "certificate of %s:%d not trusted: %s%s%s "
			      "(checked against %s%s; tls_certcheck off skips "
			      "the check)", s->host, s->port,
			      X509_verify_cert_error_string(s->verify_error),
			      s->verify_subject[0] ? ", subject " : "",
			      s->verify_subject,
			      a->tls_trust_file ? "tls_trust_file "
						: "the system's certificates",
			      a->tls_trust_file ? a->tls_trust_file : "");
}

/* ------------------------------------------------------ connecting */

static int connect_server(struct session *s, int64_t deadline,
			  struct br_err *err)
{
	char port[16];
	snprintf(port, sizeof port, "%d", s->port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_ADDRCONFIG}, *res;
	int rc = getaddrinfo(s->host, port, &hints, &res);
	if (rc != 0)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "cannot resolve %s: %s", s->host,
				      rc == EAI_SYSTEM ? strerror(errno)
						       : gai_strerror(rc));
	int fd = -1, last = 0;
	bool timed_out = false;
	for (struct addrinfo *ai = res; ai && !timed_out; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		last = errno;
		if (last == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, deadline);
			socklen_t len = sizeof last;
			if (w > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &last,
						&len) == 0 && last == 0)
				break;
			if (w < 0)
				last = errno;
			timed_out = w == 0;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0 && timed_out)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "cannot connect to %s:%d: no answer within "
				      "%d s", s->host, s->port, s->timeout);
	if (fd < 0)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "cannot connect to %s:%d: %s", s->host,
				      s->port, strerror(last));
	s->relay.server_fd = fd;
	return 0;
}

/* Implicit TLS: the handshake, before libesmtp reads the greeting. */
static int tls_connect(struct session *s, int64_t deadline,
		       struct br_err *err)
{
	SSL *ssl = SSL_new(s->ctx);
	if (!ssl)
		return br_fail(err, "cannot set up TLS: %s", ssl_error_text());
	s->relay.ssl = ssl;
	SSL_set_fd(ssl, s->relay.server_fd);
	SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
			  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	ERR_clear_error();
	int r, e;
	while ((r = SSL_connect(ssl)) != 1) {
		e = SSL_get_error(ssl, r);
		short ev = e == SSL_ERROR_WANT_READ ? POLLIN
			   : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
		int w = ev ? wait_fd(s->relay.server_fd, ev, deadline) : -1;
		if (w == 0)
			return br_fail_status(err, BR_EXIT_TEMPFAIL,
					      "TLS handshake with %s:%d: no "
					      "answer within %d s", s->host,
					      s->port, s->timeout);
		if (w < 0)
			break;
	}
	if (r == 1)
		return 0;
	if (s->verify_error)
		return certificate_error(s, err);
	if (e == SSL_ERROR_SSL)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "TLS handshake with %s:%d failed: %s (with "
				      "tls_starttls off the server must speak TLS "
				      "from the first byte, usually on port 465)",
				      s->host, s->port, ssl_error_text());
	return br_fail_status(err, BR_EXIT_TEMPFAIL,
			      "TLS handshake with %s:%d failed: the connection "
			      "was closed", s->host, s->port);
}

/* ----------------------------------------------------------- the relay */

/* Tells whether the peer of fd is a socket of this process: only
 * libesmtp's connection is relayed. Where /proc is not mounted nothing
 * can be checked, and the connection is taken. */
static bool from_this_process(int fd)
{
	struct sockaddr_in peer, mine;
	socklen_t plen = sizeof peer;
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
		return false;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return true;
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		char *end;
		long other = strtol(de->d_name, &end, 10);
		socklen_t mlen = sizeof mine;
		found = !*end && other != fd && other != dirfd(d) &&
			getsockname((int)other, (struct sockaddr *)&mine,
				    &mlen) == 0 &&
			mlen == sizeof mine && mine.sin_family == AF_INET &&
			mine.sin_port == peer.sin_port &&
			mine.sin_addr.s_addr == peer.sin_addr.s_addr;
	}
	closedir(d);
	return found;
}

static int relay_accept(struct relay *r)
{
	int64_t deadline = now_ms() + r->accept_ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p[2] = {{.fd = r->listen_fd, .events = POLLIN},
				      {.fd = r->wake[0], .events = POLLIN}};
		int k = poll(p, 2, (int)left);
		if (k < 0 && errno != EINTR)
			return -1;
		if (k <= 0)
			continue;
		if (p[1].revents)
			return -1;
		int fd = accept4(r->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (from_this_process(fd))
			return fd;
		close(fd);
	}
}

/* Reads from (out false) or writes to (out true) the server: the bytes moved,
 * 0 at its end, -1 when it would block (*want: the poll event it waits
 * for), -2 on failure. */
static ssize_t server_io(struct relay *r, bool out, char *buf, size_t n,
			 short *want)
{
	if (!r->ssl) {
		ssize_t k = out ? send(r->server_fd, buf, n, MSG_NOSIGNAL)
				: recv(r->server_fd, buf, n, 0);
		if (k >= 0)
			return k;
		*want = out ? POLLOUT : POLLIN;
		return errno == EAGAIN || errno == EINTR ? -1 : -2;
	}
	ERR_clear_error();
	int k = out ? SSL_write(r->ssl, buf, (int)n)
		    : SSL_read(r->ssl, buf, (int)n);
	if (k > 0)
		return k;
	switch (SSL_get_error(r->ssl, k)) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return -2;
	}
}

struct chunk {
	char b[16384];
	size_t off, len;
};

/* Copies between libesmtp (cfd) and the server until libesmtp closes its
 * end or the main thread says stop. When the server closes its end, or
 * the session is cut, libesmtp gets an orderly end of file. */
static void relay_copy(struct relay *r, int cfd)
{
	struct chunk *up = br_calloc(2, sizeof *up), *down = up + 1;
	bool client_eof = false, server_eof = false, shut = false;
	short read_want = POLLIN, write_want = POLLOUT;
	for (;;) {
		bool progress = false;
		ssize_t k;
		if (!up->len && !client_eof) {
			k = recv(cfd, up->b, sizeof up->b, 0);
			if (k > 0) {
				up->len = (size_t)k;
				up->off = 0;
				progress = true;
			} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
				client_eof = true;
			}
		}
		if (client_eof && !up->len)
			break;
		if (up->len && (server_eof || atomic_load(&r->cut))) {
			up->len = 0;    /* dropped, never forwarded */
			progress = true;
		}
		if (up->len) {
			k = server_io(r, true, up->b + up->off,
				      up->len - up->off, &write_want);
			if (k > 0) {
				up->off += (size_t)k;
				if (up->off == up->len)
					up->len = 0;
				progress = true;
			} else if (k != -1) {
				server_eof = r->server_closed = true;
			}
		}
		if (!down->len && !server_eof && !atomic_load(&r->cut)) {
			k = server_io(r, false, down->b, sizeof down->b,
				      &read_want);
			if (k > 0) {
				down->len = (size_t)k;
				down->off = 0;
				progress = true;
			} else if (k != -1) {
				server_eof = r->server_closed = true;
			}
		}
		if (down->len) {
			k = send(cfd, down->b + down->off,
				 down->len - down->off, MSG_NOSIGNAL);
			if (k > 0) {
				down->off += (size_t)k;
				if (down->off == down->len)
					down->len = 0;
				progress = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				break;
			}
		}
		if ((server_eof || atomic_load(&r->cut)) && !down->len &&
		    !shut) {
			shutdown(cfd, SHUT_WR);
			shut = true;
		}
		if (progress)
			continue;
		/* An fd waited for nothing is left out: a closed one would
		 * report POLLHUP at once, again and again. */
		short cev = (short)((up->len ? 0 : POLLIN) |
				    (down->len ? POLLOUT : 0));
		short sev = (short)((up->len ? write_want : 0) |
				    (!down->len && !server_eof && !shut
				     ? read_want : 0));
		struct pollfd p[3] = {
			{.fd = cev ? cfd : -1, .events = cev},
			{.fd = sev ? r->server_fd : -1, .events = sev},
			{.fd = r->wake[0], .events = POLLIN}};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			break;
	}
	free(up);
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	int cfd = relay_accept(r);
	if (cfd >= 0) {
		relay_copy(r, cfd);
		close(cfd);
	}
	return NULL;
}

/* Listens on a free port of 127.0.0.1 and starts the relay thread. */
static int relay_start(struct relay *r, int *port, struct br_err *err)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sin;
	r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
				       SOCK_CLOEXEC, 0);
	if (r->listen_fd < 0 ||
	    bind(r->listen_fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    listen(r->listen_fd, 1) < 0 ||
	    getsockname(r->listen_fd, (struct sockaddr *)&sin, &len) < 0 ||
	    pipe2(r->wake, O_CLOEXEC) < 0)
		return br_fail(err, "cannot listen on 127.0.0.1: %s",
			       strerror(errno));
	*port = ntohs(sin.sin_port);
	int rc = pthread_create(&r->thread, NULL, relay_main, r);
	if (rc != 0)
		return br_fail(err, "cannot start a thread: %s", strerror(rc));
	r->started = true;
	return 0;
}

/* Stops the thread and closes everything; once is enough, more is
 * harmless. */
static void relay_stop(struct relay *r)
{
	if (r->started) {
		ssize_t w = write(r->wake[1], "", 1);
		(void)w;
		pthread_join(r->thread, NULL);
		r->started = false;
	}
	if (r->ssl) {
		SSL_shutdown(r->ssl);
		SSL_free(r->ssl);
		r->ssl = NULL;
	}
	int *fds[] = {&r->server_fd, &r->listen_fd, &r->wake[0], &r->wake[1]};
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* ------------------------------------------------ watching the session */

/* A line that starts with word, case-insensitively. */
static bool starts_with(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	return n >= k && strncasecmp(s, word, k) == 0;
}

/* One complete reply (its last line) from the server. */
static void on_reply(struct session *s, int code, const char *line,
		     size_t n)
{
	s->last_code = code;
	copy_reply(s->last_reply, line, n);
	/* The greeting and EHLO are kept apart: a server refusing either
	 * answers the QUIT that follows, which last_reply then holds. */
	if (!s->greet_code) {
		s->greet_code = code;
		copy_reply(s->greet_reply, line, n);
	} else if (s->in_ehlo) {
		s->in_ehlo = false;
		s->ehlo_code = code;
		copy_reply(s->ehlo_reply, line, n);
	}
	if (s->in_starttls) {
		s->in_starttls = false;
		s->starttls_code = code;
		copy_reply(s->starttls_reply, line, n);
	}
	if (!s->in_auth || code == 334)
		return;
	if (code == 235) {
		s->authenticated = true;
	} else if (s->creds_given) {
		s->auth_code = code;
		copy_reply(s->auth_reply, line, n);
	}
	s->in_auth = s->creds_given = false;
}

static void on_server_line(struct session *s, const char *line, size_t n)
{
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9')
		return;
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		   (line[2] - '0');
	if (code / 100 == 2 && n > 4 &&
	    (starts_with(line + 4, n - 4, "AUTH ") ||
	     starts_with(line + 4, n - 4, "AUTH=")))
		copy_reply(s->offered, line + 9, n - 9);
	if (n == 3 || line[3] == ' ')
		on_reply(s, code, line, n);
}

/* Commands about to be written: only how each line starts is looked at.
 * MAIL FROM without the authentication the account asks for cuts the
 * session before the command reaches the server. */
static void on_client_data(struct session *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;
		const char *line = buf + i;
		if (starts_with(line, len, "AUTH ")) {
			s->in_auth = true;
		} else if (!s->in_auth && (starts_with(line, len, "EHLO ") ||
					   starts_with(line, len, "HELO "))) {
			s->in_ehlo = true;
		} else if (!s->in_auth && starts_with(line, len, "STARTTLS")) {
			s->in_starttls = true;
		} else if (!s->in_auth && starts_with(line, len, "MAIL FROM:") &&
			   s->a->auth != SMTP_AUTH_OFF && !s->authenticated) {
			atomic_store(&s->relay.cut, true);
			s->cut_unauthenticated = true;
		}
		i += len;
	}
}

static void monitor_cb(const char *buf, int len, int writing, void *arg)
{
	struct session *s = arg;
	if (len <= 0)
		return;
	if (writing) {
		on_client_data(s, buf, (size_t)len);
		return;
	}
	br_buf_put(&s->partial, buf, (size_t)len);
	size_t start = 0;
	for (size_t i = 0; i < s->partial.len; i++) {
		if (s->partial.p[i] == '\n') {
			on_server_line(s, s->partial.p + start, i + 1 - start);
			start = i + 1;
		}
	}
	memmove(s->partial.p, s->partial.p + start, s->partial.len - start);
	s->partial.len -= start;
}

static void note_cert_problem(struct session *s, const char *what)
{
	if (!s->cert_problem[0])
		snprintf(s->cert_problem, sizeof s->cert_problem, "%s", what);
}

static void report_done(struct session *s, smtp_message_t m);

static void event_cb(smtp_session_t session, int event, void *arg, ...)
{
	(void)session;
	struct session *s = arg;
	bool check = s->a->tls_certcheck;
	va_list ap;
	va_start(ap, arg);
	switch (event) {
	/* A message's fate is told to done here, as the reply that decides
	 * it arrives: at the end of the session would be too late, a process
	 * killed while it waits for the reply to QUIT (or to the next MAIL
	 * FROM) would leave every message accepted so far to be sent again. */
	case SMTP_EV_MAILSTATUS: {
		(void)va_arg(ap, const char *);
		smtp_message_t m = va_arg(ap, smtp_message_t);
		if (smtp_reverse_path_status(m)->code / 100 != 2)
			report_done(s, m);
		break;
	}
	case SMTP_EV_MESSAGEDATA:
		s->in_data = va_arg(ap, smtp_message_t);
		break;
	case SMTP_EV_MESSAGESENT:
		s->in_data = NULL;
		report_done(s, va_arg(ap, smtp_message_t));
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		long result = va_arg(ap, long);
		int *ok = va_arg(ap, int *);
		*ok = !check;
		if (check && !s->verify_error)
			s->verify_error = result;
		break;
	}
	case SMTP_EV_NO_PEER_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		*ok = !check;
		if (check)
			note_cert_problem(s, "the server sent no certificate");
		break;
	}
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		/* libesmtp matches the certificate against the name it
		 * connected to, the relay's 127.0.0.1, and knows no IP
		 * addresses in certificates; OpenSSL has matched it against
		 * the real host (tls_setup) in a handshake that verified. */
		int *ok = va_arg(ap, int *);
		(void)va_arg(ap, char *);
		SSL *ssl = va_arg(ap, SSL *);
		*ok = !check || SSL_get_verify_result(ssl) == X509_V_OK;
		if (!*ok)
			note_cert_problem(s, "the certificate is not for this "
					     "host");
		break;
	}
	case SMTP_EV_WEAK_CIPHER: {
		(void)va_arg(ap, int);
		int *ok = va_arg(ap, int *);
		*ok = 0;
		note_cert_problem(s, "the cipher is too weak");
		break;
	}
	case SMTP_EV_NO_CLIENT_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		*ok = 0;
		note_cert_problem(s, "libesmtp's client certificate for this "
				     "host has no usable key");
		break;
	}
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
		note_cert_problem(s, "libesmtp's client certificate for this "
				     "host is unusable");
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		s->no_starttls = true;
		break;
	default:
		break;
	}
	va_end(ap);
}

/* ------------------------------------------------------ authentication */

static bool mechanism_allowed(enum smtp_auth auth, const char *mech)
{
	bool plain = mech && strcasecmp(mech, "PLAIN") == 0;
	bool login = mech && strcasecmp(mech, "LOGIN") == 0;
	return auth == SMTP_AUTH_PLAIN ? plain
	       : auth == SMTP_AUTH_LOGIN ? login : plain || login;
}

/* Gives the SASL mechanism the user and password - only a mechanism the
 * account allows; the others fail and libesmtp tries the next one. */
static int interact_cb(auth_client_request_t req, char **result, int fields,
		       void *arg)
{
	static char empty[1];
	struct session *s = arg;
	if (!mechanism_allowed(s->a->auth, auth_mechanism_name(s->actx)))
		return 0;
	for (int i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = s->a->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = s->password;
		else if (req[i].flags & AUTH_REALM)
			result[i] = empty;
		else
			return 0;
		/* The mechanism copies each into req[i].size bytes. */
		if (!result[i] || (req[i].size && strlen(result[i]) > req[i].size))
			return 0;
	}
	s->creds_given = true;
	return 1;
}

static pthread_once_t auth_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------ messages */

/* Feeds msgs[i].data to libesmtp: len NULL rewinds. */
static const char *message_cb(void **ctx, int *len, void *arg)
{
	const struct mail *m = arg;
	size_t *off = *ctx;
	if (!off) {
		/* libesmtp frees it with free() */
		off = *ctx = br_malloc(sizeof *off);
		*off = 0;
	}
	if (!len) {
		*off = 0;
		return NULL;
	}
	size_t k = m->len - *off;
	if (k > 65536)
		k = 65536;
	*len = (int)k;
	const char *p = m->data + *off;
	*off += k;
	return p;
}

static char *format_reply(const char *what, const smtp_status_t *st)
{
	char text[REPLY_MAX];
	copy_reply(text, st->text ? st->text : "", st->text ? strlen(st->text)
							     : 0);
	struct br_buf b = {0};
	br_buf_printf(&b, "%s%s%d %s", what ? what : "", what ? ": " : "",
		      st->code, text);
	return b.p;
}

static enum smtp_outcome outcome_of_code(int code)
{
	return code / 100 == 5 ? SMTP_REJECTED : SMTP_RETRY;
}

struct rcpt_worst {
	const smtp_status_t *st;
	const char *mailbox;
	size_t accepted;
	struct br_buf refused;  /* "RCPT TO:<a>: CODE TEXT; ..." */
};

static void rcpt_cb(smtp_recipient_t r, const char *mailbox, void *arg)
{
	struct rcpt_worst *w = arg;
	const smtp_status_t *st = smtp_recipient_status(r);
	if (st->code / 100 == 2)
		w->accepted++;
	if (st->code / 100 != 4 && st->code / 100 != 5)
		return;
	struct br_buf what = {0};
	br_buf_printf(&what, "RCPT TO:<%s>", mailbox);
	char *one = format_reply(what.p, st);
	br_buf_printf(&w->refused, "%s%s", w->refused.len ? "; " : "", one);
	free(one);
	br_buf_free(&what);
	if (!w->st || (st->code / 100 == 5 && w->st->code / 100 != 5)) {
		w->st = st;
		w->mailbox = mailbox;
	}
}

/* What became of one message; false when it was not tried. */
static bool message_outcome(smtp_message_t m, enum smtp_outcome *outcome,
			    char **reply)
{
	const smtp_status_t *st = smtp_reverse_path_status(m);
	if (st->code == 0)
		return false;
	if (st->code / 100 != 2) {
		*outcome = outcome_of_code(st->code);
		*reply = format_reply("MAIL FROM", st);
		return true;
	}
	struct rcpt_worst w = {0};
	smtp_enumerate_recipients(m, rcpt_cb, &w);
	if (w.st && !w.accepted) {
		struct br_buf what = {0};
		br_buf_printf(&what, "RCPT TO:<%s>", w.mailbox);
		*outcome = outcome_of_code(w.st->code);
		*reply = format_reply(what.p, w.st);
		br_buf_free(&what);
		br_buf_free(&w.refused);
		return true;
	}
	st = smtp_message_transfer_status(m);
	if (st->code == 250) {
		/* Sent to the recipients the server accepted: the others
		 * are named, with its reply to each. */
		*outcome = SMTP_SENT;
		*reply = w.refused.p;
		return true;
	}
	br_buf_free(&w.refused);
	*outcome = outcome_of_code(st->code);
	*reply = st->code ? format_reply(NULL, st)
			  : br_strdup("the session ended before the server "
				      "took the message");
	return true;
}

/* Tells s->done about m, whose fate is now decided: its MAIL FROM was
 * refused, or its DATA or end of data answered (libesmtp goes on to DATA
 * with the recipients accepted, and when there is none the server refuses
 * DATA). */
static void report_done(struct session *s, smtp_message_t m)
{
	size_t i = 0;
	while (i < s->n && s->handles[i] != m)
		i++;
	if (i == s->n || s->reported[i])
		return;
	s->reported[i] = true;
	/* A 530 to the first MAIL FROM fails the session as a whole
	 * (run_session): the account's fault, not the message's, and so is
	 * the same 530 that libesmtp then gets for each later message. */
	if (smtp_reverse_path_status(m)->code == 530 &&
	    smtp_reverse_path_status(s->handles[0])->code == 530)
		return;
	enum smtp_outcome outcome = SMTP_RETRY;
	char *reply = NULL;
	if (message_outcome(m, &outcome, &reply) && outcome != SMTP_RETRY &&
	    s->done) {
		scrub(reply, s->password);
		s->told[i] = true;
		if (!s->done(i, outcome, reply, s->done_arg)) {
			/* The relay forwards nothing more: libesmtp's next
			 * MAIL FROM gets the end of the connection. */
			s->ended = true;
			atomic_store(&s->relay.cut, true);
		}
	}
	free(reply);
}

/* ---------------------------------------------------------- the session */

/* Why the session failed before its first message. */
static int session_error(struct session *s, struct br_err *err)
{
	const struct smtp_account *a = s->a;
	const char *h = s->host;
	int p = s->port;
	/* 4xx: try later (exit 75); 5xx: the server will not take mail from
	 * here until someone changes something (exit 1). The messages stay
	 * pending either way: it is not about any of them. */
	if (s->greet_code / 100 == 4 || s->greet_code / 100 == 5)
		return br_fail_status(err, s->greet_code / 100 == 4
					   ? BR_EXIT_TEMPFAIL : BR_EXIT_FAILURE,
				      "%s:%d refused the session in its "
				      "greeting: %s", h, p, s->greet_reply);
	if (s->ehlo_code / 100 == 4 || s->ehlo_code / 100 == 5)
		return br_fail_status(err, s->ehlo_code / 100 == 4
					   ? BR_EXIT_TEMPFAIL : BR_EXIT_FAILURE,
				      "%s:%d refused EHLO: %s", h, p,
				      s->ehlo_reply);
	if (s->cut_unauthenticated && s->auth_code)
		return br_fail_status(err, s->auth_code / 100 == 4
					   ? BR_EXIT_TEMPFAIL : BR_EXIT_USAGE,
				      "authentication failed for %s at %s:%d: %s",
				      a->user, h, p, s->auth_reply);
	if (s->cut_unauthenticated && !s->offered[0])
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s:%d does not offer authentication%s",
				      h, p, a->tls ? "" : " (some servers offer "
				      "it only with TLS: tls on)");
	if (s->cut_unauthenticated)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s:%d offers no authentication method "
				      "that auth %s allows (it offers %s)", h, p,
				      a->auth == SMTP_AUTH_PLAIN ? "plain"
				      : a->auth == SMTP_AUTH_LOGIN ? "login"
				      : "on", s->offered);
	if (s->verify_error)
		return certificate_error(s, err);
	if (s->cert_problem[0])
		return br_fail_status(err, BR_EXIT_USAGE,
				      "TLS with %s:%d refused: %s", h, p,
				      s->cert_problem);
	if (s->no_starttls)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s:%d does not offer STARTTLS (the account "
				      "has tls on and tls_starttls on)", h, p);
	if (s->starttls_code && s->starttls_code != 220)
		return br_fail_status(err, s->starttls_code / 100 == 4
					   ? BR_EXIT_TEMPFAIL : BR_EXIT_USAGE,
				      "%s:%d refused STARTTLS: %s", h, p,
				      s->starttls_reply);
	/* libesmtp's handshake after STARTTLS fails alike when the server
	 * closes the connection, when it says nothing until the timeout, and
	 * when TLS itself fails; only the last leaves an OpenSSL error. The
	 * first two are the unreachable server of ALERTS.md step 4. */
	if (s->starttls_code == 220 && smtp_errno() == SMTP_ERR_CLIENT_ERROR &&
	    s->relay.server_closed)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "TLS handshake with %s:%d failed: the "
				      "connection was closed", h, p);
	if (s->starttls_code == 220 && smtp_errno() == SMTP_ERR_CLIENT_ERROR &&
	    !ERR_peek_last_error())
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "TLS handshake with %s:%d: no answer "
				      "within %d s", h, p, s->timeout);
	if (s->starttls_code == 220 && smtp_errno() == SMTP_ERR_CLIENT_ERROR)
		return br_fail(err, "TLS handshake with %s:%d failed: %s", h, p,
			       ssl_error_text());
	if (s->last_code / 100 == 4)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "%s:%d answered: %s", h, p, s->last_reply);
	if (s->last_code / 100 == 5)
		return br_fail(err, "%s:%d refused the session: %s", h, p,
			       s->last_reply);
	if (s->relay.server_closed)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "%s:%d closed the connection", h, p);
	if (smtp_errno() == SMTP_ERR_DROPPED_CONNECTION)
		return br_fail_status(err, BR_EXIT_TEMPFAIL,
				      "no answer from %s:%d within %d s", h, p,
				      s->timeout);
	char buf[256];
	return br_fail(err, "SMTP session with %s:%d failed: %s", h, p,
		       smtp_strerror(smtp_errno(), buf, sizeof buf));
}

static void add_messages(smtp_session_t ss, const struct smtp_account *a,
			 const struct mail *msgs, size_t n,
			 smtp_message_t *handles)
{
	for (size_t i = 0; i < n; i++) {
		smtp_message_t m = smtp_add_message(ss);
		if (!m || !smtp_set_reverse_path(m, msgs[i].from ? msgs[i].from
								 : a->from) ||
		    !smtp_set_messagecb(m, message_cb, (void *)&msgs[i]))
			br_oom();
		for (size_t k = 0; k < msgs[i].nto; k++)
			if (!smtp_add_recipient(m, msgs[i].to[k]))
				br_oom();
		handles[i] = m;
	}
}

/* Runs libesmtp over the relay listening on relay_port. */
static int run_session(struct session *s, int relay_port,
		       const struct mail *msgs, size_t n,
		       enum smtp_outcome *outcome, char **reply,
		       struct br_err *err)
{
	const struct smtp_account *a = s->a;
	smtp_session_t ss = smtp_create_session();
	if (!ss)
		br_oom();
	char server[32];
	snprintf(server, sizeof server, "127.0.0.1:%d", relay_port);
	long ms = (long)s->timeout * 1000;
	static const int phases[] = {Timeout_GREETING, Timeout_ENVELOPE,
				     Timeout_DATA, Timeout_TRANSFER};
	for (size_t i = 0; i < sizeof phases / sizeof *phases; i++)
		smtp_set_timeout(ss, phases[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
				 ms);
	/* Not the account's timeout after the dot: a server that takes
	 * longer than it (a content filter) has the message, and giving up
	 * then sends it again every night. */
	s->data_end_timeout = s->timeout > DATA_END_TIMEOUT_S
			      ? s->timeout : DATA_END_TIMEOUT_S;
	smtp_set_timeout(ss, Timeout_DATA2 | Timeout_OVERRIDE_RFC2822_MINIMUM,
			 (long)s->data_end_timeout * 1000);
	bool starttls = a->tls && a->tls_starttls;
	if (!smtp_set_server(ss, server) ||
	    !smtp_set_eventcb(ss, event_cb, s) ||
	    !smtp_set_monitorcb(ss, monitor_cb, s, 0) ||
	    !smtp_option_require_all_recipients(ss, 0) ||
	    !smtp_starttls_enable(ss, starttls ? Starttls_REQUIRED
					       : Starttls_DISABLED) ||
	    (starttls && !smtp_starttls_set_ctx(ss, s->ctx)))
		br_oom();
	if (a->auth != SMTP_AUTH_OFF) {
		pthread_once(&auth_once, auth_client_init);
		s->actx = auth_create_context();
		if (!s->actx ||
		    !auth_set_mechanism_flags(s->actx, AUTH_PLUGIN_PLAIN, 0) ||
		    !auth_set_interact_cb(s->actx, interact_cb, s) ||
		    !smtp_auth_set_context(ss, s->actx))
			br_oom();
	}
	smtp_message_t *handles = br_calloc(n, sizeof *handles);
	add_messages(ss, a, msgs, n, handles);
	s->handles = handles;
	s->n = n;

	bool ran = smtp_start_session(ss) != 0;
	relay_stop(&s->relay);

	size_t tried = 0;
	for (size_t i = 0; i < n; i++) {
		tried += message_outcome(handles[i], &outcome[i], &reply[i]);
		if (handles[i] != s->in_data || outcome[i] != SMTP_RETRY)
			continue;
		/* Its data went out and no reply came: say so, not what the
		 * server answered last (354 to DATA). */
		struct br_buf b = {0};
		if (s->relay.server_closed)
			br_buf_printf(&b, "the connection was closed before the "
				      "reply to the end of data");
		else
			br_buf_printf(&b, "no reply to the end of data within "
				      "%d s", s->data_end_timeout);
		br_buf_printf(&b, " (the server may have accepted the "
			      "message: if so, the next run's copy has the "
			      "same Message-ID)");
		free(reply[i]);
		reply[i] = b.p;
	}
	const smtp_status_t *first = smtp_reverse_path_status(handles[0]);
	int rc = 0;
	if (tried == 0) {
		rc = session_error(s, err);
	} else if (first->code == 530) {
		/* "Authentication required", "Must issue a STARTTLS command
		 * first": the account's settings, not the messages. */
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "%s:%d refuses mail from account '%s' "
				    "(%s): %s", s->host, s->port,
				    account_name(a), account_path(a), reply[0]);
	} else if (tried < n || !ran) {
		char buf[256];
		for (size_t i = 0; i < n; i++) {
			if (smtp_reverse_path_status(handles[i])->code)
				continue;
			struct br_buf b = {0};
			br_buf_printf(&b, "not sent: the session with %s:%d "
				      "ended before it (%s)", s->host, s->port,
				      s->ended
				      ? "ended after a message whose outcome "
					"could not be recorded"
				      : s->relay.server_closed
				      ? "the server closed the connection"
				      : smtp_strerror(smtp_errno(), buf,
						      sizeof buf));
			free(reply[i]);
			reply[i] = b.p;
		}
	}
	s->handles = NULL;
	s->n = 0;
	free(handles);
	smtp_destroy_session(ss);
	if (s->actx)
		auth_destroy_context(s->actx);
	ERR_clear_error();
	return rc;
}

static int check_account(const struct smtp_account *a,
			 const struct mail *msgs, size_t n, struct br_err *err)
{
	const char *name = account_name(a), *path = account_path(a);
	if (!a->host)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s: account '%s': host is not set",
				      path, name);
	if (a->auth == SMTP_AUTH_ON && !a->tls)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s: account '%s': auth on sends the "
				      "password only over TLS (set tls on, or "
				      "auth plain or auth login to send it "
				      "unencrypted)", path, name);
	if (a->auth != SMTP_AUTH_OFF && (!a->user ||
					 (!a->password && !a->passwordeval)))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "%s: account '%s': auth needs user and "
				      "password (or passwordeval)", path, name);
	for (size_t i = 0; i < n; i++) {
		if (!msgs[i].from && !a->from)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "%s: account '%s': from is not set "
					      "(the envelope sender)", path,
					      name);
		if (!msgs[i].nto)
			return br_fail(err, "message %zu has no recipients",
				       i + 1);
	}
	return 0;
}

int smtp_send(const struct smtp_account *a, const struct mail *msgs, size_t n,
	      enum smtp_outcome *outcome, char **reply, struct br_err *err)
{
	return smtp_send_each(a, msgs, n, outcome, reply, NULL, NULL, err);
}

int smtp_send_each(const struct smtp_account *a, const struct mail *msgs,
		   size_t n, enum smtp_outcome *outcome, char **reply,
		   smtp_done_fn *done, void *arg, struct br_err *err)
{
	for (size_t i = 0; i < n; i++) {
		outcome[i] = SMTP_RETRY;
		reply[i] = NULL;
	}
	if (n == 0)
		return 0;
	if (check_account(a, msgs, n, err) < 0)
		return -1;
	struct session s = {
		.a = a,
		.host = a->host,
		.port = a->port ? a->port : a->tls && !a->tls_starttls ? 465
									 : 25,
		.timeout = a->timeout > 0 ? a->timeout : 60,
		.relay = {.listen_fd = -1, .wake = {-1, -1}, .server_fd = -1},
		.reported = br_calloc(n, sizeof(bool)),
		.told = br_calloc(n, sizeof(bool)),
		.done = done,
		.done_arg = arg,
	};
	s.relay.accept_ms = s.timeout * 1000;
	atomic_init(&s.relay.cut, false);
	int rc = 0;
	if (a->auth != SMTP_AUTH_OFF) {
		if (a->passwordeval)
			rc = run_passwordeval(&s, err);
		else
			s.password = br_strdup(a->password);
		/* libesmtp's PLAIN and LOGIN copy each into 255 bytes: a longer
		 * one would overrun its buffer. */
		if (rc == 0 && ((a->user && strlen(a->user) > SASL_FIELD_MAX) ||
				strlen(s.password) > SASL_FIELD_MAX))
			rc = br_fail_status(err, BR_EXIT_USAGE, "%s: account '%s': "
					    "the user or password is longer than the "
					    "%d bytes SMTP authentication takes",
					    account_path(a), account_name(a),
					    SASL_FIELD_MAX);
	}
	/* A server that closes the connection must not kill the process. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	int64_t deadline = now_ms() + (int64_t)s.timeout * 1000;
	int relay_port = 0;
	if (rc == 0 && a->tls)
		rc = tls_setup(&s, err);
	if (rc == 0)
		rc = connect_server(&s, deadline, err);
	if (rc == 0 && a->tls && !a->tls_starttls)
		rc = tls_connect(&s, deadline, err);
	if (rc == 0)
		rc = relay_start(&s.relay, &relay_port, err);
	if (rc == 0)
		rc = run_session(&s, relay_port, msgs, n, outcome, reply, err);
	relay_stop(&s.relay);
	sigaction(SIGPIPE, &old, NULL);

	if (rc < 0) {
		for (size_t i = 0; i < n; i++) {
			/* What done was told stands: it may be on disk. */
			if (s.told[i])
				continue;
			free(reply[i]);
			reply[i] = NULL;
			outcome[i] = SMTP_RETRY;
		}
	}
	scrub(err ? err->msg : NULL, s.password);
	for (size_t i = 0; i < n; i++)
		scrub(reply[i], s.password);
	if (s.password) {
		explicit_bzero(s.password, strlen(s.password));
		free(s.password);
	}
	SSL_CTX_free(s.ctx);
	br_buf_free(&s.partial);
	free(s.reported);
	free(s.told);
	return rc;
}
