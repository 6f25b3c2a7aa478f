// The detail panel's approval history: every approval the session asked for (newest first), with its tool, summary,
// how it ended and by whom. Read once when the panel opens (GET …/approvals), then kept current by the approval
// events of the panel's own `session:{id}` channel.

import { byTestId, h, placeItems } from "../dom.js";
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
    // An approval is drawn again only when what it shows changed: a selection in the others survives its news.
    placeItems(byTestId("detail-approvals"), approvals, (a) => a.id, (a) => [a.state, a.requested_at, a.tool, a.summary, a.answered_by, a.note],
      (a) => h("li", { dataset: { testid: "detail-approval", approvalId: a.id, state: a.state } },
        h("time", { datetime: a.requested_at }, formatClock(a.requested_at)),
        h("span", {}, [a.tool ? `${a.tool}: ` : "", a.summary]),
        h("span", { class: `approval-state approval-${a.state}`, dataset: { testid: "detail-approval-state" } },
          [ENDINGS[a.state] ?? a.state, a.answered_by ? ` by ${a.answered_by}` : "", a.note ? ` · ${a.note}` : ""])));
  }
}
