"""Reading TOML files (scenarios, sweeps, dataset.toml) with messages that point at the fix:
the line of each key, a "did you mean" for a misspelt key, and the files nearby when a file is
missing."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from optimizer.errors import InputError, Issue


def toml_line(text: str, key: str) -> int | None:
    """The line (1-based) of `key` in a TOML document, or None when it cannot be found.

    `key` is dotted as in the messages: `name`, `emissions.cap`, `override[2].where`,
    `years.stp` (a key of an inline table is found on its table's line).

    >>> toml_line('name = "x"\\nyears = { start = 2025, stp = 5 }\\n[emissions]\\ncpa = 4', "emissions.cpa")
    4
    >>> toml_line('[[override]]\\ntable = "a"\\n[[override]]\\ncolumn = "b"', "override[2].column")
    4
    >>> toml_line('years = { start = 2025, stp = 5 }', "years.stp")
    1
    """
    parts = re.findall(r"([^.\[\]]+)(?:\[(\d+)\])?", key)
    if not parts:
        return None
    *tables, (leaf, _) = parts
    wanted = ".".join(name for name, _ in tables)
    occurrence = int(tables[-1][1]) if tables and tables[-1][1] else 1
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
    assignment = re.compile(rf"^\s*[\"']?{re.escape(leaf)}[\"']?\s*=")
    current, seen, inline = "", {"": 1}, None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = header.match(line)
        if match:
            current = match.group(1)
            seen[current] = seen.get(current, 0) + 1
            continue
        here = current == wanted and seen.get(current) == occurrence
        if here and assignment.match(line):
            return number
        if tables and current == "" and re.match(rf"^\s*{re.escape(tables[0][0])}\s*=", line):
            inline = inline or number  # `years = { … }`: the inline table's line
    if inline is not None:
        return inline
    if wanted and not tables[-1][1]:
        for number, line in enumerate(lines, start=1):
            match = header.match(line)
            if match and match.group(1) == wanted:
                return number
    return None


def closest_match(word: str, choices: object) -> str:
    """' Did you mean 'cap'?' when a choice is close to `word`, else ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)  # type: ignore[attr-defined]
    return f"; did you mean '{close[0]}'?" if close else ""


class TomlReader:
    """Collects problems while reading one TOML document; each names the key and its line."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.text = text
        self.issues: list[Issue] = []

    def problem(self, key: str, message: str) -> None:
        self.issues.append(Issue(self.file, message, row=toml_line(self.text, key), column=key))

    def unknown(self, table: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
        for key in sorted(set(table) - allowed):
            hint = closest_match(key, sorted(allowed))
            self.problem(prefix + key, f"unknown key{hint} (allowed: {', '.join(sorted(allowed))})")

    def number(self, table: dict[str, Any], key: str, prefix: str = "") -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(prefix + key, f"must be a number, got {value!r}")
            return None
        return float(value)

    def year_map(self, table: dict[str, Any], key: str) -> dict[int, float] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict) or not value:
            self.problem(f"emissions.{key}", "must be a table of year = value, e.g. { 2060 = 450 }")
            return None
        result: dict[int, float] = {}
        for year, amount in value.items():
            if not str(year).isdigit():
                self.problem(f"emissions.{key}", f"'{year}' is not a year")
            elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
                self.problem(f"emissions.{key}", f"value for {year} must be a number ≥ 0")
            else:
                result[int(year)] = float(amount)
        return result


def closest_files(path: Path, suffix: str) -> list[Path]:
    """Files with `suffix` beside `path` (or in the nearest existing folder above it), the names
    closest to `path`'s first."""
    folder = path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    files = sorted(p for p in folder.glob(f"*{suffix}") if p.is_file())
    score = {p: difflib.SequenceMatcher(None, path.name, p.name).ratio() for p in files}
    return sorted(files, key=lambda p: (-score[p], p.name))


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it lies below it, else as it is."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_toml_text(path: Path, kind: str) -> tuple[dict[str, Any], str]:
    """The parsed TOML document at `path` (absolute) and its text; InputError if it is missing
    (listing the files of that kind nearby, the closest names first) or malformed."""
    if not path.is_file():
        nearby = closest_files(path, path.suffix or ".toml")[:8]
        hint = ""
        if nearby:
            hint = f"; {kind}s in {shown_path(nearby[0].parent)}, closest first: " + ", ".join(p.name for p in nearby)
        raise InputError(Issue(shown_path(path), f"{kind} does not exist{hint}"))
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Issue(path.name, f"not valid TOML: {exc}")) from exc


def read_toml(path: Path, kind: str) -> dict[str, Any]:
    """The parsed TOML document at `path` (absolute); InputError if it is missing or malformed."""
    return read_toml_text(path, kind)[0]
