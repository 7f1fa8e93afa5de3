import { Agent, request } from 'node:http'

export interface HttpReply {
  readonly status: number
  readonly body: string
}

/** A keep-alive connection pool of at most `connections` sockets; destroy it when done. */
export function connectionPool(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections })
}

/** POSTs a JSON body (already a string) over the pool. */
export function postJson(agent: Agent, url: string, body: string, apiKey: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${apiKey}`,
      },
    })
    req.once('error', reject)
    req.once('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('error', reject)
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.end(body)
  })
}
