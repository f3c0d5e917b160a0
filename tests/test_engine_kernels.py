"""The engine's compiled kernels reproduce the numpy expressions they replaced, exactly.

Why: the engine's speed-ups (fused draws, the lazy debt ledger in float32, attributes at
entry, incremental status groups, compaction on a threshold) must not change a single
result for a given seed. Each test compares a kernel with the plain numpy formula it
replaced, on random data that includes the edge cases.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sidedoor.engine import draws
from sidedoor.engine.context import Ledger, Month, behaviour_table
from sidedoor.engine.population import Groups, Population
from sidedoor.engine.processes import expiry
from sidedoor.engine.processes import migration_industry as industry
from sidedoor.institutions.parameters import load_parameters
from sidedoor.institutions.statuses import Status
from sidedoor.timeline import month_dates


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def test_threshold_draws_equal_uniform_comparisons():
    ids = draws.agent_ids(3, 4, 5, 0, 20_000)
    rng = np.random.default_rng(0)
    idx = np.sort(rng.choice(ids.size, 5_000, replace=False))
    k = draws.key(9, 17, 23)
    u = draws.uniforms(9, ids[idx], 17, 23)
    assert np.array_equal(u, draws.uniforms_at(ids, idx, k))
    for p in (0.0, -1.0, 1e-300, 2.0**-53, 0.013, 0.5, 1.0 - 2.0**-53, 1.0, 3.0, np.nan, np.inf):
        assert np.array_equal(draws.below_at(ids, idx, k, p), idx[u < p]), p
        assert np.array_equal(draws.below_at(ids, idx, k, p, ids[idx]), idx[u < p]), p
    # Edges of the integer threshold: x * 2**-53 < p  <=>  x < threshold(p).
    for p in (2.0**-53, 3 * 2.0**-54, 0.1, 0.5, 1 - 2.0**-53):
        t = int(draws.threshold(p))
        for x in (t - 1, t, t + 1):
            assert (x * 2.0**-53 < p) == (x < t)


def test_category_draws_equal_table_lookups():
    n = 10_000
    ids = draws.agent_ids(1, 2, 3, 0, n)
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, n).astype(np.uint8)
    b = rng.random(n) < 0.3
    idx = np.sort(rng.choice(n, 3_000, replace=False))
    k = draws.key(1, 2, 3)
    u = draws.uniforms_at(ids, idx, k)
    one = np.array([0.0, 0.2, 0.05, 1.0])
    assert np.array_equal(draws.below_by_at(ids, idx, k, one, a), idx[u < one[a[idx]]])
    two = rng.random((4, 2)) * 0.3
    assert np.array_equal(draws.below_by_at(ids, idx, k, two, a, b), idx[u < two[a[idx], b[idx].astype(int)]])
    assert np.array_equal(draws.below_by_at(ids, idx, k, two, a, b, ids[idx]),
                          draws.below_by_at(ids, idx, k, two, a, b))


def test_vectorized_keys_equal_the_scalar_chain():
    rng = np.random.default_rng(2)
    parts = rng.integers(-(2**40), 2**40, size=(200, 5))
    keys = draws.keys(parts)
    assert all(int(keys[i]) == draws.key(*parts[i]) for i in range(len(parts)))
    streams = draws.uniform_streams(draws.agent_ids(0, 1, 2, 0, 100), keys[:3])
    for s in range(3):
        assert np.array_equal(streams[s], draws.uniforms(0, draws.agent_ids(0, 1, 2, 0, 100), 0, 0, int(keys[s])))


def _ledger_reference(pop: Population, idx: np.ndarray, month: int):
    """The numpy float32 formulas of the lazy ledger (before they were compiled)."""
    keep = np.float32(1.0 - pop.living_cost_share)
    elapsed = np.maximum(month - pop.ledger_month[idx], 0).astype(np.float32)
    surplus = pop.wage[idx] * keep
    debt = np.maximum(pop.debt[idx] - surplus * elapsed, np.float32(0))
    savings = pop.savings[idx] + np.maximum(surplus * elapsed - pop.debt[idx], np.float32(0))
    return debt, savings


def test_lazy_ledger_matches_numpy_float32():
    rng = np.random.default_rng(3)
    n = 50_000
    pop = Population(capacity=n, living_cost_share=0.55)
    pop.append(n, debt=(rng.random(n) * 2e6).astype(np.float32), savings=(rng.random(n) * 1e6).astype(np.float32),
               wage=(rng.random(n) * 3e5).astype(np.float32) * (rng.random(n) < 0.9),
               ledger_month=rng.integers(-60, 300, n).astype(np.int16))
    idx = np.sort(rng.choice(n, 20_000, replace=False))
    debt, savings = _ledger_reference(pop, idx, 200)
    assert np.array_equal(pop.debt_now(idx, 200), debt)
    assert np.array_equal(pop.savings_now(idx, 200), savings)
    pop.settle(idx, 200)
    assert np.array_equal(pop.debt[idx], debt) and np.array_equal(pop.savings[idx], savings)
    assert (pop.ledger_month[idx] == 200).all()


def _month(params, pop: Population, m: int, date: dt.date) -> Month:
    """Month ``m`` of a run whose month ``m`` is ``date``."""
    start = (pd.Timestamp(date) - pd.DateOffset(months=m)).date()
    months = month_dates(start, date)
    return Month(m, date, pop, params, Ledger(m + 1), 7, 1.0, 1.2, {}, behaviour_table(params, months))


def test_attributes_at_entry_match_the_numpy_formulas(params):
    date = dt.date(2005, 4, 1)
    pop = Population(capacity=1024)
    month = _month(params, pop, 0, date)
    statuses = [int(s) for s in Status if s not in (Status.DEPARTED, Status.DEPORTED)]
    counts = [300] * len(statuses)
    rows = month.add(np.repeat(np.array(statuses, dtype=np.uint8), counts), "M1",
                     agent_id=draws.cell_agent_ids(0, statuses, [1] * len(statuses), counts))
    industry.draw_attributes(month, rows)
    idx = np.arange(rows.start, rows.stop)
    status, b = pop.status[idx], month.b
    u = {s: month.uniforms(idx, s) for s in industry.ATTRIBUTE_STREAMS}
    S = draws.Stream
    debt = industry.entry_debt(month, status, u[S.ATTR_DEBT], u[S.ATTR_BROKER]).astype(np.float32)
    group = industry.GROUP_OF[status]
    expected = {
        "female": u[S.ATTR_SEX] < b["female_share"],
        "birth_month": (month.m - (20 + 15 * u[S.ATTR_AGE]) * 12).astype(np.int16),
        "debt": debt, "broker_used": debt > 0, "wage": month.wage_table[status],
        "sector": industry._SECTOR_TABLE[group, (u[S.ATTR_SECTOR] * industry._SECTOR_COUNT[group]).astype(np.intp)],
        "employer_size": np.where(industry.IS_INTERN[status] | (status == Status.OVERSTAYER), 0, 1),
        "tokyo_area": u[S.ATTR_TOKYO] < b["tokyo_area_share"],
        "criminal_record": u[S.ATTR_CRIMINAL] < b["criminal_record_share"],
        "abusive_employer": industry.IS_INTERN[status] & (u[S.ATTR_ABUSE] < b["abusive_employer_share"]),
        "language_school": status == Status.PRE_COLLEGE_STUDENT,
    }
    for name, value in expected.items():
        assert np.array_equal(getattr(pop, name)[idx], value), name


def test_a_broker_fee_cap_caps_intern_debt_at_entry(params):
    """With the ``broker-fee-cap`` reform, interns' entry debt is min(fee, cap) in the kernel
    and in ``entry_debt``; other statuses' debts are untouched."""
    from sidedoor.institutions.reforms import load_named_reform

    capped = load_named_reform("broker-fee-cap", params).apply(params)
    date = dt.date(2005, 4, 1)
    debts = {}
    for name, q in (("law", params), ("cap", capped)):
        pop = Population(capacity=4096)
        month = _month(q, pop, 0, date)
        statuses = [int(Status.TECHNICAL_INTERN), int(Status.TRAINEE), int(Status.PRE_COLLEGE_STUDENT)]
        rows = month.add(np.repeat(np.array(statuses, dtype=np.uint8), 500), "M1",
                         agent_id=draws.cell_agent_ids(0, statuses, [1] * 3, [500] * 3))
        industry.draw_attributes(month, rows)
        idx = np.arange(rows.start, rows.stop)
        u = {s: month.uniforms(idx, s) for s in (draws.Stream.ATTR_DEBT, draws.Stream.ATTR_BROKER)}
        numpy_debt = industry.entry_debt(month, pop.status[idx], u[draws.Stream.ATTR_DEBT],
                                         u[draws.Stream.ATTR_BROKER]).astype(np.float32)
        assert np.array_equal(pop.debt[idx], numpy_debt), name
        debts[name] = pop.debt[idx].copy()
    interns = np.arange(1000)
    assert (debts["law"][interns] > 200_000).all()
    assert (debts["cap"][interns] == 200_000).all()
    assert np.array_equal(debts["cap"][1000:], debts["law"][1000:])


