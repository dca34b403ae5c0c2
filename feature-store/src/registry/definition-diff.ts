import { canonicalJson, definitionOf, type ViewDefinition } from './content-hash.js'

const MAX_VALUE_CHARS = 80

/**
 * What differs between two definitions of one view version, one line per change, for a conflict message.
 * Lists of named things (windows by label, fields and features by name) are matched by name, so an added
 * feature reads as `features: added speed_kmh_p95_5m` rather than as every later index changing.
 *
 * @example
 * diffDefinitions(registered, describeView(carMotion))
 * // ['graceMs: 30000 → 60000', 'functions.key: "e=>e.carId" → "e=>e.vin"', 'windows[5m].sizeMs: 300000 → 600000']
 */
export function diffDefinitions(before: ViewDefinition, after: ViewDefinition): string[] {
  const changes: string[] = []
  diff('', definitionOf(before), definitionOf(after), changes)
  return changes
}

function diff(path: string, a: unknown, b: unknown, out: string[]): void {
  if (canonicalJson(a) === canonicalJson(b)) return
  const namedA = byName(a)
  const namedB = byName(b)
  if (namedA && namedB) {
    diffNamed(path, namedA, namedB, out)
  } else if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      diff(path === '' ? key : `${path}.${key}`, a[key], b[key], out)
    }
  } else {
    out.push(`${path}: ${show(a)} → ${show(b)}`)
  }
}

function diffNamed(path: string, a: Map<string, unknown>, b: Map<string, unknown>, out: string[]): void {
  const removed = [...a.keys()].filter((k) => !b.has(k))
  const added = [...b.keys()].filter((k) => !a.has(k))
  if (removed.length > 0) out.push(`${path}: removed ${removed.join(', ')}`)
  if (added.length > 0) out.push(`${path}: added ${added.join(', ')}`)
  for (const [key, value] of a) {
    if (b.has(key)) diff(`${path}[${key}]`, value, b.get(key), out)
  }
  const [before, after] = [[...a.keys()], [...b.keys()]]
  const moved = before.findIndex((key, i) => after[i] !== key)
  if (removed.length === 0 && added.length === 0 && moved !== -1) {
    out.push(`${path}: reordered, #${moved + 1} is now ${after[moved]} (was ${before[moved]})`)
  }
}

/** An array of objects each with a unique `name` or `label`, keyed by it; undefined otherwise. */
function byName(value: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined
  const map = new Map<string, unknown>()
  for (const item of value) {
    const id = isRecord(item) ? (item.name ?? item.label ?? item.id) : undefined
    if (typeof id !== 'string' || map.has(id)) return undefined
    map.set(id, item)
  }
  return map
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function show(value: unknown): string {
  const text = value === undefined ? 'absent' : JSON.stringify(value)
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text
}
