"""The JSON Schemas of schema/ against the engine: every template and record
in the repo is valid for its schema exactly when the engine loads it, hand-
made bad templates and records are refused by both, and the keys and enum
values the schema lists are the ones the engine's own messages list. The
engine is the oracle: `cardrender check` (the template alone, or a record
against a template with no fields) says whether it loads a file.
Run from the project root by `make test` (python3 -m pytest tests/python);
needs Debian's python3-jsonschema (scripts/install-deps installs it)."""

import copy
import glob
import json
import os
import re
import subprocess

import pytest

try:
    import jsonschema
except ImportError:  # the tests say so, below
    jsonschema = None

CLI = os.environ.get("CARDRENDER_CLI", "build/cardrender")
TEMPLATE_SCHEMA = "schema/template.schema.json"
RECORD_SCHEMA = "schema/record.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Every template file in the repo: cards, bases, fragments, test inputs.
TEMPLATE_GLOBS = [
    "templates/*.json",
    "templates/base/*.json",
    "templates/parts/*.json",
    "tests/golden/*/template.json",
    "tests/data/templates/*.json",
    "tests/data/compose/*.json",
    "tests/data/compose/parts/*.json",
    "tests/data/fuzz/template/*.json",
    "tests/data/barcode/*.json",
    "bench/card/template.json",
]
RECORD_GLOBS = [
    "examples/records/*.json",
    "tests/golden/*/record.json",
    "tests/data/records/*.json",
    "tests/data/fuzz/record/*.json",
    "tests/data/barcode/records/*.json",
    "bench/card/record.json",
]

# Templates the engine refuses for a reason no JSON Schema can express: the
# schema must accept them (they are well-formed, but wrong). Path: (why, the
# engine's message). Keep this list small; each entry says why.
SEMANTIC = {
    # JSON Schema's data model has no integer/real distinction: 300.0 is an
    # "integer" to every validator; jansson (and the engine) tell them apart.
    "tests/data/templates/bad_dpi_real.json":
        ("300.0 is an integer to JSON Schema", r'"dpi" must be an integer, not a real number'),
    # Font families are the font manifest's, which is the deployment's.
    "tests/data/templates/bad_font_family.json":
        ("a family not in the font manifest", r'unknown font family "Comic Sans"'),
    "tests/data/templates/bad_font_file.json":
        ("a family not in the font manifest", r'unknown font family "Ghost Sans"'),
    # One value bounded by another (min_size_pt <= size_pt): no $data in 2020-12.
    "tests/data/templates/bad_min_size.json":
        ("min_size_pt above size_pt", r'"min_size_pt" must be greater than 0 and at most "size_pt"'),
    # The mistake is in the fragment it includes, which the schema refuses
    # on its own (tests/data/compose/parts/bad_color.json).
    "tests/data/compose/bad_include.json":
        ("the included fragment is bad", r'parts/bad_color\.json:5:50: .*"color" must be'),
    # Composition across files: cycles, files that do not exist, names
    # that must (or must not) be in the base.
    "tests/data/compose/cycle_a.json": ("an extends cycle", r'"extends" makes a cycle'),
    "tests/data/compose/cycle_b.json": ("an extends cycle", r'"extends" makes a cycle'),
    "tests/data/compose/include_cycle.json": ("an include cycle", r'"include" makes a cycle'),
    "tests/data/compose/parts/loop_a.json": ("an include cycle", r'"include" makes a cycle'),
    "tests/data/compose/parts/loop_b.json": ("an include cycle", r'"include" makes a cycle'),
    "tests/data/compose/missing_base.json":
        ("the base does not exist", r'"extends": .*no_such_base\.json: cannot open the file'),
    "tests/data/compose/remove_unknown.json":
        ("a name not in the base", r'"remove_fields": no field named "nmae"'),
    "tests/data/compose/dup_names.json":
        ("a name the base has too", r'duplicate field name "sex"'),
    # A family "" is in no manifest (the schema asks only for a string).
    "tests/data/fuzz/template/empty-font.json":
        ("a family not in the font manifest", r'unknown font family ""'),
    # Its artwork is drawn by `make bench` (bench/make_art), so it loads
    # once the benchmark has run and not before.
    "bench/card/template.json":
        ("artwork made by make bench", r'artwork bench/card/art/guilloche\.png: cannot open'),
}
# The entries above that the engine may also accept (generated files).
MAY_LOAD = {"bench/card/template.json"}

PACKAGE_REASON = ("the Python module jsonschema is missing (Debian package python3-jsonschema; "
                  "`make deps` installs it)")


@pytest.fixture(scope="module")
def validators():
    if jsonschema is None:
        if os.environ.get("CR_REQUIRE_DATA") == "1":
            pytest.fail(PACKAGE_REASON + ", and CR_REQUIRE_DATA=1 says this machine has it")
        pytest.skip(PACKAGE_REASON)
    schemas = {}
    for path in (TEMPLATE_SCHEMA, RECORD_SCHEMA):
        with open(path, encoding="utf-8") as f:
            schemas[path] = json.load(f)
    return {path: jsonschema.Draft202012Validator(schema) for path, schema in schemas.items()}


