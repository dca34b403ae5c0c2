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
