import { Worker } from 'node:worker_threads'

/**
 * Runs `run(data)` of a TypeScript module in a worker thread (tsx registered there too), as
 * pulsebase's ML threads run their work, and resolves with what it returns.
 */
export function runInWorker<T>(entry: URL, data: unknown): Promise<T> {
  const boot = `const { workerData, parentPort } = require('node:worker_threads')
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry) }).then((m) => m.run(workerData.data)).then((r) => parentPort.postMessage(r), (e) => { throw e })`
  const worker = new Worker(boot, {
    eval: true,
    workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href, data },
  })
  return new Promise((resolve, reject) => {
    worker.once('message', (result: T) => {
      resolve(result)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}
