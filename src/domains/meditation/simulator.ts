// A simulated meditator whose heart rate responds to the session configuration, for tests,
// benches and `pulsebase simulate`. Each user has a resting rate, a preferred beat frequency,
// a breathing-multiplier slope and a liking per visualization; within a period the heart rate
// relaxes towards the level that configuration leads to, with sensor noise.
import { type PeriodConfig, VISUALIZATIONS, type Visualization } from './meditation.features.js'
import type { CreateSessionBody } from './meditation.schema.js'
import { DAY_MS, toIso } from '../../platform/time/date-time.js'

export type Random = () => number

/** mulberry32: a small seeded generator, so a simulated user is reproducible from its seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

export interface SimulatedUser {
  readonly restingHeartRate: number
  readonly preferredBeat: number
  readonly multiplierSlope: number
  readonly visualizationEffect: Readonly<Record<Visualization, number>>
  /** Standard deviation of one sample's noise, bpm. */
  readonly noise: number
}

export interface SimulatedPeriod extends PeriodConfig {
  readonly heartRates: number[]
}

export interface SimulatedSession {
  readonly date: number
  readonly periods: SimulatedPeriod[]
}

export function createSimulatedUser(random: Random): SimulatedUser {
  const visualizationEffect = Object.fromEntries(VISUALIZATIONS.map((v) => [v, (random() - 0.5) * 12])) as Record<
    Visualization,
    number
  >
  return {
    restingHeartRate: 60 + random() * 15,
    preferredBeat: 5 + random() * 30,
    multiplierSlope: (random() - 0.5) * 20,
    visualizationEffect,
    noise: 1.5,
  }
}

/** The heart rate a configuration settles at for this user: what a recommendation should minimise. */
export function settledHeartRate(user: SimulatedUser, config: PeriodConfig): number {
  const beat = config.beatFrequency ?? 20
  const beatCost = 10 * ((beat - user.preferredBeat) / 20) ** 2
  const visual = config.visualization === null ? 0 : user.visualizationEffect[config.visualization]
  return user.restingHeartRate + 6 + beatCost + visual + user.multiplierSlope * (config.breathingMultiplier - 1.2)
}

/** A uniformly random configuration from the seed's default ranges. */
export function randomConfig(random: Random): PeriodConfig {
  return {
    beatFrequency: 1 + Math.floor(random() * 40),
    visualization: VISUALIZATIONS[Math.floor(random() * VISUALIZATIONS.length)] as Visualization,
    breathingMultiplier: Math.round(8 + random() * 8) / 10,
  }
}

/** Sessions of random configurations, one sample every 2 s, sessions a day apart from `start`. */
export function simulateSessions(
  user: SimulatedUser,
  random: Random,
  options: { sessions: number; periodsPerSession: number; samplesPerPeriod?: number; start?: number },
): SimulatedSession[] {
  const samples = options.samplesPerPeriod ?? 15
  const start = options.start ?? Date.UTC(2024, 0, 1, 20)
  const sessions: SimulatedSession[] = []
  for (let s = 0; s < options.sessions; s += 1) {
    let heartRate = user.restingHeartRate + 10 + gaussian(random) * 3
    const periods: SimulatedPeriod[] = []
    for (let p = 0; p < options.periodsPerSession; p += 1) {
      const config = randomConfig(random)
      const target = settledHeartRate(user, config)
      const heartRates: number[] = []
      for (let i = 0; i < samples; i += 1) {
        heartRate += (target - heartRate) * 0.2 + gaussian(random) * 0.5
        heartRates.push(Math.round((heartRate + gaussian(random) * user.noise) * 10) / 10)
      }
      periods.push({ ...config, heartRates })
    }
    sessions.push({ date: start + s * DAY_MS, periods })
  }
  return sessions
}

/** A simulated session as `POST /v1/meditation/sessions` takes it; samples 2 s apart. */
export function toSessionBody(session: SimulatedSession): CreateSessionBody {
  return {
    date: toIso(session.date),
    durationSeconds: session.periods.length * 30,
    isCompleted: true,
    isCanceled: false,
    periods: session.periods.map((p, i) => ({
      visualization: p.visualization,
      beatFrequency: p.beatFrequency,
      breathingPattern: [{ inhale: 4 }, { hold: 7 }, { exhale: 8 }, { hold: null }],
      breathingMultiplier: p.breathingMultiplier,
      isHapticFeedbackEnabled: i % 2 === 0,
      heartRates: p.heartRates.map((bpm, j) => ({
        timestamp: toIso(session.date + (i * p.heartRates.length + j) * 2000),
        bpm,
      })),
    })),
  }
}

/** Sessions of 5 periods x 15 samples from the simulated user of `seed`. */
export function simulatedUserSessions(seed: number, periods: number) {
  const random = seededRandom(seed)
  const user = createSimulatedUser(random)
  return {
    user,
    random,
    sessions: simulateSessions(user, random, { sessions: Math.ceil(periods / 5), periodsPerSession: 5 }),
  }
}
