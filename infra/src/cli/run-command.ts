import { isFreshetError } from '@freshet/feature-store'

/**
 * Runs a CLI command's `main` and turns its outcome into the process exit code: the code it returns, or 1 with
 * `error [CODE] message` (and the first line of its cause) on stderr when it throws. Never prints a stack or a
 * URL that may hold a password: messages are written by our own errors.
 *
 * @example
 * runCommand(main, process.argv.slice(2))
 */
export function runCommand(main: (argv: string[]) => Promise<number>, argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      const code = isFreshetError(err) ? err.code : 'INTERNAL'
      process.stderr.write(`error [${code}] ${err instanceof Error ? err.message : String(err)}\n`)
      const cause = err instanceof Error ? err.cause : undefined
      if (cause instanceof Error) process.stderr.write(`  cause: ${cause.message.split('\n')[0]}\n`)
      process.exitCode = 1
    },
  )
}

/**
 * Parses a command's arguments once: the parsed config, or the exit code when there is nothing to run — usage on
 * stdout and 0 for `help`, the parse error and usage on stderr and 2 for bad arguments.
 *
 * @example
 * const config = parseOrUsage(() => parseConfig(argv, process.env), USAGE)
 * if (typeof config === 'number') return config
 */
export function parseOrUsage<C extends object>(parse: () => C | 'help', usage: string): C | number {
  let parsed: C | 'help'
  try {
    parsed = parse()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`)
    return 2
  }
  if (parsed === 'help') {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  return parsed
}
