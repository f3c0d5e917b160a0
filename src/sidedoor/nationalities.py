"""Nationalities the model tracks, as compact integer codes with the official statistics' labels.

The labels are those of the shipped data (``sidedoor.data``), so simulated rows by nationality
join observed rows directly. "Other (model)" means every nationality not listed here; the
official "Other" row means every nationality outside that table's top ten, so the two are not
the same quantity. The calibration compares the official "Other" with the model's total minus
the nationalities that table lists (``calibration.targets.add_residuals``).
"""

from __future__ import annotations

from enum import IntEnum


class Nationality(IntEnum):
    CHINA = 0
    SOUTH_KOREA = 1
    PHILIPPINES = 2
    THAILAND = 3
    VIETNAM = 4
    TAIWAN = 5
    INDONESIA = 6
    BRAZIL = 7
    PERU = 8
    IRAN = 9
    PAKISTAN = 10
    BANGLADESH = 11
    SRI_LANKA = 12
    NEPAL = 13
    MYANMAR = 14
    MALAYSIA = 15
    OTHER = 16

    @property
    def label(self) -> str:
        """The label used by the official statistics (and the shipped data)."""
        return LABELS[self]


LABELS: dict[Nationality, str] = {
    Nationality.CHINA: "China",
    Nationality.SOUTH_KOREA: "South Korea",
    Nationality.PHILIPPINES: "Philippines",
    Nationality.THAILAND: "Thailand",
    Nationality.VIETNAM: "Vietnam",
    Nationality.TAIWAN: "Taiwan",
    Nationality.INDONESIA: "Indonesia",
    Nationality.BRAZIL: "Brazil",
    Nationality.PERU: "Peru",
    Nationality.IRAN: "Iran",
    Nationality.PAKISTAN: "Pakistan",
    Nationality.BANGLADESH: "Bangladesh",
    Nationality.SRI_LANKA: "Sri Lanka",
    Nationality.NEPAL: "Nepal",
    Nationality.MYANMAR: "Myanmar",
    Nationality.MALAYSIA: "Malaysia",
    Nationality.OTHER: "Other (model)",
}

BY_LABEL: dict[str, Nationality] = {label: nat for nat, label in LABELS.items()}


def from_label(label: str) -> Nationality:
    """Official label (e.g. 'South Korea') -> code; raises KeyError naming the label."""
    try:
        return BY_LABEL[label]
    except KeyError:
        known = ", ".join(sorted(BY_LABEL))
        raise KeyError(f"unknown nationality {label!r}; known: {known}") from None