@pytest.fixture(scope="module")
def template_validator(validators):
    return validators[TEMPLATE_SCHEMA]


@pytest.fixture(scope="module")
def record_validator(validators):
    return validators[RECORD_SCHEMA]


# ---------------------------------------------------------------- helpers

class NotJSON(Exception):
    """What jansson, as the engine calls it, refuses to parse."""


def _no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise NotJSON("duplicate key")
    return dict(pairs)


def _refuse_constant(name):
    raise NotJSON("not a JSON number: " + name)


def _finite_float(text):
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotJSON("real number overflow: " + text)
    return value


def _int64(text):
    value = int(text)
    if not -2**63 <= value < 2**63:
        raise NotJSON("too big integer: " + text)
    return value


def _check_strings(value):
    """jansson refuses \\u0000 (no JSON_ALLOW_NUL) and lone surrogates."""
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        for text in (key, item):
            if isinstance(text, str):
                if "\0" in text:
                    raise NotJSON("\\u0000 in a string")
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as e:
                    raise NotJSON("a lone surrogate") from e
        if isinstance(item, (dict, list)):
            _check_strings(item)


def strict_load(path):
    """The document as the engine parses it (a UTF-8 byte-order mark
    dropped, duplicate keys, NaN, overflowing numbers, NUL and bad UTF-8
    refused), or NotJSON: the schema has nothing to say about such a file."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates,
                         parse_constant=_refuse_constant, parse_float=_finite_float,
                         parse_int=_int64)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise NotJSON(str(e)) from e
    _check_strings({"": doc})
    return doc


def engine_loads_template(path):
    """(loaded, stderr): `check` prints its summary once the template loads."""
    result = subprocess.run([CLI, "check", str(path), "--safe-mm", "0"], capture_output=True,
                            check=False)
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode in (0, 1), stderr
    return "\ncheck: " in "\n" + stdout, stderr.strip()


@pytest.fixture(scope="module")
def no_fields_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "no_fields.json"
    path.write_text('{"version": 1, "fields": []}', encoding="utf-8")
    return path


def engine_loads_record(template, path):
    """(loaded, output): against a template with no fields, the only
    finding `check` can make is that the record does not load."""
    result = subprocess.run([CLI, "check", str(template), str(path), "--safe-mm", "0"],
                            capture_output=True, check=False)
    assert result.returncode in (0, 1), result.stderr.decode()
    return result.returncode == 0, (result.stdout + result.stderr).decode().strip()


def schema_errors(validator, doc):
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
            for e in validator.iter_errors(doc)]


def files_of(globs):
    files = []
    for pattern in globs:
        files += sorted(glob.glob(pattern))
    return files


# ------------------------------------------------------------ the schemas

def test_schemas_are_draft_2020_12(validators):
    for path in (TEMPLATE_SCHEMA, RECORD_SCHEMA):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        assert schema["$schema"] == DRAFT
        assert schema["$id"] == "https://cardrender.invalid/" + path
        jsonschema.Draft202012Validator.check_schema(schema)


# Subschemas that only state conditions on properties described elsewhere.
CONDITIONS = {"if", "then", "else", "not"}


def described(node, where, missing):
    """Every property of every object in the schema has a description, for
    an editor to show."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(where + "/properties/" + key)
        for key, sub in node.items():
            if key not in CONDITIONS:
                described(sub, where + "/" + key, missing)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            described(sub, "%s/%d" % (where, i), missing)


def test_every_property_is_described(validators):
    for path in (TEMPLATE_SCHEMA, RECORD_SCHEMA):
        with open(path, encoding="utf-8") as f:
            missing = []
            described(json.load(f), "#", missing)
        assert not missing, path


@pytest.mark.parametrize("pattern", TEMPLATE_GLOBS + RECORD_GLOBS)
def test_every_glob_finds_files(pattern):
    # A glob that finds nothing would let the tests below pass on nothing.
    assert glob.glob(pattern), pattern


def test_semantic_list_is_current():
    templates = set(files_of(TEMPLATE_GLOBS))
    assert set(SEMANTIC) <= templates, set(SEMANTIC) - templates
    assert MAY_LOAD <= set(SEMANTIC)


# -------------------------------------------- every template in the repo

@pytest.mark.parametrize("path", files_of(TEMPLATE_GLOBS))
def test_template_file(template_validator, path):
    loaded, stderr = engine_loads_template(path)
    try:
        doc = strict_load(path)
    except NotJSON as e:
        assert not loaded, "%s: not JSON to jansson (%s), yet the engine loads it" % (path, e)
        assert path not in SEMANTIC
        return
    errors = schema_errors(template_validator, doc)
    if path in SEMANTIC:
        why, message = SEMANTIC[path]
        assert not errors, "%s (%s) must be schema-valid: %s" % (path, why, errors)
        if loaded:
            assert path in MAY_LOAD, "%s: the engine now loads it; take it off SEMANTIC" % path
        else:
            assert re.search(message, stderr), "%s: %s" % (path, stderr)
        return
    if loaded:
        assert not errors, "%s loads, but the schema refuses it: %s" % (path, errors)
    else:
        assert errors, "%s is schema-valid, but the engine refuses it: %s" % (path, stderr)


