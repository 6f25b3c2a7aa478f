// The TypeScript types against the OpenAPI document a real server serves: every type with a runtime descriptor must
// have exactly the schema's properties, the same required set and the same nullability. (The compiler holds the
// descriptors to the interfaces, so together they hold the interfaces to the server.)
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {schemas, enums} from "../dist/index.js";
import {Server} from "./server.mjs";

let server;
let document;
before(async () => {
  server = await Server.start();
  const response = await fetch(server.url + "/openapi/v1.json");
  assert.equal(response.status, 200);
  document = await response.json();
});
after(() => server?.stop());

function resolve(schema) {
  while (schema && schema.$ref) schema = document.components.schemas[schema.$ref.split("/").pop()];
  return schema;
}

function nullable(property) {
  const alternatives = property.oneOf ?? property.anyOf;
  if (alternatives) return alternatives.some(a => a.type === "null"); // a nullable reference: oneOf [null, $ref]
  const p = property.$ref ? resolve(property) : property;
  const type = p.type;
  return Array.isArray(type) ? type.includes("null") : p.nullable === true;
}

for (const [name, descriptor] of Object.entries(schemas)) {
  test(`${name} matches the server's schema`, () => {
    const schema = resolve(document.components.schemas[name]);
    assert.ok(schema, `the OpenAPI document has no schema ${name}`);
    const properties = schema.properties ?? {};
    assert.deepEqual(Object.keys(descriptor).sort(), Object.keys(properties).sort(), `${name}: property names`);
    const required = Object.entries(descriptor).filter(([, d]) => d.required).map(([k]) => k).sort();
    assert.deepEqual(required, [...(schema.required ?? [])].sort(), `${name}: required properties`);
    for (const [key, d] of Object.entries(descriptor)) {
      assert.equal(d.nullable, nullable(properties[key]), `${name}.${key}: nullable`);
    }
  });
}

test("the session states and event types are the server's enums", () => {
  const session = document.components.schemas.SessionResponse;
  assert.deepEqual([...enums.SessionState].sort(), [...session.properties.state.enum].sort());
  const envelope = document.components.schemas.EventEnvelope;
  assert.deepEqual([...enums.EventType].sort(), [...envelope.properties.type.enum].sort());
});

test("the alert and webhook states are the server's enums", () => {
  const alert = document.components.schemas.AlertResponse;
  assert.deepEqual([...enums.AlertState].sort(), [...alert.properties.state.enum].sort());
  const webhook = document.components.schemas.WebhookResponse;
  assert.deepEqual([...enums.WebhookState].sort(), [...webhook.properties.state.enum].sort());
});

test("every schema of a session, summary, event or problem the client reads is described", () => {
  for (const name of ["SessionResponse", "SummaryResponse", "Problem", "EventEnvelope", "BatchResult", "HeartbeatResponse"]) {
    assert.ok(name in schemas, name);
  }
  const ops = document.components.schemas.BatchRequest.properties.operations.items.oneOf.map(r => r.$ref.split("/").pop());
  for (const op of ops) assert.ok(op in schemas, `batch operation ${op} has a descriptor`);
});
