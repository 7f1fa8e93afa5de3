import { type Static, Type } from 'typebox'
import { NextCursor } from '../../platform/pagination/page-cursor.js'
import { InstantText as Instant } from '../../platform/time/date-time.js'

export const MAX_BATCH_SAMPLES = 10_000

const Iso = Type.String({ format: 'date-time' })
const AlertKind = Type.Union([Type.Literal('LOW'), Type.Literal('HIGH')])
/** A public figure: rounded to two decimals, with its unit in the description. */
const Figure = (unit: string, description = '') =>
  Type.Number({ description: `${description}${description ? ' ' : ''}(${unit}, 2 decimals)`.trim() })
const NullableFigure = (unit: string, description = '') => Type.Union([Figure(unit, description), Type.Null()])

// A sample's fields are checked one by one in the service, so that one bad sample gets its own
// verdict instead of failing the whole batch; here only the shape of the request is fixed.
export const RawSample = Type.Object(
  {
    timestamp: Type.Optional(Type.Unknown({ description: 'RFC 3339 date-time with a zone, or epoch milliseconds' })),
    bpm: Type.Optional(Type.Unknown({ description: 'Beats per minute' })),
    rrIntervalsMs: Type.Optional(Type.Unknown({ description: 'RR intervals in milliseconds (for HRV)' })),
  },
  { additionalProperties: false },
)
export type RawSample = Static<typeof RawSample>

/** A two-sample batch for the OpenAPI document: an RFC 3339 timestamp with RR intervals, and an epoch-ms one. */
const BATCH_EXAMPLE = {
  samples: [
    { timestamp: '2026-11-30T09:00:00.000Z', bpm: 72, rrIntervalsMs: [830, 845] },
    { timestamp: 1764493201000, bpm: 74 },
  ],
}

/** A batch: 1 to 10,000 samples, each checked on its own (one bad sample gets its own verdict). */
export const BatchBody = Type.Object(
  {
    samples: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: MAX_BATCH_SAMPLES,
      description: 'Each shaped like HeartRateSampleInput',
    }),
  },
  {
    additionalProperties: false,
    title: 'HeartRateBatch',
    examples: [BATCH_EXAMPLE],
  },
)
/** One sample, or a batch of them. */
export const IngestBody = Type.Union(
  [
    BatchBody,
    { ...RawSample, title: 'HeartRateSampleInput', examples: [{ timestamp: '2026-11-30T09:00:00.000Z', bpm: 72 }] },
  ],
  {
    examples: [BATCH_EXAMPLE],
  },
)

const REJECTION_REASONS = [
  'sample_invalid',
  'bpm_not_a_number',
  'bpm_out_of_range',
  'timestamp_invalid',
  'timestamp_in_future',
  'timestamp_before_2000',
  'duplicate_in_batch',
  'rr_intervals_invalid',
] as const
export type RejectionReason = (typeof REJECTION_REASONS)[number]

export const Verdict = Type.Object({
  status: Type.Union([Type.Literal('stored'), Type.Literal('rejected')]),
  alert: Type.Optional(AlertKind),
  alreadyStored: Type.Optional(
    Type.Boolean({ description: 'The same sample (device, timestamp) was stored before; nothing changed' }),
  ),
  reason: Type.Optional(Type.Unsafe<RejectionReason>({ type: 'string', enum: [...REJECTION_REASONS] })),
  message: Type.Optional(Type.String()),
})
export type Verdict = Static<typeof Verdict>

export const Alert = Type.Object({
  id: Type.String(),
  kind: AlertKind,
  deviceId: Type.Union([Type.String(), Type.Null()]),
  openedAt: Iso,
  lastAlertAt: Iso,
  closedAt: Type.Union([Iso, Type.Null()]),
  peakBpm: Type.Number(),
  sampleCount: Type.Integer({ description: 'Samples beyond the threshold during the episode' }),
  acknowledgedAt: Type.Union([Iso, Type.Null()]),
})
export type Alert = Static<typeof Alert>

export const IngestResult = Type.Object(
  {
    stored: Type.Integer(),
    rejected: Type.Integer(),
    verdicts: Type.Array(Verdict, { description: 'One per sample, in the order sent' }),
    alerts: Type.Array(Alert, { description: 'Alert episodes this request opened or closed' }),
  },
  {
    title: 'HeartRateIngestResult',
    examples: [
      {
        stored: 1,
        rejected: 1,
        verdicts: [
          { status: 'stored' },
          { status: 'rejected', reason: 'bpm_out_of_range', message: 'bpm must be 20-250' },
        ],
        alerts: [],
      },
    ],
  },
)
export type IngestResult = Static<typeof IngestResult>

export const SingleIngestResult = Type.Object({ verdict: Verdict, alerts: Type.Array(Alert) })

export const Sample = Type.Object(
  {
    timestamp: Iso,
    bpm: Type.Number(),
    deviceId: Type.Union([Type.String(), Type.Null()]),
    rrIntervalsMs: Type.Union([Type.Array(Type.Number()), Type.Null()]),
    alert: Type.Union([AlertKind, Type.Null()]),
  },
  {
    title: 'HeartRateSample',
    examples: [
      { timestamp: '2026-11-30T09:00:00.000Z', bpm: 72, deviceId: 'dev-1', rrIntervalsMs: [830, 845], alert: null },
    ],
  },
)
export type Sample = Static<typeof Sample>

export const RangeQuery = Type.Object(
  {
    from: Type.Optional({ ...Instant, description: 'Start (inclusive); default 24 hours before `to`' }),
    to: Type.Optional({ ...Instant, description: 'End (exclusive); default now' }),
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 36 })),
  },
  { additionalProperties: false },
)
export type RangeQuery = Static<typeof RangeQuery>

