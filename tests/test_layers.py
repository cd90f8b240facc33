"""The floors of the house, checked by import-linter from the contracts in pyproject.toml.

``make lint`` runs ``lint-imports`` too; here the same contracts are read and checked against the real import
graph (every import, inside functions and migrations included), and shown to fail on a deliberate upward import.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
configure()  # import-linter's own settings (a timer, the printer), as its command line does
CONTRACT_TYPES = {"layers": LayersContract, "acyclic_siblings": AcyclicSiblingsContract}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*CONFIG["root_packages"],
                             exclude_type_checking_imports=CONFIG.get("exclude_type_checking_imports", False))


def contracts():
    for options in CONFIG["contracts"]:
        options = dict(options)
        kind = CONTRACT_TYPES[options.pop("type")]
        name = options.pop("name")
        yield kind(name=name, session_options={"root_packages": CONFIG["root_packages"]},
                   contract_options=options)


@pytest.mark.parametrize("contract", list(contracts()), ids=lambda c: c.name)
def test_every_contract_is_kept(contract, graph):
    check = contract.check(copy.deepcopy(graph), verbose=False)
    assert check.kept, f"{contract.name} broken: {check.metadata}"


def test_the_floors_contract_fails_on_an_upward_import(graph):
    layers = next(c for c in contracts() if isinstance(c, LayersContract))
    upward = copy.deepcopy(graph)
    upward.add_import(importer="earlyhelp.periods", imported="reporting.models", line_number=1,
                      line_contents="from reporting.models import Report")
    assert not layers.check(upward, verbose=False).kept


def test_the_cycles_contract_fails_on_two_modules_that_import_each_other(graph):
    acyclic = next(c for c in contracts() if isinstance(c, AcyclicSiblingsContract))
    cyclic = copy.deepcopy(graph)
    cyclic.add_import(importer="reporting.services", imported="reporting.tasks", line_number=1,
                      line_contents="from .tasks import render_report_run")
    assert not acyclic.check(cyclic, verbose=False).kept


def test_the_floors_cover_every_app():
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")
    assert layers["layers"] == ["reporting", "outcomes", "cases", "commissioning", "earlyhelp"]
    assert set(CONFIG["root_packages"]) == set(layers["layers"])
