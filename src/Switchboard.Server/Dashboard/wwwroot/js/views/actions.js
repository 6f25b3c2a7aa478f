// The detail panel's actions on one session: what each does, and the form that asks, runs and reports it.

import { byTestId, setAttr, setText } from "../dom.js";
import { formatInt } from "../format.js";

/**
 * What each action asks, does, and says when done. Pause, resume, cancel and message are commands to the session's
 * producer (it acts on them and answers; the Commands section shows how far each got); terminate ends the session.
 * `input` asks for text: an optional reason, or the message (required).
 */
const ACTIONS = {
  pause: { question: "Ask the producer to pause this session?", done: "Pause sent to the producer", failed: "Could not send pause", command: "pause" },
  resume: { question: "Ask the producer to resume this session?", done: "Resume sent to the producer", failed: "Could not send resume", command: "resume" },
  cancel: {
    question: "Ask the producer to cancel this run? It should stop and end the session.", done: "Cancel sent to the producer",
    failed: "Could not send cancel", command: "cancel", input: { placeholder: "Why (optional)", label: "Why cancel" },
  },
  message: {
    question: "Message to the producer:", done: "Message sent to the producer", failed: "Could not send the message", command: "message",
    input: { placeholder: "Message", label: "Message to the producer", required: true },
  },
  terminate: {
    question: "Terminate this session? This cannot be undone.", done: "Terminated", failed: "Could not terminate",
    input: { placeholder: "Reason (optional)", label: "Reason for terminating" },
    run: (api, id, reason, cascade) => api.terminateSession(id, reason, cascade),
  },
};

/**
 * The confirmation form under the action buttons. The panel owns the session: `panel` gives this form the open id and
 * session (`openId()`, `session()`), and takes back what an action returned (`onCommand(command)`, `onSession(session)`)
 * and a request to draw again (`render()`).
 */
export class ActionForm {
  #api;
  #panel;
  #pending = null;
  #busy = false;

  constructor(api, panel) {
    this.#api = api;
    this.#panel = panel;
    for (const button of byTestId("detail-actions").querySelectorAll("[data-action]")) {
      button.addEventListener("click", () => this.ask(button.dataset.action));
    }

    byTestId("action-cancel").addEventListener("click", () => this.ask(null));
    byTestId("action-confirm").addEventListener("submit", (e) => {
      e.preventDefault();
      this.#act();
    });
  }

  /** The action being asked about, or null. */
  get pending() {
    return this.#pending;
  }

  /** Shows the confirmation for an action (null hides it). */
  ask(action) {
    this.#pending = action;
    const form = byTestId("action-confirm");
    form.hidden = action === null;
    if (action === null) {
      return;
    }

    const spec = ACTIONS[action];
    setText(byTestId("action-question"), spec.question);
    const input = byTestId("action-reason");
    input.hidden = !spec.input;
    input.value = "";
    input.required = Boolean(spec.input?.required);
    setAttr(input, "placeholder", spec.input?.placeholder ?? null);
    setAttr(input, "aria-label", spec.input?.label ?? null);
    // Ending the whole subtree is offered when something it started still runs.
    const session = this.#panel.session();
    const running = (session?.subtree?.active ?? 1) - (session?.state === "terminated" ? 0 : 1);
    byTestId("action-cascade-label").hidden = action !== "terminate" || running <= 0;
    byTestId("action-cascade").checked = false;
    setText(byTestId("action-cascade-text"), `Also end the ${formatInt(running)} running ${running === 1 ? "session" : "sessions"} it started`);
    setAttr(form, "data-action", action);
    (spec.input ? input : byTestId("action-ok")).focus();
  }

  /** The outcome line under the form (null hides it). */
  showResult(text, outcome) {
    const el = byTestId("action-result");
    el.hidden = text === null;
    setText(el, text ?? "");
    setAttr(el, "data-outcome", outcome ?? null);
  }

  async #act() {
    const action = this.#pending;
    const id = this.#panel.openId();
    if (!action || !id || this.#busy) {
      return;
    }

    const spec = ACTIONS[action];
    this.#busy = true;
    byTestId("action-ok").disabled = true;
    try {
      const text = byTestId("action-reason").value.trim();
      const answer = spec.command
        ? await this.#api.issueCommand(id, spec.command, text)
        : await spec.run(this.#api, id, text, action === "terminate" && byTestId("action-cascade").checked);
      if (this.#panel.openId() !== id) {
        return;
      }

      if (spec.command) {
        this.#panel.onCommand(answer);
      } else if (answer) {
        this.#panel.onSession(answer);
      }

      this.ask(null);
      this.showResult(spec.done, "ok");
    } catch (error) {
      if (this.#panel.openId() === id) {
        this.showResult(`${spec.failed}: ${error.message}`, "error");
      }
    } finally {
      this.#busy = false;
      byTestId("action-ok").disabled = false;
      this.#panel.render();
    }
  }
}
