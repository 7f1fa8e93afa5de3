import { readdirSync, readFileSync } from 'node:fs'

/**
 * The nice value of each thread of this process, by thread id, from /proc/self/task/<tid>/stat
 * (field 19, counted after the command name, which may hold spaces); null where there is no /proc.
 */
export function threadNices(): Map<number, number> | null {
  if (process.platform !== 'linux') return null
  const nices = new Map<number, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      nices.set(Number(tid), Number(fields[16]))
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nices
}
