// Time from spawning `pulsebase serve` (fresh SQLite data dir: migrations included) to the first
// 200 from /readyz, and the idle server's resident memory a few seconds later. Median of 5 starts.
// Also the CPU the server used until it was ready: on a busy machine the wall time is mostly
// waiting for a core, while the CPU seconds stay comparable between runs (no target of their own).
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { percentile, sleep, sortedCopy } from './lib/stats.js'

const STARTS = 5
const IDLE_SETTLE_MS = 3000

/** Resident set size of a process, from /proc (Linux), in MB. */
function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? undefined : Number(kb) / 1024
  } catch {
    return undefined
  }
}

export async function runStartup(options: BenchOptions): Promise<BenchReport> {
  const times: number[] = []
  const cpu: number[] = []
  const idle: number[] = []
  for (let i = 0; i < STARTS; i += 1) {
    const start = performance.now()
    const server = await startServer({ cpuProfDir: options.cpuProfDir })
    times.push(performance.now() - start)
    const cpuSeconds = server.cpuSeconds()
    if (cpuSeconds !== undefined) cpu.push(cpuSeconds * 1000)
    await sleep(IDLE_SETTLE_MS)
    const rss = rssMb(server.pid)
    if (rss !== undefined) idle.push(rss)
    await server.stop()
  }
  const p50 = percentile(sortedCopy(times), 50)
  const rss = idle.length > 0 ? percentile(sortedCopy(idle), 50) : Number.NaN
  const cpuMs = cpu.length > 0 ? percentile(sortedCopy(cpu), 50) : Number.NaN
  console.log(
    `startup: ${p50.toFixed(0)} ms to /readyz (median of ${STARTS}: ${times.map((t) => t.toFixed(0)).join(', ')}) (target < 3,000 ms); server CPU to ready ${cpuMs.toFixed(0)} ms; idle RSS ${rss.toFixed(0)} MB (target < 120 MB)`,
  )
  return {
    bench: 'startup',
    figures: [
      { label: 'spawn to /readyz 200, median', value: p50, unit: 'ms', target: { op: '<', value: 3000 } },
      { label: 'server CPU until ready, median', value: cpuMs, unit: 'ms' },
      { label: 'idle RSS after start', value: rss, unit: 'MB', target: { op: '<', value: 120 } },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(() => runStartup(benchOptions()))
