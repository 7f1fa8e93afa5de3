import { Readable } from 'node:stream'
import { AppError } from '../../errors.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { streamedFile } from '../../platform/http/openapi.js'
import type { Principal } from '../../platform/auth/principal.js'
import { CSV_HEADER, fhirBundleText } from './heart-rate.export.js'
import { maxRestBatchBytes } from './ingest-limits.js'
import * as queries from './heart-rate.queries.js'
import {
  Alert,
  AlertList,
  AlertParams,
  AlertsQuery,
  Hrv,
  HrvSeries,
  HrvSeriesQuery,
  IngestBody,
  IngestResult,
  RangeQuery,
  SamplePage,
  SamplesQuery,
  Series,
  SeriesQuery,
  SingleIngestResult,
  Status,
  StatusQuery,
  type Verdict,
  Zones,
  ZonesBody,
  ZonesQuery,
} from './heart-rate.schema.js'
import { type HeartRateDeps, optionalInstant, parseRange, recordSamples } from './heart-rate.service.js'
import { DAY_MS } from '../../platform/time/date-time.js'

const tags = ['heart-rate']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]
/** The largest batch the contract allows, whatever PULSEBASE_BODY_LIMIT_BYTES says (see ingest-limits.ts). */
const INGEST_BODY_LIMIT = maxRestBatchBytes()
/** Exports may span ten years; the other reads keep parseRange's default. */
const EXPORT_MAX_SPAN_MS = 3660 * DAY_MS

async function* csvLines(deps: HeartRateDeps, owner: Principal, range: ReturnType<typeof parseRange>) {
  yield CSV_HEADER
  yield* queries.readExportText(deps, owner, range, 'csv')
}

/** Streamed text (strings or UTF-8 bytes) with back-pressure: the next chunk is asked for only when the client has taken the one before. */
const streamText = (chunks: AsyncIterable<string | Uint8Array>) => Readable.from(chunks, { highWaterMark: 1 })

/**
 * The heart-rate routes under /v1/heart-rate: ingest, reads, exports, alert episodes, zones and HRV.
 * Devices (API key) and people (JWT) may call them, except the exports and acknowledging an alert (people only).
 */
export function registerHeartRateHttp(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  registerIngestRoute(app, deps, guards)
  registerReadRoutes(app, deps, guards)
  registerExportRoutes(app, deps, guards)
  registerAlertRoutes(app, deps, guards)
  registerZoneRoutes(app, deps, guards)
  registerHrvRoutes(app, deps, guards)
}

/** One sample (201, or 400 with the reason) or a batch (200, a verdict per sample). */
function registerIngestRoute(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.post(
    '/v1/heart-rate/samples',
    {
      ...anyone,
      bodyLimit: INGEST_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Submit one sample or a batch of up to 10,000',
        description:
          'A batch answers 200 with a verdict per sample; a single sample answers 201, or 400 with the reason it was rejected.',
        body: IngestBody,
        response: { 200: IngestResult, 201: SingleIngestResult },
      },
    },
    async (request, reply) => {
      const body = request.body
      const owner = readPrincipal(request)
      if ('samples' in body) return reply.status(200).send(await recordSamples(deps, owner, body.samples))
      const result = await recordSamples(deps, owner, [body])
      const verdict = result.verdicts[0] as Verdict
      if (verdict.status === 'rejected') {
        throw new AppError('invalid_argument', verdict.message ?? 'Sample rejected', [
          { path: 'body', message: verdict.message ?? '', reason: verdict.reason },
        ])
      }
      return reply.status(201).send({ verdict, alerts: result.alerts })
    },
  )
}

/** Paged samples, the bucketed series and the status (recent samples, open alert). */
function registerReadRoutes(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.get(
    '/v1/heart-rate/samples',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Samples in a time range, paged',
        querystring: SamplesQuery,
        response: { 200: SamplePage },
      },
    },
    async (request) => {
      const { limit, cursor, ...range } = request.query
      return queries.listSamples(deps, readPrincipal(request), parseRange(range, deps.now()), limit, cursor)
    },
  )
  app.get(
    '/v1/heart-rate/series',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'min/avg/max per bucket, for charts',
        querystring: SeriesQuery,
        response: { 200: Series },
      },
    },
    async (request) => {
      const { bucket, tz, ...range } = request.query
      return queries.readSeries(deps, readPrincipal(request), parseRange(range, deps.now()), bucket, tz)
    },
  )
  app.get(
    '/v1/heart-rate/status',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Recent samples, the open alert and their stats',
        querystring: StatusQuery,
        response: { 200: Status },
      },
    },
    async (request) => queries.readStatus(deps, readPrincipal(request), request.query.recent),
  )
}

