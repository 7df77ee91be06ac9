// When the face asks the engine what to preload: in idle time after demand accesses (the
// predictor's guesses), at once after a hint, and again when a load ends and frees a slot. What
// to load, how many and whether the page allows it (connection, saveData, visibility) is the
// engine's decision; this only reads the page's circumstances and keeps the timing.

/** Longest wait for an idle moment before the plan runs anyway. */
const IDLE_TIMEOUT_MS = 500;
/** Without requestIdleCallback (Safari), a plan waits this long after the access. */
const FALLBACK_DELAY_MS = 50;

/** `navigator.connection` and the document, as planPreloads reads them. */
function surroundings() {
  const connection = globalThis.navigator?.connection;
  return [
    typeof connection?.effectiveType === 'string' ? connection.effectiveType : undefined,
    connection?.saveData === true,
    globalThis.document?.visibilityState === 'hidden',
    globalThis.navigator?.onLine === false,
  ];
}

export class Preloads {
  #core;
  #start;
  #cancel;
  #drain;
  #pending = null;
  #closed = false;
  #predicting;
  #listening = [];

  /** `start(planned)` starts a planned preload; `cancel()` stops the predicted ones under way;
   *  `drain()` hands the buffered memory hits to the engine before it plans. */
  constructor(core, { start, cancel, drain }) {
    this.#core = core;
    this.#start = start;
    this.#cancel = cancel;
    this.#drain = drain;
    this.#predicting = core.predicting();
    if (this.#predicting) this.#listen();
  }

  /** Whether demand accesses schedule plans (the predictor learns). */
  get predicting() {
    return this.#predicting;
  }

  /** A demand access happened: plan when the page is idle. */
  demand() {
    if (this.#pending === null) this.#schedule(false);
  }

  /** A hint: plan now (it goes ahead of the guesses). */
  soon() {
    if (this.#pending?.idle) this.#unschedule();
    if (this.#pending === null) this.#schedule(true);
  }

  /** A load ended: a preload slot may be free, or predictions waited for it. */
  ended() {
    if (this.#pending === null) this.#schedule(false);
  }

  close() {
    this.#closed = true;
    this.#unschedule();
    for (const [target, type, listener] of this.#listening) target.removeEventListener(type, listener);
    this.#listening = [];
  }

  #schedule(urgent) {
    if (this.#closed) return;
    const run = () => {
      this.#pending = null;
      this.#plan();
    };
    if (!urgent && typeof globalThis.requestIdleCallback === 'function') {
      this.#pending = { idle: true, id: requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS }) };
    } else {
      this.#pending = { idle: false, id: setTimeout(run, urgent ? 0 : FALLBACK_DELAY_MS) };
    }
  }

  #unschedule() {
    if (this.#pending === null) return;
    if (this.#pending.idle) cancelIdleCallback(this.#pending.id);
    else clearTimeout(this.#pending.id);
    this.#pending = null;
  }

  #plan() {
    if (this.#closed) return;
    if (!this.#core.isLoaded()) {
      // Until IndexedDB's records are in, the engine cannot tell what is fresh.
      this.#core.loaded().then(() => this.ended(), () => {});
      return;
    }
    this.#drain();
    for (const planned of this.#core.planPreloads(...surroundings())) this.#start(planned);
  }

  /** Hidden or offline: what is under way stops, and the model is saved (a reload may follow). */
  #listen() {
    const onHidden = () => {
      if (globalThis.document?.visibilityState !== 'hidden' || this.#closed) return;
      this.#cancel();
      this.#core.saveModel();
    };
    const onOffline = () => !this.#closed && this.#cancel();
    const onPageHide = () => !this.#closed && this.#core.saveModel();
    const on = (target, type, listener) => {
      if (typeof target?.addEventListener !== 'function') return;
      target.addEventListener(type, listener);
      this.#listening.push([target, type, listener]);
    };
    on(globalThis.document, 'visibilitychange', onHidden);
    on(globalThis.window, 'offline', onOffline);
    on(globalThis.window, 'pagehide', onPageHide);
  }
}
