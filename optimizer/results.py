"""Read a saved run folder back into pandas: the one-call notebook API.

    from optimizer.results import load_run
    run = load_run("results/net-zero-2060")
    run.emissions.groupby("year")["value"].sum()
    run.summary["objective"]

Only pandas, the standard library and `optimizer.data.milestones` are imported here (no
Pyomo, no solver), so reading and reporting a run is quick and works where the solver stack is
not installed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.data.milestones import years_represented

#: The CSV tables of a run folder and their columns (README "Outputs").
COLUMNS: dict[str, tuple[str, ...]] = {
    "production": ("region", "sector", "technology", "commodity", "year", "value", "unit"),
    "capacity": ("region", "sector", "technology", "year", "in_service", "new", "retired", "retrofitted", "unit"),
    "energy": ("region", "sector", "commodity", "year", "value", "unit"),
    "emissions": ("region", "sector", "technology", "year", "scope", "value", "unit"),
    "costs": ("region", "year", "component", "value", "discounted", "unit"),
    "carbon_price": ("region", "year", "price", "unit"),
    "abatement": ("region", "year", "lever", "abatement", "share", "unit"),
}
TABLE_NAMES: tuple[str, ...] = tuple(COLUMNS)
_NUMERIC = {"year", "value", "in_service", "new", "retired", "retrofitted", "discounted", "price", "abatement", "share"}


class NotARunFolder(FileNotFoundError):
    """The folder lacks a file every run folder has; `missing` names it."""

    def __init__(self, folder: Path, missing: str, detail: str = "") -> None:
        self.folder = folder
        self.missing = missing
        message = f"{folder} is not a run folder: " + ("no such folder" if not missing else f"{missing} is missing")
        super().__init__(message + (f" ({detail})" if detail else ""))


@dataclass
class RunTables:
    """The tables of one run folder: a DataFrame per CSV plus the summary dict."""

    folder: Path
    summary: dict
    production: pd.DataFrame
    capacity: pd.DataFrame
    energy: pd.DataFrame
    emissions: pd.DataFrame
    costs: pd.DataFrame
    carbon_price: pd.DataFrame
    abatement: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        """`run["emissions"]`, like `RunResult.tables`."""
        if name not in TABLE_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the seven CSVs of the output contract)."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    @property
    def scenario(self) -> str:
        return str(self.summary.get("scenario") or self.folder.name)

    @property
    def years(self) -> list[int]:
        """Milestone years: the summary's, else every year found in the tables."""
        if self.summary.get("years"):
            return sorted(int(y) for y in self.summary["years"])
        found: set[int] = set()
        for table in self.tables.values():
            found.update(int(y) for y in table["year"].dropna().unique())
        return sorted(found)

    def years_represented(self) -> pd.Series:
        """Calendar years each milestone stands for (`optimizer.data.milestones`), by year."""
        weights = years_represented(self.years, int(self.summary.get("tail") or 1))
        return pd.Series(
            list(weights.values()), index=pd.Index(list(weights), name="year"), name="years", dtype="int64"
        )


def _read_table(path: Path, name: str) -> pd.DataFrame:
    columns = COLUMNS[name]
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=list(columns))
    for column in columns:
        if column not in frame:
            frame[column] = pd.NA
    for column in _NUMERIC.intersection(frame.columns):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if len(frame):
        frame["year"] = frame["year"].astype("int64")
    return frame


def load_run(run_dir: str | Path) -> RunTables:
    """Read `summary.json` and the seven CSV tables of a run folder.

    Raises `NotARunFolder` (a `FileNotFoundError`) naming the first missing file; a run that
    ended without an optimum has a summary but no tables, and the message says so.
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise NotARunFolder(folder, "")
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise NotARunFolder(folder, "summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    loaded: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            status = summary.get("status", "unknown")
            detail = f"the run's status is {status!r}, so it has no tables" if status != "optimal" else ""
            raise NotARunFolder(folder, path.name, detail)
        loaded[name] = _read_table(path, name)
    return RunTables(folder=folder, summary=summary, **loaded)
