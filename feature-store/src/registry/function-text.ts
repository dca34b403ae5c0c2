/**
 * Canonical source text of a user function (a view's key, eventTime, filter or feature value), so that the
 * registry's content hash follows what the function does and not how it was formatted or which transpiler
 * loaded it: tsx (esbuild) prints `e=>e.type===type?1:void 0`, vitest (oxc) prints
 * `(e) => e.type === type ? 1 : undefined`, and a Biome reformat of the source changes neither meaningfully.
 *
 * It is a tokenizer, not a parser. Whitespace and comments go; a space is kept only between two words
 * (`return x`) and between `+ +` / `- -`. Strings become one quoting (JSON), numbers their value, `void 0`
 * `undefined`; trailing commas, a `;` before `}` or at the end, parentheses around a lone arrow parameter and
 * around an expression body go. Whatever it cannot normalise it keeps verbatim, so the result is always
 * deterministic, at worst less normalised.
 *
 * What source text cannot show: values captured by a closure (`eventsOf('ride_requested')` and
 * `eventsOf('ride_picked_up')` have the same text) and the body of helpers it calls. Bound and native
 * functions print as `[native code]`.
 */

type TokenKind = 'word' | 'string' | 'template' | 'regex' | 'punct'

interface Token {
  kind: TokenKind
  text: string
  /** Whitespace or a comment came before it. */
  spaced: boolean
}

// Words after which a `/` starts a regex rather than a division.
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
])
const KEYWORDS = new Set([...BEFORE_REGEX, 'this', 'null', 'true', 'false', 'function', 'async', 'super'])

const WORD_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u
const SPACE = /\s/u
const NUMBER = /^(?:0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?n?)/

/**
 * The canonical text of a function (or of function source text).
 *
 * @example
 * canonicalFunctionText((e: { carId: string }) => e.carId) // 'e=>e.carId'
 * canonicalFunctionText('(e) => (e.type === "x" ? 1 : void 0)') // 'e=>e.type==="x"?1:undefined'
 */
export function canonicalFunctionText(fn: ((...args: never[]) => unknown) | string): string {
  const source = typeof fn === 'string' ? fn : Function.prototype.toString.call(fn)
  return render(normalise(scan(source, 0, false).tokens))
}

function scan(src: string, start: number, untilBrace: boolean): { tokens: Token[]; end: number } {
  const tokens: Token[] = []
  let i = start
  let spaced = false
  let depth = 0
  const push = (kind: TokenKind, text: string) => {
    tokens.push({ kind, text, spaced })
    spaced = false
  }
  while (i < src.length) {
    const c = src[i]!
    if (SPACE.test(c)) {
      spaced = true
      i++
    } else if (c === '/' && src[i + 1] === '/') {
      const nl = src.indexOf('\n', i)
      i = nl === -1 ? src.length : nl
      spaced = true
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2)
      i = close === -1 ? src.length : close + 2
      spaced = true
    } else if (c === '"' || c === "'") {
      const end = stringEnd(src, i)
      push('string', JSON.stringify(decodeEscapes(src.slice(i + 1, end - 1))))
      i = end
    } else if (c === '`') {
      const template = scanTemplate(src, i)
      push('template', template.text)
      i = template.end
    } else if (c === '/' && regexAllowed(tokens.at(-1))) {
      const end = regexEnd(src, i)
      push('regex', src.slice(i, end))
      i = end
    } else if (NUMBER.test(src.slice(i, i + 1)) || (c === '.' && /\d/.test(src[i + 1] ?? ''))) {
      const literal = NUMBER.exec(src.slice(i))?.[0] ?? c
      push('word', canonicalNumber(literal))
      i += literal.length
    } else if (WORD_CHAR.test(c)) {
      let end = i + 1
      while (end < src.length && WORD_CHAR.test(src[end]!)) end++
      push('word', src.slice(i, end))
      i = end
    } else {
      if (untilBrace) {
        if (c === '{') depth++
        if (c === '}' && depth-- === 0) return { tokens, end: i + 1 }
      }
      push('punct', c)
      i++
    }
  }
  return { tokens, end: i }
}

/** Index just past the closing quote of the string literal starting at `start`. */
function stringEnd(src: string, start: number): number {
  const quote = src[start]
  let i = start + 1
  while (i < src.length && src[i] !== quote) i += src[i] === '\\' ? 2 : 1
  return Math.min(i + 1, src.length)
}

/** A template literal with its text chunks decoded and re-escaped and its `${…}` parts canonicalised. */
function scanTemplate(src: string, start: number): { text: string; end: number } {
  let text = '`'
  let chunk = ''
  let i = start + 1
  const flush = () => {
    text += JSON.stringify(decodeEscapes(chunk)).slice(1, -1).replaceAll('`', '\\`')
    chunk = ''
  }
  while (i < src.length && src[i] !== '`') {
    if (src[i] === '\\') {
      chunk += src.slice(i, i + 2)
      i += 2
    } else if (src[i] === '$' && src[i + 1] === '{') {
      flush()
      const inner = scan(src, i + 2, true)
      text += `\${${render(normalise(inner.tokens))}}`
      i = inner.end
    } else {
      chunk += src[i]
      i++
    }
  }
  flush()
  return { text: `${text}\``, end: Math.min(i + 1, src.length) }
}

