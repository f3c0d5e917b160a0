// Scenario builder: collect rule changes, submit a job, poll its progress, chart the result.
"use strict";

const POLL_MS = 500;
let pollTimer = null;
let resultRows = [];

function usedRows() { return [...document.querySelectorAll("tr.rule")].filter((tr) => tr.querySelector(".use").checked); }

function valueOf(tr) {
  const input = tr.querySelector(".value");
  switch (tr.dataset.widget) {
    case "toggle": return input.checked;
    case "slider": case "number": return input.value === "" ? null : Number(input.value);
    default: return input.value;
  }
}

function advanced() {
  const out = {};
  const number = (id) => { const v = document.getElementById(id).value; return v === "" ? null : Number(v); };
  if (number("run-draws") !== null) out.draws = number("run-draws");
  if (number("run-scale") !== null) out.scale = number("run-scale");
  if (number("run-seed") !== null) out.seed = number("run-seed");
  const end = document.getElementById("run-end").value.trim();
  if (end) out.end = end;
  return out;
}

function clearFieldErrors() {
  document.querySelectorAll(".field-error").forEach((e) => { e.hidden = true; e.textContent = ""; });
  document.querySelectorAll("tr.rule.invalid").forEach((tr) => tr.classList.remove("invalid"));
}

/** Put each 422 problem next to its rule (loc body.changes.i.*) and all of them in the banner. */
function showProblems(error, rows) {
  sd.message(error.message);
  if (!error.body || !Array.isArray(error.body.detail)) return;
  for (const problem of error.body.detail) {
    const loc = problem.loc || [];
    const i = loc[0] === "body" && loc[1] === "changes" ? loc[2] : null;
    if (typeof i === "number" && rows[i]) {
      const box = rows[i].querySelector(".field-error");
      box.textContent = `${loc.slice(3).join(".") || "change"}: ${problem.msg}`;
      box.hidden = false;
      rows[i].classList.add("invalid");
      rows[i].closest("details").open = true;
    }
  }
}

async function submit(body, rows = []) {
  sd.clearMessage();
  clearFieldErrors();
  let job;
  try {
    job = await sd.api("/api/scenarios", { method: "POST", body: JSON.stringify({ ...body, ...advanced() }) });
  } catch (error) {
    if (error.status === 422) showProblems(error, rows); else sd.message(error.message);
    return;
  }
  follow(job);
}

function follow(job) {
  document.getElementById("job").hidden = false;
  document.getElementById("result").hidden = true;
  document.getElementById("job-label").textContent = job.label;
  history.replaceState(null, "", `/scenarios?job=${job.job_id}`);
  clearTimeout(pollTimer);
  poll(job.job_id);
}

async function poll(jobId) {
  let job;
  try { job = await sd.api(`/api/scenarios/${jobId}`); } catch (e) { sd.message(e.message); return; }
  document.getElementById("job-label").textContent = job.label;
  document.getElementById("job-progress").value = job.progress;
  const status = document.getElementById("job-status");
  if (job.status === "queued") status.textContent = `queued (position ${job.position ?? "?"})`;
  else if (job.status === "running") status.textContent = job.total_steps ? `running: ${job.done_steps} of ${job.total_steps} draws` : "running";
  else if (job.status === "failed") { status.textContent = "failed"; sd.message(`The run failed: ${job.error}`); loadSaved(); return; }
  else { status.textContent = "done"; await showResult(job.links.result, job.links.csv, `sidedoor-scenario-${job.job_id}.csv`); loadSaved(); return; }
  pollTimer = setTimeout(() => poll(jobId), POLL_MS);
}

function options(select, values, preferred) {
  select.replaceChildren(...values.map((v) => sd.el("option", { value: v }, v)));
  if (values.includes(preferred)) select.value = preferred;
}

/** A headline value in words: an effect as "baseline → reform (difference, 90% band)". */
function headlineText(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return sd.fmt(v, 2);
  if (typeof v !== "object") return String(v);
  if ("difference" in v && "baseline" in v) {
    const band = "q05" in v ? `, 90% band ${sd.fmt(v.q05)} to ${sd.fmt(v.q95)}` : "";
    const rel = typeof v.relative === "number" ? ` (${sd.fmt(100 * v.relative, 1)}%)` : "";
    return `${v.series || ""} ${v.category || ""} ${v.date || ""}: baseline ${sd.fmt(v.baseline)} → reform ${sd.fmt(v.reform)}; `
      + `difference ${sd.fmt(v.difference)}${rel}${band}`;
  }
  return Object.entries(v).map(([k, x]) => `${k}: ${typeof x === "object" ? JSON.stringify(x) : x}`).join("; ");
}

