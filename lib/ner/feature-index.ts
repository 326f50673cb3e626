// An open-addressing hash map from a feature's two 32-bit hashes to a dense row id (and a count), on typed
// arrays: much faster than a Map with 53-bit number keys for the hundreds of thousands of features of a model.

/** Feature (hA, hB) → row id, with per-row occurrence counts. */
export class FeatureIndex {
  private keysA: Uint32Array;
  private keysB: Uint32Array;
  private rows: Int32Array;
  private mask: number;
  size = 0;
  rowA: Uint32Array;
  rowB: Uint32Array;
  counts: Int32Array;

  constructor(capacity = 1024) {
    let cap = 1024;
    while (cap < capacity * 2) cap *= 2;
    this.keysA = new Uint32Array(cap);
    this.keysB = new Uint32Array(cap);
    this.rows = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.rowA = new Uint32Array(capacity);
    this.rowB = new Uint32Array(capacity);
    this.counts = new Int32Array(capacity);
  }

  private slot(a: number, b: number): number {
    let i = (b ^ Math.imul(a, 0x9e3779b1)) & this.mask;
    while (this.rows[i] >= 0 && (this.keysA[i] !== a || this.keysB[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The row of (a, b), or −1. */
  get(a: number, b: number): number {
    return this.rows[this.slot(a, b)];
  }

  /** `out[i] = get(a[i], b[i])` for every i (see `addAll`). */
  getAll(a: Uint32Array, b: Uint32Array, out: Int32Array): void {
    const { keysA, keysB, rows, mask } = this;
    for (let k = 0; k < out.length; k++) {
      const x = a[k];
      const y = b[k];
      let i = (y ^ Math.imul(x, 0x9e3779b1)) & mask;
      while (rows[i] >= 0 && (keysA[i] !== x || keysB[i] !== y)) i = (i + 1) & mask;
      out[k] = rows[i];
    }
  }

  /** The row of (a, b), adding it when new; counts one occurrence. */
  add(a: number, b: number): number {
    let i = this.slot(a, b);
    let r = this.rows[i];
    if (r < 0) {
      if ((this.size + 1) * 2 > this.rows.length) {
        this.grow();
        i = this.slot(a, b);
      }
      r = this.size++;
      if (r >= this.rowA.length) {
        const n = this.rowA.length * 2;
        const grow = <T extends Uint32Array | Int32Array>(x: T, make: (n: number) => T) => {
          const y = make(n);
          y.set(x);
          return y;
        };
        this.rowA = grow(this.rowA, (k) => new Uint32Array(k));
        this.rowB = grow(this.rowB, (k) => new Uint32Array(k));
        this.counts = grow(this.counts, (k) => new Int32Array(k));
      }
      this.rows[i] = r;
      this.keysA[i] = a;
      this.keysB[i] = b;
      this.rowA[r] = a;
      this.rowB[r] = b;
    }
    this.counts[r]++;
    return r;
  }

  /**
   * `out[i] = add(a[i], b[i])` for every i: one loop with the table in locals, which the engine compiles early
   * (a call per feature costs more than the probe while a short training run is still running uncompiled code).
   */
  addAll(a: Uint32Array, b: Uint32Array, out: Int32Array): void {
    let { keysA, keysB, rows, mask, counts } = this;
    for (let k = 0; k < out.length; k++) {
      const x = a[k];
      const y = b[k];
      let i = (y ^ Math.imul(x, 0x9e3779b1)) & mask;
      while (rows[i] >= 0 && (keysA[i] !== x || keysB[i] !== y)) i = (i + 1) & mask;
      const r = rows[i];
      if (r >= 0) {
        counts[r]++;
        out[k] = r;
      } else {
        // a new feature: `add` places it (and may grow the table)
        out[k] = this.add(x, y);
        ({ keysA, keysB, rows, mask, counts } = this);
      }
    }
  }

  private grow(): void {
    const old = { a: this.keysA, b: this.keysB, r: this.rows };
    const cap = old.r.length * 2;
    this.keysA = new Uint32Array(cap);
    this.keysB = new Uint32Array(cap);
    this.rows = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let i = 0; i < old.r.length; i++) {
      if (old.r[i] < 0) continue;
      const j = this.slot(old.a[i], old.b[i]);
      this.rows[j] = old.r[i];
      this.keysA[j] = old.a[i];
      this.keysB[j] = old.b[i];
    }
  }
}
