// Retry delays of the Phoenix client, with jitter.

/** Socket reconnects: fast at first (a server restart is usually quick), then every 5 s. */
export const RECONNECT_STEPS_MS = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];
export const RECONNECT_MAX_MS = 5000;
/** Channel rejoins after an error reply, a timeout or a crash. */
export const REJOIN_STEPS_MS = [1000, 2000, 5000];
export const REJOIN_MAX_MS = 10_000;

export function backoff(steps, max, tries) {
  const base = steps[tries - 1] ?? max;
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
