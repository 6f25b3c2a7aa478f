// Claude Code with only its metrics exporter on (OTEL_METRICS_EXPORTER=otlp, no OTEL_LOGS_EXPORTER): the usage reaches
// Switchboard only as claude_code.token.usage / claude_code.cost.usage points, sent by the real OpenTelemetry JS SDK.
// With TEMPORALITY=cumulative every export carries running totals; the agent also restarts once (a new MeterProvider:
// a new start time, totals from zero), as a collector or an exporter restart would.
// Env: SWITCHBOARD_URL, OTLP_PROTOCOL (http/json | http/protobuf), SESSION_IDS, TEMPORALITY (delta | cumulative).
'use strict';
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');

const base = process.env.SWITCHBOARD_URL;
const proto = process.env.OTLP_PROTOCOL === 'http/protobuf';
const sessions = (process.env.SESSION_IDS || '').split(',').filter(Boolean);
const metricsPackage = require(proto ? '@opentelemetry/exporter-metrics-otlp-proto' : '@opentelemetry/exporter-metrics-otlp-http');
const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http');
const temporality = process.env.TEMPORALITY === 'cumulative'
  ? AggregationTemporalityPreference.CUMULATIVE : AggregationTemporalityPreference.DELTA;
const resource = resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.0.0' });

function start() {
  const exporter = new metricsPackage.OTLPMetricExporter({ url: base + '/v1/metrics', temporalityPreference: temporality });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.0.0');
  return {
    provider,
    tokens: meter.createCounter('claude_code.token.usage', { unit: 'tokens' }),
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
  };
}

function use(agent, sessionId, [input, output, read, created, usd]) {
  const attrs = { 'session.id': sessionId, 'user.id': 'user-' + sessionId.slice(0, 8), model: 'claude-sonnet-4-5' };
  agent.tokens.add(input, { ...attrs, type: 'input' });
  agent.tokens.add(output, { ...attrs, type: 'output' });
  agent.tokens.add(read, { ...attrs, type: 'cacheRead' });
  agent.tokens.add(created, { ...attrs, type: 'cacheCreation' });
  agent.cost.add(usd, attrs);
}

async function main() {
  // Two exports of the first run (the second repeats the first's totals and adds to them), then a restart.
  const first = start();
  for (const id of sessions) use(first, id, [100, 20, 1000, 50, 0.01]);
  await first.provider.forceFlush();
  for (const id of sessions) use(first, id, [200, 40, 2000, 0, 0.02]);
  await first.provider.forceFlush();
  await first.provider.shutdown();

  const second = start();
  for (const id of sessions) use(second, id, [7, 3, 0, 0, 0.005]);
  await second.provider.forceFlush();
  await second.provider.shutdown();
  console.log('@@ done {}');
}

main().catch(err => { console.error(err); process.exit(1); });
