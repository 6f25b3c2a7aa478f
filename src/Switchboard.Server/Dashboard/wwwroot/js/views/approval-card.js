// The approval card, where a person decides (docs/approvals.md, "The card"): who asks (folder, host, labels, the
// parent of a sub-agent), what exactly (toolInput), and the answers the approval's kind takes:
// - permission: Allow, "Allow always…" per suggestion the agent offered, Deny, Deny and stop;
// - question: each question's options as buttons (one, or several for a multiple choice) or free text, one Send;
// - plan: the plan rendered from Markdown, Approve and Keep planning.
// A note box under them goes with any deny. The agent's text is only ever text. The card keeps what the person chose
// and typed while it is on the page; the strip reuses it across renders, and keeps its draft (the note, the options
// chosen and the answers typed) for a card it has to build again.

import { h, setText } from "../dom.js";
import { toolInput, truncated } from "./approval-input.js";
import { markdown } from "./markdown.js";

/**
 * @param {any} approval a pending approval, as on the wire
 * @param {any} session its session, from the page's store
 * @param {{parent?: any, answer: (body: object) => Promise<void>, draft?: Draft, onDraft?: (draft: Draft | null) => void}} options
 * answer posts the body and applies the result; draft is what was chosen and typed into an earlier card for the same
 * approval, onDraft hears each change of it (null once nothing is chosen or typed)
 *
 * @typedef {{note: string, questions: {chosen: string[], other: string}[]}} Draft
 */
export function approvalCard(approval, session, { parent, answer, draft, onDraft }) {
  const kind = approval.kind ?? "permission";
  const error = h("p", { class: "field-error", dataset: { testid: "approval-error" }, "aria-live": "polite" });
  const note = h("textarea", { class: "approval-note", dataset: { testid: "approval-note" }, rows: "1", maxlength: "2000",
    "aria-label": "Note for the agent, sent with a deny", placeholder: "Note for the agent (sent with a deny)",
    oninput: () => changed() });
  note.value = draft?.note ?? "";
  const card = h("div", { class: "approval-card", dataset: { testid: "needs-you-approval", approvalId: approval.id, kind } });

  /** Sends one answer; every button of the card waits for it, and a refusal says why and lets the person try again. */
  const send = (body) => async () => {
    const buttons = [...card.querySelectorAll("button")];
    buttons.forEach((b) => { b.disabled = true; });
    setText(error, "");
    try {
      await answer(body());
    } catch (e) {
      buttons.forEach((b) => { b.disabled = false; });
      card.dispatchEvent(new Event("input")); // the send button's own rule (every question answered) applies again
      setText(error, e.message);
    }
  };
  const deny = (extra = {}) => send(() => ({ decision: "deny", ...(note.value.trim() ? { note: note.value.trim() } : {}), ...extra }));
  const button = (testid, text, onclick, style = "") =>
    h("button", { type: "button", class: `button ${style}`, dataset: { testid }, onclick }, text);

  let body;
  let actions;
  let questions = null;
  const changed = () => {
    const now = { note: note.value, questions: questions?.draft() ?? [] };
    onDraft?.(now.note || now.questions.some((q) => q.chosen.length > 0 || q.other) ? now : null);
  };
  if (kind === "question") {
    questions = questionsView(approval.questions ?? [], draft?.questions ?? [], changed);
    const sendAnswers = button("approval-send-answers", "Send answers", send(() => ({ decision: "answer", answers: questions.answers() })), "button-primary");
    const ready = () => { sendAnswers.disabled = !questions.complete(); };
    card.addEventListener("input", ready);
    card.addEventListener("click", ready);
    ready();
    body = questions.el;
    actions = [sendAnswers, button("approval-deny", "Deny", deny(), "button-danger")];
  } else if (kind === "plan") {
    body = h("div", { class: "approval-plan", dataset: { testid: "approval-plan" }, tabindex: "0", "aria-label": "The plan" },
      approval.plan ? markdown(approval.plan)
        : h("p", {}, "The agent sent no plan with the request (Claude Code sends the plan file the model wrote, and it wrote none): read it in the agent's terminal or transcript."));
    actions = [button("approval-allow", "Approve plan", send(() => ({ decision: "allow" })), "button-primary"),
      button("approval-keep-planning", "Keep planning", deny())];
  } else {
    body = toolInput(approval); // none for one asked over the API: its summary, above, is all there is
    actions = [button("approval-allow", "Allow", send(() => ({ decision: "allow" })), "button-primary"),
      button("approval-deny", "Deny", deny(), "button-danger")];
  }

  const suggestions = (approval.suggestions ?? []).map((s, i) =>
    h("button", { type: "button", class: "button approval-suggestion", dataset: { testid: "approval-suggestion", index: String(i) },
      onclick: send(() => ({ decision: "allow", suggestion: i })) }, s.label));

  card.append(...[
    h("div", { class: "approval-head" },
      approval.tool ? h("span", { class: "needs-you-tool", dataset: { testid: "approval-tool" } }, approval.tool) : null,
      h("span", { class: "needs-you-summary", dataset: { testid: "approval-summary" } }, shownSummary(approval))),
    who(approval, session, parent),
    body,
    kind === "plan" && approval.input_truncated ? truncated() : null,
    suggestions.length > 0 ? h("div", { class: "approval-always", dataset: { testid: "approval-suggestions" }, "data-write": "" },
      h("span", { class: "approval-always-title" }, "Allow always…"), suggestions) : null,
    h("div", { class: "approval-decide", "data-write": "" },
      note,
      h("div", { class: "needs-you-actions" }, actions,
        button("approval-deny-stop", "Deny and stop", deny({ interrupt: true }), "button-danger"))),
    error,
  ].filter(Boolean));
  return card;
}

