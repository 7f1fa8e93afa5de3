// The examples in examples/ run against a started server, as a user would run them.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { waitUntil } from './helpers/poll.js'

const EXAMPLES = join(import.meta.dirname, '..', 'examples')

/** True when `command` can be run here (python3 is not on every machine). */
async function hasCommand(command: string): Promise<boolean> {
  const child = spawn(command, ['--version'], { stdio: 'ignore' })
  return new Promise((resolve) => {
    child.once('error', () => resolve(false))
    child.once('exit', (code) => resolve(code === 0))
  })
}

/** Runs a program to its end with `input` on standard input; resolves to its exit code and output. */
async function runProgram(command: string, args: string[], env: Record<string, string>, input: string) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  child.stdin.end(input)
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output }
}

describe('examples', () => {
  let server: TestApp
  let token: string
  let deviceKey: string
  before(async () => {
    server = await startTestApp()
    const api = client(server.url)
    token = (await signUp(api)).accessToken
    deviceKey = (await api.post('/v1/devices', { name: 'example pi', kind: 'raspberry-pi' }, token)).body.apiKey
  })
  after(() => server.close())

  test('the Raspberry Pi uploader stores samples, and a rerun of the same input duplicates nothing', async (t) => {
    if (!(await hasCommand('python3'))) return t.skip('skipped: no python3')
    const base = Date.now() - 60_000
    const input = [0, 1, 2].map((i) => `${new Date(base + i * 1000).toISOString()} ${70 + i}`).join('\n') + '\n'
    const env = { PULSEBASE_URL: server.url, PULSEBASE_DEVICE_KEY: deviceKey }
    const first = await runProgram('python3', [join(EXAMPLES, 'pi-uploader', 'upload_heart_rate.py')], env, input)
    assert.equal(first.code, 0, first.output)
    assert.equal(first.output.trim(), 'stored 3, already stored 0, rejected 0')
    const again = await runProgram('python3', [join(EXAMPLES, 'pi-uploader', 'upload_heart_rate.py')], env, input)
    assert.equal(again.output.trim(), 'stored 0, already stored 3, rejected 0')
  })

  test('the gRPC stream client prints a verdict per sample, after it is stored', async () => {
    const base = Date.now() - 30_000
    const input = `${base} 72\n${base + 1000} 74\n${base + 2000} nan\n`
    const result = await runProgram(
      process.execPath,
      [join(EXAMPLES, 'grpc-stream-client', 'stream.mjs')],
      { PULSEBASE_GRPC: server.grpcAddress, PULSEBASE_TOKEN: deviceKey },
      input,
    )
    assert.equal(result.code, 0, result.output)
    const lines = result.output.trim().split('\n')
    assert.equal(lines[0], `${base} STORED`)
    assert.equal(lines[1], `${base + 1000} STORED`)
    assert.match(lines[2] ?? '', /^\d+ REJECTED /)
    const stored = await client(server.url).get(
      `/v1/heart-rate/samples?from=${new Date(base - 1).toISOString()}&to=${new Date(base + 1500).toISOString()}`,
      token,
    )
    assert.deepEqual(
      stored.body.samples.map((s: { bpm: number }) => s.bpm),
      [72, 74],
    )
  })

  test('the Node.js live listener prints the events of the account as they happen', async () => {
    const child = spawn(process.execPath, [join(EXAMPLES, 'node-live-listener', 'listen.mjs')], {
      env: { PATH: process.env.PATH, PULSEBASE_URL: server.url, PULSEBASE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    try {
      await waitUntil(() => output.includes('"event":"ready"'), 'the listener to be ready')
      const at = new Date(Date.now() - 5000).toISOString()
      await client(server.url).post('/v1/heart-rate/samples', { samples: [{ timestamp: at, bpm: 81 }] }, deviceKey)
      await waitUntil(() => output.includes('"event":"heart-rate"'), 'the heart-rate event')
      const line = output.split('\n').find((l) => l.includes('"event":"heart-rate"')) as string
      assert.equal(JSON.parse(line).data.samples[0].bpm, 81)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
})
