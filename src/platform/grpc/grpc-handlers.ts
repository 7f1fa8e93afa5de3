import { type EventEmitter, once } from 'node:events'
import {
  type Deadline,
  type Metadata,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
} from '@grpc/grpc-js'
import type { CredentialWatch, EndReason } from '../auth/credential-watch.js'
import type { Principal } from '../auth/principal.js'
import { AppError } from '../../errors.js'
import type { Logger } from '../logging/logger.js'
import { assertStorable } from '../validation/input-checks.js'
import { type GrpcFailure, statusName, toGrpcFailure } from './grpc-errors.js'

/** The four gRPC call shapes; also the `grpc_type` metric label. */
export type MethodType = 'unary' | 'server_stream' | 'client_stream' | 'bidi_stream'

/** What a handler knows about its call besides the request. */
export interface CallContext {
  /** Request metadata, e.g. `authorization`. */
  readonly metadata: Metadata
  /** `/package.Service/Method`. */
  readonly path: string
  readonly peer: string
  readonly deadline: Deadline
  /** Aborted when the client cancels or the deadline passes; long-lived streams should watch it. */
  readonly signal: AbortSignal
  /** A child of the server logger bound to this method. */
  readonly logger: Logger
  /**
   * Ties the call to the credentials it authenticated with: when they end (token expiry, logout,
   * device revoked or deleted, on any process) the call ends with UNAUTHENTICATED and no further
   * request message is handled. `principalFrom` calls it.
   */
  holdCredentials(principal: Principal): void
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res> | Res
/** Yields the responses; an async generator is the natural shape. */
export type ServerStreamHandler<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<Res> | Iterable<Res>
export type ClientStreamHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res> | Res
export type BidiStreamHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  ctx: CallContext,
) => AsyncIterable<Res> | Iterable<Res>

/** A handler tagged with its call shape, so `addService` can check it against the proto at boot. */
export type GrpcMethod =
  | { readonly type: 'unary'; readonly handler: UnaryHandler<never, unknown> }
  | { readonly type: 'server_stream'; readonly handler: ServerStreamHandler<never, unknown> }
  | { readonly type: 'client_stream'; readonly handler: ClientStreamHandler<never, unknown> }
  | { readonly type: 'bidi_stream'; readonly handler: BidiStreamHandler<never, unknown> }

/** Method name (as in the proto, or its camelCase form) -> tagged handler. */
export type GrpcImplementation = Readonly<Record<string, GrpcMethod>>

export const unary = <Req, Res>(handler: UnaryHandler<Req, Res>): GrpcMethod => ({ type: 'unary', handler })
export const serverStream = <Req, Res>(handler: ServerStreamHandler<Req, Res>): GrpcMethod => ({
  type: 'server_stream',
  handler,
})
export const clientStream = <Req, Res>(handler: ClientStreamHandler<Req, Res>): GrpcMethod => ({
  type: 'client_stream',
  handler,
})
export const bidiStream = <Req, Res>(handler: BidiStreamHandler<Req, Res>): GrpcMethod => ({
  type: 'bidi_stream',
  handler,
})

export interface HandlerDeps {
  readonly logger: Logger
  readonly credentials?: CredentialWatch | undefined
}

type AnyServerCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>

interface CallScope {
  readonly ctx: CallContext
  /** Maps and logs a failure; returns the status to send, or undefined when the client has gone. */
  fail(error: unknown): GrpcFailure | undefined
  /** Throws `unauthenticated` once the call's credentials have ended. */
  assertCredentials(): void
  /** Stops watching credentials (the call is over). */
  finish(): void
}

const credentialsEnded = (reason: EndReason) =>
  new AppError('unauthenticated', `The call's credentials ended (${reason})`)

function logFailure(logger: Logger, failure: GrpcFailure, error: unknown): void {
  const code = statusName(failure.response.code)
  if (failure.errorCode === 'internal') logger.error({ err: error, code }, 'grpc call failed')
  else if (failure.errorCode === 'unavailable') logger.warn({ err: error, code }, 'grpc call failed')
  else logger.debug({ code, message: failure.response.details }, 'grpc call rejected')
}

// Metrics are not recorded here but in the server interceptor, which also sees the health
// service and the statuses grpc-js produces by itself (deadline, bad message, unimplemented).
const CANCELLED = new Error('The client cancelled the call or its deadline passed')

function startCall(
  deps: HandlerDeps,
  logger: Logger,
  path: string,
  call: AnyServerCall,
  isStream: boolean,
  onCredentialsEnd: (error: AppError) => void,
): CallScope {
  // grpc-js reports 'cancelled' after many calls that already finished, so the controller (and the
  // abort it would cost) is only made for a handler that reads `signal`, typically a stream.
  let controller: AbortController | undefined
  let isCancelled = false
  let ended: AppError | undefined
  const stops: Array<() => void> = []
  ;(call as EventEmitter).once('cancelled', () => {
    isCancelled = true
    controller?.abort(CANCELLED)
  })
  const ensureSignal = () => {
    if (controller === undefined) {
      controller = new AbortController()
      if (isCancelled) controller.abort(CANCELLED)
      else if (ended !== undefined) controller.abort(ended)
    }
    return controller.signal
  }
  const ctx: CallContext = {
    metadata: call.metadata,
    path,
    get peer() {
      return call.getPeer()
    },
    deadline: call.getDeadline(),
    get signal() {
      return ensureSignal()
    },
    logger,
    holdCredentials(principal) {
      // A unary call is over in a moment and may already have committed: only streams are cut short.
      if (deps.credentials === undefined || !isStream) return
      stops.push(
        deps.credentials.watch(principal, (reason) => {
          ended = credentialsEnded(reason)
          logger.debug({ reason }, 'grpc call ended with its credentials')
          ensureSignal()
          controller?.abort(ended)
          onCredentialsEnd(ended)
        }),
      )
    },
  }
  return {
    ctx,
    fail: (error) => {
      // A client that left makes the request stream fail with a premature close: not our error.
      if (isCancelled) return undefined
      const failure = toGrpcFailure(error)
      logFailure(logger, failure, error)
      return failure
    },
    assertCredentials: () => {
      if (ended !== undefined) throw ended
    },
    finish: () => stops.splice(0).forEach((stop) => stop()),
  }
}

