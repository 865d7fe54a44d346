"""An email repeated in another Unicode normalization form (HS325): `josé@x.com` with the `é`
as one character (U+00E9, NFC) in one row and as `e` and a combining accent (U+0301, NFD, as
macOS file names and some exports write it) in another. The two look the same but their bytes
differ, so the duplicate rules, which compare bytes without regard to case, pass them.

Only a cell that is not in NFC form can meet another cell this way, and only a cell holding a
non-ASCII byte can be one: a chunk of the column without such a byte costs a look at its byte
screen, and a file with no cell out of NFC form no more than that. The cells out of NFC form
are keyed by their NFC form, hashed as the duplicate rules hash a cell (``cell_keys``), in a
KeySet of their own; the cells in NFC form are the duplicate rules' shared set already. Both
sets of a file are kept for the later files of its object (as HS324 keeps the shared one), and
a later file's cells looked up in them the same way; the byte screen still skips a chunk
without a non-ASCII byte where no file of the object so far has a cell out of NFC form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator.checks._facts import screen
from validator.checks._key_forms import unusable
from validator.checks.base import Hit, quote
from validator.checks.identity import _compared, _Duplicates
from validator.checks.typed import cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import KeySet, cell_keys, first_seen, hashes, key_batch, shared_set
from validator.keys.columns import normaliser
from validator.readers.base import Chunk
from validator.readers.text import bytes_and_offsets, cells_at


class EmailInTwoUnicodeForms(_Duplicates):
    """An email is another row's email written in another Unicode normalization form.

    Why: `josé@x.com` can be written with `é` as one character (U+00E9, NFC) or as `e` and a
    combining accent (U+0301, NFD, as macOS and some exports write it). The two look the same
    but their bytes differ, so HS301 does not call them duplicates; whether HubSpot normalizes
    addresses before it compares them is not documented ([GAP], fact sheet 6), so the import
    may make two contacts of one person, or fail one row with DUPLICATE_ALTERNATE_ID: a warning.
    Compared are the NFC forms, without regard to case (as HS301 compares); the later row is
    reported, naming the earlier one. Several files of one object are compared too, as HS324
    compares them: a row with no such earlier row in its own file is reported naming the first
    earlier file's row. A cell that repeats another byte for byte is HS301's (HS324's, in an
    earlier file).
    Example: `jos\\u00e9@x.com` in row 2 and `jose\\u0301@x.com` in row 7, or in row 3 of a
    later contacts file.
    Fix: write both in one form (NFC, which most systems use), and merge the rows if they are
    one contact.
    """

    code = "HS325"
    name = "email-in-two-unicode-forms"
    severity = Severity.WARNING
    kinds = ("alternate",)
    spans_files = True  # a file's keys are kept for the files after it, even where it is ignored

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.odd: dict[int, KeySet] = {}  # per column: NFC keys of the cells out of NFC form
        # per object: the files read so far, with their shared set and their cells out of NFC form
        self.earlier: dict[str, list[tuple[str, KeySet, KeySet]]] = {}

    def keyed(self, file: FileContext, column: Column) -> bool:
        return column.spec is not None and column.spec.property_name == "email"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        yield from super().on_header(file)
        self.odd = {i: KeySet() for i in self.sets}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.sets.values():
            odd_set = self.odd[column.index]
            others = self.earlier.get(_object(column), [])
            if (not len(odd_set) and not any(len(odd) for _, _, odd in others)
                    and not any(b >= MAY_COMPOSE for b in screen(chunk, column.index).present)):
                continue  # no cell out of NFC form so far, and none in this chunk
            pos, first = first_seen(chunk, file, column, prop)  # the shared set holds this chunk
            written = cell_keys(chunk, column, prop)[1]
            keys = written.copy()
            rows = chunk.rows[pos]
            odd = out_of_nfc(cells(chunk, column), pos)
            earlier = np.full(len(pos), np.iinfo(np.int64).max, np.int64)
            at = np.flatnonzero(odd[0])
            if len(at):
                keys[at] = hashes(normaliser(prop)(odd[1].to_pandas().astype(object)))
                found, row = shared_set(file, column, prop).first_rows(keys[at])  # cells in NFC form
                earlier[at[found]] = row[found]
                earlier[at] = np.minimum(earlier[at], odd_set.add(keys[at], rows[at]))
            if len(odd_set):  # each cell's key (its NFC form's) among the cells out of NFC form
                found, row = odd_set.first_rows(keys)
                earlier[found] = np.minimum(earlier[found], row[found])
            fresh = first == rows  # a repeat byte for byte is HS301's
            yield from self._batch(chunk, file, column, prop, pos, (earlier < rows) & fresh, earlier, _message)
            left = fresh & (earlier >= rows)
            if others:  # not a byte repeat of an earlier file's cell either: that is HS324's
                left &= ~np.logical_or.reduce([shared.first_rows(written)[0] for _, shared, _ in others])
            for name, shared, odd_keys in others:
                found, row = odd_keys.first_rows(keys)  # its NFC form among that file's cells out of NFC form
                row[~found] = np.iinfo(np.int64).max
                in_nfc, nfc_row = shared.first_rows(keys[at])  # one out of NFC form: its NFC form, in that file
                row[at[in_nfc]] = np.minimum(row[at[in_nfc]], nfc_row[in_nfc])
                found[at[in_nfc]] = True
                found &= left
                left &= ~found
                yield from self._batch(chunk, file, column, prop, pos, found, row, _in_file(name))

    def _batch(self, chunk: Chunk, file: FileContext, column: Column, prop: str | None, pos: np.ndarray,
               found: np.ndarray, rows: np.ndarray, describe: Callable[[str, int], str]) -> Iterator[Hit]:
        """The findings at the chunk's key positions ``found``, each naming its row of ``rows``."""
        hit = np.flatnonzero(found)
        if len(hit):
            hit = np.delete(hit, unusable(prop, chunk.column(column.index).to_numpy(dtype=object)[pos[hit]]))
        if len(hit):  # keyed by the email as compared (its NFC form), whichever row comes later
            yield key_batch(self, chunk, file, column, pos[hit], rows[hit], describe,
                            keys=_compared(chunk, column, prop, pos[hit], nfc=True))

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.sets.values():
            self.earlier.setdefault(_object(column), []).append(
                (file.name, shared_set(file, column, prop), self.odd[column.index]))
        self.odd = {}
        yield from super().on_file_end(file)


