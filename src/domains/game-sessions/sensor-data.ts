import { promisify } from 'node:util'
import { constants, gunzip, gzip } from 'node:zlib'
import type { Channel } from './game-sessions.schema.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/** Pieces stay well under every driver's packet limit (MariaDB's default max_allowed_packet is 16 MiB). */
const PIECE_BYTES = 1024 * 1024

/**
 * The upload as sent (JSON text with a `channels` array), gzipped and cut into pieces; compression
 * runs on libuv's thread pool. `json` is the request's own text when the transport kept it.
 */
export async function encodeUpload(json: string): Promise<Buffer[]> {
  // Fastest level: sensor JSON still shrinks about 4x, at a fraction of the default level's CPU.
  const packed = await gzipAsync(json, { level: constants.Z_BEST_SPEED })
  const pieces: Buffer[] = []
  for (let offset = 0; offset < packed.length; offset += PIECE_BYTES)
    pieces.push(packed.subarray(offset, offset + PIECE_BYTES))
  return pieces
}

export async function decodeChannels(pieces: readonly Uint8Array[]): Promise<Channel[]> {
  const json = await gunzipAsync(Buffer.concat(pieces))
  return (JSON.parse(json.toString('utf8')) as { channels: Channel[] }).channels
}