async function showResult(resultUrl, csvUrl, filename) {
  let result;
  try { result = await sd.api(resultUrl); } catch (e) { sd.message(e.message); return; }
  resultRows = result.rows;
  document.getElementById("result").hidden = false;
  document.getElementById("headline").replaceChildren(...Object.entries(result.headline).flatMap(([k, v]) =>
    [sd.el("dt", {}, k.replaceAll("_", " ")), sd.el("dd", {}, headlineText(v))]));
  document.getElementById("reading").textContent = result.reading;
  const link = document.getElementById("download-csv");
  link.href = csvUrl;
  link.setAttribute("download", filename);
  options(document.getElementById("result-series"), result.series, "overstayers");
  pickCategories();
}

function pickCategories() {
  const series = document.getElementById("result-series").value;
  const categories = [...new Set(resultRows.filter((r) => r.series === series).map((r) => r.category))].sort();
  options(document.getElementById("result-category"), categories, "total");
  drawResult();
}

function drawResult() {
  const series = document.getElementById("result-series").value;
  const category = document.getElementById("result-category").value;
  const rows = resultRows.filter((r) => r.series === series && r.category === category);
  const x = rows.map((r) => r.reference_date);
  const add = (a, b) => (a === null || b === null ? null : a + b);
  sd.plot("result-chart", [
    ...sd.band(x, rows.map((r) => add(r.baseline, r.difference_q05)), rows.map((r) => add(r.baseline, r.difference_q95)), "reform 90% band", "rgba(214,39,40,0.15)"),
    { x, y: rows.map((r) => r.baseline), name: "baseline", mode: "lines", line: { color: "#555", dash: "dot" } },
    { x, y: rows.map((r) => r.reform), name: "reform", mode: "lines+markers", line: { color: "#d62728" } },
  ], { title: { text: `${series} — ${category}: baseline and reform` }, yaxis: { rangemode: "tozero" } });
  sd.plot("difference-chart", [
    ...sd.band(x, rows.map((r) => r.difference_q05), rows.map((r) => r.difference_q95), "difference 90% band", "rgba(31,119,180,0.18)"),
    { x, y: rows.map((r) => r.difference), name: "reform − baseline", mode: "lines", line: { color: "#1f77b4" } },
  ], { title: { text: "Effect of the reform (reform − baseline)" } });
}

async function loadSaved() {
  let listing;
  try { listing = await sd.api("/api/scenarios"); } catch (e) { return; }
  sd.fillTable(document.querySelector("#saved-jobs tbody"), listing.jobs.map((j) => [
    j.created_at.replace("T", " ").slice(0, 19), j.label,
    j.status === "failed" ? `failed: ${j.error}` : j.status,
    j.status === "done" ? sd.el("a", { href: `/scenarios?job=${j.job_id}`, "data-job": j.job_id }, "view") : "",
  ]));
  document.querySelectorAll("#saved-jobs a[data-job]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    follow({ job_id: a.dataset.job, label: "" });
  }));
  sd.fillTable(document.querySelector("#stored-runs tbody"), listing.stored_runs.map((r) => [
    sd.el("a", { href: `/api/runs/${r.run_id}/scenario`, "data-run": r.run_id }, r.run_id),
    r.created_at.replace("T", " ").slice(0, 19), r.label || "", r.scale ?? ""]));
  document.querySelectorAll("#stored-runs a[data-run]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    sd.clearMessage();
    document.getElementById("job").hidden = true;
    const base = `/api/runs/${a.dataset.run}/scenario`;
    showResult(base, `${base}.csv`, `sidedoor-scenario-${a.dataset.run}.csv`);
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("tr.rule").forEach((tr) => {
    const input = tr.querySelector(".value");
    const mark = () => { tr.querySelector(".use").checked = true; };
    input.addEventListener("input", () => {
      mark();
      if (tr.dataset.widget === "toggle") tr.querySelector(".state").textContent = String(input.checked);
      if (tr.dataset.widget === "slider") tr.querySelector("output").textContent = input.value;
    });
    input.addEventListener("change", mark);
    tr.querySelectorAll(".start, .stop").forEach((d) => d.addEventListener("change", mark));
  });
  document.getElementById("builder").addEventListener("submit", (event) => {
    event.preventDefault();
    const rows = usedRows();
    const changes = rows.map((tr) => {
      const change = { parameter: tr.dataset.parameter, value: valueOf(tr), start: tr.querySelector(".start").value };
      const stop = tr.querySelector(".stop").value;
      if (stop) change.stop = stop;
      return change;
    });
    const label = document.getElementById("scenario-label").value.trim();
    submit(label ? { label, changes } : { changes }, rows);
  });
  document.querySelectorAll("button.run-named").forEach((b) => b.addEventListener("click", () => submit({ scenario: b.dataset.scenario })));
  document.getElementById("result-series").addEventListener("change", pickCategories);
  document.getElementById("result-category").addEventListener("change", drawResult);
  loadSaved();
  const job = new URLSearchParams(location.search).get("job");
  if (job) follow({ job_id: job, label: "" });
});
