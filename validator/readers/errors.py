"""The refusal every reader raises; kept free of heavy imports so that the workbook pre-checks
(``xlsx_scan``) can run before pandas is loaded (``xlsx_prefetch``)."""

from __future__ import annotations


class Refused(Exception):
    """An input no trustworthy row-level view can be built of (bomb, encrypted, over limits)."""

    def __init__(self, reason: str, code: str = "refused"):
        super().__init__(reason)
        self.code = code
