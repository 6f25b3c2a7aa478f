// The Usage view (#usage): tokens per minute, cost per hour and active sessions over a chosen range, optionally split
// by a label, from the live `usage` topic. Its join reply carries the series from the start of the range and the seq
// they count up to; each `usage` push adds what the events after that seq contributed (counters add, the peak takes
// the larger), so the charts move from history to live without a gap. The channel is joined only while the view is shown.

import { frameScheduler, h, placeItems, setText } from "../dom.js";
import { formatCompact, formatCost, formatInt } from "../format.js";
import { drawLineChart } from "./usage-chart.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Each range reads buckets small enough to show its shape and few enough to keep the join reply small. */
export const RANGES = [
  { id: "1h", label: "1 h", ms: HOUR, bucket: "1m", bucketMs: MINUTE },
  { id: "24h", label: "24 h", ms: DAY, bucket: "1h", bucketMs: HOUR },
  { id: "7d", label: "7 d", ms: 7 * DAY, bucket: "1h", bucketMs: HOUR },
  { id: "30d", label: "30 d", ms: 30 * DAY, bucket: "1d", bucketMs: DAY },
];

/** Lines drawn per chart; the remaining groups are summed into "other". */
const MAX_LINES = 7;

export class UsageView {
  #socket;
  #root;
  #nav;
  #range = RANGES[0];
  #groupBy = "all";
  #channel = null;
  #generation = 0;
  #seq = null;
  /** group name → Map(bucket start ms → point) */
  #rows = new Map();
  #els;
  #render = frameScheduler(() => this.render());

  /** @param socket the dashboard's Phoenix socket (socket.channel(topic, paramsFn)) */
  constructor(socket, root = document.querySelector("[data-testid=usage-view]"), nav = document.querySelector("[data-testid=view-nav]")) {
    this.#socket = socket;
    this.#root = root;
    this.#nav = nav;
    this.#els = this.#build();
    new ResizeObserver(() => this.#visible && this.#render()).observe(this.#els.charts);
    addEventListener("hashchange", () => this.#route());
    // The window slides with the clock even when nothing is written.
    setInterval(() => this.#visible && this.#render(), 15_000);
    this.#route();
  }

  get #visible() {
    return !this.#root.hidden;
  }

  #route() {
    const show = location.hash === "#usage";
    document.body.dataset.view = show ? "usage" : "sessions";
    this.#root.hidden = !show;
    for (const link of this.#nav?.querySelectorAll("a") ?? []) {
      if ((link.getAttribute("href") === "#usage") === show) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    }

    if (show && !this.#channel) {
      this.#join();
    } else if (!show && this.#channel) {
      this.#leave();
    }
  }

  #build() {
    const ranges = h("div", { class: "usage-ranges", role: "group", "aria-label": "Range", dataset: { testid: "usage-ranges" } },
      ...RANGES.map((r) => h("button", {
        type: "button", class: "button", "aria-pressed": String(r === this.#range), dataset: { range: r.id, testid: `usage-range-${r.id}` },
        onclick: () => this.#setRange(r),
      }, r.label)));
    const split = h("select", { id: "usage-split", dataset: { testid: "usage-split" }, onchange: (e) => this.#setGroupBy(e.target.value) },
      h("option", { value: "all" }, "Everything"));
    const status = h("span", { class: "usage-status", role: "status", dataset: { testid: "usage-status", state: "idle" } });
    const card = (id, title, unit) => {
      const total = h("span", { class: "usage-total", dataset: { testid: `usage-total-${id}` } }, "–");
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "usage-chart");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", title);
      svg.dataset.testid = `usage-chart-${id}`;
      const section = h("section", { class: "panel usage-card", "aria-label": title },
        h("div", { class: "usage-card-head" }, h("h3", {}, title), h("span", { class: "usage-unit muted" }, unit), total),
        h("div", { class: "usage-plot" }, svg));
      return { section, total, svg };
    };
    const tokens = card("tokens", "Tokens per minute", "in range");
    const cost = card("cost", "Cost per hour", "in range");
    const active = card("active", "Active sessions", "peak");
    active.total.title = "The most sessions active at once in the range; with a split, the sum of each group's peak per bucket";
    const legend = h("ul", { class: "usage-legend", dataset: { testid: "usage-legend" }, "aria-label": "Groups" });
    const charts = h("div", { class: "usage-charts" }, tokens.section, cost.section, active.section);
    this.#root.replaceChildren(
      h("div", { class: "usage-head" },
        h("h2", { id: "usage-title", tabindex: "-1" }, "Usage"),
        ranges,
        h("label", { class: "usage-split-label", for: "usage-split" }, "Split by"),
        split,
        status),
      legend,
      charts);
    return { ranges, split, status, legend, charts, tokens, cost, active };
  }

