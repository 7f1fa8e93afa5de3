import type { AuthedPlatform, Module } from '../../module.js'
import type { MlModule } from '../ml/ml.module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { SENSOR_CLASSIFIER, sensorClassifierTrainer } from './classifier.js'
import { registerDatasetsHttp } from './datasets.http.js'
import type { DatasetsDeps } from './datasets.service.js'
import { createFrameStore } from './frame-store.js'
import { registerFramesHttp } from './frames.http.js'
import type { FramesDeps } from './frames.service.js'
import { createLiveFrames } from './live-frames.js'
import { createLiveClassifiers, type LiveClassifiers } from './live.service.js'
import { registerSensorModelsHttp } from './sensor-models.http.js'
import type { SensorModelsDeps } from './sensor-models.service.js'
import { registerSensorsGrpc } from './sensors.grpc.js'
import { purgeOldFrames } from './sensors.jobs.js'
import { registerSensorsMqtt } from './sensors.mqtt.js'

/** Inference tasks in flight beyond which `POST /v1/sensor-models/:id/predict` answers 429. */
const MAX_INFERENCE_BACKLOG = 32

export interface SensorsModule extends Module {
  /** What compat adapters record frames, datasets and predictions through. */
  readonly frames: FramesDeps
  readonly datasets: DatasetsDeps
  readonly models: SensorModelsDeps
  readonly live: LiveClassifiers
}

/** Sensor frames from devices over REST, gRPC and MQTT, labelled datasets, classifiers (the `sensor-classifier` model kind) and live inference. */
export async function sensorsModule(platform: AuthedPlatform, ml: MlModule): Promise<SensorsModule> {
  const { config, database, metrics, guards, logger, authenticate } = platform
  ml.registerTrainer(SENSOR_CLASSIFIER, sensorClassifierTrainer())
  const models: SensorModelsDeps = { training: ml.training, runtime: platform.ml, maxBacklog: MAX_INFERENCE_BACKLOG }
  const liveClassifiers = createLiveClassifiers({
    db: database.db,
    models,
    pubsub: platform.pubsub,
    publish: platform.publishLive,
    now: platform.now,
    logger: logger.child({ module: 'live-classification' }),
    onCounts: ({ predicted, skipped }) => {
      metrics.sensorPredictions.inc({ outcome: 'predicted' }, predicted)
      metrics.sensorPredictions.inc({ outcome: 'skipped' }, skipped)
    },
  })
  await liveClassifiers.start()
  const liveFrames = createLiveFrames({ publish: platform.publishLive })
  const store = createFrameStore({ db: database.db, kind: database.kind, now: platform.now })
  const frames: FramesDeps = {
    db: database.db,
    store,
    now: platform.now,
    clockSkewMs: config.sensors.clockSkewMs,
    onStored: (stored) => {
      liveClassifiers.offer(stored)
      liveFrames.offer(stored)
    },
    onRecorded: (counts) => {
      metrics.sensorFrames.inc({ outcome: 'stored' }, counts.stored)
      metrics.sensorFrames.inc({ outcome: 'already_stored' }, counts.alreadyStored)
      metrics.sensorFrames.inc({ outcome: 'rejected' }, counts.rejected)
    },
  }
  const datasets: DatasetsDeps = { db: database.db, now: platform.now }
  const retentionLogger = logger.child({ module: 'sensor-retention' })
  return {
    name: 'sensors',
    // Frames go with their streams and datasets.
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, [
        'sensor_live_classifiers',
        'sensor_recordings',
        'sensor_datasets',
        'sensor_streams',
      ])
      return undefined
    },
    frames,
    datasets,
    models,
    live: liveClassifiers,
    http: async (server) => {
      registerFramesHttp(server, frames, guards)
      await registerDatasetsHttp(server, datasets, guards)
      registerSensorModelsHttp(server, models, liveClassifiers, guards)
    },
    grpc: (server) => registerSensorsGrpc(server, frames, authenticate),
    mqtt: (server) => registerSensorsMqtt(server, frames),
    cleanup: async () => {
      await purgeOldFrames(database.db, config.sensors.retentionDays, retentionLogger, platform.now())
    },
    drain: () => store.drain(),
    close: () => {
      liveFrames.close()
      return liveClassifiers.close()
    },
  }
}
