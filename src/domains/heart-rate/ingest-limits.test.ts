import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadProto } from '../../platform/grpc/grpc-server.js'
import { MAX_BATCH_SAMPLES } from './heart-rate.schema.js'
import { maxRestBatchBytes, maxSampleBatchBytes } from './ingest-limits.js'
import { RR_LIMITS } from './sample-checks.js'

const service = loadProto('pulsebase/v1/heart_rate.proto')['pulsebase.v1.HeartRate'] as Record<
  string,
  { requestSerialize(value: unknown): Buffer }
>

test('the gRPC limit holds the largest batch the contract allows, as the proto encodes it', () => {
  const worst = Array.from({ length: MAX_BATCH_SAMPLES }, (_, i) => ({
    timestampMs: Number.MAX_SAFE_INTEGER - i,
    bpm: 123.456789,
    rrIntervalsMs: Array.from({ length: RR_LIMITS.maxCount }, () => 2999.999),
  }))
  const encoded = service.SubmitBatch?.requestSerialize({ samples: worst }).length ?? 0
  assert.ok(encoded > 4 * 1024 * 1024, 'more than grpc-js allows by default')
  assert.ok(encoded <= maxSampleBatchBytes(), `${encoded} bytes fit in ${maxSampleBatchBytes()}`)
  assert.equal(maxSampleBatchBytes(), 27_230_000)
})

test('the REST limit holds the same batch written as JSON with 8-character numbers', () => {
  const samples = Array.from({ length: MAX_BATCH_SAMPLES }, () => ({
    timestamp: '2026-11-23T10:00:00.000+05:30',
    bpm: 123.4567,
    rrIntervalsMs: Array.from({ length: RR_LIMITS.maxCount }, () => 1234.567),
  }))
  const bytes = Buffer.byteLength(JSON.stringify({ samples }))
  assert.ok(bytes <= maxRestBatchBytes(), `${bytes} bytes fit in ${maxRestBatchBytes()}`)
  assert.equal(maxRestBatchBytes(), 27_800_014)
})