# ------------------------------------------------- hand-made templates

def good_template():
    """A template with every kind of field, print panels and most keys."""
    return {
        "$schema": "https://cardrender.invalid/schema/template.schema.json",
        "version": 1,
        "name": "schema test",
        "card": {"width_mm": 85.6, "height_mm": 54.0, "corner_radius_mm": 3.18, "dpi": 300,
                 "background": "#f4f7fb", "k_panel": {"mode": "threshold", "threshold": 128},
                 "overlay": {"holes_mm": [[8.0, 17.0, 12.0, 10.0]]}},
        "fields": [
            {"type": "text", "name": "name", "box_mm": [16.5, 5.5, 36.0, 4.5], "bind": "name",
             "font": ["Noto Sans CJK SC", "Noto Sans"], "size_pt": 10.5, "color": "#1F5FA8",
             "align": "start", "valign": "top", "letter_spacing_em": 0.05,
             "line_height_pt": 12, "max_lines": 1, "direction": "auto", "lang": "zh-Hans",
             "fit": "shrink", "min_size_pt": 7.5, "min_scale_x": 0.6, "kinsoku": "gb",
             "hangul_break": "word", "punctuation_trim": "line-end", "missing_glyph": "error",
             "presentation_forms": "warn", "writing_mode": "horizontal",
             "tate_chu_yoko_digits": 2, "panel": "color", "optional": True},
            {"type": "text", "name": "label", "box_mm": [6.0, 6.2, 8.0, 3.0], "text": "姓名",
             "font": "Noto Sans CJK SC", "size_pt": 7.5, "align": "distribute"},
            {"type": "image", "name": "photo", "box_mm": [55.5, 6.0, 26.0, 32.0],
             "bind": "photo", "fit": "contain", "focus": [0.5, 0.3], "pad_color": "#ffffff00",
             "rotate_deg": 90, "opacity": 1, "corner_radius_mm": 1,
             "adjust": {"brightness": 0.04, "contrast": 0.1, "gamma": 1.1, "grayscale": False},
             "panel": "color", "optional": True},
            {"type": "rect", "name": "outline", "box_mm": [0, 0, 85.6, 54.0], "fill": "#ffffff",
             "stroke": "#1f5fa8", "stroke_width_mm": 0.4, "corner_radius_mm": 3.18,
             "opacity": 0.5, "panel": "color"},
            {"type": "line", "name": "rule", "from_mm": [5, 30], "to_mm": [50, 30],
             "width_mm": 0.3, "color": "#1f5fa8", "opacity": 1, "panel": "k"},
            {"type": "mrz", "name": "zone", "box_mm": [4.7, 40.0, 76.2, 12.7], "format": "td1",
             "keys": {"document_number": "card_number", "birth_date": "dob"},
             "color": "#000000", "panel": "k"},
            {"type": "barcode", "name": "qr", "box_mm": [60, 30, 20, 20], "symbology": "qrcode",
             "bind": "qr", "optional": True, "module_mm": 0.25, "quiet_zone": 4,
             "error_correction": "Q", "color": "#000000", "background": "#ffffff",
             "panel": "k"},
        ],
    }


TEXT, LABEL, IMAGE, RECT, LINE, MRZ, BARCODE = range(7)


def setter(*path_and_value):
    """A change: set (or with DELETE, remove) the value at a path."""
    *path, value = path_and_value

    def change(t):
        node = t
        for step in path[:-1]:
            node = node[step]
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


DELETE = object()

