import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { createRequire } from 'node:module'
import { loadProto } from '../../src/platform/grpc/grpc-server.js'

const require = createRequire(import.meta.url)

type Callback = (error: ServiceError | null, response: any) => void
type UnaryClient = Record<string, (request: unknown, metadata: Metadata, callback: Callback) => void> & {
  close(): void
}

function construct(definition: object, fullName: string, address: string): UnaryClient {
  const ctor = fullName.split('.').reduce((node: any, part) => node[part], loadPackageDefinition(definition as never))
  return new ctor(address, credentials.createInsecure())
}

function call(client: UnaryClient, method: string, request: unknown, credential?: string): Promise<any> {
  const metadata = new Metadata()
  if (credential !== undefined) metadata.set('authorization', credential)
  return new Promise((resolve, reject) => {
    client[method]!(request, metadata, (error, response) => (error ? reject(error) : resolve(response)))
  })
}

/** A real grpc-js client for pulsebase's health and account services; close it when done. */
export function createClient(address: string) {
  const healthProto = loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), { enums: String })
  const health = construct(healthProto, 'grpc.health.v1.Health', address)
  const account = construct(loadProto('pulsebase/v1/account.proto'), 'pulsebase.v1.Account', address)
  return {
    check: (service = '') => call(health, 'Check', { service }),
    whoAmI: (credential?: string) => call(account, 'WhoAmI', {}, credential),
    close: () => {
      health.close()
      account.close()
    },
  }
}
