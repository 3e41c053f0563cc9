/* notify.h - budget alerts and finance reports by email: the msmtp
 * configuration, SMTP through libesmtp, messages, and the durable ledger
 * in the store that makes every alert go out exactly once.
 *
 * notify sits downstream of report: it evaluates budgets with report.h
 * and writes nothing but the ledger (the store's notify/ directory) and,
 * with --dry-run, .eml files.
 */
#ifndef BURNRATE_NOTIFY_H
#define BURNRATE_NOTIFY_H

#include <time.h>

#include "core/core.h"
#include "report/report.h"

/* ------------------------------------------------------ msmtp accounts */

enum smtp_auth {
	SMTP_AUTH_OFF,   /* "auth off" (the default without a user) */
	SMTP_AUTH_ON,    /* "auth on" (the default with a user): PLAIN or
			  * LOGIN, whichever is offered; like msmtp, it
			  * sends no password in clear, so it needs tls */
	SMTP_AUTH_PLAIN, /* "auth plain", "auth login": that mechanism
			  * only, with or without TLS */
	SMTP_AUTH_LOGIN,
};

/* One account of an msmtp configuration file, with defaults and the
 * accounts it inherits from applied. Strings are owned; NULL when not
 * set. */
struct smtp_account {
	char *name;
	char *host;
	int port;             /* 0: 465 with implicit TLS, else 25 (a
			       * loaded account has it filled in) */
	char *from;
	enum smtp_auth auth;
	char *user;
	char *password;       /* never printed, never logged */
	char *passwordeval;   /* a shell command printing the password */
	bool tls;             /* "tls on" */
	bool tls_starttls;    /* with tls: STARTTLS (default), else implicit
			       * TLS from the first byte (port 465) */
	bool tls_certcheck;   /* default on; "off" is warned about */
	char *tls_trust_file; /* CA certificates; NULL: the system's */
	int timeout;          /* seconds, for connecting and for each
			       * reply but the one to the end of data
			       * (waited for 600 s at least, RFC 5321
			       * 4.5.3.2.6); 0 ("timeout off" too): 60 */
	char *path;           /* the file it came from, for messages */
};

/* The user's home directory, as msmtp takes it for ~: $HOME unless it is
 * unset or empty, else the password database's; NULL when neither
 * says (never the current directory). */
const char *smtp_home(void);

/* Reads account (NULL: "default") from the msmtp configuration file at
 * path (DESIGN §7) with msmtp's syntax: "#" comments, "defaults",
 * "account NAME [: PARENT[,PARENT...]]" (the defaults so far, then each
 * parent's own settings, in order), "account default : NAME", commands
 * before any account forming account "default", values optionally in
 * double quotes (inside them \" and \\ stand for " and \), "on" also
 * spelt as an empty value, "~/" in tls_trust_file, "tls_trust_file
 * system". The keys read are host port from auth (on, off, plain, login;
 * msmtp's other methods are refused as unsupported) user password
 * passwordeval tls tls_starttls tls_trust_file tls_certcheck timeout
 * (connect_timeout) protocol (smtp only). msmtp's keys for logging,
 * aliases and header rewriting are accepted and ignored; those that
 * change how the connection is secured or routed (tls_fingerprint,
 * tls_crl_file, tls_cert_file, tls_key_file, tls_host_override,
 * proxy_host, proxy_port, socket, source_ip, eval) are refused when the
 * account uses them. The account needs host, and with auth a user and a
 * password or passwordeval. Like msmtp, a file that holds a password and
 * that group or others may access (mode & 077) is refused: chmod 600.
 * Errors name the file, line and key; status BR_EXIT_USAGE. */
int smtp_account_load(const char *path, const char *account,
		      struct smtp_account *out, struct br_err *err);

/* Frees a's strings (the password wiped first) and zeroes a; NULL is
 * fine. */
void smtp_account_free(struct smtp_account *a);

/* ------------------------------------------------------------ sending */

/* A message ready to send: RFC 5322 text with CRLF line ends. It is
 * sent byte for byte when it has Date, From and Message-ID headers:
 * libesmtp adds those that are missing, and drops Return-Path and any
 * repeated Date, From, Sender, To, Cc, Bcc, Reply-To or Message-ID (a
 * Bcc header is sent as it is). */
struct mail {
	const char *from;        /* envelope sender; NULL: the account's */
	const char *const *to;   /* envelope recipients */
	size_t nto;
	const char *data;
	size_t len;
};

