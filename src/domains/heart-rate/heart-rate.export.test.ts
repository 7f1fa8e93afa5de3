import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { AppError } from '../../errors.js'
import {
  CSV_HEADER,
  type ExportSample,
  fhirEntryWriter,
  toCsvRows,
  toFhirEntry,
  toFhirObservation,
  fhirBundleChunks,
} from './heart-rate.export.js'

const T = Date.UTC(2023, 10, 14, 22, 13, 20) // 1700000000000 = 2023-11-14T22:13:20.000Z
const sample = (overrides: Partial<ExportSample> = {}): ExportSample => ({
  timestampMs: T,
  bpm: 72,
  deviceId: 'watch-1',
  rrIntervalsMs: [810, 820.5],
  alert: null,
  ...overrides,
})

test('CSV header names the columns in row order', () => {
  assert.equal(CSV_HEADER, 'timestamp,bpm,device_id,alert,rr_intervals_ms\n')
})

test('CSV rows: ISO time, rr intervals joined by ";", empty cells for null, each row ending in \\n', () => {
  const rows = toCsvRows([
    sample({ alert: 'HIGH', bpm: 181 }),
    sample({ timestampMs: T + 1500, deviceId: null, rrIntervalsMs: null }),
  ])
  assert.equal(rows, '2023-11-14T22:13:20.000Z,181,watch-1,HIGH,810;820.5\n' + '2023-11-14T22:13:21.500Z,72,,,\n')
  assert.equal(toCsvRows([]), '')
})

test('CSV escaping per RFC 4180: commas, quotes and line breaks are quoted, quotes doubled', () => {
  const deviceIds = ['a,b', 'say "hi"', 'line\nbreak', 'carriage\rreturn', 'plain;semi']
  const rows = toCsvRows(deviceIds.map((deviceId) => sample({ deviceId, rrIntervalsMs: null })))
  assert.equal(
    rows,
    [
      '2023-11-14T22:13:20.000Z,72,"a,b",,\n',
      '2023-11-14T22:13:20.000Z,72,"say ""hi""",,\n',
      '2023-11-14T22:13:20.000Z,72,"line\nbreak",,\n',
      '2023-11-14T22:13:20.000Z,72,"carriage\rreturn",,\n',
      '2023-11-14T22:13:20.000Z,72,plain;semi,,\n',
    ].join(''),
  )
})

test('an invalid timestamp throws invalid_argument', () => {
  const isInvalidArgument = (error: unknown) => error instanceof AppError && error.code === 'invalid_argument'
  assert.throws(() => toCsvRows([sample({ timestampMs: Number.NaN })]), isInvalidArgument)
  assert.throws(() => toFhirObservation(sample({ timestampMs: 9e15 }), 'Patient/u1'), isInvalidArgument)
  assert.throws(() => toFhirObservation(sample(), ''), isInvalidArgument)
})

test('FHIR R4 Observation for a sample with a device and a HIGH alert', () => {
  const hex = createHash('sha1').update(`Patient/u1|watch-1|${T}`).digest('hex')
  // The SHA-1 as a version-5 UUID: version nibble 5, variant bits 10.
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
  assert.deepEqual(toFhirObservation(sample({ alert: 'HIGH', bpm: 181 }), 'Patient/u1'), {
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
    subject: { reference: 'Patient/u1' },
    effectiveDateTime: '2023-11-14T22:13:20.000Z',
    valueQuantity: { value: 181, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    interpretation: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H', display: 'High' },
        ],
      },
    ],
    device: { display: 'watch-1' },
  })
})

test('FHIR: LOW maps to L, no alert and no device leave those fields out, the id is a stable UUID', () => {
  const low = toFhirObservation(sample({ alert: 'LOW', bpm: 38 }), 'Patient/u1')
  assert.deepEqual(low.interpretation, [
    {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L', display: 'Low' },
      ],
    },
  ])

  const bare = toFhirObservation(sample({ deviceId: null }), 'Patient/u1')
  assert.equal('interpretation' in bare, false)
  assert.equal('device' in bare, false)
  assert.match(String(bare.id), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

  assert.equal(toFhirObservation(sample(), 'Patient/u1').id, toFhirObservation(sample({ bpm: 99 }), 'Patient/u1').id)
  assert.notEqual(toFhirObservation(sample(), 'Patient/u1').id, toFhirObservation(sample(), 'Patient/u2').id)
  assert.notEqual(toFhirObservation(sample(), 'Patient/u1').id, bare.id)
})

test('a Bundle entry has its fullUrl, the urn:uuid of its resource', () => {
  const entry = toFhirEntry(sample(), 'Patient/u1')
  assert.equal(entry.fullUrl, `urn:uuid:${String(entry.resource.id)}`)
})

test('the export writes each entry as the text JSON.stringify gives the entry object', () => {
  const variants = [
    sample(),
    sample({ alert: 'LOW', bpm: 38.5 }),
    sample({ alert: 'HIGH', deviceId: null }),
    sample({ deviceId: 'strap "2"\\x', rrIntervalsMs: null, bpm: 201.25 }),
  ]
  for (const reference of ['Patient/u1', 'Patient/ü "quoted"']) {
    const write = fhirEntryWriter(reference)
    for (const variant of variants) assert.equal(write(variant), JSON.stringify(toFhirEntry(variant, reference)))
  }
  assert.throws(
    () => fhirEntryWriter(''),
    (error: unknown) => error instanceof AppError && error.code === 'invalid_argument',
  )
})

test('a Bundle with no samples has no entry (R4 JSON allows no empty array)', async () => {
  async function* none() {}
  let text = ''
  for await (const chunk of fhirBundleChunks(none(), 'Patient/u1', T)) text += chunk
  assert.deepEqual(JSON.parse(text), {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: '2023-11-14T22:13:20.000Z',
  })
})
