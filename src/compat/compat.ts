// Every seed adapter `PULSEBASE_COMPAT` can enable, each built from the domain modules it maps onto.
import type { CompatAdapter } from '../config.js'
import type { DevicePresence } from '../domains/devices/presence.js'
import type { HeartRateModule } from '../domains/heart-rate/heart-rate.module.js'
import type { MeditationModule } from '../domains/meditation/meditation.module.js'
import type { MlModule } from '../domains/ml/ml.module.js'
import type { PlaygroundModule } from '../domains/playground/playground.module.js'
import type { SensorsModule } from '../domains/sensors/sensors.module.js'
import type { AuthedPlatform, Module } from '../module.js'
import { csiCompatModule } from './csi/csi.module.js'
import { dlpCompatModule } from './dlp/dlp.module.js'
import { heartrateCompatModule } from './heartrate/heartrate.module.js'
import { m2mCompatModule } from './m2m/m2m.module.js'
import { mindsyncCompatModule } from './mindsync/mindsync.module.js'

/** The domain modules adapters map onto. */
export interface CompatDomains {
  readonly heartRate: HeartRateModule
  readonly meditation: MeditationModule
  readonly ml: MlModule
  readonly sensors: SensorsModule
  readonly playground: PlaygroundModule
  readonly presence: DevicePresence
}

type CompatFactory = (platform: AuthedPlatform, domains: CompatDomains) => Module | Promise<Module>

/** One factory per adapter name: a name in `COMPAT_ADAPTERS` without a factory does not compile. */
const COMPAT_MODULES: Readonly<Record<CompatAdapter, CompatFactory>> = {
  mindsync: (platform, d) => mindsyncCompatModule(platform, d.meditation, d.ml),
  heartrate: (platform, d) => heartrateCompatModule(platform, d.heartRate),
  m2m: (platform) => m2mCompatModule(platform),
  csi: (platform, d) => csiCompatModule(platform, d.sensors, d.ml, d.presence),
  dlp: (platform, d) => dlpCompatModule(platform, d.playground),
}

/** The modules of the adapters enabled in the configuration, in the order they are listed there. */
export async function compatModules(platform: AuthedPlatform, domains: CompatDomains): Promise<Module[]> {
  const modules: Module[] = []
  for (const name of platform.config.compat) modules.push(await COMPAT_MODULES[name](platform, domains))
  return modules
}