# (what, change, the engine's message). Each is refused by the schema and
# by the engine, and the engine's message shows it refused for that reason.
BAD_TEMPLATES = [
    # wrong types
    ("size_pt a string", setter("fields", TEXT, "size_pt", "10.5"),
     r'"size_pt" must be a number, not a string'),
    ("dpi a string", setter("card", "dpi", "300"), r'"dpi" must be an integer, not a string'),
    ("fields an object", setter("fields", {}), r'"fields" must be an array, not an object'),
    ("card an array", setter("card", []), r'"card" must be an object, not an array'),
    ("font a number", setter("fields", LABEL, "font", 7),
     r'"font" must be a family name or an array of family names'),
    ("a font list of numbers", setter("fields", LABEL, "font", [7]),
     r'a font family name must be a string'),
    ("an empty font list", setter("fields", LABEL, "font", []),
     r'"font" must name at least one family'),
    ("optional a string", setter("fields", TEXT, "optional", "yes"),
     r'"optional" must be true or false'),
    ("adjust a list", setter("fields", IMAGE, "adjust", [0.1]),
     r'"adjust" must be an object'),
    ("name a number", setter("fields", RECT, "name", 3), r'"name" must be a string'),
    ("template name a number", setter("name", 3), r'"name" must be a string'),
    ("a field that is a string", setter("fields", LABEL, "label"),
     r'a field must be an object, not a string'),
    ("text a number", setter("fields", LABEL, "text", 5), r'"text" must be a string'),
    ("a version string", setter("version", "1"), r'"version" must be an integer'),
    ("$schema a number", setter("$schema", 7), r'"\$schema" must be a string'),
    ("a hole not an array", setter("card", "overlay", "holes_mm", [5]),
     r'hole 0 must be an array of 4 numbers'),
    # unknown keys, at every level
    ("unknown top-level key", setter("title", "x"), r'unknown key "title"'),
    ("unknown card key", setter("card", "colour", "#ffffff"), r'unknown key "colour"'),
    ("unknown text key", setter("fields", TEXT, "wobble", 1), r'unknown key "wobble"'),
    ("image key on a text field", setter("fields", LABEL, "src", "a.png"),
     r'unknown key "src"'),
    ("text key on an image field", setter("fields", IMAGE, "font", "Noto Sans"),
     r'unknown key "font"'),
    ("text key on a rect", setter("fields", RECT, "color", "#000000"), r'unknown key "color"'),
    ("rect key on a line", setter("fields", LINE, "box_mm", [1, 1, 2, 2]),
     r'unknown key "box_mm"'),
    ("unknown k_panel key", setter("card", "k_panel", "dots", 3), r'unknown key "dots"'),
    ("unknown overlay key", setter("card", "overlay", "holes", []), r'unknown key "holes"'),
    ("unknown adjust key", setter("fields", IMAGE, "adjust", "hue", 0.1), r'unknown key "hue"'),
    ("ghost true", setter("fields", IMAGE, "ghost", True), r'"ghost" must be an object'),
    ("ghost fade over 1", setter("fields", IMAGE, "ghost", {"fade": 1.5}), r'"fade"'),
    ("line screen without a period", setter("fields", IMAGE, "ghost", {"line_screen": {}}),
     r'missing required key "period_mm"'),
    ("line screen finer than a printer", setter("fields", IMAGE, "ghost",
                                                {"line_screen": {"period_mm": 0.01}}),
     r'"period_mm"'),
    # closed sets
    ("unknown field type", setter("fields", LABEL, "type", "hologram"),
     r'unknown field type "hologram"'),
    ("bad align", setter("fields", TEXT, "align", "middle"), r'"align" must be start'),
    ("bad valign", setter("fields", TEXT, "valign", "middle"), r'"valign" must be top'),
    ("bad fit", setter("fields", TEXT, "fit", "cover"), r'"fit" must be wrap'),
    ("bad image fit", setter("fields", IMAGE, "fit", "shrink"), r'"fit" must be cover'),
    ("bad writing mode", setter("fields", TEXT, "writing_mode", "vertical"),
     r'"writing_mode" must be horizontal'),
    ("bad kinsoku", setter("fields", TEXT, "kinsoku", "loose"), r'"kinsoku" must be basic'),
    ("bad panel", setter("fields", LINE, "panel", "overlay"), r'"panel" must be color or k'),
    ("bad k mode", setter("card", "k_panel", "mode", "halftone"), r'"mode" must be threshold'),
    ("rotate 45", setter("fields", IMAGE, "rotate_deg", 45), r'"rotate_deg" must be 0, 90'),
    ("colour too short", setter("fields", TEXT, "color", "#12345"), r'"color" must be "#rrggbb"'),
    ("colour by name", setter("card", "background", "blue"), r'"background" must be "#rrggbb"'),
    ("version 2", setter("version", 2), r'unsupported template version 2'),
    ("lang with an underscore", setter("fields", TEXT, "lang", "zh_CN"),
     r'"lang" must be a BCP 47 language tag'),
    # required keys
    ("no version", setter("version", DELETE), r'missing required key "version"'),
    ("no fields", setter("fields", DELETE), r'missing required key "fields"'),
    ("no type", setter("fields", LABEL, "type", DELETE), r'missing required key "type"'),
    ("no box", setter("fields", LABEL, "box_mm", DELETE), r'missing required key "box_mm"'),
    ("no font", setter("fields", LABEL, "font", DELETE), r'missing required key "font"'),
    ("no size", setter("fields", LABEL, "size_pt", DELETE), r'missing required key "size_pt"'),
    ("no text nor bind", setter("fields", LABEL, "text", DELETE),
     r'missing required key "text" or "bind"'),
    ("no src nor bind", setter("fields", IMAGE, "bind", DELETE),
     r'missing required key "src" or "bind"'),
    ("line without to_mm", setter("fields", LINE, "to_mm", DELETE),
     r'missing required key "to_mm"'),
    # ranges
    ("negative size", setter("fields", LABEL, "size_pt", -3), r'"size_pt" must be greater than 0'),
    ("size over 200", setter("fields", LABEL, "size_pt", 201), r'at most 200 \(got 201\)'),
    ("negative box width", setter("fields", LABEL, "box_mm", 2, -8),
     r'"box_mm" width must be greater than 0'),
    ("zero box height", setter("fields", RECT, "box_mm", 3, 0),
     r'"box_mm" height must be greater than 0'),
    ("box of 3", setter("fields", LABEL, "box_mm", [1, 2, 3]), r'"box_mm" must hold 4 numbers'),
    ("negative card width", setter("card", "width_mm", -85.6),
     r'"width_mm" must be greater than 0'),
    ("card too tall", setter("card", "height_mm", 1001), r'"height_mm" must be greater than 0'),
    ("negative corner", setter("card", "corner_radius_mm", -1),
     r'"corner_radius_mm" must be between 0'),
    ("dpi 50", setter("card", "dpi", 50), r'"dpi" must be between 72 and 1200'),
    ("dpi 1201", setter("card", "dpi", 1201), r'"dpi" must be between 72 and 1200'),
    ("negative max_lines", setter("fields", TEXT, "max_lines", -1), r'"max_lines" must be between'),
    ("tcy 5", setter("fields", TEXT, "tate_chu_yoko_digits", 5),
     r'"tate_chu_yoko_digits" must be between 0 and 4'),
    ("wide spacing", setter("fields", TEXT, "letter_spacing_em", 3),
     r'"letter_spacing_em" must be between -0.5 and 2'),
    ("negative line height", setter("fields", TEXT, "line_height_pt", -1),
     r'"line_height_pt" must be between 0 and 500'),
    ("min scale 0.2", setter("fields", TEXT, "min_scale_x", 0.2),
     r'"min_scale_x" must be between 0.3 and 1'),
    ("zero min size", setter("fields", TEXT, "min_size_pt", 0), r'"min_size_pt" must be greater'),
    ("opacity 1.5", setter("fields", RECT, "opacity", 1.5), r'"opacity" must be between 0 and 1'),
    ("contrast 1", setter("fields", IMAGE, "adjust", "contrast", 1),
     r'"contrast" must be less than 1'),
    ("gamma 0", setter("fields", IMAGE, "adjust", "gamma", 0), r'"gamma" must be between 0.1'),
    ("brightness -2", setter("fields", IMAGE, "adjust", "brightness", -2),
     r'"brightness" must be between -1 and 1'),
    ("focus off the picture", setter("fields", IMAGE, "focus", [0.5, 2]),
     r'"focus" y must be between 0 and 1'),
    ("threshold 0", setter("card", "k_panel", "threshold", 0), r'"threshold" must be between 1'),
    ("threshold 256", setter("card", "k_panel", "threshold", 256),
     r'"threshold" must be between 1 and 255'),
    ("max_lines 1001", setter("fields", TEXT, "max_lines", 1001),
     r'"max_lines" must be between 0 and 1000'),
    ("line height 501", setter("fields", TEXT, "line_height_pt", 501),
     r'"line_height_pt" must be between 0 and 500'),
    ("negative spacing", setter("fields", TEXT, "letter_spacing_em", -0.6),
     r'"letter_spacing_em" must be between -0.5 and 2'),
    ("min scale over 1", setter("fields", TEXT, "min_scale_x", 1.1),
     r'"min_scale_x" must be between 0.3 and 1'),
    ("negative tcy", setter("fields", TEXT, "tate_chu_yoko_digits", -1),
     r'"tate_chu_yoko_digits" must be between 0 and 4'),
    ("line width 101", setter("fields", LINE, "width_mm", 101),
     r'"width_mm" must be greater than 0 and at most 100'),
    ("negative opacity", setter("fields", IMAGE, "opacity", -0.1),
     r'"opacity" must be between 0 and 1'),
    ("gamma 11", setter("fields", IMAGE, "adjust", "gamma", 11), r'"gamma" must be between 0.1'),
    ("negative focus", setter("fields", IMAGE, "focus", [-0.1, 0.5]),
     r'"focus" x must be between 0 and 1'),
    ("focus of 3", setter("fields", IMAGE, "focus", [0.1, 0.2, 0.3]),
     r'"focus" must hold 2 numbers'),
    ("negative image corner", setter("fields", IMAGE, "corner_radius_mm", -1),
     r'"corner_radius_mm" must be between 0'),
    ("zero card width", setter("card", "width_mm", 0), r'"width_mm" must be greater than 0'),
    ("zero line width", setter("fields", LINE, "width_mm", 0), r'"width_mm" must be greater'),
    ("barcode without symbology", setter("fields", BARCODE, "symbology", DELETE),
     r'missing required key "symbology"'),
    ("unknown symbology", setter("fields", BARCODE, "symbology", "ean13"),
     r'"symbology" must be code128, pdf417'),
    ("QR level as a number", setter("fields", BARCODE, "error_correction", 2),
     r'must be L, M, Q or H for a QR Code'),
    ("error correction on Data Matrix",
     lambda t: t["fields"][BARCODE].update(symbology="datamatrix"),
     r'"error_correction" does not apply to Data Matrix'),
    ("Aztec 20 percent",
     lambda t: t["fields"][BARCODE].update(symbology="aztec", error_correction=20),
     r'must be 10, 23, 36 or 50'),
    ("barcode quiet zone -1", setter("fields", BARCODE, "quiet_zone", -1), r'"quiet_zone"'),
    ("barcode with text and bind", setter("fields", BARCODE, "text", "x"), r'not both'),
    ("zero stroke", setter("fields", RECT, "stroke_width_mm", 0),
     r'"stroke_width_mm" must be greater than 0'),
    ("negative hole", setter("card", "overlay", "holes_mm", 0, 0, -1),
     r'hole 0 x must be between 0'),
    # keys that depend on one another
    ("text and bind", setter("fields", LABEL, "bind", "name"),
     r'a field has either "text" or "bind", not both'),
    ("src and bind", setter("fields", IMAGE, "src", "a.png"),
     r'an image field has either "src" or "bind", not both'),
    ("empty bind", setter("fields", TEXT, "bind", ""), r'"bind" must name a record key'),
    ("optional fixed text", setter("fields", LABEL, "optional", True),
     r'"optional" applies to a bound field'),
    ("lang_bind on fixed text", setter("fields", LABEL, "lang_bind", "lang"),
     r'"lang_bind" needs "bind"'),
    ("empty lang_bind", setter("fields", TEXT, "lang_bind", ""),
     r'"lang_bind" must name a record key'),
    ("rect with no paint", lambda t: (t["fields"][RECT].pop("fill"), t["fields"][RECT].pop("stroke"),
                                      t["fields"][RECT].pop("stroke_width_mm")),
     r'a rect needs "fill", "stroke" or both'),
    ("stroke width, no stroke", setter("fields", RECT, "stroke", DELETE),
     r'"stroke_width_mm" needs a "stroke" colour'),
    ("focus with stretch", lambda t: (t["fields"][IMAGE].update(fit="stretch"),
                                      t["fields"][IMAGE].pop("pad_color")),
     r'"focus" has no effect with "fit": "stretch"'),
    ("pad colour with cover", setter("fields", IMAGE, "fit", DELETE),
     r'"pad_color" has no effect with "fit": "cover"'),
    ("threshold with dither", setter("card", "k_panel", "mode", "dither"),
     r'"threshold" has no effect with "mode": "dither"'),
    # composition keys
    ("absolute extends", setter("extends", "/etc/passwd"),
     r'"extends" must be a path relative to this file'),
    ("remove_fields without extends", setter("remove_fields", ["name"]),
     r'"remove_fields" changes a base template: it needs "extends"'),
    ("override_fields without extends", setter("override_fields", {"name": {"size_pt": 9}}),
     r'"override_fields" changes a base template: it needs "extends"'),
    ("include with another key", setter("fields", LABEL, {"include": "part.json", "name": "x"}),
     r'an "include" element has no other keys'),
    ("include a number", setter("fields", LABEL, {"include": 7}), r'"include" must be a path'),
    ("absolute background", setter("card", "background_image", "/etc/card.png"),
     r'"background_image" must be a path relative'),
]

