// The RR intervals of a user's samples, in (time, device) order, for HRV: only the time and the
// intervals of each sample are read, packed into arrays a page at a time, with no object per row.
// On SQLite a page is one row: SQLite concatenates the page's `ts` and `rr_intervals` texts itself
// and the text is parsed here in one pass (on a reader thread an object per row and a JSON.parse
// per row were most of a day's HRV), and so does PostgreSQL (string_agg); MariaDB's rows are packed here.
import { CompiledQuery, type Kysely, type Transaction } from 'kysely'
import { readDatabaseKind } from '../../platform/db/database.js'
import type { Database } from '../../platform/db/schema.js'
import { listStreamPage, parseRr, type TimeRange } from './heart-rate.repository.js'
import { findStreams, type Stream } from './sample-streams.js'

type Db = Kysely<Database> | Transaction<Database>

/** Sees one sample: its epoch ms and its RR intervals, `values[start]` to `values[end - 1]` (ms; none when start === end). */
export type RrVisitor = (ts: number, values: readonly number[], start: number, end: number) => void

/** One stream's samples of a page, packed: sample i is `ts[i]` with the intervals `values[ends[i - 1] ?? 0 .. ends[i])`. */
interface PackedPage {
  readonly count: number
  readonly ts: Float64Array
  readonly ends: Uint32Array
  readonly values: number[]
}

// The page's samples as `ts[rr]ts[rr]...` (a null rr as []), with their count and last ts. SQLite
// hands the aggregate the subquery's rows in its order, but promises no order without the
// aggregate's own ORDER BY, which sorts again and doubles the statement's time: the page is read
// without it, checked (ts rises strictly within a stream), and read again with it if ever not.
const SQLITE_PAGE = (lower: '>=' | '>', isSorted: boolean) => `select count(*) as count, max(ts) as last,
  group_concat(ts || coalesce(rr_intervals, '[]'), ''${isSorted ? ' order by ts' : ''}) as text
  from (select ts, rr_intervals from heart_rate_samples
    where stream_id = ? and ts ${lower} ? and ts < ? order by ts limit ?)`

// PostgreSQL builds the same text with string_agg, in order by its own ORDER BY (a sort of one page),
// so the driver turns one row into a string instead of a page of rows into objects. MariaDB would
// need group_concat, which cuts its answer at group_concat_max_len (1 MB by default) without an
// error: there the page's rows are read as they are.
const POSTGRES_PAGE = (lower: '>=' | '>') => `select count(*) as count, max(ts) as last,
  string_agg(ts::text || coalesce(rr_intervals, '[]'), '' order by ts) as text
  from (select ts, rr_intervals from heart_rate_samples
    where stream_id = $1 and ts ${lower} $2 and ts < $3 order by ts limit $4) as page`

function isRising(ts: Float64Array): boolean {
  for (let i = 1; i < ts.length; i++) if (!((ts[i - 1] as number) < (ts[i] as number))) return false
  return true
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

/** A JSON number from `text[start, end)`: digits alone (at most 15, so exact) summed here, anything else as JSON.parse reads it. */
function readNumber(text: string, start: number, end: number): number {
  if (end - start > 15) return Number(text.slice(start, end))
  let value = 0
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return Number(text.slice(start, end))
    value = value * 10 + digit
  }
  return start === end ? Number.NaN : value
}

/** Parses the `ts[rr]...` text of `count` samples (see SQLITE_PAGE); each rr is a JSON array of numbers. */
export function parsePackedText(text: string, count: number): PackedPage {
  const ts = new Float64Array(count)
  const ends = new Uint32Array(count)
  const values: number[] = []
  let i = 0
  for (let n = 0; n < count; n++) {
    const open = text.indexOf('[', i)
    if (open < 0) throw new Error(`RR page text ends after ${n} of ${count} samples`)
    ts[n] = readNumber(text, i, open)
    i = open + 1
    while (isSpace(text.charCodeAt(i))) i++
    if (text.charCodeAt(i) === 93) i++
    else {
      for (;;) {
        let j = i
        let c = text.charCodeAt(j)
        while (c !== 44 && c !== 93 && j < text.length) c = text.charCodeAt(++j)
        let [start, end] = [i, j]
        while (start < end && isSpace(text.charCodeAt(start))) start++
        while (end > start && isSpace(text.charCodeAt(end - 1))) end--
        values.push(readNumber(text, start, end))
        i = j + 1
        if (c !== 44) break
      }
    }
    ends[n] = values.length
  }
  return { count, ts, ends, values }
}

