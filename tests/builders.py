"""Build tiny datasets in code: a few lines per test, written as real CSV files.

`Dataset` starts from one region, two commodities (a product and electricity) and no
technologies; tests add what they need and `write()` produces a real dataset folder plus a
scenario file, so every test goes through the same loader as an analyst's data.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.data.schema import TABLES_BY_NAME

SOURCE = "TEST"

# The output contract (README, "Outputs"): every table of a run folder and its columns, in order.
OUTPUT_COLUMNS = {
    "production.csv": ["region", "sector", "technology", "commodity", "year", "value", "unit"],
    "capacity.csv": ["region", "sector", "technology", "year", "in_service", "new", "retired", "retrofitted", "unit"],
    "energy.csv": ["region", "sector", "commodity", "year", "value", "unit"],
    "emissions.csv": ["region", "sector", "technology", "year", "scope", "value", "unit"],
    "costs.csv": ["region", "year", "component", "value", "discounted", "unit"],
    "carbon_price.csv": ["region", "year", "price", "unit"],
    "abatement.csv": ["region", "year", "lever", "abatement", "share", "unit"],
}


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m optimizer ARGS` in a real process and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


@dataclass
class Dataset:
    """Rows of each table, as dicts; `source` is filled in automatically."""

    base_year: int = 2025
    discount_rate: float = 0.0
    rows: dict[str, list[dict]] = field(default_factory=dict)
    pin_base_year: bool = False

    def add(self, table: str, **row: object) -> Dataset:
        spec = TABLES_BY_NAME[table]
        if spec.has_source:
            row.setdefault("source", SOURCE)
        self.rows.setdefault(table, []).append(row)
        return self

    def commodity(self, name: str, unit: str = "Mt", kind: str = "product", role: str = "") -> Dataset:
        return self.add("commodities", commodity=name, unit=unit, kind=kind, role=role, description=name)

    def technology(
        self,
        name: str,
        output: str = "steel",
        *,
        capex: float = 0.0,
        fixed_om: float = 0.0,
        variable_om: float = 0.0,
        co2: float = 0.0,
        capture: float = 0.0,
        life: int = 50,
        availability: float = 1.0,
        first_year: int = 2000,
        lever: str = "incumbent",
        sector: str = "iron_steel",
        inputs: dict[str, float] | None = None,
        retrofit_of: str = "",
        label: str = "",
    ) -> Dataset:
        """A technology with one cost row and one emission row (every vintage)."""
        self.add(
            "technologies",
            technology=name,
            sector=sector,
            lever=lever,
            output=output,
            life=life,
            availability=availability,
            first_year=first_year,
            label=label,
            retrofit_of=retrofit_of,
            description=name,
        )
        self.add("tech_costs", technology=name, vintage="", capex=capex, fixed_om=fixed_om, variable_om=variable_om)
        self.add("tech_emissions", technology=name, vintage="", co2_direct=co2, capture_rate=capture)
        for commodity, value in (inputs or {}).items():
            self.add("tech_flows", technology=name, commodity=commodity, direction="in", vintage="", value=value)
        return self

    def demand(self, values: dict[int, float], commodity: str = "steel", region: str = "R1") -> Dataset:
        for year, value in values.items():
            self.add("demand", region=region, commodity=commodity, year=year, value=value)
        return self

    def price(
        self,
        commodity: str,
        price: float,
        *,
        year: int = 2025,
        region: str = "R1",
        emission_factor: float | str = "",
        max_supply: float | str = "",
    ) -> Dataset:
        return self.add(
            "commodity_prices",
            region=region,
            commodity=commodity,
            year=year,
            price=price,
            emission_factor=emission_factor,
            max_supply=max_supply,
        )

    def write(self, folder: Path) -> Path:
        """Write the dataset to `folder` (created); return it."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dataset.toml").write_text(
            f'name = "test"\ncurrency = "CNY2025"\nbase_year = {self.base_year}\n'
            f"discount_rate = {self.discount_rate}\n"
            + ("pin_base_year = true\n" if self.pin_base_year else ""),
            encoding="utf-8",
        )
        self.rows.setdefault("sources", [])
        if not any(r["source"] == SOURCE for r in self.rows["sources"]):
            self.rows["sources"].append(
                {"source": SOURCE, "kind": "assumption", "citation": "test", "url": "", "note": "test data"}
            )
        for name, spec in TABLES_BY_NAME.items():
            if name in self.rows or spec.required:
                frame = pd.DataFrame(self.rows.get(name, []), columns=list(spec.column_names))
                frame.to_csv(folder / spec.file, index=False)
        return folder