# Changes both must accept: keys and shapes a stricter schema could miss.
GOOD_TEMPLATES = [
    ("as it is", lambda t: None),
    ("no $schema", setter("$schema", DELETE)),
    ("no card", setter("card", DELETE)),
    ("empty fields", setter("fields", [])),
    ("a font list of one", setter("fields", LABEL, "font", ["Noto Sans CJK SC"])),
    ("integer sizes", setter("fields", LABEL, "size_pt", 8)),
    ("size 200", setter("fields", LABEL, "size_pt", 200)),
    ("negative x", setter("fields", LABEL, "box_mm", 0, -2)),
    ("dither", setter("card", "k_panel", {"mode": "dither"})),
    ("empty k_panel", setter("card", "k_panel", {})),
    ("empty overlay", setter("card", "overlay", {})),
    ("pad colour with none", setter("fields", IMAGE, "fit", "none")),
    ("stretch without focus or padding",
     lambda t: (t["fields"][IMAGE].update(fit="stretch"), t["fields"][IMAGE].pop("focus"),
                t["fields"][IMAGE].pop("pad_color"))),
    ("rect with a fill only", lambda t: (t["fields"][RECT].pop("stroke"),
                                         t["fields"][RECT].pop("stroke_width_mm"))),
    ("lang_bind on bound text", setter("fields", TEXT, "lang_bind", "lang")),
    ("vertical", setter("fields", TEXT, "writing_mode", "vertical-mongolian")),
    ("an uppercase colour", setter("card", "background", "#ABCDEF80")),
    ("unnamed fields", lambda t: [f.pop("name") for f in t["fields"]]),
    ("a field with optional false", setter("fields", LABEL, "optional", False)),
    ("a language with subtags", setter("fields", TEXT, "lang", "zh-Hans-CN")),
    ("empty fixed text", setter("fields", LABEL, "text", "")),
    ("contrast -1", setter("fields", IMAGE, "adjust", "contrast", -1)),
    ("a ghost with defaults", setter("fields", IMAGE, "ghost", {})),
    ("a ghost through a line screen", setter("fields", IMAGE, "ghost", {
        "fade": 0.7, "color": "#40201080", "line_screen": {"period_mm": 0.3, "angle_deg": -45}})),
]


