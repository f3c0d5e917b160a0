"""Random and malformed reform and parameter files through the ensemble and engine entry points.

Each case ends in a clear validation error (exit code 2 and a one-line message naming the
file, or ``ReformError``/``ParameterError``/``ValueError`` from the API) or in a valid run:
never a traceback, never another exception type, never a partial write to the store.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_fuzz_loaders import (
    PARAMS,
    REFORMABLE,
    STRICT,
    damaged_yaml,
    known_loader_bug,
    numbers,
    reform_doc,
)
from typer.testing import CliRunner

from sidedoor.engine import simulate
from sidedoor.ensemble import EnsembleSpec, EnsembleStore, start
from sidedoor.institutions.parameters import PARAMETER_DIR, ParameterError, load_parameters
from sidedoor.institutions.reforms import ReformError, load_reform_dict
from sidedoor.store import RunStore

IN_CI = bool(os.environ.get("CI"))
SLOW = settings(deadline=None, derandomize=IN_CI, max_examples=30,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COUNTER = itertools.count()


def ensemble_app():
    import typer

    from sidedoor.cli.ensemble import register

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return app


APP = ensemble_app()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("entry")


@settings(SLOW, max_examples=25)
@given(data=damaged_yaml(reform_doc))
def test_ensemble_cli_with_fuzzed_reform_files(work: Path, data: bytes) -> None:
    """`sidedoor ensemble --reform FILE --dry-run`: exit 0 or exit 2 with one line; no store."""
    i = next(COUNTER)
    reform, store = work / f"reform-{i}.yaml", work / f"store-{i}.duckdb"
    reform.write_bytes(data)
    result = CliRunner().invoke(APP, ["ensemble", "--runs", "2", "--reform", str(reform),
                                      "--dry-run", "--store", str(store)])
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "error:" in result.output and str(reform) in " ".join(result.output.split())
    else:
        assert "dry run" in result.output
    assert not store.exists(), "a dry run or a refused reform wrote to the store"


@settings(SLOW, max_examples=300)
@given(doc=reform_doc)
def test_ensemble_api_with_fuzzed_reform_documents(work: Path, doc: object) -> None:
    """`ensemble.start`: a refused reform leaves no store; a valid one stores a whole plan."""
    store = RunStore(work / f"api-{next(COUNTER)}.duckdb")
    spec = EnsembleSpec(kind="ensemble", master_seed=1, n_runs=3, scale=0.01,
                        start=dt.date(1990, 1, 1), end=dt.date(1990, 6, 1), draws_from="prior",
                        reform=doc)
    try:
        ensemble_id = start(store, spec, PARAMS)
    except (ReformError, ParameterError) as exc:
        assert "key " in str(exc) or "parameter" in str(exc)
        assert not store.path.exists()
        return
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{type(exc).__name__} escaped ensemble.start: {exc}"
                    + (f" (known loader bug {known_loader_bug(exc)})" if known_loader_bug(exc) else ""))
    assert len(EnsembleStore(store).load_plan(ensemble_id)) == 3
    assert EnsembleStore(store).check() == [] and store.check() == []


def values_for(unit: str) -> st.SearchStrategy:
    """Values a reform may legitimately set, edges included."""
    if unit == "bool":
        return st.booleans()
    if unit in ("rate", "monthly_hazard", "share"):
        return st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0, 1))
    if unit == "category":
        return st.sampled_from(["strict", "generous", "1,2", "8"])
    return st.one_of(st.sampled_from([0, 1, 12, 1e6]), st.floats(0, 1e9), numbers)


@st.composite
def valid_reform(draw: st.DrawFn) -> tuple[dict, dt.date]:
    name = draw(st.sampled_from(REFORMABLE))
    start_d = draw(st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31)))
    change = {"parameter": name, "value": draw(values_for(PARAMS[name].unit)),
              "start": start_d.isoformat()}
    return {"name": "fuzz", "description": "fuzzed", "reference": "test",
            "changes": [change]}, start_d


@settings(SLOW, max_examples=15)
@given(case=valid_reform())
def test_engine_runs_every_reform_that_validates(case: tuple[dict, dt.date]) -> None:
    """A reform that passes validation must run: the engine may not be the validator."""
    doc, start_d = case
    try:
        reform = load_reform_dict(doc, PARAMS, source="<fuzz>")
        reform.apply(PARAMS)
    except (ReformError, ParameterError):
        return
    except TypeError as exc:  # huge integers: a known, reported validator bug
        assert known_loader_bug(exc) == "huge-integer", exc
        return
    first = dt.date(start_d.year, start_d.month, 1)
    last = (first + dt.timedelta(days=70)).replace(day=1)
    try:
        result = simulate(PARAMS, reform=reform, seed=1, start=first, end=last, scale=0.002)
    except ParameterError as exc:
        # A rule switched on before its companion rules exist (reported: the reform
        # validator does not check this); the engine's refusal names parameter and date.
        assert "has no value on" in str(exc), exc
        return
    except TypeError:
        if doc["changes"][0]["parameter"] in KNOWN_ENGINE_BUGS and not STRICT:
            return
        raise
    assert len(result.monthly_stock) > 0  # (a short window may hold no official date)
    assert result.outputs["value"].notna().all()


#: Reformable parameters whose validated reform crashes the engine (reported).
KNOWN_ENGINE_BUGS = {"behaviour.living_cost_share"}


def test_behavioural_parameters_are_not_reformable() -> None:
    """Was a crash (a dated behaviour parameter reached float(list)); reforms change rules only."""
    doc = {"name": "a", "description": "b", "reference": "c", "changes": [
        {"parameter": "behaviour.living_cost_share", "value": 0.5, "start": "1990-02-01"}]}
    with pytest.raises(ReformError, match="not reformable"):
        load_reform_dict(doc, PARAMS)


def test_a_switch_moved_before_its_companion_rules_is_rejected() -> None:
    doc = {"name": "a", "description": "b", "reference": "c", "changes": [
        {"parameter": "asylum.work_permit_enabled", "value": True, "start": "1990-01-01"}]}
    with pytest.raises(ReformError, match=r"changes\[0\].*work_permit_months_after_application"):
        load_reform_dict(doc, PARAMS)


SHIPPED = sorted(PARAMETER_DIR.glob("*.yaml"))


@st.composite
def mutated_parameter_file(draw: st.DrawFn) -> tuple[Path, bytes, str]:
    """A shipped parameter file with one parameter's field or first value replaced."""
    path = draw(st.sampled_from(SHIPPED))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    key = draw(st.sampled_from(sorted(doc["parameters"])))
    body = doc["parameters"][key]
    what = draw(st.sampled_from(["value", "value", "value", "unit", "drop", "field"]))
    if what == "value":
        first = next(iter(body["values"]))
        body["values"][first] = draw(st.one_of(numbers, st.booleans(), st.text(max_size=5)))
    elif what == "unit":
        body["unit"] = draw(st.sampled_from(["rate", "months", "bool", "category", "furlongs"]))
    elif what == "drop":
        del doc["parameters"][key]
    else:
        body[draw(st.sampled_from(["provenance", "values", "prior"]))] = draw(numbers)
    name = f"{path.stem}.{key}"
    return path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8"), name


