// Serializes a value once, to JSON text, refusing what would not come back deep-equal:
// functions, symbols, BigInt, cycles, non-finite numbers, undefined in arrays, and objects that
// are not plain (Date, Map, class instances, anything with its own toJSON).
import { SmartCacheError } from './error.js';

function refuse(what, key) {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(key)}`;
  throw new SmartCacheError('NOT_SERIALIZABLE', `${where} is ${what}, which is not JSON data`);
}

// Called by JSON.stringify for every value, with the holder as `this`; `this[key]` is the value
// before any toJSON ran.
function guard(key, value) {
  const raw = this[key];
  if (raw !== value && typeof raw === 'object' && raw !== null) {
    refuse(`a ${raw.constructor?.name ?? 'object'} with toJSON`, key);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : refuse(String(value), key);
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) return value;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return value;
      return refuse(`a ${value.constructor?.name ?? 'non-plain object'}`, key);
    }
    case 'undefined':
      // Dropped from objects, as JSON does; elsewhere it would come back as null or not at all.
      return Array.isArray(this) || key === '' ? refuse('undefined', key) : value;
    default:
      return refuse(`a ${typeof value}`, key);
  }
}

export function toJson(value) {
  try {
    return JSON.stringify(value, guard);
  } catch (error) {
    if (error instanceof SmartCacheError) throw error;
    // Cycles and the like: JSON.stringify's own TypeError.
    throw new SmartCacheError('NOT_SERIALIZABLE', error.message);
  }
}
