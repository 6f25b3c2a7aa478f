// Approvals (docs/approvals.md): a producer asks a person before it acts; an operator answers on any node. The names the
// client uses for the shapes generated into wire.ts from the server's OpenAPI document, and the live events.

import type {ApprovalResponse} from "./wire.js";

export type {ApprovalAnswerRequest, ApprovalListResponse, ApprovalRequest} from "./wire.js";

/** An approval as the API returns it (`ApprovalResponse`). */
export type Approval = ApprovalResponse;

/** Where an approval is; a newer server may send a state this client does not list, so compare, do not switch exhaustively. */
export type ApprovalState = "pending" | "allowed" | "denied" | "expired" | "withdrawn" | (string & {});

export type ApprovalEventType = "approval_requested" | "approval_answered" | "approval_expired" | "approval_withdrawn";

/** The approval event types, as a session's topic (and the fleet-wide `approvals` topic) delivers them. */
export const APPROVAL_EVENT_TYPES: readonly ApprovalEventType[] = [
  "approval_requested", "approval_answered", "approval_expired", "approval_withdrawn",
];

/** One step of an approval's life; `data.approval` is the approval after it. */
export interface ApprovalEvent {
  seq: number;
  epoch: string;
  type: ApprovalEventType;
  session_id: string;
  at: string;
  data: {approval: Approval};
}
