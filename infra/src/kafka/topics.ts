import { FreshetError } from '@freshet/feature-store'
import { createKafka, type TopicSpec, topicCatalog } from '@freshet/pipelines'

export interface EnsureTopicsResult {
  created: string[]
  existing: string[]
}

/**
 * Creates every topic of the catalog that is missing (existing ones are left as they are), so `up` can
 * run any number of times.
 *
 * @example
 * const { created } = await ensureTopicCatalog(['127.0.0.1:19092'])
 */
export async function ensureTopicCatalog(
  brokers: readonly string[],
  topics: readonly TopicSpec[] = topicCatalog,
): Promise<EnsureTopicsResult> {
  const kafka = createKafka({ brokers, clientId: 'freshet-infra' })
  try {
    return await kafka.ensureTopics(topics)
  } catch (cause) {
    throw new FreshetError('TOPICS_FAILED', `could not create the topic catalog on ${brokers.join(',')}`, {
      retriable: true,
      cause,
    })
  } finally {
    await kafka.close().catch(() => {})
  }
}
