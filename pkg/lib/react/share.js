// Structural sharing (TanStack Query's replaceEqualDeep): a new value that deep-equals the old one
// keeps the old references, in whole or in the parts that did not change, so that components
// showing them do not re-render.

const isPlainObject = (value) => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

export function replaceEqualDeep(previous, next) {
  if (previous === next) return previous;
  const arrays = Array.isArray(previous) && Array.isArray(next);
  if (!arrays && !(isPlainObject(previous) && isPlainObject(next))) return next;
  const keys = arrays ? next.map((_, i) => i) : Object.keys(next);
  const previousSize = arrays ? previous.length : Object.keys(previous).length;
  const copy = arrays ? [] : {};
  let same = 0;
  for (const key of keys) {
    const had = arrays ? key < previous.length : Object.hasOwn(previous, key);
    copy[key] = had ? replaceEqualDeep(previous[key], next[key]) : next[key];
    if (had && copy[key] === previous[key]) same += 1;
  }
  return previousSize === keys.length && same === previousSize ? previous : copy;
}

/** Whether two flat records hold the same values (what a hook's result is made of). */
export function shallowEqual(a, b) {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}
