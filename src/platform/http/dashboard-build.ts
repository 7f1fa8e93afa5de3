import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { DASHBOARD_DIR } from './dashboard.js'

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Builds the dashboard when `serve` starts without one (npm install builds it through `prepare`;
 * this covers an install that skipped scripts). Needs Vite, a dev dependency; without it the server
 * starts anyway and `/` says how to build. Returns whether a build is there afterwards.
 */
export function ensureDashboardBuilt(logger: Logger): boolean {
  if (existsSync(join(DASHBOARD_DIR, 'index.html'))) return true
  const vite = join(PACKAGE_ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  if (!existsSync(vite) || !existsSync(join(PACKAGE_ROOT, 'web', 'vite.config.ts'))) {
    logger.warn('the dashboard is not built and Vite is not installed: run `npm install` then `npm run build:web`')
    return false
  }
  logger.info('building the dashboard (first start)')
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts'], {
    cwd: PACKAGE_ROOT,
    stdio: 'inherit',
  })
  if (result.status !== 0)
    logger.warn({ status: result.status }, 'building the dashboard failed; the API serves without it')
  return existsSync(join(DASHBOARD_DIR, 'index.html'))
}
