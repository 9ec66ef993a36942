// Charts drawn as inline SVG from the samples the page keeps: a line chart over time
// and horizontal bars. Text inside the SVG gives screen readers the figures too.

import { esc } from "./util.js";

const W = 560;
const H = 220;
const PAD = { left: 40, right: 12, top: 28, bottom: 28 };

function timeLabel(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

// A stable colour for a series without one (a state name, say).
export function colourFor(name) {
  const hue = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 11);
  return `hsl(${hue} 55% 40%)`;
}

export function lineChart({ title, points, series: given }) {
  let series = given;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const t0 = points.length ? points[0].t : 0;
  const t1 = points.length ? points[points.length - 1].t : 1;
  const span = Math.max(t1 - t0, 1);
  const max = Math.max(1, ...series.flatMap((s) => points.map(s.value)));
  series = series.map((s) => ({ ...s, colour: s.colour || colourFor(s.name) }));
  const x = (t) => PAD.left + ((t - t0) / span) * plotW;
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const lines = series.map((s) => {
    // steps: a count holds until the next sample changes it
    const path = points.map((p, i) => (i ? `H${x(p.t).toFixed(1)}V${y(s.value(p)).toFixed(1)}`
      : `M${x(p.t).toFixed(1)},${y(s.value(p)).toFixed(1)}`)).join("");
    return `<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
  }).join("");
  const last = points[points.length - 1];
  const legend = series.map((s) => `<li><span class="swatch" style="background:${s.colour}"></span>
    ${esc(s.name)} <b>${last ? s.value(last) : 0}</b></li>`).join("");
  const steps = max <= 4 ? [...Array(max + 1).keys()] : [0, Math.round(max / 2), max];
  const ticks = steps.map((v) => `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>
    <line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"></line>`).join("");
  const axis = points.length ? `<text x="${PAD.left}" y="${H - 8}">${timeLabel(t0)}</text>
    <text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${timeLabel(t1)}</text>` : "";
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    <title>${esc(title)}</title><text x="0" y="16" class="chart-title">${esc(title)}</text>${ticks}${axis}${lines}</svg>
    <figcaption><ul class="legend">${legend}</ul></figcaption>`;
}

export function stackedBars({ title, bars }) {
  const total = Math.max(1, bars.reduce((sum, b) => sum + b.value, 0));
  const rowH = 30;
  const height = PAD.top + bars.length * rowH + 10;
  const plotW = W - 150 - PAD.right;
  const rows = bars.map((b, i) => {
    const top = PAD.top + i * rowH;
    const width = (b.value / total) * plotW;
    return `<text x="0" y="${top + 17}">${esc(b.name)}</text>
      <rect x="120" y="${top + 4}" width="${width.toFixed(1)}" height="18" fill="${b.colour}"></rect>
      <text x="${126 + width}" y="${top + 17}">${b.value}</text>`;
  }).join("");
  return `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">
    <title>${esc(title)}</title><text x="0" y="16" class="chart-title">${esc(title)} (${total} in all)</text>${rows}</svg>
    <figcaption>${esc(title)}: ${bars.map((b) => `${esc(b.name)} ${b.value}`).join(", ")}</figcaption>`;
}
