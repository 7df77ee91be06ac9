// A server render in Node of a page using the hooks: importing works, the hooks render
// `loading` (or `idle` when disabled), nothing throws; the Suspense hook renders its fallback.
import { createElement as h, Suspense } from 'react';
import { renderToString } from 'react-dom/server';
import { SmartCacheProvider, useCachedQuery, useSuspenseCachedQuery } from 'smartcache/react';

function Card({ k, enabled }) {
  const q = useCachedQuery(k, async () => ({ name: 'never on the server' }), { enabled });
  return h('p', null, `${k}:${q.status}`);
}
function SuspenseCard() {
  const q = useSuspenseCachedQuery('company:2', async () => ({ name: 'never' }));
  return h('p', null, q.data.name);
}
const page = h('main', null,
  h(Card, { k: 'company:1' }),
  h(Card, { k: 'company:3', enabled: false }),
  h(SmartCacheProvider, { options: { namespace: 'ssr' } }, h(Card, { k: 'company:4' })),
  h(SmartCacheProvider, { options: { namespace: 'ssr' }, fallback: h('i', null, 'opening') }, h(Card, { k: 'company:5' })),
  h(Suspense, { fallback: h('b', null, 'suspended') }, h(SuspenseCard)));
console.log(renderToString(page));
