// Everything pulsebase keeps on disk (the SQLite database and its WAL/SHM, model files, the
// generated JWT secret) holds password and key hashes or health data: only the server's own user
// may read it. Directories 0700, files 0600, also when they were made by an older version.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Creates `path` (and missing parents) as 0700, or narrows an existing directory to 0700. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE })
  chmodSync(path, PRIVATE_DIR_MODE)
}

/** Creates an empty `path` as 0600, or narrows an existing file to 0600. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  chmodSync(path, PRIVATE_FILE_MODE)
}

/** Narrows each of `paths` that exists to 0600 (files other programs may have made, like SQLite's -wal). */
export function narrowExistingFiles(paths: readonly string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE)
}

/** Narrows each of `paths` that exists to 0700. */
export function narrowExistingDirs(paths: readonly string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, PRIVATE_DIR_MODE)
}
