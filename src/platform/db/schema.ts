import type { Generated } from 'kysely'

// Times are epoch milliseconds (bigint) and JSON is text: the one representation all three databases share.

export interface UsersTable {
  id: string
  email: string
  password_hash: string
  role: 'user' | 'admin'
  display_name: string | null
  settings: string
  created_at: number
  updated_at: number
  /** When the address was shown to be the user's (a verification link followed); null until then. */
  email_verified_at: number | null
}

/** A single-use token mailed to a user (`reset`: password reset, `verify`: e-mail verification); only its hash is kept. */
export interface AccountTokensTable {
  token_hash: string
  user_id: string
  purpose: 'reset' | 'verify'
  created_at: number
  expires_at: number
  used_at: number | null
}

export interface AuthSessionsTable {
  id: string
  user_id: string
  created_at: number
  expires_at: number
  revoked_at: number | null
}

export interface RefreshTokensTable {
  token_hash: string
  session_id: string
  user_id: string
  created_at: number
  expires_at: number
  used_at: number | null
}

export interface DevicesTable {
  id: string
  user_id: string
  name: string
  kind: string
  key_hash: string
  key_prefix: string
  /** After a rotation, the old key's hash, accepted until `previous_key_expires_at`. */
  previous_key_hash: string | null
  previous_key_expires_at: number | null
  created_at: number
  last_seen_at: number | null
  revoked_at: number | null
  /** IANA name or ±hh:mm the device's zone-less local times are read in; null: its owner's. */
  time_zone: string | null
  /** null: the configured default (PULSEBASE_DEVICE_PRESENCE_TIMEOUT_SECONDS). */
  presence_timeout_ms: number | null
  /** The address of the device's latest contact. */
  remote_address: string | null
  /** The last presence transition pushed live; online itself is computed from last_seen_at. */
  presence_announced: 'online' | 'offline'
}

