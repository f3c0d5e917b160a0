"""The observed figures the calibration fits, grouped by what they measure, with weights.

A *target group* is one kind of evidence named in the paper or held in the shipped data:
the overstayer stock (Figure 1), Table 1, asylum applications, SPR grants, the
designated-activities overstayers of 2018-2019, the persons processed in deportation procedures
(they pin how long overstayers stay) and the nationality and status breakdowns.
Each observed point belongs to the first group that claims it (so the designated-activities
points are not counted again in the status breakdown).

Weights: each group has a weight (the stock, the paper's Figure 1 and the goal with the
tightest tolerance, weighs most), shared equally by its points, and all weights sum to 1.
Why stock 6 and the two breakdowns 0.5 each (they were 3 and 1 until 2026-11-26): the
breakdowns carry misfits the model's structure cannot remove (South Korea ~10x too few, no
divorce so almost no spouse overstayers), and log errors of 1-3 on many small cells made them
dominate the distance. Measured on the best fitted particle at scale 0.1: nationality 0.16 and
status 0.11 of a distance of 0.54, the 31-point stock 0.05, so ABC traded the stock, the
headline series, for cells it cannot fit. At the new weights the stock's share of the distance
roughly equals the two breakdowns' together.
A 31-point annual series therefore counts as much as a 2-point one of equal group weight, and
the calibration distance reads as a weighted mean absolute log error (see ``distance``).

Only reference dates up to ``cutoff`` (2020-01-01, the paper's period) are targets; later
official figures are held out for validation. ``until(date)`` makes the time-split targets,
``without(group)`` the cross-series ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KEY_COLUMNS = ["series", "reference_date", "category"]
DEFAULT_CUTOFF = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class TargetGroup:
    """A set of observed points (one series, some categories, a date window) and its weight."""

    name: str
    series: str
    weight: float
    description: str
    categories: tuple[str, ...] | None = None  # None: every category of the series
    first: dt.date = dt.date(1990, 1, 1)
    last: dt.date = DEFAULT_CUTOFF
    #: categories the model has no counterpart for (never fitted; listed in the validation)
    excluded: tuple[str, ...] = ()

    def claims(self, frame: pd.DataFrame) -> pd.Series:
        mask = frame["series"].eq(self.series)
        if self.categories is not None:
            mask &= frame["category"].isin(self.categories)
        if self.excluded:
            mask &= ~frame["category"].isin(self.excluded)
        dates = frame["reference_date"]
        mask &= dates.ge(pd.Timestamp(self.first)) & dates.le(pd.Timestamp(self.last))
        return mask


#: Official status categories outside the model's side doors: comparing them with the model's
#: zero would add a constant to every distance and say nothing about the mechanisms.
UNMODELLED_STATUS_CATEGORIES = ("other", "Vietnam|other")

#: The targets named in the issue, in claiming order (earlier groups take their points first).
DEFAULT_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup("overstayer_stock", "overstayers", 6.0,
                "Overstayer stock on every official reference date 1990-2020 (Figure 1)",
                ("total",)),
    TargetGroup("table1_disappeared", "interns_disappeared", 1.5,
                "Technical interns reported disappeared, 2015-2019 (Table 1)",
                ("total",), dt.date(2015, 1, 1), dt.date(2019, 12, 31)),
    TargetGroup("table1_interns", "technical_interns", 0.5,
                "Technical-intern stock, total and Vietnamese, 2015-2019 (Table 1)",
                ("total", "Vietnam"), dt.date(2015, 1, 1)),
    TargetGroup("asylum_applications", "asylum_applications", 1.0,
                "Refugee-status applications per calendar year (paper §5.1)", ("total",)),
    TargetGroup("spr_granted", "spr_granted", 1.0,
                "Special permissions for residence granted per year (paper §5.2)", ("total",)),
    TargetGroup("designated_activities", "overstayers_by_status", 1.0,
                "Overstayers whose last status was designated activities, 2018-2019 (§5.1)",
                ("designated_activities",), dt.date(2018, 1, 1)),
    TargetGroup("deportations", "deportations", 3.0,
                "Persons processed in deportation procedures per year (White Paper on Crime): "
                "every exit from the overstayer stock except death passes through them, so "
                "with the stock they fix how long overstayers stay. The official count also "
                "holds illegal entrants and other violators (overstayers were 77% of it in "
                "2011 and 88% in 2018, source notes); the model counts only overstayers, so "
                "at the truth its figure is 10-25% lower (log error 0.1-0.3)", ("total",)),
    TargetGroup("by_nationality", "overstayers_by_nationality", 0.5,
                "Overstayers by nationality (all shipped reference dates)"),
    TargetGroup("by_status", "overstayers_by_status", 0.5,
                "Overstayers by status at the time of overstay (all shipped reference dates); "
                "the official residual 'other' (engineers, dependants and the other long-stay "
                "statuses) has no counterpart in the model, which tracks only the side doors",
                excluded=UNMODELLED_STATUS_CATEGORIES),
)


#: Official series the calibration never sees: the posterior predictive is checked against
#: them (``sidedoor validate``, section "untargeted"), an out-of-sample test on other evidence.
UNTARGETED_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup("deportations_by_status", "deportations_by_status", 1.0,
                "Persons processed in deportation procedures in 2019 by last status (ISA: former "
                "visitors, technical interns, designated activities): whether each side door's "
                "overstayers leave the stock at the official pace"),
    TargetGroup("departure_orders", "departure_orders", 1.0,
                "Departure orders issued per year (2014, 2019)", ("total",)),
    TargetGroup("by_sex", "overstayers_by_sex", 1.0, "Overstayers by sex"),
    TargetGroup("disappeared_2011_2014", "interns_disappeared", 1.0,
                "Technical interns reported disappeared, 2011-2014 (before Table 1): the trend "
                "of the runaway hazard", ("total",), dt.date(2011, 1, 1), dt.date(2014, 12, 31)),
    TargetGroup("disappeared_by_nationality", "interns_disappeared", 1.0,
                "Disappeared interns by nationality (2014, 2015, 2019): who runs away; the "
                "official Cambodia and 'Other' rows have no model counterpart",
                ("China", "Vietnam", "Indonesia", "Myanmar", "Nepal")),
)


@dataclass(frozen=True)
class Targets:
    """Observed target points with their group and weight (weights sum to 1).

    ``frame`` columns: ``series, reference_date, category, value, group, weight``.
    The row order is the order of the summary-statistic vector.
    """

    frame: pd.DataFrame
    groups: tuple[TargetGroup, ...] = field(default=DEFAULT_GROUPS)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def values(self) -> np.ndarray:
        return self.frame["value"].to_numpy(dtype=float)

    @property
    def weights(self) -> np.ndarray:
        return self.frame["weight"].to_numpy(dtype=float)

    @property
    def group_names(self) -> list[str]:
        return list(dict.fromkeys(self.frame["group"]))

    def keys(self) -> pd.DataFrame:
        return self.frame[KEY_COLUMNS].reset_index(drop=True)

    def _subset(self, mask: pd.Series | np.ndarray) -> Targets:
        kept = self.frame.loc[np.asarray(mask)].drop(columns="weight")
        return Targets(_weighted(kept, self.groups), self.groups)

    def until(self, last: str | dt.date) -> Targets:
        """Only reference dates up to ``last`` (the time-split fit), weights renormalised."""
        return self._subset(self.frame["reference_date"].le(pd.Timestamp(last)))

    def after(self, first: str | dt.date) -> Targets:
        """Only reference dates strictly after ``first`` (the time-split check)."""
        return self._subset(self.frame["reference_date"].gt(pd.Timestamp(first)))

    def without(self, groups: Iterable[str]) -> Targets:
        """Drop whole groups (the cross-series check fits without Table 1)."""
        return self._subset(~self.frame["group"].isin(list(groups)))

    def only(self, groups: Iterable[str]) -> Targets:
        return self._subset(self.frame["group"].isin(list(groups)))

    def restrict_to(self, produced: pd.DataFrame) -> tuple[Targets, pd.DataFrame]:
        """Keep the points the model produces; also return those it does not (for the report)."""
        have = produced[KEY_COLUMNS].drop_duplicates().assign(_produced=True)
        have["reference_date"] = pd.to_datetime(have["reference_date"])
        merged = self.frame.merge(have, on=KEY_COLUMNS, how="left")
        mask = merged["_produced"].eq(True).to_numpy()
        return self._subset(mask), self.frame.loc[~mask, KEY_COLUMNS + ["group", "value"]]

    def to_records(self) -> list[dict]:
        """JSON-ready rows (stored with a calibration so it can be resumed and validated)."""
        out = self.frame.copy()
        out["reference_date"] = out["reference_date"].dt.strftime("%Y-%m-%d")
        return out.to_dict(orient="records")

    @classmethod
    def from_records(cls, records: Sequence[dict],
                     groups: tuple[TargetGroup, ...] = DEFAULT_GROUPS) -> Targets:
        frame = pd.DataFrame.from_records(list(records))
        frame["reference_date"] = pd.to_datetime(frame["reference_date"])
        return cls(frame.reset_index(drop=True), groups)


def _weighted(frame: pd.DataFrame, groups: Sequence[TargetGroup]) -> pd.DataFrame:
    """Each group's weight shared equally by its points; all weights normalised to sum 1."""
    group_weight = {g.name: g.weight for g in groups}
    counts = frame["group"].map(frame["group"].value_counts())
    raw = frame["group"].map(group_weight).astype(float) / counts.astype(float)
    total = raw.sum()
    out = frame.copy()
    out["weight"] = raw / total if total > 0 else raw
    return out.reset_index(drop=True)


