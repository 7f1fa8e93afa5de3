// The seed's inference routes. `/ml/post/inference` queues the frame for the compat account's live
// classifier (the seed dropped frames that came while it was busy; here they wait, and a full
// queue is a 429); the results routes read the latest prediction, kept by any API process.
import { listSensorModels, classifierInfo, predictHeldOut } from '../../domains/sensors/sensor-models.service.js'
import { MAX_WAITING_PER_STREAM, type LiveTarget } from '../../domains/sensors/live-queue.js'
import type { Prediction } from '../../domains/sensors/sensor-models.schema.js'
import type { Principal } from '../../platform/auth/principal.js'
import { flaskJsonify } from './csi-text.js'
import { type CsiDeps, SeedReply } from './csi-deps.js'

/** The stream kind the compat account's inference frames are classified under. */
const INFERENCE_KIND = 'csi'
const MALFORMED = new SeedReply(400, 'Malformed Packet Recieved')
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** `"[v1, …, vN]"`: exactly one pair of brackets around comma-separated numbers. */
export function parsePayload(payload: unknown): number[] {
  if (typeof payload !== 'string') throw MALFORMED
  if (payload.split('[').length !== 2 || payload.split(']').length !== 2) throw MALFORMED
  const inner = payload.slice(payload.indexOf('[') + 1, payload.indexOf(']'))
  const cells = inner.split(',').map((cell) => cell.trim())
  if (!cells.every((cell) => FLOAT.test(cell))) throw MALFORMED
  return cells.map(Number)
}

async function currentTarget(deps: CsiDeps, owner: Principal): Promise<LiveTarget | undefined> {
  const model = (await listSensorModels(deps.models, owner, { limit: 1 })).models[0]
  if (model === undefined || owner.deviceId === null) return undefined
  const current = await deps.live.get(owner, owner.deviceId, INFERENCE_KIND).catch(() => undefined)
  if (current?.modelId !== model.id) await deps.live.assign(owner, owner.deviceId, INFERENCE_KIND, model.id)
  return {
    userId: owner.userId,
    deviceId: owner.deviceId,
    kind: INFERENCE_KIND,
    classifier: await classifierInfo(deps.models, owner.userId, model.id),
  }
}

export async function runInference(deps: CsiDeps, payload: unknown): Promise<void> {
  const values = parsePayload(payload)
  const owner = await deps.account()
  const target = await currentTarget(deps, owner)
  if (target === undefined) throw new SeedReply(503, 'Error, no trained model yet')
  const width = target.classifier.layout.reduce((sum, g) => sum + g.length, 0)
  if (values.length !== width) throw MALFORMED
  if (deps.live.queue.waiting(target.deviceId, target.kind) >= MAX_WAITING_PER_STREAM)
    throw new SeedReply(429, 'Error, inference queue is full, try again')
  deps.live.queue.offer(target, [{ ts: deps.now(), values: Float32Array.from(values) }])
}

/** A head's label (a door angle) and class probabilities in label order; an RSSI model's one head answers for both. */
function readHead(
  prediction: Prediction,
  labels: readonly string[],
  name: string,
): { label: number; probabilities: number[] } {
  const head = prediction.heads[name] ?? (prediction.heads.combined as Prediction['heads'][string])
  return { label: Number(head.label), probabilities: labels.map((label) => head.probabilities[label] ?? 0) }
}

export async function inferenceResults(deps: CsiDeps): Promise<string | undefined> {
  const owner = await deps.account()
  if (owner.deviceId === null) return undefined
  const live = await deps.live.get(owner, owner.deviceId, INFERENCE_KIND).catch(() => undefined)
  if (live?.latest == null) return undefined
  const labels = Object.keys(live.latest.probabilities)
  const [m, p] = [readHead(live.latest, labels, 'magnitude'), readHead(live.latest, labels, 'phase')]
  return flaskJsonify({
    PREDICTION_M: [m.label],
    PREDICTION_M_CLASS: [m.probabilities],
    PREDICTION_P: [p.label],
    PREDICTION_P_CLASS: [p.probabilities],
  })
}

export async function testPredictionResults(deps: CsiDeps): Promise<string | undefined> {
  const owner = await deps.account()
  const model = (await listSensorModels(deps.models, owner, { limit: 1 })).models[0]
  if (model === undefined) return undefined
  const { predictions } = await predictHeldOut(deps.models, owner.userId, model.id)
  const labels = (model.params as { labels: string[] }).labels
  const heads = (name: string) => predictions.map((prediction) => readHead(prediction, labels, name))
  const [m, p] = [heads('magnitude'), heads('phase')]
  return flaskJsonify({
    TEST_PREDICTION_M: m.map((h) => h.label),
    TEST_PREDICTION_M_CLASS: m.map((h) => h.probabilities),
    TEST_PREDICTION_P: p.map((h) => h.label),
    TEST_PREDICTION_P_CLASS: p.map((h) => h.probabilities),
  })
}
