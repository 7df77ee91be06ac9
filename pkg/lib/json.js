// Serializes a value once, to JSON text, refusing what would not come back deep-equal:
// functions, symbols (as values or as keys), BigInt, cycles, non-finite numbers, undefined in
// arrays, objects that are not plain (Date, Map, class instances, anything with a toJSON), and
// objects whose getters or Proxy traps throw. The check is a walk in plain JavaScript before
// JSON.stringify (a stringify replacer would cost a C++-to-JS call per value) that also sizes
// the text, so a memory-only entry is weighed without making it. A quick recursive walk vouches
// for ordinary data; anything else (refusals, cycles, depth, other realms) goes to the careful
// walk, which is iterative: any depth either round-trips or is NOT_SERIALIZABLE, never a
// RangeError.
import { SmartCacheError } from './error.js';

function refuse(what, key) {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(String(key))}`;
  throw new SmartCacheError('NOT_SERIALIZABLE', `${where} is ${what}, which is not JSON data`);
}

/** Marks the end of a container's children on the walk's stack: it is no longer an ancestor. */
const LEAVE = Symbol('leave');

/** Throws NOT_SERIALIZABLE unless `root` is plain JSON data; returns the size in UTF-8 bytes of
 *  the JSON text `JSON.stringify(root)` would make (without making it). */
function check(root) {
  let bytes = 0;
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
        bytes += textBytes(value);
        continue;
      case 'boolean':
        bytes += value ? 4 : 5;
        continue;
      case 'number':
        if (!Number.isFinite(value)) refuse(String(value), key);
        bytes += numberBytes(value);
        continue;
      case 'undefined':
        // Dropped from objects, as JSON does; elsewhere it would come back as null or not at all.
        if (inArray || key === '') refuse('undefined', key);
        continue;
      case 'object': {
        if (value === null) {
          bytes += 4;
          continue;
        }
        if (typeof value.toJSON === 'function') refuse(`a ${value.constructor?.name ?? 'object'} with toJSON`, key);
        if (ancestors.has(value)) refuse('a cycle back to one of its own containers', key);
        ancestors.add(value);
        stack.push(value, LEAVE, false);
        if (Array.isArray(value)) {
          bytes += framing(value.length);
          for (let i = value.length - 1; i >= 0; i--) stack.push(value[i], i, true);
        } else {
          if (!isPlain(Object.getPrototypeOf(value))) refuse(`a ${value.constructor?.name ?? 'non-plain object'}`, key);
          // JSON drops symbol-keyed properties silently: the value would not come back.
          if (Object.getOwnPropertySymbols(value).some((s) => Object.prototype.propertyIsEnumerable.call(value, s))) {
            refuse('an object with symbol keys', key);
          }
          const names = Object.keys(value);
          let present = 0;
          for (let i = names.length - 1; i >= 0; i--) {
            const child = value[names[i]];
            stack.push(child, names[i], false);
            // JSON leaves out properties whose value is undefined: their names and commas too.
            if (child !== undefined) {
              bytes += textBytes(names[i]) + 1;
              present++;
            }
          }
          bytes += framing(present);
        }
        continue;
      }
      default:
        refuse(`a ${typeof value}`, key);
    }
  }
  return bytes;
}

/** Bytes of a container's brackets and the commas between its `members`. */
const framing = (members) => (members === 0 ? 2 : members + 1);

/** Printable ASCII that JSON writes as it is. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Whether JSON writes `text` as it is (a loop is quicker than a RegExp call for short text). */
function verbatim(text) {
  if (text.length > 32) return VERBATIM.test(text);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // One unsigned comparison for "below 0x20 or above 0x7e".
    if (unit - 0x20 >>> 0 > 0x5e || unit === 0x22 || unit === 0x5c) return false;
  }
  return true;
}

/** UTF-8 bytes of a string as a JSON string literal, quotes included. */
function textBytes(text) {
  if (verbatim(text)) return text.length + 2;
  // Escapes (lone surrogates among them) come from JSON itself; what is left to count is UTF-8.
  const literal = JSON.stringify(text);
  let bytes = 0;
  for (let i = 0; i < literal.length; i++) {
    const unit = literal.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00) {
      bytes += 4; // a pair: JSON escaped every lone surrogate
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether `proto` is what a plain object's prototype may be: none, or `Object.prototype` of this
 *  realm or of another (a same-origin iframe's, what a test driver hands over). */
function isPlain(proto) {
  if (proto === Object.prototype || proto === null) return true;
  if (Object.getPrototypeOf(proto) !== null) return false;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name === 'Object' && ctor.prototype === proto;
}

/** Thrown by the quick walk when the careful one must decide. */
const CAREFUL = Symbol('careful');
/** Deeper than this, the quick walk hands over (the careful one has no depth limit). */
const QUICK_DEPTH = 256;

/** The JSON text's size in UTF-8 bytes of a value of plain data, by recursion: about twice as
 *  quick as `check`; with `sized` false it only checks (0 for anything), which skips reading
 *  strings and printing numbers. Anything it does not vouch for (a refusal to explain, a cycle,
 *  which shows as depth, another realm's objects, symbol keys) throws CAREFUL, and `check`
 *  walks the value. */
function quickBytes(value, depth, sized) {
  switch (typeof value) {
    case 'string':
      return sized ? textBytes(value) : 0;
    case 'number':
      if (!Number.isFinite(value)) throw CAREFUL;
      return sized ? numberBytes(value) : 0;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      if (depth === QUICK_DEPTH) throw CAREFUL;
      if (Array.isArray(value)) {
        const length = value.length;
        let bytes = framing(length);
        for (let i = 0; i < length; i++) {
          const item = value[i];
          if (item === undefined) throw CAREFUL;
          bytes += quickBytes(item, depth + 1, sized);
        }
        return bytes;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || typeof value.toJSON === 'function') throw CAREFUL;
      if (Object.getOwnPropertySymbols(value).length !== 0) throw CAREFUL;
      let bytes = 0;
      let present = 0;
      // for-in allocates no array of names; it yields the own names alone, in Object.keys order,
      // while Object.prototype has no enumerable property (`measured` checks).
      for (const name in value) {
        const item = value[name];
        if (item === undefined) continue;
        bytes += (sized ? textBytes(name) + 1 : 0) + quickBytes(item, depth + 1, sized);
        present++;
      }
      return bytes + framing(present);
    }
    default:
      throw CAREFUL;
  }
}

/** Whether something made a property of Object.prototype enumerable, which for-in would yield
 *  for every plain object (the careful walk reads own names only). */
function inheritsEnumerables() {
  for (const _ in Object.prototype) return true;
  return false;
}

/** Characters of a number's JSON text; integers below a million are counted without printing. */
function numberBytes(n) {
  if (n >= 0 && n < 1e6 && Number.isInteger(n)) return n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : 6;
  return String(n).length;
}

/** `check`, the quick walk first; its size is only exact when `sized`. */
function measured(value, sized) {
  if (inheritsEnumerables()) return check(value);
  try {
    return quickBytes(value, 0, sized);
  } catch (error) {
    if (error !== CAREFUL) throw error;
    return check(value);
  }
}

const utf8 = new TextEncoder();
/** Texts up to this many UTF-16 units are encoded into one reused buffer (3 bytes a unit at most). */
const SCRATCH_UNITS = 1 << 18;
let scratch = new Uint8Array(4096);

/** The value's JSON text in UTF-8, as the engine stores it; NOT_SERIALIZABLE unless it is JSON
 *  data that comes back deep-equal. The bytes are valid until the next call: hand them to the
 *  engine at once. (Bytes cross into wasm as one copy; a string is copied unit by unit in
 *  JavaScript by wasm-bindgen's glue, and `encode` allocates: `encodeInto` a reused buffer is
 *  2-3x quicker than either for a 1 KB or a 16 KB text.) */
export function jsonUtf8(value) {
  const text = guarded(() => {
    measured(value, false);
    return JSON.stringify(value);
  });
  if (text.length > SCRATCH_UNITS) return utf8.encode(text);
  if (scratch.length < text.length * 3) scratch = new Uint8Array(Math.max(text.length * 3, 2 * scratch.length));
  return scratch.subarray(0, utf8.encodeInto(text, scratch).written);
}

/** The size in UTF-8 bytes of the value's JSON text, checked as `jsonUtf8` checks, without making
 *  the text (what a memory-only entry weighs). */
export function jsonBytes(value) {
  return guarded(() => measured(value, true));
}

function guarded(read) {
  try {
    return read();
  } catch (error) {
    if (error instanceof SmartCacheError) throw error;
    // A getter or Proxy trap that throws, or one that returns something else on the second read.
    throw new SmartCacheError('NOT_SERIALIZABLE', `the value could not be read as JSON: ${error?.message ?? error}`);
  }
}
