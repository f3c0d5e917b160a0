"""Visitor thinning (binomial counts) equals instantiating every visitor (brute force)."""

import numpy as np
import pytest
from scipy import stats

from sidedoor.engine import draws, visitors


@pytest.mark.stochastic
def test_thinning_matches_brute_force_in_distribution():
    entries = np.array([400, 1500])
    p_over = np.array([0.05, 0.01])
    p_asy = np.array([0.02, 0.005])
    n_rep = 300
    thin = np.array([np.concatenate(visitors.thin(draws.cell_rng(s, 0, 2, 0), entries, p_over, p_asy))
                     for s in range(n_rep)])
    brute = np.array([np.concatenate(visitors.brute_force(s, 0, entries, p_over, p_asy)) for s in range(n_rep)])
    for j in range(thin.shape[1]):
        # Two-sample test on each count; both must also match the exact binomial mean.
        res = stats.ks_2samp(thin[:, j], brute[:, j])
        assert res.pvalue > 0.001, (j, res)
    means = np.concatenate([entries * p_over, entries * p_asy])
    for sample in (thin, brute):
        z = (sample.mean(axis=0) - means) / np.sqrt(means / n_rep)
        assert np.all(np.abs(z) < 4), z
    # Chi-square on the binned overstay counts of the first cell (thin vs brute force).
    bins = np.quantile(np.concatenate([thin[:, 0], brute[:, 0]]), [0, 0.25, 0.5, 0.75, 1.0])
    table = np.array([np.histogram(thin[:, 0], bins)[0], np.histogram(brute[:, 0], bins)[0]])
    table = table[:, table.sum(axis=0) > 0]
    assert stats.chi2_contingency(table)[1] > 0.001
