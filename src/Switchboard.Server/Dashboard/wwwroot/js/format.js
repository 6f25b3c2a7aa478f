// How numbers, money, durations and times read on the dashboard.

const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const money2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money4 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 4, maximumFractionDigits: 4 });

// In the server's order; a new state is added at the end. A state this page does not know shows by its wire name.
export const STATES = ["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"];

const STATE_LABELS = {
  initializing: "Initializing",
  idle: "Idle",
  working: "Processing",
  paused: "Paused",
  error: "Error",
  terminating: "Terminating",
  terminated: "Terminated",
  waiting: "Waiting for you",
};

export function stateLabel(state) {
  return STATE_LABELS[state] ?? state;
}

export function formatInt(n) {
  return integer.format(Number(n ?? 0));
}

export function formatCompact(n) {
  const value = Number(n ?? 0);
  return Math.abs(value) < 10_000 ? integer.format(value) : compact.format(value);
}

export function formatCost(usd) {
  const value = Number(usd ?? 0);
  return value !== 0 && Math.abs(value) < 1 ? money4.format(value) : money2.format(value);
}

export function formatDuration(totalSeconds) {
  let s = Math.max(0, Math.floor(Number(totalSeconds ?? 0)));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

export function timeAgo(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function formatClock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

export function formatDateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.toLocaleDateString("en-CA")} ${formatClock(iso)}`;
}

export function labelPairs(labels) {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
}

/** Parses "team=core, env=prod" into [["team","core"],["env","prod"]]; returns null with an error for bad input. */
export function parseLabelFilter(text) {
  const pairs = [];
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq) : "";
    if (!/^[A-Za-z0-9._:/-]{1,64}$/.test(key)) {
      return { pairs: null, error: `"${part}" is not key=value` };
    }

    pairs.push([key, part.slice(eq + 1)]);
  }

  return { pairs, error: null };
}
