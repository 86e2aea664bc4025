/**
 * A deep copy of emitted objects with no shared subtrees, as `JSON.parse(JSON.stringify(value))`
 * gives, without writing and re-reading the text: strings (most of the bytes, CEL) are shared, since
 * they are immutable. What is not plain JSON data (`toJSON`, class instances, `bigint`) is copied
 * through JSON itself, so the result is the same in every case.
 */
export function jsonCopy<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes -0 as 0 and non-finite numbers as null.
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    case 'object': {
      if (value === null) return null;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return viaJson(value);
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          // JSON writes list items it cannot hold as null.
          out[i] = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : copy(item);
        }
        return out;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return viaJson(value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item: unknown = (value as Record<string, unknown>)[key];
        // JSON leaves out properties it cannot hold.
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (key === '__proto__') Object.defineProperty(out, key, { value: copy(item), enumerable: true, writable: true, configurable: true });
        else out[key] = copy(item);
      }
      return out;
    }
    default:
      return viaJson(value);
  }
}

function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
