import type { Kysely } from 'kysely'

// Local times: a device's own time zone (for clients that send wall-clock times with no zone), and
// the date-times of a meditation session as the client wrote them, so the seed's API can return
// them in the form they came while the instants sit correctly on the timeline.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('time_zone', 'varchar(64)').execute()
  await db.schema.alterTable('meditation_sessions').addColumn('date_text', 'varchar(40)').execute()
  await db.schema.alterTable('meditation_heart_rates').addColumn('date_text', 'varchar(40)').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meditation_heart_rates').dropColumn('date_text').execute()
  await db.schema.alterTable('meditation_sessions').dropColumn('date_text').execute()
  await db.schema.alterTable('devices').dropColumn('time_zone').execute()
}
