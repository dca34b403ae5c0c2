/**
 * Joins `--flag -2h` into `--flag=-2h`: node's `parseArgs` refuses option values that start with a dash, but a
 * negative offset is the natural way to say "two hours ago". Only values that look like negative numbers or
 * durations (`-` then a digit) are joined, so `--json -h` keeps meaning two flags.
 *
 * @example
 * joinNegativeValues(['--from', '-2h', '--json']) // ['--from=-2h', '--json']
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`)
      i++
    } else args.push(arg)
  }
  return args
}
