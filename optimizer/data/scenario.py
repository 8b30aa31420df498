"""Scenario files (TOML): which dataset, which years, which caps and which changes to the data.

A scenario is parsed into a frozen `Scenario`; unknown keys and wrong types are errors that
name the file and the key. `apply_overrides` changes typed tables in place of the CSVs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from optimizer.data.read import LINE, domain_problem
from optimizer.data.schema import SCOPES, TABLES_BY_NAME
from optimizer.data.tomlfile import TomlReader, closest_match, read_toml, read_toml_text, shown_path
from optimizer.errors import InputError, Issue
from optimizer.outputs.folders import name_problem

__all__ = ["Foresight", "Override", "Scenario", "SolverSettings", "TomlReader", "apply_overrides", "load_scenario",
           "read_toml", "read_toml_text"]  # fmt: skip

Operation = Literal["scale", "set", "add"]
SolverMethod = Literal["ipm", "simplex", "choose"]


@dataclass(frozen=True)
class Override:
    """Change `column` of the rows of `table` matching `where` (column = value or list of values)."""

    table: str
    where: dict[str, Any]
    column: str
    operation: Operation
    value: float


@dataclass(frozen=True)
class SolverSettings:
    """How HiGHS is run: `simplex` (dual simplex, the measured default), `ipm` (IPX + crossover) or `choose`."""

    method: SolverMethod = "simplex"
    time_limit: float | None = None
    threads: int = 1


@dataclass(frozen=True)
class Foresight:
    """How far ahead each solve sees (DESIGN §2): `perfect` (the whole horizon at once) or
    `myopic` (overlapping windows of `window` years, each fixing its first milestone)."""

    mode: Literal["perfect", "myopic"] = "perfect"
    window: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every path absolute, every year an int."""

    name: str
    dataset: Path
    start: int
    end: int
    step: int
    scope: str = "direct+indirect"
    tail: int = 1  # calendar years the last milestone stands for (1: itself only)
    discount_rate: float | None = None
    cap: dict[int, float] | None = None
    budget: float | None = None
    carbon_price: dict[int, float] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    solver: SolverSettings = field(default_factory=SolverSettings)
    foresight: Foresight = field(default_factory=Foresight)
    description: str = ""
    path: Path | None = None

    @property
    def years(self) -> tuple[int, ...]:
        """Milestone years: start, start+step, …, and always the end year."""
        years = list(range(self.start, self.end + 1, self.step))
        if years[-1] != self.end:
            years.append(self.end)
        return tuple(years)


_TOP_KEYS = {"name", "dataset", "years", "discount_rate", "emissions", "override", "solver", "foresight", "description"}
_EMISSION_KEYS = {"scope", "cap", "budget", "carbon_price"}
_OVERRIDE_KEYS = {"table", "where", "column", "scale", "set", "add"}
_SOLVER_KEYS = {"method", "time_limit", "threads"}
_FORESIGHT_KEYS = {"mode", "window"}


def _check_dataset(folder: Path, written: str, reader: TomlReader) -> None:
    """The scenario's `dataset` must be a folder: say where it was looked for, and what is near."""
    if folder.is_dir():
        return
    parent = folder.parent
    while not parent.is_dir() and parent != parent.parent:
        parent = parent.parent
    candidates = sorted(p.name for p in parent.iterdir() if p.is_dir() and (p / "dataset.toml").is_file())
    hint = closest_match(folder.name, candidates)
    if not hint and candidates:
        hint = f"; datasets in {shown_path(parent)}: {', '.join(candidates)}"
    reader.problem(
        "dataset",
        f"'{written}' is not a folder: looked for {shown_path(folder)} (the path is relative to the scenario "
        f"file's folder){hint}",
    )


