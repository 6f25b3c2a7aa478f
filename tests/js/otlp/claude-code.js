// Sends telemetry shaped like Claude Code's (OTEL_LOGS_EXPORTER=otlp, OTEL_METRICS_EXPORTER=otlp, delta temporality)
// through the real OpenTelemetry JS SDK and exporters, then exits. The same usage goes out twice, as Claude Code does:
// inside claude_code.api_request events and as claude_code.token.usage / claude_code.cost.usage metrics.
// Env: SWITCHBOARD_URL, OTLP_PROTOCOL (http/json | http/protobuf), SESSION_IDS (comma-separated), API_KEY (optional).
'use strict';
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');

const base = process.env.SWITCHBOARD_URL;
const proto = process.env.OTLP_PROTOCOL === 'http/protobuf';
const sessions = (process.env.SESSION_IDS || '').split(',').filter(Boolean);
const headers = process.env.API_KEY ? { Authorization: 'Bearer ' + process.env.API_KEY } : {};

const { OTLPLogExporter } = require(proto ? '@opentelemetry/exporter-logs-otlp-proto' : '@opentelemetry/exporter-logs-otlp-http');
const metricsPackage = require(proto ? '@opentelemetry/exporter-metrics-otlp-proto' : '@opentelemetry/exporter-metrics-otlp-http');
const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http');

const resource = resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.0.0' });

async function main() {
  const logExporter = new OTLPLogExporter({ url: base + '/v1/logs', headers });
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const metricExporter = new metricsPackage.OTLPMetricExporter({
    url: base + '/v1/metrics',
    headers,
    temporalityPreference: AggregationTemporalityPreference.DELTA,
  });
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });

  const logger = loggerProvider.getLogger('com.anthropic.claude_code.events', '2.0.0');
  const meter = meterProvider.getMeter('com.anthropic.claude_code', '2.0.0');
  const sessionCount = meter.createCounter('claude_code.session.count');
  const tokens = meter.createCounter('claude_code.token.usage', { unit: 'tokens' });
  const cost = meter.createCounter('claude_code.cost.usage', { unit: 'USD' });

  for (const sessionId of sessions) {
    let sequence = 0;
    const common = { 'session.id': sessionId, 'user.id': 'user-' + sessionId.slice(0, 8), 'prompt.id': 'prompt-1' };
    const emit = (name, attributes) => logger.emit({
      body: 'claude_code.' + name,
      attributes: { ...common, 'event.name': name, 'event.timestamp': new Date().toISOString(), 'event.sequence': sequence++, ...attributes },
    });
    sessionCount.add(1, common);
    emit('user_prompt', { prompt_length: 42 });
    for (const [input, output, read, created, usd] of [[100, 20, 1000, 50, 0.01], [200, 40, 2000, 0, 0.02]]) {
      emit('api_request', {
        model: 'claude-sonnet-4-5', input_tokens: input, output_tokens: output, cache_read_tokens: read,
        cache_creation_tokens: created, cost_usd: usd, duration_ms: 1234,
      });
      const attrs = { ...common, model: 'claude-sonnet-4-5' };
      tokens.add(input, { ...attrs, type: 'input' });
      tokens.add(output, { ...attrs, type: 'output' });
      tokens.add(read, { ...attrs, type: 'cacheRead' });
      tokens.add(created, { ...attrs, type: 'cacheCreation' });
      cost.add(usd, attrs);
    }
    emit('tool_result', { tool_name: 'Bash', success: 'true', duration_ms: 12 });
  }

  await loggerProvider.forceFlush();
  await meterProvider.forceFlush();
  await loggerProvider.shutdown();
  await meterProvider.shutdown();
  console.log('@@ done {}');
}

main().catch(err => { console.error(err); process.exit(1); });
