// `/training/post/train` trains on the DATA it is sent (the seed ignored it and read a fixed file):
//   CSI:  DATA[0 = phase, 1 = magnitude][angle index][subcarrier][points], any subcarrier count;
//   RSSI: DATA[angle index][points].
// Angle index i is the door at 15·i degrees (0, 15, …, 90), and that angle is the label.
import type { Layout } from '../../domains/sensors/frame-layout.js'
import type { TrainingJob } from '../../domains/ml/ml.schema.js'

export interface LabelledRows {
  readonly layout: Layout
  readonly labels: string[]
  readonly values: Float32Array
}

const MAX_ANGLES = 7
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The rows of a CSI or RSSI `DATA`, or the reason it does not fit its TYPE. */
export function rowsOfData(type: 'CSI' | 'RSSI', data: unknown): LabelledRows | string {
  if (!Array.isArray(data)) return 'DATA must be an array'
  return type === 'RSSI' ? rssiRows(data) : csiRows(data)
}

function rssiRows(angles: unknown[]): LabelledRows | string {
  if (angles.length < 2 || angles.length > MAX_ANGLES)
    return `DATA has ${angles.length} angles; send 2 to ${MAX_ANGLES} (0, 15, …, 90 degrees)`
  const labels: string[] = []
  const values: number[] = []
  for (const [a, points] of angles.entries()) {
    if (!Array.isArray(points) || points.length === 0 || !points.every(isNumber))
      return `DATA[${a}] must be a non-empty list of numbers`
    for (const point of points) {
      labels.push(String(a * 15))
      values.push(point)
    }
  }
  return { layout: [{ name: 'rssi', length: 1 }], labels, values: Float32Array.from(values) }
}

/** One angle's frames: frame p is the magnitudes [s][p] of every subcarrier s, then the phases. */
function angleFrames(phase: unknown, magnitude: unknown, a: number): number[][] | string {
  const path = `DATA[0][${a}] and DATA[1][${a}]`
  if (!Array.isArray(phase) || !Array.isArray(magnitude) || phase.length === 0 || phase.length !== magnitude.length)
    return `${path} must list the same subcarriers`
  const points = (phase[0] as unknown[] | undefined)?.length ?? 0
  const lists = [...magnitude, ...phase] as unknown[]
  if (points === 0 || !lists.every((list) => Array.isArray(list) && list.length === points && list.every(isNumber)))
    return `${path}: every subcarrier needs the same number of points, all numbers`
  return Array.from({ length: points }, (_, p) => lists.map((list) => (list as number[])[p] as number))
}

function csiRows(data: unknown[]): LabelledRows | string {
  const [phase, magnitude] = data
  if (data.length !== 2 || !Array.isArray(phase) || !Array.isArray(magnitude))
    return 'CSI DATA is [phase, magnitude], each [angle][subcarrier][points]'
  if (phase.length !== magnitude.length || phase.length < 2 || phase.length > MAX_ANGLES)
    return `phase and magnitude need the same 2 to ${MAX_ANGLES} angles`
  const labels: string[] = []
  const rows: number[][] = []
  let subcarriers = -1
  for (let a = 0; a < phase.length; a += 1) {
    const frames = angleFrames(phase[a], magnitude[a], a)
    if (typeof frames === 'string') return frames
    const width = (frames[0] as number[]).length
    if (subcarriers !== -1 && width !== 2 * subcarriers)
      return `DATA[0][${a}] has ${width / 2} subcarriers; the angles before it have ${subcarriers}`
    subcarriers = width / 2
    for (const frame of frames) {
      labels.push(String(a * 15))
      rows.push(frame)
    }
  }
  return {
    layout: [
      { name: 'magnitude', length: subcarriers },
      { name: 'phase', length: subcarriers },
    ],
    labels,
    values: Float32Array.from(rows.flat()),
  }
}

/** The seed's training state names, from the compat account's latest sensor-classifier job. */
export function trainingStatus(job: TrainingJob | undefined): string {
  if (job === undefined) return 'MODEL_DOESNT_EXIST'
  switch (job.state) {
    case 'queued':
      return 'START_TRAINING'
    case 'running':
      return 'TRAINING_IN_PROGRESS'
    case 'succeeded':
      return 'FINISHED_TRAINING'
    default:
      return 'TRAINING_FAILED'
  }
}
