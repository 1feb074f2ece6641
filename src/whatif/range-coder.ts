/**
 * An adaptive binary range coder and an integer model on top of it, for the what-if page's
 * integer columns (pack.ts). Written for this project: the encoder keeps `low` below 2^40 as a
 * double and carries into the bytes already written through a pending-byte count, the decoder
 * mirrors it with 32-bit unsigned arithmetic. Each binary decision has its own adaptive
 * probability (16 bits, of a 0), updated by 1/(n + 1.5) of the error for its n-th use (a running
 * frequency at first, then a fixed rate), so contexts learn fast and then settle. Encoder and
 * decoder run the same arithmetic in the same order, so decoding is exact on every engine.
 */

const TOP = 2 ** 24;
const TWO32 = 2 ** 32;
const HALF = 32768;
const P_MIN = 32;
const P_MAX = 65536 - 32;
/** Uses after which a probability adapts at a fixed rate of about 1/(RATE_LIMIT + 1.5). */
const RATE_LIMIT = 30;

/** The share of the error a probability moves by at its n-th use. */
const RATES = Float64Array.from({ length: RATE_LIMIT + 1 }, (_, n) => 1 / (n + 1.5));

/** Adaptive probabilities of a fixed number of binary contexts. */
export class BitModels {
  readonly p: Uint16Array;
  readonly n: Uint8Array;
  constructor(readonly size: number) {
    this.p = new Uint16Array(size).fill(HALF);
    this.n = new Uint8Array(size);
  }
  update(i: number, bit: number): void {
    const p = this.p[i] as number;
    const n = this.n[i] as number;
    const target = bit === 0 ? 65536 : 0;
    let next = p + Math.trunc((target - p) * (RATES[n] as number));
    if (next < P_MIN) next = P_MIN;
    else if (next > P_MAX) next = P_MAX;
    this.p[i] = next;
    if (n < RATE_LIMIT) this.n[i] = n + 1;
  }
}

export class RangeEncoder {
  private out = new Uint8Array(1 << 16);
  private length = 0;
  private low = 0;
  private range = 0xffffffff;
  /** The byte not yet written (a carry may still raise it) and the 0xff bytes after it. */
  private cache = 0;
  private pending = 1;

  private push(byte: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= TWO32) {
      const carry = this.low >= TWO32 ? 1 : 0;
      let byte = this.cache;
      for (; this.pending > 0; this.pending--) {
        this.push((byte + carry) & 0xff);
        byte = 0xff;
      }
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.pending++;
    this.low = (this.low % TOP) * 256;
  }

  private code(bound: number, bit: number): void {
    if (bit === 0) this.range = bound;
    else {
      this.low += bound;
      this.range -= bound;
    }
    while (this.range < TOP) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  bit(models: BitModels, i: number, bit: number): void {
    this.code((this.range >>> 16) * (models.p[i] as number), bit);
    models.update(i, bit);
  }

  /** `count` (<= 16) bits of `value`, high first, each at probability 1/2. */
  raw(value: number, count: number): void {
    for (let k = count - 1; k >= 0; k--) this.code((this.range >>> 16) * HALF, (value >>> k) & 1);
  }

  finish(): Uint8Array {
    for (let k = 0; k < 5; k++) this.shiftLow();
    return this.out.slice(0, this.length);
  }
}

export class RangeDecoder {
  private at = 0;
  /**
   * The coder's range and value (both below 2^32), in a typed array: stored in fields, every new
   * value above 2^31 is a number object of its own in recent engines (Chromium's V8 took seconds
   * of allocation and GC for the page's ~150 million decisions).
   */
  private readonly state = Uint32Array.of(0xffffffff, 0);
  constructor(private readonly bytes: Uint8Array) {
    // The encoder's first byte is always the initial cache (0).
    for (let k = 0; k < 5; k++) this.state[1] = (this.state[1]! * 256 + this.next()) % TWO32;
  }

  private next(): number {
    // Past the end: zeros (the encoder's flush wrote every byte that matters).
    return this.at < this.bytes.length ? (this.bytes[this.at++] as number) : (this.at++, 0);
  }

  /** Bytes read, with the encoder's flush. */
  get consumed(): number {
    return this.at;
  }

