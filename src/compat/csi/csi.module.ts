import { createRequire } from 'node:module'
import type { DevicePresence } from '../../domains/devices/presence.js'
import type { MlModule } from '../../domains/ml/ml.module.js'
import type { SensorsModule } from '../../domains/sensors/sensors.module.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { type CompatIdentity, lazyCompatPrincipal } from '../compat-account.js'
import type { CsiDeps } from './csi-deps.js'
import { registerCsiCompat } from './csi.http.js'

/** Who the seed's credential-less clients act as: one account, whose device stands for the inference client. */
const CSI_COMPAT: CompatIdentity = {
  email: 'csi-compat@pulsebase.invalid',
  displayName: 'Seed CSI clients',
  deviceName: 'csi-compat',
  deviceKind: 'other',
  adapter: 'csi',
}
/** Every process follows `/debug/post/enable_logging`, whichever one it reached. */
const REQUEST_LOG_CHANNEL = 'compat.csi.request-log'

function tfjsVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('@tensorflow/tfjs/package.json') as { version: string }).version
}

/** `PULSEBASE_COMPAT=csi`: the CSI seed's REST API, onto devices (presence), sensors (datasets, classifiers, live inference) and ML. */
export async function csiCompatModule(
  platform: AuthedPlatform,
  sensors: SensorsModule,
  ml: MlModule,
  presence: DevicePresence,
): Promise<Module> {
  const { database, pubsub, config } = platform
  const logger = platform.logger.child({ module: 'compat:csi' })
  const account = lazyCompatPrincipal({ db: database.db, now: platform.now }, CSI_COMPAT)
  let isLogging = false
  const unsubscribe = await pubsub.subscribe(REQUEST_LOG_CHANNEL, (message) => {
    if (typeof (message as { isEnabled?: unknown }).isEnabled === 'boolean')
      isLogging = (message as { isEnabled: boolean }).isEnabled
  })
  const deps: CsiDeps = {
    account,
    servers: {
      devices: { db: database.db, defaultTimeoutMs: config.devicePresenceTimeoutMs, now: platform.now },
      presence,
      account,
    },
    datasets: sensors.datasets,
    models: sensors.models,
    live: sensors.live,
    training: ml.training,
    requestLog: {
      isEnabled: () => isLogging,
      async set(isEnabled) {
        isLogging = isEnabled
        await pubsub.publish(REQUEST_LOG_CHANNEL, { isEnabled })
      },
    },
    tfVersion: tfjsVersion(),
    logger,
    now: platform.now,
  }
  return {
    name: 'compat:csi',
    http: (server) => registerCsiCompat(server, deps),
    close: unsubscribe,
  }
}
