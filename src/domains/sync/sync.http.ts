import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { SyncPage, SyncQuery } from './sync.schema.js'
import { changesSince, type SyncDeps } from './sync.service.js'

export function registerSyncHttp(app: HttpServer, deps: SyncDeps, guards: Guards): void {
  app.get(
    '/v1/sync',
    {
      onRequest: guards.anyone,
      schema: {
        tags: ['sync'],
        security: [{ bearer: [] }, { deviceKey: [] }],
        summary: 'What changed for me since a cursor',
        description:
          "Changes in the order they happened, each with the entity as it is now. Start without `since` (everything from the beginning, a page at a time while `hasMore`), keep `cursor` and pass it as `since` to catch up after being offline. A cursor this feed did not give out (another account's, or after a reset) is a 400 `cursor_unknown`: start again without `since`.",
        querystring: SyncQuery,
        response: { 200: SyncPage },
      },
    },
    async (request) => {
      const { since, limit } = request.query
      return changesSince(deps, readPrincipal(request).userId, since, limit)
    },
  )
}