def test_groups_follow_moves_within_and_across_months(params):
    """``of(s)``: start-of-month members still in ``s`` (leavers out, returners back in);
    next month's incremental groups equal a full regrouping."""
    pop = Population(capacity=64)
    month = _month(params, pop, 0, dt.date(2001, 1, 1))
    over, det = int(Status.OVERSTAYER), int(Status.DETAINED)
    status = np.array([over] * 6 + [det] * 3 + [int(Status.TECHNICAL_INTERN)] * 3, dtype=np.uint8)
    month.add(status, "M1", agent_id=draws.agent_ids(0, 0, 0, 0, status.size))
    groups = month.groups = Groups(pop, 0, 2)
    assert groups.of(over).tolist() == [0, 1, 2, 3, 4, 5]
    month.move(np.array([1, 4]), Status.DETAINED, "M7")
    assert groups.of(over).tolist() == [0, 2, 3, 5]
    assert groups.of(det).tolist() == [6, 7, 8]  # entered this month: handled from next month
    month.move(np.array([4]), Status.OVERSTAYER, "M7")  # back within the month
    assert groups.of(over).tolist() == [0, 2, 3, 4, 5]
    month.move(np.array([9]), Status.OVERSTAYER, "M3")
    month.add(np.array([over], dtype=np.uint8), "M3", agent_id=draws.agent_ids(1, 0, 0, 0, 1))
    nxt = Groups(pop, 1, 2, previous=groups)
    assert nxt.same_as(Groups(pop, 1, 2))
    assert nxt.of(over).tolist() == [0, 2, 3, 4, 5, 9, 12]
    assert np.array_equal(nxt.ids_for(nxt.of(over)), pop.agent_id[nxt.of(over)])