def write_json(path, doc):
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("what,change,message", BAD_TEMPLATES, ids=[c[0] for c in BAD_TEMPLATES])
def test_bad_template_refused_by_both(template_validator, tmp_path, what, change, message):
    template = good_template()
    change(template)
    path = write_json(tmp_path / "bad.json", template)
    assert schema_errors(template_validator, template), "the schema accepts: " + what
    loaded, stderr = engine_loads_template(path)
    assert not loaded, "the engine accepts: " + what
    assert re.search(message, stderr), stderr


@pytest.mark.parametrize("what,change", GOOD_TEMPLATES, ids=[c[0] for c in GOOD_TEMPLATES])
def test_good_template_accepted_by_both(template_validator, tmp_path, what, change):
    template = good_template()
    change(template)
    path = write_json(tmp_path / "good.json", template)
    loaded, stderr = engine_loads_template(path)
    assert loaded, stderr
    assert not schema_errors(template_validator, template)


def write_part_and_base(tmp_path):
    write_json(tmp_path / "base.json", good_template())
    write_json(tmp_path / "part.json", {"version": 1, "fields": [good_template()["fields"][LABEL]]})


# Files that extend base.json (good_template()) or include part.json (a
# fragment holding its label), and whether both load them.
COMPOSED = [
    ("child with no fields, no card", True, {"version": 1, "extends": "base.json"}),
    ("child renames and overrides", True,
     {"version": 1, "extends": "base.json", "name": "child", "card": {"dpi": 600},
      "remove_fields": ["rule", "label"],
      "override_fields": {"name": {"size_pt": 12, "optional": None, "bind": "name2"},
                          "photo": {"fit": "cover", "pad_color": None}},
      "fields": [{"include": "part.json"}]}),
    ("a fragment alone", True, {"version": 1, "fields": [{"include": "part.json"}]}),
    ("a fragment with $schema", True,
     {"$schema": "x", "version": 1, "fields": [{"include": "part.json"}]}),
    ("child without version", False, {"extends": "base.json"}),
    ("override with a string size", False,
     {"version": 1, "extends": "base.json", "override_fields": {"name": {"size_pt": "big"}}}),
    ("override with an unknown key", False,
     {"version": 1, "extends": "base.json", "override_fields": {"name": {"wobble": 1}}}),
    ("override that is not an object", False,
     {"version": 1, "extends": "base.json", "override_fields": {"name": 3}}),
    ("remove_fields not names", False,
     {"version": 1, "extends": "base.json", "remove_fields": [3]}),
    ("extends not a string", False, {"version": 1, "extends": ["base.json"]}),
    ("a card key the base lacks", False,
     {"version": 1, "extends": "base.json", "card": {"bleed_mm": 2}}),
    ("unknown key in a child", False, {"version": 1, "extends": "base.json", "layers": []}),
]


