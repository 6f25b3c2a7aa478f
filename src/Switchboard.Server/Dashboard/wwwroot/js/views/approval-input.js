// What a permission approval would let the agent do, from the tool's full input (`input`, as the agent sent it): a
// shell command whole, a file's content, an edit as a diff, anything else (an MCP tool's arguments) as formatted JSON.
// Long text is folded behind a button that says how much there is, never cut without saying so. All of it is text.

import { h } from "../dom.js";
import { diffView } from "./diff.js";

/** Folded past this many lines (or characters, for one long line). */
const FOLD_LINES = 8;
const FOLD_CHARS = 600;

/** @returns {HTMLElement | null} null for an approval asked over the API (its summary says it all). */
export function toolInput(approval) {
  const input = approval.input;
  if (!input || typeof input !== "object") {
    return null;
  }

  const parts = [];
  const tool = approval.tool ?? "";
  if (typeof input.command === "string") {
    parts.push(folded(h("pre", { class: "approval-code", dataset: { testid: "approval-command" } }, input.command), input.command));
    if (typeof input.description === "string" && input.description) {
      parts.push(h("p", { class: "approval-note-text", dataset: { testid: "approval-description" } }, input.description));
    }
  } else if (tool === "Write" && typeof input.content === "string") {
    parts.push(detail(`New content, ${count(input.content.split("\n").length, "line")}:`));
    parts.push(folded(h("pre", { class: "approval-code", dataset: { testid: "approval-content" } }, input.content), input.content));
  } else if (tool === "Edit" && typeof input.old_string === "string") {
    parts.push(detail(input.replace_all ? "Every occurrence:" : null));
    parts.push(foldedDiff(input.old_string, input.new_string));
  } else if (tool === "MultiEdit" && Array.isArray(input.edits)) {
    parts.push(detail(`${count(input.edits.length, "edit")}:`));
    input.edits.forEach((edit) => parts.push(foldedDiff(edit?.old_string, edit?.new_string)));
  } else {
    const json = JSON.stringify(input, null, 2);
    parts.push(folded(h("pre", { class: "approval-code", dataset: { testid: "approval-input" } }, json), json));
  }

  if (approval.input_truncated) {
    parts.push(truncated());
  }

  return h("div", { class: "approval-input" }, parts.filter(Boolean));
}

/** Said wherever the server cut the agent's text to its bound. */
export function truncated() {
  return h("p", { class: "approval-truncated", dataset: { testid: "approval-truncated" } },
    "Cut by Switchboard to 64 KiB: the longest values end with …; the agent has the whole input.");
}

/** What the card's summary (the file's path) does not say: how much, or that every occurrence changes. */
function detail(text) {
  return text ? h("p", { class: "approval-path" }, text) : null;
}

function foldedDiff(before, after) {
  return folded(diffView(before, after), `${before ?? ""}\n${after ?? ""}`);
}

/** The element, folded with a clear expander when the text is long. */
export function folded(el, text) {
  const lines = text.split("\n").length;
  if (lines <= FOLD_LINES && text.length <= FOLD_CHARS) {
    return el;
  }

  el.classList.add("approval-folded");
  const more = lines > FOLD_LINES ? `Show all ${count(lines, "line")}` : `Show all ${text.length.toLocaleString("en-US")} characters`;
  const button = h("button", { type: "button", class: "link approval-expand", dataset: { testid: "approval-expand" }, "aria-expanded": "false" }, more);
  button.addEventListener("click", () => {
    const open = el.classList.toggle("approval-folded") === false;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Show less" : more;
  });
  return h("div", { class: "approval-long" }, el, button);
}

function count(n, word) {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
