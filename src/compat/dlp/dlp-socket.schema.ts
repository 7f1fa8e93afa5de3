// Payloads of the Deep Learning Playground's 2022 Socket.IO events (CONTRACTS §5B), checked before
// anything reads them. Numbers are numbers and strings are strings (no coercion); the seed's
// client adds fields of its own (`user`, `route`, `notification`…), so training payloads keep
// unknown keys, which nothing reads.
import { Type } from 'typebox'
import { MAX_CLIENT_LOG_CHARS } from '../../domains/playground/client-logs.js'
import { MAX_UPLOAD_BYTES } from '../../domains/playground/uploads.js'

const Text = (maxLength: number) => Type.String({ maxLength })
const Strings = (maxItems: number) => Type.Array(Text(200), { maxItems })

/** `runTraining` and `img-run`: the fields the mapping reads (dlp.mapping.ts), each with its type. */
export const DlpTrainingPayload = Type.Object({
  user_arch: Type.Optional(Type.Union([Strings(64), Text(200)])),
  criterion: Type.Optional(Text(40)),
  optimizer_name: Type.Optional(Text(20)),
  problem_type: Type.Optional(Text(20)),
  target: Type.Optional(Type.Union([Text(200), Type.Null()])),
  features: Type.Optional(Type.Union([Strings(1000), Type.Null()])),
  using_default_dataset: Type.Optional(Type.Union([Text(40), Type.Null()])),
  test_size: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
  epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
  shuffle: Type.Optional(Type.Boolean()),
  csv_data: Type.Optional(Type.Union([Text(MAX_UPLOAD_BYTES), Type.Null()])),
  file_URL: Type.Optional(Type.Union([Text(2000), Type.Null()])),
  email: Type.Optional(Type.Union([Text(320), Type.Null()])),
  train_transform: Type.Optional(Strings(32)),
  test_transform: Type.Optional(Strings(32)),
  custom_model_name: Type.Optional(Text(200)),
  execution_id: Type.Optional(Text(100)),
})

/** `sendEmail`: the seed's fields; `attachment_array` (server file paths in the seed) is refused when not empty. */
export const DlpEmailPayload = Type.Object(
  {
    email_address: Type.String({ minLength: 1, maxLength: 320 }),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body_text: Type.String({ minLength: 1, maxLength: 20_000 }),
    attachment_array: Type.Optional(Strings(16)),
  },
  { additionalProperties: false },
)

/** `defaultDataset`: a built-in dataset's name. */
export const DlpDefaultDatasetPayload = Type.Object(
  { using_default_dataset: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
)

/** `frontendLog`: one line of the client's log. */
export const DlpFrontendLog = Type.String({ minLength: 1, maxLength: MAX_CLIENT_LOG_CHARS })

/** `updateUserSettings`: the seed sent its Firebase ID token; here a pulsebase access token, checked against the socket's own user. */
export const DlpUserSettingsPayload = Type.Object(
  { authorization: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })) },
  { additionalProperties: false },
)
