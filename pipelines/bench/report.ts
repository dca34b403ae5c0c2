import type { EngineRunResult } from './engine-run.js'
import type { KeyMemory } from './key-memory.js'
import { median, type RunResult } from './measure.js'

/** The targets: pipeline vs bare consumer, and exactly-once vs at-least-once. */
export const TARGETS = { ratio: 0.9, eosRatio: 0.85 } as const

export interface PipelineBenchRuns {
  events: number
  reps: number
  cars: number
  partitions: number
  /** Producer throughput of the prefill; null when the topic was reused. */
  prefillEventsPerS: number | null
  baseline: RunResult[]
  /** The bare exactly-once consume-publish (floor-consumer.ts): what kafkajs alone allows. */
  floor: RunResult[]
  eos: EngineRunResult[]
  alo: EngineRunResult[]
  memory: KeyMemory | undefined
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

function rawRuns(runs: readonly (RunResult & Partial<EngineRunResult>)[]) {
  return runs.map((r) => ({
    events_per_s: r.eventsPerS,
    join_ms: r.joinMs,
    process_ms: r.processMs,
    events_per_s_incl_join: r.eventsPerSInclJoin,
    cpu_us_per_event: r.cpuUsPerEvent ?? null,
    ...(r.late === undefined ? {} : { late: r.late, dead_lettered: r.deadLettered }),
  }))
}

const medianOf = (runs: readonly RunResult[], field: Exclude<keyof RunResult, 'cpuUsPerEvent'>) =>
  median(runs.map((r) => r[field]))
const medianCpu = (runs: readonly RunResult[]) =>
  median(runs.flatMap((r) => (r.cpuUsPerEvent === undefined ? [] : [r.cpuUsPerEvent])))

/**
 * The bench's one-line JSON result: medians first, then the raw per-rep figures they come from.
 *
 * @example
 * process.stdout.write(`${JSON.stringify(pipelineBenchJson(runs))}\n`)
 */
export function pipelineBenchJson(runs: PipelineBenchRuns) {
  const eos = medianOf(runs.eos, 'eventsPerS')
  const alo = medianOf(runs.alo, 'eventsPerS')
  const bare = medianOf(runs.baseline, 'eventsPerS')
  const floor = medianOf(runs.floor, 'eventsPerS')
  const [eosCpu, aloCpu, bareCpu] = [medianCpu(runs.eos), medianCpu(runs.alo), medianCpu(runs.baseline)]
  const floorCpu = medianCpu(runs.floor)
  const m = runs.memory
  return {
    bench: 'pipeline',
    events: runs.events,
    reps: runs.reps,
    cars: runs.cars,
    partitions: runs.partitions,
    events_per_s: eos,
    baseline_events_per_s: bare,
    ratio: round(eos / bare),
    alo_events_per_s: alo,
    alo_ratio: round(alo / bare),
    eos_ratio: round(eos / alo),
    // The floor: kafkajs consume + decode + exactly-once publish at the engine's output rate, nothing else.
    floor_events_per_s: floor,
    floor_ratio: round(floor / bare),
    ratio_of_floor: round(eos / floor),
    join_ms: medianOf(runs.eos, 'joinMs'),
    baseline_join_ms: medianOf(runs.baseline, 'joinMs'),
    alo_join_ms: medianOf(runs.alo, 'joinMs'),
    events_per_s_incl_join: medianOf(runs.eos, 'eventsPerSInclJoin'),
    baseline_events_per_s_incl_join: medianOf(runs.baseline, 'eventsPerSInclJoin'),
    alo_events_per_s_incl_join: medianOf(runs.alo, 'eventsPerSInclJoin'),
    // CPU time per event (whole process): steadier than events/s when other work shares the machine.
    cpu_us_per_event: eosCpu,
    baseline_cpu_us_per_event: bareCpu,
    alo_cpu_us_per_event: aloCpu,
    cpu_ratio: round(bareCpu / eosCpu),
    floor_cpu_us_per_event: floorCpu,
    floor_cpu_ratio: round(bareCpu / floorCpu),
    rss_mb_1m_keys: m?.rssMb ?? null,
    heap_mb_1m_keys: m?.heapMb ?? null,
    rss_mb_before_keys: m?.rssMbBefore ?? null,
    heap_mb_before_keys: m?.heapMbBefore ?? null,
    memory_keys: m?.keys ?? 0,
    key_minutes: m?.keyMinutes ?? null,
    open_window_keys: m?.openWindowKeys ?? null,
    memory_load_ms: m?.loadMs ?? null,
    prefill_events_per_s: runs.prefillEventsPerS,
    targets: { ratio: TARGETS.ratio, eos_ratio: TARGETS.eosRatio },
    meets_targets: eos / bare >= TARGETS.ratio && eos / alo >= TARGETS.eosRatio,
    runs: {
      baseline: rawRuns(runs.baseline),
      floor: rawRuns(runs.floor),
      eos: rawRuns(runs.eos),
      alo: rawRuns(runs.alo),
    },
  }
}

/**
 * A few readable lines of the same result, for humans (stderr under --json).
 *
 * @example
 * process.stderr.write(pipelineBenchText(pipelineBenchJson(runs)))
 */
export function pipelineBenchText(j: ReturnType<typeof pipelineBenchJson>): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9)
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')
  const lines = [
    `pipeline bench: ${j.events.toLocaleString('en-US')} events, ${j.cars} cars, ${j.partitions} partitions, ` +
      `medians of ${j.reps} interleaved reps`,
    `  bare consumer (decode only)  ${n(j.baseline_events_per_s)} events/s   join ${s(j.baseline_join_ms)}`,
    `  floor (bare EOS publish)     ${n(j.floor_events_per_s)} events/s   ratio ${j.floor_ratio} ` +
      `(what kafkajs alone allows; engine/floor ${j.ratio_of_floor})`,
    `  engine exactly-once          ${n(j.events_per_s)} events/s   join ${s(j.join_ms)}   ` +
      `ratio ${j.ratio} (target ≥ ${j.targets.ratio}: ${mark(j.ratio >= j.targets.ratio)})`,
    `  engine at-least-once         ${n(j.alo_events_per_s)} events/s   join ${s(j.alo_join_ms)}   ` +
      `ratio ${j.alo_ratio}; eos/alo ${j.eos_ratio} (target ≥ ${j.targets.eos_ratio}: ` +
      `${mark(j.eos_ratio >= j.targets.eos_ratio)})`,
  ]
  lines.push(
    `  CPU per event (whole process): bare ${j.baseline_cpu_us_per_event} µs, exactly-once ` +
      `${j.cpu_us_per_event} µs, at-least-once ${j.alo_cpu_us_per_event} µs, floor ${j.floor_cpu_us_per_event} µs; ` +
      `bare/exactly-once ${j.cpu_ratio}, bare/floor ${j.floor_cpu_ratio}`,
  )
  if (j.rss_mb_1m_keys !== null) {
    lines.push(
      `  memory, ${j.memory_keys.toLocaleString('en-US')} live keys × ${j.key_minutes} min: ` +
        `rss ${j.rss_mb_1m_keys} MB (${j.rss_mb_before_keys} before), ` +
        `heap ${j.heap_mb_1m_keys} MB (${j.heap_mb_before_keys} before), ${j.open_window_keys} key-windows`,
    )
  }
  return `${lines.join('\n')}\n`
}