  private decode(bound: number): number {
    const state = this.state;
    let range = state[0] as number;
    let value = state[1] as number;
    let bit: number;
    if (value < bound) {
      range = bound;
      bit = 0;
    } else {
      value -= bound;
      range -= bound;
      bit = 1;
    }
    while (range < TOP) {
      range *= 256;
      value = value * 256 + this.next();
    }
    state[0] = range;
    state[1] = value;
    return bit;
  }

  /** decode() and models.update(i, bit) in one, on locals (the page decodes ~150 million of these). */
  bit(models: BitModels, i: number): number {
    const probs = models.p;
    const uses = models.n;
    const p = probs[i] as number;
    const n = uses[i] as number;
    let range = this.state[0]!;
    let value = this.state[1]!;
    const bound = (range >>> 16) * p;
    let bit: number;
    // As update(): a 0 moves p up (never below P_MIN), a 1 down (never above P_MAX).
    if (value < bound) {
      range = bound;
      bit = 0;
      const next = p + Math.trunc((65536 - p) * (RATES[n] as number));
      probs[i] = next > P_MAX ? P_MAX : next;
    } else {
      value -= bound;
      range -= bound;
      bit = 1;
      const next = p + Math.trunc((0 - p) * (RATES[n] as number));
      probs[i] = next < P_MIN ? P_MIN : next;
    }
    if (n < RATE_LIMIT) uses[i] = n + 1;
    while (range < TOP) {
      range *= 256;
      value = value * 256 + (this.at < this.bytes.length ? (this.bytes[this.at] as number) : 0);
      this.at++;
    }
    this.state[0] = range;
    this.state[1] = value;
    return bit;
  }

  raw(count: number): number {
    let value = 0;
    for (let k = 0; k < count; k++) value = value * 2 + this.decode((this.state[0]! >>> 16) * HALF);
    return value;
  }

  /**
   * `bits` decisions down a binary tree of contexts, node n at models[base + n] from n = 1: the
   * node reached (2^bits + the bits read, high first). The same arithmetic as bit(), with the
   * coder's state in locals for the whole walk.
   */
  tree(models: BitModels, base: number, bits: number): number {
    const probs = models.p;
    const uses = models.n;
    const bytes = this.bytes;
    let range = this.state[0]!;
    let value = this.state[1]!;
    let node = 1;
    for (let j = 0; j < bits; j++) {
      const i = base + node;
      const p = probs[i] as number;
      const n = uses[i] as number;
      const bound = (range >>> 16) * p;
      if (value < bound) {
        range = bound;
        node = node * 2;
        const next = p + Math.trunc((65536 - p) * (RATES[n] as number));
        probs[i] = next > P_MAX ? P_MAX : next;
      } else {
        value -= bound;
        range -= bound;
        node = node * 2 + 1;
        const next = p + Math.trunc((0 - p) * (RATES[n] as number));
        probs[i] = next < P_MIN ? P_MIN : next;
      }
      if (n < RATE_LIMIT) uses[i] = n + 1;
      while (range < TOP) {
        range *= 256;
        value = value * 256 + (this.at < bytes.length ? (bytes[this.at] as number) : 0);
        this.at++;
      }
    }
    this.state[0] = range;
    this.state[1] = value;
    return node;
  }

  /** Decisions at models[0], [1]... while they read 1, at most `max`: how many read 1 (bit() in a loop, on locals). */
  unary(models: BitModels, max: number): number {
    const probs = models.p;
    const uses = models.n;
    const bytes = this.bytes;
    let range = this.state[0]!;
    let value = this.state[1]!;
    let k = 0;
    for (; k < max; k++) {
      const p = probs[k] as number;
      const n = uses[k] as number;
      const bound = (range >>> 16) * p;
      let bit: number;
      if (value < bound) {
        range = bound;
        bit = 0;
        const next = p + Math.trunc((65536 - p) * (RATES[n] as number));
        probs[k] = next > P_MAX ? P_MAX : next;
      } else {
        value -= bound;
        range -= bound;
        bit = 1;
        const next = p + Math.trunc((0 - p) * (RATES[n] as number));
        probs[k] = next < P_MIN ? P_MIN : next;
      }
      if (n < RATE_LIMIT) uses[k] = n + 1;
      while (range < TOP) {
        range *= 256;
        value = value * 256 + (this.at < bytes.length ? (bytes[this.at] as number) : 0);
        this.at++;
      }
      if (bit === 0) break;
    }
    this.state[0] = range;
    this.state[1] = value;
    return k;
  }
}

/** Largest bit length class: values up to 2^53 - 1. */
const MAX_CLASS = 53;
/** Mantissa bits below the top bit coded through an adaptive tree (the rest at 1/2). */
const TREE_BITS = 6;

/**
 * Whole numbers 0 <= v < 2^53 under `contexts` separate adaptive models: the bit length of v + 1
 * in unary (adaptive per position), then, for the classes below `treeClasses`, its next
 * TREE_BITS bits through an adaptive binary tree per class (small values and spikes are learnt
 * exactly), then any lower bits at 1/2. A context's probabilities are made on its first use.
 */
export class IntegerModel {
  private readonly models: (BitModels | undefined)[];
  private readonly perContext: number;
  constructor(readonly contexts: number, private readonly treeClasses = 16) {
    this.models = new Array<BitModels | undefined>(contexts);
    this.perContext = MAX_CLASS + 1 + treeClasses * (1 << TREE_BITS);
  }