  #setRange(range) {
    if (range === this.#range) return;
    this.#range = range;
    for (const b of this.#els.ranges.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.range === range.id));
    this.#join();
  }

  #setGroupBy(value) {
    if (value === this.#groupBy) return;
    this.#groupBy = value;
    this.#join();
  }

  #params() {
    return { bucket: this.#range.bucket, since: this.#range.id, group_by: this.#groupBy };
  }

  /** A new channel for the current range and split; callbacks of an older one are ignored. */
  #join() {
    this.#leave();
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    const params = this.#params();
    this.#root.dataset.bucket = params.bucket;
    this.#root.dataset.groupBy = params.group_by;
    this.#setStatus("joining", "Loading…");
    const channel = this.#socket.channel("usage", () => params);
    const joined = (reply) => current() && this.#load(reply);
    const failed = (reason) => current() && this.#setStatus("error", `Usage unavailable: ${reason?.detail ?? reason?.reason ?? reason ?? "not joined"}`);
    channel.on("usage", (update) => current() && this.#apply(update));
    channel.onError(failed);
    channel.join().receive("ok", joined).receive("error", failed);

    this.#channel = channel;
  }

  #leave() {
    this.#generation++;
    this.#channel?.leave();
    this.#channel = null;
  }

  #load(reply) {
    this.#rows = new Map();
    this.#seq = reply.as_of_seq;
    this.#merge(reply.series, false);
    this.#offerKeys(reply.group_by_keys ?? []);
    this.#setStatus("live", `Live · seq ${formatInt(this.#seq)}`);
    this.#render();
  }

  #apply(update) {
    if (update.from_seq !== this.#seq) {
      this.#join(); // not a continuation of what is drawn: start again from a fresh reply
      return;
    }

    this.#seq = update.seq;
    this.#merge(update.series, true);
    this.#setStatus("live", `Live · seq ${formatInt(this.#seq)}`);
    this.#render();
  }

  #merge(series, add) {
    for (const s of series ?? []) {
      const name = Object.values(s.group ?? {})[0] ?? "all";
      let buckets = this.#rows.get(name);
      if (!buckets) this.#rows.set(name, (buckets = new Map()));
      for (const p of s.points) {
        const start = Date.parse(p.start);
        const had = add ? buckets.get(start) : undefined;
        buckets.set(start, had ? {
          total_tokens: had.total_tokens + p.total_tokens,
          cost_usd: had.cost_usd + p.cost_usd,
          peak_active_sessions: Math.max(had.peak_active_sessions, p.peak_active_sessions),
        } : { total_tokens: p.total_tokens, cost_usd: p.cost_usd, peak_active_sessions: p.peak_active_sessions });
      }
    }
  }

  #offerKeys(keys) {
    const select = this.#els.split;
    const wanted = ["all", ...keys.map((k) => `label:${k}`)];
    if ([...select.options].map((o) => o.value).join() !== wanted.join()) {
      select.replaceChildren(...wanted.map((v) => h("option", { value: v }, v === "all" ? "Everything" : v.slice("label:".length))));
    }

    select.value = this.#groupBy;
  }

  #setStatus(state, text) {
    this.#els.status.dataset.state = state;
    setText(this.#els.status, text);
  }

  /** Draws the three charts over [now - range, now]. */
  render() {
    if (!this.#visible) return;
    const { ms, bucketMs } = this.#range;
    const now = Date.now();
    const from = Math.floor((now - ms) / bucketMs) * bucketMs;
    const xs = [];
    for (let t = from; t <= now; t += bucketMs) xs.push(t);
    const groups = this.#groups(xs);
    const perMinute = MINUTE / bucketMs;
    const perHour = HOUR / bucketMs;
    const series = (pick) => groups.map((g, index) => ({ name: g.name, index, values: pick(g) }));
    const tokens = series((g) => xs.map((t) => g.rows.reduce((sum, r) => sum + (r.get(t)?.total_tokens ?? 0), 0) * perMinute));
    const cost = series((g) => xs.map((t) => g.rows.reduce((sum, r) => sum + (r.get(t)?.cost_usd ?? 0), 0) * perHour));
    const active = series((g) => this.#activeOverTime(g.rows, xs));
    const formatX = this.#range.ms <= DAY ? clock : day;
    const common = { xs, from, to: now, formatX, height: innerWidth < 640 ? 160 : 190 };
    drawLineChart(this.#els.tokens.svg, { ...common, series: tokens, formatY: formatCompact });
    drawLineChart(this.#els.cost.svg, { ...common, series: cost, formatY: formatCost });
    drawLineChart(this.#els.active.svg, { ...common, series: active, formatY: formatInt });

    const inRange = [...this.#rows.values()].flatMap((buckets) => xs.map((t) => buckets.get(t)).filter(Boolean));
    const totalTokens = inRange.reduce((sum, p) => sum + p.total_tokens, 0);
    const totalCost = inRange.reduce((sum, p) => sum + p.cost_usd, 0);
    // The highest point of the chart: exact for "Everything"; with a split, groups may have peaked at different moments.
    const peak = xs.reduce((max, _, i) => Math.max(max, active.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)), 0);
    this.#total(this.#els.tokens.total, totalTokens, formatCompact(totalTokens));
    this.#total(this.#els.cost.total, totalCost, formatCost(totalCost));
    this.#total(this.#els.active.total, peak, formatInt(peak));
    this.#renderLegend(groups);
  }

  #total(el, value, text) {
    el.dataset.value = String(value);
    setText(el, text);
  }

  /** The groups to draw, busiest first; past MAX_LINES the rest become one "other" line. */
  #groups(xs) {
    const tokensIn = (buckets) => xs.reduce((sum, t) => sum + (buckets.get(t)?.total_tokens ?? 0), 0);
    const all = [...this.#rows.entries()].map(([name, buckets]) => ({ name, rows: [buckets], weight: tokensIn(buckets) }))
      .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
    if (all.length <= MAX_LINES + 1) return all;
    const rest = all.slice(MAX_LINES);
    return [...all.slice(0, MAX_LINES), { name: `other (${rest.length})`, rows: rest.flatMap((g) => g.rows), weight: 0 }];
  }

  /** Peak active per bucket; a bucket without events keeps the last known count (nothing changed then). */
  #activeOverTime(rows, xs) {
    return rows.map((buckets) => {
      let last = null;
      const before = [...buckets.keys()].filter((t) => t < xs[0]).sort((a, b) => a - b).at(-1);
      if (before !== undefined) last = buckets.get(before).peak_active_sessions;
      return xs.map((t) => (last = buckets.get(t)?.peak_active_sessions ?? last));
    }).reduce((sum, values) => sum.map((v, i) => (v === null && values[i] === null ? null : (v ?? 0) + (values[i] ?? 0))));
  }

  /** One item per group; a group keeps its item while its name and colour stay, so a push or a tick moves nothing. */
  #renderLegend(groups) {
    const items = groups.length > 0 ? groups.map((g, index) => ({ name: g.name, index })) : [{ name: null }];
    placeItems(this.#els.legend, items, (item) => item.name, (item) => item.index ?? null, (item) => item.name === null
      ? h("li", { class: "usage-legend-empty muted", dataset: { testid: "usage-empty" } }, "No usage in this range yet.")
      : h("li", { class: `usage-legend-item series-${item.index}`, dataset: { testid: "usage-legend-item", group: item.name } },
        h("span", { class: "usage-swatch", "aria-hidden": "true" }), item.name === "all" ? "Everything" : item.name));
  }
}

function clock(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function day(ms) {
  return new Date(ms).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}
