"""Microtext read back: a 0.8 pt repeated line at 600 dpi, magnified as
under a loupe, read by tesseract (Debian tesseract-ocr, eng), must read
exactly as typed. Skips, saying why, without tesseract or Pillow; fails
then under CR_REQUIRE_DATA=1."""
import json
import os
import shutil
import subprocess

import pytest

CLI = os.environ.get("CARDRENDER_CLI", "build/cardrender")
REQUIRED = os.environ.get("CR_REQUIRE_DATA") == "1"
TEXT = "ZHANGSAN 110101199003071234"
DPI = 600
BOX_MM = [1.0, 1.0, 12.0, 0.6]


def missing(reason):
    if REQUIRED:
        pytest.fail(f"{reason} (CR_REQUIRE_DATA=1)")
    pytest.skip(reason)


def render(tmp_path, record):
    template = {"version": 1,
                "card": {"width_mm": 14, "height_mm": 3, "corner_radius_mm": 0, "dpi": DPI},
                "fields": [{"type": "text", "name": "micro", "box_mm": BOX_MM, "bind": "id",
                            "font": "OCR B", "size_pt": 0.8, "repeat": "line"}]}
    (tmp_path / "t.json").write_text(json.dumps(template))
    (tmp_path / "r.json").write_text(json.dumps(record))
    out = tmp_path / "card.png"
    subprocess.run([CLI, "render", str(tmp_path / "t.json"), str(tmp_path / "r.json"),
                    "-o", str(out)], check=True)
    return out


def read_back(image, tmp_path):
    """The box magnified 12 times (bicubic: a loupe, not a pixel grid) and
    read as one line."""
    from PIL import Image
    px = DPI / 25.4
    x, y, w, h = BOX_MM
    crop = image.crop((int(x * px) - 8, int(y * px) - 8, int((x + w) * px) + 8,
                       int((y + h) * px) + 8)).convert("L")
    big = crop.resize((crop.width * 12, crop.height * 12), Image.BICUBIC)
    path = tmp_path / "loupe.png"
    big.save(path)
    # tesseract is another program: without the sanitizers `make test`'s
    # ASan pass preloads for ours.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    result = subprocess.run(["tesseract", str(path), "-", "--psm", "7", "-l", "eng"],
                            capture_output=True, text=True, check=True, env=env, timeout=120)
    return " ".join(result.stdout.split())


def test_microtext_reads_exactly_under_a_loupe(tmp_path):
    if not shutil.which("tesseract"):
        missing("tesseract is not installed (Debian: tesseract-ocr, tesseract-ocr-eng)")
    try:
        from PIL import Image
    except ImportError:
        missing("Pillow is not installed (Debian: python3-pil)")
    card = render(tmp_path, {"id": TEXT})
    read = read_back(Image.open(card), tmp_path)
    # The box holds the text once whole and part of it again: what is read
    # is a prefix of the repeated run, at least one whole period.
    run = " ".join([TEXT] * 3)
    assert len(read) >= len(TEXT) + 1, read
    assert run.startswith(read), read
