"""The native kernels: ``_preflight_native``, a C module built from ``native/preflight_native.c``
when the package is installed where a C compiler is at hand (optional: an install without one
goes on without it). ``kernels`` is the module, or None where it is missing, could not be loaded,
or is turned off with ``HUBSPOT_PREFLIGHT_NATIVE=0``; each caller then does the same work
another way (numpy, polars or pandas), with the same findings.

The kernels work on Arrow buffers as numpy arrays (``readers.text.bytes_and_offsets``) and
release the interpreter's lock while they run:

- ``hash_values``: XXH64 of each value's bytes (``keys.hashers``);
- ``key_values``: email and text keys trimmed, lower-cased and hashed (``keys.keying``);
- ``table_add``, ``table_find``: key sets as hash tables (``keys.sets``);
- ``screen_values``: a column's byte screen (``checks._facts``);
- ``email_values``: the ASCII email grammar (``formats.text``);
- ``class_values``: cells made of given bytes by place (``formats.arrays``).

Each is held to the code it replaces by a property in ``tests/test_native.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from validator.readers.text import bytes_and_offsets

ENV = "HUBSPOT_PREFLIGHT_NATIVE"


def _load() -> Any:
    if os.environ.get(ENV, "").strip().lower() in ("0", "no", "false", "off"):
        return None
    try:
        import _preflight_native
    except ImportError:  # (not built: no compiler at install, or a checkout run without installing)
        return None
    return _preflight_native


kernels: Any = _load()


def buffers(arr: pa.Array | pa.ChunkedArray | list[pa.Array]) -> Iterator[tuple[np.ndarray, np.ndarray, slice]]:
    """For each piece of a string or binary array (its chunks, or the arrays of a list, end to
    end): its bytes and offsets as a kernel takes them (``bytes_and_offsets``), and the slice of
    the whole that its values are, for the kernel's output."""
    at = 0
    for piece in arr.chunks if isinstance(arr, pa.ChunkedArray) else arr if isinstance(arr, list) else [arr]:
        data, offsets = bytes_and_offsets(piece)
        yield data, offsets, slice(at, at + len(piece))
        at += len(piece)
