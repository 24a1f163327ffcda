"""GitHub-flavoured markdown → HTML with cmark-gfm, without its wrapper's memory leak.

``cmarkgfm.github_flavored_markdown_to_html`` (2025.10.22) never frees the document tree nor the
rendered HTML string of a call: ~150 KB lost per 4.5 KB card, so the site's page workers grew
by ~30 KB per model page (1.8 GiB each at 100,000 models). This is the same sequence of cmark calls
(same options, same extensions, hence the same HTML), followed by ``cmark_node_free`` and ``free``,
which the shared library exports but the wrapper's cffi module does not declare; they are called
through ctypes. Where the symbols cannot be found the wrapper is used as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

import cmarkgfm
from cmarkgfm import cmark
from cmarkgfm.cmark import Options

EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")


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


def github_markdown_to_html(text: str, options: int = 0) -> str:
    """What ``cmarkgfm.github_flavored_markdown_to_html(text, options)`` returns, freeing what it allocates."""
    if _FREES is None:
        return cmarkgfm.github_flavored_markdown_to_html(text, options=options)
    node_free, free = _FREES
    lib, ffi = cmark._cmark.lib, cmark._cmark.ffi
    options |= Options.CMARK_OPT_GITHUB_PRE_LANG
    cmark.core_extensions_ensure_registered()
    parser = lib.cmark_parser_new(options)
    try:
        for name in EXTENSIONS:
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
                free(int(ffi.cast("uintptr_t", raw)))
        finally:
            node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)
