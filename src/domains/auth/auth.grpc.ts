import { type GrpcServer, loadProto, serviceFrom, unary } from '../../platform/grpc/grpc-server.js'
import { principalFrom } from '../../platform/grpc/grpc-auth.js'
import type { WhoAmIRequest__Output as WhoAmIRequest } from '../../generated/proto/pulsebase/v1/WhoAmIRequest.js'
import type { WhoAmIResponse } from '../../generated/proto/pulsebase/v1/WhoAmIResponse.js'
import type { Authenticate } from '../../platform/auth/principal.js'

/** `pulsebase.v1.Account`: the account behind the call's credential (`deviceId` is '' for a person's token). */
export function registerAccountGrpc(server: GrpcServer, authenticate: Authenticate): void {
  const service = serviceFrom(loadProto('pulsebase/v1/account.proto'), 'pulsebase.v1.Account')
  server.addService(service, {
    WhoAmI: unary<WhoAmIRequest, WhoAmIResponse>(async (_request, ctx) => {
      const principal = await principalFrom(ctx, authenticate)
      return { userId: principal.userId, role: principal.role, deviceId: principal.deviceId ?? '' }
    }),
  })
}
