"""The paper's seven fieldwork cases as synthetic persons (MECHANISMS.md; paper §4.1-§5.2).

Each archetype fixes what the paper says about the person (nationality, entry status, the
decade of entry, sector, debt, marriage, child, criminal record, region) and leaves the rest
to the engine's own attribute draws. Where the paper gives no figure (an exact month, Dat's
debt, Wei's years in Japan), the value is an assumption and ``assumptions`` says so. Mali is
not a modelled nationality: Toumani is "Other (model)".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sidedoor.engine.cohort import CohortSpec, VisitorRoute
from sidedoor.engine.population import Sector
from sidedoor.institutions.statuses import Status
from sidedoor.nationalities import Nationality


class ArchetypeError(ValueError):
    """An unknown archetype or attribute; the message lists what is allowed."""


@dataclass(frozen=True)
class Archetype:
    """A kind of person to trace: the attributes of a cohort and where they come from."""

    name: str
    origin: str
    story: str  # the path the paper reports
    section: str
    nationality: Nationality
    status: Status
    entry_date: dt.date
    years: int  # default horizon: years after entry (the length of the reported story)
    female: bool | None = None
    sector: Sector | None = None
    debt_jpy: float | None = None
    married: bool = False
    child: bool = False
    criminal_record: bool = False
    tokyo_area: bool | None = None
    abusive_employer: bool | None = None
    years_in_japan: float = 0.0
    status_at_overstay: Status = Status.TEMPORARY_VISITOR
    visitor_route: VisitorRoute = "drawn"
    shell_school: bool = False  # a language school that leads nowhere (Dat): no progression
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def spec(self, entry_date: dt.date | None = None) -> CohortSpec:
        """The engine cohort this archetype describes."""
        return CohortSpec(
            status=self.status, nationality=self.nationality, entry_date=entry_date or self.entry_date,
            female=self.female, sector=self.sector, debt_jpy=self.debt_jpy, married=self.married,
            child=self.child, criminal_record=self.criminal_record, tokyo_area=self.tokyo_area,
            abusive_employer=self.abusive_employer,
            language_school=True if self.shell_school else None, years_in_japan=self.years_in_japan,
            status_at_overstay=self.status_at_overstay, visitor_route=self.visitor_route)

    def with_changes(self, **changes) -> Archetype:
        """A copy with some attributes changed (``None`` values are ignored); named '<name>*'."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ArchetypeError(f"unknown attributes {sorted(unknown)}")
        name = changes.pop("name", None) or (self.name if self.name.endswith("*") else self.name + "*")
        return dataclasses.replace(self, name=name, **changes)

    def attributes(self) -> dict[str, str]:
        """Readable attributes for tables and figures."""
        def show(v):
            if isinstance(v, (Status, Sector)):
                return v.name.lower()
            if isinstance(v, Nationality):
                return v.label
            return "drawn by the engine" if v is None else str(v)
        keys = ("nationality", "status", "entry_date", "sector", "debt_jpy", "married", "child", "criminal_record",
                "tokyo_area", "abusive_employer", "years_in_japan", "visitor_route", "shell_school")
        return {k: show(getattr(self, k)) for k in keys}


