import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

// The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json, shipped by this package) and the
// package's validator around it: it checks every resource in the Bundle against its definition.
const require = createRequire(import.meta.url)
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => {
  validate(resource: unknown, verbose?: boolean): unknown[]
}
const fhirSchema = new JSONSchemaValidator()

const T0 = Date.now() - 7_200_000 - (Date.now() % 60_000)
const at = (seconds: number) => T0 + seconds * 1000
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
// FHIR R4 dateTime with a time part must carry a zone (http://hl7.org/fhir/R4/datatypes.html#dateTime).
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** R4 JSON representation (http://hl7.org/fhir/R4/json.html): no nulls, no empty strings, arrays or objects. */
function jsonRuleProblems(value: unknown, path = '$'): string[] {
  if (value === null) return [`${path} is null`]
  if (typeof value === 'string') return value.trim() === '' ? [`${path} is an empty string`] : []
  if (Array.isArray(value))
    return value.length === 0
      ? [`${path} is an empty array`]
      : value.flatMap((item, i) => jsonRuleProblems(item, `${path}[${i}]`))
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    return entries.length === 0
      ? [`${path} is an empty object`]
      : entries.flatMap(([key, item]) => jsonRuleProblems(item, `${path}.${key}`))
  }
  return []
}

/** The Bundle rules (bdl-*) and the vital-signs heart-rate profile's rules that apply to this export. */
function bundleRuleProblems(bundle: any, patient: string): string[] {
  const problems: string[] = []
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'collection') problems.push('not a collection Bundle')
  if ('total' in bundle) problems.push('bdl-1: total only for search and history')
  const entries: any[] = bundle.entry ?? []
  const urls = entries.map((e) => e.fullUrl)
  if (new Set(urls).size !== urls.length) problems.push('bdl-7: fullUrl must be unique')
  for (const [i, entry] of entries.entries()) {
    const o = entry.resource
    if (!UUID_URN.test(entry.fullUrl ?? '')) problems.push(`entry ${i}: fullUrl ${entry.fullUrl} is not a urn:uuid`)
    if (entry.fullUrl !== `urn:uuid:${o.id}`) problems.push(`entry ${i}: fullUrl disagrees with the resource id`)
    if (o.resourceType !== 'Observation' || o.status !== 'final') problems.push(`entry ${i}: not a final Observation`)
    if (
      !o.category?.some((c: any) =>
        c.coding?.some(
          (k: any) =>
            k.system === 'http://terminology.hl7.org/CodeSystem/observation-category' && k.code === 'vital-signs',
        ),
      )
    )
      problems.push(`entry ${i}: no vital-signs category`)
    if (!o.code?.coding?.some((k: any) => k.system === 'http://loinc.org' && k.code === '8867-4'))
      problems.push(`entry ${i}: not LOINC 8867-4`)
    const q = o.valueQuantity ?? {}
    if (
      typeof q.value !== 'number' ||
      q.system !== 'http://unitsofmeasure.org' ||
      q.code !== '/min' ||
      q.unit !== '/min'
    )
      problems.push(`entry ${i}: value not in UCUM /min`)
    if (!DATE_TIME_WITH_ZONE.test(o.effectiveDateTime ?? ''))
      problems.push(`entry ${i}: effectiveDateTime without a zone`)
    if (o.subject?.reference !== patient) problems.push(`entry ${i}: subject is not ${patient}`)
  }
  return problems
}

for (const target of await databaseTargets()) {
  describe(`exports on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let user: Awaited<ReturnType<typeof signUp>>

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
      user = await signUp(api)
      const watch = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      // 6,000 samples (more than one 5,000-row page), alerts of both kinds, some with RR intervals, some from a device.
      const samples = Array.from({ length: 6000 }, (_, i) => ({
        timestamp: at(i),
        bpm: i % 97 === 0 ? 165 : i % 89 === 0 ? 42 : 60 + (i % 30),
        ...(i % 7 === 0 && { rrIntervalsMs: [850, 860] }),
      }))
      assert.equal((await api.post('/v1/heart-rate/samples', { samples }, user.accessToken)).body.stored, 6000)
      await api.post('/v1/heart-rate/samples', { samples: [{ timestamp: at(0.5), bpm: 151 }] }, watch.apiKey)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('CSV: a header, then a row per sample', async () => {
      const csv = await api.get(`/v1/heart-rate/export.csv?from=${at(0)}&to=${at(2)}`, user.accessToken)
      assert.equal(csv.status, 200)
      assert.match(csv.headers.get('content-type') ?? '', /text\/csv/)
      const [header, ...rows] = (csv.body as string).trimEnd().split('\n')
      assert.equal(header, 'timestamp,bpm,device_id,alert,rr_intervals_ms')
      assert.deepEqual(
        rows.map((r) => r.split(',').slice(1, 2)[0]),
        ['165', '151', '61'],
      )
      assert.equal(rows[0], `${new Date(at(0)).toISOString()},165,,HIGH,850;860`)
    })

    const ranges: Array<[string, number, number, number]> = [
      ['an empty range', -100, -50, 0],
      ['one sample', 3, 4, 1],
      ['a device sample and alerts of both kinds', 0, 180, 181],
      ['more than one page', 0, 6000, 6001],
    ]
    for (const [name, from, to, count] of ranges) {
      test(`FHIR R4 over ${name}: the JSON schema, the JSON rules and the Bundle and heart-rate rules hold`, async () => {
        const reply = await api.get(`/v1/heart-rate/export.fhir.json?from=${at(from)}&to=${at(to)}`, user.accessToken)
        assert.equal(reply.status, 200)
        assert.match(reply.headers.get('content-type') ?? '', /application\/fhir\+json/)
        const bundle = reply.body
        assert.equal(bundle.entry?.length ?? 0, count)
        assert.deepEqual(fhirSchema.validate(bundle), [], 'valid against fhir.schema.json')
        assert.deepEqual(jsonRuleProblems(bundle), [])
        assert.deepEqual(bundleRuleProblems(bundle, `Patient/${user.userId}`), [])
        if (count > 1) {
          const kinds = new Set(bundle.entry.map((e: any) => e.resource.interpretation?.[0]?.coding?.[0]?.code ?? '-'))
          assert.deepEqual([...kinds].sort(), ['-', 'H', 'L'])
        }
      })
    }

    test('the schema check catches what it should: an entry without its resourceType, a string value', () => {
      const bad = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            fullUrl: 'urn:uuid:x',
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'x' },
              valueQuantity: { value: '70' },
            },
          },
        ],
      }
      assert.notDeepEqual(fhirSchema.validate(bad), [])
      assert.deepEqual(jsonRuleProblems({ entry: [] }), ['$.entry is an empty array'])
    })
  })
}
