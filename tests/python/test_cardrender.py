"""The Python binding against the command-line tool and hand-computed
cases: the same PNG bytes as `cardrender render`, photos from bytes, errors
with their template line and column, the same check lines, threads.
Run from the project root by `make test` (python3 -m pytest tests/python)."""

import json
import os
import subprocess
import threading

import pytest

import cardrender

CLI = os.environ.get("CARDRENDER_CLI", "build/cardrender")
TEMPLATE = "templates/resident-id-zh-photo.json"
RECORD = "examples/records/zh-zhang-wei.json"
PHOTO = "examples/records/photos/portrait-358x441.jpg"


@pytest.fixture(scope="module")
def engine():
    return cardrender.Engine()


@pytest.fixture(scope="module")
def template(engine):
    return engine.load_template(TEMPLATE)


def record_values():
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


def photo_bytes():
    with open(PHOTO, "rb") as f:
        return f.read()


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, check=False)


def test_render_from_memory_equals_the_cli(template, tmp_path):
    out = tmp_path / "card.png"
    result = cli("render", TEMPLATE, RECORD, "-o", str(out))
    assert result.returncode == 0, result.stderr
    # The photo comes only from the bytes: the folder paths are read
    # against does not exist, so a file read would fail.
    png = template.render(record_values(), images={"photo": photo_bytes()},
                          assets=str(tmp_path / "no-such-folder"))
    assert png == out.read_bytes()


def test_render_at_a_dpi_equals_the_cli(template, tmp_path):
    out = tmp_path / "card.png"
    result = cli("render", TEMPLATE, RECORD, "-o", str(out), "--dpi", "150")
    assert result.returncode == 0, result.stderr
    png = template.render(record_values(), dpi=150, assets="examples/records")
    assert png == out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_template_error_carries_line_and_column(engine, tmp_path):
    path = tmp_path / "bad.json"
    # Line 4, column 68 is where the value of "size_pt" starts.
    path.write_text('{"version": 1,\n'
                    ' "card": {"width_mm": 85.6, "height_mm": 54, "dpi": 300},\n'
                    ' "fields": [\n'
                    '  {"type": "text", "name": "n", "box_mm": [1, 1, 9, 9], "size_pt": "big",\n'
                    '   "font": "Noto Sans CJK SC", "text": "x"}]}\n', encoding="utf-8")
    with pytest.raises(cardrender.Error) as caught:
        engine.load_template(str(path))
    error = caught.value
    assert error.path == str(path)
    assert (error.line, error.column) == (4, 68)
    assert error.field == "n"
    assert error.message.startswith("%s:4:68: field 0 \"n\": " % path)


def test_missing_key_names_the_field(template):
    values = record_values()
    del values["name"]
    with pytest.raises(cardrender.Error) as caught:
        template.render(values, images={"photo": photo_bytes()})
    assert caught.value.field == "name"
    assert caught.value.path == TEMPLATE
    assert "name" in caught.value.message


def test_bad_image_bytes_name_the_key(template):
    with pytest.raises(cardrender.Error) as caught:
        template.render(record_values(), images={"photo": photo_bytes()[:200]})
    assert "record key \"photo\"" in caught.value.message
    assert caught.value.field == "photo"


def test_values_must_be_text(template):
    values = record_values()
    values["birth_year"] = 1990
    with pytest.raises(TypeError):
        template.render(values, images={"photo": photo_bytes()})


def test_check_prints_what_the_cli_prints(template, tmp_path):
    values = record_values()
    values["address"] = "北京市东城区南池子大街21号院3号楼2单元502室" * 4  # overflows
    del values["photo"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    result = cli("check", TEMPLATE, str(path))
    assert result.returncode == 1
    cli_lines = result.stdout.decode().splitlines()
    assert cli_lines[-1].startswith("check: ")
    expected = [line.replace(str(path), "<record>", 1) for line in cli_lines[:-1]]
    lines = template.check(values)
    assert lines == expected
    assert any("has no key \"photo\"" in line for line in lines)
    assert any("address" in line for line in lines)


def test_threads_give_the_same_bytes(template):
    values, photo = record_values(), photo_bytes()
    single = template.render(values, images={"photo": photo})
    results = [None] * 8

    def work(i):
        results[i] = template.render(values, images={"photo": photo})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [single] * 8