@pytest.mark.parametrize("what,loads,doc", COMPOSED, ids=[c[0] for c in COMPOSED])
def test_composed_templates(template_validator, tmp_path, what, loads, doc):
    write_part_and_base(tmp_path)
    path = write_json(tmp_path / "child.json", doc)
    loaded, stderr = engine_loads_template(path)
    assert loaded == loads, stderr
    assert (not schema_errors(template_validator, doc)) == loads


# ------------------------------------- the engine's own lists of keys

def engine_message(tmp_path, template):
    loaded, stderr = engine_loads_template(write_json(tmp_path / "probe.json", template))
    assert not loaded
    return stderr


def allowed_keys(tmp_path, change):
    """The keys the engine lists when a key far from all of them is added."""
    template = good_template()
    change(template)
    stderr = engine_message(tmp_path, template)
    found = re.search(r'unknown key "zzzzzzzzzzzzzzzz" \(allowed keys: ([^)]*)\)', stderr)
    assert found, stderr
    return set(found.group(1).split(", "))


def subschema(schema, pointer):
    node = schema
    for step in pointer.split("/")[1:]:
        node = node[step]
    return node


def properties_at(schema, pointer):
    node = subschema(schema, pointer)
    if "$ref" in node:
        node = subschema(schema, node["$ref"][1:])
    return set(node["properties"])


PROBE = "zzzzzzzzzzzzzzzz"
KEY_SETS = [
    # (where, the change that adds PROBE there, the schema's object, keys
    # the schema adds that only the composition reads)
    ("top level", setter(PROBE, 1), "", {"$schema", "extends", "remove_fields",
                                         "override_fields"}),
    ("card", setter("card", PROBE, 1), "/properties/card", set()),
    ("text field", setter("fields", TEXT, PROBE, 1), "/$defs/text_field", set()),
    ("image field", setter("fields", IMAGE, PROBE, 1), "/$defs/image_field", set()),
    ("rect field", setter("fields", RECT, PROBE, 1), "/$defs/rect_field", set()),
    ("line field", setter("fields", LINE, PROBE, 1), "/$defs/line_field", set()),
    ("mrz field", setter("fields", MRZ, PROBE, 1), "/$defs/mrz_field", set()),
    ("mrz keys", setter("fields", MRZ, "keys", PROBE, "x"), "/$defs/mrz_field/properties/keys",
     set()),
    ("barcode field", setter("fields", BARCODE, PROBE, 1), "/$defs/barcode_field", set()),
    ("k_panel", setter("card", "k_panel", PROBE, 1), "/$defs/card/properties/k_panel", set()),
    ("overlay", setter("card", "overlay", PROBE, 1), "/$defs/card/properties/overlay", set()),
    ("adjust", setter("fields", IMAGE, "adjust", PROBE, 1),
     "/$defs/image_field/properties/adjust", set()),
    ("ghost", setter("fields", IMAGE, "ghost", {PROBE: 1}),
     "/$defs/image_field/properties/ghost", set()),
    ("line_screen", setter("fields", IMAGE, "ghost", {"line_screen": {"period_mm": 0.3, PROBE: 1}}),
     "/$defs/image_field/properties/ghost/properties/line_screen", set()),
]


