// Frames over pulsebase's own MQTT listener (PULSEBASE_MQTT_PORT), published with QoS 1 by 8 mqtt.js
// clients (one Pi each) in this process, each with up to 8 unacknowledged messages: stored frames/s
// with 100 frames a message (target >= 20,000), and with one frame a message (an ESP32 that sends as
// it measures); then the ratio to raw better-sqlite3 inserts of the same blobs. A PUBACK comes only
// after the commit; frames answered as rejected on the verdicts topic are not counted.
import { connectAsync, type MqttClient } from 'mqtt'
import { firstTimestamp } from './lib/accounts.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { channelPool, enrollPis, framesJson, rawInsertFrames } from './lib/sensors.js'
import { freePort, startServer } from './lib/server.js'
import { formatNumber } from './lib/stats.js'
import { awaitQuietMachine, isInWindow, until, windowCpu, windowFrom } from './lib/window.js'

const CLIENTS = 8
const IN_FLIGHT = 8

async function measure(options: BenchOptions, framesPerMessage: number): Promise<number> {
  const mqttPort = await freePort()
  const server = await startServer({ cpuProfDir: options.cpuProfDir, env: { PULSEBASE_MQTT_PORT: String(mqttPort) } })
  const clients: MqttClient[] = []
  try {
    const { devices } = await enrollPis(server.httpUrl, CLIENTS)
    for (const device of devices)
      clients.push(
        await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
          username: device.id,
          password: device.apiKey,
          reconnectPeriod: 0,
        }),
      )
    const pool = channelPool()
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    cpu.watch(window)
    let acked = 0
    let failures = 0
    let rejected = 0
    for (const [c, client] of clients.entries()) {
      await client.subscribeAsync(`devices/${(devices[c] as { id: string }).id}/frames/csi/verdicts`, { qos: 0 })
      client.on(
        'message',
        (_topic, payload) => (rejected += (JSON.parse(payload.toString()) as { rejected: number }).rejected),
      )
    }
    await until(window.start)
    await Promise.all(
      clients.map(async (client, c) => {
        const topic = `devices/${(devices[c] as { id: string }).id}/frames/csi`
        let ts = firstTimestamp()
        const lane = async () => {
          while (Date.now() < window.measureTo) {
            const first = ts
            ts += framesPerMessage
            const body =
              framesPerMessage === 1
                ? framesJson(pool, first, 1, false)
                : `{"frames":[${framesJson(pool, first, framesPerMessage, false)}]}`
            const ok = await client.publishAsync(topic, body, { qos: 1 }).then(
              () => true,
              () => false,
            )
            if (!isInWindow(window, Date.now())) continue
            if (ok) acked += framesPerMessage
            else failures += 1
          }
        }
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
      }),
    )
    // Rejected frames are acknowledged too (and answered on the verdicts topic): they are not counted.
    console.log(
      `  MQTT, ${framesPerMessage} frame(s) a message: ${formatNumber(acked - rejected)} frames stored (acknowledged, less ${rejected} answered as rejected) in ${options.durationMs / 1000} s, failed publishes ${failures}; ${cpu.describe()}`,
    )
    return (acked - rejected) / (options.durationMs / 1000)
  } finally {
    await Promise.allSettled(clients.map((c) => c.endAsync(true)))
    await server.stop()
  }
}

export async function runSensorMqtt(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `sensor-mqtt: QoS 1 publishes from ${CLIENTS} clients x ${IN_FLIGHT} in flight, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s each; then raw better-sqlite3`,
  )
  const batched = await measure(options, 100)
  const single = await measure(options, 1)
  if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
  const raw =
    (await rawInsertFrames(windowFrom(Date.now(), options.warmupMs, options.durationMs), 1000, CLIENTS)) /
    (options.durationMs / 1000)
  console.log(
    `sensor mqtt: ${formatNumber(batched)} stored frames/s at 100 frames a message (target >= 20,000); ${formatNumber(single)} at one frame a message; raw better-sqlite3 ${formatNumber(raw)} frames/s; ratio ${(batched / raw).toFixed(2)}`,
  )
  return {
    bench: 'sensor-mqtt',
    figures: [
      {
        label: 'stored frames/s, QoS 1, 100 frames a message',
        value: batched,
        unit: 'frames/s',
        target: { op: '>=', value: 20_000 },
      },
      { label: 'stored frames/s, QoS 1, 1 frame a message', value: single, unit: 'frames/s' },
      { label: 'MQTT (100 a message) / raw better-sqlite3', value: batched / raw, unit: 'x' },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(runSensorMqtt)
