"""Tool-level findings (HS9xx): about the tool's own inputs (baselines, settings), not the import."""

from __future__ import annotations

from validator.checks.base import Rule
from validator.findings import Severity


class StaleBaselineEntry(Rule):
    """A baseline entry accepts a finding that no longer occurs.

    Why: a baseline that keeps entries for fixed records slowly turns into a list of exceptions
    nobody can review, and an entry for a record that comes back would silently hide it again
    (ruff's RUF100 and sqlfluff's --warn-unused-ignores report unused suppressions for the same
    reason). Entries are matched by import, file, rule code and record key, so only a fixed
    record, a changed key (a new email), or a changed row (for rows keyed by a hash of their
    cells) makes an entry stale; re-sorting the file does not.
    Example: the baseline accepts HS110 for `email:bo@example.org`, and Bo's row was fixed.
    Fix: rewrite the baseline with `--write-baseline`, or delete the entry.
    """

    code = "HS901"
    name = "stale-baseline-entry"
    severity = Severity.WARNING
    hint = "rewrite the baseline with --write-baseline, or delete the entry"


class StaleRecordIgnore(Rule):
    """An ignore-records entry of the settings turns off a finding that no longer occurs.

    Why: an entry left behind for a record that was fixed would silently hide the problem when
    the record comes back, and a list of entries nobody can tell apart from the live ones is
    never reviewed (ruff's RUF100 and sqlfluff's --warn-unused-ignores report unused
    suppressions for the same reason). An entry is matched by rule, record key (and file glob
    and column, where it gives them), so only a fixed record or a changed key makes it stale;
    an entry of a rule that did not run on any file it names is not called stale.
    Example: `ignore-records = [{ rule = "HS110", key = "email:bo@example.org" }]`, and Bo's row
    was fixed.
    Fix: delete the entry from the settings file.
    """

    code = "HS902"
    name = "stale-record-ignore"
    severity = Severity.WARNING
    hint = "delete the entry from ignore-records"
