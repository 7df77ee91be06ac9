// Types of smartcache/devtools and of the devtools hook, as ../API.md specifies them.
import type { CacheEvent, CacheStats, EntryInfo, SmartCache, TierName } from './index.js';

/** What a cache registered with `globalThis[Symbol.for('smartcache.devtools')]` offers. */
export interface DevtoolsHandle {
  readonly id: string;
  readonly namespace: string;
  readonly version: number;
  readonly closed: boolean;
  /** With the tiers' budgets and the browser's storage estimate (as last measured). */
  stats(): CacheStats & { budgets: { memory: number; local: number; indexeddb: number }; quota?: { usage: number; quota: number } };
  /** A page, sorted by key, after `cursor`; `filter` matches keys and tags. */
  entries(query?: { filter?: string; tier?: TierName; cursor?: string; limit?: number }): { entries: EntryInfo[]; total: number; next?: string };
  /** Upward what `key` is built from, downward what invalidating it removes; `depth` 2. */
  graph(key: string, depth?: number): {
    nodes: { key: string; tier?: TierName }[];
    edges: { from: string; to: string; kind: 'dependsOn' | 'tag' }[];
  };
  /** What the predictor has learned: its strongest transitions ({=}: a parameter bound to the
   *  context), and its latest preloads with whether a demand access used each. */
  predictions(limit?: number): {
    transitions: { after: string; next: string; probability: number; seen: number }[];
    recent: { key: string; reason: 'predicted' | 'hint' | 'manual'; probability: number; used: boolean }[];
  };
  /** Batched events (each with `at`, epoch ms); detailed events flow only while subscribed. */
  subscribe(listener: (events: (CacheEvent & { at: number })[]) => void): () => void;
  command(c: { type: 'invalidate' | 'delete' | 'refetch'; key: string } | { type: 'clear' } | { type: 'export' }): Promise<unknown>;
}

/** The in-page panel, in a shadow root; lists every cache on the hook (`cache` first). Returns unmount. */
export function mountDevtools(options?: { cache?: SmartCache; target?: HTMLElement; open?: boolean }): () => void;