@settings(SLOW, max_examples=12)
@given(case=mutated_parameter_file())
def test_engine_with_a_mutated_parameter_file(work: Path, case: tuple[Path, bytes, str]) -> None:
    """Load the shipped files with one mutated: a ParameterError, or a set the engine runs."""
    shipped, data, name = case
    folder = work / f"params-{next(COUNTER)}"
    folder.mkdir()
    (folder / shipped.name).write_bytes(data)
    files = [folder / shipped.name if p == shipped else p for p in SHIPPED]
    files += sorted((PARAMETER_DIR.parents[1] / "engine").glob("*.yaml"))
    try:
        params = load_parameters(files)
    except ParameterError as exc:
        assert str(folder / shipped.name) in str(exc)
        return
    assume(len(params) == len(PARAMS))  # a dropped parameter is the engine's to refuse: below
    try:
        result = simulate(params, seed=1, start="1990-01", end="1990-04", scale=0.002)
    except ValueError as exc:
        if params[name].unit == "category" and not STRICT:
            return  # reported: category values are checked in reforms, not in parameter files
        raise AssertionError(f"{name}: {exc}") from exc
    assert len(result.monthly_stock) > 0 and result.outputs["value"].notna().all()


def test_category_values_are_checked_on_load(work: Path) -> None:
    source = PARAMETER_DIR / "students.yaml"
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    first = next(iter(doc["parameters"]["vacation_months"]["values"]))
    doc["parameters"]["vacation_months"]["values"][first] = ""
    (work / "students.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    files = [work / "students.yaml" if p == source else p for p in SHIPPED]
    with pytest.raises(ParameterError, match="vacation_months"):
        load_parameters(files + sorted((PARAMETER_DIR.parents[1] / "engine").glob("*.yaml")))


def test_engine_refuses_a_parameter_set_missing_a_parameter() -> None:
    """A set without a rule the engine needs fails with a KeyError naming it, not silently."""
    params = load_parameters()
    missing = type(params)([p for p in params if p.name != "behaviour.detection_hazard"])
    with pytest.raises(KeyError, match="detection_hazard"):
        simulate(missing, seed=1, start="1990-01", end="1990-03", scale=0.002)
