#!/usr/bin/env python3
"""The render service's speed: `cardrender serve` answering POST /v1/render
for one 300-dpi edition card with its photo (base64 in the request), the
PNG read whole by the client.

  service.py CLI TEMPLATES_DIR TEMPLATE_NAME RECORD_JSON REQUESTS [ROUNDS]

1. Latency: the server on one core (taskset -c 0, --threads 1), one client
   on the other sending the requests one after another on a kept-alive
   connection; median and 90th percentile milliseconds.
2. Throughput: --threads 1 and --threads 2 in turns, ROUNDS (3) times each,
   each with 4 clients sending REQUESTS requests in all; the median cards/s
   of each and their ratio (target >= 1.7). In turns and medians because
   this machine's speed wanders within a minute: one round of each (what
   this did until 2026-12-06) gave one worker anywhere from 130 to 213
   cards/s, minutes apart, with the same build.
Prints "latency_ms M p90_ms P one_worker_per_s A two_workers_per_s B"."""

import base64
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def start(cli, templates, prefix=(), extra=()):
    """The server, run under prefix (e.g. taskset), with extra options."""
    p = subprocess.Popen([*prefix, cli, "serve", "--templates", templates, "--listen",
                          "127.0.0.1:0", *extra], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    found = re.search(r"listening on port (\d+)", line)
    if not found:  # never leave a server behind
        p.kill()
        p.wait()
        sys.exit(f"service.py: cardrender serve did not start: {line.strip()}")
    return p, int(found.group(1))


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)


def post(connection, body):
    connection.request("POST", "/v1/render", body=body,
                       headers={"Content-Type": "application/json"})
    r = connection.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"service.py: HTTP {r.status}: {data[:300]!r}")
    return data


def latency(cli, templates, body, requests):
    p, port = start(cli, templates, prefix=("taskset", "-c", "0"), extra=("--threads", "1"))
    try:
        os.sched_setaffinity(0, {1} if os.cpu_count() > 1 else {0})
        c = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(10):  # warm: templates loaded, static layers cached
            post(c, body)
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            post(c, body)
            times.append((time.perf_counter() - t) * 1e3)
        c.close()
    finally:
        os.sched_setaffinity(0, range(os.cpu_count()))
        stop(p)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


class LeanClient:
    """A kept-alive connection that sends the same POST again and again
    and reads each answer whole, with as little work of its own as a Python
    client can do: the request's bytes made once, the answer read into one
    buffer by its Content-Length. The clients share this machine's two
    cores with the server, so what they spend is taken from it: measured,
    http.client spent 0.22-0.36 ms of processor time a request (headers
    parsed by the email package), about 7% of a card, enough to hold two
    workers to 1.6-1.7x one on a machine where they keep both cores busy."""

    def __init__(self, port, body):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = (b"POST /v1/render HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Content-Type: application/json\r\nContent-Length: "
                        + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.buffer = bytearray(1 << 22)
        self.view = memoryview(self.buffer)

    def post(self):
        self.sock.sendall(self.request)
        have = 0
        while (end := self.buffer.find(b"\r\n\r\n", 0, have)) < 0:
            n = self.sock.recv_into(self.view[have:])
            if not n:
                sys.exit("service.py: the server closed the connection")
            have += n
        head = bytes(self.buffer[:end]).decode("latin-1")
        if not head.startswith("HTTP/1.1 200"):
            sys.exit(f"service.py: {head.splitlines()[0]}")
        length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
        want = end + 4 + length
        if want > len(self.buffer):
            sys.exit(f"service.py: an answer of {length} bytes")
        while have < want:
            n = self.sock.recv_into(self.view[have:want])
            if not n:
                sys.exit("service.py: the server closed the connection")
            have += n
        if have != want:
            sys.exit("service.py: bytes after the answer")

    def close(self):
        self.sock.close()


def throughput(cli, templates, body, requests, workers, clients=4):
    p, port = start(cli, templates, extra=("--threads", str(workers)))
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(10):
            post(warm, body)
        warm.close()

        def client():
            c = LeanClient(port, body)
            for _ in range(requests // clients):
                c.post()
            c.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return (requests // clients) * clients / (time.perf_counter() - t)
    finally:
        stop(p)


def main():
    cli, templates, name, record_path, requests = sys.argv[1:6]
    requests = int(requests)
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    with open(record_path, encoding="utf-8") as f:
        record = json.load(f)
    images = {}
    if "photo" in record:
        with open(os.path.join(os.path.dirname(record_path), record["photo"]), "rb") as f:
            images["photo"] = base64.b64encode(f.read()).decode()
    body = json.dumps({"template": name, "record": record, "images": images}).encode()
    median, p90 = latency(cli, templates, body, requests)
    ones, twos = [], []
    for _ in range(rounds):
        ones.append(throughput(cli, templates, body, requests, 1))
        twos.append(throughput(cli, templates, body, requests, 2))
    one, two = statistics.median(ones), statistics.median(twos)
    print(f"latency_ms {median:.2f} p90_ms {p90:.2f} one_worker_per_s {one:.1f} "
          f"two_workers_per_s {two:.1f}")


if __name__ == "__main__":
    main()
