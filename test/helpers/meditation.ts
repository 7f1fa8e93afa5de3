import type { SimulatedSession } from '../../src/domains/meditation/simulator.js'
import { createSimulatedUser, seededRandom, simulateSessions } from '../../src/domains/meditation/simulator.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** A simulated session as `POST /v1/meditation/sessions` takes it; samples 2 s apart. */
export function toV1Body(session: SimulatedSession) {
  return {
    date: iso(session.date),
    durationSeconds: session.periods.length * 30,
    isCompleted: true,
    isCanceled: false,
    periods: session.periods.map((p, i) => ({
      visualization: p.visualization,
      beatFrequency: p.beatFrequency,
      breathingPattern: [{ inhale: 4 }, { hold: 7 }, { exhale: 8 }, { hold: null }],
      breathingMultiplier: p.breathingMultiplier,
      isHapticFeedbackEnabled: i % 2 === 0,
      heartRates: p.heartRates.map((bpm, j) => ({ timestamp: iso(session.date + (i * p.heartRates.length + j) * 2000), bpm })),
    })),
  }
}

/** The same session in the MindSync seed's wire format (seed-style dates: milliseconds and a Z). */
export function toMindsyncBody(deviceId: string, session: SimulatedSession) {
  const v1 = toV1Body(session)
  return {
    deviceId,
    date: v1.date,
    duration: v1.durationSeconds,
    isCompleted: v1.isCompleted,
    isCanceled: v1.isCanceled,
    sessionPeriods: v1.periods.map((p) => ({
      heartRateMeasurements: p.heartRates.map((h) => ({ date: h.timestamp, heartRate: h.bpm })),
      visualization: p.visualization,
      beatFrequency: p.beatFrequency,
      breathingPattern: p.breathingPattern,
      breathingPatternMultiplier: p.breathingMultiplier,
      isHapticFeedbackEnabled: p.isHapticFeedbackEnabled,
    })),
  }
}

/** Sessions of 5 periods x 15 samples from a seeded simulated user. */
export function simulatedSessions(seed: number, periods: number) {
  const random = seededRandom(seed)
  const user = createSimulatedUser(random)
  return { user, random, sessions: simulateSessions(user, random, { sessions: Math.ceil(periods / 5), periodsPerSession: 5 }) }
}