def _object(column: Column) -> str:
    """The object a keyed column imports (the only one of its file: ``_Duplicates``)."""
    return (column.spec.object_type_id if column.spec is not None else None) or ""


# A text whose characters are all under U+0300 is in NFC form: none of them decomposes, has a
# combining class or composes with another (checked over Unicode 14's data); in UTF-8 it holds no
# byte from 0xCC (U+0300's lead byte) up. Accented Latin letters (``é``: C3 A9) stay under it.
MAY_COMPOSE = 0xCC


def _composing_cells(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which cells hold a byte from ``MAY_COMPOSE`` up (a character from U+0300 up)."""
    out = [np.zeros(0, bool)]
    for piece in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data, offsets = bytes_and_offsets(piece)
        out.append(cells_at(offsets, np.flatnonzero(data >= MAY_COMPOSE)))
    return np.concatenate(out)


def out_of_nfc(arr: pa.Array | pa.ChunkedArray, pos: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """(which of the cells at ``pos`` are not in NFC form, the NFC forms of those): only the
    cells holding a character from U+0300 up are normalized (``MAY_COMPOSE``)."""
    odd = np.zeros(len(pos), bool)
    wide = np.flatnonzero(_composing_cells(arr)[pos])
    if not len(wide):
        return odd, pa.array([], pa.string())
    texts = pc.take(arr, pa.array(pos[wide]))
    nfc = pc.utf8_normalize(texts, "NFC")
    changed = np.flatnonzero(~np.asarray(pc.equal(nfc, texts).to_numpy(zero_copy_only=False), dtype=bool))
    odd[wide[changed]] = True
    return odd, pc.take(nfc, pa.array(changed))


def _message(value: str, row: int, where: str = "") -> str:
    return (f"{quote(value)} is the email of row {row}{where} in another Unicode form (an accent as its own "
            "character, or a letter written two ways): they look alike but their bytes differ; whether "
            "HubSpot takes them as one address is not documented")


def _in_file(name: str) -> Callable[[str, int], str]:
    return lambda value, row: _message(value, row, f" of {name}, which imports the same object,")
