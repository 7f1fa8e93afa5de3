import { type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely'

// Compact heart-rate storage (issue 15). A (user, device) pair becomes a stream with an integer
// key, and a sample row is (stream_id, ts, bpm, rr_intervals, alert) clustered on (stream_id, ts):
// no 36-character user id repeated per row and per index, no second index. On SQLite the table is
// WITHOUT ROWID, so the primary key is the table (the key is stored once); InnoDB clusters on the
// primary key anyway; PostgreSQL keeps a heap plus the (stream_id, ts) index, 4 + 8 bytes a row.
// Reads across a user's devices merge the streams' ranges in the repository.
function readEngine(db: Kysely<unknown>): 'sqlite' | 'postgres' | 'mysql' {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof MysqlAdapter) return 'mysql'
  return 'sqlite'
}

const STREAM_KEY = {
  sqlite: sql`integer primary key`,
  postgres: sql`serial primary key`,
  mysql: sql`integer auto_increment primary key`,
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const engine = readEngine(db)
  await sql`create table heart_rate_streams (
    id ${STREAM_KEY[engine]},
    user_id varchar(36) not null,
    device_id varchar(36) not null,
    constraint heart_rate_streams_user_device_uq unique (user_id, device_id),
    constraint heart_rate_streams_user_fk foreign key (user_id) references users(id) on delete cascade
  )`.execute(db)
  await sql`insert into heart_rate_streams (user_id, device_id) select distinct user_id, device_id from heart_rate_samples order by user_id, device_id`.execute(
    db,
  )
  await sql`alter table heart_rate_samples rename to heart_rate_samples_0003`.execute(db)
  await sql`create table heart_rate_samples (
    stream_id integer not null,
    ts bigint not null,
    bpm double precision not null,
    rr_intervals text,
    alert varchar(4),
    constraint heart_rate_samples_stream_ts_pk primary key (stream_id, ts),
    constraint heart_rate_samples_stream_fk foreign key (stream_id) references heart_rate_streams(id) on delete cascade
  )${engine === 'sqlite' ? sql` without rowid` : sql``}`.execute(db)
  await sql`insert into heart_rate_samples (stream_id, ts, bpm, rr_intervals, alert)
    select s.id, o.ts, o.bpm, o.rr_intervals, o.alert from heart_rate_samples_0003 o
    join heart_rate_streams s on s.user_id = o.user_id and s.device_id = o.device_id
    order by s.id, o.ts`.execute(db)
  await sql`drop table heart_rate_samples_0003`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table heart_rate_samples rename to heart_rate_samples_0017`.execute(db)
  await db.schema
    .createTable('heart_rate_samples')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('bpm', 'double precision', (c) => c.notNull())
    .addColumn('rr_intervals', 'text')
    .addColumn('alert', 'varchar(4)')
    .addPrimaryKeyConstraint('heart_rate_samples_pk', ['user_id', 'device_id', 'ts'])
    .execute()
  await sql`insert into heart_rate_samples (user_id, device_id, ts, bpm, rr_intervals, alert)
    select s.user_id, s.device_id, n.ts, n.bpm, n.rr_intervals, n.alert from heart_rate_samples_0017 n
    join heart_rate_streams s on s.id = n.stream_id`.execute(db)
  await sql`drop table heart_rate_samples_0017`.execute(db)
  await sql`drop table heart_rate_streams`.execute(db)
  await db.schema
    .createIndex('heart_rate_samples_user_ts_idx')
    .on('heart_rate_samples')
    .columns(['user_id', 'ts'])
    .execute()
}
