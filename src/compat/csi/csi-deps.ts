// What the CSI seed adapter is built from, and its plain-text answers.
import type { Logger } from 'pino'
import type { TrainingDeps } from '../../domains/ml/training.service.js'
import type { DatasetsDeps } from '../../domains/sensors/datasets.service.js'
import type { LiveClassifiers } from '../../domains/sensors/live.service.js'
import type { SensorModelsDeps } from '../../domains/sensors/sensor-models.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { CsiServersDeps } from './csi-servers.js'
import type { Clock } from '../../platform/time/clock.js'

export interface CsiDeps {
  readonly account: () => Promise<Principal>
  readonly servers: CsiServersDeps
  readonly datasets: DatasetsDeps
  readonly models: SensorModelsDeps
  readonly live: LiveClassifiers
  readonly training: TrainingDeps
  /** The compat routes' request log (`/debug/post/enable_logging`), on every process. */
  readonly requestLog: { isEnabled(): boolean; set(isEnabled: boolean): Promise<void> }
  readonly tfVersion: string
  readonly logger: Logger
  /** The platform's clock: inference frames' times, dataset names, `/debug/get/time`. */
  readonly now: Clock
}

/** A seed answer: a status and a plain-text body (Flask's text/html). */
export class SeedReply extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly type = 'text/html; charset=utf-8',
  ) {
    super(text)
  }
}
