"""Issue 11's acceptance on new projects: the profiles of tests/fixtures/new_projects.json.

Each profile is a project no corpus filing resembles by name or unit; its proposal, accepted as
a whole, must pass the table rules, carry the goal's numbers, a cost that fits the budget and a
satisfaction target of at least 90%, and no amount above the budget.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from jixiao.bot.domain.frameworks import choose_framework
from jixiao.bot.domain.models import Filing, Funding, Indicator
from jixiao.bot.domain.validation import validate
from jixiao.bot.domain.validation.names import is_satisfaction, is_unit_cost
from jixiao.bot.domain.values import Quantity
from jixiao.bot.retrieval import Query, SearchIndex
from jixiao.bot.retrieval.costs import quantity_of, yuan
from jixiao.bot.retrieval.proposals import propose
from jixiao.store.corpus import bundled_corpus

PROFILES = json.loads((Path(__file__).parent / "fixtures" / "new_projects.json").read_text(encoding="utf-8"))["profiles"]


@pytest.fixture(scope="module")
def proposals():
    index = SearchIndex(bundled_corpus())
    found = []
    for p in PROFILES:
        query = Query(p["name"], p["category"], p["department"], p["goal"], p["year"])
        fmt = choose_framework(p["year"], department=p["department"]).framework.id
        found.append((p, fmt, propose(index, query, fmt, budget=p["budget"])))
    return found


def quantities(proposal) -> list[tuple[str, Quantity]]:
    return [(item.name, q) for item in proposal.indicators if (q := quantity_of(item.value)) is not None]


def test_there_are_enough_profiles_of_enough_kinds():
    assert len(PROFILES) >= 12 and len({p["type"] for p in PROFILES}) >= 12


def test_every_accepted_proposal_passes_the_table_rules(proposals):
    for p, fmt, proposal in proposals:
        draft = Filing(year=p["year"], format=fmt, project_name=p["name"], goal=p["goal"],
                       funding=Funding(annual_request=p["budget"]),
                       indicators=[Indicator(level1=i.level1, level2=i.level2, name=i.name, value=i.value)
                                   for i in proposal.indicators])
        bad = [f.message for f in validate(draft) if f.blocking or f.rule.startswith("missing_level")]
        assert bad == [], p["name"]


def test_the_goals_quantities_are_proposed_with_their_values(proposals):
    covered = total = 0
    for p, _, proposal in proposals:
        values = [q for _, q in quantities(proposal)]
        for op, number, unit in p["quantities"]:
            total += 1
            covered += any(q.number == Decimal(str(number)) and q.unit == unit and op in (None, q.op) for q in values)
    assert covered >= 0.9 * total


def test_costs_fit_the_budget_and_no_amount_is_above_it(proposals):
    consistent = 0
    for p, _, proposal in proposals:
        budget = Decimal(str(p["budget"]))
        money = [(name, yuan(q)) for name, q in quantities(proposal) if q.unit_kind == "money"]
        assert all(amount <= budget for _, amount in money), p["name"]
        per = budget / Decimal(str(p["main"][0])) if p["main"] else None
        consistent += any((abs(amount - per) <= Decimal("0.3") * per) if is_unit_cost(name) and per else amount <= budget
                          for name, amount in money if not is_unit_cost(name) or per)
    assert consistent >= 7 / 8 * len(proposals)


def test_satisfaction_targets_are_at_least_ninety(proposals):
    for p, _, proposal in proposals:
        targets = [q for name, q in quantities(proposal) if is_satisfaction(name) and q.unit == "%"]
        assert targets and all(q.number >= 90 for q in targets), p["name"]


def test_every_indicator_says_where_it_comes_from(proposals):
    for p, _, proposal in proposals:
        assert proposal.project_type.ids and p["type"] in proposal.project_type.ids, p["name"]
        for item in proposal.indicators:
            assert item.reason and item.origin in ("goal", "budget", "history", "similar", "library"), item
