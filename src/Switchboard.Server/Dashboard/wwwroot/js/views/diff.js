// Edit and MultiEdit as a person reads a change: the lines removed and added, with the unchanged ones between them,
// from the tool's own old_string and new_string. A line diff by longest common subsequence, bounded: past
// MAX_CELLS the table would cost too much on a phone, and the change shows as all its old lines, then all its new ones.

import { h } from "../dom.js";

const MAX_CELLS = 250_000;

/** @returns {{op: " " | "-" | "+", text: string}[]} */
export function lineDiff(before, after) {
  const a = String(before ?? "").split("\n");
  const b = String(after ?? "").split("\n");
  // The common head and tail need no table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    head++;
  }

  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    tail++;
  }

  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle = (x.length + 1) * (y.length + 1) <= MAX_CELLS ? lcs(x, y) : [...x.map((text) => ({ op: "-", text })), ...y.map((text) => ({ op: "+", text }))];
  return [
    ...a.slice(0, head).map((text) => ({ op: " ", text })),
    ...middle,
    ...a.slice(a.length - tail).map((text) => ({ op: " ", text })),
  ];
}

function lcs(x, y) {
  const n = x.length;
  const m = y.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] = x[i] === y[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }

  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: " ", text: x[i++] });
      j++;
    } else if (i < n && (j === m || table[i + 1][j] >= table[i][j + 1])) {
      out.push({ op: "-", text: x[i++] }); // what goes first, then what comes instead, as a unified diff reads
    } else {
      out.push({ op: "+", text: y[j++] });
    }
  }

  return out;
}

/** The diff as lines of text, each marked by its class and its sign (so a copy reads as a unified diff). */
export function diffView(before, after) {
  const kinds = { " ": "diff-same", "-": "diff-del", "+": "diff-add" };
  return h("pre", { class: "approval-diff", dataset: { testid: "approval-diff" } },
    lineDiff(before, after).map(({ op, text }) => h("span", { class: `diff-line ${kinds[op]}` }, `${op} ${text}\n`)));
}
