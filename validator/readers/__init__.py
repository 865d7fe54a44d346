"""Readers: bytes -> Header + Chunks. ``dispatch.open_reader`` picks one for a file."""

from validator.readers.base import Chunk, Header, Reader, ReaderNotes, Refused, RowNote

__all__ = ["Chunk", "Header", "Reader", "ReaderNotes", "Refused", "RowNote"]
