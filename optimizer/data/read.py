"""Read a dataset folder into typed pandas tables, collecting every problem found.

Each returned table keeps a `line` column: the line of the file each row came from, so later
checks can name it. Type and domain problems are reported here; references between tables
are checked in `validate.py`.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.data.schema import TABLES, Column, TableSpec
from optimizer.data.tomlfile import TomlReader, closest_match
from optimizer.errors import InputError, Issue

LINE = "line"
MISSING = "missing_columns"  # DataFrame.attrs key: columns the file lacks

DATASET_KEYS = {"name": str, "description": str, "currency": str, "base_year": int, "pin_base_year": bool}


@dataclass(frozen=True)
class DatasetInfo:
    """The contents of `dataset.toml`."""

    name: str
    currency: str
    base_year: int
    discount_rate: float
    description: str = ""
    pin_base_year: bool = False
    """The base year reproduces what was observed: see `optimizer.model.base_year`."""


def read_dataset_info(folder: Path, issues: list[Issue]) -> DatasetInfo | None:
    """Parse `dataset.toml`; append problems to `issues`."""
    path = folder / "dataset.toml"
    if not path.is_file():
        issues.append(Issue("dataset.toml", f"missing: expected at {path}"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        issues.append(Issue("dataset.toml", f"not valid TOML: {exc}"))
        return None
    reader = TomlReader("dataset.toml", text)
    allowed = {*DATASET_KEYS, "discount_rate"}
    reader.unknown(raw, allowed)
    for key in ("name", "currency", "base_year", "discount_rate"):
        if key not in raw:
            reader.problem(key, "missing key: add it")
    for key, kind in DATASET_KEYS.items():
        if key in raw and (not isinstance(raw[key], kind) or (kind is not bool and isinstance(raw[key], bool))):
            reader.problem(key, f"must be a {kind.__name__}")
    rate = raw.get("discount_rate")
    if rate is not None and (not isinstance(rate, int | float) or not 0 <= rate < 1):
        reader.problem("discount_rate", "must be a number in [0, 1)")
    if reader.issues:
        issues += reader.issues
        return None
    return DatasetInfo(
        name=raw["name"],
        currency=raw["currency"],
        base_year=raw["base_year"],
        discount_rate=float(rate),
        description=raw.get("description", ""),
        pin_base_year=raw.get("pin_base_year", False),
    )


def _coerce(value: str, column: Column) -> tuple[object, str | None]:
    """Convert one cell; return (value, problem or None). Blank cells become None."""
    text = value.strip()
    if text == "":
        if column.required:
            return None, "blank, but a value is required: fill it in (write 0 for zero)"
        return None, None
    if column.type == "str":
        if column.choices and text not in column.choices:
            return None, f"'{text}' is not one of {', '.join(column.choices)} (spelling and case matter)"
        return text, None
    try:
        number = float(text)
    except ValueError:
        return None, f"'{text}' is not a number: write digits with a '.' decimal point, e.g. 12.5"
    if not math.isfinite(number):
        return None, f"'{text}' is not a finite number"
    if column.type == "int":
        if number != int(number):
            return None, f"'{text}' is not a whole number"
        number = int(number)
    problem = domain_problem(number, column)
    return (None, problem) if problem else (number, None)


def domain_problem(number: float, column: Column) -> str | None:
    """What is wrong with a number in `column`'s domain, or None."""
    if column.domain == "nonneg" and number < 0:
        return f"{number:g} is negative; it must be ≥ 0"
    if column.domain == "positive" and number <= 0:
        return f"{number:g} must be > 0"
    if column.domain == "fraction" and not 0 <= number <= 1:
        return f"{number:g} is outside 0–1"
    if column.domain == "positive_fraction" and not 0 < number <= 1:
        return f"{number:g} must be in (0, 1]"
    return None


