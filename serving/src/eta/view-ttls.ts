import type { RegisteredView } from '@freshet/feature-store'

/**
 * The online ttl of each view version serving has looked up in the registry, for the online reader's
 * `ttlMs` option. Registered versions are immutable, so a remembered ttl never goes stale.
 *
 * @example
 * const ttls = new ViewTtls()
 * const reader = createRedisOnlineReader({ url, ttlMs: ttls.ttlMs })
 * ttls.remember(model.views.values())
 */
export class ViewTtls {
  readonly #ttls = new Map<string, number>()

  /** The ttl of `car_motion:v1`, or undefined when not looked up yet. */
  readonly ttlMs = (viewRef: string): number | undefined => this.#ttls.get(viewRef)

  remember(views: Iterable<RegisteredView>): void {
    for (const v of views) this.#ttls.set(v.ref, v.ttlMs)
  }
}
