// The CSI seed (Flask 1.1, Python 3) wrote its bodies with Python's own formatting; clients compare
// text, so these reproduce it: repr() of floats, json.dumps' default separators, and Flask's
// jsonify (sorted keys, compact, a trailing newline).

/** Python's repr() of a float: `45.0`, `0.25`, `1e-05`, `1.5e+16` (shortest digits that read back, like JS). */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 16)
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  const text = String(value)
  return /[.e]/.test(text) ? text : `${text}.0`
}

/** A value as Python's json.dumps writes it: `", "` and `": "` separators, non-ASCII escaped, floats as repr, ints as ints. */
export function pyJsonDumps(value: unknown, floats = false): string {
  if (value === null) return 'null'
  if (typeof value === 'number')
    return floats ? pyFloat(value) : Number.isInteger(value) ? String(value) : pyFloat(value)
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, floats)).join(', ')}]`
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v, floats)}`)
    .join(', ')}}`
}

/** Flask 1.1's jsonify: keys sorted, `,` and `:` separators, a newline at the end. With `asFloats` every number is a Python float (`45.0`). */
export function flaskJsonify(value: unknown, asFloats = true): string {
  const write = (v: unknown): string => {
    if (v === null || typeof v !== 'object')
      return typeof v === 'number' ? (asFloats || !Number.isInteger(v) ? pyFloat(v) : String(v)) : JSON.stringify(v)
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return `${write(value)}\n`
}

/** The seed's `/debug/get/time`: `M-D-YYYY H:M:S` in local time, nothing zero-padded. */
export function seedTime(date: Date): string {
  return `${date.getMonth() + 1}-${date.getDate()}-${date.getFullYear()} ${date.getHours()}:${date.getMinutes()}:${date.getSeconds()}`
}
