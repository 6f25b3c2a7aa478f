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

/**
 * An operator's answer (`client.answerApproval`), by decision; the server's docs/approvals.md#answering. Build one with
 * {@link ApprovalAnswer.allow}, {@link ApprovalAnswer.deny} or {@link ApprovalAnswer.answer}, or write it out. An answer
 * that does not fit the approval (a suggestion it does not offer, a question left unanswered) is refused by the server:
 * a 400 `SwitchboardProblem` naming the field, and the agent stays held.
 */
export type ApprovalAnswer =
  /** Allow; with `suggestion`, also apply that "allow always" rule of the approval's `suggestions` (an index). */
  | {decision: "allow"; note?: string | null; suggestion?: number | null}
  /** Deny: the agent reads `note`; with `interrupt`, its run stops too. */
  | {decision: "deny"; note?: string | null; interrupt?: boolean}
  /** Answer a `question`: every question's text → an option's label (several joined with `", "`) or free text. */
  | {decision: "answer"; answers: Record<string, string>; note?: string | null};

export const ApprovalAnswer = {
  /** Allow; with `suggestion`, "allow always": the rule `approval.suggestions[suggestion]` is applied too. */
  allow(options: {suggestion?: number; note?: string} = {}): ApprovalAnswer {
    return {decision: "allow", ...options};
  },
  /** Deny: the agent reads `note`; with `interrupt: true` its run stops too. */
  deny(options: {note?: string; interrupt?: boolean} = {}): ApprovalAnswer {
    return {decision: "deny", ...options};
  },
  /** Answers a `question` approval: every question's text → its answer. */
  answer(answers: Record<string, string>, options: {note?: string} = {}): ApprovalAnswer {
    return {decision: "answer", answers, ...options};
  },
} as const;