def load_scenario(path: Path | str) -> Scenario:
    """Parse and check a scenario file; raise InputError listing every problem."""
    path = Path(path).resolve()
    raw, text = read_toml_text(path, "scenario file")
    reader = TomlReader(path.name, text)
    reader.unknown(raw, _TOP_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        reader.problem("name", "required: a non-empty string")
    elif problem := name_problem(name):  # it names the results folder: results/<name>/
        reader.problem("name", f"{problem} (it names the results folder)")
    dataset = raw.get("dataset")
    if not isinstance(dataset, str):
        reader.problem("dataset", "required: the dataset folder, relative to this file")
    else:
        _check_dataset((path.parent / dataset).resolve(), dataset, reader)
    start, end, step, tail = _years(raw.get("years"), reader)
    emissions = raw.get("emissions", {})
    if not isinstance(emissions, dict):
        reader.problem("emissions", "must be a table")
        emissions = {}
    reader.unknown(emissions, _EMISSION_KEYS, "emissions.")
    scope = emissions.get("scope", "direct+indirect")
    if scope not in SCOPES:
        reader.problem("emissions.scope", f"must be one of {', '.join(SCOPES)}")
    rate = reader.number(raw, "discount_rate")
    if rate is not None and not 0 <= rate < 1:
        reader.problem("discount_rate", "must be in [0, 1)")
    scenario = Scenario(
        name=name if isinstance(name, str) else "",
        dataset=(path.parent / dataset).resolve() if isinstance(dataset, str) else path.parent,
        start=start,
        end=end,
        step=step,
        tail=tail,
        scope=scope,
        discount_rate=rate,
        cap=reader.year_map(emissions, "cap"),
        budget=reader.number(emissions, "budget", "emissions."),
        carbon_price=reader.year_map(emissions, "carbon_price") or {},
        overrides=_overrides(raw.get("override", []), reader),
        solver=_solver(raw.get("solver", {}), reader),
        foresight=_foresight(raw.get("foresight", {}), reader),
        description=str(raw.get("description", "")),
        path=path,
    )
    for key, path_values in (("emissions.cap", scenario.cap or {}), ("emissions.carbon_price", scenario.carbon_price)):
        for year in path_values:
            if not scenario.start <= year <= scenario.end:
                reader.problem(key, f"year {year} is outside the horizon {scenario.start}–{scenario.end}")
    if reader.issues:
        raise InputError(reader.issues)
    return scenario


def _years(value: Any, reader: TomlReader) -> tuple[int, int, int, int]:
    if not isinstance(value, dict):
        reader.problem("years", "required: { start = 2025, end = 2060, step = 5 }")
        return 2025, 2060, 5, 1
    reader.unknown(value, {"start", "end", "step", "tail"}, "years.")
    numbers = []
    for key, default in (("start", 2025), ("end", 2060), ("step", 5), ("tail", 1)):
        item = value.get(key, default)
        if isinstance(item, bool) or not isinstance(item, int):
            reader.problem(f"years.{key}", f"must be a whole number, got {item!r}")
            item = default
        numbers.append(item)
    start, end, step, tail = numbers
    if step < 1:
        reader.problem("years.step", "must be ≥ 1")
        step = 1
    if tail < 1:
        reader.problem("years.tail", "must be ≥ 1 (calendar years the last milestone stands for)")
        tail = 1
    if end < start:
        reader.problem("years.end", f"{end} is before start {start}")
        end = start
    return start, end, step, tail


def _overrides(value: Any, reader: TomlReader) -> tuple[Override, ...]:
    if not isinstance(value, list):
        reader.problem("override", "must be an array of tables: [[override]]")
        return ()
    result = []
    for number, item in enumerate(value, start=1):
        prefix = f"override[{number}]."
        if not isinstance(item, dict):
            reader.problem(prefix[:-1], "must be a table")
            continue
        reader.unknown(item, _OVERRIDE_KEYS, prefix)
        operations = [op for op in ("scale", "set", "add") if op in item]
        if len(operations) != 1:
            reader.problem(prefix + "scale", "give exactly one of scale, set or add")
            continue
        amount = reader.number(item, operations[0], prefix)
        table, column, where = item.get("table"), item.get("column"), item.get("where", {})
        if table not in TABLES_BY_NAME or not TABLES_BY_NAME[table].has_source:
            reader.problem(prefix + "table", f"'{table}' is not a data table")
            continue
        spec = TABLES_BY_NAME[table]
        numeric = {c.name for c in spec.columns if c.type in ("float", "int")}
        if column not in numeric:
            reader.problem(prefix + "column", f"'{column}' is not a numeric column of {table}")
            continue
        if not isinstance(where, dict) or any(k not in spec.column_names for k in where):
            reader.problem(prefix + "where", f"must map columns of {table} to values")
            continue
        if amount is not None:
            result.append(Override(table, dict(where), column, operations[0], amount))
    return tuple(result)


def _solver(value: Any, reader: TomlReader) -> SolverSettings:
    if not isinstance(value, dict):
        reader.problem("solver", "must be a table")
        return SolverSettings()
    reader.unknown(value, _SOLVER_KEYS, "solver.")
    method = value.get("method", "simplex")
    if method not in ("ipm", "simplex", "choose"):
        reader.problem("solver.method", "must be ipm, simplex or choose")
        method = "simplex"
    time_limit = reader.number(value, "time_limit", "solver.")
    threads = value.get("threads", 1)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        reader.problem("solver.threads", "must be a whole number ≥ 0 (0 = HiGHS decides)")
        threads = 1
    return SolverSettings(method=method, time_limit=time_limit, threads=threads)


def _foresight(value: Any, reader: TomlReader) -> Foresight:
    if not isinstance(value, dict):
        reader.problem("foresight", 'must be a table, e.g. [foresight] mode = "myopic", window = 10')
        return Foresight()
    reader.unknown(value, _FORESIGHT_KEYS, "foresight.")
    mode = value.get("mode", "perfect")
    if mode not in ("perfect", "myopic"):
        reader.problem("foresight.mode", f"must be perfect or myopic, got {mode!r}")
        return Foresight()
    window = value.get("window")
    if mode == "perfect":
        if window is not None:
            reader.problem("foresight.window", 'applies only to mode = "myopic"')
        return Foresight()
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        reader.problem("foresight.window", f"myopic foresight needs window = <years ≥ 1>, got {window!r}")
        return Foresight()
    return Foresight("myopic", window)


def _matches(table: pd.DataFrame, where: dict[str, Any]) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for column, wanted in where.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        cells = table[column].astype(str)
        mask &= cells.isin([str(v) for v in values])
    return mask


def _whole(value: object) -> object:
    return value if pd.isna(value) else int(value)


def apply_overrides(tables: dict[str, pd.DataFrame], overrides: tuple[Override, ...], file: str) -> list[Issue]:
    """Apply each override to the typed tables in order; return problems (e.g. no row matched)."""
    issues = []
    for number, override in enumerate(overrides, start=1):
        table = tables[override.table]
        mask = _matches(table, override.where)
        if not mask.any():
            issues.append(
                Issue(
                    file,
                    f"override matches no row of {override.table}.csv (where {override.where})",
                    column=f"override[{number}].where",
                )
            )
            continue
        current = table.loc[mask, override.column].astype(float)
        if override.operation == "scale":
            updated = current * override.value
        elif override.operation == "add":
            updated = current + override.value
        else:
            updated = pd.Series(override.value, index=current.index)
        spec = next(c for c in TABLES_BY_NAME[override.table].columns if c.name == override.column)
        whole = spec.type != "int" or all(pd.isna(v) or float(v).is_integer() for v in updated)
        table.loc[mask, override.column] = updated.map(_whole) if spec.type == "int" and whole else updated
        for line, value in zip(table.loc[mask, LINE], updated, strict=True):
            problem = domain_problem(float(value), spec) if pd.notna(value) else None
            if problem is None and not whole and pd.notna(value) and not float(value).is_integer():
                problem = f"{value:g} is not a whole number"
            if problem:
                issues.append(
                    Issue(
                        file,
                        f"override makes {override.table}.csv row {line} invalid: {problem}",
                        column=f"override[{number}].{override.operation}",
                    )
                )
    return issues