/** A range of samples streamed as CSV or as a FHIR R4 Bundle. */
function registerExportRoutes(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const person = { onRequest: guards.person }
  app.get(
    '/v1/heart-rate/export.csv',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Samples of a range as CSV',
        querystring: RangeQuery,
        response: { 200: streamedFile('text/csv', 'timestamp,bpm,… one row per sample') },
      },
    },
    async (request, reply) => {
      const range = parseRange(request.query, deps.now(), EXPORT_MAX_SPAN_MS)
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="heart-rate.csv"')
      return reply.send(streamText(csvLines(deps, readPrincipal(request), range)))
    },
  )
  app.get(
    '/v1/heart-rate/export.fhir.json',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Samples of a range as a FHIR R4 Bundle of Observations (LOINC 8867-4)',
        querystring: RangeQuery,
        response: { 200: streamedFile('application/fhir+json', 'A FHIR R4 Bundle') },
      },
    },
    async (request, reply) => {
      const range = parseRange(request.query, deps.now(), EXPORT_MAX_SPAN_MS)
      reply.header('content-type', 'application/fhir+json; charset=utf-8')
      const owner = readPrincipal(request)
      return reply.send(streamText(fhirBundleText(queries.readExportText(deps, owner, range, 'fhir'), deps.now())))
    },
  )
}

/** Alert episodes: list, one, acknowledge. */
function registerAlertRoutes(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  const person = { onRequest: guards.person }
  app.get(
    '/v1/heart-rate/alerts',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Alert episodes, newest first',
        querystring: AlertsQuery,
        response: { 200: AlertList },
      },
    },
    async (request) =>
      queries.listAlerts(
        deps,
        readPrincipal(request),
        request.query.state,
        request.query.limit,
        optionalInstant(request.query.before, 'before'),
      ),
  )
  app.get(
    '/v1/heart-rate/alerts/:id',
    { ...anyone, schema: { tags, security, params: AlertParams, response: { 200: Alert } } },
    async (request) => queries.getAlert(deps, readPrincipal(request), request.params.id),
  )
  app.post(
    '/v1/heart-rate/alerts/:id/acknowledge',
    {
      ...person,
      schema: { tags, security, summary: 'Mark an alert as seen', params: AlertParams, response: { 200: Alert } },
    },
    async (request) => queries.acknowledgeAlert(deps, readPrincipal(request), request.params.id),
  )
}

/** Time per exercise zone, of stored samples or of posted ones. */
function registerZoneRoutes(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.get(
    '/v1/heart-rate/zones',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Time per exercise zone over a range of stored samples',
        querystring: ZonesQuery,
        response: { 200: Zones },
      },
    },
    async (request) => {
      const { from, to, deviceId, ...given } = request.query
      return queries.readZones(deps, readPrincipal(request), parseRange({ from, to, deviceId }, deps.now()), given)
    },
  )
  app.post(
    '/v1/heart-rate/zones',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Time per exercise zone for the samples posted',
        body: ZonesBody,
        response: { 200: Zones },
      },
    },
    async (request) => {
      const { samples, ...given } = request.body
      return queries.computePostedZones(deps, readPrincipal(request), samples, given)
    },
  )
}

/** HRV over a range, or per bucket. */
function registerHrvRoutes(app: HttpServer, deps: HeartRateDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.get(
    '/v1/heart-rate/hrv',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'RMSSD, SDNN and pNN50 from the RR intervals in a range',
        querystring: RangeQuery,
        response: { 200: Hrv },
      },
    },
    async (request) => queries.readHrv(deps, readPrincipal(request), parseRange(request.query, deps.now())),
  )
  app.get(
    '/v1/heart-rate/hrv/series',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'RMSSD, SDNN and pNN50 per bucket, for a chart of HRV over time',
        querystring: HrvSeriesQuery,
        response: { 200: HrvSeries },
      },
    },
    async (request) => {
      const { bucket, tz, ...range } = request.query
      return queries.readHrvSeries(deps, readPrincipal(request), parseRange(range, deps.now()), bucket, tz)
    },
  )
}
