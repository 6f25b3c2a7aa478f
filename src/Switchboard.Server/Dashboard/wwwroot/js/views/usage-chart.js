// A small line chart in plain SVG, sized to its container in pixels (so text never stretches): a y axis with three
// gridlines, a few time labels, one path per series and a dot on its last point. A redraw keeps every element that
// is still there and changes its attributes and text in place.

import { placeItems, setAttr, setText } from "../dom.js";

const SVG = "http://www.w3.org/2000/svg";
const MARGIN = { top: 10, right: 12, bottom: 24, left: 52 };

/**
 * Makes `parent`'s children the described SVG elements ({key, tag, attrs, text?, children?}), in order: one drawn
 * before under the same key keeps its node and only its attributes and text change, so a hovered dot's tooltip or a
 * selected label survives a redraw (the chart is drawn again at every push and as the window slides).
 */
function draw(parent, parts) {
  const nodes = placeItems(parent, parts, (p) => p.key, (p) => p.tag, (p) => document.createElementNS(SVG, p.tag));
  parts.forEach((part, i) => {
    const node = nodes[i];
    for (const [name, value] of Object.entries(part.attrs ?? {})) setAttr(node, name, value);
    if (part.text !== undefined) setText(node, part.text);
    if (part.children) draw(node, part.children);
  });
}

/** 1, 2 or 5 times a power of ten, at or above value: a y-axis maximum that reads well. */
export function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }

  return 10 * power;
}

/**
 * Draws into svg. xs: bucket starts (ms, ascending); series: [{name, index, values: (number|null)[]}] (index picks the
 * colour class); from/to: the x domain (ms); formatY(n) and formatX(ms) label the axes.
 */
export function drawLineChart(svg, { xs, series, from, to, formatY, formatX, height = 180 }) {
  const width = Math.max(260, Math.floor(svg.parentElement?.clientWidth ?? 600));
  setAttr(svg, "width", width);
  setAttr(svg, "height", height);
  setAttr(svg, "viewBox", `0 0 ${width} ${height}`);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const max = niceCeiling(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
  const x = (ms) => MARGIN.left + ((ms - from) / Math.max(1, to - from)) * plotW;
  const y = (v) => MARGIN.top + plotH - (v / max) * plotH;

  const axis = [];
  for (const fraction of [0, 0.5, 1]) {
    const v = max * fraction;
    axis.push({ key: `grid ${fraction}`, tag: "line",
      attrs: { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v), class: fraction === 0 ? "chart-base" : "chart-grid" } });
    axis.push({ key: `y ${fraction}`, tag: "text", attrs: { x: MARGIN.left - 6, y: y(v) + 4, "text-anchor": "end" }, text: formatY(v) });
  }

  const ticks = width < 420 ? 3 : 5;
  for (let i = 0; i < ticks; i++) {
    const ms = from + ((to - from) * i) / (ticks - 1);
    const anchor = i === 0 ? "start" : i === ticks - 1 ? "end" : "middle";
    axis.push({ key: `x ${i}`, tag: "text", attrs: { x: x(ms), y: height - 6, "text-anchor": anchor }, text: formatX(ms) });
  }

  const lines = [];
  for (const s of series) {
    const points = [];
    s.values.forEach((v, i) => {
      if (v !== null && xs[i] >= from && xs[i] <= to) points.push([x(xs[i]), y(v), v]);
    });
    if (points.length === 0) continue;
    const [lx, ly, lv] = points[points.length - 1];
    lines.push({ key: `series ${s.name}`, tag: "g", attrs: { class: `chart-series series-${s.index}`, "data-testid": "usage-series", "data-group": s.name },
      children: [
        { key: "title", tag: "title", text: s.name },
        ...(points.length > 1
          ? [{ key: "path", tag: "path", attrs: { d: points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${px.toFixed(1)},${py.toFixed(1)}`).join(" ") } }]
          : []),
        { key: "dot", tag: "circle", attrs: { cx: lx.toFixed(1), cy: ly.toFixed(1), r: 3 },
          children: [{ key: "title", tag: "title", text: `${s.name}: ${formatY(lv)}` }] },
      ] });
  }

  draw(svg, [{ key: "axis", tag: "g", attrs: { class: "chart-axis" }, children: axis }, ...lines]);
}
