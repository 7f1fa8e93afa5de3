// The per-user meditation recommender: trains an LSTM on the user's periods (via the ML engine)
// and scores candidate configurations for the next period in one batched prediction.
import { createHash } from 'node:crypto'
import type { MeditationConfig } from '../../config.js'
import { AppError } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type { SequenceModelSpec } from '../../platform/ml-runtime/ml-tasks.js'
import { toArtifactKey, latestModel } from '../ml/training.service.js'
import type { ModelTrainer, PreparedTraining } from '../ml/training.service.js'
import {
  buildTrainingSet,
  candidateInput,
  FEATURES,
  computeMean,
  type Normalization,
  type PeriodConfig,
  type PeriodObservation,
  STEPS,
} from './meditation.features.js'
import { type HistoryPeriod, periodHistory } from './meditation.service.js'
import { seededRandom } from './simulator.js'
import type { Recommendation } from './meditation.schema.js'

const SPEC: SequenceModelSpec = { steps: STEPS, features: FEATURES, lstmUnits: 32, denseUnits: 16, learningRate: 0.01 }
const TRAINING = { maxEpochs: 150, batchSize: 32, patience: 30, validationShare: 0.2 }

function tooFew(have: number, need: number): AppError {
  return new AppError(
    'invalid_argument',
    `Training needs at least ${need} meditation periods with heart-rate measurements; there are ${have}`,
  )
}

export function meditationTrainer(config: MeditationConfig): ModelTrainer {
  return {
    async assertEnoughData(db, userId) {
      const have = (await periodHistory(db, userId)).length
      if (have < config.minPeriods) throw tooFew(have, config.minPeriods)
    },
    async prepare(db, userId): Promise<PreparedTraining> {
      const periods = await periodHistory(db, userId)
      if (periods.length < config.minPeriods) throw tooFew(periods.length, config.minPeriods)
      return prepareTraining(periods)
    },
  }
}

/** Chronological split: the last fifth of the examples is held out, and every model records its MAE next to persistence's. */
export function prepareTraining(periods: readonly HistoryPeriod[]): PreparedTraining {
  const set = buildTrainingSet(periods)
  const count = set.targets.length
  const validationCount = Math.max(1, Math.round(count * TRAINING.validationShare))
  const { normalization } = set
  return {
    task: {
      spec: SPEC,
      inputs: Float32Array.from(set.inputs.flat(2)),
      targets: Float32Array.from(set.targets),
      validationCount,
      maxEpochs: TRAINING.maxEpochs,
      batchSize: TRAINING.batchSize,
      patience: TRAINING.patience,
      meta: { normalization },
    },
    params: { spec: SPEC, ...TRAINING, normalization, periods: periods.length },
    dataFrom: Math.min(...periods.map((p) => p.sessionDate)),
    dataTo: Math.max(...periods.map((p) => p.sessionDate)),
    examples: count,
    evaluate(outputs) {
      const start = count - validationCount
      const errors = outputs.map((out, i) =>
        Math.abs((set.previous[start + i] as number) + out * normalization.hrStd - (set.actual[start + i] as number)),
      )
      const persistence = set.actual
        .slice(start)
        .map((actual, i) => Math.abs((set.previous[start + i] as number) - actual))
      return {
        heldOutMae: round2(computeMean(errors)),
        persistenceMae: round2(computeMean(persistence)),
        heldOutExamples: validationCount,
      }
    },
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10
const round2 = (n: number) => Math.round(n * 100) / 100
const toKey = (c: PeriodConfig) => `${c.beatFrequency}|${c.visualization}|${c.breathingMultiplier}`

/**
 * Candidates: `config.candidates` drawn from the configured ranges (all of them when the grid is
 * smaller), plus every configuration the user has used that lies within the ranges.
 */
export function candidatesFor(
  config: MeditationConfig,
  used: readonly PeriodConfig[],
  random: () => number,
): PeriodConfig[] {
  const grid: PeriodConfig[] = []
  for (const beatFrequency of config.beatFrequencies) {
    for (const visualization of config.visualizations) {
      for (const breathingMultiplier of config.multipliers)
        grid.push({ beatFrequency, visualization, breathingMultiplier })
    }
  }
  for (let i = grid.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1))
    ;[grid[i], grid[j]] = [grid[j] as PeriodConfig, grid[i] as PeriodConfig]
  }
  const chosen = new Map(grid.slice(0, config.candidates).map((c) => [toKey(c), c]))
  for (const c of used) {
    if (c.beatFrequency === null || c.visualization === null || !config.visualizations.includes(c.visualization))
      continue
    const own = {
      beatFrequency: c.beatFrequency,
      visualization: c.visualization,
      breathingMultiplier: round1(c.breathingMultiplier),
    }
    chosen.set(toKey(own), own)
  }
  return [...chosen.values()]
}

/** The candidate draw of a model: mulberry32 (see simulator.ts) seeded with SHA-256 of the model id, the same on every process. */
function candidateRandom(modelId: string): () => number {
  return seededRandom(createHash('sha256').update(`meditation-candidates:${modelId}`).digest().readUInt32LE(0))
}

export interface RecommenderDeps {
  readonly db: Db
  readonly runtime: MlRuntime
  readonly config: MeditationConfig
  /** Overrides the candidate draw (tests); by default it is seeded with the model's id, so a model always scores the same candidates. */
  readonly random?: () => number
}

/**
 * The candidate with the lowest predicted heart rate after the user's history (and `recent`, not
 * stored). Reproducible: the candidates are drawn with a generator seeded by the model's id, so the
 * same data and the same model give the same answer.
 */
export async function recommend(
  deps: RecommenderDeps,
  userId: string,
  recent: readonly PeriodObservation[] = [],
): Promise<Recommendation> {
  const model = await latestModel(deps, userId, 'meditation')
  if (model === undefined)
    throw new AppError(
      'not_found',
      'No meditation model yet: train one with POST /v1/training-jobs {"kind":"meditation"}',
    )
  const stored = await periodHistory(deps.db, userId)
  const history = [...stored, ...recent]
  if (history.length === 0)
    throw new AppError('invalid_argument', 'No meditation periods with heart-rate measurements to recommend from')
  const normalization = model.params.normalization as Normalization
  const candidates = candidatesFor(deps.config, history, deps.random ?? candidateRandom(model.id))
  const inputs = Float32Array.from(candidates.flatMap((c) => candidateInput(history, c, normalization).flat()))
  const outputs = await deps.runtime.predict({
    artifact: toArtifactKey(model.id),
    inputs,
    steps: STEPS,
    features: FEATURES,
  })
  let best = 0
  for (let i = 1; i < outputs.length; i += 1) if ((outputs[i] as number) < (outputs[best] as number)) best = i
  const choice = candidates[best] as PeriodConfig
  const last = history[history.length - 1] as PeriodObservation
  return {
    beatFrequency: choice.beatFrequency as number,
    visualization: choice.visualization as string,
    breathingMultiplier: choice.breathingMultiplier,
    predictedHeartRate: round1(last.heartRate + (outputs[best] as number) * normalization.hrStd),
    candidates: candidates.length,
    modelId: model.id,
    modelVersion: model.version,
  }
}
