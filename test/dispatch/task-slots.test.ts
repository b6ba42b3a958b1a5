/** TaskSlots: at most `capacity` tasks run, waiters are served oldest first, at most `maxQueue` wait. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TaskSlots } from '../../src/dispatch/task-slots.js'

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('capacity slots are granted at once, the next maxQueue wait, any more are refused', async () => {
  const slots = new TaskSlots(2, 2)
  const granted: string[] = []
  const take = (name: string): boolean => {
    const slot = slots.acquire()
    void slot?.then(() => granted.push(name))
    return slot !== undefined
  }
  assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map(take), [true, true, true, true, false])
  await settle()
  assert.deepEqual(granted, ['a', 'b'])
  assert.equal(slots.queued, 2)
  slots.release()
  await settle()
  assert.deepEqual(granted, ['a', 'b', 'c'], 'a released slot goes to the oldest waiter')
  assert.equal(take('f'), true, 'there is room to wait again')
  assert.equal(take('g'), false, 'the queue is full again: c took the slot, d and f wait')
  slots.release()
  slots.release()
  await settle()
  assert.deepEqual(granted, ['a', 'b', 'c', 'd', 'f'])
  assert.equal(slots.queued, 0)
})

test('a released slot is handed over, not freed, while someone waits', async () => {
  const slots = new TaskSlots(1, 4)
  const order: number[] = []
  void slots.acquire()
  for (const i of [1, 2, 3]) void slots.acquire()?.then(() => order.push(i))
  slots.release()
  void slots.acquire()?.then(() => order.push(4))
  await settle()
  assert.deepEqual(order, [1], 'the newcomer queued behind 2 and 3 instead of taking a freed slot')
  slots.release()
  slots.release()
  slots.release()
  await settle()
  assert.deepEqual(order, [1, 2, 3, 4])
  slots.release()
  assert.ok(slots.acquire(), 'all free again')
  assert.equal(slots.queued, 0)
})

test('maxQueue 0: nothing waits', () => {
  const slots = new TaskSlots(1, 0)
  assert.ok(slots.acquire())
  assert.equal(slots.acquire(), undefined)
})