/**
 * The request stream as an async iterable that leaves the call open when the loop ends: Node's
 * default iterator destroys the stream on return, which on a bidi call would also kill the
 * response side before the handler's last write and the status.
 */
function readRequests(
  call: ServerReadableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  scope: CallScope,
): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = call.iterator({ destroyOnReturn: false })
      return {
        next: async () => {
          scope.assertCredentials()
          const item = await iterator.next()
          // A message that arrives after the credentials ended is refused, never handled.
          scope.assertCredentials()
          if (item.done !== true) assertStorable(item.value, 'request', PROTO_INPUT)
          return item
        },
        return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
      }
    },
  }
}

/** The single request of a unary or server-streaming call, once it holds nothing unstorable (see assertStorable). */
function checkedRequest(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): unknown {
  assertStorable(call.request, 'request', PROTO_INPUT)
  return call.request
}

/** Proto numbers are typed, and domains judge them per item (a sample's verdict): only text and nesting are checked here. */
const PROTO_INPUT = { isCheckingNumbers: false } as const

const ABORTED = Symbol('aborted')

function whenAborted(signal: AbortSignal): Promise<typeof ABORTED> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(ABORTED)
    else signal.addEventListener('abort', () => resolve(ABORTED), { once: true })
  })
}

/** Writes every response with back-pressure; stops at once when the client goes away. */
async function writeAll(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  responses: AsyncIterable<unknown> | Iterable<unknown>,
  signal: AbortSignal,
): Promise<void> {
  const iterator = Symbol.asyncIterator in responses ? responses[Symbol.asyncIterator]() : responses[Symbol.iterator]()
  const aborted = whenAborted(signal)
  let isDone = false
  try {
    while (!signal.aborted) {
      const pending = Promise.resolve().then(() => iterator.next())
      pending.catch(() => undefined) // abandoned on abort; its late failure must not go unhandled
      const next = await Promise.race([pending, aborted])
      if (next === ABORTED) return
      if (next.done) {
        isDone = true
        return
      }
      if (!call.write(next.value)) await Promise.race([once(call, 'drain'), aborted])
    }
  } finally {
    // Runs the handler's `finally` (unsubscribe and the like) when we stop early.
    if (!isDone) Promise.resolve(iterator.return?.()).catch(() => undefined)
  }
}

/** Wraps a tagged handler into the grpc-js callback shape, with error mapping. */
export function wrapMethod(method: GrpcMethod, path: string, deps: HandlerDeps): UntypedHandleCall {
  const logger = deps.logger.child({ grpcMethod: path.replace(/^\//, '') })
  switch (method.type) {
    case 'unary':
    case 'client_stream': {
      const { type, handler } = method
      return (
        call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>,
        callback: sendUnaryData<unknown>,
      ) => {
        let isAnswered = false
        const answer: sendUnaryData<unknown> = (error, response) => {
          if (isAnswered) return
          isAnswered = true
          scope.finish()
          callback(error, response)
        }
        const scope = startCall(deps, logger, path, call, type === 'client_stream', (error) => {
          const failure = scope.fail(error)
          if (failure) answer(failure.response)
        })
        Promise.resolve()
          .then(() =>
            (handler as UnaryHandler<unknown, unknown>)(
              type === 'unary'
                ? checkedRequest(call as ServerUnaryCall<unknown, unknown>)
                : readRequests(call as ServerReadableStream<unknown, unknown>, scope),
              scope.ctx,
            ),
          )
          .then(
            (response) => {
              answer(null, response ?? {})
            },
            (error: unknown) => {
              const failure = scope.fail(error)
              if (failure) answer(failure.response)
              else scope.finish()
            },
          )
      }
    }
    case 'server_stream':
    case 'bidi_stream': {
      const { type, handler } = method
      return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
        let isClosed = false
        const close = (failure: GrpcFailure | undefined) => {
          if (isClosed) return
          isClosed = true
          scope.finish()
          if (failure) call.emit('error', failure.response)
          else if (!scope.ctx.signal.aborted) call.end()
        }
        const scope = startCall(deps, logger, path, call, true, (error) => close(scope.fail(error)))
        Promise.resolve()
          .then(() => {
            const input =
              type === 'server_stream'
                ? checkedRequest(call as ServerWritableStream<unknown, unknown>)
                : readRequests(call as ServerDuplexStream<unknown, unknown>, scope)
            return writeAll(
              call,
              (handler as ServerStreamHandler<unknown, unknown>)(input, scope.ctx),
              scope.ctx.signal,
            )
          })
          .then(
            () => close(undefined),
            (error: unknown) => {
              const failure = scope.fail(error)
              if (failure) close(failure)
              else {
                isClosed = true
                scope.finish()
              }
            },
          )
      }
    }
  }
}