export const SamplesQuery = Type.Object(
  {
    ...RangeQuery.properties,
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)
export const SamplePage = Type.Object(
  { samples: Type.Array(Sample), nextCursor: NextCursor },
  { title: 'HeartRateSamplePage' },
)

export const BUCKETS = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const
export type Bucket = keyof typeof BUCKETS
export const TimeZoneName = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'IANA time zone (America/Los_Angeles, Asia/Kathmandu) or a fixed offset (+05:30) for 1h and 1d buckets; default: your timeZone setting, else UTC',
})
export const SeriesQuery = Type.Object(
  {
    ...RangeQuery.properties,
    bucket: Type.Unsafe<Bucket>({ type: 'string', enum: Object.keys(BUCKETS), default: '1m' }),
    tz: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false },
)
export const SeriesPoint = Type.Object({
  start: { ...Iso, description: 'Start of the bucket (a local hour or day of the time zone for 1h and 1d)' },
  count: Type.Integer(),
  min: Type.Number({ description: 'bpm' }),
  avg: Figure('bpm'),
  max: Type.Number({ description: 'bpm' }),
})
export const Series = Type.Object({
  bucket: Type.String(),
  timeZone: Type.String({ description: 'The zone 1h and 1d buckets follow' }),
  points: Type.Array(SeriesPoint),
})

export const StatusQuery = Type.Object(
  { recent: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'How many recent samples' }) },
  { additionalProperties: false },
)
export const Status = Type.Object({
  recent: Type.Array(Sample, { description: 'Oldest first' }),
  activeAlert: Type.Union([Alert, Type.Null()]),
  stats: Type.Object({
    count: Type.Integer(),
    averageBpm: Figure('bpm'),
    minBpm: Type.Number({ description: 'bpm' }),
    maxBpm: Type.Number({ description: 'bpm' }),
  }),
})
export type Status = Static<typeof Status>

export const AlertsQuery = Type.Object(
  {
    state: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')], { default: 'all' }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    before: Type.Optional({
      ...Instant,
      description: 'Only episodes opened before this (for paging: openedAt of the last one)',
    }),
  },
  { additionalProperties: false },
)
export const AlertList = Type.Object({ alerts: Type.Array(Alert) })
export const AlertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const ZoneSettings = Type.Object(
  {
    age: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 120, description: 'Years; overrides the age from your birth year' }),
    ),
    maxHeartRate: Type.Optional(Type.Integer({ minimum: 60, maximum: 250, description: 'bpm' })),
    restingHeartRate: Type.Optional(
      Type.Integer({ minimum: 20, maximum: 150, description: 'bpm; gives Karvonen (heart-rate reserve) zones' }),
    ),
    maxGapSeconds: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 86_400,
        description: 'Seconds; longer intervals between samples are sensor gaps',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ZoneSettings = Static<typeof ZoneSettings>
export const ZonesQuery = Type.Object(
  { ...RangeQuery.properties, ...ZoneSettings.properties },
  { additionalProperties: false },
)
export const ZonesBody = Type.Object(
  {
    samples: Type.Array(RawSample, {
      minItems: 1,
      maxItems: 100_000,
      description: 'Checked like ingested samples (plausible bpm, RFC 3339 or epoch-ms timestamps)',
    }),
    ...ZoneSettings.properties,
  },
  { additionalProperties: false },
)
export type ZonesBody = Static<typeof ZonesBody>
export const Zones = Type.Object({
  method: Type.Union([Type.Literal('percent-of-max'), Type.Literal('karvonen')]),
  maxHeartRate: Type.Number({ description: 'bpm' }),
  restingHeartRate: Type.Union([Type.Number({ description: 'bpm' }), Type.Null()]),
  zones: Type.Array(
    Type.Object({
      zone: Type.Integer(),
      lowerBpm: Type.Number({ description: 'bpm' }),
      upperBpm: Type.Number({ description: 'bpm' }),
      seconds: Figure('s'),
    }),
  ),
  belowZonesSeconds: Figure('s'),
  aboveZonesSeconds: Figure('s'),
  totalSeconds: Figure('s'),
  excludedGapSeconds: Figure('s'),
  intervalCount: Type.Integer(),
  averageBpm: Figure('bpm', 'Mean of the samples'),
})
export type Zones = Static<typeof Zones>

const HrvFigures = {
  intervalCount: Type.Integer({ description: 'NN intervals used (after artefact correction)' }),
  correctedBeats: Type.Integer({
    description: 'RR intervals found to be artefacts and corrected (split, merged or left out)',
  }),
  segments: Type.Integer({
    description: 'Continuous stretches of recording; successive differences never cross from one to the next',
  }),
  rmssdMs: NullableFigure('ms', 'Root mean square of successive differences'),
  sdnnMs: NullableFigure('ms', 'Standard deviation of NN intervals (sample)'),
  pnn50: NullableFigure('%', 'Percent of successive differences above 50 ms'),
}
export const Hrv = Type.Object(HrvFigures)

export const HrvSeriesQuery = Type.Object(
  {
    ...RangeQuery.properties,
    bucket: Type.Unsafe<Exclude<Bucket, '1s'>>({ type: 'string', enum: ['1m', '1h', '1d'], default: '1h' }),
    tz: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false },
)
export const HrvSeries = Type.Object({
  bucket: Type.String(),
  timeZone: Type.String({ description: 'The zone 1h and 1d buckets follow' }),
  points: Type.Array(Type.Object({ start: Iso, ...HrvFigures }), {
    description: 'Buckets with at least one RR interval, oldest first',
  }),
})
export type Hrv = Static<typeof Hrv>
