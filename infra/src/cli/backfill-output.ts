import type { BackfillStatus, BackfillSummary, RangeStatus, TaskStatus } from '@freshet/pipelines'

const BAR_WIDTH = 24
const FULL = '█'
const EMPTY = '░'

/**
 * A progress bar of `width` cells for a fraction (clamped to 0–1).
 *
 * @example
 * progressBar(0.5, 8) // '[████░░░░]'
 */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0
  const full = Math.round(f * width)
  return `[${FULL.repeat(full)}${EMPTY.repeat(width - full)}]`
}

/** `2026-11-01T00:00Z` (seconds shown only when not zero). */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString()
  return iso.endsWith(':00.000Z') ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`
}

/** 1 234 567 → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** Seconds as `45s`, `12m05s`, `3h20m`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return ''
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
}

function fractionOf(r: RangeStatus): number {
  if (r.done) return 1
  if (r.total === 0) return 0
  const read = Number(BigInt(r.position) - BigInt(r.start))
  return read / r.total
}

function table(rows: readonly string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  // Numbers right-aligned, text left-aligned: columns whose cells (header aside) are all figures.
  const numeric = widths.map((_, i) => rows.slice(1).every((r) => /^[\d,. /]*%?(\/s)?$/.test(r[i]!)))
  return rows.map(
    (cells) =>
      indent +
      cells
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
  )
}

function taskLabel(task: TaskStatus): string {
  return task.kind === 'merge' ? `${task.key} (merge)` : task.key
}

/**
 * A backfill's status for a terminal: a header, one row per child and partition with a progress bar, events
 * read of the planned total, rate and ETA, then the totals.
 *
 * @example
 * formatBackfillStatus(status)
 * // bf-1a2b3c4d  running  car_motion:v2  2026-11-01T00:00Z → 2026-11-08T00:00Z  target both
 * //   TASK  PARTITION           PROGRESS                           EVENTS / TOTAL     RATE      ETA  STATE
 * //   0.0   car.telemetry.v1/0  [████████████░░░░░░░░░░░░]  50.1%  1,204 / 2,402     41,200/s  1s   active
 */
export function formatBackfillStatus(status: BackfillStatus): string {
  const { request, totals } = status
  const header = [
    status.id,
    status.state,
    request.views.join(','),
    `${formatTime(request.from)} → ${formatTime(request.to)}`,
    `target ${request.target}`,
  ].join('  ')
  const rows: string[][] = [['TASK', 'PARTITION', 'PROGRESS', '', 'EVENTS / TOTAL', 'RATE', 'ETA', 'STATE']]
  for (const task of status.tasks) {
    for (const [i, r] of task.ranges.entries()) {
      const fraction = fractionOf(r)
      rows.push([
        i === 0 ? taskLabel(task) : '',
        `${task.topic}/${r.partition}`,
        progressBar(fraction),
        `${(100 * fraction).toFixed(1)}%`,
        `${formatCount(r.events)} / ${formatCount(r.total)}`,
        i === 0 && task.eventsPerS > 0 ? `${formatCount(task.eventsPerS)}/s` : '',
        i === 0 ? formatEta(task.etaS) : '',
        i === 0 ? `${task.state}${task.attempts > 1 ? ` (attempt ${task.attempts})` : ''}` : '',
      ])
    }
  }
  rows.push([
    'total',
    '',
    progressBar(totals.percent / 100),
    `${totals.percent.toFixed(1)}%`,
    `${formatCount(totals.events)} / ${formatCount(totals.total)}`,
    totals.eventsPerS > 0 ? `${formatCount(totals.eventsPerS)}/s` : '',
    formatEta(totals.etaS),
    '',
  ])
  const footer = [
    `written ${formatCount(totals.written)} records`,
    `late ${formatCount(totals.late)}`,
    `dead letters ${formatCount(totals.deadLetters)}`,
    ...(request.requestedBy ? [`requested by ${request.requestedBy}`] : []),
  ].join(' · ')
  const errors = status.tasks
    .filter((t) => t.state === 'failed' && t.error)
    .map((t) => `  ${t.key}: ${t.error}`)
  return [
    header,
    ...(status.tasks.length > 0 ? table(rows) : ['  (not planned yet)']),
    `  ${footer}`,
    ...(status.error ? [`  error: ${status.error}`] : []),
    ...errors,
  ].join('\n')
}

/**
 * Backfills as a table, newest first.
 *
 * @example
 * formatBackfillList(await client.list())
 * // ID           STATE      VIEWS          FROM               TO                 TARGET  CREATED            WRITTEN
 * // bf-1a2b3c4d  completed  car_motion:v2  2026-11-01T00:00Z  2026-11-08T00:00Z  both    2026-11-30T05:40Z  120,960
 */
export function formatBackfillList(backfills: readonly BackfillSummary[]): string {
  if (backfills.length === 0) return 'no backfills'
  const rows = [
    ['ID', 'STATE', 'VIEWS', 'FROM', 'TO', 'TARGET', 'CREATED', 'WRITTEN'],
    ...backfills.map((b) => [
      b.id,
      b.state,
      b.request.views.join(','),
      formatTime(b.request.from),
      formatTime(b.request.to),
      b.request.target,
      formatTime(b.createdAt),
      b.result ? formatCount(b.result.written) : '',
    ]),
  ]
  return table(rows, '').join('\n')
}
