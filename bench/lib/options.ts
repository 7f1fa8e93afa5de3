import { availableParallelism } from 'node:os'

function seconds(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number of seconds (got ${raw})`)
  return value
}

function count(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${raw})`)
  return value
}

export interface BenchOptions {
  readonly warmupMs: number
  readonly durationMs: number
  /** Load-generator processes for the gRPC benches. */
  readonly grpcClients: number
  /** When set, the pulsebase server and the load-generator children write V8 CPU profiles here on exit. */
  readonly cpuProfDir: string | undefined
  readonly cpus: number
  /** How long to wait for other processes to leave the CPUs alone before each measurement; 0 skips the wait. */
  readonly quietWaitMs: number
}

/** Knobs for every bench, read once from BENCH_* variables. */
export function benchOptions(): BenchOptions {
  const cpus = availableParallelism()
  return {
    warmupMs: seconds('BENCH_WARMUP_S', 2) * 1000,
    durationMs: seconds('BENCH_DURATION_S', 10) * 1000,
    grpcClients: count('BENCH_GRPC_CLIENTS', Math.max(1, cpus - 1)),
    cpuProfDir: process.env.BENCH_CPU_PROF || undefined,
    cpus,
    quietWaitMs: process.env.BENCH_QUIET_WAIT_S === '0' ? 0 : seconds('BENCH_QUIET_WAIT_S', 120) * 1000,
  }
}