function regexAllowed(previous: Token | undefined): boolean {
  if (previous === undefined) return true
  if (previous.kind === 'word') return BEFORE_REGEX.has(previous.text)
  if (previous.kind === 'punct')
    return !(previous.text === ')' || previous.text === ']' || previous.text === '}')
  return false
}

/** Index just past a regex literal's flags; `[...]` classes may hold an unescaped `/`. */
function regexEnd(src: string, start: number): number {
  let i = start + 1
  let inClass = false
  while (i < src.length && src[i] !== '\n') {
    const c = src[i]
    if (c === '\\') i++
    else if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) break
    i++
  }
  i++
  while (i < src.length && /[a-z]/.test(src[i]!)) i++
  return Math.min(i, src.length)
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  0: '\0',
}

/** The value of a string literal's body (escapes resolved), so every quoting of one value is the same. */
function decodeEscapes(body: string): string {
  return body.replace(
    /\\(u\{[\da-fA-F]+\}|u[\da-fA-F]{4}|x[\da-fA-F]{2}|\r\n|[\s\S])/g,
    (_match, sequence: string) => {
      if (sequence.startsWith('u{')) return String.fromCodePoint(Number.parseInt(sequence.slice(2, -1), 16))
      if (sequence.length > 1 && (sequence[0] === 'u' || sequence[0] === 'x')) {
        return String.fromCharCode(Number.parseInt(sequence.slice(1), 16))
      }
      if (/^(?:\r\n|[\n\r\u2028\u2029])$/.test(sequence)) return '' // a line continuation
      return SIMPLE_ESCAPES[sequence] ?? sequence
    },
  )
}

function canonicalNumber(literal: string): string {
  const digits = literal.replaceAll('_', '')
  if (digits.endsWith('n')) return digits
  const value = Number(digits)
  return Number.isFinite(value) ? String(value) : digits
}

const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text
const isIdentifier = (t: Token | undefined) =>
  t?.kind === 'word' && !KEYWORDS.has(t.text) && !/^[\d.]/.test(t.text)

/** Index of the `)` matching the `(` at `open`, or -1. */
function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.kind !== 'punct') continue
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++
    if (t.text === ')' || t.text === ']' || t.text === '}') depth--
    if (depth === 0) return t.text === ')' ? i : -1
  }
  return -1
}

/** True when the tokens between `open` and `close` hold a comma outside any bracket (a comma expression). */
function hasTopLevelComma(tokens: readonly Token[], open: number, close: number): boolean {
  let depth = 0
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!
    if (t.kind !== 'punct') continue
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--
    else if (t.text === ',' && depth === 0) return true
  }
  return false
}

const ENDS_EXPRESSION = new Set([')', ']', '}', ',', ';'])

function normalise(input: readonly Token[]): Token[] {
  const tokens = [...input]
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    // `void 0` is how esbuild prints `undefined`.
    if (
      t.kind === 'word' &&
      t.text === 'void' &&
      tokens[i + 1]?.kind === 'word' &&
      tokens[i + 1]!.text === '0'
    ) {
      tokens.splice(i, 2, { kind: 'word', text: 'undefined', spaced: t.spaced })
    }
  }
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!
    const next = tokens[i + 1]
    // Trailing commas and the optional `;` before `}` (or at the very end).
    const closes = next === undefined || (next.kind === 'punct' && /[)\]}]/.test(next.text))
    const trailingComma = isPunct(t, ',') && next !== undefined && !isPunct(tokens[i - 1], ',')
    if ((trailingComma && closes) || (isPunct(t, ';') && closes)) {
      tokens.splice(i, 1)
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    // `(e) =>` → `e =>`
    if (
      isPunct(tokens[i], '(') &&
      isIdentifier(tokens[i + 1]) &&
      isPunct(tokens[i + 2], ')') &&
      isArrow(tokens, i + 3)
    ) {
      tokens.splice(i + 2, 1)
      tokens.splice(i, 1)
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    // `=> (expr)` → `=> expr`, unless it is an object literal or a comma expression.
    if (!isArrow(tokens, i) || !isPunct(tokens[i + 2], '(')) continue
    const open = i + 2
    const close = closingParen(tokens, open)
    const after = tokens[close + 1]
    if (
      close > open + 1 &&
      !isPunct(tokens[open + 1], '{') &&
      !hasTopLevelComma(tokens, open, close) &&
      (after === undefined || (after.kind === 'punct' && ENDS_EXPRESSION.has(after.text)))
    ) {
      tokens.splice(close, 1)
      tokens.splice(open, 1)
      i--
    }
  }
  return tokens
}

function isArrow(tokens: readonly Token[], i: number): boolean {
  return isPunct(tokens[i], '=') && isPunct(tokens[i + 1], '>') && !tokens[i + 1]!.spaced
}

function render(tokens: readonly Token[]): string {
  let out = ''
  tokens.forEach((t, i) => {
    const previous = tokens[i - 1]
    const words = previous?.kind === 'word' && t.kind === 'word'
    // `a + +b` must not read as `a++b`.
    const signs =
      t.spaced &&
      previous?.kind === 'punct' &&
      t.kind === 'punct' &&
      /[+-]/.test(t.text) &&
      previous.text === t.text
    out += (words || signs ? ' ' : '') + t.text
  })
  return out
}
