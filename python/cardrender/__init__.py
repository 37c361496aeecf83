"""cardrender: identity-card layouts rendered from Python.

A thin binding over the shared library libcardrender.so.0 through ctypes:
no compiler is needed at import time. The library is the one named by
$CARDRENDER_LIBRARY, else the one `make install` installed beside this
package, else the build tree's build/libcardrender.so.0 when this package is
used from a checkout (PYTHONPATH=python), else libcardrender.so.0 as the
dynamic loader finds it.

    import cardrender
    engine = cardrender.Engine()
    template = engine.load_template("templates/resident-id-zh-photo.json")
    png = template.render({"name": "张伟", ...}, images={"photo": jpeg_bytes})

An Engine and its Templates may be shared by many threads: the library is
thread-safe for them, and ctypes releases the GIL while it renders.
"""

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p, c_double, c_int,
                    c_size_t, c_uint8, c_uint64, c_void_p)

__all__ = ["Engine", "Template", "Error", "library_path"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_CHECKOUT = os.path.dirname(os.path.dirname(_HERE))
_BUILD_LIBRARY = os.path.join(_CHECKOUT, "build", "libcardrender.so.0")
_CHECKOUT_MANIFEST = os.path.join(_CHECKOUT, "fonts", "manifest.json")


def _find_library():
    named = os.environ.get("CARDRENDER_LIBRARY")
    if named:
        return named
    try:  # written by make install
        from ._installed import LIBRARY
        return os.path.normpath(os.path.join(_HERE, LIBRARY))
    except ImportError:
        pass
    if os.path.exists(_BUILD_LIBRARY):
        return _BUILD_LIBRARY
    return "libcardrender.so.0"


class Error(Exception):
    """An error of the engine: message is the whole text (location
    included); path, line, column and field are its parts, None where the
    engine does not know them."""

    def __init__(self, message, path=None, line=None, column=None, field=None, code=None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.code = code


# ------------------------------------------------------------ C structs
# Mirrors of cardrender.h. Every options struct is checked against the
# library's own idea of its size (its init function writes struct_size), so
# a header that changes without this file fails at import, not in memory.

class _CError(Structure):
    _fields_ = [("code", c_int), ("message", c_char * 1024), ("file", c_char * 512),
                ("line", c_int), ("column", c_int), ("field_index", c_int),
                ("field_name", c_char * 128), ("reserved", c_uint64 * 16)]


class _EngineOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("font_manifest_path", c_char_p),
                ("max_memory", c_uint64), ("no_static_cache", c_int)]


_WARNING_FUNC = CFUNCTYPE(None, c_void_p, POINTER(_CError))
_REPORT_FUNC = CFUNCTYPE(None, c_void_p, c_void_p)


class _RenderOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("dpi", c_int), ("warning", _WARNING_FUNC),
                ("warning_data", c_void_p), ("asset_dir", c_char_p),
                ("max_image_pixels", c_uint64), ("field_report", _REPORT_FUNC),
                ("field_report_data", c_void_p), ("canvas_width", c_int),
                ("canvas_height", c_int), ("canvas_offset_x", c_int),
                ("canvas_offset_y", c_int), ("mirror", c_int), ("max_value_bytes", c_size_t)]


class _Finding(Structure):
    _fields_ = [("text", c_char_p), ("subject", c_char_p), ("kind", c_char_p),
                ("field_index", c_int), ("field_name", c_char_p), ("file", c_char_p),
                ("line", c_int), ("column", c_int), ("detail", c_char_p)]


_FINDING_FUNC = CFUNCTYPE(None, c_void_p, POINTER(_Finding))


class _CheckOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("dpi", c_int), ("safe_mm", c_double),
                ("asset_dir", c_char_p), ("max_value_bytes", c_size_t),
                ("max_image_pixels", c_uint64), ("finding", _FINDING_FUNC),
                ("finding_data", c_void_p)]


