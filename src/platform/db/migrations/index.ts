import type { Migration, MigrationProvider } from 'kysely'
import * as accounts from './0001_accounts.js'
import * as jobs from './0002_jobs.js'
import * as heartRate from './0003_heart_rate.js'
import * as gameSessions from './0004_game_sessions.js'
import * as ml from './0005_ml.js'
import * as meditations from './0006_meditations.js'
import * as m2mProfiles from './0007_m2m_profiles.js'
import * as alertTimeline from './0008_alert_timeline.js'
import * as localTimes from './0009_local_times.js'
import * as devicePresence from './0010_device_presence.js'
import * as sensors from './0011_sensors.js'
import * as blobs from './0012_blobs.js'
import * as accountLifecycle from './0013_accounts.js'
import * as playground from './0015_playground.js'
import * as playgroundDatasets from './0016_playground_datasets.js'
import * as compactSamples from './0017_compact_samples.js'
import * as heartRateRollups from './0018_heart_rate_rollups.js'
import * as heartRateZoneRollups from './0019_heart_rate_zone_rollups.js'
import * as dlpTrainspaces from './0020_dlp_trainspaces.js'

/** Every migration, in order; add new ones at the end with the next number. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_accounts': accounts,
  '0002_jobs': jobs,
  '0003_heart_rate': heartRate,
  '0004_game_sessions': gameSessions,
  '0005_ml': ml,
  '0006_meditations': meditations,
  '0007_m2m_profiles': m2mProfiles,
  '0008_alert_timeline': alertTimeline,
  '0009_local_times': localTimes,
  '0010_device_presence': devicePresence,
  '0011_sensors': sensors,
  '0012_blobs': blobs,
  '0013_accounts': accountLifecycle,
  '0015_playground': playground,
  '0016_playground_datasets': playgroundDatasets,
  '0017_compact_samples': compactSamples,
  '0018_heart_rate_rollups': heartRateRollups,
  '0019_heart_rate_zone_rollups': heartRateZoneRollups,
  '0020_dlp_trainspaces': dlpTrainspaces,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
}
