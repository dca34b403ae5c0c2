import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalFunctionText } from './function-text.js'

// The same functions as tsx (esbuild, whitespace-minified) and vitest (oxc) print them.
const TRANSPILED: readonly [tsx: string, oxc: string, canonical: string][] = [
  ['e=>e.a', '(e) => e.a', 'e=>e.a'],
  ['e=>e.type===type?1:void 0', '(e) => e.type === type ? 1 : undefined', 'e=>e.type===type?1:undefined'],
  [
    `e=>{const x=e.b?.c??'def "q"';return x.length>2?e.a*2:void 0}`,
    '(e) => {\n\t\t// comment here\n\t\tconst x = e.b?.c ?? "def \\"q\\"";\n\t\treturn x.length > 2 ? e.a * 2 : undefined;\n\t}',
    'e=>{const x=e.b?.c??"def \\"q\\"";return x.length>2?e.a*2:undefined}',
  ],
  [
    'function named(e){return e.a}',
    'function named(e) {\n\t\treturn e.a;\n\t}',
    'function named(e){return e.a}',
  ],
  ['e=>({v:e.a})', '(e) => ({ v: e.a })', 'e=>({v:e.a})'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: function source text holding a template literal
  ['e=>`t${e.a}  x`', '(e) => `t${e.a}  x`', 'e=>`t${e.a}  x`'],
  ['e=>/a  b/.test(e.type)', '(e) => /a  b/.test(e.type)', 'e=>/a  b/.test(e.type)'],
  ['_e=>true', '(_e) => true', '_e=>true'],
  ['({a})=>a', '({ a }) => a', '({a})=>a'],
]

describe('canonicalFunctionText', () => {
  it.each(TRANSPILED)('gives %j and its oxc printing one text', (tsx, oxc, canonical) => {
    expect(canonicalFunctionText(tsx)).toBe(canonical)
    expect(canonicalFunctionText(oxc)).toBe(canonical)
  })

  it('reads a function through its source text', () => {
    expect(canonicalFunctionText((e: { carId: string }) => e.carId)).toBe('e=>e.carId')
  })

  it('ignores how the source was formatted: quotes, number spelling, trailing commas, body parentheses', () => {
    const variants = [
      "(e) => (e.kind === 'ride' ? [e.a, e.b,] : 1_000)",
      '(e)=>e.kind==="ride"?[e.a,e.b]:1000',
      '(e) => /* why */ (e.kind === "\\x72ide" ? [e.a, e.b] : 1e3);',
    ]
    expect(new Set(variants.map(canonicalFunctionText))).toEqual(
      new Set(['e=>e.kind==="ride"?[e.a,e.b]:1000']),
    )
  })

  it('keeps every difference in behaviour', () => {
    const distinct = [
      'e=>e.a',
      'e=>e.b',
      'e=>e.a+ +e.b',
      'e=>e.a+e.b',
      'e=>"a b"',
      'e=>"ab"',
      'e=>/a b/.test(e)',
      'e=>/ab/.test(e)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: function source text holding a template literal
      'e=>`a ${e.x}`',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: function source text holding a template literal
      'e=>`a${e.x}`',
      'e=>(e.a,e.b)',
      'e=>e.a>1',
      'e=>e.a>=1',
      'e=>e.a===void 1',
      'e=>e.a===undefined',
      'e=>[e.a,,]',
      'e=>[e.a,]',
    ]
    expect(new Set(distinct.map(canonicalFunctionText)).size).toBe(distinct.length)
  })

  it('does not mistake a division for a regex or a comment', () => {
    expect(canonicalFunctionText('(e) => (e.b - e.a) / 1_000 / 60 // minutes')).toBe('e=>(e.b-e.a)/1000/60')
    expect(canonicalFunctionText('(e) => e.s.replace(/[/ ]+/g, "-")')).toBe('e=>e.s.replace(/[/ ]+/g,"-")')
  })

  // Token streams of plausible definitions; any whitespace or comment between tokens must not matter.
  const PROGRAMS: readonly string[][] = [
    ['(', 'e', ')', '=>', 'e', '.', 'carId'],
    ['(', 'e', ')', '=>', '(', 'e', '.', 'type', '===', "'x'", '?', '1', ':', 'undefined', ')'],
    [
      '(',
      'e',
      ')',
      '=>',
      '{',
      'const',
      'd',
      '=',
      'e',
      '.',
      'b',
      '-',
      'e',
      '.',
      'a',
      ';',
      'return',
      'd',
      '>',
      '0',
      '?',
      'd',
      '/',
      '1_000',
      ':',
      'null',
      '}',
    ],
    ['function', '(', 'e', ')', '{', 'return', '`${', 'e', '.', 'zone', '}:${', 'e', '.', 'kind', '}`', '}'],
    ['(', '{', 'ts', ',', 'offsetMs', '}', ')', '=>', 'ts', '+', '(', 'offsetMs', '??', '0', ')'],
  ]
  const isWord = (t: string) => /^[\w$]/.test(t)
  const gap = (left: string, right: string) =>
    fc.constantFrom(
      ...(isWord(left.at(-1) ?? '') && isWord(right) ? [] : ['']),
      ' ',
      '\n    ',
      '\t',
      ' /* note */ ',
      ' // note\n',
    )

  it('is the same for any whitespace and comments between tokens', () => {
    const program = fc
      .constantFrom(...PROGRAMS)
      .chain((tokens) =>
        fc.tuple(fc.constant(tokens), fc.tuple(...tokens.slice(1).map((t, i) => gap(tokens[i]!, t)))),
      )
    fc.assert(
      fc.property(program, ([tokens, gaps]) => {
        const tight = tokens.map((t, i) =>
          i > 0 && isWord(tokens[i - 1]!.at(-1)!) && isWord(t) ? ` ${t}` : t,
        )
        const spaced = tokens.map((t, i) => (i === 0 ? t : `${gaps[i - 1]}${t}`))
        expect(canonicalFunctionText(spaced.join(''))).toBe(canonicalFunctionText(tight.join('')))
      }),
    )
  })

  it('is idempotent', () => {
    for (const [tsx, oxc] of TRANSPILED) {
      for (const text of [tsx, oxc]) {
        const once = canonicalFunctionText(text)
        expect(canonicalFunctionText(once)).toBe(once)
      }
    }
  })
})
