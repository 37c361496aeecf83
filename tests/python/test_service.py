"""`cardrender serve` against the command-line tool: every edition's card
from POST /v1/render byte-identical to `cardrender render` of the same
inputs, the findings of /v1/check those of `check --json`, /v1/layout the
document of `layout --json`; every kind of bad request a clear 4xx with the
service still answering; a slow client holding nobody up; templates read
again when their file changes; and a bounded load (many renders from 16
clients at once): no error, every PNG the tool's, memory flat."""

import glob
import hashlib
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import threading
import time

import pytest

from service_fixture import CLI, PHOTO, Server, record_request

SANITIZED = "asan" in os.environ.get("LD_PRELOAD", "")
EDITIONS = ["bo", "ii", "ko", "mn", "ug", "za", "zh"]


@pytest.fixture(scope="module")
def server():
    s = Server("--threads", "4", "--max-body-bytes", "4000000")
    yield s
    status, err = s.stop()
    assert status == 0, err
    assert "SIGTERM: stopping" in err


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, check=False)


def cli_png(tmp_path, template_path, record_path, *options):
    out = tmp_path / "cli.png"
    result = cli("render", template_path, record_path, "-o", str(out), *options)
    assert result.returncode == 0, result.stderr.decode()
    return out.read_bytes()


def edition_record(edition):
    return sorted(glob.glob(f"examples/records/{edition}-*.json"))[0]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("side", ["photo", "emblem"])
def test_render_equals_the_cli(server, tmp_path, edition, side):
    name = f"resident-id-{edition}-{side}"
    record = edition_record(edition)
    status, kind, png = server.request("POST", "/v1/render", record_request(name, record))
    assert status == 200, png.decode()
    assert kind == "image/png"
    assert png == cli_png(tmp_path, f"templates/{name}.json", record)


def test_render_at_600_dpi_equals_the_cli(server, tmp_path):
    record = edition_record("ug")
    status, _, png = server.request(
        "POST", "/v1/render", record_request("resident-id-ug-photo", record, dpi=600))
    assert status == 200
    assert png == cli_png(tmp_path, "templates/resident-id-ug-photo.json", record, "--dpi", "600")


def test_proof_is_the_cli_proof(server, tmp_path):
    record = edition_record("zh")
    out = tmp_path / "proof.png"
    result = cli("proof", "templates/resident-id-zh-photo.json", record, "-o", str(out))
    assert result.returncode == 0
    status, _, png = server.request(
        "POST", "/v1/render", record_request("resident-id-zh-photo", record, proof=True))
    assert status == 200
    # The tool's proof has a caption naming the files; the service's none:
    # same width, and taller by the caption only.
    width, height = struct.unpack(">II", png[16:24])
    cli_width, cli_height = struct.unpack(">II", out.read_bytes()[16:24])
    assert width == cli_width and 0 <= cli_height - height < 200


def test_templates_lists_the_folder(server):
    status, kind, body = server.request("GET", "/v1/templates")
    assert status == 200 and kind == "application/json"
    listed = {t["name"]: t for t in json.loads(body)["templates"]}
    on_disk = {os.path.basename(p)[:-5] for p in glob.glob("templates/*.json")}
    assert set(listed) == on_disk
    photo = listed["resident-id-zh-photo"]
    assert photo["card"]["width_mm"] == pytest.approx(85.6)
    fields = {f["name"]: f for f in photo["fields"]}
    assert fields["photo"]["type"] == "image" and fields["photo"]["bind"] == "photo"
    assert len(fields["name"]["box_mm"]) == 4
    status, _, body = server.request("GET", "/v1/templates/resident-id-zh-photo")
    with open("templates/resident-id-zh-photo.json", encoding="utf-8") as f:
        assert json.loads(body)["json"] == f.read()


def long_name_request():
    body = record_request("resident-id-zh-photo", edition_record("zh"))
    body["record"]["name"] = "欧阳" + "娜" * 30  # overflows even shrunk
    return body


def test_check_equals_the_cli(server, tmp_path):
    body = long_name_request()
    record_file = tmp_path / "long.json"
    with open(PHOTO, "rb") as f:
        (tmp_path / "p.jpg").write_bytes(f.read())
    record = dict(body["record"], photo="p.jpg")
    record_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = cli("check", "templates/resident-id-zh-photo.json", str(record_file), "--json")
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    expected = [(f["kind"], f["field"], f["message"]) for f in lines if "kind" in f]
    status, _, answer = server.request("POST", "/v1/check", body)
    assert status == 200
    findings = json.loads(answer)["findings"]
    assert [(f["kind"], f["field"], f["message"]) for f in findings] == expected
    assert any(f["kind"] == "overflow" and f["field"] == "name" for f in findings)


def test_layout_equals_the_cli(server, tmp_path):
    record = edition_record("ug")
    result = cli("layout", "templates/resident-id-ug-photo.json", record, "--json")
    assert result.returncode == 0
    expected = json.loads(result.stdout)
    status, _, answer = server.request("POST", "/v1/layout",
                                       record_request("resident-id-ug-photo", record))
    assert status == 200
    got = json.loads(answer)
    assert got["fields"] == expected["fields"] and got["dpi"] == expected["dpi"]


