// How meditation periods become the recommender's LSTM input. One time step is one period:
// its mean heart rate (normalised), beat frequency, breathing multiplier, a one-hot
// visualization and a flag marking the candidate step, whose heart rate is not known yet.

import { MIN_MEDITATION_PERIODS, VISUALIZATIONS, type Visualization } from '../../config.js'

/** The seed's visualizations, in its enum order; the one-hot vocabulary of every meditation model. */
export { VISUALIZATIONS, type Visualization }

/** Periods of history in front of the candidate step. */
export const CONTEXT_PERIODS = 3
// The configuration's lower bound for PULSEBASE_MEDITATION_MIN_PERIODS is the context plus two examples.
if (MIN_MEDITATION_PERIODS !== CONTEXT_PERIODS + 2)
  throw new Error('MIN_MEDITATION_PERIODS must be CONTEXT_PERIODS + 2')
export const FEATURES = 4 + VISUALIZATIONS.length
export const STEPS = CONTEXT_PERIODS + 1

export interface PeriodConfig {
  readonly beatFrequency: number | null
  readonly visualization: Visualization | null
  readonly breathingMultiplier: number
}

export interface PeriodObservation extends PeriodConfig {
  /** Mean heart rate over the period. */
  readonly heartRate: number
}

/** Heart-rate scale of one model, fitted on its training data and stored with it. */
export interface Normalization {
  readonly hrMean: number
  readonly hrStd: number
}

export interface TrainingSet {
  /** [examples][STEPS][FEATURES] */
  readonly inputs: number[][][]
  /** Change of mean heart rate from the previous period, in units of hrStd. */
  readonly targets: number[]
  /** The previous period's heart rate per example: the persistence forecast. */
  readonly previous: number[]
  /** The period's true heart rate per example. */
  readonly actual: number[]
  readonly normalization: Normalization
}

export const isVisualization = (name: string): name is Visualization =>
  (VISUALIZATIONS as readonly string[]).includes(name)

export function computeMean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

export function fitNormalization(periods: readonly PeriodObservation[]): Normalization {
  const rates = periods.map((p) => p.heartRate)
  const mean = computeMean(rates)
  const std = Math.sqrt(computeMean(rates.map((r) => (r - mean) ** 2)))
  return { hrMean: mean, hrStd: Math.max(std, 1) }
}

function step(heartRate: number, config: PeriodConfig, norm: Normalization, isCandidate: boolean): number[] {
  const oneHot = VISUALIZATIONS.map((v) => (v === config.visualization ? 1 : 0))
  const beat = config.beatFrequency === null ? 0 : (config.beatFrequency - 20) / 12
  return [
    (heartRate - norm.hrMean) / norm.hrStd,
    beat,
    (config.breathingMultiplier - 1.2) / 0.25,
    isCandidate ? 1 : 0,
    ...oneHot,
  ]
}

/** The input for "what if the next period used `candidate`", after `history` (oldest first, at least one period). */
export function candidateInput(
  history: readonly PeriodObservation[],
  candidate: PeriodConfig,
  norm: Normalization,
): number[][] {
  const context = history.slice(-CONTEXT_PERIODS)
  while (context.length < CONTEXT_PERIODS) context.unshift(context[0] as PeriodObservation)
  const last = context[context.length - 1] as PeriodObservation
  return [...context.map((p) => step(p.heartRate, p, norm, false)), step(last.heartRate, candidate, norm, true)]
}

/** One example per period after the first CONTEXT_PERIODS, in chronological order. */
export function buildTrainingSet(periods: readonly PeriodObservation[]): TrainingSet {
  const normalization = fitNormalization(periods)
  const set = {
    inputs: [] as number[][][],
    targets: [] as number[],
    previous: [] as number[],
    actual: [] as number[],
    normalization,
  }
  for (let i = CONTEXT_PERIODS; i < periods.length; i += 1) {
    const period = periods[i] as PeriodObservation
    const before = periods.slice(i - CONTEXT_PERIODS, i)
    const previous = (before[before.length - 1] as PeriodObservation).heartRate
    set.inputs.push(candidateInput(before, period, normalization))
    set.targets.push((period.heartRate - previous) / normalization.hrStd)
    set.previous.push(previous)
    set.actual.push(period.heartRate)
  }
  return set
}
