// TensorFlow.js on its WebAssembly backend. Imported only inside ML worker threads, so the API
// process's event loop never runs a kernel. The .wasm binaries ship in the npm package and are
// loaded from node_modules: nothing is downloaded at run time.
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

export type Tf = typeof tf

let ready: Promise<Tf> | undefined

/** The wasm-backed tf namespace (SIMD when the CPU has it; the threaded build needs browser workers, so not here). */
export function loadTf(): Promise<Tf> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url)
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))
    setWasmPaths(`${dist}/`)
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend did not start')
    await tf.ready()
    return tf
  })()
  return ready
}
