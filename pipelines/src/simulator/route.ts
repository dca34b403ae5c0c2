import { distanceKm, type PlanePoint } from './plane.js'
import type { Rng } from './random.js'

/** Waypoints are this far apart, so a route bends a little like a real street does. */
const WAYPOINT_SPACING_KM = 0.4
/** Sideways wobble of intermediate waypoints. */
const WOBBLE_KM = 0.025
/** Share of trips that find a diagonal avenue instead of a grid-like L. */
const DIAGONAL_SHARE = 0.25

/**
 * Plans a drive from `from` to `to` as a list of waypoints (ending exactly at `to`). Most routes follow a street
 * grid (an L: one leg east–west, one north–south, in random order), so road distance exceeds the straight line by
 * up to 41 %, as in real cities; which corner a trip takes also changes which zones, and so which traffic, it
 * crosses.
 *
 * @example
 * const waypoints = planRoute({ x: 0, y: 0 }, { x: 3, y: 4 }, rng) // ~7 km of road for 5 km as the crow flies
 */
export function planRoute(from: PlanePoint, to: PlanePoint, rng: Rng): PlanePoint[] {
  const direct = distanceKm(from, to)
  if (direct < WAYPOINT_SPACING_KM) return [{ x: to.x, y: to.y }]
  const waypoints: PlanePoint[] = []
  if (rng.chance(DIAGONAL_SHARE)) {
    addLeg(waypoints, from, to, rng)
  } else {
    const corner = rng.chance(0.5) ? { x: to.x, y: from.y } : { x: from.x, y: to.y }
    addLeg(waypoints, from, corner, rng)
    waypoints.push(corner)
    addLeg(waypoints, corner, to, rng)
  }
  waypoints.push({ x: to.x, y: to.y })
  return waypoints
}

/** Intermediate waypoints of one straight leg, wobbled sideways; the leg's end is left to the caller. */
function addLeg(out: PlanePoint[], a: PlanePoint, b: PlanePoint, rng: Rng): void {
  const length = distanceKm(a, b)
  const steps = Math.floor(length / WAYPOINT_SPACING_KM)
  if (steps < 1) return
  // Unit normal to the leg, for the sideways wobble.
  const nx = -(b.y - a.y) / length
  const ny = (b.x - a.x) / length
  for (let i = 1; i <= steps; i++) {
    const f = i / (steps + 1)
    const wobble = rng.between(-WOBBLE_KM, WOBBLE_KM)
    out.push({ x: a.x + (b.x - a.x) * f + nx * wobble, y: a.y + (b.y - a.y) * f + ny * wobble })
  }
}
