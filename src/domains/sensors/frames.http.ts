import { Readable } from 'node:stream'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { streamedFile } from '../../platform/http/openapi.js'
import { exportCsv, resolveExport, listFrames, listStreams } from './frames.queries.js'
import { type FramesDeps, recordFrames } from './frames.service.js'
import { ExportQuery, FrameBatchBody, FrameIngestResult, FramePage, FramesQuery, StreamList } from './sensors.schema.js'

const tags = ['sensors']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]
// 10,000 CSI frames of 106 values are about 10 MB of JSON.
const INGEST_BODY_LIMIT = 32 * 1024 * 1024

export function registerFramesHttp(app: HttpServer, deps: FramesDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.post(
    '/v1/sensor-frames',
    {
      ...anyone,
      bodyLimit: INGEST_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Submit up to 10,000 frames from a device (with its key)',
        description:
          'Each frame: `{"kind":"csi","timestamp":…,"channels":{"magnitude":[…],"phase":[…]}}`. A verdict per frame, in order, after the commit; bad frames are rejected with a reason and the rest stored. A (device, kind, timestamp) stored before is `alreadyStored`.',
        body: FrameBatchBody,
        response: { 200: FrameIngestResult },
      },
    },
    async (request) => recordFrames(deps, readPrincipal(request), request.body.frames),
  )
  app.get(
    '/v1/sensor-frames',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: "A stream's frames in a time range, oldest first, paged",
        querystring: FramesQuery,
        response: { 200: FramePage },
      },
    },
    async (request) => listFrames(deps.db, readPrincipal(request), request.query, deps.now()),
  )
  app.get(
    '/v1/sensor-frames/export.csv',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: "A stream's frames in a time range as CSV",
        querystring: ExportQuery,
        response: { 200: streamedFile('text/csv', 'timestamp,magnitude_0,…,phase_52: one row per frame') },
      },
    },
    async (request, reply) => {
      const { stream, range } = await resolveExport(deps.db, readPrincipal(request), request.query, deps.now())
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${stream.kind}-frames.csv"`)
      return reply.send(Readable.from(exportCsv(deps.db, stream, range)))
    },
  )
  app.get(
    '/v1/sensor-streams',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: "Your devices' frame streams and their layouts",
        response: { 200: StreamList },
      },
    },
    async (request) => ({
      streams: await listStreams(deps.db, readPrincipal(request)),
    }),
  )
}
