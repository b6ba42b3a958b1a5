/**
 * Debian's Chromium, driven by playwright-core, uses the example app (examples/app.ts, run as a
 * child process) against a private redis-server: log in, restart the app, still logged in, fill
 * the cart, log out. Every command Redis receives is recorded (MONITOR) to show that the user
 * name never reaches it in the clear. After logout, Back shows nothing private (pages are no-store).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { createClient, RESP_TYPES } from 'redis'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { browserSuite, LAUNCH } from './support/chromium.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const USER = 'Ada Lovelace'
const SECRET = randomBytes(32).toString('base64url')

interface RunningChild {
  readonly url: string
  readonly port: number
  /** Everything the app printed so far. */
  output(): string
  stop(): Promise<number | null>
}

/** Starts `examples/app.ts` as `npm start` would and resolves once it prints its URL. */
function startAppProcess(redisUrl: string, port: number): Promise<RunningChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'examples/app.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: redisUrl, SESSION_STORE_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let listening = false
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output)
      if (!match || listening) return
      listening = true
      resolve({
        url: match[1] as string,
        port: Number(match[2]),
        output: () => output,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM')
          return exited
        },
      })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`the example app exited (${code}) before listening:\n${output}`)))
  })
}

/** Every command Redis executes, as MONITOR prints it. */
function monitor(port: number): { log: () => string; close: () => void } {
  let log = ''
  const socket: Socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('MONITOR\r\n'))
  socket.on('data', (chunk: Buffer) => (log += chunk.toString('latin1')))
  return { log: () => log, close: () => socket.destroy() }
}

let redis: LocalRedis
let inspector: ReturnType<typeof createClient>
let recorder: ReturnType<typeof monitor>
let app: RunningChild | undefined
let context: BrowserContext | undefined
let profileDir: string

const rawValue = (key: string) => inspector.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key) as Promise<Buffer | null>

async function sessionKey(): Promise<string> {
  const cookie = (await (context as BrowserContext).cookies()).find((c) => c.name === 'connect.sid')
  assert.ok(cookie, 'the browser holds a session cookie')
  const match = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))
  assert.ok(match, 'a signed express-session cookie')
  return `sess:${match[1]}`
}

async function assertSealed(key: string): Promise<void> {
  const value = await rawValue(key)
  assert.ok(value, `${key} is in Redis`)
  assert.equal(value[0], 0x02, 'a sealed record (format version 2)')
  assert.ok(!value.includes(USER) && !value.includes('Lovelace'), 'the raw value does not contain the user name')
}

browserSuite('the example app in a real browser', () => {
  before(async () => {
    redis = await startRedis()
    inspector = createClient({ url: redis.url })
    await inspector.connect()
    recorder = monitor(redis.port)
    profileDir = mkdtempSync(join(tmpdir(), 'sealed-chromium-'))
    context = await chromium.launchPersistentContext(profileDir, { ...LAUNCH, viewport: { width: 900, height: 640 } })
  })

  after(async () => {
    await context?.close()
    await app?.stop()
    recorder?.close()
    await inspector?.close()
    await redis?.stop()
    rmSync(profileDir, { recursive: true, force: true })
  })

  it('log in, restart the app, still logged in, add to cart, log out; Back then shows nothing private', async () => {
    app = await startAppProcess(redis.url, 0)
    const page: Page = await (context as BrowserContext).newPage()
    await page.goto(`${app.url}/`)
    await page.fill('input[name="name"]', USER)
    await Promise.all([page.waitForURL(`${app.url}/profile`), page.click('button:has-text("Log in")')])
    assert.equal(await page.textContent('td'), USER)
    const key = await sessionKey()
    await assertSealed(key)

    const port = app.port
    const stopped = app
    assert.equal(await stopped.stop(), 0, `the app shuts down cleanly on SIGTERM:\n${stopped.output()}`)
    assert.equal(await inspector.exists(key), 1, 'the session outlives the app process')
    app = await startAppProcess(redis.url, port)
    await page.goto(`${app.url}/profile`)
    assert.equal(page.url(), `${app.url}/profile`, 'not sent back to the login page')
    assert.equal(await page.textContent('td'), USER)

    await page.goto(`${app.url}/cart`)
    await page.click('button:text-is("Add 1,000")')
    await page.waitForSelector('strong:text-is("1,000 items")')
    assert.equal(await page.textContent('.notice.ok'), 'Added 1,000 × Green tea, 100 g to your cart.')
    await page.click('li:has-text("Blue enamel mug") button:text-is("Add")')
    await page.waitForSelector('strong:text-is("1,001 items")')
    assert.equal(await page.textContent('.notice.ok'), 'Added Blue enamel mug to your cart.')
    assert.match((await page.textContent('main')) ?? '', /1,001 items[\s\S]*worker pool/)
    await page.reload()
    assert.equal(await page.locator('.notice').count(), 0, 'a reload after an add neither posts again nor repeats the message')
    assert.ok(await page.isVisible('strong:text-is("1,001 items")'))
    await assertSealed(key)
    assert.equal(await sessionKey(), key, 'the same session throughout')

    await Promise.all([page.waitForURL(`${app.url}/`), page.click('header button:text-is("Log out")')])
    assert.ok(await page.isVisible('input[name="name"]'), 'back on the login page')
    assert.equal(await page.textContent('.notice.ok'), 'You are logged out. Nothing of your session is left in Redis.')
    assert.equal(await inspector.exists(key), 0, "the cookie's session is gone from Redis")
    assert.equal((await (context as BrowserContext).cookies()).find((c) => c.name === 'connect.sid'), undefined)

    for (let step = 0; step < 2; step++) {
      await page.goBack()
      const shown = await page.content()
      assert.ok(!shown.includes('1,001') && !shown.includes(USER), `Back (${step + 1}) shows the cart or the name of the logged-out user at ${page.url()}`)
    }

    const commands = recorder.log()
    assert.match(commands, new RegExp(`"SET" "${key}"`), 'MONITOR saw the session writes')
    assert.match(commands, new RegExp(`"DEL" "${key}"`), 'MONITOR saw the logout')
    assert.ok(!commands.includes('Lovelace'), 'no command sent to Redis ever held the user name')
  })
})
