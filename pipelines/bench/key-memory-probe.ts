/**
 * Child process of `measureKeyMemory` (run with --expose-gc): loads live keys into a PartitionProcessor over the
 * live telemetry views and reports memory before and after through IPC.
 * argv[2]: JSON { keys, keyMinutes }
 */
import { FreshetError } from '@freshet/feature-store'
import { PartitionProcessor } from '../src/index.js'
import { telemetryViews } from './bench-views.js'
import { type KeyMemory, loadLiveKeys } from './key-memory.js'

const { keys, keyMinutes } = JSON.parse(process.argv[2] ?? '{}') as { keys: number; keyMinutes: number }
const gc = globalThis.gc
if (gc === undefined) throw new FreshetError('CONFIG_INVALID', 'run the memory probe with --expose-gc')

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10
/** Two passes: the first can leave objects only finalisers release. */
function settledMemory(): { rssMb: number; heapMb: number } {
  gc!()
  gc!()
  const m = process.memoryUsage()
  return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed) }
}

const processor = new PartitionProcessor(telemetryViews())
const before = settledMemory()
const started = performance.now()
loadLiveKeys(processor, keys, keyMinutes)
const loadMs = Math.round(performance.now() - started)
const after = settledMemory()
const result: KeyMemory = {
  keys,
  keyMinutes,
  rssMbBefore: before.rssMb,
  heapMbBefore: before.heapMb,
  rssMb: after.rssMb,
  heapMb: after.heapMb,
  openWindowKeys: processor.openKeys,
  loadMs,
}
process.send?.(result)
