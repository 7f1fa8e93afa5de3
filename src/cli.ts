// Command-line parsing: one strict `node:util parseArgs` per subcommand, help per subcommand, and
// misuse reported with its reason (exit code 2) instead of a stack trace.
import { parseArgs } from 'node:util'

type OptionSpec = {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly description: string
  readonly default?: string
}

/** One subcommand: what it does, its options, and how many positional words it takes. */
export interface CommandSpec {
  readonly summary: string
  /** The positional words after the command name, e.g. `create`; empty when it takes none. */
  readonly positionals?: readonly string[]
  readonly options?: Readonly<Record<string, OptionSpec>>
}

/** The command line was misused: `message` says why, `usage` how to call it. Exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface ParsedCommand {
  readonly values: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
  readonly isHelp: boolean
}

/** `pulsebase <name> …` with one line per option, as printed by `--help` and after a misuse. */
export function commandUsage(name: string, spec: CommandSpec): string {
  const options = Object.entries(spec.options ?? {})
  const synopsis = [
    `pulsebase ${name}`,
    ...(spec.positionals ?? []),
    ...options.map(([o, s]) => (s.type === 'boolean' ? `[--${o}]` : `[--${o} ${o.toUpperCase()}]`)),
  ].join(' ')
  const lines = options.map(
    ([o, s]) =>
      `  --${o}${s.type === 'string' ? ` ${o.toUpperCase()}` : ''}`.padEnd(24) +
      s.description +
      (s.default === undefined ? '' : ` (default ${s.default})`),
  )
  return [
    `usage: ${synopsis}`,
    '',
    spec.summary,
    ...(lines.length > 0 ? ['', 'options:', ...lines] : []),
    '  --help'.padEnd(24) + 'show this help',
  ].join('\n')
}

/** Node's parseArgs messages, shortened to what a person needs. */
function shortReason(error: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1]
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option.split(' ')[0]}`
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option)
    return `option ${option.split(' ')[0]} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}`
  return error.message
}

/** Parses a subcommand's arguments strictly; throws UsageError naming the unknown option, missing value or extra word. */
export function parseCommand(name: string, spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const usage = commandUsage(name, spec)
  const options = {
    ...Object.fromEntries(
      Object.entries(spec.options ?? {}).map(([o, s]) => [
        o,
        s.short === undefined ? { type: s.type } : { type: s.type, short: s.short },
      ]),
    ),
    help: { type: 'boolean' as const, short: 'h' },
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true })
  } catch (error) {
    throw new UsageError(shortReason(error as Error & { code?: string }), usage)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  if (values.help === true) return { values, positionals: parsed.positionals, isHelp: true }
  const expected = spec.positionals ?? []
  if (parsed.positionals.length > expected.length)
    throw new UsageError(`unexpected argument "${parsed.positionals[expected.length]}"`, usage)
  for (const [i, word] of expected.entries()) {
    if (parsed.positionals[i] !== word)
      throw new UsageError(
        `expected "${word}"${parsed.positionals[i] === undefined ? '' : `, got "${parsed.positionals[i]}"`}`,
        usage,
      )
  }
  for (const [option, spec_] of Object.entries(spec.options ?? {})) values[option] ??= spec_.default
  return { values, positionals: parsed.positionals, isHelp: false }
}

/** The value of `--name` as a whole number ≥ `min`; throws UsageError with the value it got. */
export function wholeNumberOption(parsed: ParsedCommand, name: string, min: number, usage: string): number {
  const raw = parsed.values[name]
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min} (got ${JSON.stringify(raw)})`, usage)
  return value
}

/** The value of a string option that must be present; throws UsageError when it is missing. */
export function requiredOption(parsed: ParsedCommand, name: string, usage: string): string {
  const value = parsed.values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`, usage)
  return value
}
