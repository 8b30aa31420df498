"""The input contract, declared once as data (DESIGN §3).

Each `TableSpec` names a CSV file, its columns with their types and domains, its key (no
two rows may share it) and whether the file is required. Loading, validation and the
documentation of the contract are all driven from `TABLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "int", "float"]
Domain = Literal["any", "nonneg", "positive", "fraction", "positive_fraction"]

LEVERS = (
    "feedstock_substitution",
    "electrification",
    "hydrogen",
    "ccus",
    "efficiency",
    "incumbent",
)
COMMODITY_UNITS = ("Mt", "PJ")
COMMODITY_KINDS = ("product", "energy", "material", "service")
SOURCE_KINDS = ("statistic", "publication", "dataset", "assumption")
BOUND_KINDS = (
    "max_share",
    "min_share",
    "max_capacity",
    "min_capacity",
    "max_new_capacity",
    "max_growth",
    "growth_seed",
    "max_share_gain",
    "max_share_loss",
)
SCOPES = ("direct", "direct+indirect")
ROLES = ("grid_electricity", "hydrogen", "co2_storage")
"""What attribution and charts need to know about a commodity (commodities.csv `role`)."""
ALL_REGIONS = "all"


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    `required` columns may not be blank; `choices` restricts text values.
    """

    name: str
    type: ColumnType = "str"
    required: bool = True
    domain: Domain = "any"
    choices: tuple[str, ...] = ()
    description: str = ""
    in_header: bool = True
    """False for optional columns added to the contract later: a file may leave them out."""


@dataclass(frozen=True)
class TableSpec:
    """One CSV file of a dataset."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    description: str = ""
    has_source: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _source() -> Column:
    return Column("source", description="key of a row in sources.csv")


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "sources",
        (
            Column("source"),
            Column("kind", choices=SOURCE_KINDS),
            Column("citation"),
            Column("url", required=False),
            Column("note", required=False, description="reasoning, required for assumptions"),
        ),
        key=("source",),
        has_source=False,
        description="where every number comes from",
    ),
    TableSpec(
        "commodities",
        (
            Column("commodity"),
            Column("unit", choices=COMMODITY_UNITS),
            Column("kind", choices=COMMODITY_KINDS),
            Column(
                "role",
                required=False,
                choices=ROLES,
                in_header=False,
                description="grid_electricity, hydrogen or co2_storage (at most one commodity each); blank for others",
            ),
            Column("description", required=False),
        ),
        key=("commodity",),
        has_source=False,
        description="names and units of every commodity",
    ),
    TableSpec(
        "technologies",
        (
            Column("technology"),
            Column("sector"),
            Column("lever", choices=LEVERS),
            Column("output", description="main output commodity"),
            Column("life", "int", domain="positive", description="years"),
            Column("availability", "float", domain="positive_fraction"),
            Column("first_year", "int", description="first year new capacity may be built"),
            Column("label", required=False, in_header=False, description="the name charts and reports show"),
            Column(
                "retrofit_of",
                required=False,
                in_header=False,
                description="the route this one converts: built only on capacity that route frees",
            ),
            Column("description", required=False),
            _source(),
        ),
        key=("technology",),
    ),
    TableSpec(
        "tech_flows",
        (
            Column("technology"),
            Column("commodity"),
            Column("direction", choices=("in", "out")),
            Column("vintage", "int", required=False, description="blank = every vintage"),
            Column("value", "float", domain="nonneg", description="per unit of main output"),
            _source(),
        ),
        key=("technology", "commodity", "direction", "vintage"),
        required=False,
    ),
    TableSpec(
        "tech_costs",
        (
            Column("technology"),
            Column("vintage", "int", required=False),
            Column("capex", "float", domain="nonneg", description="currency per unit/yr"),
            Column("fixed_om", "float", domain="nonneg", description="currency per unit/yr, yearly"),
            Column(
                "variable_om",
                "float",
                description="currency per unit; may be negative: a gate fee received for a waste the route takes",
            ),
            _source(),
        ),
        key=("technology", "vintage"),
    ),
    TableSpec(
        "tech_emissions",
        (
            Column("technology"),
            Column("vintage", "int", required=False),
            Column("co2_direct", "float", domain="nonneg", description="tCO2 per unit, gross"),
            Column("capture_rate", "float", domain="fraction"),
            _source(),
        ),
        key=("technology", "vintage"),
    ),
    TableSpec(
        "demand",
        (
            Column("region"),
            Column("commodity"),
            Column("year", "int"),
            Column("value", "float", domain="nonneg"),
            _source(),
        ),
        key=("region", "commodity", "year"),
    ),
    TableSpec(
        "commodity_prices",
        (
            Column("region"),
            Column("commodity"),
            Column("year", "int"),
            Column(
                "price",
                "float",
                domain="nonneg",
                description="currency per unit, ≥ 0 (a gate fee is a negative cost of the technology taking the waste)",
            ),
            Column("emission_factor", "float", required=False, domain="nonneg"),
            Column("max_supply", "float", required=False, domain="nonneg"),
            _source(),
        ),
        key=("region", "commodity", "year"),
        required=False,
    ),
    TableSpec(
        "stock",
        (
            Column("region"),
            Column("technology"),
            Column("year", "int"),
            Column("capacity", "float", domain="nonneg"),
            _source(),
        ),
        key=("region", "technology", "year"),
        required=False,
    ),
    TableSpec(
        "bounds",
        (
            Column("region"),
            Column("technology"),
            Column("year", "int"),
            Column("bound", choices=BOUND_KINDS),
            Column("value", "float", domain="nonneg"),
            _source(),
        ),
        key=("region", "technology", "year", "bound"),
        required=False,
    ),
    TableSpec(
        "cumulative_limits",
        (
            Column("region"),
            Column("commodity"),
            Column("max_total", "float", domain="nonneg"),
            _source(),
        ),
        key=("region", "commodity"),
        required=False,
    ),
    TableSpec(
        "emission_limits",
        (
            Column("region", description="a region, or 'all' for the whole system"),
            Column("year", "int"),
            Column("scope", choices=SCOPES),
            Column("max_emissions", "float", domain="nonneg", description="MtCO2/yr"),
            _source(),
        ),
        key=("region", "year", "scope"),
        required=False,
    ),
)

TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
