"""Errors the command line maps to exit codes.

`InputError` (exit 2) carries every problem found in the inputs at once, each naming the
file, row, column and what is wrong, so an analyst can fix a dataset in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in an input file.

    `row` is the line number in the file as a text editor shows it (the header is line 1),
    or None when the problem concerns the whole file or a column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InputError(Exception):
    """The inputs (dataset, scenario or command-line arguments) are invalid."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__(self.report())

    def report(self) -> str:
        """All issues, one a line, with a count."""
        lines = [f"{len(self.issues)} problem(s) in the inputs:"]
        lines += [f"  - {issue}" for issue in self.issues]
        return "\n".join(lines)


class SolverError(Exception):
    """HiGHS failed in a way that is not a property of the scenario (e.g. an option error)."""
