"""Assemble the LP from `ModelData`: the only place that knows the order of the families."""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.core as pyo  # the modelling layer only (pyomo.environ also loads every solver plugin, ~0.4 s)

from optimizer.data.model_data import ModelData
from optimizer.model import balance, base_year, capacity, cost, diffusion, emissions, retrofit
from optimizer.model.cost import CostTerm
from optimizer.model.emissions import EmissionTerm
from optimizer.model.sets import ModelIndex, build_index


@dataclass
class BuiltModel:
    """A Pyomo model with the index and the term lists it was built from (`model` is None
    where only the LP was taken to another process, see `runner.PortableModel`)."""

    model: pyo.ConcreteModel | None
    index: ModelIndex
    emission_terms: list[EmissionTerm]
    cost_terms: list[CostTerm]


def build_model(data: ModelData) -> BuiltModel:
    """Build the Pyomo model: sets → capacity → balance → emissions → diffusion → base year → retrofit → cost."""
    index = build_index(data)
    m = pyo.ConcreteModel(name=data.scenario)
    capacity.add_to(m, data, index)
    balance.add_to(m, data, index)
    emission_list = emissions.emission_terms(data, index)
    emissions.add_to(m, data, index, emission_list)
    diffusion.add_to(m, data, index)
    base_year.add_to(m, data, index)
    retrofit.add_to(m, data, index)
    cost_list = cost.cost_terms(data, index, emission_list)
    cost.add_to(m, data, cost_list)
    return BuiltModel(m, index, emission_list, cost_list)
