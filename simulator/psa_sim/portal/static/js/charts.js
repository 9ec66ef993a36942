// Charts drawn as inline SVG from the samples the page keeps: a line chart over time
// and horizontal bars. Text inside the SVG gives screen readers the figures too.

import { esc } from "./util.js";

const W = 560;
const H = 220;
const PAD = { left: 40, right: 12, top: 28, bottom: 28 };

function timeLabel(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

export function lineChart({ title, points, series }) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const t0 = points.length ? points[0].t : 0;
  const t1 = points.length ? points[points.length - 1].t : 1;
  const span = Math.max(t1 - t0, 1);
  const max = Math.max(1, ...series.flatMap((s) => points.map(s.value)));
  const x = (t) => PAD.left + ((t - t0) / span) * plotW;
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const lines = series.map((s) => {
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(s.value(p)).toFixed(1)}`).join("");
    return `<path d="${path}" fill="none" stroke="${s.colour || "#455a64"}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
  }).join("");
  const last = points[points.length - 1];
  const legend = series.map((s, i) => `<g transform="translate(${PAD.left + i * 110},14)">
    <rect width="10" height="10" y="-9" fill="${s.colour || "#455a64"}"></rect>
    <text x="14">${esc(s.name)} ${last ? s.value(last) : ""}</text></g>`).join("");
  const ticks = [0, 0.5, 1].map((f) => `<text x="${PAD.left - 6}" y="${y(max * f) + 4}" text-anchor="end">${Math.round(max * f)}</text>
    <line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(max * f)}" y2="${y(max * f)}" class="grid"></line>`).join("");
  const axis = points.length ? `<text x="${PAD.left}" y="${H - 8}">${timeLabel(t0)}</text>
    <text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${timeLabel(t1)}</text>` : "";
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    <title>${esc(title)}</title>${ticks}${axis}${lines}${legend}</svg><figcaption>${esc(title)}</figcaption>`;
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
