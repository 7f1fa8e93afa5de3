import { createHash } from 'node:crypto'
import { AppError } from '../../errors.js'

export interface ExportSample {
  readonly timestampMs: number
  readonly bpm: number
  readonly deviceId: string | null
  readonly rrIntervalsMs: readonly number[] | null
  readonly alert: 'LOW' | 'HIGH' | null
}

export const CSV_HEADER = 'timestamp,bpm,device_id,alert,rr_intervals_ms\n'

const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation'
const INTERPRETATIONS = {
  LOW: { code: 'L', display: 'Low' },
  HIGH: { code: 'H', display: 'High' },
} as const

function toIso(timestampMs: number): string {
  const date = new Date(timestampMs)
  if (Number.isNaN(date.getTime())) throw new AppError('invalid_argument', `timestampMs ${timestampMs} is not a valid time`)
  return date.toISOString()
}

/** RFC 4180: a field holding a comma, quote or line break is quoted, with its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

function csvRow(sample: ExportSample): string {
  const cells = [
    toIso(sample.timestampMs),
    String(sample.bpm),
    sample.deviceId ?? '',
    sample.alert ?? '',
    sample.rrIntervalsMs?.join(';') ?? '',
  ]
  return `${cells.map(csvField).join(',')}\n`
}

/** CSV rows (no header) for the samples, each ending in `\n`; null values are empty cells. */
export function toCsvRows(samples: readonly ExportSample[]): string {
  return samples.map(csvRow).join('')
}

/** A stable id, so exporting the same sample twice gives the same resource. */
function observationId(sample: ExportSample, patientReference: string): string {
  return createHash('sha1')
    .update(`${patientReference}|${sample.deviceId}|${sample.timestampMs}`)
    .digest('hex')
    .slice(0, 32)
}

/** One sample as a FHIR R4 heart-rate Observation (LOINC 8867-4) about `patientReference`. */
export function toFhirObservation(sample: ExportSample, patientReference: string): Record<string, unknown> {
  if (patientReference.length === 0) throw new AppError('invalid_argument', 'patientReference must not be empty')
  const observation: Record<string, unknown> = {
    resourceType: 'Observation',
    id: observationId(sample, patientReference),
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' },
    subject: { reference: patientReference },
    effectiveDateTime: toIso(sample.timestampMs),
    valueQuantity: { value: sample.bpm, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  }
  if (sample.alert) {
    const { code, display } = INTERPRETATIONS[sample.alert]
    observation.interpretation = [{ coding: [{ system: INTERPRETATION_SYSTEM, code, display }] }]
  }
  if (sample.deviceId) observation.device = { display: sample.deviceId }
  return observation
}
