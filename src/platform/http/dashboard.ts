import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import type { HttpServer } from './http-server.js'

/** Where `npm run build:web` writes the dashboard (web/dist at the package root). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url))

/**
 * The dashboard's Content-Security-Policy: only this origin's scripts, styles and connections (the
 * API and the Socket.IO websocket), no inline script or style element, no plugins, no framing.
 * `data:`/`blob:` images cover the empty favicon and chart exports.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Paths that are never a dashboard page: the API, and anything that looks like a file. */
function isPagePath(path: string): boolean {
  if (path === '/v1' || path.startsWith('/v1/')) return false
  const last = path.slice(path.lastIndexOf('/') + 1)
  return !last.includes('.')
}

function setPageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
}

/**
 * Serves the built dashboard at `/`: hashed files under `/assets/` cached for a year (immutable),
 * `index.html` revalidated every time, and `index.html` for any other page path a browser asks for
 * (the dashboard routes in the page). API paths, file-like paths and non-HTML requests keep the
 * JSON 404. Without a build, `/` says how to make one.
 */
export function registerDashboard(app: HttpServer, root: string = DASHBOARD_DIR): void {
  void app.register(async (scope: HttpServer) => {
    if (!existsSync(join(root, 'index.html'))) {
      scope.get('/', { schema: { hide: true } }, async () => {
        throw new AppError(
          'unavailable',
          'The dashboard has not been built: run `npm run build:web` (npm install does it), then restart',
        )
      })
      return
    }
    // Loaded here, not at the top: only a process that serves a built dashboard pays for it.
    const { default: fastifyStatic } = await import('@fastify/static')
    await scope.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      cacheControl: false, // set below: hashed names never change content
      // Also called for index.html (sent through the same plugin), which must be revalidated instead.
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : IMMUTABLE)
        reply.header('x-content-type-options', 'nosniff')
      },
    })
    const sendPage = (_request: FastifyRequest, reply: FastifyReply) =>
      setPageHeaders(reply).sendFile('index.html', root, { cacheControl: false })
    scope.get('/', { schema: { hide: true } }, sendPage)
    scope.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      const wantsHtml = request.headers.accept?.includes('text/html') === true
      if (!wantsHtml || !isPagePath(path)) return reply.callNotFound()
      return sendPage(request, reply)
    })
  })
}