export interface JobsTable {
  id: string
  queue: string
  payload: string
  status: 'ready' | 'running' | 'done' | 'dead'
  attempts: number
  max_attempts: number
  run_at: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

/** A (user, device) pair of heart-rate samples, keyed by a small integer (migration 0017). */
export interface HeartRateStreamsTable {
  id: Generated<number>
  user_id: string
  /** '' when a person uploaded the samples without a device key. */
  device_id: string
}

export interface HeartRateSamplesTable {
  /** heart_rate_streams.id: the user and device. */
  stream_id: number
  ts: number
  bpm: number
  /** JSON array of milliseconds, or null. */
  rr_intervals: string | null
  alert: 'LOW' | 'HIGH' | null
}

/** Per stream, count/sum/min/max of bpm over 1-minute and 1-hour buckets (migration 0018). */
export interface HeartRateRollupsTable {
  stream_id: number
  /** 60000 or 3600000. */
  bucket_ms: number
  /** Epoch ms, a whole multiple of bucket_ms. */
  bucket_start: number
  sample_count: number
  bpm_sum: number
  bpm_min: number
  bpm_max: number
}

/** Per stream and hour: the first and last sample and the longest interval between consecutive samples (migration 0019). */
export interface HeartRateHourSpansTable {
  stream_id: number
  /** Epoch ms, a whole hour. */
  hour_start: number
  first_ts: number
  last_ts: number
  longest_interval_ms: number
  first_bpm: number
  last_bpm: number
}

/** Per stream and hour, the intervals between consecutive samples inside the hour by the sum of their ends' bpm (migration 0019). */
export interface HeartRateZoneIntervalsTable {
  stream_id: number
  hour_start: number
  /** bpm of the interval's start plus bpm of its end. */
  bpm_pair: number
  interval_count: number
  interval_ms: number
}

export interface HeartRateAlertsTable {
  id: string
  user_id: string
  device_id: string
  kind: 'LOW' | 'HIGH'
  opened_at: number
  last_alert_at: number
  closed_at: number | null
  peak_bpm: number
  sample_count: number
  in_range_streak: number
  acknowledged_at: number | null
  updated_at: number
}

/** Per user: the latest sample time alert episodes have seen; the row writers lock. */
export interface HeartRateEpisodeStateTable {
  user_id: string
  last_ts: number | null
  version: number
}

export type GameSessionState = 'processing' | 'processed' | 'failed'

export interface GameSessionsTable {
  id: string
  user_id: string
  device_id: string | null
  game_id: string
  game_name: string | null
  score: number
  started_at: number
  ended_at: number
  state: GameSessionState
  /** JSON: [{ name, sampleCount, dimensions }] of the uploaded channels. */
  channels: string
  sample_count: number
  /** JSON analysis, once processed. */
  analysis: string | null
  progress_score: number | null
  range_of_motion: number | null
  failure: string | null
  created_at: number
  processed_at: number | null
}

export interface GameSessionDataTable {
  session_id: string
  seq: number
  bytes: Buffer
}

export interface OutboxTable {
  id: string
  queue: string
  payload: string
  created_at: number
  /** A relay owns the row until then; a row past it is picked up by any relay's sweep. */
  claimed_until: number
}

export interface SyncCursorsTable {
  user_id: string
  seq: number
}

export interface SyncChangesTable {
  user_id: string
  seq: number
  kind: string
  entity_id: string
  change: string
  at: number
  notified_at: number | null
}

export interface M2mProfilesTable {
  user_id: string
  /** JSON: the profile fields (see src/domains/profiles/profiles.schema.ts). */
  document: string
  created_at: number
  updated_at: number
}

export type TrainingState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export interface MlModelsTable {
  id: string
  user_id: string
  kind: string
  version: number
  /** JSON: architecture and training hyper-parameters. */
  params: string
  data_from: number | null
  data_to: number | null
  examples: number
  /** JSON: evaluation on held-out data. */
  metrics: string
  /** Directory of the artifact files, relative to the data dir. */
  artifact: string
  training_job_id: string
  created_at: number
}

export interface MlTrainingJobsTable {
  id: string
  user_id: string
  kind: string
  state: TrainingState
  params: string
  attempts: number
  error: string | null
  model_id: string | null
  is_cancel_requested: number
  created_at: number
  started_at: number | null
  heartbeat_at: number | null
  finished_at: number | null
  duration_ms: number | null
}

export interface MlTrainingEpochsTable {
  job_id: string
  epoch: number
  loss: number
  val_loss: number | null
  accuracy: number | null
  val_accuracy: number | null
  at: number
}

export interface MeditationSessionsTable {
  id: string
  user_id: string
  /** '' when a person recorded it without a device key. */
  device_id: string
  started_at: number
  duration_s: number
  is_completed: number
  is_canceled: number
  created_at: number
  /** `started_at` as the client wrote it, when that differs from RFC 3339 UTC (e.g. a zone-less local time). */
  date_text: string | null
}

export interface MeditationPeriodsTable {
  session_id: string
  idx: number
  visualization: string | null
  beat_frequency: number | null
  /** JSON, as the client sent it. */
  breathing_pattern: string
  breathing_multiplier: number
  is_haptic_feedback: number
}

export interface MeditationHeartRatesTable {
  session_id: string
  period_idx: number
  idx: number
  ts: number
  bpm: number
  /** `ts` as the client wrote it, when that differs from RFC 3339 UTC. */
  date_text: string | null
}

export interface CompatMindsyncDevicesTable {
  client_id: string
  user_id: string
  device_id: string
  created_at: number
}

export interface SensorStreamsTable {
  id: string
  user_id: string
  device_id: string
  kind: string
  /** JSON: [{ name, length }] of the channel groups, in storage order. */
  layout: string
  created_at: number
}

export interface SensorFramesTable {
  stream_id: string
  ts: number
  /** The values as little-endian float32, in the stream's layout order. */
  data: Buffer
}

export interface SensorDatasetsTable {
  id: string
  user_id: string
  name: string
  /** JSON layout, set by the first frames added; null while empty. */
  layout: string | null
  created_at: number
  updated_at: number
}

export interface SensorDatasetFramesTable {
  dataset_id: string
  /** The recording or import that added the row. */
  part_id: string
  seq: number
  label: string
  data: Buffer
}

export interface SensorRecordingsTable {
  id: string
  user_id: string
  dataset_id: string
  device_id: string
  kind: string
  label: string
  started_at: number
  stopped_at: number | null
}

export interface SensorLiveClassifiersTable {
  device_id: string
  kind: string
  user_id: string
  model_id: string
  /** JSON: the latest prediction. */
  latest: string | null
  latest_at: number | null
  created_at: number
}

export interface CompatCsiServersTable {
  seed_id: number
  device_id: string
  created_at: number
}

/** A DLP trainspace (compat dlp, migration 0020); the three `*_data` columns are JSON text. */
export interface CompatDlpTrainspacesTable {
  id: string
  user_id: string
  name: string
  data_source: string
  dataset_data: string | null
  parameters_data: string | null
  review_data: string | null
  status: string
  created_at: number
}

export interface PlaygroundRunsTable {
  training_job_id: string
  user_id: string
  name: string
  data_source: string
  client_ref: string | null
  notify_email: string | null
  emailed_at: number | null
  created_at: number
}

export interface PlaygroundDatasetsTable {
  id: string
  user_id: string
  name: string
  columns: string
  rows: number
  size: number
  image: string | null
  created_at: number
}

export interface PlaygroundAnswersTable {
  user_id: string
  module_id: string
  section_id: string
  question_id: string
  answered_at: number
}

/** A blob of the database blob store: which upload (object) holds its bytes now. */
export interface BlobsTable {
  blob_key: string
  object_id: string
  size: number
  chunks: number
  created_at: number
  updated_at: number
}

/** The bytes of one stored object, in chunks of at most 1 MiB, `seq` from 0. */
export interface BlobChunksTable {
  object_id: string
  seq: number
  data: Buffer
}

/** An object being written: its chunks are swept when the put never completes. */
export interface BlobUploadsTable {
  object_id: string
  started_at: number
}

export interface Database {
  users: UsersTable
  auth_sessions: AuthSessionsTable
  refresh_tokens: RefreshTokensTable
  devices: DevicesTable
  jobs: JobsTable
  heart_rate_streams: HeartRateStreamsTable
  heart_rate_samples: HeartRateSamplesTable
  heart_rate_rollups: HeartRateRollupsTable
  heart_rate_hour_spans: HeartRateHourSpansTable
  heart_rate_zone_intervals: HeartRateZoneIntervalsTable
  heart_rate_alerts: HeartRateAlertsTable
  heart_rate_episode_state: HeartRateEpisodeStateTable
  game_sessions: GameSessionsTable
  game_session_data: GameSessionDataTable
  outbox: OutboxTable
  sync_cursors: SyncCursorsTable
  sync_changes: SyncChangesTable
  m2m_profiles: M2mProfilesTable
  ml_models: MlModelsTable
  ml_training_jobs: MlTrainingJobsTable
  ml_training_epochs: MlTrainingEpochsTable
  meditation_sessions: MeditationSessionsTable
  meditation_periods: MeditationPeriodsTable
  meditation_heart_rates: MeditationHeartRatesTable
  compat_mindsync_devices: CompatMindsyncDevicesTable
  sensor_streams: SensorStreamsTable
  sensor_frames: SensorFramesTable
  sensor_datasets: SensorDatasetsTable
  sensor_dataset_frames: SensorDatasetFramesTable
  sensor_recordings: SensorRecordingsTable
  sensor_live_classifiers: SensorLiveClassifiersTable
  playground_runs: PlaygroundRunsTable
  playground_answers: PlaygroundAnswersTable
  playground_datasets: PlaygroundDatasetsTable
  compat_csi_servers: CompatCsiServersTable
  compat_dlp_trainspaces: CompatDlpTrainspacesTable
  blobs: BlobsTable
  account_tokens: AccountTokensTable
  blob_chunks: BlobChunksTable
  blob_uploads: BlobUploadsTable
}