/**
 * The summary beside the tool, without the tool's name again ("Bash: make" beside "Bash" reads "make"); none when it is
 * only the tool's name, or the command the card shows whole below.
 */
function shownSummary(approval) {
  const summary = approval.summary ?? "";
  const prefix = approval.tool ? `${approval.tool}: ` : null;
  const shown = prefix && summary.startsWith(prefix) ? summary.slice(prefix.length) : summary;
  return shown === approval.tool || typeof approval.input?.command === "string" ? "" : shown;
}

/** Where the ask comes from: the folder, the host, the labels, and for a sub-agent the session that started it. */
function who(approval, session, parent) {
  const labels = session?.labels ?? {};
  const host = labels.host ?? labels["host.name"];
  const shown = Object.entries(labels).filter(([k]) => k !== "host" && k !== "host.name");
  const parts = [
    approval.cwd ? h("span", { dataset: { testid: "approval-cwd" }, title: "Folder" }, approval.cwd) : null,
    host ? h("span", { dataset: { testid: "approval-host" } }, `on ${host}`) : null,
    session?.parent_id ? h("span", { dataset: { testid: "approval-parent" } }, `sub-agent of ${parent?.name || session.parent_id}`) : null,
    shown.length > 0 ? h("span", { class: "approval-labels", dataset: { testid: "approval-labels" } }, shown.map(([k, v]) => `${k}=${v}`).join(" · ")) : null,
  ].filter(Boolean);
  return parts.length > 0 ? h("div", { class: "approval-who", dataset: { testid: "approval-who" } }, parts) : null;
}

/**
 * Each question with its options as buttons and a free-text "Other". A single choice takes one option (or the text);
 * a multiple choice takes any, joined with ", " as Claude Code joins them, the text last. It starts from `drafts` (what
 * an earlier card for the same approval had chosen and typed) and calls `changed` after each choice or keystroke.
 */
function questionsView(questions, drafts, changed) {
  const state = questions.map((_, qi) => ({ chosen: new Set(drafts[qi]?.chosen ?? []), other: null }));
  const el = h("div", { class: "approval-questions" }, questions.map((q, qi) => {
    const options = (q.options ?? []).map((o) => {
      const option = h("button", { type: "button", class: "button approval-option", dataset: { testid: "approval-option" },
        "aria-pressed": String(state[qi].chosen.has(o.label)) }, o.label);
      option.addEventListener("click", () => {
        const chosen = state[qi].chosen;
        if (q.multi_select) {
          chosen.has(o.label) ? chosen.delete(o.label) : chosen.add(o.label);
        } else {
          chosen.clear();
          chosen.add(o.label);
          state[qi].other.value = "";
        }

        for (const b of el.querySelectorAll(`[data-index="${qi}"] [data-testid=approval-option]`)) {
          b.setAttribute("aria-pressed", String(chosen.has(b.textContent)));
        }
        changed();
      });
      return h("div", { class: "approval-option-row" }, option,
        o.description ? h("span", { class: "approval-option-text" }, o.description) : null);
    });
    state[qi].other = h("input", { type: "text", class: "approval-other", dataset: { testid: "approval-other" }, maxlength: "2000",
      placeholder: "Other: type an answer", "aria-label": `Other answer to: ${q.question}` });
    state[qi].other.value = drafts[qi]?.other ?? "";
    state[qi].other.addEventListener("input", () => {
      if (!q.multi_select && state[qi].other.value.trim()) {
        state[qi].chosen.clear(); // a typed answer replaces the chosen option
        el.querySelectorAll(`[data-index="${qi}"] [data-testid=approval-option]`).forEach((b) => b.setAttribute("aria-pressed", "false"));
      }
      changed();
    });
    return h("fieldset", { class: "approval-question", dataset: { testid: "approval-question", index: String(qi) } },
      h("legend", {}, q.header ? h("span", { class: "approval-question-header" }, q.header) : null, q.question),
      q.multi_select ? h("p", { class: "approval-hint" }, "Choose any") : null,
      h("div", { class: "approval-options" }, options),
      state[qi].other);
  }));

  const value = (qi) => {
    const other = state[qi].other.value.trim();
    const chosen = (questions[qi].options ?? []).map((o) => o.label).filter((l) => state[qi].chosen.has(l));
    return [...chosen, ...(other ? [other] : [])].join(", ");
  };
  return {
    el,
    complete: () => questions.every((_, qi) => value(qi) !== ""),
    answers: () => Object.fromEntries(questions.map((q, qi) => [q.question, value(qi)])),
    draft: () => state.map((s) => ({ chosen: [...s.chosen], other: s.other.value })),
  };
}
