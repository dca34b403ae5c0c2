import type { OnlineFeatureReader, OnlineFeatureValue } from '@freshet/feature-store'
import { type LatLon, zoneOf } from '../features/on-demand.js'
import type { EtaModel } from '../model/eta-model.js'
import type { ModelHolder } from '../model/model-holder.js'
import {
  type CarOutcome,
  positionOf,
  prepareCar,
  type ScorableCar,
  scoredCar,
  type Unscored,
} from './car-legs.js'
import {
  buildFeaturePlan,
  DEFAULT_POSITION_REFS,
  type FeaturePlan,
  type PositionRefs,
} from './feature-plan.js'

export type { CarEta, CarOutcome, CarPosition, LegEta, Unscored } from './car-legs.js'

export interface EtaQuery {
  pickup: LatLon
  dropoff: LatLon
  /** When the ride is requested (epoch ms); hour and weekday features follow it. Default: now. */
  requestedAt?: number
}

export interface EtaAnswer {
  modelVersion: string
  requestedAt: number
  /** When the online store was read: what every `ageMs` is relative to. */
  readAt: number
  /** One per car asked about, in request order. */
  cars: CarOutcome[]
}

export interface EtaServiceOptions {
  reader: OnlineFeatureReader
  model: ModelHolder
  /**
   * Every zone id. A ranking reads all of them together with the cars, because a car's zone is only known once
   * its position is read: reading the city's few zones up front keeps it to one round trip.
   */
  zones: readonly string[]
  position?: PositionRefs
  now?: () => number
}

/** Estimates how long cars take to reach a rider and complete the trip. */
export interface EtaService {
  /** Scores every car's pickup and trip legs with one online store round trip and one batched model run. */
  estimate(carIds: readonly string[], query: EtaQuery): Promise<EtaAnswer>
}

interface Job {
  carIds: readonly string[]
  query: EtaQuery
  resolve(answer: EtaAnswer): void
  reject(err: unknown): void
}

/**
 * Creates the ETA service over the online store and the hot-swappable model. Each car is two rows of one
 * `session.run`: the pickup leg (the car's last position → pickup) and the trip leg (pickup → dropoff). Both
 * legs use the request time for their time features: the trip starts a pickup-ETA later, which moves hour of
 * day by minutes, and waiting for the pickup estimate would cost a second model run.
 *
 * Requests that arrive together are served together: calls made in the same turn of the event loop are read in
 * one online-store round trip and scored in one model run. Under load that spreads the fixed cost of a Redis
 * pipeline (a socket write and read) and of a model run over many requests; a lone request waits for nothing
 * (the batch closes at the end of the current turn, `setImmediate`).
 *
 * A single car reads the pickup's zone up front and, when the car stands in another zone, that zone in a second
 * trip; a ranking reads every zone up front, so it always takes one trip.
 *
 * @example
 * const eta = createEtaService({ reader, model: holder, zones: CITY_ZONES.map((z) => z.id) })
 * const { cars: [car] } = await eta.estimate(['car-0007'], { pickup, dropoff })
 * if (car.scored) console.log(car.etaSeconds, car.warnings)
 */
export function createEtaService(options: EtaServiceOptions): EtaService {
  const { reader, zones } = options
  const now = options.now ?? Date.now
  const position = options.position ?? DEFAULT_POSITION_REFS
  const plans = new WeakMap<EtaModel, FeaturePlan>()
  const planOf = (model: EtaModel) => {
    let plan = plans.get(model)
    if (plan === undefined) {
      plan = buildFeaturePlan(model.card, position)
      plans.set(model, plan)
    }
    return plan
  }
  let queue: Job[] = []

  async function readZones(
    plan: FeaturePlan,
    ids: Iterable<string>,
    at: number,
    into: Map<string, OnlineFeatureValue[]>,
  ) {
    const wanted = [...new Set(ids)].filter((z) => !into.has(z))
    if (plan.zoneRefs.length === 0 || wanted.length === 0) return
    const values = await reader.read(wanted, plan.zoneRefs, at)
    const n = plan.zoneRefs.length
    wanted.forEach((id, i) => {
      into.set(id, values.slice(i * n, (i + 1) * n))
    })
  }

  async function run(jobs: readonly Job[]): Promise<EtaAnswer[]> {
    return options.model.use(async (model) => {
      const plan = planOf(model)
      const readAt = now()
      const carIds = [...new Set(jobs.flatMap((j) => j.carIds))]
      const upFront = jobs.flatMap((j) => {
        if (j.carIds.length > 1) return zones
        const z = zoneOf(j.query.pickup)
        return z === undefined ? [] : [z]
      })
      const zoneValues = new Map<string, OnlineFeatureValue[]>()
      const [carValues] = await Promise.all([
        reader.read(carIds, plan.carRefs, readAt),
        readZones(plan, upFront, readAt, zoneValues),
      ])
      const n = plan.carRefs.length
      const valuesOf = new Map(carIds.map((id, i) => [id, carValues.slice(i * n, (i + 1) * n)]))
      // Zones of cars standing outside the zones read up front: one more trip for the whole batch.
      const carZones = carIds.flatMap((id) => {
        const origin = positionOf(valuesOf.get(id)!, plan)
        const z = origin === undefined ? undefined : zoneOf(origin)
        return z === undefined ? [] : [z]
      })
      await readZones(plan, carZones, readAt, zoneValues)

      const rows = new Float32Array(2 * jobs.reduce((k, j) => k + j.carIds.length, 0) * plan.width)
      const pending: ScorableCar[] = []
      const prepared = jobs.map((job) => {
        const requestedAt = job.query.requestedAt ?? readAt
        const cars = job.carIds.map((carId) => {
          const car = prepareCar(
            plan,
            {
              carId,
              values: valuesOf.get(carId)!,
              zones: zoneValues,
              pickup: job.query.pickup,
              dropoff: job.query.dropoff,
              requestedAt,
            },
            rows,
            pending.length * 2 * plan.width,
          )
          if ('reason' in car) return car
          pending.push(car)
          return pending.length - 1
        })
        return { requestedAt, cars }
      })
      const seconds =
        pending.length === 0
          ? new Float32Array(0)
          : await model.score(rows.subarray(0, 2 * pending.length * plan.width), 2 * pending.length)
      return prepared.map(({ requestedAt, cars }) => ({
        modelVersion: model.version,
        requestedAt,
        readAt,
        cars: cars.map((car): CarOutcome => {
          if (typeof car !== 'number') return { scored: false, ...(car as Unscored) }
          return scoredCar(pending[car]!, seconds[2 * car]!, seconds[2 * car + 1]!)
        }),
      }))
    })
  }

  function flush() {
    const jobs = queue
    queue = []
    run(jobs).then(
      (answers) => {
        jobs.forEach((job, i) => {
          job.resolve(answers[i]!)
        })
      },
      (err: unknown) => {
        for (const job of jobs) job.reject(err)
      },
    )
  }

  return {
    estimate(carIds, query) {
      return new Promise<EtaAnswer>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ carIds, query, resolve, reject })
      })
    },
  }
}
