// Serializes a value once, to JSON text, refusing what would not come back deep-equal:
// functions, symbols, BigInt, cycles, non-finite numbers, undefined in arrays, and objects that
// are not plain (Date, Map, class instances, anything with a toJSON). The check is a walk in
// plain JavaScript before JSON.stringify: a stringify replacer would cost a C++-to-JS call for
// every value (about 3× the time of the walk plus stringify on CRM payloads).
import { SmartCacheError } from './error.js';

function refuse(what, key) {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(String(key))}`;
  throw new SmartCacheError('NOT_SERIALIZABLE', `${where} is ${what}, which is not JSON data`);
}

/** Throws NOT_SERIALIZABLE unless `value` (held under `key`) is plain JSON data. */
function check(value, key, inArray, ancestors) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(String(value), key);
      return;
    case 'undefined':
      // Dropped from objects, as JSON does; elsewhere it would come back as null or not at all.
      if (inArray || key === '') refuse('undefined', key);
      return;
    case 'object': {
      if (value === null) return;
      if (typeof value.toJSON === 'function') refuse(`a ${value.constructor?.name ?? 'object'} with toJSON`, key);
      if (ancestors.has(value)) refuse('a cycle back to one of its own containers', key);
      ancestors.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) check(value[i], i, true, ancestors);
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) refuse(`a ${value.constructor?.name ?? 'non-plain object'}`, key);
        for (const name of Object.keys(value)) check(value[name], name, false, ancestors);
      }
      ancestors.delete(value);
      return;
    }
    default:
      refuse(`a ${typeof value}`, key);
  }
}

export function toJson(value) {
  check(value, '', false, new Set());
  try {
    return JSON.stringify(value);
  } catch (error) {
    // A getter that throws, or one that returns something else on the second read.
    throw new SmartCacheError('NOT_SERIALIZABLE', error.message);
  }
}
