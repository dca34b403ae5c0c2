import { spawn } from 'node:child_process'

export interface CommandResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunCommandOptions {
  cwd?: string
}

/**
 * Runs a command to completion, capturing its output. Rejects only when it cannot be spawned (ENOENT
 * means not installed); a non-zero exit resolves, and the caller decides what it means.
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}) {
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Last `maxChars` characters of a command's combined output, for error messages. */
export function outputTail(result: CommandResult, maxChars = 4000): string {
  const text = `${result.stdout}\n${result.stderr}`.trim()
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text
}
