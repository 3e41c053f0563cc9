#!/usr/bin/python3
"""smtpd.py - a real SMTP server for the test suites, built on aiosmtpd.

Run it with Debian's /usr/bin/python3 (python3-aiosmtpd); it serves until
it is killed (SIGTERM or SIGINT end it cleanly).

    /usr/bin/python3 tests/smtpd.py --port-file FILE --maildir DIR [options]

Listening
  --port-file FILE      listen on 127.0.0.1, on a free port unless --port
                        says which, and write the port number (and a
                        newline) to FILE once the server accepts
                        connections; FILE appears atomically, so a test
                        waits for it to exist, then reads it
  --port N              listen on port N instead of a free one

Storage
  --maildir DIR         each accepted message becomes DIR/N.eml (N = 1, 2,
                        ...), exactly the bytes received after the DATA
                        transparency is undone (CRLF line ends kept), and
                        its envelope DIR/N.json: {"mail_from", "rcpt_tos",
                        "auth_user", "auth_mechanism", "tls", "sni",
                        "peer"}; N.json is written first, each file to a
                        temporary name then renamed, so once N.eml exists
                        both are complete

Authentication
  --auth USER:PASSWORD  require AUTH with these credentials before MAIL
                        (PLAIN and LOGIN, allowed without TLS: this is a
                        test server)
  --auth-mechanisms L   offer only the mechanisms of the comma list L
                        (default PLAIN,LOGIN)

TLS
  --starttls CERT KEY   offer STARTTLS with this certificate and key (PEM)
  --require-starttls    refuse everything but EHLO, NOOP, QUIT and
                        STARTTLS before STARTTLS
  --implicit-tls CERT KEY
                        speak TLS from the first byte (as on port 465)

Refusing
  --reply-rcpt CODE     answer every RCPT with CODE ("550", or a whole
                        reply such as "550 5.1.1 no such user")
  --reply-data CODE     answer the end of DATA with CODE (e.g. 451 or 550)
                        and keep nothing

Counting sessions
  --sessions FILE       append a line to FILE for every connection
                        ("connect") and every EHLO or HELO ("EHLO name"),
                        each flushed before the server answers

The server name given in TLS (SNI), when the client sends one, is kept in
N.json as "sni".
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult

DEFAULT_TEXT = {
    4: "4.3.0 Try again later (test server)",
    5: "5.7.1 Refused (test server)",
}


def reply_line(code):
    """'550' -> '550 5.7.1 Refused (test server)'; a whole reply is kept."""
    code = code.strip()
    if " " in code:
        return code
    if len(code) != 3 or not code.isdigit():
        raise argparse.ArgumentTypeError("not an SMTP reply code: " + code)
    return "%s %s" % (code, DEFAULT_TEXT.get(int(code[0]), "Test reply"))


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def log_session(args, line):
    if args.sessions:
        with open(args.sessions, "a") as f:
            f.write(line + "\n")


class Handler:
    def __init__(self, args):
        self.args = args
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        log_session(self.args, "EHLO " + hostname)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        log_session(self.args, "HELO " + hostname)
        session.host_name = hostname
        return "250 " + server.hostname

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reply_rcpt:
            return self.args.reply_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.reply_data:
            return self.args.reply_data
        obj = server.transport.get_extra_info("ssl_object") if server.transport else None
        auth = session.auth_data if isinstance(session.auth_data, dict) else {}
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": auth.get("user"),
            "auth_mechanism": auth.get("mechanism"),
            "tls": obj is not None,
            "sni": getattr(obj, "burnrate_sni", None) if obj is not None else None,
            "peer": list(session.peer) if session.peer else None,
        }
        if self.args.maildir:
            self.count += 1
            base = os.path.join(self.args.maildir, str(self.count))
            write_atomic(base + ".json", json.dumps(meta, indent=1).encode() + b"\n")
            write_atomic(base + ".eml", envelope.original_content)
        return "250 OK"


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == user.encode() and auth_data.password == password.encode())
        if not ok:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data={"user": user, "mechanism": mechanism})
    return authenticator


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def remember_sni(obj, name, context):
        if name is not None:
            obj.burnrate_sni = name
    ctx.sni_callback = remember_sni
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP test server (aiosmtpd)")
    p.add_argument("--port-file")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--maildir")
    p.add_argument("--auth", metavar="USER:PASSWORD")
    p.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--reply-rcpt", type=reply_line)
    p.add_argument("--reply-data", type=reply_line)
    p.add_argument("--sessions")
    args = p.parse_args(argv)
    if args.auth and ":" not in args.auth:
        p.error("--auth takes USER:PASSWORD")
    if args.require_starttls and not args.starttls:
        p.error("--require-starttls needs --starttls")
    if args.starttls and args.implicit_tls:
        p.error("--starttls and --implicit-tls exclude each other")
    return args


def main(argv):
    args = parse_args(argv)
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(args)

    kwargs = {"hostname": "localhost", "loop": loop, "decode_data": False}
    if args.auth:
        user, password = args.auth.split(":", 1)
        wanted = {m.strip().upper() for m in args.auth_mechanisms.split(",") if m.strip()}
        kwargs.update(authenticator=make_authenticator(user, password),
                      auth_required=True, auth_require_tls=False,
                      auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in wanted])
    if args.starttls:
        kwargs.update(tls_context=tls_context(*args.starttls),
                      require_starttls=args.require_starttls)
    server_ssl = tls_context(*args.implicit_tls) if args.implicit_tls else None

    def session():
        log_session(args, "connect")
        return SMTP(handler, **kwargs)

    server = loop.run_until_complete(loop.create_server(
        session, host="127.0.0.1", port=args.port, ssl=server_ssl))
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_atomic(args.port_file, b"%d\n" % port)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
