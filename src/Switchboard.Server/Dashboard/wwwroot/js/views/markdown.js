// A plan's Markdown as elements, never as HTML: every piece of the agent's text reaches the DOM as a text node, so a
// `<script>` or `<img onerror>` in a plan reads as those characters. What it knows: headings, paragraphs, lists,
// fenced code, block quotes, rules, and inline code, emphasis and links (http(s) only, opened apart with
// rel=noopener); anything else shows as the text it is.

import { h } from "../dom.js";

/** Past this many characters the rest shows as plain text: the server bounds a plan, this bounds the work here too. */
const MAX_RENDERED = 65_536;

/** @param {string} text @returns {HTMLElement} */
export function markdown(text) {
  const source = String(text ?? "");
  const root = h("div", { class: "markdown" });
  const lines = source.slice(0, MAX_RENDERED).split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      const code = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) {
        code.push(lines[i]);
      }

      root.append(h("pre", {}, h("code", {}, code.join("\n"))));
      i++;
      continue;
    }

    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      root.append(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
      i++;
    } else if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      root.append(h("hr"));
      i++;
    } else if (/^\s*>/.test(line)) {
      const quoted = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) {
        quoted.push(lines[i].replace(/^\s*>\s?/, ""));
      }

      root.append(h("blockquote", {}, markdown(quoted.join("\n"))));
    } else if (ITEM.test(line)) {
      i = list(lines, i, root);
    } else if (line.trim() === "") {
      i++;
    } else {
      const paragraph = [];
      for (; i < lines.length && lines[i].trim() !== "" && !STARTS_BLOCK.test(lines[i]); i++) {
        paragraph.push(lines[i].trim());
      }

      root.append(h("p", {}, inline(paragraph.join(" "))));
    }
  }

  if (source.length > MAX_RENDERED) {
    root.append(h("pre", { class: "markdown-rest" }, source.slice(MAX_RENDERED)));
  }

  return root;
}

const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const STARTS_BLOCK = /^\s*(```|~~~|#{1,6}\s|>|([-*+]|\d{1,9}[.)])\s)/;

/** A run of list items; a deeper item nests under the one before it. Returns the index after the list. */
function list(lines, start, parent) {
  const first = ITEM.exec(lines[start]);
  const indent = first[1].length;
  const el = h(/\d/.test(first[2]) ? "ol" : "ul");
  let i = start;
  let last = null;
  while (i < lines.length) {
    const item = ITEM.exec(lines[i]);
    if (item && item[1].length > indent && last) {
      i = list(lines, i, last);
    } else if (item && item[1].length >= indent - 1) {
      const task = /^\[([ xX])\]\s+(.*)$/.exec(item[3]);
      last = h("li", {}, task ? [task[1] === " " ? "☐ " : "☑ ", inline(task[2])] : inline(item[3]));
      el.append(last);
      i++;
    } else if (!item && last && lines[i].trim() !== "" && /^\s+/.test(lines[i]) && !STARTS_BLOCK.test(lines[i])) {
      last.append(" ", inline(lines[i].trim())); // a continuation line of the item
      i++;
    } else {
      break;
    }
  }

  parent.append(el);
  return i;
}

/** Inline code, links, bold and italic as elements; the rest as text. */
function inline(text) {
  const out = [];
  const pattern = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) {
      out.push(text.slice(at, m.index));
    }

    if (m[1] !== undefined) {
      out.push(h("code", {}, m[1]));
    } else if (m[2] !== undefined) {
      out.push(link(m[2], m[3]));
    } else if (m[4] !== undefined || m[5] !== undefined) {
      out.push(h("strong", {}, inline(m[4] ?? m[5])));
    } else {
      out.push(h("em", {}, inline(m[6] ?? m[7])));
    }

    at = m.index + m[0].length;
  }

  out.push(text.slice(at));
  return out;
}

/** A link only to http(s); any other scheme (javascript:, data:) shows as its text and its target. */
function link(label, target) {
  let url = null;
  try {
    url = new URL(target);
  } catch {
    // not absolute: shown as text
  }

  return url && (url.protocol === "https:" || url.protocol === "http:")
    ? h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, label)
    : `${label} (${target})`;
}
