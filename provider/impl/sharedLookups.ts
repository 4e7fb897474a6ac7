/**
 * Lookups shared by the operations of one run: the first caller's request serves every caller
 * of the same key for `ttlMs`; a failed lookup is forgotten at once so the next caller retries.
 */
export class SharedLookups<K, V> {
  private readonly entries = new Map<K, { at: number; value: Promise<V> }>();

  constructor(private readonly ttlMs: number) {}

  get(key: K, fetch: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.value;
    const value = fetch();
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  forget(key: K): void {
    this.entries.delete(key);
  }
}
