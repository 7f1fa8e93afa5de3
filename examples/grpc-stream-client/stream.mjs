// Streams heart-rate samples to pulsebase over gRPC (pulsebase.v1.HeartRate/Stream) and prints
// each verdict as it comes back, after the sample is stored. Needs @grpc/grpc-js and
// @grpc/proto-loader, and pulsebase's proto/ folder (PULSEBASE_PROTO_DIR, default ../../proto).
//
//   PULSEBASE_GRPC=localhost:50051 PULSEBASE_TOKEN=<device key or access token> node stream.mjs < samples.txt
//
// Input: one "<epoch ms> <bpm>" or "<bpm>" (now) per line. Output: one line per verdict,
// "<epoch ms> STORED|REJECTED [alert LOW|HIGH] [reason]".
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'

const protoDir = process.env.PULSEBASE_PROTO_DIR ?? fileURLToPath(new URL('../../proto/', import.meta.url))
const definition = protoLoader.loadSync('pulsebase/v1/heart_rate.proto', {
  includeDirs: [protoDir],
  longs: Number,
  enums: String,
  defaults: true,
})
const { HeartRate } = grpc.loadPackageDefinition(definition).pulsebase.v1
const token = process.env.PULSEBASE_TOKEN
if (!token) {
  console.error('set PULSEBASE_TOKEN to a device key or an access token')
  process.exit(2)
}

const client = new HeartRate(process.env.PULSEBASE_GRPC ?? 'localhost:50051', grpc.credentials.createInsecure())
const metadata = new grpc.Metadata()
metadata.set('authorization', `Bearer ${token}`)
const call = client.Stream(metadata)
call.on('data', (v) => {
  const alert = v.alert !== 'ALERT_KIND_NONE' ? ` alert ${v.alert}` : ''
  const reason = v.reason ? ` ${v.reason}` : ''
  console.log(`${v.timestampMs} ${v.status}${alert}${reason}`)
})
call.on('error', (error) => {
  console.error(`stream ended: ${error.details ?? error.message}`)
  process.exitCode = 1
})
call.on('end', () => client.close())

for await (const line of createInterface({ input: process.stdin })) {
  const parts = line.trim().split(/\s+/).filter(Boolean)
  if (parts.length === 0) continue
  const [timestampMs, bpm] = parts.length === 1 ? [Date.now(), Number(parts[0])] : [Number(parts[0]), Number(parts[1])]
  call.write({ timestampMs, bpm })
}
call.end()
