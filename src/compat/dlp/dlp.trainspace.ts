// The seed's May-2023 "trainspace" routes (CONTRACTS §5A): the nextjs client's `tabular-run` form
// (`{name, dataset_data, parameters_data, review_data}`) and `create-trainspace` store a record for
// the token's user and answer its id; as in the seed, nothing trains from it. The form is checked
// strictly: its layers through the same closed list as `user_arch` and the playground's model schema.
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { assertMatches } from '../../platform/validation/schema-check.js'
import { NetworkSpec } from '../../domains/playground/model-spec.schema.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import { getBuiltinDataset, resolveNotifyEmail } from '../../domains/playground/playground.service.js'
import { listUploads } from '../../domains/playground/uploads.js'
import { insertTrainspace, listTrainspaces } from './dlp-trainspace.repository.js'
import { CRITERIA, type DlpBody } from './dlp.mapping.js'
import { parseLayerObjects } from './user-arch.js'

const strict = { additionalProperties: false } as const
const Name = Type.String({ minLength: 1, maxLength: 200 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]))

/** The May-2023 `tabular-run` body. The client adds fields of its own (`user`…), which nothing reads. */
export const TrainspaceForm = Type.Object({
  name: Name,
  dataset_data: Type.Object({ name: Name, is_default_dataset: Type.Boolean() }, strict),
  parameters_data: Type.Object(
    {
      target_col: Name,
      features: Type.Array(Name, { minItems: 1, maxItems: 1000 }),
      problem_type: Type.Union([
        Type.Literal('CLASSIFICATION'),
        Type.Literal('REGRESSION'),
        Type.Literal('classification'),
        Type.Literal('regression'),
      ]),
      criterion: Type.String({ maxLength: 40 }),
      optimizer_name: Type.String({ maxLength: 20 }),
      shuffle: Type.Boolean(),
      epochs: Type.Integer({ minimum: 1, maximum: 1000 }),
      test_size: Type.Number({ minimum: 0.05, maximum: 0.5 }),
      batch_size: Type.Integer({ minimum: 2, maximum: 8192 }),
      layers: Type.Array(
        Type.Object(
          {
            value: Type.String({ minLength: 1, maxLength: 40 }),
            parameters: Type.Array(Type.Number(), { maxItems: 8 }),
          },
          strict,
        ),
        { maxItems: 64 },
      ),
    },
    strict,
  ),
  review_data: Type.Object(
    {
      notification_email: Nullable(Type.String({ maxLength: 320 })),
      notification_phone_number: Nullable(Type.String({ maxLength: 40, pattern: '^[0-9+() .-]*$' })),
    },
    strict,
  ),
})

/** The seed's data sources (its `execution-table`), for `create-trainspace`'s optional `data_source`. */
const DATA_SOURCES = ['TABULAR', 'PRETRAINED', 'IMAGE', 'AUDIO', 'TEXTUAL', 'CLASSICAL_ML', 'OBJECT_DETECTION'] as const
export const CreateTrainspaceBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  data_source: Type.Optional(Type.Union(DATA_SOURCES.map((source) => Type.Literal(source)))),
})

/** True for the May-2023 form (the April form carries `user_arch` and trains). */
export const isTrainspaceForm = (body: DlpBody): boolean =>
  body.user_arch === undefined && (body.parameters_data !== undefined || body.dataset_data !== undefined)

const invalid = (message: string, path: string) => new AppError('invalid_argument', message, [{ path, message }])

/** The column names of the dataset the form names: a built-in one, or the user's newest upload of that name. */
async function datasetColumns(
  playground: PlaygroundModule,
  owner: Principal,
  dataset: { name: string; is_default_dataset: boolean },
): Promise<string[]> {
  if (dataset.is_default_dataset) return (await getBuiltinDataset(dataset.name)).columns.map((column) => column.name)
  const upload = (await listUploads(playground.uploads, owner)).find((d) => d.name === dataset.name && d.image === null)
  if (upload === undefined)
    throw invalid(
      `You have no uploaded dataset named ${JSON.stringify(dataset.name)}; upload it first`,
      'body.dataset_data.name',
    )
  return upload.columns.map((column) => column.name)
}

