// Tiny DOM helpers: build elements declaratively and change text only when it differs.

/** h("td", {class: "num", dataset: {testid: "x"}}, "text", childNode) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }

    if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }

  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }

    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Changes an element's text; an element holding one text node keeps it (its data changes), so no node leaves the page. */
export function setText(el, text) {
  const value = String(text);
  if (el.textContent === value) {
    return;
  }

  if (el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE) {
    el.firstChild.data = value;
  } else {
    el.textContent = value;
  }
}

export function setAttr(el, name, value) {
  if (value === null || value === undefined) {
    if (el.hasAttribute(name)) {
      el.removeAttribute(name);
    }
  } else if (el.getAttribute(name) !== String(value)) {
    el.setAttribute(name, String(value));
  }
}

/**
 * Makes `nodes` the children of `parent`, in that order, moving only what is out of place. A child that stays where it
 * is is never detached: Chromium drops a click whose button left the document between its mousedown and its mouseup,
 * even for an instant, so a render that re-inserted unchanged items (`replaceChildren`, `append`) lost a person's click
 * whenever an unrelated event arrived in the middle of it.
 */
export function placeChildren(parent, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...parent.children]) {
    if (!wanted.has(child)) {
      child.remove();
    }
  }

  nodes.forEach((node, i) => {
    const current = parent.children[i];
    if (current !== node) {
      parent.insertBefore(node, current ?? null);
    }
  });
}

/** The element → each item's key → the node drawn for it and what it showed, for placeItems. */
const drawnItems = new WeakMap();

/**
 * Makes one child of `parent` per item, in order, through placeChildren: an item drawn by the last call with the same
 * key and the same `shown(item)` (what its node displays, compared as JSON) keeps its node, so a text selection, the
 * focus or a click in it survives; any other is made with `build(item)`. Keys must be distinct within one call.
 * A `shown` that returns a constant keeps an item's node while its key stays, for a caller that changes the node in
 * place; the placed nodes are returned, in the items' order, for that.
 */
export function placeItems(parent, items, key, shown, build) {
  const drawn = drawnItems.get(parent) ?? new Map();
  const kept = new Map();
  const nodes = items.map((item) => {
    const id = key(item);
    const signature = JSON.stringify(shown(item));
    const before = drawn.get(id);
    const node = before?.signature === signature ? before.node : build(item);
    kept.set(id, { signature, node });
    return node;
  });
  drawnItems.set(parent, kept);
  placeChildren(parent, nodes);
  return nodes;
}

export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

/** Coalesces render requests to one per animation frame. */
export function frameScheduler(render) {
  let pending = false;
  return () => {
    if (pending) {
      return;
    }

    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
}
