"""From a cohort's event log to pathways: status sequences, ends, time to illegality, a typical path.

The ends partition the cohort, so their probabilities sum to one: the *first* exit from the
back door decides the end (departed, deported, regularized by special permission, recognized
as a refugee), whatever happens later (an SPR holder who later leaves still ended by SPR);
those without one are either still unauthorized at the horizon (overstaying, detained or on
provisional release) or still legal (a status the contract's five ends do not cover, kept
separate rather than folded into one of them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidedoor.engine.cohort import CohortRun

ENDS = ("departed", "deported", "spr_regularized", "recognized", "unauthorized_at_horizon", "legal_at_horizon")
EXIT_OF = {"departed": "departed", "deported": "deported", "spr_regularized": "spr_regularized",
           "recognized_refugee": "recognized"}
UNAUTHORIZED = frozenset({"overstayer", "detained", "provisional_release"})
SEPARATOR = " -> "

MECHANISM_NAMES = {
    "M1": "entry channels (§4.1)", "M2": "labour-market niche (§4.1)", "M3": "side door to back door (§4.2)",
    "M4": "migration industry (§4.2)", "M5": "refugee recognition system (§5.1)",
    "M6": "special permission for residence (§5.2)", "M7": "enforcement (§1, §6)", "M8": "political system",
}

#: (from, to, mechanism) -> what happened; '*' matches any status.
STEP_TEXT: dict[tuple[str, str, str], str] = {
    ("outside", "overstayer", "M1"): "trace starts: already in Japan without a status",
    ("outside", "*", "M1"): "enters Japan",
    ("temporary_visitor", "overstayer", "M3"): "stays on after the 90-day visit",
    ("temporary_visitor", "asylum_applicant", "M5"): "applies for asylum through a broker",
    ("temporary_visitor", "departed", "M1"): "leaves after the visit",
    ("technical_intern", "technical_intern", "M3"): "runs away from the employer: a 'disappeared' intern, "
                                                     "working without authorization while the permit runs",
    ("trainee", "trainee", "M3"): "runs away from the training employer while the permit runs",
    ("technical_intern", "overstayer", "M3"): "stays on when the permit ends (a runaway's permit, or the "
                                              "programme's end)",
    ("trainee", "overstayer", "M3"): "stays on when the traineeship permit ends (after running away, or at its end)",
    ("pre_college_student", "overstayer", "M3"): "stays on when the language-school permit ends",
    ("college_student", "overstayer", "M3"): "stays on when the student permit ends",
    ("*", "overstayer", "M3"): "stays on when the permit ends",
    ("*", "overstayer", "M5"): "loses the asylum applicant's permit: overstays",
    ("asylum_applicant", "asylum_applicant_work_permit", "M5"): "work permit six months after applying (2010 rule)",
    ("*", "asylum_applicant", "M5"): "applies for asylum before the permit ends",
    ("*", "recognized_refugee", "M5"): "recognized as a refugee",
    ("*", "departed", "M5"): "leaves after the asylum permit lapses",
    ("overstayer", "detained", "M7"): "detected by immigration",
    ("overstayer", "detained", "M6"): "turns themself in to ask for special permission",
    ("*", "spr_regularized", "M6"): "granted special permission for residence",
    ("detained", "deported", "M7"): "deported",
    ("detained", "departed", "M7"): "leaves under a departure order",
    ("detained", "provisional_release", "M7"): "provisional release: a pending asylum claim blocks removal",
    ("overstayer", "departed", "M7"): "turns themself in and leaves under a departure order",
    ("overstayer", "deported", "M7"): "turns themself in and is deported",
    ("provisional_release", "deported", "M7"): "removed after provisional release",
    ("provisional_release", "departed", "M7"): "leaves after provisional release",
    ("pre_college_student", "college_student", "M1"): "moves on to higher education",
    ("college_student", "college_student", "M1"): "moves on to higher education",
    ("trainee", "technical_intern", "M1"): "trainee becomes a technical intern",
    ("technical_intern", "specified_skilled_worker", "M1"): "moves on to Specified Skilled Worker",
    ("*", "departed", "M1"): "leaves Japan when the permit ends",
}


def describe(frm: str, to: str, mechanism: str) -> str:
    """What a step means, in the paper's terms, with its mechanism and section."""
    if frm == "outside" and to == "overstayer":  # the trace starts inside Japan: no mechanism acted
        return STEP_TEXT[(frm, to, "M1")]
    for key in ((frm, to, mechanism), (frm, "*", mechanism), ("*", to, mechanism)):
        if key in STEP_TEXT:
            return f"{STEP_TEXT[key]} [{mechanism}: {MECHANISM_NAMES.get(mechanism, mechanism)}]"
    return f"{frm} -> {to} [{mechanism}: {MECHANISM_NAMES.get(mechanism, mechanism)}]"