def test_trainees_continue_as_interns_by_their_entry_date(params):
    """Practical trainees enter as interns from 2010-07 (inputs), so only trainees who
    entered before then continue as interns (no double count)."""
    pop = Population(capacity=16)
    month = _month(params, pop, 258, dt.date(2011, 7, 1))  # month 0 = 1990-01
    # Entered 1988-05, 2010-01, 2010-06 (TITP trainees) and 2010-07, 2011-01 (residual trainees).
    share = expiry.trainee_to_intern_share(month, np.array([-20, 240, 245, 246, 252]))
    assert share.tolist() == [0.7, 0.7, 0.7, 0.0, 0.0]


def test_results_do_not_depend_on_when_exited_agents_are_dropped(params, monkeypatch):
    """Compaction only renumbers rows: any threshold gives the same outputs."""
    import importlib

    from sidedoor.engine.testing import synthetic_inputs

    module = importlib.import_module("sidedoor.engine.simulate")  # the module (the package exports the function)
    inputs = synthetic_inputs(dt.date(2000, 1, 1), dt.date(2006, 12, 1))
    runs = []
    for share in (0.05, 0.9):
        monkeypatch.setattr(module, "COMPACT_SHARE", share)
        runs.append(module.simulate(params=params, inputs=inputs, start="2000-01", end="2006-12", scale=0.02, seed=11,
                                    event_sample=0.05, check_accounting=True))
    assert runs[0].meta["rows_peak"] < runs[1].meta["rows_peak"]  # the thresholds did act
    for name in ("outputs", "flows", "events", "monthly_stock"):
        pd.testing.assert_frame_equal(getattr(runs[0], name), getattr(runs[1], name), check_exact=True)
