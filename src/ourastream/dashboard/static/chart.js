// The combo chart of a window, drawn as plain SVG: calories as bars colored
// by band, high-activity minutes as a line on a second y-axis, gaps as dotted
// boxes, unworn days shaded, anomalies marked with their sentence on hover.
// A redraw rebuilds a few hundred elements and never measures text, so it
// costs a millisecond or two where a charting library took 30 ms or more.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const HEIGHT = 520;
const MARGIN = { left: 80, right: 80, top: 70, bottom: 70 };
const GRID = "#eef2f6";
const MUTED = "#9aa5b1";
const INK = "#3e4c59";
const WEEKDAY = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: "UTC" });
const MONTH_DAY = new Intl.DateTimeFormat("en-US", { month: "short", day: "2-digit", timeZone: "UTC" });
const KCAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function el(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

function dayLabel(day) {
  const at = new Date(`${day}T00:00:00Z`);
  return { weekday: WEEKDAY.format(at), date: MONTH_DAY.format(at), long: `${WEEKDAY.format(at)} ${MONTH_DAY.format(at)}` };
}

// Round steps (1, 2, 2.5, 5 times a power of ten) giving about `count` ticks.
function ticks(top, count) {
  const raw = top / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const values = [];
  for (let v = 0; v <= top + 1e-9; v += step) values.push(v);
  return values;
}

function axisTops(win) {
  const calories = win.slots.map((s) => s.total_calories ?? 0);
  const minutes = win.slots.map((s) => s.high_activity_minutes ?? 0);
  return {
    calories: Math.max(...calories, win.thresholds.orange_below) * 1.15,
    minutes: Math.max(Math.max(...minutes) * 1.25, 60),
  };
}

// Pixel positions of the window's slots and values inside an SVG `width` wide.
function scales(win, width) {
  const tops = axisTops(win);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const plotHeight = plotBottom - MARGIN.top;
  const slotWidth = plotWidth / win.slots.length;
  return {
    tops, slotWidth, plotBottom, width,
    left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top,
    x: (i) => MARGIN.left + slotWidth * (i + 0.5),
    kcal: (v) => plotBottom - (v / tops.calories) * plotHeight,
    minutes: (v) => plotBottom - (v / tops.minutes) * plotHeight,
  };
}

function drawLegend(svg, win, at) {
  const legend = el("g", { class: "legend", "font-size": 12, fill: INK });
  const entries = [
    ...win.bands.map((b) => ({ text: `Calories ${b.label}`, swatch: { fill: b.color } })),
    { text: "High activity (minutes)", line: win.palette.minutes },
    { text: "Anomaly (hover to read)", diamond: win.palette.anomaly },
    { text: "No data", swatch: { fill: "none", stroke: MUTED, "stroke-dasharray": "2 2" } },
    { text: "Not worn", swatch: { fill: win.palette.unworn, "fill-opacity": 0.3 } },
  ];
  let x = MARGIN.left;
  let y = 24;
  for (const entry of entries) {
    const width = 34 + entry.text.length * 6.6;
    if (x + width > at.width - 20 && x > MARGIN.left) {
      x = MARGIN.left;
      y += 20;
    }
    const item = el("g", { transform: `translate(${x},${y})` });
    if (entry.swatch) item.append(el("rect", { x: 0, y: -6, width: 12, height: 12, ...entry.swatch }));
    if (entry.line) {
      item.append(el("line", { x1: -4, x2: 16, y1: 0, y2: 0, stroke: entry.line, "stroke-width": 3 }));
      item.append(el("circle", { cx: 6, cy: 0, r: 4, fill: entry.line }));
    }
    if (entry.diamond) item.append(el("path", { d: diamond(6, 0, 7), fill: entry.diamond }));
    item.append(el("text", { x: 24, y: 4 }, entry.text));
    legend.append(item);
    x += width;
  }
  svg.append(legend);
}

function diamond(x, y, r) {
  return `M${x},${y - r}L${x + r},${y}L${x},${y + r}L${x - r},${y}Z`;
}

function drawAxes(svg, win, at) {
  const axes = el("g", { class: "axes", "font-size": 12, fill: INK });
  for (const v of ticks(at.tops.calories, 8)) {
    const y = at.kcal(v);
    axes.append(el("line", { x1: at.left, x2: at.right, y1: y, y2: y, stroke: GRID }));
    axes.append(el("text", { class: "ytick", x: at.left - 8, y: y + 4, "text-anchor": "end" }, KCAL.format(v)));
  }
  for (const v of ticks(at.tops.minutes, 7)) {
    axes.append(el("text", { class: "y2tick", x: at.right + 8, y: at.minutes(v) + 4, fill: win.palette.minutes }, String(v)));
  }
  win.slots.forEach((slot, i) => {
    const label = dayLabel(slot.day);
    const tick = el("text", { class: "xtick", "data-day": slot.day, x: at.x(i), y: at.plotBottom + 18, "text-anchor": "middle" });
    tick.append(el("tspan", { x: at.x(i) }, label.weekday), el("tspan", { x: at.x(i), dy: 15 }, label.date));
    axes.append(tick);
  });
  axes.append(el("line", { x1: at.left, x2: at.right, y1: at.plotBottom, y2: at.plotBottom, stroke: MUTED }));
  const middle = (at.top + at.plotBottom) / 2;
  axes.append(
    el("text", { class: "xtitle", x: (at.left + at.right) / 2, y: HEIGHT - 14, "text-anchor": "middle", "font-size": 14 }, "Day"),
    el("text", { class: "ytitle", transform: `translate(24,${middle}) rotate(-90)`, "text-anchor": "middle", "font-size": 14 },
       "Total calories burned (kcal)"),
    el("text", { class: "y2title", transform: `translate(${at.width - 24},${middle}) rotate(-90)`, "text-anchor": "middle",
                 "font-size": 14, fill: win.palette.minutes }, "High-activity time (minutes)"),
  );
  svg.append(axes);
}

function drawThresholds(svg, win, at) {
  for (const kcal of Object.values(win.thresholds)) {
    const y = at.kcal(kcal);
    svg.append(el("line", { class: "threshold", x1: at.left, x2: at.right, y1: y, y2: y, stroke: MUTED, "stroke-dasharray": "6 4" }));
  }
}

function drawDays(svg, win, at) {
  const days = el("g", { class: "days" });
  const bandColor = Object.fromEntries(win.bands.map((b) => [b.band, b.color]));
  win.slots.forEach((slot, i) => {
    const x0 = at.x(i) - at.slotWidth / 2;
    const label = dayLabel(slot.day).long;
    if (slot.total_calories === null && slot.worn === null) {
      days.append(
        el("rect", { class: "gap", "data-day": slot.day, x: x0 + 1, y: at.top, width: at.slotWidth - 2, height: at.plotBottom - at.top,
                     fill: "none", stroke: MUTED, "stroke-dasharray": "2 3" }),
        el("text", { class: "day-note", transform: `translate(${at.x(i) + 4},${at.plotBottom - 10}) rotate(-90)`,
                     "font-size": 12, fill: "#616e7c" }, "no data"),
      );
      return;
    }
    if (slot.worn === false) {
      days.append(
        el("rect", { class: "unworn", "data-day": slot.day, x: x0, y: at.top, width: at.slotWidth, height: at.plotBottom - at.top,
                     fill: win.palette.unworn, "fill-opacity": 0.3 }),
        el("text", { class: "day-note", x: at.x(i), y: at.top - 4, "text-anchor": "middle", "font-size": 11, fill: INK }, "not worn"),
      );
    }
    if (slot.total_calories !== null) {
      const y = at.kcal(slot.total_calories);
      days.append(el("rect", {
        class: "bar", "data-day": slot.day, "data-kcal": slot.total_calories, x: at.x(i) - at.slotWidth * 0.35, y,
        width: at.slotWidth * 0.7, height: at.plotBottom - y, fill: bandColor[slot.band] || MUTED,
        "data-tip": `${label}: ${KCAL.format(slot.total_calories)} kcal`,
      }));
    }
  });
  svg.append(days);
}

function drawMinutes(svg, win, at) {
  const color = win.palette.minutes;
  let path = "";
  let pen = "M";
  const points = el("g", { class: "points" });
  win.slots.forEach((slot, i) => {
    const minutes = slot.high_activity_minutes;
    if (minutes === null) {
      pen = "M";  // a gap breaks the line
      return;
    }
    const y = at.minutes(minutes);
    path += `${pen}${at.x(i)},${y}`;
    pen = "L";
    points.append(el("circle", {
      class: "point", "data-day": slot.day, "data-minutes": minutes, cx: at.x(i), cy: y, r: 4.5, fill: color,
      "data-tip": `${dayLabel(slot.day).long}: ${Math.round(minutes)} min of high activity`,
    }));
  });
  svg.append(el("path", { class: "minutes-line", d: path, fill: "none", stroke: color, "stroke-width": 3 }), points);
}

function drawAnomalies(svg, win, at) {
  const marks = el("g", { class: "anomalies" });
  win.slots.forEach((slot, i) => {
    if (!slot.anomalies.length) return;
    const y = at.kcal((slot.total_calories ?? at.tops.calories * 0.5) + at.tops.calories * 0.05);
    const mark = el("path", { class: "anomaly-mark", "data-day": slot.day, d: diamond(at.x(i), y, 9),
                              fill: win.palette.anomaly, stroke: "#fff", "stroke-width": 1.5 });
    mark.dataset.tip = dayLabel(slot.day).long;
    mark.dataset.reasons = slot.anomalies.map((a) => a.reason).join("\n");
    marks.append(mark);
  });
  svg.append(marks);
}

/** Draw `win` into `svg` (`width` pixels wide), replacing what it showed. */
function drawCombo(svg, win, width) {
  const at = scales(win, width);
  svg.setAttribute("viewBox", `0 0 ${at.width} ${HEIGHT}`);
  svg.replaceChildren();
  drawLegend(svg, win, at);
  drawAxes(svg, win, at);
  drawDays(svg, win, at);
  drawThresholds(svg, win, at);
  drawMinutes(svg, win, at);
  drawAnomalies(svg, win, at);
}

/** Show the hovered element's words in `tip`, next to the pointer. */
function followHover(svg, tip) {
  svg.addEventListener("pointerover", (event) => {
    const target = event.target;
    if (!target.dataset || !target.dataset.tip) return;
    tip.replaceChildren();
    const head = document.createElement("b");
    head.textContent = target.dataset.tip;
    tip.append(head);
    for (const reason of (target.dataset.reasons || "").split("\n").filter(Boolean)) {
      const line = document.createElement("div");
      line.textContent = reason;
      tip.append(line);
    }
    tip.classList.toggle("anomaly", Boolean(target.dataset.reasons));
    const box = target.getBoundingClientRect();
    const host = svg.parentElement.getBoundingClientRect();
    tip.style.left = `${Math.min(box.right - host.left + 8, host.width - 300)}px`;
    tip.style.top = `${box.top - host.top}px`;
    tip.hidden = false;
  });
  svg.addEventListener("pointerout", (event) => {
    if (event.target.dataset && event.target.dataset.tip) tip.hidden = true;
  });
}
