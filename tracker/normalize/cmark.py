"""Markdown → HTML with the cmark-gfm C library, freeing what each call allocates.

``cmarkgfm.github_flavored_markdown_to_html`` (2025.10.22) never frees the document tree nor the
rendered HTML string of a call (~150 KB lost per 4.5 KB card). :func:`render_html` makes the same
sequence of cmark calls (options, extensions attached by name) followed by ``cmark_node_free`` and
``free``, which the shared library exports but the wrapper's cffi module does not declare; they are
called through ctypes. Where the symbols cannot be found the memory is left to the wrapper's ways.

Used to read markdown posts and cards (:mod:`tracker.normalize.articles`: ~30× faster than the pure
Python parser it replaced) and to render descriptions on the site (:mod:`tracker.site.gfm`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence
from typing import Any

from cmarkgfm import cmark


def _frees() -> tuple[Any, Any] | None:
    try:
        library = ctypes.CDLL(cmark._cmark.__file__)
        node_free = library.cmark_node_free
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        free = libc.free
    except (OSError, AttributeError):
        return None
    node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
    free.argtypes, free.restype = [ctypes.c_void_p], None
    return node_free, free


_FREES = _frees()


def frees() -> bool:
    """Whether :func:`render_html` frees what cmark allocates (the library's free functions were found)."""
    return _FREES is not None


def render_html(text: str, *, options: int, extensions: Sequence[str]) -> str:
    """``text`` rendered by cmark with ``options`` (``cmarkgfm.cmark.Options`` flags) and the named
    syntax extensions (``table``, ``strikethrough``, ``autolink``, ``tagfilter``, ``tasklist``)."""
    lib, ffi = cmark._cmark.lib, cmark._cmark.ffi
    cmark.core_extensions_ensure_registered()
    parser = lib.cmark_parser_new(options)
    try:
        for name in extensions:
            extension = lib.cmark_find_syntax_extension(name.encode())
            if extension == ffi.NULL:
                raise ValueError(f"unknown cmark extension {name}")
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        data = text.encode("utf-8")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        if root == ffi.NULL:
            raise ValueError("cmark could not parse the markdown")
        try:
            raw = lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(raw).decode("utf-8")
            finally:
                if _FREES is not None:
                    _FREES[1](int(ffi.cast("uintptr_t", raw)))
        finally:
            if _FREES is not None:
                _FREES[0](int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)
