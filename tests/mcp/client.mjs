// The reference TypeScript MCP client (@modelcontextprotocol/sdk) against a Switchboard's /mcp: every tool and resource,
// a subscription hearing a commit, an agent key refused answer_approval, and hostile input that changes nothing.
// Env: SWITCHBOARD_URL, OPERATOR_KEY (@ops), AGENT_KEY (@claude, agent), SCOPED_KEY (operator, team=blue).
// Prints "@@ ok {...}" and exits 0 when every check held; a failed check throws (exit 1) with what it saw.
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const base = process.env.SWITCHBOARD_URL;
const keys = { op: process.env.OPERATOR_KEY, agent: process.env.AGENT_KEY, scoped: process.env.SCOPED_KEY };

async function api(method, path, key, body, contentType = 'application/json') {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text && contentType === 'application/json' ? JSON.parse(text) : text;
}

async function connect(key) {
  const client = new Client({ name: 'switchboard-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(base + '/mcp'), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

const call = async (client, name, args) => client.callTool({ name, arguments: args });
const ok = (result) => {
  assert.ok(!result.isError, 'tool error: ' + JSON.stringify(result.content));
  return JSON.parse(result.content[0].text);
};
const refused = (result) => {
  assert.equal(result.isError, true, 'expected a refusal: ' + JSON.stringify(result.content));
  return JSON.parse(result.content[0].text);
};
const head = async () => (await api('GET', '/api/events?limit=1', keys.op)).head_seq;

// Sessions and an approval, as agents report them.
await api('POST', '/api/sessions', keys.agent, { id: 'build-1', name: 'build', state: 'working', labels: { team: 'red' } });
await api('POST', '/api/sessions', keys.agent, { id: 'idle-1', name: 'docs', state: 'idle', labels: { team: 'red' } });
const asked = await api('POST', '/api/sessions/build-1/approvals', keys.agent, { tool: 'Bash', summary: 'npm test' });

const op = await connect(keys.op);
const tools = (await op.listTools()).tools.map((t) => t.name).sort();
assert.deepEqual(tools, ['answer_approval', 'fleet_summary', 'get_session', 'list_pending_approvals', 'list_sessions', 'read_events',
  'read_session_output', 'send_command', 'wait_for']);

const waiting = ok(await call(op, 'list_sessions', { waiting_only: true, sort: 'waiting_longest' }));
assert.deepEqual(waiting.sessions.map((s) => s.id), ['build-1']);
assert.ok(waiting.sessions[0].waiting_seconds >= 0);
assert.deepEqual(ok(await call(op, 'list_sessions', { text: 'DOCS' })).sessions.map((s) => s.id), ['idle-1']);
const paged = ok(await call(op, 'list_sessions', { limit: 1 }));
assert.equal(paged.sessions.length, 1);
assert.ok(paged.next_cursor);
assert.equal(ok(await call(op, 'list_sessions', { limit: 1, cursor: paged.next_cursor })).sessions.length, 1);

const build = ok(await call(op, 'get_session', { session_id: 'build-1' }));
assert.equal(build.session.state, 'waiting');
assert.equal(build.pending_approvals[0].id, asked.id);
const summary = ok(await call(op, 'fleet_summary', {}));
assert.equal(summary.counts.waiting, 1);
const pending = ok(await call(op, 'list_pending_approvals', {}));
assert.equal(pending.approvals[0].approval.id, asked.id);
assert.equal(pending.approvals[0].session.name, 'build');

// An agent key reads, but may not answer: refused, and the approval is still pending.
const agent = await connect(keys.agent);
assert.equal(ok(await call(agent, 'list_pending_approvals', {})).approvals.length, 1);
const role = refused(await call(agent, 'answer_approval', { session_id: 'build-1', approval_id: asked.id, decision: 'allow' }));
assert.equal(role.error, 'insufficient_role');
assert.equal((await api('GET', `/api/sessions/build-1/approvals/${asked.id}`, keys.op)).state, 'pending');

// A subscription hears the answer's commit.
const updates = [];
let heard;
op.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
  updates.push(n.params.uri);
  heard?.();
});
const next = (uri) => new Promise((resolve) => {
  heard = () => updates.includes(uri) && resolve();
  heard();
});
await op.subscribeResource({ uri: 'switchboard://sessions/build-1' });
await op.subscribeResource({ uri: 'switchboard://fleet/summary' });
updates.length = 0;
const answered = ok(await call(op, 'answer_approval', { session_id: 'build-1', approval_id: asked.id, decision: 'allow', note: 'routine' }));
assert.equal(answered.approval.state, 'allowed');
assert.equal(answered.approval.answered_by, 'mcp:@ops');
await next('switchboard://sessions/build-1');
await next('switchboard://fleet/summary');

// A question a Claude Code hook asks (held on its request), answered through answer_approval: the hook's answer carries
// the chosen label in updatedInput, the questions as asked.
const questions = [{ question: 'Which color?', header: 'Color', options: [{ label: 'Blue', description: 'b' }, { label: 'Red', description: 'r' }], multiSelect: false }];
const hook = fetch(base + '/hooks/claude-code', {
  method: 'POST',
  headers: { Authorization: `Bearer ${keys.agent}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ session_id: 'asks', hook_event_name: 'PermissionRequest', cwd: '/work/repo', permission_mode: 'default',
    tool_name: 'AskUserQuestion', tool_input: { questions } }),
});
// Polled, as a supervisor would: the hook's session may show waiting a moment before its approval is committed.
let asking;
for (const deadline = Date.now() + 60_000; !asking; await new Promise((resolve) => setTimeout(resolve, 50))) {
  assert.ok(Date.now() < deadline, "the hook's question did not become a pending approval within 60 s");
  asking = ok(await call(op, 'list_pending_approvals', {})).approvals.find((a) => a.approval.kind === 'question');
}
const question = asking.approval;
assert.equal(question.kind, 'question');
assert.deepEqual(question.questions[0].options.map((o) => o.label), ['Blue', 'Red']);
const chosen = ok(await call(op, 'answer_approval', { session_id: question.session_id, approval_id: question.id, decision: 'answer', answers: { 'Which color?': 'Red' } }));
assert.equal(chosen.approval.state, 'allowed');
assert.deepEqual(chosen.approval.answers, { 'Which color?': 'Red' });
const decision = (await (await hook).json()).hookSpecificOutput.decision;
assert.equal(decision.behavior, 'allow');
assert.deepEqual(decision.updatedInput, { questions, answers: { 'Which color?': 'Red' } });

const sent = ok(await call(op, 'send_command', { session_id: 'build-1', type: 'message', text: 'wrap up' }));
assert.equal(sent.command.state, 'pending');
assert.equal(sent.command.issued_by, 'mcp:@ops');

const events = ok(await call(op, 'read_events', { since: 0, session_id: 'build-1', types: ['approval_answered'] }));
assert.equal(events.events.length, 1);
assert.equal(events.events[0].type, 'approval_answered');

await api('PUT', '/v1/stream/sessions/build-1/output', keys.agent, '', 'text/plain');
await api('POST', '/v1/stream/sessions/build-1/output', keys.agent, 'hello from the agent', 'text/plain');
const output = ok(await call(op, 'read_session_output', { session_id: 'build-1', max_bytes: 5 }));
assert.equal(output.text, 'hello');
assert.equal(output.up_to_date, false);
const rest = ok(await call(op, 'read_session_output', { session_id: 'build-1', offset: output.next_offset }));
assert.equal(rest.text, ' from the agent');
assert.equal(rest.up_to_date, true);

// wait_for: armed (its first progress), a change that does not match (another progress), then the end it waits for.
const progress = [];
let armed;
const isArmed = new Promise((resolve) => { armed = resolve; });
const waited = op.callTool({ name: 'wait_for', arguments: { condition: 'ended', session_id: 'build-1', timeout_seconds: 120 } }, undefined,
  { onprogress: (p) => { progress.push(p); armed(); }, timeout: 180000 });
await isArmed;
await api('PATCH', '/api/sessions/build-1', keys.agent, { state: 'idle' });
await api('POST', '/api/sessions/build-1/terminate', keys.agent, {});
const ended = ok(await waited);
assert.equal(ended.matched, true);
assert.equal(ended.session.state, 'terminated');
assert.ok(progress.length >= 1);

const resources = (await op.listResources()).resources.map((r) => r.uri);
assert.ok(resources.includes('switchboard://fleet/summary') && resources.includes('switchboard://sessions/idle-1'), resources.join());
const templates = (await op.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
assert.deepEqual(templates, ['switchboard://sessions/{id}']);
const read = JSON.parse((await op.readResource({ uri: 'switchboard://sessions/idle-1' })).contents[0].text);
assert.equal(read.name, 'docs');
assert.equal(JSON.parse((await op.readResource({ uri: 'switchboard://fleet/summary' })).contents[0].text).total_count, 3); // build-1, idle-1 and the hook's session

// Hostile input: clear JSON-RPC errors, and nothing written.
const before = await head();
const rpcError = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a JSON-RPC error');
};
const unknown = await rpcError(call(op, 'rm_rf', {}));
assert.equal(unknown.code, -32602);
assert.match(unknown.message, /Unknown tool: 'rm_rf'/);
const bogus = await rpcError(call(op, 'send_command', { session_id: 'idle-1', type: 'reboot' }));
assert.equal(bogus.code, -32602);
assert.match(bogus.message, /'type' must be one of cancel, pause, resume, message/);
const huge = await rpcError(call(op, 'send_command', { session_id: 'idle-1', type: 'message', text: 'x'.repeat(2_000_000) }));
assert.match(String(huge.message), /413|over \d+ bytes/);
const extra = await rpcError(call(op, 'list_sessions', { shell: 'rm -rf /' }));
assert.equal(extra.code, -32602);
const post = async (body) => {
  const res = await fetch(base + '/mcp', {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.op}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body,
  });
  return { status: res.status, text: await res.text() };
};
const malformed = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
assert.equal(malformed.status, 400, malformed.text);
assert.match(malformed.text, /-32700|-32600/);

// A key scoped to another team: a session outside its scope answers as one that does not exist.
const scoped = await connect(keys.scoped);
const outside = refused(await call(scoped, 'get_session', { session_id: 'idle-1' }));
const missing = refused(await call(scoped, 'get_session', { session_id: 'idle-2' }));
assert.equal(outside.error, 'session_not_found');
assert.equal(outside.detail.replace('idle-1', 'ID'), missing.detail.replace('idle-2', 'ID'));
const steer = refused(await call(scoped, 'send_command', { session_id: 'idle-1', type: 'cancel' }));
assert.equal(steer.error, 'session_not_found');
assert.equal(ok(await call(scoped, 'list_sessions', { active: true })).sessions.length, 0);
assert.equal(refused(await call(scoped, 'fleet_summary', {})).error, 'insufficient_scope');
const notFound = await rpcError(scoped.readResource({ uri: 'switchboard://sessions/idle-1' }));
assert.equal(notFound.code, -32002);
assert.equal(await head(), before, 'hostile input wrote nothing');

await Promise.all([op.close(), agent.close(), scoped.close()]);
console.log('@@ ok ' + JSON.stringify({ tools: tools.length, updates: updates.length, progress: progress.length }));
