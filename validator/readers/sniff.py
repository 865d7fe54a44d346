"""What a file really is, from its first bytes: container magic, byte order marks, text or binary.

Readers record structure; nothing here decides what is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 64 * 1024

# (magic, kind, description). Order matters: longer magics first.
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", "an OLE2 compound file (legacy .xls or an encrypted workbook)"),
    (b"PK\x03\x04", "zip", "a ZIP container (.xlsx)"),
    (b"PK\x05\x06", "zip", "an empty ZIP container"),
    (b"\x1f\x8b", "gzip", "a gzip-compressed file"),
    (b"%PDF-", "pdf", "a PDF document"),
    (b"\x89PNG", "png", "a PNG image"),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image"),
    (b"BZh", "bzip2", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "xz", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "a 7-Zip archive"),
    (b"Rar!", "rar", "a RAR archive"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

TEXT_KINDS = frozenset({"text", "empty"})


@dataclass(frozen=True, slots=True)
class Sniff:
    kind: str  # text | empty | zip | ole | gzip | pdf | ... | binary
    description: str
    bom: bytes = b""
    bom_encoding: str | None = None  # encoding named by the BOM
    nul_pattern: str | None = None  # "utf-16-le" / "utf-16-be" when NULs alternate (UTF-16 without BOM)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def format(self) -> str | None:
        """The HubSpot fileFormat this content is, or None if HubSpot takes neither."""
        if self.kind in TEXT_KINDS:
            return "CSV"
        if self.kind in ("zip", "ole"):
            return "SPREADSHEET"
        return None


def sniff(head: bytes) -> Sniff:
    """Classify a file by its first bytes (pass at least a few KB for text heuristics)."""
    if not head:
        return Sniff("empty", "an empty file")
    for magic, kind, description in MAGIC:
        if head.startswith(magic):
            return Sniff(kind, description)
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return Sniff("text", f"{encoding.upper()} text with a byte order mark", bom, encoding)
    pattern = _utf16_without_bom(head)
    if pattern:
        return Sniff("text", f"{pattern.upper()} text without a byte order mark", nul_pattern=pattern)
    if _looks_binary(head):
        return Sniff("binary", "binary data, not text")
    return Sniff("text", "text")


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    sample = head[:8192]
    if sample.count(0) > len(sample) // 10:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32) if sample else 0
    return controls > len(sample) // 5
