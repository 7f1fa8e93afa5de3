// The peer for bench/grpc-unary.ts: a bare grpc-js server of the same pulsebase.v1.HeartRate
// service whose Submit answers a constant STORED verdict, with no auth, checks or storage.
// Prints `listening <port>` once bound; exits on SIGTERM.
import { type sendUnaryData, Server, ServerCredentials, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Sample__Output } from '../src/generated/proto/pulsebase/v1/Sample.js'
import type { Verdict } from '../src/generated/proto/pulsebase/v1/Verdict.js'
import { serviceFrom } from '../src/platform/grpc/grpc-server.js'
import { heartRateDefinition } from './lib/grpc.js'

const server = new Server()
// Methods left out answer UNIMPLEMENTED (grpc-js fills them in).
server.addService(serviceFrom(heartRateDefinition(), 'pulsebase.v1.HeartRate'), {
  Submit(call: ServerUnaryCall<Sample__Output, Verdict>, callback: sendUnaryData<Verdict>) {
    callback(null, {
      status: 'STORED',
      alert: 'ALERT_KIND_NONE',
      alreadyStored: false,
      reason: '',
      message: '',
      timestampMs: call.request.timestampMs,
    })
  },
})
server.bindAsync(`127.0.0.1:${process.argv[2] ?? '0'}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error)
    process.exit(1)
  }
  console.log(`listening ${port}`)
})
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)))