_D = dt.date
ARCHETYPES: dict[str, Archetype] = {a.name: a for a in (
    Archetype("Min", "China (Fujian)", "student -> overstayer; 8 years at a Tsukiji wholesaler", "§4.1",
              Nationality.CHINA, Status.PRE_COLLEGE_STUDENT, _D(1994, 4, 1), 8, female=False,
              sector=Sector.WHOLESALE_MARKET, tokyo_area=True,
              assumptions=("entry 1994-04: interviewed in the early 2000s after 8 years in Japan",
                           "debt: the engine's student-loan draw (the paper gives no figure)")),
    Archetype("Fernand", "Philippines", "temporary visitor -> recycling job -> detected at home after 15 years",
              "§4.1", Nationality.PHILIPPINES, Status.TEMPORARY_VISITOR, _D(1992, 6, 1), 20, female=False,
              sector=Sector.RECYCLING, visitor_route="overstay",
              assumptions=("entry 1992-06 ('early 1990s')", "conditioned on overstaying the visit, as he did",
                           "region: drawn (the paper does not say)")),
    Archetype("Dat", "Vietnam", "shell language school -> no higher education, debt unpaid -> overstayer, "
              "food-factory night shifts", "§4.2", Nationality.VIETNAM, Status.PRE_COLLEGE_STUDENT,
              _D(2016, 4, 1), 8, female=False, sector=Sector.FOOD_PROCESSING, debt_jpy=1_000_000,
              shell_school=True,
              assumptions=("entry 2016-04 (second fieldwork wave, late 2010s)",
                           "debt 1,000,000 JPY: assumed (the paper says only 'still unpaid')",
                           "shell school: no progression to higher education")),
    Archetype("Thanh", "Vietnam", "technical intern in construction, paid 900,000 JPY -> ran away after a year "
              "-> manufacturing at twice the wage -> repaid debt -> detained", "§4.2", Nationality.VIETNAM,
              Status.TECHNICAL_INTERN, _D(2015, 4, 1), 6, female=False, sector=Sector.CONSTRUCTION,
              debt_jpy=900_000, abusive_employer=True, tokyo_area=True,
              assumptions=("entry 2015-04 (second fieldwork wave)",
                           "Tokyo area: he fled to a prefecture close to Tokyo")),
    Archetype("Meriam", "Philippines", "temporary visitor (2016) via a broker -> asylum application -> "
              "no work permit", "§5.1", Nationality.PHILIPPINES, Status.TEMPORARY_VISITOR, _D(2016, 6, 1), 6,
              female=True, debt_jpy=440_000, tokyo_area=False, visitor_route="asylum",
              assumptions=("entry 2016-06", "conditioned on applying for asylum, as she did",
                           "debt: the broker's 200,000 pesos (about 440,000 JPY)",
                           "rural shared house: outside the Tokyo area")),
    Archetype("Wei", "China", "spouse of a Japanese citizen, no child, criminal record -> SPR granted "
              "(early 2000s)", "§5.2", Nationality.CHINA, Status.OVERSTAYER, _D(2003, 1, 1), 6, female=True,
              married=True, criminal_record=True, years_in_japan=5.0,
              assumptions=("starts 2003-01 as an overstayer married to a Japanese citizen",
                           "5 years in Japan before (assumed)", "status before overstaying: assumed visitor")),
    Archetype("Toumani", "Mali ('Other (model)')", "spouse of a Japanese citizen, no child, no record -> "
              "no SPR by 2018", "§5.2", Nationality.OTHER, Status.OVERSTAYER, _D(2013, 1, 1), 6, female=False,
              married=True, years_in_japan=5.0,
              assumptions=("starts 2013-01 as an overstayer married to a Japanese citizen ('for quite a while')",
                           "5 years in Japan before (assumed)", "Mali is not modelled: 'Other (model)'")),
)}


def archetype(name: str) -> Archetype:
    """An archetype by name (case-insensitive)."""
    for key, value in ARCHETYPES.items():
        if key.lower() == name.strip().lower():
            return value
    raise ArchetypeError(f"unknown archetype {name!r}; known: {', '.join(ARCHETYPES)} (or 'custom' with attributes)")


def custom(nationality: str | Nationality, status: str | Status, entry_date: dt.date, **attributes) -> Archetype:
    """A person from attributes (the CLI's ``custom``): nationality label, status label, date."""
    nat = parse_nationality(nationality)
    st = parse_status(status)
    return Archetype("custom", nat.label, "attributes given on the command line", "-", nat, st, entry_date,
                     attributes.pop("years", 10), **{k: v for k, v in attributes.items() if v is not None})


def parse_nationality(value: str | Nationality) -> Nationality:
    if isinstance(value, Nationality):
        return value
    text = str(value).strip().lower()
    for nat in Nationality:
        if text in (nat.label.lower(), nat.name.lower(), nat.name.lower().replace("_", " ")):
            return nat
    raise ArchetypeError(f"unknown nationality {value!r}; known: {', '.join(n.label for n in Nationality)}")


def parse_status(value: str | Status) -> Status:
    if isinstance(value, Status):
        return value
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for st in Status:
        if text == st.label:
            return st
    raise ArchetypeError(f"unknown status {value!r}; known: {', '.join(s.label for s in Status)}")


def parse_sector(value: str | Sector) -> Sector:
    if isinstance(value, Sector):
        return value
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for sec in Sector:
        if text == sec.name.lower():
            return sec
    raise ArchetypeError(f"unknown sector {value!r}; known: {', '.join(s.name.lower() for s in Sector)}")
