// Shared by every page: calling the JSON API, showing messages, drawing with plotly.
// Vanilla JS on purpose: the dashboard has no build step and loads nothing from the network.
"use strict";

const sd = {
  /** Fetch JSON from the API; on a non-2xx answer throw an Error carrying the server's message. */
  async api(path, options = {}) {
    const headers = { Accept: "application/json" };
    if (options.body) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { credentials: "same-origin", ...options, headers });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const error = new Error(sd.describe(body, response.status));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  },

  /** The server's explanation: a sentence, or each invalid field with its message. */
  describe(body, status) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map((d) => {
        const where = (d.loc || []).filter((x) => x !== "body").join(".");
        return where ? `${where}: ${d.msg}` : d.msg;
      }).join("; ");
    }
    return `the server answered HTTP ${status}`;
  },

  message(text, kind = "error") {
    const box = document.getElementById("message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = !text;
  },

  clearMessage() { sd.message(""); },

  /** Create an element: sd.el("td", {class: "x"}, "text", child). */
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v; else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },

  fmt(x, digits = 0) {
    if (x === null || x === undefined || Number.isNaN(x)) return "—";
    if (typeof x !== "number") return String(x);
    return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  },

  /** Draw (or redraw) a plotly chart with the dashboard's defaults. */
  plot(div, traces, layout = {}) {
    const base = {
      margin: { l: 70, r: 20, t: 40, b: 45 }, hovermode: "closest",
      legend: { orientation: "h", y: -0.18 }, font: { family: "system-ui, sans-serif", size: 12 },
    };
    return Plotly.react(div, traces, { ...base, ...layout }, { responsive: true, displaylogo: false });
  },

  /** A band between two series (lower, then upper filled to it). */
  band(x, lower, upper, name, colour) {
    return [
      { x, y: lower, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip", name: `${name} low` },
      { x, y: upper, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: colour, name },
    ];
  },

  fillTable(tbody, rows) {
    tbody.replaceChildren(...rows.map((cells) => sd.el("tr", {}, ...cells.map((c) => c instanceof Node && c.tagName === "TD" ? c : sd.el("td", {}, c)))));
  },
};