def assign_groups(observed: pd.DataFrame, groups: Sequence[TargetGroup] = DEFAULT_GROUPS,
                  cutoff: str | dt.date = DEFAULT_CUTOFF) -> Targets:
    """Assign observed rows (tidy schema) to target groups; rows no group claims are dropped."""
    frame = observed[KEY_COLUMNS + ["value"]].copy()
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    frame = frame.loc[frame["reference_date"].le(pd.Timestamp(cutoff))]
    frame = frame.loc[frame["value"].notna()].reset_index(drop=True)
    frame["group"] = None
    for g in groups:
        free = frame["group"].isna()
        frame.loc[free & g.claims(frame), "group"] = g.name
    frame = frame.loc[frame["group"].notna()]
    order = {g.name: i for i, g in enumerate(groups)}
    frame = frame.assign(_o=frame["group"].map(order)).sort_values(
        ["_o", "series", "category", "reference_date"]).drop(columns="_o")
    frame = frame.drop_duplicates(KEY_COLUMNS, keep="first")
    return Targets(_weighted(frame, groups), tuple(groups))


def load_targets(groups: Sequence[TargetGroup] = DEFAULT_GROUPS,
                 cutoff: str | dt.date = DEFAULT_CUTOFF,
                 observed: Callable[[str], pd.DataFrame] | None = None) -> Targets:
    """The calibration targets from the shipped official data (``sidedoor.data.observed``)."""
    if observed is None:
        from sidedoor.data import observed as observed_fn
        observed = observed_fn
    frames = []
    for series in dict.fromkeys(g.series for g in groups):
        try:
            frames.append(observed(series))
        except (KeyError, ValueError, FileNotFoundError) as exc:
            raise ValueError(f"observed series {series!r} is not available: {exc}") from exc
    return assign_groups(pd.concat(frames, ignore_index=True), groups, cutoff)


