import {
  type Deadline,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  ServerInterceptingCall,
  status,
} from '@grpc/grpc-js'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import { statusName } from './grpc-errors.js'
import type { MethodType } from './grpc-handlers.js'

export function methodType(
  method: Pick<ServerMethodDefinition<unknown, unknown>, 'requestStream' | 'responseStream'>,
): MethodType {
  if (method.requestStream) return method.responseStream ? 'bidi_stream' : 'client_stream'
  return method.responseStream ? 'server_stream' : 'unary'
}

// grpc-js sends DEADLINE_EXCEEDED itself, past the interceptors, so we only see the call end; its
// deadline timer can fire a millisecond before Date.now() reaches the deadline, hence the slack.
const DEADLINE_SLACK_MS = 10

function endedByClient(deadline: Deadline): status {
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(deadlineMs) && deadlineMs - Date.now() <= DEADLINE_SLACK_MS
    ? status.DEADLINE_EXCEEDED
    : status.CANCELLED
}

/**
 * Records every call the server answers (ours, the health service, and the statuses grpc-js
 * sends by itself) at the one point each call ends: its status, or the client leaving.
 * `grpc_method` is `package.Service/Method`, so equal method names in two services stay apart.
 */
export function metricsInterceptor(metrics: Metrics, logger: Logger): ServerInterceptor {
  return (descriptor: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const grpcMethod = descriptor.path.replace(/^\//, '')
    const type = methodType(descriptor)
    const isStream = type !== 'unary'
    const endTimer = metrics.grpcDuration.startTimer({ grpc_method: grpcMethod, grpc_type: type })
    if (isStream) metrics.grpcActiveStreams.inc()
    let isFinished = false
    const finish = (code: status) => {
      if (isFinished) return
      isFinished = true
      const seconds = endTimer()
      if (isStream) metrics.grpcActiveStreams.dec()
      metrics.grpcHandled.inc({ grpc_method: grpcMethod, grpc_type: type, grpc_code: statusName(code) })
      logger.debug({ grpcMethod, code: statusName(code), ms: Math.round(seconds * 1000) }, 'grpc call')
    }
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(endedByClient(call.getDeadline())) }),
      sendStatus: (sent, next) => {
        finish(sent.code ?? status.UNKNOWN)
        next(sent)
      },
    })
  }
}
