/**
 * One source of option defaults: `OPTIONS` in src/options/resolve.ts. The README's options table
 * and the JSDoc of `RedisStoreOptions` (src/options/types.ts) must name the same options, with the
 * same kinds of values and the same defaults, sub-option defaults (`pool`, `compress`) included.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { OPTIONS, OPTION_NAMES, type OptionName, type OptionSpec } from '../src/options/resolve.js'

interface Row {
  readonly name: string
  readonly type: string
  readonly shownDefault: string
  readonly meaning: string
}

/** Splits on pipes that are not escaped (`\|` appears inside cells). */
const cells = (line: string): string[] => line.split(/(?<!\\)\|/).map((cell) => cell.trim())

/** The rows of the first table under "## Options", as `option | type | default | meaning`. */
function readmeRows(): Row[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.split(/^## /m).find((part) => part.startsWith('Options\n'))
  assert.ok(section, 'README has an "## Options" section')
  const lines = section.split('\n').filter((line) => line.startsWith('|'))
  assert.match(lines[0] ?? '', /^\| option \| type \| default \| meaning \|$/, 'the table header')
  return lines.slice(2).map((line) => {
    const [, option, type, shownDefault, meaning] = cells(line)
    const name = /^`([A-Za-z]+)`$/.exec(option ?? '')?.[1]
    assert.ok(name, `a row names one option in backticks: ${line}`)
    return { name, type: type ?? '', shownDefault: shownDefault ?? '', meaning: meaning ?? '' }
  })
}

/** What the docs show for a declared default, reduced to comparable text. */
function expectedDefault(spec: OptionSpec<unknown>): string {
  if (spec.required) return 'required'
  if (spec.default === undefined) return 'none'
  if (spec.default === JSON) return 'JSON'
  return String(spec.default)
}

/** `"sess:"` → sess:, `86400` (1 day) → 86400, **required** → required, — → none, 8 MiB → 8388608. */
function normalise(shown: string): string {
  const text = shown.replace(/\*\*/g, '').replace(/\s*\(.*\)$/, '').replace(/`/g, '').replace(/\.$/, '').trim()
  if (text === '—' || text === 'none') return 'none'
  const mib = /^(\d+) MiB$/.exec(text)
  if (mib) return String(Number(mib[1]) * 1024 * 1024)
  return text.replace(/^(["'])(.*)\1$/, '$2').replace(/(\d)_(?=\d)/g, '$1')
}

/** The kinds of value a README type cell allows: number, string, boolean, true, false, 'literal', function, object, array, any. */
function readmeKinds(type: string): Set<string> {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const piece of type.split(/(`|\\\|)/)) {
    if (piece === '`') depth = 1 - depth
    if (piece === '\\|' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += piece
  }
  parts.push(current)
  const kinds = parts.map((raw) => {
    const part = raw.replace(/`/g, '').trim()
    if (/^'[^']+'$/.test(part) || ['boolean', 'true', 'false', 'string'].includes(part)) return part
    if (/^(seconds|ms|bytes|keys|number)$/.test(part)) return 'number'
    if (part.includes('=>')) return 'function'
    if (/^\{.*\}$/.test(part) || /Buffer|settings|pool$/.test(part)) return 'object'
    if (/^array\b/.test(part)) return 'array'
    if (/client/.test(part)) return 'any'
    throw new Error(`README type "${part}" (in "${type}") is not a kind this test knows`)
  })
  return booleanFolded(kinds)
}

function booleanFolded(kinds: readonly string[]): Set<string> {
  const set = new Set(kinds)
  if (set.has('true') && set.has('false')) {
    set.delete('true')
    set.delete('false')
    set.add('boolean')
  }
  return set
}

interface Declared {
  readonly doc: string
  readonly kinds: Set<string>
  /** JSDoc of each property of the option's settings object, when it has one. */
  readonly subDocs: Map<string, string>
}

/** The options as src/options/types.ts declares them: JSDoc, kinds of value, settings' JSDoc. */
function declaredOptions(): Map<string, Declared> {
  const file = fileURLToPath(new URL('../src/options/types.ts', import.meta.url))
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  assert.ok(source)
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'RedisStoreOptions')
  assert.ok(decl)
  const docOf = (symbol: ts.Symbol): string => ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ')
  const kindOf = (t: ts.Type): string | undefined => {
    if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) return undefined
    if (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return 'any'
    if (t.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return 'number'
    if (t.isStringLiteral()) return `'${t.value}'`
    if (t.flags & ts.TypeFlags.String) return 'string'
    if (t.flags & ts.TypeFlags.BooleanLiteral) return checker.typeToString(t)
    if (['Array', 'ReadonlyArray'].includes(t.getSymbol()?.getName() ?? '')) return 'array'
    if (t.getCallSignatures().length > 0) return 'function'
    return 'object'
  }
  const options = new Map<string, Declared>()
  for (const property of checker.getTypeAtLocation(decl).getProperties()) {
    const type = checker.getTypeOfSymbolAtLocation(property, decl)
    const members = type.isUnion() ? type.types : [type]
    const subDocs = new Map<string, string>()
    for (const member of members) {
      if (kindOf(member) !== 'object') continue
      for (const sub of member.getProperties()) if (!subDocs.has(sub.name)) subDocs.set(sub.name, docOf(sub))
    }
    options.set(property.name, { doc: docOf(property), kinds: booleanFolded(members.map(kindOf).filter((k) => k !== undefined)), subDocs })
  }
  return options
}

/** The JSDoc's default: "Required.", "Default `x`", "Default 8 MiB", "Default: none (…)". */
function jsdocDefault(doc: string): string {
  if (/(^|\. )Required\./.test(doc)) return 'required'
  const found = /\bDefault:? (`[^`]*`|none|[\d_]+(?: MiB)?)/.exec(doc)
  assert.ok(found, `no "Default …" in: ${doc}`)
  return normalise(found[1] as string)
}

/** How a sub-option default is written in both docs: `'gzip'`, 60000, or the computation as text. */
const shownSub = (value: number | string): string => (typeof value === 'number' ? String(value) : /^[a-z]+$/.test(value) ? `\`'${value}'\`` : value)

describe('options: README table and types.ts JSDoc against OPTIONS', () => {
  const rows = readmeRows()
  const declared = declaredOptions()

  it('both list every accepted option once and nothing else', () => {
    const names = rows.map((row) => row.name)
    assert.equal(new Set(names).size, names.length, `no option is listed twice: ${names.join(', ')}`)
    assert.deepEqual([...names].sort(), [...OPTION_NAMES].sort())
    assert.deepEqual([...declared.keys()].sort(), [...OPTION_NAMES].sort())
  })

  for (const row of rows) {
    if (!(row.name in OPTIONS)) continue
    const spec: OptionSpec<unknown> = OPTIONS[row.name as OptionName]
    it(`${row.name}: the README and the JSDoc show the declared default`, () => {
      assert.equal(normalise(row.shownDefault), expectedDefault(spec), `README shows ${row.shownDefault}`)
      const doc = declared.get(row.name)?.doc ?? ''
      assert.equal(jsdocDefault(doc), expectedDefault(spec), `types.ts JSDoc: ${doc}`)
    })

    it(`${row.name}: the README type allows the kinds of value types.ts declares, and the check agrees on true`, () => {
      const types = declared.get(row.name)?.kinds ?? new Set()
      if (types.has('any')) return
      const shown = readmeKinds(row.type)
      assert.deepEqual([...shown].sort(), [...types].sort(), `README "${row.type}"`)
      if (types.has('boolean')) assert.doesNotThrow(() => spec.check(true, row.name), `${row.name}: true is declared but refused`)
      else if (types.has('false')) assert.throws(() => spec.check(true, row.name), TypeError, `${row.name}: true is accepted but not declared`)
    })

    for (const [sub, value] of Object.entries(spec.sub ?? {})) {
      it(`${row.name}.${sub}: the README row and the JSDoc show the default ${value}`, () => {
        const others = Object.keys(spec.sub ?? {}).filter((name) => name !== sub)
        const from = row.meaning.indexOf(`\`${sub}\``)
        assert.ok(from >= 0, `the README row of ${row.name} names \`${sub}\``)
        const ends = others.map((name) => row.meaning.indexOf(`\`${name}\``, from + 1)).filter((at) => at > from)
        const segment = row.meaning.slice(from, ends.length ? Math.min(...ends) : undefined)
        assert.ok(segment.includes(`default ${shownSub(value)}`), `README: "${segment}" lacks "default ${shownSub(value)}"`)
        const doc = declared.get(row.name)?.subDocs.get(sub) ?? ''
        assert.match(doc, new RegExp(`\\bDefault:? ${shownSub(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `types JSDoc of ${row.name}.${sub}`)
      })
    }
  }
})
