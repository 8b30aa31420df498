"""Sweep files (TOML): a base scenario, a design method and the parameters to vary.

Each parameter is an override of a numeric column of a data table (`table`, `where`, `column`,
`op` = scale, set or add) or of the scenario itself (`table = "scenario"` with `column` one of
`discount_rate`, `budget`, `cap.<year>`, `carbon_price.<year>`). It takes a list of `values` or
a `range = [low, high]` (sampled methods need a range; one-at-a-time and grid need values, or
use the range's ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.data.model_data import cached_tables
from optimizer.data.scenario import Override, TomlReader, apply_overrides, load_scenario, read_toml_text
from optimizer.data.schema import TABLES_BY_NAME
from optimizer.errors import InputError, Issue
from optimizer.outputs.folders import name_problem

METHODS = ("one-at-a-time", "grid", "latin-hypercube", "morris", "sobol")
SWEEP_KEYS = {"name", "base", "method", "samples", "seed", "parameter", "resolve", "description"}
PARAMETER_KEYS = {"name", "table", "where", "column", "op", "values", "range"}
SAMPLED = ("latin-hypercube", "morris", "sobol")
SCENARIO_COLUMNS = ("discount_rate", "budget")
SCENARIO_PREFIXES = ("cap.", "carbon_price.")
COST_COLUMNS = {
    ("tech_costs", "capex"),
    ("tech_costs", "fixed_om"),
    ("tech_costs", "variable_om"),
    ("commodity_prices", "price"),
    ("scenario", "discount_rate"),
}


@dataclass(frozen=True)
class Parameter:
    """One swept quantity."""

    name: str
    table: str
    column: str
    op: str
    where: dict[str, Any] = field(default_factory=dict)
    values: tuple[float, ...] = ()
    range: tuple[float, float] | None = None

    @property
    def baseline(self) -> float | None:
        """The value that leaves the data unchanged (None for `set`)."""
        return {"scale": 1.0, "add": 0.0}.get(self.op)

    @property
    def cost_only(self) -> bool:
        """Whether the parameter changes objective coefficients only (a warm re-solve suffices)."""
        if self.table == "scenario" and self.column.startswith("carbon_price."):
            return True
        return (self.table, self.column) in COST_COLUMNS

    @property
    def bounds(self) -> tuple[float, float]:
        if self.range is not None:
            return self.range
        return (min(self.values), max(self.values))


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep file."""

    name: str
    base: Path
    method: str
    parameters: tuple[Parameter, ...]
    samples: int = 16
    seed: int = 1
    resolve: str = "auto"
    path: Path | None = None

    @property
    def warm(self) -> bool:
        """Warm-start re-solves from the previous basis? `auto`: yes for one-at-a-time and grid
        (neighbouring points differ little), no for sampled designs (measured, see README)."""
        if self.resolve == "auto":
            return self.method not in SAMPLED
        return self.resolve == "warm"


def load_sweep(path: Path | str) -> Sweep:
    """Parse and check a sweep file; raise InputError listing every problem."""
    path = Path(path).resolve()
    raw, text = read_toml_text(path, "sweep file")
    reader = TomlReader(path.name, text)
    problem = reader.problem
    reader.unknown(raw, SWEEP_KEYS)
    if not isinstance(raw.get("name"), str) or not raw.get("name"):
        problem("name", "required: a non-empty string")
    elif name_problem(raw["name"]):  # it names the sweep folder: results/<name>/
        problem("name", f"{name_problem(raw['name'])} (it names the sweep folder)")
    if not isinstance(raw.get("base"), str):
        problem("base", "required: the base scenario file, relative to this file")
    method = raw.get("method", "one-at-a-time")
    if method not in METHODS:
        problem("method", f"must be one of {', '.join(METHODS)}")
    for key, default in (("samples", 16), ("seed", 1)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if key == "samples" else 0):
            problem(key, "must be a whole number" + (" ≥ 1" if key == "samples" else " ≥ 0"))
    resolve = raw.get("resolve", "auto")
    if resolve not in ("auto", "warm", "cold"):
        problem("resolve", "must be auto, warm or cold")
    parameters = tuple(_parameter(item, n, method, reader) for n, item in enumerate(raw.get("parameter", []), 1))
    if not parameters:
        problem("parameter", "at least one [[parameter]] is required")
    names = [p.name for p in parameters if p]
    if len(set(names)) != len(names):
        problem("parameter", "parameter names must be unique")
    if reader.issues:
        raise InputError(reader.issues)
    return Sweep(
        name=raw["name"],
        base=(path.parent / raw["base"]).resolve(),
        method=method,
        parameters=parameters,
        samples=raw.get("samples", 16),
        seed=raw.get("seed", 1),
        resolve=resolve,
        path=path,
    )


