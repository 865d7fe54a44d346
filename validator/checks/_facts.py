"""Facts about a chunk's columns that several rules need, computed once per chunk.

Not a rule family. Each fact is computed from the column's Arrow buffers where the column is
Arrow-backed (no per-cell Python), through pandas' string methods where it is Python-stored (a
column holding undecodable bytes), and kept in the per-chunk memo of ``checks.typed.cached``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from validator.checks.typed import cached
from validator.readers.base import Chunk

_CR, _LF = 13, 10


def arrow_column(series: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow storage of an Arrow-backed string column without nulls; None otherwise."""
    data = getattr(series.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray) or data.null_count:
        return None
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    return data


def _data_and_offsets(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes of the values, value offsets into those bytes, rebased to 0)."""
    kind = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=kind)[arr.offset: arr.offset + len(arr) + 1].astype(np.int64)
    start, end = (int(offsets[0]), int(offsets[-1])) if len(offsets) else (0, 0)
    data = np.frombuffer(bufs[2], dtype=np.uint8)[start:end] if bufs[2] is not None and end > start \
        else np.empty(0, np.uint8)
    return data, offsets - start


def _breaks_in(arr: pa.Array) -> tuple[int, int, int]:
    """(CRLF, LF, CR) counts inside the values of one Arrow string array (per value, summed)."""
    data, offsets = _data_and_offsets(arr)
    if not len(data):
        return 0, 0, 0
    lf = data == _LF
    cr = data == _CR
    n_lf, n_cr = int(np.count_nonzero(lf)), int(np.count_nonzero(cr))
    if not n_lf or not n_cr:
        return 0, n_lf, n_cr
    pair = cr[:-1] & lf[1:]  # pair[i]: CR at i, LF at i + 1
    crlf = int(np.count_nonzero(pair))
    if crlf:  # a CR ending one value and a LF starting the next are not a CRLF inside a value
        inner = np.unique(offsets[1:-1])
        inner = inner[(inner > 0) & (inner < len(data))]
        crlf -= int(np.count_nonzero(pair[inner - 1]))
    return crlf, n_lf - crlf, n_cr - crlf


def line_breaks(chunk: Chunk) -> dict[str, int]:
    """Line breaks inside the chunk's cells, by kind (a CRLF counts once, as CRLF)."""
    return cached(chunk, ("line-breaks",), lambda: _line_breaks(chunk))


def _line_breaks(chunk: Chunk) -> dict[str, int]:
    out = {"\r\n": 0, "\n": 0, "\r": 0}
    for i in range(chunk.frame.shape[1]):
        s = chunk.frame[i]
        data = arrow_column(s)
        if data is not None:
            for piece in data.chunks:
                crlf, lf, cr = _breaks_in(piece)
                out["\r\n"] += crlf
                out["\n"] += lf
                out["\r"] += cr
            continue
        crlf = int(s.str.count("\r\n").sum())
        out["\r\n"] += crlf
        out["\n"] += int(s.str.count("\n").sum()) - crlf
        out["\r"] += int(s.str.count("\r").sum()) - crlf
    return out
