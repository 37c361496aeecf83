"""Starts `cardrender serve` for the service and studio tests: on a free
port of 127.0.0.1, its stderr read for the port it took; stopped with
SIGTERM, which must end it with status 0 (under ASan the exit also runs the
leak check)."""

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import time

CLI = os.environ.get("CARDRENDER_CLI", "build/cardrender")
PHOTO = "examples/records/photos/portrait-358x441.jpg"


class Server:
    def __init__(self, *args, templates="templates"):
        self.process = subprocess.Popen(
            [CLI, "serve", "--templates", templates, "--listen", "127.0.0.1:0", *args],
            stderr=subprocess.PIPE, text=True)
        line = self.process.stderr.readline()
        found = re.search(r"listening on port (\d+)", line)
        if not found:
            self.process.kill()
            raise RuntimeError(f"cardrender serve did not start: {line}")
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method, path, body=None, headers=None, connection=None):
        """(status, content type, body bytes); body a dict is sent as JSON."""
        own = connection is None
        c = connection or self.connection()
        h = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        if own:
            c.close()
        return r.status, r.getheader("Content-Type"), data

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=120)
        return self.process.returncode, err


def photo_b64(path=PHOTO):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def record_request(template, record_path, **extra):
    """A /v1/render body for a record file: its photo's bytes in images."""
    with open(record_path, encoding="utf-8") as f:
        record = json.load(f)
    images = {}
    if "photo" in record:
        images["photo"] = photo_b64(os.path.join(os.path.dirname(record_path), record["photo"]))
    return dict({"template": template, "record": record, "images": images}, **extra)


def wait_until(predicate, seconds=30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False
