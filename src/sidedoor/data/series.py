"""The registry of series keys: what each series measures, in which unit, dated how.

Targets are what the model must reproduce (docs/CONTRACTS.md); inputs are exogenous
drivers; ``reference`` series give context (lower bounds, unverified or procedural
counts) and are neither fitted nor fed to the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["target", "input", "reference"]
KINDS: tuple[Kind, ...] = ("target", "input", "reference")

STOCK = "stock"
YEAR_FLOW = "calendar-year flow"
HALF_FLOW = "half-year flow"
YEAR_AVERAGE = "calendar-year average"
EVENT = "event"
CUMULATIVE = "cumulative flow"

#: End of the paper's period: target rows after it are kept for out-of-sample validation
#: only and must not be used to tune a model (shared data README).
PAPER_PERIOD_END = dt.date(2020, 1, 1)

_YEAR_END = "last day of the calendar year (YYYY-12-31)"
_HALF_END = "last day of the half-year (YYYY-06-30 for January-June)"
_STATUS_NOTE = ("就学 (pre-college) is merged into 留学 (student) from 2010-07-01; 技能実習 "
                "(technical intern) exists as a status from 2010-07-01, 研修 (trainee) before")


@dataclass(frozen=True)
class SeriesMeta:
    """Static description of one series key."""

    key: str
    title: str
    definition: str
    unit: str
    kind: Kind
    period: str
    reference_date_rule: str
    categories: str
    notes: tuple[str, ...] = ()
    publisher: str = "Ministry of Justice / Immigration Services Agency (ISA)"


_SERIES: tuple[SeriesMeta, ...] = (
    SeriesMeta(
        "overstayers", "Overstayers (official estimate)",
        "不法残留者: foreigners staying beyond their authorized period, estimated by the "
        "Ministry of Justice / ISA from embarkation records and deportation data; excludes "
        "illegal entrants", "persons", "target", STOCK,
        "real survey dates: 1990-07-01; May 1 for 1991-1996; January 1 from 1997",
        "total",
        ("dates are the published reference dates, never shifted to a common day",
         "1993-05-01 is the all-time peak, 2014-01-01 the low"),
    ),
    SeriesMeta(
        "overstayers_midyear", "Overstayers, supplementary estimates",
        "July 1 estimates (2017-2019) and approximate November 1 estimates (1992, 1994, "
        "1995) between the annual counts", "persons", "target", STOCK,
        "real survey dates (July 1 or November 1)", "total",
        ("the November figures are rounded White Paper estimates",
         "the rounded 1990-07-01 figure is an alternative of 'overstayers', not listed here"),
    ),
    SeriesMeta(
        "overstayers_by_nationality", "Overstayers by nationality",
        "the official overstayer estimate broken down by nationality", "persons", "target",
        STOCK, "real survey dates (as 'overstayers', plus July 1 lists 2017-2019 and "
        "November 1 lists in the 1990s)",
        "nationality label as in the data; 'Other' = outside that table's top ten",
        ("full top-10 + Other only for some dates; partial lists elsewhere",
         "1990s figures are rounded White Paper estimates (November 1)",
         "2008 Indonesia dropped: impossible value in the only copy"),
    ),
    SeriesMeta(
        "overstayers_by_status", "Overstayers by status at the time of overstay",
        "the status an overstayer held when the authorized stay ran out", "persons",
        "target", STOCK, "real survey dates (January 1 or July 1)",
        "temporary_visitor, entertainer, pre_college_student, student, trainee, "
        "technical_intern, spouse_of_japanese, long_term_resident, designated_activities, "
        "other; 'Nationality|status' for nationality-specific rows (Vietnam)",
        (_STATUS_NOTE,
         "'other' holds whatever a given release did not list separately, so it is not "
         "comparable across dates",
         "designated_activities on 2018-01-01 and 2019-01-01 come from the paper (§5.1)"),
    ),
    SeriesMeta(
        "overstayers_by_sex", "Overstayers by sex", "the official overstayer estimate by sex",
        "persons", "target", STOCK, "real survey dates", "male, female",
    ),
    SeriesMeta(
        "technical_interns", "Technical interns (stock)",
        "foreign residents holding a technical intern training status (技能実習)",
        "persons", "target", STOCK, "real reference dates (June 30 or December 31)",
        "total or nationality label",
        ("end-2014 figure is an approximate 'about 170,000'",
         "also an input: rows after 2020-01-01 are out of sample (validation only)",
         "Vietnamese stock 2015-2017 from the paper's Table 1 (§4.2)"),
    ),
    SeriesMeta(
        "interns_disappeared", "Disappeared technical interns (失踪)",
        "reports of technical interns who left their designated employer during the year: "
        "a flow of reports, not persons still missing", "reports per year", "target",
        YEAR_FLOW, _YEAR_END, "total or nationality label",
    ),
    SeriesMeta(
        "asylum_applications", "Refugee status applications",
        "applications for refugee recognition (first instance)", "applications per year",
        "target", YEAR_FLOW, _YEAR_END, "total",
        ("2017: ISA final 19,629 preferred over the preliminary 19,628 (Reuters, the paper)",),
    ),
    SeriesMeta(
        "asylum_recognized", "Refugees recognized",
        "persons recognized as refugees, including on appeal", "persons per year", "target",
        YEAR_FLOW, _YEAR_END, "total; on_appeal (the part recognized on appeal)",
    ),
    SeriesMeta(
        "spr_granted", "Special permission for residence granted",
        "在留特別許可 granted by the Minister of Justice, total and by the ground of the "
        "deportation case", "persons per year", "target", YEAR_FLOW, _YEAR_END,
        "total; overstay, illegal_entry, criminal_etc",
        ("2002 overstay-based grants are inflated by a procedural change (late renewals "
         "routed through the deportation procedure from autumn 2002)",
         "2009-2013 totals are grants at the Minister's decision on objections",
         "no official source for 2015-2019; 2018 (1,371) comes from the paper (§5.2)"),
    ),
    SeriesMeta(
        "deportations", "Persons processed in deportation procedures",
        "退去強制手続: persons processed in deportation procedures (White Paper on Crime "
        "series), including departure orders from 2004-12-02", "persons per year", "target",
        YEAR_FLOW, _YEAR_END, "total",
        ("the unverified wiki series is kept apart as 'deportations_unverified'",),
    ),
    SeriesMeta(
        "deportations_by_status", "Persons processed in deportation procedures, by last status",
        "退去強制手続を執った外国人, by the last status of residence held (最終の在留資格); "
        "overstayers by their status at the time of overstay", "persons per year", "target",
        YEAR_FLOW, _YEAR_END, "temporary_visitor, technical_intern, designated_activities",
        ("only the three largest statuses of 2019, from the ISA press release "
         "(release_figures.csv, not the shared tables)",),
    ),
    SeriesMeta(
        "departure_orders", "Departure orders", "出国命令: overstayers leaving under the "
        "departure-order system (from 2004-12-02)", "persons per year", "target",
        YEAR_FLOW, _YEAR_END, "total",
    ),
    SeriesMeta(
        "new_entries", "New entries by status",
        "新規入国者: foreigners entering Japan, re-entries excluded", "persons per year",
        "input", YEAR_FLOW, _YEAR_END,
        "total or status in snake_case; 'Nationality|status' for nationality-specific "
        "rows (e.g. 'South Korea|total', 'Pakistan|temporary_visitor')",
        (_STATUS_NOTE, "technical_intern_i_b is a subset of technical_intern_i",
         "counts by status exist for a few years only; shares are in 'new_entries_share' "
         "and are never converted to counts here"),
    ),
    SeriesMeta(
        "new_entries_share", "New entries by status, share",
        "a status's share of all new entries in the year", "percent", "input", YEAR_FLOW,
        _YEAR_END, "status in snake_case (student_pre_college_trainee is a combined share)",
    ),
    SeriesMeta(
        "new_entries_half_year", "New entries by status, half-year",
        "新規入国者 in January-June", "persons per half-year", "input", HALF_FLOW, _HALF_END,
        "total or status in snake_case",
    ),
    SeriesMeta(
        "new_entries_share_half_year", "New entries by status, half-year share",
        "a status's share of all new entries in January-June", "percent", "input",
        HALF_FLOW, _HALF_END, "status in snake_case",
    ),
    SeriesMeta(
        "foreign_residents", "Foreign residents by status and nationality",
        "the foreign-resident stock on three different bases", "persons", "input", STOCK,
        "real reference dates (mostly December 31; some June 30)",
        "'basis|status' or 'basis|Nationality|status', basis = registered (外国人登録者, to "
        "2011), resident (在留外国人, from 2011) or resident_rebased (ISA re-based 2008-2018)",
        ("the three bases count different populations and must not be spliced",),
    ),
    SeriesMeta(
        "job_openings_ratio", "Job openings-to-applicants ratio",
        "有効求人倍率: effective job openings per applicant, calendar-year average (excl. new "
        "graduates, incl. part-time)", "openings per applicant", "input", YEAR_AVERAGE,
        "last day of the calendar year averaged (YYYY-12-31)", "total",
        ("missing 1992-94, 2002, 2008, 2010-14: never interpolated",),
        "Ministry of Health, Labour and Welfare (MHLW)",
    ),
    SeriesMeta(
        "visa_policy_events", "Visa-policy events",
        "dated policy events (visa exemptions suspended or started, new statuses and "
        "procedures); value 1 marks an event, it is not a count", "event indicator",
        "input", EVENT, "event date; a year-precision event is dated January 1 of its year "
        "and its source_note gives the precision", "'country: event_type'", (),
        "MOFA, MoJ / ISA and press reports of their announcements",
    ),
    SeriesMeta(
        "interns_disappeared_half_year", "Disappeared technical interns, January-June",
        "失踪 reports in the first half of the year", "reports per half-year", "reference",
        HALF_FLOW, _HALF_END, "total",
    ),
    SeriesMeta(
        "trainees_disappeared_cumulative", "Trainees and interns missing, 2002-2006",
        "trainees/interns who went missing over 2002-2006, and all participants in that "
        "period (pre-2010 trainee scheme)", "persons", "reference", CUMULATIVE,
        "end of the period (2006-12-31)", "disappeared, participants",
    ),
    SeriesMeta(
        "asylum_humanitarian", "Humanitarian permission to stay (asylum)",
        "rejected refugee applicants permitted to stay for humanitarian reasons",
        "persons per year", "reference", YEAR_FLOW, _YEAR_END, "total",
    ),
    SeriesMeta(
        "refugees_resettled", "Resettled refugees",
        "Indochinese refugees (定住難民) until 2005; third-country resettlement from 2010",
        "persons per year", "reference", YEAR_FLOW, _YEAR_END, "total",
    ),
    SeriesMeta(
        "asylum_recognized_cumulative", "Refugees recognized since 1982 (paper)",
        "all refugee recognitions since 1982, as stated by the paper", "persons",
        "reference", CUMULATIVE, "end of the year named ('by 2020' -> 2020-12-31)", "total",
        (), "Kato & Liu-Farrer (the paper)",
    ),
    SeriesMeta(
        "spr_granted_lower_bound", "SPR granted: the paper's lower bound",
        "'more than 10,000' grants a year in 2003-2005 (§5.2): a lower bound, not a count",
        "persons per year (lower bound)", "reference", YEAR_FLOW, _YEAR_END, "total",
        (), "Kato & Liu-Farrer (the paper)",
    ),
    SeriesMeta(
        "spr_procedure", "Deportation-case funnel (SPR decisions)",
        "cases at each stage of the deportation procedure where SPR is decided",
        "cases per year", "reference", YEAR_FLOW, _YEAR_END,
        "violation_review_cases_received, oral_hearing_cases_received, "
        "oral_hearing_requests, objection_cases_received, objections_without_merit, "
        "deportation_orders_after_objection_refused",
    ),
    SeriesMeta(
        "deportations_half_year", "Persons processed in deportation procedures, Jan-Jun",
        "as 'deportations', first half of the year", "persons per half-year", "reference",
        HALF_FLOW, _HALF_END, "total",
    ),
    SeriesMeta(
        "deportations_unverified", "Deportation procedures (wiki series, unverified)",
        "退去強制手続き数 from a wiki table citing MoJ data; definition unverified",
        "persons per year", "reference", YEAR_FLOW, _YEAR_END, "total",
        ("differs slightly from the White Paper series in 1989 and 1993; never mixed with "
         "'deportations'",),
    ),
    SeriesMeta(
        "deportation_orders", "Deportation orders",
        "deportation orders issued, persons deported under them, and orders issued after "
        "an objection was dismissed", "persons per year", "reference", YEAR_FLOW, _YEAR_END,
        "issued, deported, after_objection",
    ),
)

SERIES: dict[str, SeriesMeta] = {meta.key: meta for meta in _SERIES}
