"""Pathways: ends sum to one, seeds reproduce, the paper's SPR ordering, clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from sidedoor.engine.cohort import CohortError, CohortSpec, run_cohort
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality
from sidedoor.pathways import ARCHETYPES, ENDS, ArchetypeError, archetype, trace

N = 300


@pytest.fixture(scope="module")
def inputs():
    from sidedoor.engine.inputs import build_inputs

    return build_inputs(load_parameters())


def test_archetypes_carry_the_papers_attributes():
    assert list(ARCHETYPES) == ["Min", "Fernand", "Dat", "Thanh", "Meriam", "Wei", "Toumani"]
    wei, toumani, thanh = archetype("wei"), archetype("Toumani"), archetype("Thanh")
    assert wei.married and wei.criminal_record and not wei.child and wei.nationality == Nationality.CHINA
    assert toumani.married and not toumani.criminal_record and not toumani.child
    assert thanh.debt_jpy == 900_000 and thanh.status == Status.TECHNICAL_INTERN
    with pytest.raises(ArchetypeError, match="unknown archetype 'Bob'"):
        archetype("Bob")


def test_cohort_is_reproducible_and_refuses_closed_channels(inputs):
    params = load_parameters()
    spec = CohortSpec(Status.TECHNICAL_INTERN, Nationality.VIETNAM, dt.date(2016, 4, 1), debt_jpy=900_000)
    a = run_cohort(spec, 200, params=params, inputs=inputs, background=None, seed=5, end=dt.date(2020, 12, 1))
    b = run_cohort(spec, 200, params=params, inputs=inputs, background=None, seed=5, end=dt.date(2020, 12, 1))
    assert a.events.equals(b.events)
    assert (a.events.groupby("person").size() >= 2).any()
    with pytest.raises(CohortError, match="technical_intern channel is closed on 1991-01"):
        run_cohort(CohortSpec(Status.TECHNICAL_INTERN, Nationality.CHINA, dt.date(1991, 1, 1)), 10, params=params,
                   inputs=inputs, background=None, seed=1, end=dt.date(1992, 1, 1))
    with pytest.raises(CohortError, match="cannot start in detained"):
        run_cohort(CohortSpec(Status.DETAINED, Nationality.CHINA, dt.date(2000, 1, 1)), 10, params=params,
                   inputs=inputs, background=None, seed=1, end=dt.date(2001, 1, 1))


@pytest.fixture(scope="module")
def thanh():
    return trace("Thanh", n=N, seed=3)


@pytest.mark.slow
def test_ends_sum_to_one_and_the_typical_path_is_ordered(thanh):
    assert set(thanh.outcomes) == set(ENDS)
    assert sum(thanh.outcomes.values()) == pytest.approx(1.0, abs=1e-12)
    assert thanh.sequences["share"].iloc[0] >= thanh.sequences["share"].iloc[-1]
    months = list(thanh.typical["month"])
    assert months == sorted(months) and months[0] == dt.date(2015, 4, 1)
    assert thanh.typical["status"].iloc[0] == "technical_intern"
    assert all("[M" in what for what in thanh.typical["what"])
    assert 0 < thanh.time_to_loss["share_losing_status"] <= 1


@pytest.mark.slow
def test_same_seed_same_paths_other_seed_other_paths(thanh):
    again = trace("Thanh", n=N, seed=3)
    assert again.outcomes == thanh.outcomes
    assert again.sequences.equals(thanh.sequences)
    assert again.typical.equals(thanh.typical)
    other = trace("Thanh", n=N, seed=4)
    assert not other.paths["sequence"].equals(thanh.paths["sequence"]) or other.outcomes != thanh.outcomes


@pytest.mark.slow
def test_wei_2003_is_likelier_to_get_spr_than_toumani_2013(tmp_path):
    wei = trace("Wei", entry_date="2003-01", n=N, seed=1)
    toumani = trace("Toumani", entry_date="2013-01", n=N, seed=1)
    assert wei.outcomes["spr_regularized"] > toumani.outcomes["spr_regularized"]
    assert wei.horizon == dt.date(2008, 12, 1) and toumani.horizon == dt.date(2018, 12, 1)
    assert wei.figure(tmp_path / "wei.png").stat().st_size > 10_000
    assert wei.to_dict()["outcomes"] == wei.outcomes


@pytest.mark.slow
def test_custom_person_and_errors():
    person = {"nationality": "Vietnam", "status": "college_student", "entry_date": "2016-04-01", "years": 5}
    result = trace(person, entry_date="2016-04", n=100, seed=1)
    assert sum(result.outcomes.values()) == pytest.approx(1.0)
    with pytest.raises(ArchetypeError, match="unknown status 'astronaut'"):
        trace({"nationality": "Vietnam", "status": "astronaut"}, entry_date="2016-04", n=10)
    with pytest.raises(ArchetypeError, match="before the entry date"):
        trace("Wei", horizon="2002-01", n=10)