/** One stream's next page after `after` (exclusive) or from `range.from`. */
async function readPackedPage(
  db: Db,
  stream: Stream,
  range: TimeRange,
  limit: number,
  after: number | undefined,
): Promise<PackedPage & { last: number | undefined }> {
  const kind = readDatabaseKind(db)
  if (kind === 'postgres') {
    const [lower, from] = after === undefined ? (['>=', range.from] as const) : (['>', after] as const)
    const query = CompiledQuery.raw(POSTGRES_PAGE(lower), [stream.id, from, range.to, limit])
    const row = (await db.executeQuery<{ count: string; last: string | null; text: string | null }>(query)).rows[0]
    const count = Number(row?.count ?? 0)
    if (count === 0 || row?.text == null) return { ...parsePackedText('', 0), last: undefined }
    return { ...parsePackedText(row.text, count), last: Number(row.last) }
  }
  if (kind === 'sqlite') {
    const [lower, from] = after === undefined ? (['>=', range.from] as const) : (['>', after] as const)
    for (const isSorted of [false, true]) {
      const query = CompiledQuery.raw(SQLITE_PAGE(lower, isSorted), [stream.id, from, range.to, limit])
      const row = (await db.executeQuery<{ count: number; last: number | null; text: string | null }>(query)).rows[0]
      const count = Number(row?.count ?? 0)
      if (count === 0 || row?.text == null) return { ...parsePackedText('', 0), last: undefined }
      const page = parsePackedText(row.text, count)
      if (isSorted || isRising(page.ts)) return { ...page, last: Number(row.last) }
    }
  }
  const from = after === undefined ? undefined : { ts: after, deviceId: stream.deviceId }
  const rows = await listStreamPage(db, stream, range, limit, from)
  const [ts, ends, values] = [new Float64Array(rows.length), new Uint32Array(rows.length), [] as number[]]
  rows.forEach((row, n) => {
    ts[n] = Number(row.ts)
    for (const value of parseRr(row.rr_intervals) ?? []) values.push(value)
    ends[n] = values.length
  })
  return { count: rows.length, ts, ends, values, last: rows.length === 0 ? undefined : ts[rows.length - 1] }
}

/** A stream read page by page, with its next sample at `index` of `page`. */
class StreamCursor {
  private page: PackedPage = parsePackedText('', 0)
  private index = 0
  private isLast = false
  private after: number | undefined

  constructor(
    private readonly db: Db,
    private readonly stream: Stream,
    private readonly range: TimeRange,
    private readonly pageSize: number,
  ) {}

  /** Whether a sample of the page read last is still at hand. */
  hasInPage(): boolean {
    return this.index < this.page.count
  }

  /** Whether a sample is at hand, reading the next page when this one is spent. */
  async hasNext(): Promise<boolean> {
    if (this.index < this.page.count) return true
    if (this.isLast) return false
    const page = await readPackedPage(this.db, this.stream, this.range, this.pageSize, this.after)
    this.isLast = page.count < this.pageSize
    this.after = page.last
    this.page = page
    this.index = 0
    return page.count > 0
  }

  /** The next sample's ts (call after `hasNext` answered true). */
  peekTs(): number {
    return this.page.ts[this.index] as number
  }

  /** Hands the next sample to `visit` and moves on. */
  visitNext(visit: RrVisitor): void {
    const { ts, ends, values } = this.page
    const i = this.index++
    visit(ts[i] as number, values, i === 0 ? 0 : (ends[i - 1] as number), ends[i] as number)
  }

  /** Hands on the rest of the page (the samples before the next read). */
  visitPage(visit: RrVisitor): void {
    while (this.index < this.page.count) this.visitNext(visit)
  }
}

/**
 * Visits the RR intervals of the user's samples in `range`, in (time, device) order like
 * `readSamplePages`, reading each stream `pageSize` samples at a time: memory holds one page per
 * stream, whatever the range. A sample stored without intervals is visited with none.
 */
export async function visitRrIntervals(
  db: Db,
  userId: string,
  range: TimeRange,
  pageSize: number,
  visit: RrVisitor,
): Promise<void> {
  const streams = (await findStreams(db, userId, range.deviceId)).sort((a, b) =>
    a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
  )
  const cursors = streams.map((stream) => new StreamCursor(db, stream, range, pageSize))
  if (cursors.length === 1) {
    const [only] = cursors as [StreamCursor]
    while (await only.hasNext()) only.visitPage(visit)
    return
  }
  let open = cursors
  for (;;) {
    const ready = await Promise.all(open.map((cursor) => cursor.hasNext()))
    open = open.filter((_, k) => ready[k])
    if (open.length === 0) return
    // The earliest head, the first stream (in device order) on a tie: until some cursor's page is spent.
    for (;;) {
      let next = open[0] as StreamCursor
      for (const cursor of open) if (cursor.peekTs() < next.peekTs()) next = cursor
      next.visitNext(visit)
      if (!next.hasInPage()) break
    }
  }
}