enum smtp_outcome {
	SMTP_SENT,      /* the server answered 250 to the end of data */
	SMTP_RETRY,     /* unreachable, timeout, TLS or AUTH failure, 4xx:
			 * try again later */
	SMTP_REJECTED,  /* a 5xx reply: sending again will not help */
};

/* Sends msgs[0..n) in one SMTP session with account a (running its
 * passwordeval first, without standard input, trailing newline
 * stripped). outcome[i] tells what became of msgs[i]; reply[i] (owned by
 * the caller, free()) holds the server's reply when it was not sent, or
 * NULL. A message goes to the recipients the server accepts: sent to
 * some, it is SMTP_SENT and reply[i] names each refused one,
 * "RCPT TO:<address>: CODE TEXT" joined by "; " (none of them will get it
 * from a later session); with every recipient refused it is
 * SMTP_REJECTED when one was refused with 5xx, else SMTP_RETRY, and
 * reply[i] is one of them (a refused sender: "MAIL FROM: CODE TEXT"). A message whose data went out and whose
 * end of data got no reply (none within max(600 s, the account's
 * timeout), or the connection closed) is SMTP_RETRY with a reply saying
 * so, and that the server may have accepted it. Messages after a session
 * that ended early are SMTP_RETRY. Returns 0 when the session ran. Returns -1 with err
 * set when it failed as a whole, every outcome then SMTP_RETRY: status
 * BR_EXIT_TEMPFAIL when the server could not be reached, timed out, or
 * answered 4xx before the first message, and when a TLS handshake
 * (implicit or after STARTTLS) got no answer or was cut; BR_EXIT_USAGE when the
 * configuration is at fault (authentication refused or not offered, a
 * passwordeval that fails, STARTTLS required but not offered, an
 * untrusted certificate, a server that answers the first MAIL FROM with
 * 530); BR_EXIT_FAILURE otherwise (a greeting or EHLO refused with
 * 5xx among them). A refused greeting or EHLO puts the server's reply in
 * the message. With auth, nothing is sent unless
 * authentication succeeded. The password appears in no message. SIGPIPE
 * is ignored while the session runs (the process-wide disposition is
 * restored after). */
int smtp_send(const struct smtp_account *a, const struct mail *msgs, size_t n,
	      enum smtp_outcome *outcome, char **reply, struct br_err *err);

/* Told by smtp_send_each that msgs[i] is done: outcome SMTP_SENT or
 * SMTP_REJECTED, reply as reply[i] will read (when sent, NULL or the
 * recipients refused; borrowed, valid during the call). Returns false to
 * end the session there: the messages after it are not sent (SMTP_RETRY),
 * as when the outcome could not be recorded, so that no more go out that
 * would be sent again. */
typedef bool smtp_done_fn(size_t i, enum smtp_outcome outcome,
			  const char *reply, void *arg);

/* smtp_send, and done(i, ..., arg) as soon as the server's reply decides
 * the fate of msgs[i] for good - its 250 or 5xx to the end of data (or to
 * DATA), or a 5xx to MAIL FROM - before the next command is written and
 * while the session goes on. It is called at most once a message and
 * never for SMTP_RETRY; a message it reported keeps that outcome in
 * outcome[] even when smtp_send_each then returns -1 (a 530 to the first
 * MAIL FROM, which fails the session, is not reported). A caller that
 * records each outcome durably in done leaves a message to be sent again
 * only when the process dies between the end of its data and the reply,
 * not when it dies later in the session (waiting for the reply to QUIT,
 * or to the next message's MAIL FROM). done may be NULL. */
int smtp_send_each(const struct smtp_account *a, const struct mail *msgs,
		   size_t n, enum smtp_outcome *outcome, char **reply,
		   smtp_done_fn *done, void *arg, struct br_err *err);

/* ----------------------------------------------------------- messages */

/* A message to compose. Every header value may hold any bytes: control
 * characters (CR and LF included) become spaces, so nothing given here can
 * start a header of its own; non-ASCII text is RFC 2047 encoded. */
struct mail_content {
	const char *from;             /* an address ("a@b") */
	const char *const *to;        /* addresses, already validated */
	size_t nto;
	const char *subject;          /* UTF-8 */
	const char *message_id;       /* "<...>" */
	time_t date;
	const char *text, *html;      /* the bodies (UTF-8); html may be NULL */
	const char *attachment_name;  /* NULL: no attachment */
	const char *attachment_type;  /* its MIME type */
	const void *attachment;
	size_t attachment_len;
};