def read_table(folder: Path, spec: TableSpec, issues: list[Issue]) -> pd.DataFrame:
    """Read one CSV into a typed DataFrame (empty when absent and optional)."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in (*spec.column_names, LINE)})
    path = folder / spec.file
    if not path.is_file():
        if spec.required:
            issues.append(Issue(spec.file, f"required file is missing from {folder}"))
        return empty
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        issues.append(Issue(spec.file, f"cannot be read as CSV: {exc}"))
        return empty
    raw.columns = [str(c).strip() for c in raw.columns]
    for column in spec.columns:
        if not column.in_header and column.name not in raw.columns:
            raw[column.name] = ""  # an optional column added to the contract later: blank
    missing = [c for c in spec.column_names if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in spec.column_names]
    renamed = {name: typo[0] for name in missing if (typo := difflib.get_close_matches(name, unknown, n=1, cutoff=0.6))}
    left = [name for name in missing if name not in renamed]
    spare = [name for name in unknown if name not in renamed.values()]
    for name in left:  # an abbreviation: 'tech' for 'technology'
        short = [u for u in spare if len(u) >= 3 and (name.startswith(u) or u.startswith(name))]
        if short:
            renamed[name] = short[0]
            spare.remove(short[0])
    for name in missing:
        if name in renamed:  # one cause, reported once: the header names the column wrongly
            unknown.remove(renamed[name])
            message = f"missing column: the header has '{renamed[name]}' instead; a typo? rename it to '{name}'"
        else:
            message = "missing column: add it to the header (cells may stay blank if optional)"
        issues.append(Issue(spec.file, message, column=name))
    for name in unknown:
        hint = closest_match(name, spec.column_names)
        issues.append(
            Issue(spec.file, f"unknown column{hint} (the columns are {', '.join(spec.column_names)})", column=name)
        )
    if raw.empty and spec.required:
        issues.append(Issue(spec.file, "table is empty: it needs at least one data row"))
    present = [column for column in spec.columns if column.name not in missing]
    records: dict[str, list[object]] = {c.name: [] for c in spec.columns}
    for position, cells in enumerate(raw[[c.name for c in present]].itertuples(index=False)):
        for column, cell in zip(present, cells, strict=True):
            value, problem = _coerce(cell, column)
            if problem:
                issues.append(Issue(spec.file, problem, row=position + 2, column=column.name))
            records[column.name].append(value)
    for name in missing:  # read the other columns all the same, so their own problems show
        records[name] = [None] * len(raw)
    table = pd.DataFrame(records, dtype=object)
    table[LINE] = range(2, len(raw) + 2)
    for column in spec.columns:
        if column.type == "float":
            table[column.name] = pd.to_numeric(table[column.name], errors="coerce").astype(float)
    table.attrs[MISSING] = tuple(missing)
    if not set(missing) & set(spec.key):
        _check_duplicates(table, spec, issues)
    return table


def missing_columns(table: pd.DataFrame) -> tuple[str, ...]:
    """Columns a table's file lacks (read as blanks): checks that need them are skipped, since
    the missing column is already reported and everything else would follow from it."""
    return tuple(table.attrs.get(MISSING, ()))


def _check_duplicates(table: pd.DataFrame, spec: TableSpec, issues: list[Issue]) -> None:
    if table.empty:
        return
    keys = [tuple("" if v is None or v != v else str(v) for v in row) for row in table[list(spec.key)].to_numpy()]
    first_line: dict[tuple[str, ...], int] = {}
    for line, key in zip(table[LINE], keys, strict=True):
        if key in first_line:
            shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key, strict=True))
            issues.append(
                Issue(spec.file, f"duplicate key ({shown}); first given on row {first_line[key]}", row=int(line))
            )
        else:
            first_line[key] = int(line)


def read_tables(folder: Path, issues: list[Issue]) -> tuple[DatasetInfo | None, dict[str, pd.DataFrame]]:
    """Read `dataset.toml` and every table of the contract, appending problems to `issues`."""
    if not folder.is_dir():
        raise InputError(Issue(str(folder), "dataset folder does not exist"))
    info = read_dataset_info(folder, issues)
    tables = {spec.name: read_table(folder, spec, issues) for spec in TABLES}
    return info, tables
