// SmartCacheProvider: the cache of a subtree. With `options` it opens its own (once, StrictMode
// included) and closes it on unmount; with `cache` it hands that one down.
import { createElement, useEffect, useState, useSyncExternalStore } from 'react';
import { SourceContext } from './hooks.js';
import { givenSource, ownSource } from './source.js';

export function SmartCacheProvider({ cache, options, fallback, children }) {
  // StrictMode may call this initializer twice: a source opens nothing until start().
  const [source] = useState(() => (cache !== undefined ? givenSource(cache) : ownSource(options)));
  if (typeof window !== 'undefined') source.start();
  useEffect(() => {
    source.start();
    source.holders = (source.holders ?? 0) + 1;
    return () => {
      source.holders -= 1;
      // Later, not now: StrictMode unmounts and at once remounts the provider.
      setTimeout(() => {
        if (source.holders === 0) source.close?.();
      }, 0);
    };
  }, [source]);
  const open = useSyncExternalStore(source.subscribe, () => source.cache, () => undefined);
  const waiting = open === undefined && fallback !== undefined;
  return createElement(SourceContext.Provider, { value: source }, waiting ? fallback : children);
}