/** Checks the form (400 naming the first fault) and returns the network it describes. */
async function checkForm(playground: PlaygroundModule, owner: Principal, body: DlpBody) {
  assertMatches(TrainspaceForm, body, 'body')
  const parameters = body.parameters_data
  const loss = CRITERIA[parameters.criterion.toUpperCase()]
  if (loss === undefined)
    throw invalid(`criterion must be one of ${Object.keys(CRITERIA).join(', ')}`, 'body.parameters_data.criterion')
  const optimizer = parameters.optimizer_name.toLowerCase()
  if (optimizer !== 'sgd' && optimizer !== 'adam')
    throw invalid('optimizer_name must be SGD or Adam', 'body.parameters_data.optimizer_name')
  const network = {
    kind: 'network',
    layers: parseLayerObjects(parameters.layers),
    loss,
    optimizer,
    learningRate: 0.05,
    epochs: parameters.epochs,
    batchSize: parameters.batch_size,
  }
  assertMatches(NetworkSpec, network, 'body.parameters_data')
  if (parameters.features.includes(parameters.target_col))
    throw invalid(
      'A column that is selected as the target column cannot also be a feature column. ',
      'body.parameters_data.features',
    )
  const columns = await datasetColumns(playground, owner, body.dataset_data)
  const missing = [parameters.target_col, ...parameters.features].find((column) => !columns.includes(column))
  if (missing !== undefined)
    throw invalid(
      `The dataset ${JSON.stringify(body.dataset_data.name)} has no column ${JSON.stringify(missing)}`,
      'body.parameters_data',
    )
  return { form: body, network }
}

/** The May-2023 `tabular-run`: stores the checked form as a trainspace of the token's user (not trained, as the seed). */
export async function createTrainspaceFromForm(
  playground: PlaygroundModule,
  owner: Principal,
  body: DlpBody,
): Promise<{ trainspace_id: string }> {
  const { form } = await checkForm(playground, owner, body)
  const review = form.review_data
  const email = await resolveNotifyEmail(playground.deps, owner, review.notification_email)
  const id = randomUUID()
  await insertTrainspace(playground.deps.training.db, {
    id,
    user_id: owner.userId,
    name: form.name,
    data_source: 'TABULAR',
    dataset_data: JSON.stringify(form.dataset_data),
    parameters_data: JSON.stringify(form.parameters_data),
    review_data: JSON.stringify({
      notification_email: email ?? null,
      notification_phone_number: review.notification_phone_number ?? null,
    }),
    status: 'QUEUED',
    created_at: playground.deps.now(),
  })
  return { trainspace_id: id }
}

/** `create-trainspace` as the seed meant it: an empty trainspace of the token's user (optionally named). */
export async function createEmptyTrainspace(
  playground: PlaygroundModule,
  owner: Principal,
  body: DlpBody,
): Promise<{ trainspace_id: string }> {
  assertMatches(CreateTrainspaceBody, body, 'body')
  const id = randomUUID()
  await insertTrainspace(playground.deps.training.db, {
    id,
    user_id: owner.userId,
    name: body.name ?? '',
    data_source: body.data_source ?? '',
    dataset_data: null,
    parameters_data: null,
    review_data: null,
    status: 'QUEUED',
    created_at: playground.deps.now(),
  })
  return { trainspace_id: id }
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text))

/** `getTrainspaceData`: the user's trainspaces, newest first, as the seed's records. */
export async function trainspaceRecords(playground: PlaygroundModule, owner: Principal) {
  const rows = await listTrainspaces(playground.deps.training.db, owner.userId, 200)
  return rows.map((row) => ({
    trainspace_id: row.id,
    uid: row.user_id,
    name: row.name,
    data_source: row.data_source,
    dataset_data: parseJson(row.dataset_data),
    parameters_data: parseJson(row.parameters_data),
    review_data: parseJson(row.review_data),
    status: row.status,
    created: new Date(Number(row.created_at)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }))
}
