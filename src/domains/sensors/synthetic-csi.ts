// Synthetic Wi-Fi CSI of a door at angles 0-90 degrees (15-degree steps), for tests, the bench and
// `pulsebase simulate --sensors`. Per subcarrier k of S: a baseline magnitude profile, a phase that
// grows with k (the usual linear slope of CSI phase across subcarriers), and the door's effect on
// both; plus Gaussian noise and a slow common-mode drift. In `separable` mode the door's effect
// follows the labelled angle; in `inseparable` mode it follows a random angle unrelated to the label,
// the case the seed's author feared: labels the data cannot tell apart.

/** The seed's door angles: its labels. */
export const DOOR_ANGLES = [0, 15, 30, 45, 60, 75, 90] as const

export type SyntheticMode = 'separable' | 'inseparable'

export interface SyntheticCsiOptions {
  readonly mode: SyntheticMode
  /** 53 in the seed's data (its CSV has CH6 to CH58). */
  readonly subcarriers?: number
  readonly seed?: number
  /** Scales the noise (1: magnitude sigma 1.5, phase sigma 0.15 rad). */
  readonly noise?: number
}

export interface CsiChannels {
  readonly magnitude: number[]
  readonly phase: number[]
}

export interface SyntheticCsi {
  readonly subcarriers: number
  /** One frame with the door at `angle` degrees, at time `tMs` (drives the drift). */
  frame(angle: number, tMs: number): CsiChannels
}

/** mulberry32: a small seeded generator, so every run makes the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Box-Muller: a standard normal draw. */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

const wrap = (radians: number) => Math.atan2(Math.sin(radians), Math.cos(radians))
const round = (value: number) => Math.round(value * 1000) / 1000

export function syntheticCsi(options: SyntheticCsiOptions): SyntheticCsi {
  const subcarriers = options.subcarriers ?? 53
  const random = seededRandom(options.seed ?? 1)
  const noise = options.noise ?? 1
  const offset = random() * 2 * Math.PI
  const phase0 = random() * 2 * Math.PI
  const baseline = Array.from(
    { length: subcarriers },
    (_, k) => 20 + 8 * Math.sin((2 * Math.PI * 1.5 * k) / subcarriers + offset),
  )
  return {
    subcarriers,
    frame(angle, tMs) {
      const doorAngle =
        options.mode === 'separable' ? angle : (DOOR_ANGLES[Math.floor(random() * DOOR_ANGLES.length)] as number)
      const theta = (doorAngle / 180) * Math.PI
      const magnitudeDrift = 1.5 * Math.sin((2 * Math.PI * tMs) / 600_000)
      const phaseDrift = 0.2 * Math.sin((2 * Math.PI * tMs) / 900_000)
      const magnitude: number[] = []
      const phase: number[] = []
      for (let k = 0; k < subcarriers; k += 1) {
        const door = 4 * Math.sin((2 * Math.PI * 3 * k) / subcarriers + theta * 4)
        magnitude.push(
          round(Math.max(0, (baseline[k] as number) + door + magnitudeDrift + 1.5 * noise * gaussian(random))),
        )
        phase.push(
          round(
            wrap(
              phase0 + 0.12 * k + 0.8 * Math.cos(0.4 * k + theta * 3) + phaseDrift + 0.15 * noise * gaussian(random),
            ),
          ),
        )
      }
      return { magnitude, phase }
    },
  }
}

export interface LabelledFrame {
  readonly label: string
  readonly timestamp: number
  readonly channels: CsiChannels
}

/** `perAngle` frames for each door angle, `intervalMs` apart from `startMs`, angles interleaved as a door moving back and forth would give. */
export function labelledCsiFrames(
  options: SyntheticCsiOptions & { perAngle: number; startMs: number; intervalMs?: number },
): LabelledFrame[] {
  const csi = syntheticCsi(options)
  const frames: LabelledFrame[] = []
  let t = options.startMs
  for (let i = 0; i < options.perAngle; i += 1) {
    for (const angle of DOOR_ANGLES) {
      frames.push({ label: String(angle), timestamp: t, channels: csi.frame(angle, t) })
      t += options.intervalMs ?? 10
    }
  }
  return frames
}

/** The seed's training CSV: `Label,CH6_mag…CH58_mag,CH6_phase…CH58_phase` (subcarriers numbered from 6). */
export function seedLayoutCsv(frames: readonly LabelledFrame[]): string {
  const count = frames[0]?.channels.magnitude.length ?? 53
  const names = (suffix: string) => Array.from({ length: count }, (_, i) => `CH${i + 6}_${suffix}`)
  const header = ['Label', ...names('mag'), ...names('phase')].join(',')
  const rows = frames.map((f) => [f.label, ...f.channels.magnitude, ...f.channels.phase].join(','))
  return `${header}\n${rows.join('\n')}\n`
}
