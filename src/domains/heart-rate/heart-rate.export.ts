import * as crypto from 'node:crypto'
import { setImmediate } from 'node:timers/promises'
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
  if (Number.isNaN(date.getTime()))
    throw new AppError('invalid_argument', `timestampMs ${timestampMs} is not a valid time`)
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

/**
 * Samples a stream turns into text between two turns of the event loop: a page of 5,000 FHIR
 * entries is about 100 ms of hashing and JSON on one core, and a stream pulls chunk after chunk in
 * microtasks until its buffer is full (16 chunks), so each slice waits for the next turn (setImmediate)
 * and the event loop never waits long for an export.
 */
const SLICE = 500

/** The page in slices of at most `SLICE` samples, the event loop taking a turn before each one after the first. */
export async function* slices<T>(page: readonly T[]): AsyncGenerator<readonly T[]> {
  for (let i = 0; i < page.length; i += SLICE) {
    if (i > 0) await setImmediate()
    yield page.slice(i, i + SLICE)
  }
}

/** CSV rows (no header) for the samples, each ending in `\n`; null values are empty cells. */
export function toCsvRows(samples: readonly ExportSample[]): string {
  return samples.map(csvRow).join('')
}

/**
 * A stable UUID (RFC 9562 version 5 layout, SHA-1 of the sample's key), so exporting the same
 * sample twice gives the same resource and the same `urn:uuid:` full URL.
 */
// One-shot hashing where Node has it (20.12 and later): about twice as fast as a Hash object per sample.
const sha1Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha1', text, 'hex')
    : (text) => crypto.createHash('sha1').update(text).digest('hex')

function observationUuid(sample: ExportSample, patientReference: string): string {
  const hex = sha1Hex(`${patientReference}|${sample.deviceId}|${sample.timestampMs}`)
  // Version 5 in the high nibble of byte 6; the RFC variant (10xx) in the top bits of byte 8.
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

/**
 * One sample as a FHIR R4 heart-rate Observation about `patientReference`, in the vital-signs
 * profile's terms (http://hl7.org/fhir/R4/heartrate.html): category vital-signs, LOINC 8867-4,
 * the value in UCUM `/min`, `effectiveDateTime` with its zone (UTC).
 */
export function toFhirObservation(
  sample: ExportSample,
  patientReference: string,
  id = observationUuid(sample, patientReference),
): Record<string, unknown> {
  if (patientReference.length === 0) throw new AppError('invalid_argument', 'patientReference must not be empty')
  const observation: Record<string, unknown> = {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'vital-signs',
            display: 'Vital Signs',
          },
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

/** A Bundle entry: every entry has a `fullUrl`, here the resource's `urn:uuid:` (FHIR R4 Bundle.entry.fullUrl). */
export function toFhirEntry(
  sample: ExportSample,
  patientReference: string,
): { fullUrl: string; resource: Record<string, unknown> } {
  const id = observationUuid(sample, patientReference)
  return { fullUrl: `urn:uuid:${id}`, resource: toFhirObservation(sample, patientReference, id) }
}

/**
 * `JSON.stringify(toFhirEntry(sample, patientReference))`, the same text, built from pieces
 * stringified once per export: the export's hot loop (a day of 1 Hz samples is 86,400 entries)
 * spends its time on the sample's own fields only.
 */
export function fhirEntryWriter(patientReference: string): (sample: ExportSample) => string {
  if (patientReference.length === 0) throw new AppError('invalid_argument', 'patientReference must not be empty')
  const probe = toFhirObservation(
    { timestampMs: 0, bpm: 0, deviceId: null, rrIntervalsMs: null, alert: null },
    patientReference,
    '',
  )
  const { category, code, subject } = probe
  const middle = `","status":"final","category":${JSON.stringify(category)},"code":${JSON.stringify(code)},"subject":${JSON.stringify(subject)},"effectiveDateTime":"`
  const interpretations = { LOW: interpretationJson('LOW'), HIGH: interpretationJson('HIGH') }
  return (sample) => {
    const id = observationUuid(sample, patientReference)
    const tail = `${sample.alert ? interpretations[sample.alert] : ''}${sample.deviceId ? `,"device":{"display":${JSON.stringify(sample.deviceId)}}` : ''}`
    return `{"fullUrl":"urn:uuid:${id}","resource":{"resourceType":"Observation","id":"${id}${middle}${toIso(sample.timestampMs)}","valueQuantity":{"value":${JSON.stringify(sample.bpm)},"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}${tail}}}`
  }
}

function interpretationJson(alert: keyof typeof INTERPRETATIONS): string {
  const { code, display } = INTERPRETATIONS[alert]
  return `,"interpretation":${JSON.stringify([{ coding: [{ system: INTERPRETATION_SYSTEM, code, display }] }])}`
}

/**
 * A FHIR R4 Bundle (type `collection`) around entries given as text or UTF-8 bytes (each chunk
 * one or more entries joined with commas, as `fhirEntryWriter` writes them), chunk by chunk, so a year of
 * samples never sits in memory. R4's JSON rules allow no empty array: without entries the Bundle
 * has no `entry`. `timestampMs` is when the bundle was assembled.
 */
export async function* fhirBundleText<Chunk extends string | Uint8Array>(
  entryChunks: AsyncIterable<Chunk>,
  timestampMs: number,
): AsyncGenerator<string | Chunk> {
  yield `{"resourceType":"Bundle","type":"collection","timestamp":"${toIso(timestampMs)}"`
  let isFirst = true
  for await (const entries of entryChunks) {
    if (entries.length === 0) continue
    // The frame apart from the entries: a page of bytes is written as it came, never copied into a string.
    yield isFirst ? ',"entry":[' : ','
    yield entries
    isFirst = false
  }
  yield isFirst ? '}' : ']}'
}

/**
 * A FHIR R4 Bundle (type `collection`) of the pages' samples as JSON text (`fhirBundleText`),
 * each page turned into entries in slices between turns of the event loop.
 */
export async function* fhirBundleChunks(
  pages: AsyncIterable<readonly ExportSample[]>,
  patientReference: string,
  timestampMs: number,
): AsyncGenerator<string> {
  async function* entryChunks(): AsyncGenerator<string> {
    const entryJson = fhirEntryWriter(patientReference)
    for await (const page of pages) {
      for await (const slice of slices(page)) yield slice.map(entryJson).join(',')
    }
  }
  yield* fhirBundleText(entryChunks(), timestampMs)
}
