"""Record keys: which columns identify records, how HubSpot compares their values, and sets of
keys seen so far whose memory grows with the number of distinct keys, never with the file.

A key is a cell normalised the way HubSpot compares it (email case-insensitive, domain reduced
to its host) and hashed to a 64-bit integer (12-32 bytes per distinct key with its first row).
Two different keys collide with odds of about n²/2⁶⁵: one in 37 million for a million keys.

One run hashes every key the same way: with pandas' hash, or, for imports large enough that
it pays (``hashing(fast=True)``, chosen by the engine), with a hash of the UTF-8 bytes about four
times faster per cell: the native kernels' XXH64 (``validator.native``), else polars'.

One module per part: ``columns`` (identifier columns and the normalisers), ``hashers`` (hashing
keys and rows: pandas, the native kernels or polars), ``keying`` (a chunk's cells and list parts
as keys, computed once per chunk), ``sets`` (KeySet, FirstRows) and ``batches`` (findings about keys). Callers use
them as ``validator.keys.X``: this package names each one here (the functions themselves, so a
call costs what it did).
"""

from __future__ import annotations

from validator.keys.batches import KeyBatch, StoredBatch, key_batch, stored_batch
from validator.keys.columns import _SCHEME as _SCHEME
from validator.keys.columns import (
    COMMON_COLUMN,
    NOT_KEYS,
    RECORD_ID,
    domain_key,
    id_kind,
    is_foreign,
    normaliser,
    record_id_key,
)
from validator.keys.hashers import _polars as _polars
from validator.keys.hashers import _polars_hash as _polars_hash
from validator.keys.hashers import hashes, hashing, record_hasher, row_hashes
from validator.keys.keying import (
    address_lists,
    cell_keys,
    first_seen,
    part_keys,
    repeated_parts,
    shared_set,
    split_list,
    split_quoted,
)
from validator.keys.sets import FirstRows, KeySet
from validator.keys.sets import _distinct as _distinct

__all__ = [
    "COMMON_COLUMN", "NOT_KEYS", "RECORD_ID", "FirstRows", "KeyBatch", "KeySet", "StoredBatch",
    "address_lists", "cell_keys", "domain_key", "first_seen", "hashes", "hashing", "id_kind",
    "is_foreign", "key_batch", "normaliser", "part_keys", "record_hasher", "record_id_key",
    "repeated_parts", "row_hashes", "shared_set", "split_list", "split_quoted", "stored_batch",
]
