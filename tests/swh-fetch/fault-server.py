#!/usr/bin/python3
"""fault-server.py - an S3-like HTTP server on 127.0.0.1 that misbehaves on
purpose, for swh-fetch's tests (Python standard library only).

    fault-server.py --root DIR --port-file FILE [--plan PLAN.json]
                    [--log LOG.jsonl] [--delay SECS] [--bucket NAME]

Objects are DIR/content/<sha1> (gzip), served at GET /<bucket>/content/<id>
(path style) and GET /content/<id> (virtual-host style).  The chosen port
is written to FILE once the server listens.

PLAN maps a blob id to the answers of its successive requests; the last
answer repeats.  Answers:
    "ok"            200 with the object
    "404" "403" "500" "503" ...   that status (S3-style XML error body)
    "429:N"         429 with Retry-After: N
    "503:N"         503 with Retry-After: N
    "slow:S"        200, headers at once, the body after S seconds
    "truncate"      200 with the right Content-Length, then half the body
    "corrupt"       200 with a flipped byte in the middle of the gzip data
    "wrong:ID"      200 with the body of object ID
    "close"         close the connection without answering
    "auth"          403 SignatureDoesNotMatch (as S3 says it)
As an https_proxy it logs the CONNECT target and refuses the tunnel.
Every request is logged to LOG as one JSON line: t (when it came), id,
attempt, answer, done (the whole answer was written), and the signing
headers it carried.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = re.compile(r"^(?:/[^/]+)?/content/([0-9a-f]{40})$")


class State:
    def __init__(self, root, plan, log, delay):
        self.root = root
        self.plan = plan
        self.delay = delay
        self.lock = threading.Lock()
        self.attempts = {}
        self.log = open(log, "a", buffering=1) if log else None

    def next_answer(self, blob):
        with self.lock:
            n = self.attempts.get(blob, 0)
            self.attempts[blob] = n + 1
        answers = self.plan.get(blob, ["ok"])
        return n + 1, answers[min(n, len(answers) - 1)]

    def record(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")


def error_body(code, message):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
            "<Message>%s</Message></Error>" % (code, message)).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY each
    # answer would wait for the client's delayed ACK (40 ms)
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_body(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        m = KEY.match(self.path)
        entry = {"t": time.time(), "path": self.path,
                 "auth": "Authorization" in self.headers,
                 "x_amz_date": self.headers.get("x-amz-date"),
                 "x_amz_content_sha256":
                     self.headers.get("x-amz-content-sha256"),
                 "token": "x-amz-security-token" in self.headers,
                 "host": self.headers.get("Host")}
        if not m:
            entry.update(answer="bad-path", done=True)
            st.record(entry)
            self.send_body(400, error_body("InvalidRequest", "bad path"))
            return
        blob = m.group(1)
        attempt, answer = st.next_answer(blob)
        entry.update(id=blob, attempt=attempt, answer=answer, done=False)
        if st.delay:
            time.sleep(st.delay)
        try:
            self.answer(st, blob, answer)
            entry["done"] = True
        except (BrokenPipeError, ConnectionResetError):
            pass
        st.record(entry)

    def do_CONNECT(self):
        # as an https_proxy: note where the client wanted to go, refuse
        self.server.state.record({"t": time.time(), "connect": self.path})
        self.send_body(403, b"no tunnels here\n")
        self.close_connection = True

    def answer(self, st, blob, answer):
        path = os.path.join(st.root, "content", blob)
        kind, _, arg = answer.partition(":")
        if kind in ("ok", "slow", "truncate", "corrupt", "wrong"):
            src = os.path.join(st.root, "content", arg) if kind == "wrong" \
                else path
            try:
                with open(src, "rb") as f:
                    body = f.read()
            except FileNotFoundError:
                self.send_body(404, error_body("NoSuchKey",
                                               "The specified key does not exist."))
                return
            if kind == "slow":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.flush()
                time.sleep(float(arg))
                self.wfile.write(body)
            elif kind == "truncate":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif kind == "corrupt":
                b = bytearray(body)
                b[len(b) // 2] ^= 0xFF
                self.send_body(200, bytes(b))
            else:
                self.send_body(200, body)
        elif kind == "close":
            self.close_connection = True
        elif kind == "auth":
            self.send_body(403, error_body(
                "SignatureDoesNotMatch", "The request signature we calculated "
                "does not match the signature you provided."))
        elif kind.isdigit():
            code = int(kind)
            headers = [("Retry-After", arg)] if arg else []
            names = {404: ("NoSuchKey", "The specified key does not exist."),
                     403: ("AccessDenied", "Access Denied"),
                     429: ("SlowDown", "Please reduce your request rate."),
                     503: ("SlowDown", "Please reduce your request rate.")}
            c, msg = names.get(code, ("InternalError", "We encountered an "
                                      "internal error. Please try again."))
            self.send_body(code, error_body(c, msg), headers)
        else:
            raise SystemExit("fault-server: unknown answer %r" % answer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--plan")
    ap.add_argument("--log")
    ap.add_argument("--delay", type=float, default=0.0)
    a = ap.parse_args()
    plan = {}
    if a.plan:
        with open(a.plan) as f:
            plan = json.load(f)
    # a deep listen queue: swh-fetch opens many connections at once
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(a.root, plan, a.log, a.delay)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
