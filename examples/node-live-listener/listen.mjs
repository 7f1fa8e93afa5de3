// Prints a pulsebase user's live events as they happen: heart-rate samples, alert changes,
// processed game sessions, training progress. Needs socket.io-client (npm install socket.io-client).
//
//   PULSEBASE_URL=http://localhost:8080 PULSEBASE_TOKEN=<access token or device key> node listen.mjs
//
// One JSON line per event on standard output: {"event":"heart-rate","data":{...}}. The line
// {"event":"ready",...} says the subscription is in place (events before it may be missed: read
// GET /v1/sync for what changed while you were away).
import { io } from 'socket.io-client'

const url = process.env.PULSEBASE_URL ?? 'http://localhost:8080'
const token = process.env.PULSEBASE_TOKEN
if (!token) {
  console.error('set PULSEBASE_TOKEN to an access token or a device key')
  process.exit(2)
}

const socket = io(`${url}/v1`, { auth: { token }, transports: ['websocket'] })
socket.onAny((event, data) => console.log(JSON.stringify({ event, data })))
socket.on('connect_error', (error) => {
  console.error(`cannot connect: ${error.message}`)
  process.exit(1)
})
socket.on('disconnect', (reason) => {
  console.error(`disconnected: ${reason}`)
  if (reason === 'io server disconnect') process.exit(1) // the server ended it (credentials revoked)
})
process.once('SIGINT', () => socket.close())
process.once('SIGTERM', () => socket.close())
