import { resolveJwtSecret } from '../../config.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { registerDlpCompatHttp } from './dlp.http.js'
import { registerDlpSockets } from './dlp.socket.js'
import { createLinkSigner } from './signed-links.js'

/** `PULSEBASE_COMPAT=dlp`: the Deep Learning Playground's REST routes (CONTRACTS §5A) and 2022 Socket.IO events (§5B) on the playground domain. */
export function dlpCompatModule(platform: AuthedPlatform, playground: PlaygroundModule): Module {
  const { compat } = platform.config
  // `GET /test` belongs to the adapter listed first among those that claim it (m2m before dlp keeps it).
  const isTestPathTaken = compat.includes('m2m') && compat.indexOf('m2m') < compat.indexOf('dlp')
  // The links standing in for S3's presigned URLs, signed with a key derived from the JWT secret.
  const links = createLinkSigner(resolveJwtSecret(platform.config), platform.now)
  return {
    name: 'compat:dlp',
    // On its own port (PULSEBASE_COMPAT_PORTS) the adapter has all its paths, GET /test included.
    http: (server, where) =>
      registerDlpCompatHttp(server, {
        playground,
        links,
        authenticate: platform.authenticate,
        isTestPathTaken: isTestPathTaken && where?.isOwnPort !== true,
      }),
    sockets: (sockets) =>
      registerDlpSockets(sockets, {
        playground,
        pubsub: platform.pubsub,
        authenticate: platform.authenticate,
        logger: platform.logger.child({ module: 'compat-dlp' }),
      }),
  }
}
