// The detail panel's approval history: every approval the session asked for (newest first), with its tool, summary,
// how it ended and by whom. Read once when the panel opens (GET …/approvals), then kept current by the approval
// events of the panel's own `session:{id}` channel.

import { byTestId, h } from "../dom.js";
import { formatClock } from "../format.js";

export const APPROVAL_EVENTS = ["approval_requested", "approval_answered", "approval_expired", "approval_withdrawn"];

const MAX_SHOWN = 50;
const ENDINGS = { pending: "pending", allowed: "allowed", denied: "denied", expired: "expired", withdrawn: "withdrawn" };

export class ApprovalHistory {
  /** approval id → approval, as last read or heard. */
  #approvals = new Map();

  /** Takes an approval as it is now (a later state replaces an earlier one, never the reverse). */
  remember(approval) {
    const known = this.#approvals.get(approval.id);
    if (!known || known.state === "pending") {
      this.#approvals.set(approval.id, approval);
    }
  }

  render() {
    const approvals = [...this.#approvals.values()].sort((a, b) => (a.requested_at < b.requested_at ? 1 : -1)).slice(0, MAX_SHOWN);
    byTestId("detail-approvals-empty").hidden = approvals.length > 0;
    byTestId("detail-approvals").replaceChildren(...approvals.map((a) => h("li", { dataset: { testid: "detail-approval", state: a.state } },
      h("time", { datetime: a.requested_at }, formatClock(a.requested_at)),
      h("span", {}, [a.tool ? `${a.tool}: ` : "", a.summary]),
      h("span", { class: `approval-state approval-${a.state}`, dataset: { testid: "detail-approval-state" } },
        [ENDINGS[a.state] ?? a.state, a.answered_by ? ` by ${a.answered_by}` : "", a.note ? ` · ${a.note}` : ""]))));
  }
}