#: Official residual categories: the official "Other" row of the nationality table is every
#: nationality outside the categories that table lists on that date (its top ten or so), so
#: the model's counterpart is its own total minus the same listed nationalities, not its
#: "Other (model)" bucket (nationalities the model does not track). Until 2026-11-26 the model
#: produced no such row, so these points (a third of the 2004 stock) were never fitted.
RESIDUAL_CATEGORIES: dict[str, str] = {"overstayers_by_nationality": "Other"}


def listed_categories(observed: Callable[[str], pd.DataFrame] | None = None) -> pd.DataFrame:
    """``series, reference_date, category`` of the official rows beside each residual row:
    the categories a residual excludes on its date (from the shipped data)."""
    if observed is None:
        from sidedoor.data import observed as observed_fn
        observed = observed_fn
    frames = []
    for series, residual in RESIDUAL_CATEGORIES.items():
        rows = observed(series)[KEY_COLUMNS].copy()
        rows["reference_date"] = pd.to_datetime(rows["reference_date"])
        dates = rows.loc[rows["category"].eq(residual), "reference_date"]
        frames.append(rows.loc[rows["reference_date"].isin(dates) & rows["category"].ne(residual)])
    return pd.concat(frames, ignore_index=True).drop_duplicates()


def add_residuals(outputs: pd.DataFrame, listed: pd.DataFrame) -> pd.DataFrame:
    """``outputs`` plus the model's value of each official residual row (see
    ``RESIDUAL_CATEGORIES``): on every date of ``listed``, the series' sum over all model
    categories minus its sum over the listed ones. A listed nationality the model does not
    track (Singapore, 2012-2019) stays inside the model's residual: a small upward bias."""
    if listed.empty:
        return outputs
    frame = outputs.copy()
    frame["reference_date"] = pd.to_datetime(frame["reference_date"])
    extra = []
    for series, residual in RESIDUAL_CATEGORIES.items():
        mine = frame.loc[frame["series"].eq(series)]
        want = listed.loc[listed["series"].eq(series)]
        total = mine.groupby("reference_date")["value"].sum()
        named = mine.merge(want, on=KEY_COLUMNS).groupby("reference_date")["value"].sum()
        dates = pd.Index(want["reference_date"].unique()).intersection(total.index)
        value = (total.reindex(dates) - named.reindex(dates).fillna(0.0)).clip(lower=0.0)
        extra.append(pd.DataFrame({"series": series, "reference_date": dates, "category": residual,
                                   "value": value.to_numpy(dtype=float)}))
    return pd.concat([frame, *extra], ignore_index=True)


def held_out(observed: Callable[[str], pd.DataFrame] | None = None,
             groups: Sequence[TargetGroup] = DEFAULT_GROUPS,
             cutoff: str | dt.date = DEFAULT_CUTOFF) -> Targets:
    """Official figures after ``cutoff`` in the target series: never fitted, only predicted."""
    late = dt.date(2100, 1, 1)
    shifted = tuple(
        TargetGroup(g.name, g.series, g.weight, g.description, g.categories,
                    g.first, late if g.last == DEFAULT_CUTOFF else g.last, g.excluded)
        for g in groups)
    everything = load_targets(shifted, cutoff=late, observed=observed)
    return everything.after(cutoff)


def untargeted(observed: Callable[[str], pd.DataFrame] | None = None,
               cutoff: str | dt.date = DEFAULT_CUTOFF) -> Targets:
    """The ``UNTARGETED_GROUPS`` points up to ``cutoff``: never fitted, only predicted."""
    return load_targets(UNTARGETED_GROUPS, cutoff=cutoff, observed=observed)
