import { Type } from 'typebox'

export const SyncQuery = Type.Object({
  since: Type.Optional(
    Type.String({ maxLength: 32, description: 'The cursor of an earlier answer; omit it for everything' }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
})

export const SyncChange = Type.Object({
  cursor: Type.String(),
  kind: Type.String({
    description: 'What changed: game-session, meditation-session, training-job, model, alert or device',
  }),
  id: Type.String(),
  change: Type.String({
    description:
      'created, updated, deleted, processed, failed, queued, running, succeeded, cancelled, opened, closed, backfilled, removed, acknowledged, revoked',
  }),
  at: Type.String({ format: 'date-time' }),
  data: Type.Union([Type.Unknown(), Type.Null()], { description: 'The entity as it is now; null when it is gone' }),
})

export const SyncPage = Type.Object({
  changes: Type.Array(SyncChange),
  cursor: Type.String({ description: 'Pass as `since` next time' }),
  hasMore: Type.Boolean(),
})
