"""Barcode fields read back by independent readers: every symbology of
tests/data/barcode/ is rendered at 300 and 600 dpi by `cardrender render`
and decoded from the PNG by Debian's ZXingReader (zxing-cpp-tools) and,
for the symbologies zbar 0.23 reads (Code 128 and QR Code; its PDF417
decoder is unfinished and it has no Data Matrix or Aztec), by zbarimg
(zbar-tools). The decoded bytes must be the record's value byte for byte,
UTF-8 Chinese and Uyghur included. The K-panel card is decoded from its
1-bit OUT.k.png; the fixed-text QR Code from a render through the static
cache (the field is painted into the template's base).

A reader that is not installed skips its tests, saying so (pytest -rs);
under CR_REQUIRE_DATA=1 that is a failure instead."""

import json
import os
import re
import shutil
import subprocess

import pytest

CLI = os.environ.get("CARDRENDER_CLI", "build/cardrender")
DATA = "tests/data/barcode"
REQUIRED = os.environ.get("CR_REQUIRE_DATA") == "1"

# (template, record or None, the panel to decode, ZXing's format name,
#  whether zbar reads the symbology, extra render arguments)
CASES = [
    ("code128", "code128", "color", "Code128", True, []),
    ("pdf417", "pdf417", "color", "PDF417", False, []),
    ("qrcode", "qrcode", "color", "QRCode", True, []),
    ("datamatrix", "datamatrix", "color", "DataMatrix", False, []),
    ("aztec", "aztec", "color", "Aztec", False, []),
    ("k_panel", "k_panel", "k", "Code128", True, []),
    ("fixed_qr", None, "color", "QRCode", True, ["--static-cache"]),
]
FIXED_TEXT = {"fixed_qr": "https://id.example/验证?v=1"}
DPIS = [300, 600]


def need(command, package):
    if shutil.which(command):
        return
    reason = f"{command} is not installed (apt-get install {package}): barcodes not read back"
    if REQUIRED:
        pytest.fail(f"{reason}, and CR_REQUIRE_DATA=1 says this machine has it")
    pytest.skip(reason)


def expected_text(name, record):
    if record is None:
        return FIXED_TEXT[name]
    with open(f"{DATA}/records/{record}.json", encoding="utf-8") as f:
        return json.load(f)["data"]


def render(tmp_path, name, record, dpi, extra):
    out = tmp_path / f"{name}-{dpi}.png"
    args = [CLI, "render", f"{DATA}/{name}.json"]
    if record is not None:
        args.append(f"{DATA}/records/{record}.json")
    else:  # a record with no keys: the fixed field needs none
        empty = tmp_path / "empty.json"
        empty.write_text("{}\n")
        args.append(str(empty))
    args += ["-o", str(out), "--dpi", str(dpi)] + extra
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def panel_file(out, panel):
    return out if panel == "color" else out.with_name(out.stem + f".{panel}.png")


# ZXingReader 1.4.0 (Debian 12) aborts on an assertion when it merges a
# linear symbol found again in its downscaled passes (zxing-cpp issue #740,
# fixed in later releases); -noscale reads the picture at its own size only,
# which is what a 300 or 600 dpi card should be read at anyway.
ZXING = ["ZXingReader", "-noscale"]

# The readers are not ours: under the sanitizers (make test preloads ASan
# into python3, and so into its children) zbarimg hangs, so they run
# without LD_PRELOAD, and a reader that takes over a minute is a failure.
READER_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
READER_TIMEOUT = 60


def read_with(args, text):
    return subprocess.run(args, capture_output=True, text=text, env=READER_ENV,
                          timeout=READER_TIMEOUT)


def zxing(path):
    """(format, bytes) of the one symbol ZXingReader finds."""
    described = read_with(ZXING + [str(path)], True)
    assert described.returncode == 0, described.stderr
    formats = re.findall(r"^Format:\s+(\S+)", described.stdout, re.M)
    assert len(formats) == 1, described.stdout
    raw = read_with(ZXING + ["-bytes", str(path)], False)
    assert raw.returncode == 0, raw.stderr
    return formats[0], raw.stdout


def zbar(path):
    result = read_with(["zbarimg", "-q", "--raw", "--nodbus", str(path)], False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(b"\n"), result.stdout
    return result.stdout[:-1]


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name,record,panel,zxing_format,zbar_reads,extra", CASES,
                         ids=[c[0] for c in CASES])
def test_zxing_reads_back(tmp_path, name, record, panel, zxing_format, zbar_reads, extra, dpi):
    need("ZXingReader", "zxing-cpp-tools")
    out = render(tmp_path, name, record, dpi, extra)
    found, data = zxing(panel_file(out, panel))
    assert found == zxing_format
    assert data == expected_text(name, record).encode("utf-8")


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name,record,panel,zxing_format,zbar_reads,extra",
                         [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_zbar_reads_back(tmp_path, name, record, panel, zxing_format, zbar_reads, extra, dpi):
    need("zbarimg", "zbar-tools")
    out = render(tmp_path, name, record, dpi, extra)
    assert zbar(panel_file(out, panel)) == expected_text(name, record).encode("utf-8")


def test_every_template_is_read(tmp_path):
    """No template of tests/data/barcode is left out of CASES."""
    names = {f[:-5] for f in os.listdir(DATA) if f.endswith(".json")}
    assert names == {c[0] for c in CASES}
