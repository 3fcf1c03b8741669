#!/usr/bin/python3
"""chromium-render.py PAGE.html OUT.png [WIDTH] - load a page in headless
Chromium, save a full-page screenshot, and fail on any console message of
level error or warning, uncaught exception, failed load, or request for
anything but the page itself (the page must need no network).

Talks the DevTools protocol over --remote-debugging-pipe (file descriptors
3 and 4, NUL-separated JSON), so it needs nothing beyond the standard
library and Debian's chromium.  Prints what it saw; exit status 0 clean,
1 the page had errors, 2 the browser could not be driven.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps",
         "--hide-scrollbars", "--remote-debugging-pipe"]


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [chromium] + FLAGS + ["--user-data-dir=" + profile,
                                  "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=fds, pass_fds=(3, 4))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self.next_id)

    def read(self, timeout):
        end = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [],
                                              left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def wait(self, pred, timeout=30):
        end = time.monotonic() + timeout
        while True:
            m = self.read(max(0.1, end - time.monotonic()))
            if pred(m):
                if "error" in m:
                    raise RuntimeError(json.dumps(m["error"]))
                return m
            self.events.append(m)

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    page, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1200
    url = "file://" + page
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="chromium-render.")
    problems = []
    b = Browser(chromium, profile)
    try:
        targets = b.send("Target.getTargets")["result"]["targetInfos"]
        tid = next(t["targetId"] for t in targets if t["type"] == "page")
        sid = b.send("Target.attachToTarget",
                     {"targetId": tid, "flatten": True})["result"]["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.send(domain + ".enable", session=sid)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": width, "height": 900, "deviceScaleFactor": 1,
                "mobile": False}, session=sid)
        b.send("Page.navigate", {"url": url}, session=sid)
        b.wait(lambda m: m.get("method") == "Page.loadEventFired")
        metrics = b.send("Page.getLayoutMetrics", session=sid)["result"]
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = int(size["height"])
        shot = b.send("Page.captureScreenshot",
                      {"format": "png", "captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": width,
                                "height": height, "scale": 1}},
                      session=sid)["result"]["data"]
        # let late messages arrive
        try:
            b.wait(lambda m: False, timeout=0.5)
        except TimeoutError:
            pass
    except (TimeoutError, EOFError, RuntimeError, StopIteration) as e:
        print(f"chromium-render: cannot drive chromium: {e}",
              file=sys.stderr)
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
        return 2
    b.close()
    shutil.rmtree(profile, ignore_errors=True)

    for m in b.events:
        meth, p = m.get("method"), m.get("params", {})
        if meth == "Runtime.consoleAPICalled" and p["type"] in (
                "error", "warning", "assert"):
            problems.append("console %s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p.get("args", []))))
        elif meth == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            problems.append("exception: " + d.get("exception", {}).get(
                "description", d.get("text", "")))
        elif meth == "Log.entryAdded" and p["entry"]["level"] in (
                "error", "warning"):
            problems.append("log %s: %s %s" % (
                p["entry"]["level"], p["entry"]["text"],
                p["entry"].get("url", "")))
        elif meth == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if u != url and not u.startswith("data:"):
                problems.append("request: " + u)
        elif meth == "Network.loadingFailed":
            problems.append("failed load: " + p.get("errorText", ""))
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot))
    print(f"rendered {url} at {width}x{height} into {out}")
    for p in problems:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
