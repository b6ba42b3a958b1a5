import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runCli } from './support/cli-process.js'

describe('cli: a password in --url', () => {
  it('is refused (it would show in ps), pointing to REDIS_URL, without echoing it', async () => {
    const urls = [
      ['--url', 'redis://:hunter2-in-argv@127.0.0.1:1'],
      ['--url=redis://default:hunter2-in-argv@127.0.0.1:1/0'],
      ['--url', 'rediss://user:hunter2-in-argv@redis.example:6380'],
      ['--url', 'redis://127.0.0.1:1?password=hunter2-in-argv'],
    ]
    const commands = ['stats', 'rekey', 'migrate', 'inspect some-id']
    const runs = urls.map((url, i) => runCli([...(commands[i] as string).split(' '), ...url]))
    for (const r of await Promise.all(runs)) {
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /--url .*the URL carries a password, which would show in ps/)
      assert.match(r.stderr, /REDIS_URL='redis:\/\/user:password@host:port'/)
      assert.ok(!`${r.stdout}${r.stderr}`.includes('hunter2'), r.stderr)
    }
  })

  it('a --url with a user name only, or none, is used as given', async () => {
    const results = await Promise.all([runCli(['stats', '--url', 'redis://someone@127.0.0.1:1']), runCli(['stats', '--url', 'redis://127.0.0.1:1'])])
    for (const r of results) {
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, /cannot connect to Redis at redis:\/\/(someone@)?127\.0\.0\.1:1/)
    }
  })
})
