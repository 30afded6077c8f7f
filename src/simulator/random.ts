// Seeded randomness: serials, secrets, request ids and injected faults come from independent
// SHA-256 counter streams, so one seed replays a whole run and faults never shift the ids.
import { createHash, randomBytes } from 'node:crypto';

export class SeededRandom {
  private counter = 0;
  private pool = Buffer.alloc(0);

  constructor(
    private readonly seed: string,
    private readonly stream: string,
  ) {}

  bytes(length: number): Buffer {
    while (this.pool.length < length) {
      const block = createHash('sha256')
        .update(`${this.seed}\u0000${this.stream}\u0000${this.counter++}`)
        .digest();
      this.pool = Buffer.concat([this.pool, block]);
    }
    const out = this.pool.subarray(0, length);
    this.pool = this.pool.subarray(length);
    return Buffer.from(out);
  }

  /** Uniform in [0, 1) with 48 bits of precision. */
  float(): number {
    return this.bytes(6).readUIntBE(0, 6) / 2 ** 48;
  }

  /** Uniform integer in [min, max] (both inclusive, span below 2^48). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.int(0, 9));
    return out;
  }
}

/** A seed given by the caller, or a fresh random one (reported so a run can be replayed). */
export function resolveSeed(seed: number | string | undefined): string {
  return seed === undefined ? randomBytes(8).toString('hex') : String(seed);
}
