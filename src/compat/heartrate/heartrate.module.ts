import type { HeartRateModule } from '../../domains/heart-rate/heart-rate.module.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { lazyCompatPrincipal } from './compat-device.js'
import { registerHeartRateCompatGrpc } from './heartrate.grpc.js'

/** `PULSEBASE_COMPAT=heartrate`: the seed's `heartrate.HeartRateMonitor` gRPC service, onto heart rate. */
export function heartrateCompatModule(platform: AuthedPlatform, heartRate: HeartRateModule): Module {
  const defaultPrincipal = lazyCompatPrincipal({ db: platform.database.db, now: platform.now })
  return {
    name: 'compat:heartrate',
    grpc: (server) => registerHeartRateCompatGrpc(server, heartRate.deps, platform.authenticate, defaultPrincipal),
  }
}