def write_scenario(
    folder: Path,
    dataset: Path,
    *,
    name: str = "test",
    start: int = 2025,
    end: int = 2030,
    step: int = 5,
    scope: str = "direct+indirect",
    extra: str = "",
    discount_rate: float | None = None,
    tail: int = 1,
) -> Path:
    """Write a scenario TOML pointing at `dataset`; `extra` is appended verbatim."""
    path = folder / f"{name}.toml"
    rate = f"discount_rate = {discount_rate}\n" if discount_rate is not None else ""
    path.write_text(
        f'name = "{name}"\ndataset = "{dataset.as_posix()}"\n'
        f"years = {{ start = {start}, end = {end}, step = {step}, tail = {tail} }}\n{rate}"
        f'[emissions]\nscope = "{scope}"\n{extra}\n',
        encoding="utf-8",
    )
    return path


def steel_and_hydrogen(*, fuelled: bool = False, discount_rate: float = 0.0) -> Dataset:
    """Steel (10 Mt in 2025, 8 Mt in 2035) by bf (2 tCO2/t), bf_ccs (90 % captured at 10 per t
    stored, 5 Mt/yr at most) or H2-DRI (0.05 t H2 and 2 GJ of power per t); hydrogen from coal
    (20 tCO2/t) or by electrolysis (200 GJ/t of grid power whose factor falls 0.15 → 0.02 t/GJ).

    `fuelled`: the routes also burn coal (5 per GJ) and bf, bf_ccs and H2-DRI carry capital
    (and bf fixed) costs, and hydrogen is an energy commodity, as a report counts it.
    """
    data = Dataset(discount_rate=discount_rate)
    data.commodity("steel").commodity("hydrogen", kind="energy" if fuelled else "product", role="hydrogen")
    data.commodity("electricity", "PJ", "energy", role="grid_electricity")
    if fuelled:
        data.commodity("coal", "PJ", "energy")
    data.commodity("co2_storage", kind="service", role="co2_storage")
    capital = {"bf": (800, 20), "bf_ccs": (1200, 0.0), "h2_dri": (900, 0.0)} if fuelled else {}

    def costs(name: str, variable_om: float) -> dict[str, float]:
        capex, fixed_om = capital.get(name, (0.0, 0.0))
        return {"capex": capex, "fixed_om": fixed_om, "variable_om": variable_om}

    def coal(gj_per_unit: float) -> dict[str, float]:
        return {"coal": gj_per_unit} if fuelled else {}

    data.technology("bf", co2=2.0, inputs=coal(12.0), **costs("bf", 100))
    data.technology("bf_ccs", co2=2.0, capture=0.9, lever="ccus", inputs=coal(13.0), **costs("bf_ccs", 160))
    h2_dri_inputs = {"hydrogen": 0.05, "electricity": 2.0}
    data.technology("h2_dri", lever="hydrogen", inputs=h2_dri_inputs, **costs("h2_dri", 120))
    data.technology("coal_h2", output="hydrogen", sector="hydrogen_supply", co2=20.0, inputs=coal(150.0),
                    **costs("coal_h2", 1000))  # fmt: skip
    data.technology("electrolysis", output="hydrogen", sector="hydrogen_supply", lever="hydrogen",
                    inputs={"electricity": 200}, **costs("electrolysis", 2000))  # fmt: skip
    data.demand({2025: 10, 2035: 8})
    data.price("electricity", 20, emission_factor=0.15).price("electricity", 20, year=2035, emission_factor=0.02)
    if fuelled:
        data.price("coal", 5)
    return data.price("co2_storage", 10, max_supply=5)
