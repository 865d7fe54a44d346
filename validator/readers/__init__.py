"""Readers: bytes -> Header + Chunks. ``dispatch.open_reader`` picks one for a file.

The names below load ``readers.base`` (and with it pandas) on first use only, so that a light
submodule (``errors``, ``xlsx_scan``, ``xlsx_prefetch``) can be imported before pandas is."""

from typing import Any

__all__ = ["Chunk", "Header", "Reader", "ReaderNotes", "Refused", "RowNote"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from validator.readers import base

        return getattr(base, name)
    raise AttributeError(f"module 'validator.readers' has no attribute {name!r}")
