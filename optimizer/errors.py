"""Errors, and how the command line reports them: log lines on standard error and exit codes.

`InputError` (exit 2) carries every problem found in the inputs at once, each naming the
file, row, column and what is wrong, so an analyst can fix a dataset in one pass. `command`
is the one place where an error becomes an exit code, for every command.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("optimizer")
BAD_INPUT = 2  # the exit code of bad input or usage (0: done, 1: a solve ended without an optimum)


@dataclass(frozen=True)
class Issue:
    """One problem in an input file.

    `row` is the line number in the file as a text editor shows it (the header of a CSV file is
    line 1), or None when the problem concerns the whole file or a column. In a TOML file
    (scenario, sweep, dataset.toml) `column` holds the key, dotted (`emissions.cap`), and the
    issue reads "line 7, key 'emissions.cap'".
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        toml = self.file.endswith(".toml")
        where = self.file
        if self.row is not None:
            where += f", {'line' if toml else 'row'} {self.row}"
        if self.column:
            where += f", {'key' if toml else 'column'} '{self.column}'"
        return f"{where}: {self.message}"


class InputError(Exception):
    """The inputs (dataset, scenario or command-line arguments) are invalid."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__(self.report())

    def report(self) -> str:
        """All issues, one a line, with a count."""
        lines = [f"{plural(len(self.issues), 'problem')} in the inputs:"]
        lines += [f"  - {issue}" for issue in self.issues]
        return "\n".join(lines)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 problem', '3 problems', '1 region'.

    >>> plural(1, "problem"), plural(3, "problem"), plural(0, "technology", "technologies")
    ('1 problem', '3 problems', '0 technologies')
    """
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


class SolverError(Exception):
    """HiGHS failed in a way that is not a property of the scenario (e.g. an option error)."""


Handler = Callable[[argparse.Namespace], int]


def command(handler: Handler) -> Handler:
    """A command-line command: `handler(args)` returns the exit code (0 done, 1 no optimum).

    Bad input (`InputError`, every problem listed) and a file or folder that cannot be read or
    written (`OSError`, such as a folder that is not a run folder) are logged and give exit code 2.
    """

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except InputError as error:
            log.error("%s", error.report())
        except OSError as error:
            if error.filename:
                log.error("cannot read or write %s: %s", error.filename, error.strerror or error)
            else:
                log.error("%s", error)
        return BAD_INPUT

    return run


def log_to_console(quiet: bool = False) -> None:
    """Send log messages to standard error, one a line: errors only if `quiet`; Pyomo's warnings."""
    level = logging.ERROR if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    logging.getLogger("pyomo").setLevel(logging.WARNING)
