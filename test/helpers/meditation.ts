import { type SimulatedSession, toSessionBody } from '../../src/domains/meditation/simulator.js'

export {
  simulatedUserSessions as simulatedSessions,
  toSessionBody as toV1Body,
} from '../../src/domains/meditation/simulator.js'

/** The same session in the MindSync seed's wire format (seed-style dates: milliseconds and a Z). */
export function toMindsyncBody(deviceId: string, session: SimulatedSession) {
  const v1 = toSessionBody(session)
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
