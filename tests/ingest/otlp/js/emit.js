// Emits synctel sync events with the official OpenTelemetry JS logs SDK and OTLP/HTTP exporter.
// Usage: node emit.js BASE_URL json|proto [TOKEN]
// Exit 0 only when every export was acknowledged (the SDK reports failures through its callback).
"use strict";
const { BatchLogRecordProcessor, LoggerProvider } = require("@opentelemetry/sdk-logs");
const { resourceFromAttributes } = require("@opentelemetry/resources");

const [baseUrl, protocol, token] = process.argv.slice(2);
const { OTLPLogExporter } =
  protocol === "proto"
    ? require("@opentelemetry/exporter-logs-otlp-proto")
    : require("@opentelemetry/exporter-logs-otlp-http");

const exporter = new OTLPLogExporter({
  url: `${baseUrl}/v1/logs`,
  headers: token ? { Authorization: `Bearer ${token}` } : {},
  timeoutMillis: 5000,
});
let failures = 0;
const wrapped = {
  export(records, done) {
    exporter.export(records, (result) => {
      if (result.code !== 0) {
        failures += 1;
        console.error(`export failed: ${result.error}`);
      }
      done(result);
    });
  },
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush(),
};
const provider = new LoggerProvider({
  resource: resourceFromAttributes({
    "service.name": `fieldapp-js-${protocol}`,
    "service.version": "5.0.1",
    "device.id": "dev-js",
    "os.name": "iOS",
  }),
  processors: [new BatchLogRecordProcessor({ exporter: wrapped })],
});
const logger = provider.getLogger("synctel.syncengine");
const when = new Date("2026-05-25T10:00:00Z").getTime();
logger.emit({
  eventName: "sync.completed",
  timestamp: when,
  attributes: {
    "microsoft.custom_event.name": "sync.completed",
    "sync.id": `js-${protocol}`,
    "sync.mode": "FORCED_SYNC",
    "sync.duration_ms": 2500.5,
    "sync.records.down": 42,
    "sync.tables_due": ["account", "contact"],
  },
});
logger.emit({
  eventName: "sync.conflict",
  timestamp: when + 1000,
  attributes: {
    "sync.id": `js-${protocol}`,
    "sync.table": "msdyn_workorder",
    "sync.record.id": "wo-17",
    "sync.conflict.winner": "server",
    "sync.conflict.detection": "on",
  },
});
provider
  .shutdown()
  .then(() => process.exit(failures === 0 ? 0 : 1))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