@pytest.mark.parametrize("where,change,pointer,composition", KEY_SETS,
                         ids=[k[0] for k in KEY_SETS])
def test_schema_keys_are_the_engines(validators, tmp_path, where, change, pointer, composition):
    with open(TEMPLATE_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    assert properties_at(schema, "#" + pointer) == allowed_keys(tmp_path, change) | composition


def enum_values(message):
    """["a", "b", "c"] from 'must be a, b or c (got ...)'."""
    found = re.search(r'must be (.*) \(got ', message)
    assert found, message
    return re.split(r", | or ", found.group(1))


ENUMS = [
    # (key, where it is, the schema's pointer to the enum)
    ("align", ("fields", TEXT), "/$defs/text_field/properties/align"),
    ("valign", ("fields", TEXT), "/$defs/text_field/properties/valign"),
    ("direction", ("fields", TEXT), "/$defs/text_field/properties/direction"),
    ("fit", ("fields", TEXT), "/$defs/text_field/properties/fit"),
    ("kinsoku", ("fields", TEXT), "/$defs/text_field/properties/kinsoku"),
    ("hangul_break", ("fields", TEXT), "/$defs/text_field/properties/hangul_break"),
    ("punctuation_trim", ("fields", TEXT), "/$defs/text_field/properties/punctuation_trim"),
    ("missing_glyph", ("fields", TEXT), "/$defs/text_field/properties/missing_glyph"),
    ("presentation_forms", ("fields", TEXT), "/$defs/text_field/properties/presentation_forms"),
    ("writing_mode", ("fields", TEXT), "/$defs/text_field/properties/writing_mode"),
    ("repeat", ("fields", TEXT), "/$defs/text_field/properties/repeat"),
    ("fit", ("fields", IMAGE), "/$defs/image_field/properties/fit"),
    ("symbology", ("fields", BARCODE), "/$defs/barcode_field/properties/symbology"),
    ("panel", ("fields", RECT), "/$defs/panel"),
    ("format", ("fields", MRZ), "/$defs/mrz_field/properties/format"),
    ("mode", ("card", "k_panel"), "/$defs/card/properties/k_panel/properties/mode"),
]


@pytest.mark.parametrize("key,where,pointer", ENUMS, ids=["%s %s" % (e[0], e[1]) for e in ENUMS])
def test_schema_enums_are_the_engines(validators, tmp_path, key, where, pointer):
    with open(TEMPLATE_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    template = good_template()
    setter(*where, key, "zzz")(template)
    assert subschema(schema, "#" + pointer)["enum"] == enum_values(engine_message(tmp_path,
                                                                                  template))


def test_schema_field_types_are_the_engines(validators, tmp_path):
    with open(TEMPLATE_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    template = good_template()
    template["fields"][LABEL]["type"] = "zzz"
    found = re.search(r'\(allowed types: ([^)]*)\)', engine_message(tmp_path, template))
    assert found
    assert schema["$defs"]["field"]["properties"]["type"]["enum"] == found.group(1).split(", ")


# ---------------------------------------------------------------- records

@pytest.mark.parametrize("path", files_of(RECORD_GLOBS))
def test_record_file(record_validator, no_fields_template, path):
    loaded, output = engine_loads_record(no_fields_template, path)
    try:
        doc = strict_load(path)
    except NotJSON as e:
        assert not loaded, "%s: not JSON to jansson (%s), yet the engine loads it" % (path, e)
        return
    errors = schema_errors(record_validator, doc)
    if loaded:
        assert not errors, "%s loads, but the schema refuses it: %s" % (path, errors)
    else:
        assert errors, "%s is schema-valid, but the engine refuses it: %s" % (path, output)


# (what, record, whether both accept it)
RECORDS = [
    ("strings", {"name": "张三", "sex": "男", "address_ug": "x"}, True),
    ("empty", {}, True),
    ("an empty value", {"name": ""}, True),
    ("any key", {"favourite colour": "blue", "": "x"}, True),
    ("$schema", {"$schema": "https://cardrender.invalid/schema/record.schema.json",
                 "name": "张三"}, True),
    ("a number", {"name": "张三", "age": 34}, False),
    ("a real number", {"birth_year": 1990.0}, False),
    ("true", {"optional": True}, False),
    ("null", {"name": None}, False),
    ("an array", {"name": ["张", "三"]}, False),
    ("an object", {"name": {"zh": "张三"}}, False),
    ("a number in a known key", {"id_number": 110101199003074573}, False),
    ("a number in an edition's key", {"name_ug": 5}, False),
    ("$schema a number", {"$schema": 7}, False),
    ("an array root", ["张三", "男"], False),
]


@pytest.mark.parametrize("what,record,valid", RECORDS, ids=[r[0] for r in RECORDS])
def test_hand_made_records(record_validator, no_fields_template, tmp_path, what, record, valid):
    path = write_json(tmp_path / "record.json", record)
    loaded, output = engine_loads_record(no_fields_template, path)
    assert loaded == valid, output
    assert (not schema_errors(record_validator, record)) == valid
