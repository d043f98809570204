// The dashboard page: loads a person's window from the JSON API, draws it
// (chart.js), and applies the server's pushed events so the chart follows
// the topics without a reload. The event stream reconnects by itself.
"use strict";

const state = { person: null, end: null, window: null, people: [], drawing: null };
const chart = document.getElementById("chart");
const personSelect = document.getElementById("person");
const endInput = document.getElementById("end");
const statusLine = document.getElementById("status");
const anomalyList = document.getElementById("anomalies");
const combo = document.getElementById("combo");
const tip = document.getElementById("tip");
const chartMessage = document.getElementById("chart-message");
let streamOpen = false;
let chartWidth = 0;

async function getJSON(path) {
  const response = await fetch(path, { credentials: "same-origin" });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.detail || `${path}: HTTP ${response.status}`);
  }
  return response.json();
}

// ---- loading -------------------------------------------------------------

async function loadPeople() {
  const answer = await getJSON("/api/people");
  state.person = state.person || answer.default;
  setPeople(answer.people);
}

function setPeople(people) {
  const wanted = people.includes(state.person) ? people : [...people, state.person];
  if (wanted.join("\n") === state.people.join("\n")) return;
  state.people = wanted;
  personSelect.replaceChildren(...wanted.map((p) => new Option(p, p)));
  personSelect.value = state.person;
}

async function loadWindow() {
  const query = new URLSearchParams({ person: state.person });
  if (state.end) query.set("end", state.end);
  try {
    show(await getJSON(`/api/window?${query}`));
  } catch (error) {
    state.window = null;
    state.drawing = null;
    say(error.message);
  }
}

function remember() {
  const query = new URLSearchParams({ person: state.person });
  if (state.end) query.set("end", state.end);
  history.replaceState(null, "", `?${query}`);
}

// ---- drawing -------------------------------------------------------------

function show(win) {
  state.window = win;
  endInput.value = win.end || "";
  draw(win);
  listAnomalies(win);
}

function say(message) {
  combo.toggleAttribute("hidden", true);  // an SVG element has no .hidden
  tip.hidden = true;
  chartMessage.textContent = message;
  chartMessage.hidden = false;
}

// Draws at the next frame, so a burst of events costs one redraw, and tells
// the page (and the benchmark) once that frame has been painted.
function draw(win) {
  if (!win.slots.length) {
    state.drawing = null;
    say(`No days yet for ${win.person}.`);
    return;
  }
  const pending = state.drawing;
  state.drawing = { win, started: pending ? pending.started : Date.now() };
  if (!pending) requestAnimationFrame(render);
}

function render() {
  const { win, started } = state.drawing || {};
  state.drawing = null;
  if (!win) return;
  chartMessage.hidden = true;
  combo.toggleAttribute("hidden", false);
  drawCombo(combo, win, chartWidth || chart.clientWidth);
  // A task queued from a frame callback runs after that frame is painted.
  setTimeout(() => chart.dispatchEvent(new CustomEvent("ourastream:drawn", {
    bubbles: true, detail: { person: win.person, end: win.end, started, at: Date.now() },
  })));
}

function listAnomalies(win) {
  const items = [];
  for (const slot of [...win.slots].reverse()) {
    for (const anomaly of slot.anomalies) {
      const li = document.createElement("li");
      li.className = `anomaly ${anomaly.severity}`;
      li.innerHTML = '<span class="day"></span><span class="severity"></span><span class="reason"></span>';
      li.querySelector(".day").textContent = slot.day;
      li.querySelector(".severity").textContent = anomaly.severity;
      li.querySelector(".reason").textContent = anomaly.reason;
      items.push(li);
    }
  }
  if (!items.length) {
    const none = document.createElement("li");
    none.className = "none";
    none.textContent = "None in these days.";
    items.push(none);
  }
  anomalyList.replaceChildren(...items);
}

// ---- live updates ----------------------------------------------------------

function applyDays(event) {
  const change = JSON.parse(event.data);
  if (!state.people.includes(change.person)) setPeople([...state.people, change.person]);
  if (change.person !== state.person) return;
  if (!state.end) {
    show(change.window);
    return;
  }
  if (!state.window) {
    // A chosen window that failed to load (a dashboard still starting).
    loadWindow();
    return;
  }
  const changed = new Map(change.days.map((s) => [s.day, s]));
  const inView = state.window.slots.some((s) => changed.has(s.day));
  if (!inView) return;
  state.window.slots = state.window.slots.map((s) => changed.get(s.day) || s);
  show(state.window);
}

function showHealth(event) {
  const health = JSON.parse(event.data);
  setPeople(health.people.length ? health.people : state.people);
  const newest = health.newest_days[state.person] || "none yet";
  const kafka = health.connected
    ? '<span class="dot up">&#9679;</span> Kafka connected'
    : '<span class="dot down">&#9679;</span> Kafka not reachable';
  const lag = health.lag === null ? "unknown"
    : `${health.lag.toLocaleString()} message${health.lag === 1 ? "" : "s"}`;
  statusLine.innerHTML = `${kafka} &middot; newest day <b></b> &middot; ` +
    `${health.records_per_second} records/s &middot; lag ${lag}` +
    (streamOpen ? " &middot; live" : "");
  statusLine.querySelector("b").textContent = newest;
  statusLine.title = health.problem || "";
}

function connect() {
  const stream = new EventSource("/api/events");
  stream.addEventListener("open", async () => {
    streamOpen = true;
    await loadPeople();
    await loadWindow();
  });
  stream.addEventListener("days", applyDays);
  stream.addEventListener("health", showHealth);
  stream.addEventListener("error", () => {
    streamOpen = false;
    statusLine.innerHTML = '<span class="dot down">&#9679;</span> Dashboard not reachable; reconnecting&hellip;';
    if (stream.readyState === EventSource.CLOSED) {
      // The browser gives up after a refused answer (a restart in progress);
      // try again ourselves.
      setTimeout(connect, 2000);
    }
  });
}

// ---- controls --------------------------------------------------------------

personSelect.addEventListener("change", () => {
  state.person = personSelect.value;
  remember();
  loadWindow();
});

endInput.addEventListener("change", () => {
  state.end = endInput.value || null;
  remember();
  loadWindow();
});

document.getElementById("newest").addEventListener("click", () => {
  state.end = null;
  remember();
  loadWindow();
});

// Redraw at the new width; reading the width here rather than in every
// redraw keeps a redraw from forcing the browser to lay out the page.
new ResizeObserver(([entry]) => {
  const width = Math.round(entry.contentRect.width);
  if (width === chartWidth) return;
  chartWidth = width;
  if (state.window && state.window.slots.length) draw(state.window);
}).observe(chart);
followHover(combo, tip);

const params = new URLSearchParams(location.search);
state.person = params.get("person");
state.end = params.get("end");
connect();
