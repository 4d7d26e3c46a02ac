#!/usr/bin/env python3
"""fake_tiktok.py - a stand-in for TikTok's Business and Research APIs.

Written for candor's tests (standard library only).  It listens on an
ephemeral loopback port, writes the port to --port-file once it accepts
connections, and serves until it is killed (each test starts it and stops
it itself):

  GET  /business/comment/list/          Business API comment list (cursor,
                                        has_more, max_count)
  GET  /business/comment/reply/list/    replies to one comment
  POST /business/comment/reply/create/  records the reply
  POST /business/comment/hide/          records the hide
  POST /research/video/comment/list/    Research API comment list
  POST /webhook/<secret>                records a webhook message
  GET  /_stats                          what was received, as JSON

Every request is appended to --log (JSONL) with the token replaced by
whether it matched --token, so tests can count replies without the log
ever holding a secret.

Faults, per request: --fault ENDPOINT:N=KIND (repeatable), where ENDPOINT
is list, replies, reply, hide, research, webhook or any, N the 1-based
number of the request to that endpoint (or * for every one), and KIND one
of 429[:SECONDS], 429date:SECONDS, 500, 503, drop (close without an
answer), slow:SECONDS (answer late), malformed (a body that is not JSON),
code:N (a non-zero envelope code), auth (HTTP 401 and an auth code),
acted-drop (record the reply or hide, then close without an answer),
acted-hang:SECONDS (record it, then hang), hang:SECONDS (hang before
acting).

--tls CERT KEY serves HTTPS instead of plain HTTP (the TLS tests).

Comments: --video ID:COUNT makes COUNT comments on that video (ids
"<ID>0000001"...); --page-size caps a page; --overlap K makes each page
start K comments before the end of the previous one; --grow N adds N new
comments to every video each time a listing starts again at cursor 0.
"""
import argparse
import json
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ENDPOINTS = {
    "/business/comment/list/": "list",
    "/business/comment/reply/list/": "replies",
    "/business/comment/reply/create/": "reply",
    "/business/comment/hide/": "hide",
    "/research/video/comment/list/": "research",
}


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.counts = {}
        self.videos = {}
        self.replies = {}   # comment_id -> [text]
        self.hidden = {}    # comment_id -> count
        self.webhook = []
        self.requests = 0
        self.faults = {}
        for f in args.fault:
            where, kind = f.split("=", 1)
            ep, n = where.split(":", 1)
            self.faults[(ep, n)] = kind
        for v in args.video:
            vid, count = v.split(":")
            self.videos[vid] = []
            self.add(vid, int(count))
        self.rng = random.Random(args.seed)

    def add(self, vid, n):
        lst = self.videos[vid]
        base = len(lst)
        for i in range(base, base + n):
            cid = "%s%07d" % (vid, i + 1)
            words = ["late", "refund", "love", "fake", "why", "price",
                     "delivery", "great", "bug", "help"]
            text = "comment %d: %s %s" % (i + 1, words[i % 10],
                                          words[(i * 7) % 10])
            if i % 97 == 5:
                text += " \u2014 \u043f\u043e\u0447\u0435\u043c\u0443 \"quoted\"\n2nd line"
            lst.append({
                "comment_id": cid, "video_id": vid, "text": text,
                "username": "user%d" % (i % 50), "user_id": "u%d" % i,
                "create_time": 1760000000 + i, "likes": i % 13,
                "replies": 0, "owner": False, "parent_comment_id": vid,
                "status": "PUBLIC",
            })

    def fault_for(self, ep):
        with self.lock:
            n = self.counts.get(ep, 0) + 1
            self.counts[ep] = n
            for key in ((ep, str(n)), (ep, "*"), ("any", "*")):
                if key in self.faults:
                    return self.faults[key]
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-tiktok/1"

    def log_message(self, fmt, *a):  # quiet
        pass

    # -- helpers --
    def send_json(self, obj, status=200, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Tt-Logid", "log-%d" % self.server.st.requests)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def envelope(self, data, research=False):
        if research:
            return {"data": data, "error": {"code": "ok", "message": "",
                                            "log_id": "rlog"}}
        return {"code": 0, "message": "OK", "request_id": "req-%d" %
                self.server.st.requests, "data": data}

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def record(self, ep, query, body):
        st = self.server.st
        tok = self.headers.get("Access-Token")
        bearer = self.headers.get("Authorization")
        want = st.args.token
        entry = {"ep": ep, "method": self.command,
                 "path": urlparse(self.path).path, "query": query,
                 "body": body,
                 "token_ok": (tok == want) if ep not in ("research",)
                 else (bearer == "Bearer " + (st.args.research_token or ""))}
        with st.lock:
            st.requests += 1
            if st.args.log:
                with open(st.args.log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
        return entry

    def act(self, ep, body):
        st = self.server.st
        with st.lock:
            if ep == "reply":
                st.replies.setdefault(str(body.get("comment_id")), []).append(
                    body.get("text"))
            elif ep == "hide":
                cid = str(body.get("comment_id"))
                st.hidden[cid] = st.hidden.get(cid, 0) + 1
            elif ep == "webhook":
                st.webhook.append(body)

    # -- dispatch --
    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        st = self.server.st
        u = urlparse(self.path)
        path = u.path
        if path == "/_stats":
            with st.lock:
                self.send_json({"replies": st.replies, "hidden": st.hidden,
                                "webhook": st.webhook,
                                "counts": st.counts})
            return
        ep = ENDPOINTS.get(path)
        if ep is None and path.startswith("/webhook/"):
            ep = "webhook"
        if ep is None:
            self.send_json({"code": 40404, "message": "no such endpoint"},
                           404)
            return
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        body = {}
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                self.send_json({"code": 40002, "message": "body is not JSON"},
                               400)
                return
        query = {k: v[0] for k, v in parse_qs(u.query).items()}
        entry = self.record(ep, query, body)
        fault = st.fault_for(ep)
        if st.args.delay:
            time.sleep(st.rng.uniform(0, st.args.delay))
        if fault:
            kind, _, arg = fault.partition(":")
            if kind == "429":
                self.send_json({"code": 40100, "message": "too many requests"},
                               429, {"Retry-After": arg or "1"})
                return
            if kind == "429date":
                when = time.gmtime(time.time() + float(arg or 1) + 1)
                date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", when)
                self.send_json({"code": 40100, "message": "too many requests"},
                               429, {"Retry-After": date})
                return
            if kind in ("500", "503"):
                self.send_json({"code": 50000, "message": "internal error"},
                               int(kind))
                return
            if kind == "drop":
                self.drop()
                return
            if kind == "slow":
                time.sleep(float(arg or 5))
            elif kind == "malformed":
                body_bytes = b'{"code":0,"data":{"comments":[{"comment_id":'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body_bytes)))
                self.end_headers()
                self.wfile.write(body_bytes)
                return
            elif kind == "code":
                self.send_json({"code": int(arg), "message":
                                "the request was refused",
                                "request_id": "req-refused"})
                return
            elif kind == "auth":
                if ep == "research":
                    self.send_json({"data": {}, "error": {
                        "code": "access_token_invalid",
                        "message": "token invalid", "log_id": "rl"}}, 401)
                else:
                    self.send_json({"code": 40105, "message":
                                    "access token is incorrect or revoked",
                                    "request_id": "req-auth"})
                return
            elif kind == "acted-drop":
                self.act(ep, body)
                self.drop()
                return
            elif kind == "acted-hang":
                self.act(ep, body)
                time.sleep(float(arg or 60))
                self.drop()
                return
            elif kind == "hang":
                time.sleep(float(arg or 60))
                self.drop()
                return
        if not entry["token_ok"] and ep != "webhook":
            if ep == "research":
                self.send_json({"data": {}, "error": {
                    "code": "access_token_invalid",
                    "message": "the access token is invalid", "log_id": "x"}},
                    401)
            else:
                self.send_json({"code": 40104, "message":
                                "access token is empty or invalid",
                                "request_id": "req-tok"})
            return
        getattr(self, "ep_" + ep)(query, body)

    def page(self, vid, cursor, count):
        st = self.server.st
        with st.lock:
            if vid not in st.videos:
                return None
            if cursor == 0 and st.args.grow:
                st.add(vid, st.args.grow)
            lst = st.videos[vid]
            size = min(count or st.args.page_size, st.args.page_size)
            chunk = lst[cursor:cursor + size]
            end = cursor + len(chunk)
            nxt = max(end - st.args.overlap, cursor + 1) if chunk else cursor
            return [dict(c) for c in chunk], nxt, end < len(lst)

    def ep_list(self, q, body):
        vid = q.get("video_id", "")
        if not q.get("business_id"):
            self.send_json({"code": 40002, "message": "business_id is "
                            "required", "request_id": "r"})
            return
        got = self.page(vid, int(q.get("cursor", "0") or 0),
                        int(q.get("max_count", "0") or 0))
        if got is None:
            self.send_json({"code": 40002, "message": "no video %s" % vid,
                            "request_id": "r"})
            return
        comments, nxt, more = got
        self.send_json(self.envelope({"comments": comments, "cursor": nxt,
                                      "has_more": more}))

    def ep_research(self, q, body):
        vid = str(body.get("video_id", ""))
        got = self.page(vid, int(body.get("cursor", 0) or 0),
                        int(body.get("max_count", 0) or 0))
        if got is None:
            self.send_json({"data": {}, "error": {
                "code": "invalid_params", "message": "no such video",
                "log_id": "x"}}, 400)
            return
        comments, nxt, more = got
        out = [{"id": int(c["comment_id"]), "video_id": int(vid),
                "text": c["text"], "like_count": c["likes"],
                "reply_count": 0, "parent_comment_id": int(vid),
                "create_time": c["create_time"]} for c in comments]
        self.send_json(self.envelope({"comments": out, "cursor": nxt,
                                      "has_more": more}, research=True))

    def ep_replies(self, q, body):
        st = self.server.st
        cid = q.get("comment_id", "")
        with st.lock:
            texts = list(st.replies.get(cid, []))
        out = [{"comment_id": "%s-r%d" % (cid, i), "text": t,
                "owner": True, "username": "brand", "parent_comment_id": cid}
               for i, t in enumerate(texts)]
        self.send_json(self.envelope({"comments": out, "cursor": len(out),
                                      "has_more": False}))

    def need(self, body, keys):
        missing = [k for k in keys if not body.get(k)]
        if missing:
            self.send_json({"code": 40002, "message": "missing " +
                            ",".join(missing), "request_id": "r"})
            return False
        return True

    def ep_reply(self, q, body):
        if not self.need(body, ("business_id", "video_id", "comment_id",
                                "text")):
            return
        self.act("reply", body)
        self.send_json(self.envelope({"comment_id": "new-%s" %
                                      body["comment_id"]}))

    def ep_hide(self, q, body):
        if not self.need(body, ("business_id", "video_id", "comment_id",
                                "action")):
            return
        self.act("hide", body)
        self.send_json(self.envelope({}))

    def ep_webhook(self, q, body):
        self.act("webhook", body)
        body_bytes = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(body_bytes)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--token", default="tok-secret-123")
    ap.add_argument("--research-token", default="research-secret-456")
    ap.add_argument("--video", action="append", default=[])
    ap.add_argument("--page-size", type=int, default=20)
    ap.add_argument("--overlap", type=int, default=0)
    ap.add_argument("--grow", type=int, default=0)
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--delay", type=float, default=0.0,
                    help="random delay up to this many seconds per request")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                    help="serve HTTPS with this certificate and key")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    srv.st = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
