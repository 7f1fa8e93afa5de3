import { availableParallelism } from 'node:os'
import { cpuPercent, machineCpuSeconds } from './stats.js'

/** Wall-clock window (Date.now() ms) of one measurement: load starts, warms up, then is counted. */
export interface Window {
  readonly start: number
  readonly measureFrom: number
  readonly measureTo: number
}

export function windowFrom(start: number, warmupMs: number, durationMs: number): Window {
  return { start, measureFrom: start + warmupMs, measureTo: start + warmupMs + durationMs }
}

export const isInWindow = (window: Window, at: number): boolean => at >= window.measureFrom && at < window.measureTo

/** Waits until `Date.now()` reaches `at`. */
export function until(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))
}

/** Reads a process's CPU seconds at the edges of a window; `percent()` is its busy share of one core. */
export function cpuMeter(read: () => number | undefined) {
  let from: number | undefined
  let to: number | undefined
  let wallMs = Number.NaN
  return {
    watch(window: Window): void {
      wallMs = window.measureTo - window.measureFrom
      setTimeout(() => (from = read()), Math.max(0, window.measureFrom - Date.now()))
      setTimeout(() => (to = read()), Math.max(0, window.measureTo - Date.now()))
    },
    percent: (): number => cpuPercent(from, to, wallMs),
  }
}

/** CPU of the server, this process, the load children and everything else over a window, in percent of one core. */
export function windowCpu(serverSeconds: () => number | undefined) {
  const machine = cpuMeter(machineCpuSeconds)
  const self = cpuMeter(selfCpuSeconds)
  const server = cpuMeter(serverSeconds)
  return {
    watch(window: Window): void {
      for (const meter of [machine, self, server]) meter.watch(window)
    },
    /** e.g. `CPU: server 98%, bench process 12%, client processes 80%, rest of machine 4% (2 cores = 200%)`. */
    describe(clientPercents: readonly number[] = []): string {
      const [ours, bench] = [server.percent(), self.percent()]
      const clients =
        clientPercents.length === 0
          ? ''
          : `, client processes ${clientPercents.map((p) => `${Math.round(p)}%`).join(' + ')}`
      // Readings 10 ms apart at 100 ticks/s: a few percent either way is noise, so never below 0.
      const rest = Math.max(0, machine.percent() - ours - bench - clientPercents.reduce((sum, p) => sum + p, 0))
      const cores = availableParallelism()
      return `CPU: server ${Math.round(ours)}%, bench process ${Math.round(bench)}%${clients}, rest of machine ${Math.round(rest)}% (${cores} cores = ${cores * 100}%)`
    },
  }
}

function selfCpuSeconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/**
 * Other work on the machine (tests, builds) skews every figure. Waits until one second passes
 * in which the machine is busy less than `limitPercent` of one core beyond `ownPercent`, for at
 * most `maxWaitMs`; warns when it never comes.
 */
export async function awaitQuietMachine(maxWaitMs: number, limitPercent = 30): Promise<void> {
  const deadline = Date.now() + maxWaitMs
  let busy: number
  do {
    const [machineFrom, selfFrom, started] = [machineCpuSeconds(), selfCpuSeconds(), Date.now()]
    await until(started + 1000)
    busy =
      cpuPercent(machineFrom, machineCpuSeconds(), Date.now() - started) -
      cpuPercent(selfFrom, selfCpuSeconds(), Date.now() - started)
    if (!(busy >= limitPercent)) return // NaN off Linux: nothing to wait for
  } while (Date.now() < deadline)
  console.warn(
    `  warning: the machine stayed busy (${Math.round(busy)}% of one core used by other processes); the figures below are skewed`,
  )
}