def _numbers(values: Any) -> bool:
    """Whether `values` is a non-empty list of plain numbers."""
    return (
        isinstance(values, list)
        and bool(values)
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in values)
    )


def _parameter(item: Any, number: int, method: str, reader: TomlReader) -> Parameter:
    prefix = f"parameter[{number}]."
    problem = reader.problem
    if not isinstance(item, dict):
        problem(prefix[:-1], "must be a table")
        return None  # type: ignore[return-value]
    reader.unknown(item, PARAMETER_KEYS, prefix)
    name, table, column = item.get("name"), item.get("table"), item.get("column")
    op, where = item.get("op", "scale"), item.get("where", {})
    if not isinstance(name, str) or not name.isidentifier():
        problem(prefix + "name", "required: a name usable as a column (letters, digits, _)")
    if op not in ("scale", "set", "add"):
        problem(prefix + "op", "must be scale, set or add")
    if table == "scenario":
        if not (column in SCENARIO_COLUMNS or str(column).startswith(SCENARIO_PREFIXES)):
            problem(prefix + "column", "scenario parameters: discount_rate, budget, cap.<year>, carbon_price.<year>")
    elif table in TABLES_BY_NAME and TABLES_BY_NAME[table].has_source:
        spec = TABLES_BY_NAME[table]
        if column not in {c.name for c in spec.columns if c.type == "float"}:
            problem(prefix + "column", f"'{column}' is not a numeric column of {table}")
        if not isinstance(where, dict) or any(k not in spec.column_names for k in where):
            problem(prefix + "where", f"must map columns of {table} to values")
    else:
        problem(prefix + "table", f"'{table}' is not a data table or 'scenario'")
    values, span = item.get("values"), item.get("range")
    if values is not None and not _numbers(values):
        problem(prefix + "values", "must be a non-empty list of numbers")
    if span is not None and not (_numbers(span) and len(span) == 2 and span[0] < span[1]):
        problem(prefix + "range", "must be [low, high] with low < high")
    if values is None and span is None:
        problem(prefix + "values", "give values = [...] or range = [low, high]")
    if method in SAMPLED and span is None and not (_numbers(values) and len(set(values)) > 1):
        problem(prefix + "range", f"method {method} samples a range: give range = [low, high]")
    return Parameter(
        name=str(name),
        table=str(table),
        column=str(column),
        op=str(op),
        where=dict(where) if isinstance(where, dict) else {},
        values=tuple(float(v) for v in values) if _numbers(values) else (),
        range=(float(span[0]), float(span[1])) if _numbers(span) and len(span) == 2 else None,
    )


def check_against_data(sweep: Sweep, cache: dict | None = None) -> None:
    """Check that every table parameter selects at least one row of the base scenario's data
    (`cache`: typed tables read once per process, see `optimizer.data.model_data.cached_tables`).

    Raises InputError naming the sweep file and the parameter, before any point is solved.
    """
    scenario = load_scenario(sweep.base)
    issues: list[Issue] = []
    _, tables, _ = cached_tables(scenario.dataset, cache, issues)
    if issues:
        raise InputError(issues)
    file = sweep.path.name if sweep.path else "sweep"
    for number, parameter in enumerate(sweep.parameters, start=1):
        if parameter.table == "scenario":
            if parameter.column.startswith("cap.") and int(parameter.column[4:]) not in scenario.years:
                issues.append(
                    Issue(
                        file,
                        f"{parameter.column}: {parameter.column[4:]} is not a milestone year of the base scenario",
                        column=f"parameter[{number}].column",
                    )
                )
            elif parameter.column == "budget" and scenario.budget is None and parameter.op != "set":
                message = f"budget: the base scenario sets no budget to {parameter.op}; use op = \"set\""
                issues.append(Issue(file, message, column=f"parameter[{number}].op"))
            continue
        override = Override(parameter.table, parameter.where, parameter.column, "add", 0.0)
        for issue in apply_overrides(tables, (override,), file):
            issues.append(
                Issue(file, f"parameter '{parameter.name}': {issue.message}", column=f"parameter[{number}].where")
            )
    if issues:
        raise InputError(issues)
