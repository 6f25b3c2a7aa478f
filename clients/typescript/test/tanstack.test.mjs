// The TanStack Query adapter without React: events are applied to cached queries with setQueryData, never by
// refetching; a query fetched before the adapter's first join is reconciled with the join's snapshot.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {QueryClient} from "@tanstack/react-query";
import {connectQueryClient, sessionQueryOptions, sessionsQueryOptions, summaryQueryOptions, switchboardKeys} from "../dist/tanstack.js";
import {Server, eventually, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

/** Query options whose fetches are counted. */
function counting(options, counter) {
  return {...options, queryFn: () => (counter.n++, options.queryFn())};
}

test("events update lists, single sessions and the summary in the cache without a refetch", async t => {
  const team = uniqueId("team");
  const first = await client.createSession({name: "first", labels: {team}, state: "working"});
  const sb = server.switchboard();
  t.after(() => sb.close());
  const queryClient = new QueryClient();
  t.after(() => queryClient.clear());
  const fetches = {n: 0};
  const all = counting(sessionsQueryOptions(sb.client, {labels: {team}}), fetches);
  const working = counting(sessionsQueryOptions(sb.client, {labels: {team}, states: ["working"]}), fetches);
  const one = counting(sessionQueryOptions(sb.client, first.id), fetches);
  const summary = counting(summaryQueryOptions(sb.client), fetches);
  for (const q of [all, working, one, summary]) await queryClient.fetchQuery(q);
  assert.equal(fetches.n, 4);

  const adapter = connectQueryClient(queryClient, sb);
  t.after(() => adapter.close());
  // Joined, not only connected: a change made before the join comes from its snapshot, and the snapshot cannot say
  // that a session which ended meanwhile ended (the list is invalidated instead, and nothing here observes it).
  await adapter.ready;

  const second = await client.createSession({name: "second", labels: {team}, state: "idle"});
  await client.createSession({name: "elsewhere", labels: {team: "other"}});
  await client.updateSession(first.id, {name: "renamed", tasks_running: 5});
  await client.addUsage(first.id, {input_tokens: 40, output_tokens: 2});
  await client.updateSession(second.id, {state: "working"});
  await client.terminate(first.id);

  const expectAll = await client.listAllSessions({labels: {team}});
  const expectWorking = await client.listAllSessions({labels: {team}, states: ["working"]});
  const expectOne = await client.getSession(first.id);
  await eventually(() => JSON.stringify(queryClient.getQueryData(all.queryKey)) === JSON.stringify(expectAll), "the list");
  await eventually(() => JSON.stringify(queryClient.getQueryData(working.queryKey)) === JSON.stringify(expectWorking), "the filtered list");
  await eventually(() => JSON.stringify(queryClient.getQueryData(one.queryKey)) === JSON.stringify(expectOne), "the session");
  const expectSummary = await client.summary();
  await eventually(() => queryClient.getQueryData(switchboardKeys.summary())?.as_of_seq === expectSummary.as_of_seq, "the summary");
  const cachedSummary = queryClient.getQueryData(switchboardKeys.summary());
  assert.equal(cachedSummary.total_tokens, expectSummary.total_tokens);
  assert.equal(cachedSummary.active_count, expectSummary.active_count);
  assert.equal(fetches.n, 4, "nothing was fetched again");
});

test("a query fetched before the adapter joined takes the changes made in between from the snapshot", async t => {
  const team = uniqueId("team");
  const s = await client.createSession({name: "before", labels: {team}});
  const sb = server.switchboard();
  t.after(() => sb.close());
  const queryClient = new QueryClient();
  t.after(() => queryClient.clear());
  const options = sessionsQueryOptions(sb.client, {labels: {team}});
  await queryClient.fetchQuery(options);
  await client.updateSession(s.id, {name: "changed before the join"});   // no event will ever carry this
  const adapter = connectQueryClient(queryClient, sb);
  t.after(() => adapter.close());
  await eventually(() => queryClient.getQueryData(options.queryKey)?.[0]?.name === "changed before the join", "the snapshot's copy");
});
