// A worker-pool thread for the pool's own tests: echoes, counts with progress, or dies.
import { serveTasks } from './worker-host.js'

serveTasks(async (raw, context) => {
  const task = raw as { op: 'echo' | 'count' | 'ask' | 'die' | 'throw'; value?: number }
  if (task.op === 'die') process.exit(3)
  if (task.op === 'throw') throw new Error('task failed on purpose')
  if (task.op === 'count') {
    let n = 0
    while (n < 1000 && !context.isStopRequested()) {
      n += 1
      context.progress(n)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return n
  }
  if (task.op === 'ask') {
    let n = 0
    while (n < 1000 && (await context.ask(n + 1))) n += 1
    return n
  }
  return task.value
})