  private of(context: number): BitModels {
    let found = this.models[context];
    if (found === undefined) this.models[context] = found = new BitModels(this.perContext);
    return found;
  }

  encode(enc: RangeEncoder, context: number, value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0) || !(context >= 0 && context < this.contexts)) {
      throw new Error(`range coder: ${value} in context ${context} cannot be coded`);
    }
    const models = this.of(context);
    const v = value + 1;
    let k = 0;
    while (k < MAX_CLASS && v >= 2 ** (k + 1)) k++;
    for (let j = 0; j < k; j++) enc.bit(models, j, 1);
    if (k < MAX_CLASS) enc.bit(models, k, 0);
    let rest = v - 2 ** k;
    const treeBits = k < this.treeClasses ? Math.min(k, TREE_BITS) : 0;
    const low = k - treeBits;
    const top = Math.floor(rest / 2 ** low);
    rest -= top * 2 ** low;
    const tree = MAX_CLASS + 1 + k * (1 << TREE_BITS);
    let node = 1;
    for (let j = treeBits - 1; j >= 0; j--) {
      const bit = (top >>> j) & 1;
      enc.bit(models, tree + node, bit);
      node = node * 2 + bit;
    }
    for (let j = low; j > 0; ) {
      const count = Math.min(16, j);
      j -= count;
      enc.raw(Math.floor(rest / 2 ** j) % 2 ** count, count);
    }
  }

  decode(dec: RangeDecoder, context: number): number {
    const models = this.of(context);
    const k = dec.unary(models, MAX_CLASS);
    const treeBits = k < this.treeClasses ? Math.min(k, TREE_BITS) : 0;
    const low = k - treeBits;
    let v = dec.tree(models, MAX_CLASS + 1 + k * (1 << TREE_BITS), treeBits);
    for (let j = low; j > 0; ) {
      const count = Math.min(16, j);
      j -= count;
      v = v * 2 ** count + dec.raw(count);
    }
    return v - 1;
  }
}

/** Signed whole numbers (|v| < 2^52) to and from the naturals. */
export const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/**
 * Small whole numbers through one adaptive binary tree of `bits` levels per context (each value
 * below 2^bits - 1 in `bits` decisions); larger ones as the last leaf then an IntegerModel.
 */
export class SmallIntegerModel {
  private readonly models: BitModels;
  private readonly large: IntegerModel;
  private readonly escape: number;
  constructor(readonly contexts: number, private readonly bits: number) {
    this.models = new BitModels(contexts << bits);
    this.large = new IntegerModel(contexts);
    this.escape = (1 << bits) - 1;
  }

  encode(enc: RangeEncoder, context: number, value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0) || !(context >= 0 && context < this.contexts)) {
      throw new Error(`range coder: ${value} in context ${context} cannot be coded`);
    }
    const symbol = value < this.escape ? value : this.escape;
    const base = context << this.bits;
    let node = 1;
    for (let j = this.bits - 1; j >= 0; j--) {
      const bit = (symbol >>> j) & 1;
      enc.bit(this.models, base + node, bit);
      node = node * 2 + bit;
    }
    if (symbol === this.escape) this.large.encode(enc, context, value - this.escape);
  }

  decode(dec: RangeDecoder, context: number): number {
    const symbol = dec.tree(this.models, context << this.bits, this.bits) - (1 << this.bits);
    return symbol === this.escape ? this.escape + this.large.decode(dec, context) : symbol;
  }
}
