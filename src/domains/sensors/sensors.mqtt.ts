// Frames over MQTT: a device publishes to `devices/<its id>/frames/<kind>` a JSON frame
// (`{"timestamp":…,"channels":{…}}`) or a batch (`{"frames":[…]}`). QoS 1 is acknowledged after the
// commit; rejected frames are answered on `devices/<id>/frames/<kind>/verdicts`.
import type { MqttMessage, MqttReply, MqttServer } from '../../platform/mqtt/mqtt-server.js'
import { inputProblems, parseBoundedJson } from '../../platform/validation/input-checks.js'
import { type FramesDeps, recordFrames } from './frames.service.js'
import { type FrameIngestResult, MAX_BATCH_FRAMES } from './sensors.schema.js'

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

const verdictsTopic = (message: MqttMessage) => `${message.topic}/verdicts`

/** The frames of a payload, or why there are none (answered as a rejection, never thrown). */
function parseFrames(payload: Buffer): unknown[] | string {
  let body: unknown
  try {
    body = parseBoundedJson(STRICT_UTF8.decode(payload))
  } catch {
    return 'The payload is not JSON in UTF-8 (or nests too deep): send {"timestamp":…,"channels":{…}} or {"frames":[…]}'
  }
  const unstorable = inputProblems(body, 'payload', 1)[0]
  if (unstorable !== undefined) return `${unstorable.path ?? 'payload'} ${unstorable.message}`
  if (typeof body === 'object' && body !== null && 'frames' in body) {
    const frames = (body as { frames: unknown }).frames
    if (!Array.isArray(frames) || frames.length === 0 || frames.length > MAX_BATCH_FRAMES)
      return 'frames must be an array of 1 to 10,000 frames'
    return frames
  }
  return [body]
}

async function handleFrames(deps: FramesDeps, message: MqttMessage): Promise<MqttReply | void> {
  const frames = parseFrames(message.payload)
  if (typeof frames === 'string') {
    const refused: FrameIngestResult = {
      stored: 0,
      rejected: 1,
      verdicts: [{ status: 'rejected', reason: 'frame_invalid', message: frames }],
    }
    return { topic: verdictsTopic(message), payload: JSON.stringify(refused) }
  }
  const result = await recordFrames(deps, message.publisher.principal, frames, message.levels[1])
  if (result.rejected > 0) return { topic: verdictsTopic(message), payload: JSON.stringify(result) }
}

export function registerSensorsMqtt(server: MqttServer, deps: FramesDeps): void {
  server.addRoute({ topic: 'frames/+', handle: (message) => handleFrames(deps, message) })
}
