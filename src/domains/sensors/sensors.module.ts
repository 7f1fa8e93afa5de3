import type { AuthedPlatform, Module } from '../../module.js'
import { registerDatasetsHttp } from './datasets.http.js'
import { createFrameStore } from './frame-store.js'
import { registerFramesHttp } from './frames.http.js'
import type { FramesDeps } from './frames.service.js'
import { registerSensorsGrpc } from './sensors.grpc.js'
import { purgeOldFrames } from './sensors.jobs.js'
import { registerSensorsMqtt } from './sensors.mqtt.js'

export interface SensorsModule extends Module {
  /** What compat adapters record frames through. */
  readonly frames: FramesDeps
}

/** Sensor frames from devices over REST, gRPC and MQTT, their datasets, classifiers and live inference. */
export function sensorsModule(platform: AuthedPlatform): SensorsModule {
  const { config, database, metrics, guards, logger, authenticate } = platform
  const store = createFrameStore({ db: database.db, kind: database.kind })
  const frames: FramesDeps = {
    db: database.db,
    store,
    clockSkewMs: config.sensors.clockSkewMs,
    onRecorded: (counts) => {
      metrics.sensorFrames.inc({ outcome: 'stored' }, counts.stored)
      metrics.sensorFrames.inc({ outcome: 'already_stored' }, counts.alreadyStored)
      metrics.sensorFrames.inc({ outcome: 'rejected' }, counts.rejected)
    },
  }
  const retentionLogger = logger.child({ module: 'sensor-retention' })
  return {
    name: 'sensors',
    frames,
    http: async (server) => {
      registerFramesHttp(server, frames, guards)
      await registerDatasetsHttp(server, { db: database.db }, guards)
    },
    grpc: (server) => registerSensorsGrpc(server, frames, authenticate),
    mqtt: (server) => registerSensorsMqtt(server, frames),
    cleanup: async () => {
      await purgeOldFrames(database.db, config.sensors.retentionDays, retentionLogger)
    },
    drain: () => store.drain(),
  }
}
