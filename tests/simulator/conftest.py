"""Shared fixtures: the bundled catalog (parsed once) and small simulations."""

from __future__ import annotations

import pytest

from psa_sim.catalog import load_catalog
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import Simulation
from psa_sim.engine.timing import Distribution


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


# Constant durations make times in the tests exact: activation 40 s, others 10 s.
FIXED_TIMING = {
    "activation": Distribution("constant", mean=40.0),
    "finish": Distribution("constant", mean=10.0),
    "pause": Distribution("constant", mean=10.0),
    "resume": Distribution("constant", mean=10.0),
    "action": Distribution("constant", mean=10.0),
}


@pytest.fixture
def make_sim(catalog):
    def make(nodes: int = 2, **kwargs) -> Simulation:
        kwargs.setdefault("timing", FIXED_TIMING)
        sources = kwargs.pop("node_sources", [NodeSourceConfig("LocalNodes", nodes)])
        return Simulation(catalog, node_sources=sources, **kwargs)

    return make
