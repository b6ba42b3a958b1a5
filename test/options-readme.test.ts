/** The README's options table lists exactly the options the store accepts, with their declared defaults. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { OPTIONS, OPTION_NAMES, type OptionName, type OptionSpec } from '../src/options/resolve.js'

interface Row {
  readonly name: string
  readonly shownDefault: string
}

/** The rows of the first table under "## Options", as `option | type | default | meaning`. */
function optionRows(): Row[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.split(/^## /m).find((part) => part.startsWith('Options\n'))
  assert.ok(section, 'README has an "## Options" section')
  const lines = section.split('\n').filter((line) => line.startsWith('|'))
  assert.match(lines[0] ?? '', /^\| option \| type \| default \| meaning \|$/, 'the table header')
  return lines.slice(2).map((line) => {
    // Cells are split on pipes that are not escaped (`\|` appears inside the type column).
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim())
    const name = /^`([A-Za-z]+)`$/.exec(cells[1] ?? '')?.[1]
    assert.ok(name, `a row names one option in backticks: ${line}`)
    return { name, shownDefault: cells[3] ?? '' }
  })
}

/** What the README shows for a declared default, reduced to comparable text. */
function expectedDefault(spec: OptionSpec<unknown>): string {
  if (spec.required) return 'required'
  if (spec.default === undefined) return 'none'
  if (spec.default === JSON) return 'JSON'
  return String(spec.default)
}

/** `"sess:"` → sess:, `86400` (1 day) → 86400, **required** → required, — → none. */
function normalise(shown: string): string {
  const text = shown.replace(/\*\*/g, '').replace(/\s*\(.*\)$/, '').replace(/`/g, '').trim()
  if (text === '—' || text === 'none') return 'none'
  return text.replace(/^(["'])(.*)\1$/, '$2')
}

describe('README options table', () => {
  const rows = optionRows()

  it('lists every accepted option once and nothing else', () => {
    const names = rows.map((row) => row.name)
    assert.equal(new Set(names).size, names.length, `no option is listed twice: ${names.join(', ')}`)
    assert.deepEqual([...names].sort(), [...OPTION_NAMES].sort())
  })

  for (const row of rows) {
    if (!(row.name in OPTIONS)) continue
    it(`shows the declared default of ${row.name}`, () => {
      const spec: OptionSpec<unknown> = OPTIONS[row.name as OptionName]
      assert.equal(normalise(row.shownDefault), expectedDefault(spec), `README shows ${row.shownDefault}`)
    })
  }
})
