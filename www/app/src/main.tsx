// The demo CRM: a companies list, company profiles with their payments, a dashboard; a mode
// switch (legacy hooks / optimized queries / optimized + smartcache) and a status bar.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SmartCacheProvider, useSmartCache } from 'smartcache/react';
import { session } from './api';
import { current, MODE, MODES, PREDICT, setMode, setPredict, useRegisteredLoaders, type Mode } from './data';
import { CompaniesList, CompanyProfile, DashboardPage } from './pages';

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function useTick(ms: number) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function StatusBar() {
  useTick(250);
  const cache = useSmartCache();
  // For the KPI run (bench/kpi/): what the status bar shows, as numbers.
  Object.assign(window, { __crm: { session, cache } });
  const stats = cache?.stats();
  const entry = cache && current.key ? cache.entries().find((e) => e.key === current.key) : undefined;
  return (
    <footer className="status" aria-label="status">
      <span>mode <b>{MODES[MODE]}</b></span>
      <span>round trips this session <b data-stat="round-trips">{session.roundTrips}</b></span>
      {stats && (
        <>
          <span>cache hit rate <b data-stat="hit-rate">{(stats.hitRate * 100).toFixed(0)}%</b></span>
          <span>stored / raw <b data-stat="stored">{kib(stats.storedBytes)} / {kib(stats.rawBytes)}</b></span>
          <span title="preloads stored (hover hints and predictions) / of them read">preloaded / used <b data-stat="preloads">{stats.prefetched} / {stats.prefetchHits}</b></span>
          <span title="the predictor: its mode and precision over its last 50 guesses">predictor <b data-stat="predictor">{stats.predict.mode}{stats.predict.issued ? `, ${(stats.predict.precision * 100).toFixed(0)}% right` : ''}</b></span>
          <span>this page's data <b data-stat="tier">{entry ? `${entry.tier}${entry.inMemory ? ' + memory' : ''}` : '—'}</b></span>
        </>
      )}
    </footer>
  );
}

/** Opens the devtools panel; its code loads only when asked for (a chunk of its own). */
function DevtoolsButton() {
  const cache = useSmartCache();
  const open = async () => {
    const { mountDevtools } = await import('smartcache/devtools');
    document.querySelector('[data-smartcache-devtools]')?.remove();
    mountDevtools({ cache });
  };
  return <button type="button" onClick={open} aria-label="open devtools">devtools</button>;
}

function App() {
  const hash = useHash();
  useRegisteredLoaders();
  const company = /^#\/company\/(\d+)/.exec(hash);
  const page = company ? <CompanyProfile key={company[1]} id={Number(company[1])} /> : hash === '#/dashboard' ? <DashboardPage /> : <CompaniesList />;
  return (
    <>
      <header>
        <nav>
          <a href="#/">Companies</a> <a href="#/dashboard">Dashboard</a>
        </nav>
        <label>
          mode{' '}
          <select value={MODE} onChange={(e) => setMode(e.target.value as Mode)} aria-label="mode">
            {Object.entries(MODES).map(([m, label]) => <option key={m} value={m}>{label}</option>)}
          </select>
        </label>
        {MODE === 'smartcache' && <DevtoolsButton />}
        {MODE === 'smartcache' && (
          <label>
            <input type="checkbox" checked={PREDICT} onChange={(e) => setPredict(e.target.checked)} aria-label="predictive preloading" /> predictive preloading
          </label>
        )}
      </header>
      <main>{page}</main>
      <StatusBar />
    </>
  );
}

const app = <App />;
createRoot(document.getElementById('root')!).render(
  <StrictMode>{MODE === 'smartcache' ? <SmartCacheProvider options={{ namespace: 'crm-demo', predict: PREDICT }}>{app}</SmartCacheProvider> : app}</StrictMode>,
);
