"""Names, colours and axis helpers shared by every chart, the HTML page and the IAMC table.

Colours are fixed per lever, sector, scope, carrier and cost component, so a lever has the
same colour in every chart of every run. Plain data only: nothing here imports matplotlib.
"""

from __future__ import annotations

import itertools
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LEVERS: dict[str, tuple[str, str]] = {  # lever → (label, colour); the order of the stacks
    "demand": ("Demand", "#f0a431"),
    "efficiency": ("Efficiency", "#59a14f"),
    "feedstock_substitution": ("Feedstock substitution", "#9c6b3f"),
    "electrification": ("Electrification (switching)", "#3a78c2"),
    "clean_power": ("Clean power (grid)", "#8fb8e8"),
    "hydrogen": ("Hydrogen", "#35b8c8"),
    "ccus": ("CCUS", "#7b4fa6"),
    "other": ("Other", "#a5a5a5"),
}

SECTORS: dict[str, tuple[str, str]] = {  # sector → (IAMC/Title name, colour)
    "iron_steel": ("Steel", "#4e79a7"),
    "cement": ("Cement", "#9c755f"),
    "chemicals": ("Chemicals", "#f28e2b"),
    "aluminium": ("Aluminium", "#76b7b2"),
    "lime": ("Lime", "#edc948"),
    "glass": ("Glass", "#17becf"),
    "refining": ("Refining", "#e15759"),
    "coal_chemicals": ("Coal Chemicals", "#b07aa1"),
    "ferroalloys_silicon": ("Ferroalloys Silicon", "#ff9da7"),
    "pulp_paper": ("Pulp Paper", "#bcbd22"),
    "nonferrous_other": ("Non-ferrous Other", "#86bcb6"),
    "ceramics": ("Ceramics", "#d4a6c8"),
    "metal_products": ("Metal Products", "#8cd17d"),
    "textiles": ("Textiles", "#f1ce63"),
    "other_industry": ("Other", "#bab0ac"),
    "hydrogen_supply": ("Hydrogen Supply", "#59a14f"),
}

PRODUCTS: dict[str, str] = {
    "hvc": "HVC",
    "electric_enduse": "Electric End Use",
    "nonferrous_other": "Non-ferrous Metals (excl. Al)",
    "ceramics_kiln_heat": "Kiln Heat",
    "metal_products_heat": "Furnace Heat",
    "textiles_steam": "Process Steam",
}

SCOPES: dict[str, tuple[str, str]] = {
    "direct": ("Direct (gross, before capture)", "#c44e52"),
    "indirect": ("Indirect (purchased electricity, hydrogen)", "#e8a87c"),
    "captured": ("Captured (not emitted)", "#7b4fa6"),
}

CARRIERS: dict[str, str] = {  # carrier → colour; energy commodities map onto these
    "Coal": "#4d4d4d",
    "Gas": "#e8a33d",
    "Electricity": "#3a78c2",
    "Hydrogen": "#35b8c8",
    "Biomass": "#6aa84f",
    "Other": "#c9c9c9",
}

COMPONENTS: dict[str, tuple[str, str]] = {
    "investment": ("Investment (annualised)", "#4e79a7"),
    "fixed_om": ("Fixed O&M", "#76b7b2"),
    "variable_om": ("Variable O&M", "#59a14f"),
    "purchases": ("Fuel and material purchases", "#edc948"),
    "carbon": ("Carbon price payments", "#e15759"),
}

_SPARE = (
    "#8cd17d", "#b6992d", "#499894", "#86bcb6", "#e15759", "#ff9d9a", "#79706e",
    "#d37295", "#fabfd2", "#b07aa1", "#d4a6c8", "#9d7660", "#d7b5a6", "#f1ce63",
)  # fmt: skip
ROUTE_PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#8cd17d", "#499894",
)  # fmt: skip


def carrier(commodity: str) -> str:
    """The carrier of an energy commodity: electricity* → Electricity, natural_gas → Gas, …

    >>> [carrier(c) for c in ("electricity_green", "coking_coal", "natural_gas", "naphtha")]
    ['Electricity', 'Coal', 'Gas', 'Other']
    """
    name = commodity.lower()
    if name.startswith("electricity"):
        return "Electricity"
    if name in ("coal", "coking_coal"):
        return "Coal"
    return {"natural_gas": "Gas", "hydrogen": "Hydrogen", "biomass": "Biomass"}.get(name, "Other")


def spare_colour(name: str) -> str:
    """A colour for a name with no fixed one: stable across runs (a checksum, not hash())."""
    return _SPARE[zlib.crc32(name.encode()) % len(_SPARE)]


def lever_label(lever: str) -> str:
    return LEVERS[lever][0] if lever in LEVERS else lever.replace("_", " ").capitalize()


def lever_colour(lever: str) -> str:
    return LEVERS[lever][1] if lever in LEVERS else spare_colour(lever)


def sector_name(sector: str) -> str:
    """The Title-case name used in charts and IAMC variables (iron_steel → Steel).

    >>> sector_name("iron_steel"), sector_name("pulp_paper")
    ('Steel', 'Pulp Paper')
    """
    return SECTORS[sector][0] if sector in SECTORS else sector.replace("_", " ").title()


def sector_colour(sector: str) -> str:
    return SECTORS[sector][1] if sector in SECTORS else spare_colour(sector)


def product_name(commodity: str) -> str:
    """The Title-case name of a product (hvc → HVC, heat_low → Heat Low).

    >>> product_name("steel"), product_name("electric_enduse"), product_name("hvc")
    ('Steel', 'Electric End Use', 'HVC')
    """
    return PRODUCTS.get(commodity, commodity.replace("_", " ").title())


def component_label(component: str) -> str:
    return COMPONENTS[component][0] if component in COMPONENTS else component.replace("_", " ").capitalize()


def component_colour(component: str) -> str:
    return COMPONENTS[component][1] if component in COMPONENTS else spare_colour(component)


def ordered(names: object, order: dict[str, object]) -> list[str]:
    """Names in the fixed order of `order`, unknown ones after, alphabetically."""
    present = [str(n) for n in dict.fromkeys(names)]  # type: ignore[call-overload]
    return [n for n in order if n in present] + sorted(n for n in present if n not in order)


def axis_label(quantity: str, unit: str) -> str:
    """'Emissions (MtCO2/yr)'."""
    return f"{quantity} ({unit})" if unit else quantity


def decorate(ax: Axes, title: str, ylabel: str, years: list[int] | None = None, note: str = "") -> None:
    """Title (with an optional smaller note line), y label, milestone ticks, light grid."""
    ax.set_title(title + (f"\n{note}" if note else ""), fontsize=12 if not note else 11, loc="left")
    ax.set_ylabel(ylabel)
    if years:
        step = max(1, len(years) // 9 + (len(years) % 9 > 0))
        ax.set_xticks(years[::step])
        pad = max(1.0, 0.5 * min((b - a for a, b in itertools.pairwise(years)), default=2))
        ax.set_xlim(min(years) - pad, max(years) + pad)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
