// Pathways: trace an archetype or attributes; show outcome probabilities and a typical path.
"use strict";

function attributeRow(key = "", value = "") {
  const row = sd.el("div", { class: "attribute" },
    sd.el("input", { type: "text", class: "key", placeholder: "attribute", value: key, "aria-label": "attribute name" }),
    sd.el("input", { type: "text", class: "val", placeholder: "value", value: String(value), "aria-label": "attribute value" }));
  const remove = sd.el("button", { type: "button", class: "remove", "aria-label": "remove attribute" }, "×");
  remove.addEventListener("click", () => row.remove());
  row.append(remove);
  document.getElementById("attributes").append(row);
}

function fillFromArchetype() {
  const option = document.getElementById("archetype").selectedOptions[0];
  document.getElementById("attributes").replaceChildren();
  if (!option) return;
  const attributes = JSON.parse(option.dataset.attributes || "{}");
  for (const [k, v] of Object.entries(attributes)) {
    if (v === null || typeof v === "object") continue;
    attributeRow(k, v);
  }
}

/** Attribute values typed as text become booleans or numbers when they look like one. */
function typed(text) {
  if (text === "true" || text === "false") return text === "true";
  if (text.trim() !== "" && !Number.isNaN(Number(text))) return Number(text);
  return text;
}

async function trace(event) {
  event.preventDefault();
  sd.clearMessage();
  const mode = document.querySelector("input[name=mode]:checked").value;
  const body = { n: Number(document.getElementById("trace-n").value), seed: Number(document.getElementById("trace-seed").value) };
  if (mode !== "own") body.archetype = document.getElementById("archetype").value;
  if (mode !== "archetype") {
    body.attributes = {};
    document.querySelectorAll("#attributes .attribute").forEach((row) => {
      const key = row.querySelector(".key").value.trim();
      if (key) body.attributes[key] = typed(row.querySelector(".val").value);
    });
  }
  const entry = document.getElementById("entry-date").value;
  if (entry) body.entry_date = entry;
  const scenario = document.getElementById("trace-scenario").value;
  if (scenario) body.scenario = scenario;
  const status = document.getElementById("trace-status");
  status.textContent = "tracing…";
  let result;
  try { result = await sd.api("/api/traces", { method: "POST", body: JSON.stringify(body) }); } catch (e) { status.textContent = ""; sd.message(e.message); return; }
  status.textContent = `${result.n} people traced`;
  show(result);
}

function show(result) {
  document.getElementById("trace-result").hidden = false;
  document.getElementById("trace-subject").textContent = result.subject;
  const names = Object.keys(result.outcomes);
  sd.plot("outcome-chart", [{
    type: "bar", orientation: "h", y: names.map((n) => n.replaceAll("_", " ")), x: names.map((n) => result.outcomes[n]),
    text: names.map((n) => `${sd.fmt(100 * result.outcomes[n], 1)}%`), textposition: "auto", marker: { color: "#1f77b4" },
  }], { title: { text: "Outcome probabilities" }, xaxis: { range: [0, 1], tickformat: ".0%" }, margin: { l: 170, r: 20, t: 40, b: 40 } });
  document.getElementById("time-to-loss").replaceChildren(...Object.entries(result.time_to_loss).flatMap(([k, v]) => {
    const name = k === "share_losing_status" ? "share who lose legal status" : `${k.replace("q", "")}% lose it within`;
    const shown = v === null ? "never (within the horizon)" : (k === "share_losing_status" ? `${sd.fmt(100 * v, 1)}%` : `${sd.fmt(v, 1)} months`);
    return [sd.el("dt", {}, name), sd.el("dd", {}, shown)];
  }));
  const steps = result.typical;
  sd.plot("typical-chart", [{
    x: steps.map((s) => s.month), y: steps.map((s) => s.status.replaceAll("_", " ")), mode: "lines+markers", line: { shape: "hv" },
    text: steps.map((s) => s.mechanism || ""), hovertemplate: "month %{x}: %{y}<br>%{text}<extra></extra>",
  }], { title: { text: "A typical path" }, margin: { l: 200, r: 20, t: 40, b: 40 }, xaxis: { title: { text: "month" } } });
  sd.fillTable(document.querySelector("#typical tbody"), steps.map((s) => [s.month, s.status, s.mechanism || ""]));
  sd.fillTable(document.querySelector("#sequences tbody"), result.sequences.map((s) => [s.sequence, `${sd.fmt(100 * s.share, 1)}%`]));
}

document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("archetype");
  select.addEventListener("change", fillFromArchetype);
  // Editing an attribute means tracing the archetype changed (unless a person of one's own).
  document.getElementById("attributes").addEventListener("input", () => {
    const own = document.querySelector("input[name=mode][value=own]");
    if (!own.checked) document.querySelector("input[name=mode][value=changed]").checked = true;
  });
  document.getElementById("add-attribute").addEventListener("click", () => attributeRow());
  document.getElementById("trace-form").addEventListener("submit", trace);
  fillFromArchetype();
});