/* Composes c as an RFC 5322 message with CRLF line ends into out: headers,
 * then multipart/alternative text and HTML (both base64, 76-character
 * lines), inside multipart/mixed with the attachment when there is one.
 * Header fields are folded (RFC 5322 §2.1.1) so that no line is longer
 * than 78 characters: To between addresses, after the commas; Subject at
 * its spaces, or as RFC 2047 encoded words when it is not printable
 * ASCII, has a word too long for a line, or holds "=?"; the attachment's
 * parameters on lines of their own, a long file name in RFC 2231
 * continuations. Only a single address or message id longer than a line
 * makes one longer: from and to[] must be valid addresses
 * (mail_address_valid, at most 254 characters), so no line reaches the
 * 998 characters servers refuse. */
void mail_compose(const struct mail_content *c, struct br_buf *out);

/* Tells whether s is a plain address (local@domain, printable ASCII, no
 * spaces, angle brackets, commas or quotes). */
bool mail_address_valid(const char *s);

/* Splits a list of addresses joined by ';' or ',' into out[] (owned
 * copies; at most max), each once: an address given again, in any case,
 * is left out (two RCPT TO of one mailbox may deliver it twice). Fails,
 * naming what (e.g. "budget 'x' recipients") and the bad address, when
 * one is not valid. */
int mail_address_list(const char *list, const char *what, char **out,
		      size_t max, size_t *n, struct br_err *err);

/* ---------------------------------------------------------- templates */

/* The templates compiled in from templates/ (templates/README.md lists
 * their placeholders). */
enum template_id { TEMPLATE_ALERT_TXT, TEMPLATE_ALERT_HTML,
		   TEMPLATE_REPORT_TXT, TEMPLATE_REPORT_HTML };

/* Renders template id into out: every {{name}} is replaced by the value
 * of that name in names/values (HTML-escaped in the HTML templates); an
 * unknown placeholder is left as it is. */
void template_render(enum template_id id, const char *const *names,
		     const char *const *values, size_t n, struct br_buf *out);

/* ------------------------------------------------------------- ledger */

/* The store's record of every message notify decided to send (the
 * directory notify/ of the store): each entry is a message file and a
 * state file, both published atomically, under an id derived from the
 * entry's key. An entry is written as pending (and fsync'ed) before it
 * is sent, and marked sent after the server's 250. */
enum ledger_state { LEDGER_PENDING, LEDGER_SENT, LEDGER_FAILED };

struct ledger_entry {
	char *key;      /* what the message is about, e.g.
			 * "alert2|BUDGET|*|monthly|2025-11-01|actual|90|to=HASH"
			 * (alerts_due gives the format) */
	char id[33];    /* hex of the key's hash: file names, Message-ID */
	enum ledger_state state;
	bool rearmed;   /* a forecast alert whose projection fell back */
	char *from;
	char **to;
	size_t nto;
	char *when;     /* the last change, RFC 3339 UTC */
	char *reply;    /* a failed entry: the server's reply; a sent one:
			 * its refusals of some recipients, or NULL */
	unsigned long long seq; /* the order it was recorded in, from 1; 0
				 * for an entry of a version before it */
};

struct ledger {
	char *dir;
	char *store_id;  /* 32 random hex digits, kept in the directory */
	struct ledger_entry *v;  /* in the order they were recorded */
	size_t n, cap;
	unsigned long long next_seq; /* the seq of the next ledger_add */
};

/* Opens (creating) the ledger of the store at store_dir and reads every
 * entry and the store's id (made, random, when it has none). Removes the temporary files (.tmp-*) that writers of its
 * directory killed while they wrote left: the caller holds the store's
 * lock, which every writer there holds. Caller frees with ledger_free. */
struct ledger *ledger_open(const char *store_dir, struct br_err *err);
/* As ledger_open, for a reader that holds no lock (a dry run): it leaves
 * the temporary files alone, as they may be a writer's, and reads what
 * is published (each file is, atomically). Only ledger_message may be
 * used on what it returns; it still makes the directory and the store's
 * id when there are none, never replacing one a writer made. */
struct ledger *ledger_read(const char *store_dir, struct br_err *err);
void ledger_free(struct ledger *l);

/* The entry with key, or NULL. Pointers to entries stay valid until the
 * next ledger_add. */
struct ledger_entry *ledger_find(struct ledger *l, const char *key);

/* How many entries of l are in state. */
size_t ledger_count(const struct ledger *l, enum ledger_state state);

