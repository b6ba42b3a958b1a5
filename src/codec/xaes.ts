import { createCipheriv, randomFillSync, type Cipher } from 'node:crypto'

/** Records whose nonces and keys are made by one ECB call when sealing: Node's per-call cost, not AES, dominates one derivation. */
const BATCH = 32

/**
 * The per-record key derivation of XAES-256-GCM (C2SP, https://c2sp.org/XAES-256-GCM): a NIST
 * SP 800-108r1 counter-mode KDF with AES-256-CMAC as the PRF, over the first 12 bytes of a
 * 24-byte nonce. Both CMAC inputs are one full block, so each costs a single AES block
 * encryption; one long-lived ECB cipher does both (ECB keeps no state between blocks).
 */
export class RecordKeyDeriver {
  readonly #ecb: Cipher
  /** M1 ⊕ K1 || M2 ⊕ K1 with a zero nonce prefix; the nonce is XORed in per record. */
  readonly #template: Buffer
  readonly #blocks = Buffer.allocUnsafeSlow(32)
  readonly #nonces = Buffer.allocUnsafeSlow(BATCH * 24)
  readonly #batchBlocks = Buffer.allocUnsafeSlow(BATCH * 32)
  #keys: Buffer = Buffer.alloc(0)
  #next = BATCH

  constructor(key: Uint8Array) {
    this.#ecb = createCipheriv('aes-256-ecb', key, null)
    this.#ecb.setAutoPadding(false)
    const l = this.#ecb.update(Buffer.alloc(16))
    const k1 = Buffer.alloc(16)
    for (let i = 0; i < 16; i++) k1[i] = ((l[i] as number) << 1) | ((l[i + 1] ?? 0) >> 7)
    if (((l[0] as number) & 0x80) !== 0) k1[15] = (k1[15] as number) ^ 0x87
    l.fill(0)
    this.#template = Buffer.alloc(32)
    this.#template.set([0x00, 0x01, 0x58, 0x00], 0)
    this.#template.set([0x00, 0x02, 0x58, 0x00], 16)
    for (let i = 0; i < 32; i++) this.#template[i] = (this.#template[i] as number) ^ (k1[i & 15] as number)
    k1.fill(0)
  }

  /**
   * Writes a fresh random 24-byte nonce into `nonce` and returns the key for it, as `derive`
   * would. Nonces and keys come in batches; each is handed out once and the caller zeroes the key.
   */
  fresh(nonce: Buffer): Buffer {
    if (this.#next === BATCH) this.#refill()
    const at = this.#next++
    this.#nonces.copy(nonce, 0, at * 24, at * 24 + 24)
    return this.#keys.subarray(at * 32, at * 32 + 32)
  }

  #refill(): void {
    this.#keys.fill(0)
    randomFillSync(this.#nonces)
    const blocks = this.#batchBlocks
    for (let r = 0; r < BATCH; r++) {
      const base = r * 32
      this.#template.copy(blocks, base)
      for (let i = 0; i < 12; i++) {
        const n = this.#nonces[r * 24 + i] as number
        blocks[base + 4 + i] = (blocks[base + 4 + i] as number) ^ n
        blocks[base + 20 + i] = (blocks[base + 20 + i] as number) ^ n
      }
    }
    this.#keys = this.#ecb.update(blocks)
    blocks.fill(0)
    this.#next = 0
  }

  /**
   * Zeroes what this deriver holds of its key (the XORed template, unused record keys); it must not
   * be used again. The AES-ECB context inside OpenSSL is freed with the object, not zeroed here.
   */
  wipe(): void {
    for (const buffer of [this.#template, this.#keys, this.#blocks, this.#batchBlocks, this.#nonces]) buffer.fill(0)
    this.#next = BATCH
  }

  /** The 32-byte key for the record whose nonce is `nonce` (only its first 12 bytes are used). */
  derive(nonce: Uint8Array): Buffer {
    const blocks = this.#blocks
    this.#template.copy(blocks)
    for (let i = 0; i < 12; i++) {
      const n = nonce[i] as number
      blocks[4 + i] = (blocks[4 + i] as number) ^ n
      blocks[20 + i] = (blocks[20 + i] as number) ^ n
    }
    const key = this.#ecb.update(blocks)
    blocks.fill(0)
    return key
  }
}
