// The versions this page's own writes produced, so a stale copy of a task it has just written is not refused as someone else's edit.

/**
 * Task id -> (version written against -> version it became). A card moved twice in quick succession still
 * carries the version from before the first move (the lists are refetched afterwards); following its chain
 * gives the version our own write produced, while a write by anyone else still makes the server answer 412.
 *
 * Bounded: a task's chain is dropped once it is no longer needed (see `forget`), a chain keeps only its
 * latest links, and past `maxTasks` the task written longest ago goes first. Losing a link costs at worst
 * a 412 the person can resolve with a reload, never a lost edit.
 */
export class OwnWrites {
  private readonly chains = new Map<string, Map<number, number>>();

  constructor(
    private readonly maxTasks = 500,
    private readonly maxChain = 20,
  ) {}

  /** How many tasks have a chain. */
  get size(): number {
    return this.chains.size;
  }

  /** How many links all chains hold together. */
  get links(): number {
    let total = 0;
    for (const chain of this.chains.values()) total += chain.size;
    return total;
  }

  has(id: string): boolean {
    return this.chains.has(id);
  }

  ids(): string[] {
    return [...this.chains.keys()];
  }

  record(id: string, from: number, to: number): void {
    const chain = this.chains.get(id) ?? new Map<number, number>();
    // Re-inserted, so the Map's order is least recently written first: what eviction drops.
    this.chains.delete(id);
    chain.delete(from);
    chain.set(from, to);
    dropOldest(chain, this.maxChain);
    this.chains.set(id, chain);
    dropOldest(this.chains, this.maxTasks);
  }

  /** The newest version this page's own writes lead to from `version`. */
  current(id: string, version: number): number {
    const chain = this.chains.get(id);
    let current = version;
    // Versions only grow, so the walk ends; the bound guards against a corrupt chain all the same.
    for (let step = 0, next = chain?.get(current); next !== undefined && step <= this.maxChain; step += 1, next = chain?.get(current)) {
      current = next;
    }
    return current;
  }

  /** The newest version any of this task's own writes produced. */
  newest(id: string): number | undefined {
    const chain = this.chains.get(id);
    return chain ? Math.max(...chain.values()) : undefined;
  }

  forget(id: string): void {
    this.chains.delete(id);
  }
}

function dropOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
