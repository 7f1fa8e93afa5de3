import type { AuthedPlatform, Module } from '../../module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { registerHeartRateGrpc } from './heart-rate.grpc.js'
import { registerHeartRateHttp } from './heart-rate.http.js'
import { ALERT_SYNC_KIND } from './alert-timeline.js'
import { purgeOldSamples } from './heart-rate.jobs.js'
import { loadAlerts } from './heart-rate.queries.js'
import type { HeartRateDeps } from './heart-rate.service.js'
import { maxSampleBatchBytes } from './ingest-limits.js'
import { createSampleWriter } from './sample-writer.js'

export interface HeartRateModule extends Module {
  /** What other modules (meditation, compat adapters) record samples and read through. */
  readonly deps: HeartRateDeps
}

/** Heart-rate samples, alert episodes, reads and exports; REST and `pulsebase.v1.HeartRate`. */
export function heartRateModule(platform: AuthedPlatform): HeartRateModule {
  const { config, database, metrics, guards, authenticate, pubsub, logger } = platform
  const writer = createSampleWriter({
    db: database.db,
    kind: database.kind,
    alertClearSamples: config.heartRate.alertClearSamples,
    now: platform.now,
  })
  const deps: HeartRateDeps = {
    db: database.db,
    reader: database.reader,
    kind: database.kind,
    now: platform.now,
    writer,
    config: config.heartRate,
    publish: platform.publishLive,
    onRecorded: (counts) => {
      metrics.heartRateSamples.inc({ outcome: 'stored' }, counts.stored)
      metrics.heartRateSamples.inc({ outcome: 'already_stored' }, counts.alreadyStored)
      metrics.heartRateSamples.inc({ outcome: 'rejected' }, counts.rejected)
      for (const kind of counts.opened) metrics.heartRateAlerts.inc({ kind })
    },
  }
  const retentionLogger = logger.child({ module: 'retention' })
  return {
    name: 'heart-rate',
    // Samples, rollups and spans go with their streams.
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, ['heart_rate_alerts', 'heart_rate_episode_state', 'heart_rate_streams'])
      return undefined
    },
    deps,
    http: (server) => registerHeartRateHttp(server, deps, guards),
    grpc: (server) => registerHeartRateGrpc(server, deps, authenticate, pubsub),
    grpcMaxMessageBytes: maxSampleBatchBytes(),
    cleanup: async () => {
      await purgeOldSamples(database.db, config.heartRate.retentionDays, retentionLogger, platform.now())
    },
    drain: () => writer.drain(),
    syncLoaders: { [ALERT_SYNC_KIND]: loadAlerts },
  }
}
