import type {ProblemDetails} from "./types.js";

/**
 * An error status from the server, with its RFC 9457 problem details: `status`, `code` (e.g. `session_not_found`),
 * `title`, `detail` (what was wrong and how to fix it) and, for a bad field, `field`.
 */
export class SwitchboardProblem extends Error implements ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly field?: string;
  /** The problem object as the server sent it (extension members included). */
  readonly problem: ProblemDetails & Record<string, unknown>;

  constructor(problem: ProblemDetails & Record<string, unknown>) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "SwitchboardProblem";
    this.problem = problem;
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    if (problem.instance !== undefined) this.instance = problem.instance;
    if (problem.field !== undefined) this.field = problem.field;
  }
}

/** The server could not be reached, or answered with something that is not the API's JSON. */
export class SwitchboardTransportError extends Error {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options);
    this.name = "SwitchboardTransportError";
  }
}

export function isProblem(error: unknown, code?: string): error is SwitchboardProblem {
  return error instanceof SwitchboardProblem && (code === undefined || error.code === code);
}