/* The 32 hex digits an entry with key is filed under. */
void ledger_id(const char *key, char id[33]);

/* The 32 hex digits of the Message-ID of the message with key: of the
 * store's id and the key, so that no two stores give one message id
 * (RFC 5322 §3.6.4) even to messages with the same key, and a message
 * re-sent has the id it was first sent with (its ledger entry keeps the
 * message as composed). */
void ledger_message_id(const struct ledger *l, const char *key, char id[33]);

/* Records a new pending entry under key (control characters in it become
 * spaces): the message (msg, len) first, then its
 * state, each durable before this returns. */
int ledger_add(struct ledger *l, const char *key, const char *from,
	       char *const *to, size_t nto, const char *msg, size_t len,
	       struct br_err *err);

/* Changes an entry's state (and reply, for LEDGER_FAILED) durably. */
int ledger_set(struct ledger *l, struct ledger_entry *e,
	       enum ledger_state state, const char *reply, struct br_err *err);

/* Marks a forecast entry re-armed (its projection fell below the limit). */
int ledger_rearm(struct ledger *l, struct ledger_entry *e, struct br_err *err);

/* Reads an entry's message into out. */
int ledger_message(const struct ledger *l, const struct ledger_entry *e,
		   struct br_buf *out, struct br_err *err);

const char *ledger_state_name(enum ledger_state s);

/* ------------------------------------------------------------- alerts */

enum alert_kind { ALERT_ACTUAL, ALERT_FORECAST, ALERT_ANOMALY };
enum alert_severity { SEVERITY_INFO, SEVERITY_WARNING, SEVERITY_CRITICAL };

/* An alert that is due (docs/ALERTS.md gives the rules). */
struct alert {
	enum alert_kind kind;
	enum alert_severity severity;
	const struct budget_status *st; /* borrowed from the report */
	int threshold;      /* actual: the percent reached; forecast: 100 */
	unsigned seq;       /* forecast: the n-th crossing in the period */
	int32_t day;        /* anomaly: the day; else the period's start */
	double mean, sd;    /* anomaly: of the trailing days */
	br_pico day_spend;  /* anomaly: the day's spend */
	char *key;          /* the ledger key (owned) */
	char **to;          /* the recipients it goes to (owned) */
	size_t nto;
	char msgid[33];     /* ledger_message_id of key */
};

const char *alert_kind_name(enum alert_kind k);
const char *alert_severity_name(enum alert_severity s);

/* Decides which alerts are due for the budgets of r (run with budgets at
 * its as_of) given what the ledger holds: thresholds reached and not yet
 * recorded this period, a projection over the limit with no recorded
 * crossing since it last fell back, an anomalous as_of day. to[k] and
 * nto[k] are the recipients of r->budgets[k].
 *
 * An alert is identified by the budget's name and scope, its period (or
 * day) and kind, and the threshold (forecast: the crossing's number):
 * two budgets of that name from two budgets files are two alerts when
 * they watch different spend. Each recipient gets it once: it is due to
 * those of to[k] that no ledger entry of that alert was addressed to, so
 * a recipient added later gets what was already sent, and the others do
 * not get it again (addresses compared without case). Its key is
 *
 *	alert2|NAME|SCOPE|PERIOD|DAY|KIND[|PCT | |100|SEQ]|to=HASH
 *
 * ('|' and '\' of NAME and SCOPE escaped with '\', control characters
 * '?'; HASH: 16 hex digits of the sorted recipients it goes to), and an
 * entry under the key versions before it wrote (no scope, no "to=":
 * "alert|NAME|PERIOD|DAY|KIND[|PCT | |100|SEQ]") counts as that alert
 * sent to its recipients, so that an upgrade sends nothing again.
 *
 * Forecast entries whose projection fell back (every one of the latest
 * crossing) are listed in *rearm (borrowed entries) for the caller to
 * record. Caller frees with alerts_free. */
void alerts_due(const struct report *r, struct ledger *l,
		char *const *const *to, const size_t *nto, struct alert **out,
		size_t *n, struct ledger_entry ***rearm, size_t *nrearm);
void alerts_free(struct alert *v, size_t n);

/* Renders alert a as a message from from to to[0..nto) (a->to), its
 * Message-ID "<MSGID.KIND@DOMAIN-OF-FROM>". */
void alert_compose(const struct alert *a, const struct report *r,
		   const char *from, char *const *to, size_t nto, time_t now,
		   struct br_buf *out);

#endif
