import type { paths } from '../../src/generated/openapi'

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never

/** The JSON a route answers with on success (200, 201 or 202), from the generated OpenAPI types. */
export type Answer<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'delete'> = paths[P][M] extends {
  responses: infer R
}
  ? JsonOf<R[keyof R & (200 | 201 | 202)]>
  : never

export type User = Answer<'/v1/me', 'get'>['user']
export type UserSettings = User['settings']
export type Device = Answer<'/v1/devices', 'get'>['devices'][number]
export type Sample = Answer<'/v1/heart-rate/samples', 'get'>['samples'][number]
export type Alert = Answer<'/v1/heart-rate/alerts', 'get'>['alerts'][number]
export type GameSession = Answer<'/v1/game-sessions', 'get'>['sessions'][number]
export type MeditationSession = Answer<'/v1/meditation/sessions', 'get'>['sessions'][number]
export type TrainingJob = Answer<'/v1/training-jobs', 'get'>['trainingJobs'][number]
export type TrainingEpoch = TrainingJob['epochs'][number]
export type Model = Answer<'/v1/models', 'get'>['models'][number]
export type SensorStream = Answer<'/v1/sensor-streams', 'get'>['streams'][number]
export type PlaygroundRun = Answer<'/v1/playground/runs', 'get'>['runs'][number]
export type RunResults = NonNullable<PlaygroundRun['results']>
export type BuiltinDataset = Answer<'/v1/playground/datasets', 'get'>['datasets'][number]
export type UploadedDataset = Answer<'/v1/playground/uploads', 'get'>['datasets'][number]
export type DatasetDetail = Answer<'/v1/playground/datasets/{name}', 'get'>
export type CreateRunBody = NonNullable<
  paths['/v1/playground/runs']['post']['requestBody']
>['content']['application/json']
export type ModelSpec = CreateRunBody['model']
export type Progress = Answer<'/v1/playground/progress', 'get'>
