// Serializes a value once, to JSON text, refusing what would not come back deep-equal:
// functions, symbols (as values or as keys), BigInt, cycles, non-finite numbers, undefined in
// arrays, objects that are not plain (Date, Map, class instances, anything with a toJSON), and
// objects whose getters or Proxy traps throw. The check is a walk in plain JavaScript before
// JSON.stringify (a stringify replacer would cost a C++-to-JS call per value), and it is
// iterative: any depth either round-trips or is NOT_SERIALIZABLE, never a RangeError.
import { SmartCacheError } from './error.js';

function refuse(what, key) {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(String(key))}`;
  throw new SmartCacheError('NOT_SERIALIZABLE', `${where} is ${what}, which is not JSON data`);
}

/** Marks the end of a container's children on the walk's stack: it is no longer an ancestor. */
const LEAVE = Symbol('leave');

/** Throws NOT_SERIALIZABLE unless `root` is plain JSON data. */
function check(root) {
  const ancestors = new Set();
  // Triples: value, its key, whether it sits in an array. LEAVE entries carry the container.
  const stack = [root, '', false];
  while (stack.length !== 0) {
    const inArray = stack.pop();
    const key = stack.pop();
    const value = stack.pop();
    if (key === LEAVE) {
      ancestors.delete(value);
      continue;
    }
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) refuse(String(value), key);
        continue;
      case 'undefined':
        // Dropped from objects, as JSON does; elsewhere it would come back as null or not at all.
        if (inArray || key === '') refuse('undefined', key);
        continue;
      case 'object': {
        if (value === null) continue;
        if (typeof value.toJSON === 'function') refuse(`a ${value.constructor?.name ?? 'object'} with toJSON`, key);
        if (ancestors.has(value)) refuse('a cycle back to one of its own containers', key);
        ancestors.add(value);
        stack.push(value, LEAVE, false);
        if (Array.isArray(value)) {
          for (let i = value.length - 1; i >= 0; i--) stack.push(value[i], i, true);
        } else {
          if (!isPlain(Object.getPrototypeOf(value))) refuse(`a ${value.constructor?.name ?? 'non-plain object'}`, key);
          // JSON drops symbol-keyed properties silently: the value would not come back.
          if (Object.getOwnPropertySymbols(value).some((s) => Object.prototype.propertyIsEnumerable.call(value, s))) {
            refuse('an object with symbol keys', key);
          }
          const names = Object.keys(value);
          for (let i = names.length - 1; i >= 0; i--) stack.push(value[names[i]], names[i], false);
        }
        continue;
      }
      default:
        refuse(`a ${typeof value}`, key);
    }
  }
}

/** Whether `proto` is what a plain object's prototype may be: none, or `Object.prototype` of this
 *  realm or of another (a same-origin iframe's, what a test driver hands over). */
function isPlain(proto) {
  if (proto === Object.prototype || proto === null) return true;
  if (Object.getPrototypeOf(proto) !== null) return false;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name === 'Object' && ctor.prototype === proto;
}

export function toJson(value) {
  try {
    check(value);
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof SmartCacheError) throw error;
    // A getter or Proxy trap that throws, or one that returns something else on the second read.
    throw new SmartCacheError('NOT_SERIALIZABLE', `the value could not be read as JSON: ${error?.message ?? error}`);
  }
}
