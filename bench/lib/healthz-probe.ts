import { performance } from 'node:perf_hooks'
import { percentile, sortedCopy } from './stats.js'

/**
 * `GET /healthz` at `rate` requests a second for `durationMs`, open loop: each request leaves at its
 * scheduled time whatever earlier ones are doing, and its latency counts from that time (no
 * coordinated omission). Resolves with the p50 and p99 in ms; throws on any status but 200.
 */
export async function probeHealthz(
  base: string,
  durationMs: number,
  rate: number,
): Promise<{ p50: number; p99: number; count: number }> {
  const latencies: number[] = []
  const pending: Promise<void>[] = []
  const start = performance.now()
  const end = start + durationMs
  for (let next = start; next < end; next += 1000 / rate) {
    const wait = next - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const scheduled = next
    pending.push(
      fetch(`${base}/healthz`).then(async (r) => {
        await r.arrayBuffer()
        if (r.status !== 200) throw new Error(`/healthz ${r.status}`)
        latencies.push(performance.now() - scheduled)
      }),
    )
  }
  await Promise.all(pending)
  const sorted = sortedCopy(latencies)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length }
}