def _declare(lib):
    signatures = {
        "cr_version": (c_char_p, []),
        "cr_engine_options_init": (None, [POINTER(_EngineOptions)]),
        "cr_engine_create": (c_void_p, [POINTER(_EngineOptions), POINTER(_CError)]),
        "cr_engine_destroy": (None, [c_void_p]),
        "cr_template_load_file": (c_void_p, [c_void_p, c_char_p, POINTER(_CError)]),
        "cr_template_destroy": (None, [c_void_p]),
        "cr_record_create": (c_void_p, [c_char_p, POINTER(_CError)]),
        "cr_record_set": (c_int, [c_void_p, c_char_p, c_char_p, POINTER(_CError)]),
        "cr_record_set_image": (c_int, [c_void_p, c_char_p, c_void_p, c_size_t,
                                        POINTER(_CError)]),
        "cr_record_destroy": (None, [c_void_p]),
        "cr_render_options_init": (None, [POINTER(_RenderOptions)]),
        "cr_render": (c_void_p, [c_void_p, c_void_p, c_void_p, POINTER(_RenderOptions),
                                 POINTER(_CError)]),
        "cr_image_write_png_memory": (c_int, [c_void_p, POINTER(POINTER(c_uint8)),
                                              POINTER(c_size_t), POINTER(_CError)]),
        "cr_image_destroy": (None, [c_void_p]),
        "cr_free": (None, [c_void_p]),
        "cr_check_options_init": (None, [POINTER(_CheckOptions)]),
        "cr_check": (c_int, [c_void_p, c_void_p, c_void_p, POINTER(_CheckOptions),
                             POINTER(c_size_t), POINTER(_CError)]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype = result
        function.argtypes = arguments


def _check_layouts(lib):
    for struct, init in ((_EngineOptions, lib.cr_engine_options_init),
                         (_RenderOptions, lib.cr_render_options_init),
                         (_CheckOptions, lib.cr_check_options_init)):
        probe = struct()
        init(byref(probe))
        if probe.struct_size != ctypes.sizeof(struct):
            raise ImportError("cardrender: %s is %d bytes in the library, %d in this binding: "
                              "the binding does not match the library"
                              % (struct.__name__, probe.struct_size, ctypes.sizeof(struct)))


library_path = _find_library()
_lib = ctypes.CDLL(library_path)  # CDLL: every call releases the GIL
_declare(_lib)
_check_layouts(_lib)

__version__ = _lib.cr_version().decode()


def _text(raw):
    return raw.decode("utf-8", "replace") if raw else ""


def _raise(err):
    raise Error(_text(err.message), path=_text(err.file) or None,
                line=err.line if err.line > 0 else None,
                column=err.column if err.column > 0 else None,
                field=_text(err.field_name) or None, code=err.code)


def _utf8(value, what):
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    return value.encode("utf-8", "surrogatepass")


class _Record:
    """A record in the library's memory, made from a dict and image bytes."""

    def __init__(self, values, images):
        err = _CError()
        self.handle = _lib.cr_record_create(b"<record>", byref(err))
        if not self.handle:
            _raise(err)
        try:
            for key, value in (values or {}).items():
                if _lib.cr_record_set(self.handle, _utf8(key, "a record key"),
                                      _utf8(value, "record value %r" % key), byref(err)):
                    _raise(err)
            for key, data in (images or {}).items():
                data = bytes(data)
                if _lib.cr_record_set_image(self.handle, _utf8(key, "an image key"), data,
                                            len(data), byref(err)):
                    _raise(err)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.handle:
            _lib.cr_record_destroy(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Engine:
    """Fonts and caches, made once and shared by every template and thread.
    font_manifest names the font manifest; None means $CARDRENDER_FONT_MANIFEST,
    else the installed one (from a checkout's build tree: the checkout's)."""

    def __init__(self, font_manifest=None):
        self._handle = None
        if font_manifest is None and library_path == _BUILD_LIBRARY and \
                not os.environ.get("CARDRENDER_FONT_MANIFEST"):
            font_manifest = _CHECKOUT_MANIFEST
        options = _EngineOptions()
        _lib.cr_engine_options_init(byref(options))
        if font_manifest is not None:
            options.font_manifest_path = os.fsencode(font_manifest)
        err = _CError()
        self._handle = _lib.cr_engine_create(byref(options), byref(err))
        if not self._handle:
            _raise(err)

    def load_template(self, path):
        """Loads and validates a template; raises Error naming the file, line
        and column of a mistake."""
        err = _CError()
        handle = _lib.cr_template_load_file(self._handle, os.fsencode(path), byref(err))
        if not handle:
            _raise(err)
        return Template(self, handle)

    def close(self):
        if self._handle:
            _lib.cr_engine_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()


class Template:
    """A loaded template: immutable, safe to render from many threads."""

    def __init__(self, engine, handle):
        self._engine = engine  # the library holds its own reference too
        self._handle = handle

    def render(self, record, *, images=None, dpi=None, assets=None):
        """The card as PNG bytes, byte-identical to `cardrender render` of the
        same record (images: record key -> JPEG or PNG bytes, used instead of
        the photo files the record names; assets: the folder photo paths are
        read against)."""
        options = _RenderOptions()
        _lib.cr_render_options_init(byref(options))
        options.dpi = dpi or 0
        if assets is not None:
            options.asset_dir = os.fsencode(assets)
        err = _CError()
        with _Record(record, images) as rec:
            image = _lib.cr_render(self._engine._handle, self._handle, rec.handle,
                                   byref(options), byref(err))
        if not image:
            _raise(err)
        try:
            data = POINTER(c_uint8)()
            size = c_size_t()
            if _lib.cr_image_write_png_memory(image, byref(data), byref(size), byref(err)):
                _raise(err)
            try:
                return ctypes.string_at(data, size.value)
            finally:
                _lib.cr_free(data)
        finally:
            _lib.cr_image_destroy(image)

    def check(self, record, *, images=None):
        """The findings `cardrender check` prints for this template and record,
        one string each (the template's own first, then the record's, which
        start with "<record>"), without the summary line."""
        lines = []

        @_FINDING_FUNC
        def collect(_data, finding):
            lines.append(_text(finding.contents.text))

        options = _CheckOptions()
        _lib.cr_check_options_init(byref(options))
        options.finding = collect
        err = _CError()
        with _Record(record, images) as rec:
            for subject in (None, rec.handle):
                if _lib.cr_check(self._engine._handle, self._handle, subject, byref(options),
                                 None, byref(err)):
                    _raise(err)
        return lines

    def close(self):
        if self._handle:
            _lib.cr_template_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()
