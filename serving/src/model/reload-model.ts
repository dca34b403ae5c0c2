import type { Logger } from 'pino'
import type { ServingMetrics } from '../http/metrics.js'
import type { ModelHolder, ReloadOutcome } from './model-holder.js'

/**
 * Reloads the model directory into `holder`, counting and logging the outcome (admin endpoint, SIGHUP and the
 * directory watch all come here). A refused model rethrows; the old model keeps serving.
 *
 * @example
 * process.on('SIGHUP', () => reloadModel(holder, metrics, logger, 'SIGHUP').catch(() => {}))
 */
export async function reloadModel(
  holder: ModelHolder,
  metrics: ServingMetrics,
  log: Logger,
  trigger: string,
): Promise<ReloadOutcome> {
  try {
    const outcome = await holder.reload()
    if (outcome.swapped) {
      metrics.modelInfo.reset()
      metrics.modelInfo.set({ version: outcome.current }, 1)
    }
    metrics.modelReloads.inc({ outcome: outcome.swapped ? 'swapped' : 'unchanged' })
    log.info({ ...outcome, trigger }, 'model reload')
    return outcome
  } catch (err) {
    metrics.modelReloads.inc({ outcome: 'failed' })
    log.warn(
      { err, trigger, serving: holder.current.version },
      'model reload refused; the old model keeps serving',
    )
    throw err
  }
}
