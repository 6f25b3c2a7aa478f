import {useQueryClient, type QueryClient} from "@tanstack/react-query";
import {useEffect} from "react";
import type {SwitchboardClient} from "./client.js";
import {createLiveView, labelsMatch, newestFirst} from "./liveView.js";
import type {Subscriber} from "./subscriber.js";
import type {Switchboard} from "./switchboard.js";
import type {Labels, Session, SessionState, Summary, SummaryResponse} from "./types.js";

export interface SessionsFilter {
  labels?: Labels;
  states?: readonly SessionState[];
}

function normalize(filter: SessionsFilter = {}): {labels: Labels; states: SessionState[]} {
  const labels: Labels = {};
  for (const k of Object.keys(filter.labels ?? {}).sort()) labels[k] = filter.labels![k]!;
  return {labels, states: [...(filter.states ?? [])].sort()};
}

/** The query keys the adapter keeps current. */
export const switchboardKeys = {
  all: ["switchboard"] as const,
  sessionLists: () => ["switchboard", "sessions"] as const,
  sessions: (filter?: SessionsFilter) => ["switchboard", "sessions", normalize(filter)] as const,
  session: (id: string) => ["switchboard", "session", id] as const,
  summary: () => ["switchboard", "summary"] as const,
};

/**
 * Query options for the sessions matching a filter (all pages). With the adapter connected the data stays current
 * without refetching, so `staleTime` is infinite.
 */
export function sessionsQueryOptions(client: SwitchboardClient, filter: SessionsFilter = {}) {
  return {
    queryKey: switchboardKeys.sessions(filter),
    queryFn: () => client.listAllSessions({labels: filter.labels, states: filter.states}),
    staleTime: Infinity,
  };
}

export function sessionQueryOptions(client: SwitchboardClient, id: string) {
  return {queryKey: switchboardKeys.session(id), queryFn: () => client.getSession(id), staleTime: Infinity};
}

export function summaryQueryOptions(client: SwitchboardClient) {
  return {queryKey: switchboardKeys.summary(), queryFn: () => client.summary(), staleTime: Infinity};
}

function matches(session: Session, filter: {labels: Labels; states: SessionState[]}): boolean {
  return labelsMatch(session, filter.labels) && (filter.states.length === 0 || filter.states.includes(session.state));
}

/** Puts `session` into a cached list (or takes it out when it no longer matches); older versions never win. */
function upsertInto(list: readonly Session[], session: Session, filter: {labels: Labels; states: SessionState[]}): readonly Session[] {
  const i = list.findIndex(s => s.id === session.id);
  if (i >= 0 && list[i]!.version >= session.version) return list;
  const keep = matches(session, filter);
  if (i < 0 && !keep) return list;
  const next = list.slice();
  if (i >= 0 && keep) next[i] = session;
  else if (i >= 0) next.splice(i, 1);
  else {
    // A session new to the list is the newest of those created at its time (the server lists in creation order).
    const at = next.findIndex(s => newestFirst(session, s) <= 0);
    next.splice(at < 0 ? next.length : at, 0, session);
  }
  return next;
}

export interface QueryAdapter {
  /** Stops applying events. */
  close(): void;
}

/**
 * Keeps the cached queries of {@link switchboardKeys} current by applying the `sessions` topic's events with
 * `setQueryData`: lists (per filter), single sessions and the summary. It never refetches because of an event.
 * Only when a resume falls back to a snapshot (events were missed) are the session queries invalidated, so they
 * are fetched once more.
 */
export function connectQueryClient(queryClient: QueryClient, switchboard: {client: SwitchboardClient; subscriber: Subscriber}): QueryAdapter {
  const view = createLiveView({subscriber: switchboard.subscriber, client: switchboard.client});

  const putSession = (session: Session) => {
    for (const [key, data] of queryClient.getQueriesData<readonly Session[]>({queryKey: switchboardKeys.sessionLists()})) {
      if (!data) continue;
      const filter = (key[2] ?? {labels: {}, states: []}) as {labels: Labels; states: SessionState[]};
      const next = upsertInto(data, session, filter);
      if (next !== data) queryClient.setQueryData(key, next);
    }
    const detailKey = switchboardKeys.session(session.id);
    const detail = queryClient.getQueryData<Session>(detailKey);
    if (detail && detail.version < session.version) queryClient.setQueryData(detailKey, session);
  };

  const putSummary = (summary: Partial<Summary>) => {
    const current = queryClient.getQueryData<SummaryResponse>(switchboardKeys.summary());
    if (!current) return;
    if (summary.as_of_seq !== undefined && summary.as_of_seq < current.as_of_seq) return;
    queryClient.setQueryData<SummaryResponse>(switchboardKeys.summary(), {...current, ...summary});
  };

  const offEvent = view.onEvent((event, session) => {
    if (event.type === "fleet_updated") {
      putSummary({is_paused: event.data.is_paused});
      return;
    }
    if (event.type === "session_updated" && !session) {
      // The session left the active set or is not in it (e.g. beyond the snapshot): apply the changes to what the
      // cache holds, which needs no fetch.
      const patch = (s: Session): Session => ({...s, ...event.data.changes, version: event.data.version} as Session);
      const cached = queryClient.getQueryData<Session>(switchboardKeys.session(event.session_id));
      if (cached && cached.version < event.data.version) putSession(patch(cached));
      else {
        for (const [, data] of queryClient.getQueriesData<readonly Session[]>({queryKey: switchboardKeys.sessionLists()})) {
          const found = data?.find(s => s.id === event.session_id);
          if (found && found.version < event.data.version) {
            putSession(patch(found));
            break;
          }
        }
      }
      return;
    }
    const full = session ?? (event.type !== "session_updated" ? event.data.session : undefined);
    if (full) putSession(full);
  });
  let lastSummary: Summary | null = null;
  const offState = view.subscribe(() => {
    const summary = view.getState().summary;
    if (summary && summary !== lastSummary) {
      lastSummary = summary;
      putSummary(summary);
    }
  });
  const offReset = view.onReset(snapshot => {
    if (!snapshot.initial) void queryClient.invalidateQueries({queryKey: switchboardKeys.all});
  });

  return {
    close() {
      offEvent();
      offState();
      offReset();
      view.close();
    },
  };
}

/** Connects the adapter for as long as the component is mounted (the query client from `QueryClientProvider`). */
export function useSwitchboardQueryAdapter(switchboard: Switchboard, queryClient?: QueryClient): void {
  const fromContext = useQueryClient();
  const qc = queryClient ?? fromContext;
  useEffect(() => {
    const adapter = connectQueryClient(qc, switchboard);
    return () => adapter.close();
  }, [qc, switchboard]);
}
