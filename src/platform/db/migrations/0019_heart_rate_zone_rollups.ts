import { type Kysely, sql, SqliteAdapter } from 'kysely'

// What zones over long ranges need beside the 0018 rollups (issue 15), per stream and hour:
// - heart_rate_hour_spans: the hour's first and last sample (time and bpm) and its longest interval
//   between consecutive samples (intervals that cross an hour are joined from these at read time);
// - heart_rate_zone_intervals: the intervals between consecutive samples inside the hour, grouped by
//   the sum of their two ends' bpm (zones place an interval by the mean of its ends): how many, and
//   their milliseconds. Kept in the transaction that stores or deletes the samples.
export async function up(db: Kysely<unknown>): Promise<void> {
  const withoutRowid = db.getExecutor().adapter instanceof SqliteAdapter ? sql` without rowid` : sql``
  await sql`create table heart_rate_hour_spans (
    stream_id integer not null,
    hour_start bigint not null,
    first_ts bigint not null,
    last_ts bigint not null,
    longest_interval_ms bigint not null,
    first_bpm double precision not null,
    last_bpm double precision not null,
    constraint heart_rate_hour_spans_pk primary key (stream_id, hour_start),
    constraint heart_rate_hour_spans_stream_fk foreign key (stream_id) references heart_rate_streams(id) on delete cascade
  )${withoutRowid}`.execute(db)
  await sql`create table heart_rate_zone_intervals (
    stream_id integer not null,
    hour_start bigint not null,
    bpm_pair double precision not null,
    interval_count integer not null,
    interval_ms bigint not null,
    constraint heart_rate_zone_intervals_pk primary key (stream_id, hour_start, bpm_pair),
    constraint heart_rate_zone_intervals_stream_fk foreign key (stream_id) references heart_rate_streams(id) on delete cascade
  )${withoutRowid}`.execute(db)
  // The samples stored before: intervals and spans of every stream's hours, as the repository rebuilds them.
  await sql`insert into heart_rate_zone_intervals (stream_id, hour_start, bpm_pair, interval_count, interval_ms)
    select stream_id, hour_start, bpm_pair, count(*), sum(dt) from (
      select stream_id, ts - ts % 3600000 as hour_start,
        bpm + lag(bpm) over (partition by stream_id, ts - ts % 3600000 order by ts) as bpm_pair,
        ts - lag(ts) over (partition by stream_id, ts - ts % 3600000 order by ts) as dt
      from heart_rate_samples) x
    where dt is not null group by stream_id, hour_start, bpm_pair`.execute(db)
  await sql`insert into heart_rate_hour_spans (stream_id, hour_start, first_ts, last_ts, longest_interval_ms, first_bpm, last_bpm)
    select h.stream_id, h.hour_start, h.first_ts, h.last_ts, h.longest, f.bpm, l.bpm from (
      select stream_id, hour_start, min(ts) as first_ts, max(ts) as last_ts, coalesce(max(dt), 0) as longest from (
        select stream_id, ts, ts - ts % 3600000 as hour_start, ts - lag(ts) over (partition by stream_id, ts - ts % 3600000 order by ts) as dt
        from heart_rate_samples) y
      group by stream_id, hour_start) h
    join heart_rate_samples f on f.stream_id = h.stream_id and f.ts = h.first_ts
    join heart_rate_samples l on l.stream_id = h.stream_id and l.ts = h.last_ts`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heart_rate_zone_intervals').execute()
  await db.schema.dropTable('heart_rate_hour_spans').execute()
}
