// Live recording: while a recording runs for a device and kind, every new frame of that stream is
// added to the recording's dataset with its label, inside the frames' own commit. So a frame that
// arrives at any API process during the recording is in the dataset, exactly once.
import type { Db } from '../../platform/db/database.js'
import * as datasets from './datasets.repository.js'
import { isSameLayout, layoutText, parseLayout } from './frame-layout.js'
import type { FrameWrite } from './frame-store.js'

/** `alreadyStored[i][j]`: frame j of write i was stored before (so it is not new, and not added again). */
export async function addToRecordings(
  trx: Db,
  writes: readonly FrameWrite[],
  alreadyStored: readonly boolean[][],
  nowMs: number,
): Promise<void> {
  const recordings = await datasets.activeRecordings(trx, [...new Set(writes.map((w) => w.stream.deviceId))])
  if (recordings.length === 0) return
  for (const recording of recordings) {
    const rows: datasets.DatasetFrameRow[] = []
    writes.forEach((write, i) => {
      if (write.stream.deviceId !== recording.device_id || write.stream.kind !== recording.kind) return
      write.frames.forEach((frame, j) => {
        if (alreadyStored[i]?.[j] !== true)
          rows.push({
            dataset_id: recording.dataset_id,
            part_id: recording.id,
            seq: frame.ts,
            label: recording.label,
            data: frame.data,
          })
      })
    })
    if (rows.length === 0) continue
    const layout =
      writes.find((w) => w.stream.deviceId === recording.device_id && w.stream.kind === recording.kind)?.stream
        .layout ?? []
    if (!(await fitsDataset(trx, recording.dataset_id, layout, nowMs))) continue
    await datasets.insertDatasetFrames(trx, rows)
    await datasets.touchDataset(trx, recording.dataset_id, nowMs)
  }
}

/** The dataset takes this layout if it has none yet; frames of another layout are not added (the start refused them when it could). */
async function fitsDataset(
  trx: Db,
  datasetId: string,
  layout: Parameters<typeof layoutText>[0],
  nowMs: number,
): Promise<boolean> {
  if (await datasets.claimLayout(trx, datasetId, layoutText(layout), nowMs)) return true
  const existing = await datasets.findDatasetLayout(trx, datasetId)
  return existing !== null && isSameLayout(parseLayout(existing), layout)
}
