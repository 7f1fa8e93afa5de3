// `npm run bench -- [name ...]`: runs the named benches (all when none is named), one after
// another, each on a freshly started server, then prints a summary table of their figures.
import { runGameSessions } from './game-sessions.js'
import { runGrpcStream } from './grpc-stream.js'
import { runGrpcUnary } from './grpc-unary.js'
import { benchOptions } from './lib/options.js'
import { runMlEpoch } from './ml-epoch.js'
import { runMlHealthz } from './ml-healthz.js'
import { runMlRecommend } from './ml-recommend.js'
import { runMlTrain } from './ml-train.js'
import { runPlaygroundAccuracy } from './playground-accuracy.js'
import { runPlaygroundHealthz } from './playground-healthz.js'
import { runPlaygroundTorch } from './playground-torch.js'
import { type Bench, type BenchReport, formatSummary, machineLine } from './lib/report.js'
import { runRestBatch } from './rest-batch.js'
import { runRestSingle } from './rest-single.js'
import { runSensorInference } from './sensor-inference.js'
import { runSensorMqtt } from './sensor-mqtt.js'
import { runSensorRest } from './sensor-rest.js'
import { runSensorTrain } from './sensor-train.js'
import { runStartup } from './startup.js'
import { runTimeseriesScale } from './timeseries-scale.js'

const BENCHES: Readonly<Record<string, Bench>> = {
  startup: () => runStartup(benchOptions()),
  'rest-batch': () => runRestBatch(benchOptions()),
  'rest-single': () => runRestSingle(benchOptions()),
  'grpc-unary': () => runGrpcUnary(benchOptions()),
  'grpc-stream': () => runGrpcStream(benchOptions()),
  'game-sessions': () => runGameSessions(benchOptions()),
  'ml-train': () => runMlTrain(benchOptions()),
  'ml-epoch': () => runMlEpoch(benchOptions()),
  'ml-recommend': () => runMlRecommend(benchOptions()),
  'ml-healthz': () => runMlHealthz(benchOptions()),
  'sensor-rest': () => runSensorRest(benchOptions()),
  'sensor-mqtt': () => runSensorMqtt(benchOptions()),
  'sensor-inference': () => runSensorInference(benchOptions()),
  'sensor-train': () => runSensorTrain(benchOptions()),
  'playground-accuracy': () => runPlaygroundAccuracy(),
  'playground-torch': () => runPlaygroundTorch(benchOptions()),
  'playground-healthz': () => runPlaygroundHealthz(benchOptions()),
  'timeseries-scale': () => runTimeseriesScale(benchOptions()),
}

async function main(names: readonly string[]): Promise<number> {
  const unknown = names.filter((name) => !Object.hasOwn(BENCHES, name))
  if (unknown.length > 0) {
    console.error(`unknown bench(es): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`)
    return 2
  }
  const chosen = names.length > 0 ? names : Object.keys(BENCHES)
  console.log(`${machineLine()}; ${new Date().toISOString()}`)
  const reports: BenchReport[] = []
  let failures = 0
  for (const name of chosen) {
    console.log('')
    try {
      reports.push(await (BENCHES[name] as Bench)())
    } catch (error) {
      failures += 1
      console.error(`${name} failed:`, error)
    }
  }
  console.log(`\nsummary\n${formatSummary(reports)}`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
// Keep-alive sockets and gRPC channels would hold the process open; 'exit' also kills any child left.
process.exit()
