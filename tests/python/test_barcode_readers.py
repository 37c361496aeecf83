"""Barcode fields read back by independent readers: every symbology of
tests/data/barcode/ is rendered at 300 and 600 dpi by `cardrender render`
and decoded from the PNG by Debian's ZXingReader (zxing-cpp-tools) and,
for the symbologies zbar 0.23 reads (Code 128 and QR Code; its PDF417
decoder is unfinished and it has no Data Matrix or Aztec), by zbarimg
(zbar-tools). The decoded bytes must be the record's value byte for byte,
UTF-8 Chinese and Uyghur included. The K-panel card is decoded from its
1-bit OUT.k.png; the fixed-text QR Code from a render through the static
cache (the field is painted into the template's base). The example cards
of templates/ (the travel permit's QR Code, the staff card's Code 128 on
its K panel) are read from the whole card by both readers.

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

# The readers are other programs: under `make test`'s ASan pass the
# environment preloads the sanitizers for our binaries, and zbarimg (its
# ImageMagick threads) can deadlock under them, so they run without.
READER_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


def zxing(path):
    """(format, bytes) of the one symbol ZXingReader finds."""
    described = subprocess.run(ZXING + [str(path)], capture_output=True, text=True,
                               env=READER_ENV, timeout=120)
    assert described.returncode == 0, described.stderr
    formats = re.findall(r"^Format:\s+(\S+)", described.stdout, re.M)
    assert len(formats) == 1, described.stdout
    raw = subprocess.run(ZXING + ["-bytes", str(path)], capture_output=True, env=READER_ENV,
                         timeout=120)
    assert raw.returncode == 0, raw.stderr
    return formats[0], raw.stdout


def zbar(path):
    result = subprocess.run(["zbarimg", "-q", "--raw", "--nodbus", str(path)],
                            capture_output=True, env=READER_ENV, timeout=120)
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


# The example cards of templates/ (README, "Example cards"): each card's
# symbol read from the whole rendered card, photo and text around it, at
# 300 and 600 dpi. (template, record, panel, ZXing's format, the record key
# holding the data)
EXAMPLES = [
    ("travel-permit-td1-front", "utopia-eriksson", "color", "QRCode", "verify_url"),
    ("staff-card-code128", "staff-li-na", "k", "Code128", "staff_number"),
]


def render_example(tmp_path, template, record, dpi):
    out = tmp_path / f"{template}-{dpi}.png"
    result = subprocess.run([CLI, "render", f"templates/{template}.json",
                             f"examples/records/{record}.json", "-o", str(out),
                             "--dpi", str(dpi)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open(f"examples/records/{record}.json", encoding="utf-8") as f:
        return out, json.load(f)


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("template,record,panel,zxing_format,key", EXAMPLES,
                         ids=[e[0] for e in EXAMPLES])
def test_example_cards_read_back(tmp_path, template, record, panel, zxing_format, key, dpi):
    need("ZXingReader", "zxing-cpp-tools")
    need("zbarimg", "zbar-tools")
    out, values = render_example(tmp_path, template, record, dpi)
    found, data = zxing(panel_file(out, panel))
    assert found == zxing_format
    assert data == values[key].encode("utf-8")
    assert zbar(panel_file(out, panel)) == values[key].encode("utf-8")
