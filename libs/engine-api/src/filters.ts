import { ApiError } from './errors';

/**
 * Docker's `filters` query parameter: {"key": {"value": true}} or the legacy
 * {"key": ["value"]}. Semantics follow dockerd's filters.Args.
 */
export class Filters {
  private readonly fields: Map<string, Set<string>>;

  constructor(fields?: Map<string, Set<string>> | Record<string, string[]>) {
    if (fields instanceof Map) this.fields = fields;
    else {
      this.fields = new Map();
      for (const [k, vs] of Object.entries(fields ?? {})) this.fields.set(k, new Set(vs));
    }
  }

  static parse(raw: string | undefined | null): Filters {
    if (raw === undefined || raw === null || raw === '') return new Filters();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw ApiError.badRequest('invalid filter');
    }
    if (parsed === null) return new Filters();
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw ApiError.badRequest('invalid filter');
    const fields = new Map<string, Set<string>>();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      const set = new Set<string>();
      if (Array.isArray(value)) {
        for (const v of value) {
          if (typeof v !== 'string') throw ApiError.badRequest('invalid filter');
          set.add(v);
        }
      } else if (value !== null && typeof value === 'object') {
        for (const [v, on] of Object.entries(value as Record<string, unknown>)) {
          if (typeof on !== 'boolean') throw ApiError.badRequest('invalid filter');
          if (on) set.add(v);
        }
      } else if (value !== null) {
        throw ApiError.badRequest('invalid filter');
      }
      fields.set(key, set);
    }
    return new Filters(fields);
  }

  /** Rebuilds filters from the gRPC form ({key, values}[]). */
  static fromList(list: { key: string; values: string[] }[]): Filters {
    const fields = new Map<string, Set<string>>();
    for (const f of list) fields.set(f.key, new Set(f.values));
    return new Filters(fields);
  }

  toList(): { key: string; values: string[] }[] {
    return [...this.fields].map(([key, values]) => ({ key, values: [...values] }));
  }

  keys(): string[] { return [...this.fields.keys()]; }
  get size(): number { return this.fields.size; }
  get(key: string): string[] { return [...(this.fields.get(key) ?? [])]; }
  contains(key: string): boolean { return this.fields.has(key); }

  /** Rejects keys outside `accepted` with dockerd's "invalid filter 'x'". */
  validate(accepted: readonly string[]): this {
    for (const key of this.fields.keys()) {
      if (!accepted.includes(key)) throw ApiError.badRequest(`invalid filter '${key}'`);
    }
    return this;
  }

  /** True when no values are set for key, or one equals source. */
  exactMatch(key: string, source: string): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    return values.has(source);
  }

  /** Exact match, or source starts with one of the values. */
  fuzzyMatch(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    for (const prefix of this.fields.get(key) ?? []) if (source.startsWith(prefix)) return true;
    return false;
  }

  /** Exact match, or one of the values as a regular expression matches. */
  match(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    for (const pattern of this.fields.get(key) ?? []) {
      try {
        if (new RegExp(pattern).test(source)) return true;
      } catch {
        // dockerd skips values that are not valid expressions
      }
    }
    return false;
  }

  /** Every `k` or `k=v` value of key is present in sources. */
  matchKVList(key: string, sources: Record<string, string>): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    if (Object.keys(sources).length === 0) return false;
    for (const value of values) {
      const eq = value.indexOf('=');
      const k = eq < 0 ? value : value.slice(0, eq);
      if (!Object.prototype.hasOwnProperty.call(sources, k)) return false;
      if (eq >= 0 && sources[k] !== value.slice(eq + 1)) return false;
    }
    return true;
  }

  /** A boolean filter such as dangling=true; conflicting or other values are invalid. */
  getBool(key: string, fallback: boolean): boolean {
    const values = this.fields.get(key);
    if (!values) return fallback;
    const isFalse = values.has('0') || values.has('false');
    const isTrue = values.has('1') || values.has('true');
    if (values.size === 0 || isFalse === isTrue) {
      const shown = values.size === 0 ? '' : `=[${[...values].join(' ')}]`;
      throw ApiError.badRequest(`invalid filter '${key}${shown}'`);
    }
    return isTrue;
  }
}
