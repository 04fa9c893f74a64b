/**
 * Something the clock runs at a time. Packets implement this directly so the hot path allocates
 * no closure per datagram; `cancelled` is read lazily when the task reaches the top of the heap.
 */
export interface ClockTask {
  /** When it runs (clock milliseconds); set by the clock when scheduled. */
  at: number;
  /** Tie-breaker: insertion order, so equal times run first-scheduled first. */
  order: number;
  /** True when the task should be skipped instead of run. */
  readonly cancelled: boolean;
  /** Runs the task. */
  fire(): void;
}

/** A binary min-heap of tasks ordered by (`at`, `order`). */
export class TaskHeap {
  #items: ClockTask[] = [];

  /** Number of tasks held, cancelled ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds a task. */
  push(task: ClockTask): void {
    const items = this.#items;
    let i = items.length;
    items.push(task);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(task, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = task;
  }

  /** The earliest task, without removing it. */
  peek(): ClockTask | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest task. */
  pop(): ClockTask | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right]!, items[left]!)) child = right;
      const c = items[child]!;
      if (!before(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Removes every task `keep` refuses, in one pass (a sorted array is a valid heap). */
  compact(keep: (task: ClockTask) => boolean): void {
    this.#items = this.#items.filter(keep).sort((x, y) => x.at - y.at || x.order - y.order);
  }

  /** Drops every task. */
  clear(): void {
    this.#items = [];
  }
}

function before(x: ClockTask, y: ClockTask): boolean {
  return x.at < y.at || (x.at === y.at && x.order < y.order);
}
