"""The native kernels: ``_preflight_native``, a C module built from ``native/preflight_native.c``
when the package is installed where a C compiler is at hand (optional: an install without one
goes on without it). ``kernels`` is the module, or None where it is missing, could not be loaded,
or is turned off with ``HUBSPOT_PREFLIGHT_NATIVE=0``; each caller then does the same work
another way (numpy, polars or pandas), with the same findings.

The kernels work on Arrow buffers as numpy arrays (``readers.text.bytes_and_offsets``) and
release the interpreter's lock while they run:

- ``hash_values(data, offsets, out, seed)``: XXH64 of each value's bytes (``keys.hashers``).
"""

from __future__ import annotations

import os
from typing import Any

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
