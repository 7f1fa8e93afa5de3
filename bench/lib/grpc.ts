import { type ChannelOptions, credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js'
import type { ProtoGrpcType } from '../../src/generated/proto/heart_rate.js'
import type { HeartRateClient } from '../../src/generated/proto/pulsebase/v1/HeartRate.js'
import { loadProto } from '../../src/platform/grpc/grpc-server.js'

export type { HeartRateClient }

let loaded: ProtoGrpcType | undefined

/** The pulsebase.v1.HeartRate definition, decoded exactly as the server decodes it. */
export function heartRateDefinition() {
  return loadProto('pulsebase/v1/heart_rate.proto')
}

/**
 * A client for pulsebase.v1.HeartRate. grpc-js shares one connection between clients of the same
 * target and options; `isOwnConnection` gives this client a connection of its own, like a separate device.
 */
export function heartRateClient(address: string, isOwnConnection = false): HeartRateClient {
  loaded ??= loadPackageDefinition(heartRateDefinition()) as unknown as ProtoGrpcType
  const options: ChannelOptions = isOwnConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}
  return new loaded.pulsebase.v1.HeartRate(address, credentials.createInsecure(), options)
}

export function bearer(apiKey: string): Metadata {
  const metadata = new Metadata()
  metadata.set('authorization', `Bearer ${apiKey}`)
  return metadata
}

/** Resolves once the client's channel is connected; rejects after `timeoutMs`. */
export function connected(client: HeartRateClient, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
  )
}
