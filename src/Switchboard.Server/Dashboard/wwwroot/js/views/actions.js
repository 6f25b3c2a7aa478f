// The detail panel's actions on one session (detail.js asks, runs and reports them).

/**
 * What each action asks, does, and says when done. Pause, resume, cancel and message are commands to the session's
 * producer (it acts on them and answers; the Commands section shows how far each got); terminate ends the session.
 * `input` asks for text: an optional reason, or the message (required).
 */
export const ACTIONS = {
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
