// SmartCacheError and the checks that must run in JavaScript: a key's type and well-formedness
// (Rust only ever sees well-formed strings) for the synchronous `peek`.
import { ERROR_CODES, MAX_KEY_UNITS } from './contract.js';

export { MAX_KEY_UNITS };

export class SmartCacheError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'SmartCacheError';
    this.code = code;
  }
}

const CODES = new Set(ERROR_CODES);

/** Turns an error thrown by the wasm core (a plain Error with a `code`) into a SmartCacheError. */
export function fromCore(error) {
  if (error instanceof SmartCacheError || !CODES.has(error?.code)) return error;
  return new SmartCacheError(error.code, error.message);
}


export function checkKey(key) {
  if (typeof key !== 'string') {
    throw new SmartCacheError('INVALID_KEY', `key must be a string, got ${key === null ? 'null' : typeof key}`);
  }
  if (key.length === 0 || key.length > MAX_KEY_UNITS) {
    throw new SmartCacheError('INVALID_KEY', `key must be 1 to ${MAX_KEY_UNITS} UTF-16 units long, got ${key.length}`);
  }
  if (!key.isWellFormed()) {
    throw new SmartCacheError('INVALID_KEY', 'key holds a lone surrogate');
  }
}

/** Calls every listener with `value`; one that throws breaks neither the caller nor the others
 *  (its error is rethrown on its own, where the page's error reporting sees it). */
export function notifyAll(listeners, value) {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
