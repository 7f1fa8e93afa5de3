import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Every pulsebase metric, declared once; labels come from closed sets. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'pulsebase_' })
  const registers = [registry]
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'pulsebase_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    grpcHandled: new Counter({
      name: 'pulsebase_grpc_server_handled_total',
      help: 'gRPC calls completed, by method and status code',
      labelNames: ['grpc_method', 'grpc_type', 'grpc_code'] as const,
      registers,
    }),
    grpcDuration: new Histogram({
      name: 'pulsebase_grpc_server_handling_seconds',
      help: 'gRPC call latency by method',
      labelNames: ['grpc_method', 'grpc_type'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    grpcActiveStreams: new Gauge({
      name: 'pulsebase_grpc_server_active_streams',
      help: 'gRPC streaming calls currently open',
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'pulsebase_db_query_duration_seconds',
      help: 'Database query latency by outcome',
      labelNames: ['outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    queuePublished: new Counter({
      name: 'pulsebase_queue_published_total',
      help: 'Jobs published, by queue',
      labelNames: ['queue'] as const,
      registers,
    }),
    queueProcessed: new Counter({
      name: 'pulsebase_queue_processed_total',
      help: 'Job deliveries handled, by queue and outcome (ok, retry, dead)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    queueProcessingDuration: new Histogram({
      name: 'pulsebase_queue_processing_duration_seconds',
      help: 'Job handler latency by queue',
      labelNames: ['queue'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    heartRateSamples: new Counter({
      name: 'pulsebase_heart_rate_samples_total',
      help: 'Heart-rate samples by verdict (stored, already_stored, rejected)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    mqttMessages: new Counter({
      name: 'pulsebase_mqtt_messages_total',
      help: 'MQTT PUBLISH messages on a handled topic, by outcome (handled, refused, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    sensorFrames: new Counter({
      name: 'pulsebase_sensor_frames_total',
      help: 'Sensor frames by verdict (stored, already_stored, rejected)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    sensorPredictions: new Counter({
      name: 'pulsebase_sensor_predictions_total',
      help: 'Live sensor classifications, by outcome (predicted, skipped: coalesced under load)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    heartRateAlerts: new Counter({
      name: 'pulsebase_heart_rate_alerts_total',
      help: 'Heart-rate alert episodes opened, by kind (LOW, HIGH)',
      labelNames: ['kind'] as const,
      registers,
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
