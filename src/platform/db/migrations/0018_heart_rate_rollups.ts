import { type Kysely, sql, SqliteAdapter } from 'kysely'

// Rollups (issue 15): per stream, 1-minute and 1-hour aggregates of bpm, kept in the transaction
// that stores the samples (see heart-rate.repository.ts). `bucket_ms` is 60,000 or 3,600,000;
// `bucket_start` is epoch ms, a whole multiple of it. Long-range series read these, not the samples.
export async function up(db: Kysely<unknown>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter
  await sql`create table heart_rate_rollups (
    stream_id integer not null,
    bucket_ms integer not null,
    bucket_start bigint not null,
    sample_count integer not null,
    bpm_sum double precision not null,
    bpm_min double precision not null,
    bpm_max double precision not null,
    constraint heart_rate_rollups_pk primary key (stream_id, bucket_ms, bucket_start),
    constraint heart_rate_rollups_stream_fk foreign key (stream_id) references heart_rate_streams(id) on delete cascade
  )${isSqlite ? sql` without rowid` : sql``}`.execute(db)
  for (const size of [60_000, 3_600_000]) {
    await sql`insert into heart_rate_rollups (stream_id, bucket_ms, bucket_start, sample_count, bpm_sum, bpm_min, bpm_max)
      select stream_id, ${sql.lit(size)}, ts - ts % ${sql.lit(size)}, count(*), sum(bpm), min(bpm), max(bpm)
      from heart_rate_samples group by stream_id, ts - ts % ${sql.lit(size)}`.execute(db)
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heart_rate_rollups').execute()
}
