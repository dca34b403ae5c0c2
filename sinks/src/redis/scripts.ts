import { readFileSync } from 'node:fs'
import type { ChainableCommander, Redis } from 'ioredis'

/**
 * The Lua scripts of the online store. Each lives in a `.lua` file beside this one (its header says what KEYS
 * and ARGV are) and is registered on a connection with ioredis `defineCommand`, which sends EVALSHA and falls
 * back to EVAL once when the server has not cached the script yet (after a restart or SCRIPT FLUSH).
 *
 * The files are read relative to this module, which works from the TypeScript source under tsx and vitest; a
 * build that emits JavaScript elsewhere must copy the `.lua` files next to it.
 */

const SET_IF_NEWER = 'freshetSetIfNewer'

let setIfNewerLua: string | undefined

/** Registers the scripts on a connection (before its first use; registration itself sends nothing). */
export function defineScripts(redis: Redis): void {
  setIfNewerLua ??= readFileSync(new URL('./set-if-newer.lua', import.meta.url), 'utf8')
  redis.defineCommand(SET_IF_NEWER, { numberOfKeys: 1, lua: setIfNewerLua })
}

/** Outcome of `set-if-newer.lua`. */
export const SET_IF_NEWER_RESULT = { stored: 1, notNewer: 0, expired: -1 } as const

/**
 * Queues one `set-if-newer.lua` call on a pipeline; its reply is one of {@link SET_IF_NEWER_RESULT}.
 *
 * @example
 * const pipeline = redis.pipeline()
 * queueSetIfNewer(pipeline, 'fs:{car-0001}:car_motion:v1', args)
 * await pipeline.exec()
 */
export function queueSetIfNewer(pipeline: ChainableCommander, key: string, args: readonly string[]): void {
  // defineCommand adds the method at runtime; ioredis only types it through a global module augmentation.
  ;(pipeline as unknown as Record<string, (key: string, ...args: string[]) => void>)[SET_IF_NEWER]!(
    key,
    ...args,
  )
}
