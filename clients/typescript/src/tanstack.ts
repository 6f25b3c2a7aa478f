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
  // A state this client does not know matches no state it can name, so only an unfiltered list keeps it.
  return labelsMatch(session, filter.labels) && (filter.states.length === 0 || (filter.states as readonly string[]).includes(session.state));
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
  /**
   * Resolves once the first join's snapshot is in the cache; from then on every change arrives as an event. A change
   * made before it is taken from the snapshot, and a cached list holding a session that ended meanwhile is invalidated.
   */
  readonly ready: Promise<void>;
  /** Stops applying events. */
  close(): void;
}

/**
 * Keeps the cached queries of {@link switchboardKeys} current by applying the `sessions` topic's events with
 * `setQueryData`: lists (per filter), single sessions and the summary. It never refetches because of an event.
 *
 * - A query whose fetch completes after events arrived (its answer may predate them) gets the recent events
 *   applied on top; versions decide, so nothing is applied twice or goes backwards.
 * - A query fetched before the adapter's first join is reconciled with the join's snapshot the same way.
 * - When a later resume falls back to a snapshot (events were missed), the `["switchboard"]` queries are
 *   invalidated: that is the one case in which they are fetched again.
 */
export function connectQueryClient(queryClient: QueryClient, switchboard: {client: SwitchboardClient; subscriber: Subscriber}): QueryAdapter {
  const view = createLiveView({subscriber: switchboard.subscriber, client: switchboard.client});
  // The newest copies of recently changed sessions, to bring a query whose fetch raced with events up to date.
  const recent = new Map<string, Session>();
  const remember = (session: Session) => {
    recent.delete(session.id);
    recent.set(session.id, session);
    if (recent.size > 2000) recent.delete(recent.keys().next().value as string);
  };

  const putIntoList = (key: readonly unknown[], data: readonly Session[], sessions: Iterable<Session>) => {
    const filter = (key[2] ?? {labels: {}, states: []}) as {labels: Labels; states: SessionState[]};
    let next = data;
    for (const session of sessions) next = upsertInto(next, session, filter);
    if (next !== data) queryClient.setQueryData(key, next);
  };

  const putSession = (session: Session) => {
    remember(session);
    for (const [key, data] of queryClient.getQueriesData<readonly Session[]>({queryKey: switchboardKeys.sessionLists()})) {
      if (data) putIntoList(key, data, [session]);
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

  /** Brings one query's freshly fetched data up to what the adapter has seen. */
  const catchUp = (key: readonly unknown[]) => {
    if (key[1] === "sessions") {
      const data = queryClient.getQueryData<readonly Session[]>(key);
      if (data) putIntoList(key, data, recent.values());
    } else if (key[1] === "session") {
      const data = queryClient.getQueryData<Session>(key);
      const newer = recent.get(key[2] as string);
      if (data && newer && newer.version > data.version) queryClient.setQueryData(key, newer);
    } else if (key[1] === "summary") {
      const summary = view.getState().summary;
      if (summary) putSummary(summary);
    }
  };

  const offCache = queryClient.getQueryCache().subscribe(event => {
    if (event.type !== "updated" || event.action.type !== "success" || event.action.manual) return;
    const key = event.query.queryKey;
    if (key[0] === switchboardKeys.all[0]) catchUp(key);
  });

  const offEvent = view.onEvent((event, session) => {
    if (event.type === "fleet_updated") {
      putSummary({is_paused: event.data.is_paused});
      return;
    }
    if (event.type === "session_updated" && !session) {
      // Not in the adapter's copy (beyond its snapshot): apply the changes to what the cache holds, with no fetch.
      const patch = (s: Session): Session => ({...s, ...event.data.changes, version: event.data.version} as Session);
      const cached = queryClient.getQueryData<Session>(switchboardKeys.session(event.session_id))
        ?? queryClient.getQueriesData<readonly Session[]>({queryKey: switchboardKeys.sessionLists()})
          .map(([, data]) => data?.find(s => s.id === event.session_id)).find(s => s !== undefined);
      if (cached && cached.version < event.data.version) putSession(patch(cached));
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
    if (!snapshot.initial) {
      recent.clear();
      void queryClient.invalidateQueries({queryKey: switchboardKeys.all});
      return;
    }
    // Queries fetched before this first join may have missed changes made before it: take the snapshot's newer
    // copies. A cached active session the complete snapshot no longer has ended meanwhile: fetch that list again.
    const active = new Map((snapshot.sessions ?? []).map(s => [s.id, s]));
    for (const s of active.values()) putSession(s);
    if (snapshot.next_cursor === null) {
      for (const [key, data] of queryClient.getQueriesData<readonly Session[]>({queryKey: switchboardKeys.sessionLists()})) {
        if (data?.some(s => s.state !== "terminated" && !active.has(s.id))) void queryClient.invalidateQueries({queryKey: key, exact: true});
      }
    }
  });

  return {
    ready: view.ready,
    close() {
      offCache();
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
