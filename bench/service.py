#!/usr/bin/env python3
"""The render service's speed: `cardrender serve` answering POST /v1/render
for one 300-dpi edition card with its photo (base64 in the request), the
PNG read whole by the client.

  service.py CLI TEMPLATES_DIR TEMPLATE_NAME RECORD_JSON REQUESTS

1. Latency: the server on one core (taskset -c 0, --threads 1), one client
   on the other sending the requests one after another on a kept-alive
   connection; median and 90th percentile milliseconds.
2. Throughput: --threads 1, then --threads 2, each with 4 clients sending
   REQUESTS requests in all; cards/s and the ratio (target >= 1.7).
Prints "latency_ms M p90_ms P one_worker_per_s A two_workers_per_s B"."""

import base64
import http.client
import json
import os
import re
import signal
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


def throughput(cli, templates, body, requests, workers, clients=4):
    p, port = start(cli, templates, extra=("--threads", str(workers)))
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(10):
            post(warm, body)
        warm.close()

        def client():
            c = http.client.HTTPConnection("127.0.0.1", port)
            for _ in range(requests // clients):
                post(c, body)
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
    with open(record_path, encoding="utf-8") as f:
        record = json.load(f)
    images = {}
    if "photo" in record:
        with open(os.path.join(os.path.dirname(record_path), record["photo"]), "rb") as f:
            images["photo"] = base64.b64encode(f.read()).decode()
    body = json.dumps({"template": name, "record": record, "images": images}).encode()
    median, p90 = latency(cli, templates, body, requests)
    one = throughput(cli, templates, body, requests, 1)
    two = throughput(cli, templates, body, requests, 2)
    print(f"latency_ms {median:.2f} p90_ms {p90:.2f} one_worker_per_s {one:.1f} "
          f"two_workers_per_s {two:.1f}")


if __name__ == "__main__":
    main()
