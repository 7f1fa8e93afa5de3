// Starting a training run from the seed's `/training/post/train`: its DATA becomes a dataset of the
// compat account, trained as a sensor classifier with the seed's 10 % held out.
import { createDataset, deleteDataset, importRows } from '../../domains/sensors/datasets.service.js'
import { trainOnDataset } from '../../domains/sensors/sensor-models.service.js'
import { AppError } from '../../errors.js'
import { rowsOfData } from './csi-training.js'
import { type CsiDeps, SeedReply } from './csi-deps.js'

/** The seed's model: Dense(24, relu) -> softmax, seed 7, 10 % test split. */
const SEED_TRAINING = { hiddenUnits: 24, testShare: 0.1, seed: 7 }

export async function startTraining(deps: CsiDeps, type: 'CSI' | 'RSSI', data: unknown): Promise<void> {
  const rows = rowsOfData(type, data)
  if (typeof rows === 'string') throw new SeedReply(400, `Error, DATA does not match TYPE ${type}: ${rows}`)
  const owner = await deps.account()
  const dataset = await createDataset(deps.datasets, owner, `csi seed ${type} ${new Date(deps.now()).toISOString()}`)
  try {
    await importRows(deps.datasets, owner, dataset.id, rows)
    await trainOnDataset(deps.models, owner, dataset.id, SEED_TRAINING)
  } catch (error) {
    // Nothing half-made stays behind: the dataset goes with its refused run.
    await deleteDataset(deps.datasets, owner, dataset.id)
    if (error instanceof AppError && error.code === 'conflict')
      throw new SeedReply(409, 'Error, training already in progress')
    if (error instanceof AppError && error.code === 'invalid_argument')
      throw new SeedReply(400, `Error, DATA does not match TYPE ${type}: ${error.message}`)
    throw error
  }
}
