// Commands to the producer of a session (docs/commands.md): the names the client uses for the shapes generated into
// wire.ts from the server's OpenAPI document, and the live events that report a command's life.

import type {CommandResponse} from "./wire.js";

export {
  COMMAND_OUTCOMES, COMMAND_STATES, COMMAND_TYPES, type CommandOutcome, type CommandState, type CommandType,
} from "./wire.js";
export type {AlertAction, CommandAckRequest, CommandListResponse, CommandRequest, SessionWriteResponse} from "./wire.js";

/** A command as the API returns it (`CommandResponse`); `id` is the key to drop a repeat (delivery is at least once). */
export type Command = CommandResponse;

export type CommandEventType = "command_issued" | "command_delivered" | "command_acknowledged" | "command_expired" | "command_withdrawn";

/** The command event types, as a session's topic (and the fleet-wide `commands` topic) delivers them. */
export const COMMAND_EVENT_TYPES: readonly CommandEventType[] = [
  "command_issued", "command_delivered", "command_acknowledged", "command_expired", "command_withdrawn",
];

/**
 * One step of a command's life; `data.command` is the command after it. A `command_delivered` is one hand-over, and
 * `data.attempt` says which (1 the first time; more when it was not acknowledged within the server's visibility timeout).
 */
export interface CommandEvent {
  seq: number;
  epoch: string;
  type: CommandEventType;
  session_id: string;
  at: string;
  data: {command: Command; attempt?: number};
}

/**
 * What `onCommand`'s handler may resolve with: nothing (acknowledged `done`) or an explicit outcome and note. A handler
 * that rejects acknowledges `failed` with the error's message as the note.
 */
export type CommandHandlerResult = void | undefined | {outcome?: "done" | "rejected" | "failed"; note?: string | null};
