import { GoType, goString, typeName } from './go-types';

/** A body that Go's encoding/json would refuse; the message is Go's own. */
export class GoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoDecodeError';
  }
}

/**
 * Where the decoder is: the innermost struct and the JSON field path from
 * the top, as Go reports them; the path is a chain, joined only for an error.
 */
interface Where { struct?: string; field?: string; up?: Where }

function pathOf(where: Where): string {
  const names: string[] = [];
  for (let w: Where | undefined = where; w; w = w.up) if (w.field !== undefined) names.unshift(w.field);
  return names.join('.');
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

/** Go prints the literal; JavaScript's own spelling differs only in the exponent's sign. */
function numberLiteral(n: number): string {
  return String(n).replace('e+', 'e');
}

function refuse(value: string, t: GoType, where: Where): never {
  const into = where.struct === undefined ? 'Go value' : `Go struct field ${where.struct}.${pathOf(where)}`;
  throw new GoDecodeError(`json: cannot unmarshal ${value} into ${into} of type ${typeName(t)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An own data property whatever the key: `out[key] = v` with a key of
 * `__proto__` would replace the object's prototype instead of storing a label.
 */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What a JSON null leaves inside a slice or map: Go's zero value of the element. */
function zero(t: GoType): unknown {
  switch (t.kind) {
    case 'string': return '';
    case 'int': return 0;
    case 'bool': return false;
    case 'slice': case 'strslice': return [];
    case 'array': return Array.from({ length: t.length }, () => zero(t.elem));
    case 'map': case 'struct': return {};
    case 'any': return null;
  }
}

/** Field lookup as encoding/json does it: the exact name first, then any case. */
const folded = new WeakMap<object, Map<string, string>>();
function fieldNamed(fields: Readonly<Record<string, GoType>>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(fields, key)) return key;
  let byLower = folded.get(fields);
  if (!byLower) {
    byLower = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
    folded.set(fields, byLower);
  }
  return byLower.get(key.toLowerCase());
}

function decode(v: unknown, t: GoType, where: Where): unknown {
  if (v === null) return zero(t);
  switch (t.kind) {
    case 'any':
      return v;
    case 'string':
      return typeof v === 'string' ? v : refuse(kindOf(v), t, where);
    case 'bool':
      return typeof v === 'boolean' ? v : refuse(kindOf(v), t, where);
    case 'int':
      if (typeof v !== 'number') return refuse(kindOf(v), t, where);
      if (!Number.isInteger(v) || v < t.min || v > t.max) return refuse(`number ${numberLiteral(v)}`, t, where);
      return v;
    case 'strslice':
      // StrSlice tries []string, then string; Go reports the second attempt.
      if (typeof v === 'string') return [v];
      if (Array.isArray(v) && v.every((e) => typeof e === 'string' || e === null)) return v.map((e) => e ?? '');
      return refuse(kindOf(v), goString(), where);
    case 'slice':
      if (!Array.isArray(v)) return refuse(kindOf(v), t, where);
      return v.map((e) => decode(e, t.elem, where));
    case 'array': {
      if (!Array.isArray(v)) return refuse(kindOf(v), t, where);
      const out = v.slice(0, t.length).map((e) => decode(e, t.elem, where));
      while (out.length < t.length) out.push(zero(t.elem));
      return out;
    }
    case 'map': {
      if (!isObject(v)) return refuse(kindOf(v), t, where);
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) define(out, k, decode(e, t.elem, where));
      return out;
    }
    case 'struct': {
      if (!isObject(v)) return refuse(kindOf(v), t, where);
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) {
        const field = fieldNamed(t.fields, k);
        // Unknown fields are ignored, as Go does; a null leaves the field unset.
        if (field === undefined || e === null) continue;
        out[field] = decode(e, t.fields[field]!, { struct: t.short, field, up: where });
      }
      return out;
    }
  }
}

/**
 * Reads a parsed JSON body as encoding/json reads it into `t`: field names
 * match case-insensitively and come out in their canonical spelling,
 * unknown fields are dropped, null leaves a field unset, and a value of the
 * wrong type throws GoDecodeError with Go's message. The result holds only
 * values of the declared types (maps as own properties, whatever their keys).
 */
export function decodeGoJson<T>(value: unknown, t: GoType): T {
  return decode(value, t, {}) as T;
}
