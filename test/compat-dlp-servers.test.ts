// The DLP adapter's suite (test/helpers/dlp-adapter-suite.ts) on PostgreSQL and MariaDB with the
// database queue, and on PostgreSQL with RabbitMQ (the queue-involving tests); SQLite runs it in
// test/compat-dlp.test.ts. Two files, so neither runs for long on a loaded machine.
import { describeDlpAdapter } from './helpers/dlp-adapter-suite.js'
import { listQueueSetups } from './helpers/training.js'

for (const setup of await listQueueSetups()) if (setup.target.kind !== 'sqlite') describeDlpAdapter(setup)
