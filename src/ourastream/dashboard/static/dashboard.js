// The dashboard page: loads a person's window from the JSON API, draws it
// with Plotly, and applies the server's pushed events so the chart follows
// the topics without a reload. The event stream reconnects by itself.
"use strict";

const state = { person: null, end: null, window: null, people: [] };
const chart = document.getElementById("chart");
const personSelect = document.getElementById("person");
const endInput = document.getElementById("end");
const statusLine = document.getElementById("status");
const anomalyList = document.getElementById("anomalies");
const HALF_DAY_MS = 12 * 3600 * 1000;
let streamOpen = false;

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
    Plotly.purge(chart);
    chart.textContent = error.message;
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

function dayMs(day) {
  return Date.parse(`${day}T00:00:00Z`);
}

function isoAt(ms) {
  // Plotly reads "YYYY-MM-DD hh:mm:ss" as a moment on its (zone-free) date axis.
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function barTraces(win) {
  return win.bands.map((band) => {
    const slots = win.slots.filter((s) => s.band === band.band);
    // A band without days keeps its legend entry through one empty point.
    const shown = slots.length ? slots : [{ day: win.end, total_calories: null }];
    return {
      type: "bar",
      name: `Calories ${band.label}`,
      x: shown.map((s) => s.day),
      y: shown.map((s) => s.total_calories),
      marker: { color: band.color },
      width: 0.7 * 2 * HALF_DAY_MS,
      hovertemplate: "%{x|%a %b %d}: %{y:,.0f} kcal<extra></extra>",
    };
  });
}

function minutesTrace(win) {
  return {
    type: "scatter",
    mode: "lines+markers",
    name: "High activity (minutes)",
    x: win.slots.map((s) => s.day),
    y: win.slots.map((s) => s.high_activity_minutes),
    yaxis: "y2",
    connectgaps: false,
    line: { color: win.palette.minutes, width: 3 },
    marker: { size: 8 },
    hovertemplate: "%{x|%a %b %d}: %{y:.0f} min of high activity<extra></extra>",
  };
}

function anomalyTrace(win, top) {
  const marked = win.slots.filter((s) => s.anomalies.length);
  return {
    type: "scatter",
    mode: "markers",
    name: "Anomaly (hover to read)",
    x: marked.map((s) => s.day),
    y: marked.map((s) => (s.total_calories ?? top * 0.5) + top * 0.05),
    text: marked.map((s) => s.anomalies.map((a) => a.reason).join("<br>")),
    marker: { symbol: "diamond", size: 15, color: win.palette.anomaly,
              line: { color: "#fff", width: 1.5 } },
    hovertemplate: "<b>%{x|%a %b %d}</b><br>%{text}<extra></extra>",
    hoverlabel: { bgcolor: "#fff", bordercolor: win.palette.anomaly },
  };
}

function dayShapes(win) {
  const shapes = [];
  const notes = [];
  for (const slot of win.slots) {
    const x0 = isoAt(dayMs(slot.day) - HALF_DAY_MS);
    const x1 = isoAt(dayMs(slot.day) + HALF_DAY_MS);
    const span = { type: "rect", xref: "x", yref: "paper", x0, x1, y0: 0, y1: 1, layer: "below" };
    if (slot.total_calories === null && slot.worn === null) {
      shapes.push({ ...span, fillcolor: "rgba(0,0,0,0)",
                    line: { color: "#9aa5b1", width: 1, dash: "dot" } });
      notes.push(note(slot.day, "no data", 0.03, "#616e7c"));
    } else if (slot.worn === false) {
      shapes.push({ ...span, fillcolor: win.palette.unworn, opacity: 0.3, line: { width: 0 } });
      notes.push({ ...note(slot.day, "not worn", 1.0, "#3e4c59"), textangle: 0,
                   yanchor: "bottom", font: { size: 11, color: "#3e4c59" } });
    }
  }
  return { shapes, notes };
}

function note(day, text, y, color) {
  return { x: day, xref: "x", y, yref: "paper", text, showarrow: false,
           textangle: -90, yanchor: y < 0.5 ? "bottom" : "top",
           font: { size: 12, color }, name: "day-note" };
}

function thresholdLines(win) {
  return Object.values(win.thresholds).map((kcal) => ({
    type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: kcal, y1: kcal,
    line: { color: "#9aa5b1", width: 1, dash: "dash" }, layer: "below",
  }));
}

function axisTops(win) {
  const calories = win.slots.map((s) => s.total_calories ?? 0);
  const minutes = win.slots.map((s) => s.high_activity_minutes ?? 0);
  const orange = win.thresholds.orange_below;
  return {
    calories: Math.max(...calories, orange) * 1.15,
    minutes: Math.max(Math.max(...minutes) * 1.25, 60),
  };
}

function layout(win, tops, days) {
  return {
    margin: { l: 80, r: 80, t: 70, b: 70 },
    barmode: "overlay",
    hovermode: "closest",
    legend: { orientation: "h", x: 0, y: 1.14, font: { size: 12 } },
    xaxis: {
      type: "date", title: { text: "Day" },
      range: [isoAt(dayMs(win.start) - HALF_DAY_MS), isoAt(dayMs(win.end) + HALF_DAY_MS)],
      tickmode: "array", tickvals: days, tickformat: "%a<br>%b %d", showgrid: false,
    },
    yaxis: { title: { text: "Total calories burned (kcal)" }, range: [0, tops.calories],
             tickformat: ",d", gridcolor: "#eef2f6" },
    yaxis2: { title: { text: "High-activity time (minutes)", font: { color: win.palette.minutes } },
              overlaying: "y", side: "right", range: [0, tops.minutes], showgrid: false,
              tickmode: "auto", rangemode: "tozero",
              tickfont: { color: win.palette.minutes } },
    plot_bgcolor: "#fff",
    paper_bgcolor: "#fff",
  };
}

function draw(win) {
  if (!win.slots.length) {
    Plotly.purge(chart);
    chart.textContent = `No days yet for ${win.person}.`;
    return;
  }
  if (!chart.classList.contains("js-plotly-plot")) chart.textContent = "";
  const started = Date.now();
  const tops = axisTops(win);
  const days = win.slots.map((s) => s.day);
  const { shapes, notes } = dayShapes(win);
  const look = layout(win, tops, days);
  look.shapes = [...shapes, ...thresholdLines(win)];
  look.annotations = notes;
  const traces = [...barTraces(win), minutesTrace(win), anomalyTrace(win, tops.calories)];
  Plotly.react(chart, traces, look, { responsive: true, displaylogo: false })
    .then(() => chart.dispatchEvent(new CustomEvent("ourastream:drawn", {
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

const params = new URLSearchParams(location.search);
state.person = params.get("person");
state.end = params.get("end");
connect();
