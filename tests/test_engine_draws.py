"""Counter-based draws: deterministic, uniform, and independent across streams and months."""

import numpy as np
import pytest

from sidedoor.engine import draws


def test_uniforms_are_a_pure_function_of_seed_id_month_stream():
    ids = draws.agent_ids(5, 4, 4, 0, 1000)
    a = draws.uniforms(7, ids, 12, draws.Stream.RUNAWAY)
    assert np.array_equal(a, draws.uniforms(7, ids, 12, draws.Stream.RUNAWAY))
    # Order-free: a subset gets the same numbers as in the full call.
    assert np.array_equal(a[::3], draws.uniforms(7, ids[::3], 12, draws.Stream.RUNAWAY))
    assert not np.array_equal(a, draws.uniforms(8, ids, 12, draws.Stream.RUNAWAY))
    assert not np.array_equal(a, draws.uniforms(7, ids, 13, draws.Stream.RUNAWAY))
    assert not np.array_equal(a, draws.uniforms(7, ids, 12, draws.Stream.DETECTION))


def test_uniforms_look_uniform():
    ids = draws.agent_ids(0, 0, 0, 0, 200_000)
    u = draws.uniforms(1, ids, 0, 1)
    assert u.min() >= 0 and u.max() < 1
    hist, _ = np.histogram(u, bins=20, range=(0, 1))
    expected = u.size / 20
    chi2 = ((hist - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 df, p ~ 0.001
    v = draws.uniforms(1, ids, 0, 2)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


def test_ids_are_deterministic_and_distinct():
    a = draws.agent_ids(100, 4, 4, 0, 50)
    b = draws.agent_ids(100, 4, 4, 0, 80)
    assert np.array_equal(a, b[:50])  # the k-th entrant of a cell is the same person
    cells = draws.cell_agent_ids(100, [4, 2], [4, 0], [50, 30])
    assert np.array_equal(cells[:50], a)
    assert np.array_equal(cells[50:], draws.agent_ids(100, 2, 0, 0, 30))
    many = np.concatenate([draws.agent_ids(m, s, n, 0, 100) for m in range(5) for s in range(3) for n in range(3)])
    assert np.unique(many).size == many.size


def test_event_sample_chosen_by_id_only():
    ids = draws.agent_ids(0, 0, 0, 0, 100_000)
    s = draws.sampled(ids, 0.1)
    assert 0.09 < s.mean() < 0.11
    assert np.array_equal(s, draws.sampled(ids, 0.1))


@pytest.mark.parametrize("seed, month, stream, cell", [
    (0, -1, 40, 0), (2026, 371, 1, 1014), (2**32 - 1, 5, 2, 0), (2**40 + 3, 5, 2, 0),
])
def test_cell_generators_are_seeded_by_the_same_words_in_either_form(seed, month, stream, cell):
    """``cell_rng`` passes its entropy as a uint32 array when it fits (faster); the stream is
    the one a list of the same ints gives, and large seeds still take the list."""
    reference = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, month + 1, stream, cell])))
    assert np.array_equal(draws.cell_rng(seed, month, stream, cell).random(8), reference.random(8))


def test_the_scalar_threshold_is_the_array_threshold():
    """``below_at``'s scalar path gives the integer ``threshold`` gives, edge cases included."""
    for p in (float("nan"), -0.5, 0.0, 5e-324, 1e-17, 0.3, 1 / 3, 0.999999999999, 1.0, 1.5, 2.0, 7.0, float("inf")):
        assert draws._scalar_threshold(p) == int(draws.threshold(p)), p
