import type { AnyFeatureView } from '@freshet/feature-store'
import { liveFeatureViews, TOPICS } from '../src/index.js'

/**
 * The live views that read car telemetry (the others read other topics), optionally pointed at another topic.
 * Views are plain frozen objects: a copy with another source topic is the same definition over that topic.
 *
 * @example
 * const views = telemetryViews('bench.pipeline.telemetry.1a2b3c4d')
 */
export function telemetryViews(topic: string = TOPICS.telemetry.name): AnyFeatureView[] {
  return liveFeatureViews
    .filter((view) => view.source.topic === TOPICS.telemetry.name)
    .map((view) => ({ ...view, source: { ...view.source, topic } }))
}