def person_paths(run: CohortRun) -> pd.DataFrame:
    """One row per member: sequence, end, months to losing legal status, step months.

    Plain arrays rather than a pandas groupby: a trace has thousands of members and the
    dashboard calls it interactively.
    """
    events = run.events.sort_values(["person", "month"], kind="stable")
    entry = pd.Timestamp(run.entry_date)
    month = pd.to_datetime(events["month"])
    offsets = ((month.dt.year - entry.year) * 12 + (month.dt.month - entry.month)).to_numpy()
    person = events["person"].to_numpy()
    status = events["to_status"].astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    bounds = np.r_[starts, len(person)]
    final = run.final_status.to_dict()
    rows = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        statuses, months = list(status[lo:hi]), [int(x) for x in offsets[lo:hi]]
        seq = [statuses[0]] + [b for a, b in zip(statuses, statuses[1:]) if b != a]
        end = next((EXIT_OF[x] for x in statuses if x in EXIT_OF), None)
        if end is None:
            end = "unauthorized_at_horizon" if final.get(person[lo], statuses[-1]) in UNAUTHORIZED else "legal_at_horizon"
        lost = next((m for m, x in zip(months, statuses) if x == "overstayer"), None)
        rows.append({"person": person[lo], "sequence": SEPARATOR.join(seq), "end": end, "months_to_loss": lost,
                     "step_months": months})
    return pd.DataFrame(rows)


def _months(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def sequences(paths: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most common status sequences with their share of the cohort."""
    counts = paths["sequence"].value_counts()
    frame = pd.DataFrame({"sequence": counts.index, "count": counts.to_numpy()})
    frame["share"] = frame["count"] / len(paths)
    return frame.head(top).reset_index(drop=True)


def outcomes(paths: pd.DataFrame) -> dict[str, float]:
    """Probability of each end; sums to one."""
    shares = paths["end"].value_counts(normalize=True)
    return {end: float(shares.get(end, 0.0)) for end in ENDS}


def time_to_loss(paths: pd.DataFrame) -> dict[str, float]:
    """Months from entry to first overstay: share who ever lose legal status and quantiles."""
    months = paths["months_to_loss"].dropna().to_numpy(dtype=float)
    out = {"share_losing_status": float(len(months) / len(paths)) if len(paths) else 0.0}
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        out[f"q{int(q * 100):02d}"] = float(np.quantile(months, q)) if len(months) else float("nan")
    return out


def typical_path(run: CohortRun, paths: pd.DataFrame) -> pd.DataFrame:
    """The member of the most common sequence whose step months are closest to its median."""
    top = paths["sequence"].value_counts().index[0]
    members = paths[paths["sequence"] == top]
    lengths = members["step_months"].map(len)
    members = members[lengths == lengths.mode().iloc[0]]
    steps = np.array(members["step_months"].tolist(), dtype=float)
    median = np.median(steps, axis=0)
    pick = members.iloc[int(np.argmin(np.abs(steps - median).sum(axis=1)))]["person"]
    ev = run.events[run.events["person"] == pick].sort_values("month", kind="stable")
    return pd.DataFrame({
        "month": pd.to_datetime(ev["month"]).dt.date.to_numpy(),
        "status": ev["to_status"].to_numpy(),
        "mechanism": ev["mechanism"].to_numpy(),
        "what": [describe(f, t, k) for f, t, k in zip(ev["from_status"], ev["to_status"], ev["mechanism"])],
    }).reset_index(drop=True)

