// Transport limits sized from the documented maxima of a batch, so no transport refuses a batch
// the contract promises: 10,000 samples (MAX_BATCH_SAMPLES), each with up to 300 RR intervals.
import { MAX_BATCH_SAMPLES } from './heart-rate.schema.js'
import { RR_LIMITS } from './sample-checks.js'

/** Bytes of a protobuf varint holding `value`. */
const varintBytes = (value: number) => Math.max(1, Math.ceil(Math.log2(value + 1) / 7))

/**
 * The largest `SampleBatch` (proto/pulsebase/v1/heart_rate.proto) a client may send, in bytes:
 * per sample a 10-byte int64 varint and a double, and its RR intervals unpacked (9 bytes each,
 * more than packed encoding's 8), each field with its 1-byte tag, each sample with its tag and
 * length. 10,000 samples x 300 intervals: 27,230,000 bytes.
 */
export function maxSampleBatchBytes(samples = MAX_BATCH_SAMPLES, rrPerSample = RR_LIMITS.maxCount): number {
  const sample = 1 + 10 + (1 + 8) + rrPerSample * (1 + 8)
  return samples * (1 + varintBytes(sample) + sample)
}

/**
 * The largest REST batch body, in bytes: per sample an RFC 3339 timestamp with milliseconds and an
 * offset, a bpm and its RR intervals each written in up to 8 characters (`1234.567`), with the
 * JSON punctuation. 10,000 samples x 300 intervals: 27,800,014 bytes.
 */
export function maxRestBatchBytes(samples = MAX_BATCH_SAMPLES, rrPerSample = RR_LIMITS.maxCount): number {
  const fixed = '{"timestamp":"2026-11-23T10:00:00.000+05:30","bpm":123.4567,"rrIntervalsMs":[]},'.length
  return '{"samples":[]}'.length + samples * (fixed + rrPerSample * '1234.567,'.length)
}