def error_of(status_body):
    status, kind, body = status_body
    assert kind == "application/json", body
    return status, json.loads(body)["error"]


def test_bad_requests_are_clear_4xx(server):
    post = lambda body, **kw: error_of(server.request("POST", "/v1/render", body, **kw))
    good = record_request("resident-id-zh-photo", edition_record("zh"))

    status, e = post(b'{"template": "resident-id-zh-photo", ', headers={"Content-Type": "application/json"})
    assert status == 400 and e["code"] == "syntax" and e["line"] == 1 and e["column"] > 30
    for wrong, words in [({"template": 5}, "template"),
                         (dict(good, dpi="300"), "dpi"),
                         (dict(good, dpi=5000), "dpi"),
                         (dict(good, record=["x"]), "record"),
                         (dict(good, record=dict(good["record"], name=7)), 'record key "name"'),
                         (dict(good, images={"photo": 5}), "images"),
                         (dict(good, images={"photo": "not base64!"}), "base64"),
                         (dict(good, proof="yes"), "proof"),
                         (dict(good, panel="cmyk"), "panel"),
                         (dict(good, template="../templates/resident-id-zh-photo"), "never a path"),
                         (dict(good, template="/etc/passwd"), "never a path")]:
        status, e = post(wrong)
        assert status == 400, wrong
        assert words in e["message"], e
    status, e = post(dict(good, template="no-such-template"))
    assert status == 404
    # a photo path, with no --assets: refused, no file is read
    status, e = post(dict(good, images={}))
    assert status == 400 and "--assets" in e["message"]
    # a photo that is not an image: the engine's error, naming the field
    status, e = post(dict(good, images={"photo": "aGVsbG8="}))
    assert status == 400 and e["field"] == "photo"
    # a template the engine refuses: file, line and column of the text
    text_only = {k: v for k, v in good.items() if k != "template"}
    status, e = post(dict(text_only, template_text='{"version": 1,\n "card": 5}'))
    assert status == 400 and e["code"] == "template" and e["line"] == 2
    status, e = error_of(server.request("POST", "/v1/render", b"x", headers={"Content-Type": "text/plain"}))
    assert status == 415
    status, e = error_of(server.request("GET", "/v1/render"))
    assert status == 405
    status, e = error_of(server.request("GET", "/v1/nothing"))
    assert status == 404
    status, e = error_of(server.request("GET", "/v1/templates/..%2Fetc"))
    assert status == 404
    # a body over --max-body-bytes: 413 at once, from its Content-Length (the
    # service does not read 4 MB to refuse them) ...
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"POST /v1/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 4100000\r\n\r\n{")
        assert raw.recv(4096).startswith(b"HTTP/1.1 413")
    # ... and when it comes in chunks, with no length said, once it passes it
    c = server.connection()
    c.putrequest("POST", "/v1/render")
    c.putheader("Content-Type", "application/json")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    try:
        for _ in range(70):  # 4.6 MB
            c.send(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
        c.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # it may answer and close before the last chunk
    assert c.getresponse().status == 413
    c.close()
    # and it still answers
    status, _, png = server.request("POST", "/v1/render", good)
    assert status == 200 and png.startswith(b"\x89PNG")


def test_a_slow_client_holds_nobody_up(server):
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(b"POST /v1/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n{\"template\": ")
    try:
        started = time.monotonic()
        status, _, png = server.request(
            "POST", "/v1/render", record_request("resident-id-zh-photo", edition_record("zh")))
        assert status == 200 and png.startswith(b"\x89PNG")
        assert time.monotonic() - started < 60
    finally:
        slow.close()


def test_a_changed_template_is_read_again(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    template = {"version": 1,
                "card": {"width_mm": 85.6, "height_mm": 54, "dpi": 150, "background": "#ffffff"},
                "fields": [{"type": "text", "name": "n", "box_mm": [5, 5, 70, 10],
                            "bind": "name", "font": "Noto Sans CJK SC", "size_pt": 12}]}
    (folder / "card.json").write_text(json.dumps(template), encoding="utf-8")
    s = Server(templates=str(folder))
    try:
        record = {"name": "张三"}
        before = s.request("POST", "/v1/render", {"template": "card", "record": record})
        assert before[0] == 200, before[2]
        template["card"]["background"] = "#ffe0e0"
        (folder / "card.json").write_text(json.dumps(template), encoding="utf-8")
        after = s.request("POST", "/v1/render", {"template": "card", "record": record})
        assert after[0] == 200 and after[2] != before[2]
        record_file = tmp_path / "r.json"
        record_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        assert after[2] == cli_png(tmp_path, str(folder / "card.json"), str(record_file))
    finally:
        s.stop()


def test_a_missing_template_is_404_and_a_broken_one_400(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    good = {"version": 1, "card": {"width_mm": 85.6, "height_mm": 54, "dpi": 100},
            "fields": [{"type": "text", "name": "n", "box_mm": [5, 5, 70, 10], "text": "x",
                        "font": "Noto Sans CJK SC", "size_pt": 12}]}
    (folder / "card.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "child.json").write_text(json.dumps({"version": 1, "extends": "gone.json"}),
                                       encoding="utf-8")
    s = Server(templates=str(folder))
    try:
        assert s.request("POST", "/v1/render", {"template": "card"})[0] == 200
        # the template is there, its base is not: the loader's error, not "no template"
        status, e = error_of(s.request("POST", "/v1/render", {"template": "child"}))
        assert status == 400 and "gone.json" in e["message"], e
        # a template removed after it was loaded is gone, not served from memory
        (folder / "card.json").unlink()
        status, e = error_of(s.request("POST", "/v1/render", {"template": "card"}))
        assert status == 404 and '"card"' in e["message"]
        status, e = error_of(s.request("GET", "/v1/templates/card"))
        assert status == 404
    finally:
        s.stop()


def test_listening_beyond_loopback_needs_a_token():
    result = cli("serve", "--templates", "templates", "--listen", "0.0.0.0:0")
    assert result.returncode == 2 and b"--token" in result.stderr


def own_address():
    """An address of this machine other than loopback, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent
            address = s.getsockname()[0]
        return None if address.startswith("127.") else address
    except OSError:
        return None


def test_a_token_is_asked_of_other_machines():
    address = own_address()
    if not address:
        pytest.skip("this machine has no address besides loopback to call itself on")
    p = subprocess.Popen([CLI, "serve", "--templates", "templates", "--listen", "0.0.0.0:0",
                          "--token", "s3cret"], stderr=subprocess.PIPE, text=True)
    port = int(re.search(r"port (\d+)", p.stderr.readline()).group(1))

    def get(host, headers):
        c = http.client.HTTPConnection(host, port, timeout=30)
        c.request("GET", "/v1/templates", headers=headers)
        r = c.getresponse()
        r.read()
        c.close()
        return r.status

    try:
        assert get(address, {}) == 401
        assert get(address, {"Authorization": "Bearer wrong"}) == 401
        assert get(address, {"Authorization": "Bearer s3cret"}) == 200
        assert get("127.0.0.1", {}) == 200  # loopback needs none
    finally:
        p.terminate()
        assert p.wait() == 0


def test_bounded_load(server, tmp_path):
    """Renders from 16 clients at once, each on a kept-alive connection:
    every answer 200 and the tool's bytes; the server's memory after them
    no more than a fifth above what it held after the first round."""
    requests = 400 if SANITIZED else 2000
    cases = []
    for edition in EDITIONS:
        record = edition_record(edition)
        name = f"resident-id-{edition}-photo"
        cases.append((record_request(name, record),
                      hashlib.sha256(cli_png(tmp_path, f"templates/{name}.json", record)).hexdigest()))
    failures = []

    def client(index, count):
        c = server.connection()
        for k in range(count):
            body, digest = cases[(index + k) % len(cases)]
            status, _, png = server.request("POST", "/v1/render", body, connection=c)
            if status != 200 or hashlib.sha256(png).hexdigest() != digest:
                failures.append((index, k, status))
        c.close()

    def round_of(total):
        threads = [threading.Thread(target=client, args=(i, total // 16)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    round_of(16 * 7)
    warm = server.rss_kib()
    round_of(requests)
    after = server.rss_kib()
    assert not failures, failures[:5]
    if not SANITIZED:  # ASan's quarantine holds freed memory on purpose
        assert after <= warm * 1.2 + 2048, (warm, after)


def test_requests_under_way_at_sigterm_are_answered(tmp_path):
    """One worker, six renders sent at once on six connections; SIGTERM
    once the first answer is in, the other five queued or being worked on:
    each of them still answered in full with the tool's bytes, then the
    service ends with status 0."""
    record = edition_record("ug")
    name = "resident-id-ug-photo"
    expected = cli_png(tmp_path, f"templates/{name}.json", record)
    body = json.dumps(record_request(name, record)).encode()
    s = Server("--threads", "1")
    sent = threading.Semaphore(0)
    first = threading.Event()
    answers = []

    def client():
        c = s.connection()
        try:
            c.request("POST", "/v1/render", body=body,
                      headers={"Content-Type": "application/json"})
            sent.release()
            r = c.getresponse()
            answers.append((r.status, r.read()))
        except (OSError, http.client.HTTPException) as e:
            answers.append((None, repr(e).encode()))
        first.set()
        c.close()

    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    for _ in threads:
        assert sent.acquire(timeout=60)
    assert first.wait(timeout=60)
    status, err = s.stop()
    for t in threads:
        t.join(timeout=120)
    assert status == 0, err
    assert "SIGTERM: stopping" in err
    assert len(answers) == 6
    for code, png in answers:
        assert code == 200, png[:300]
        assert png == expected
