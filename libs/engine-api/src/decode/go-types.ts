/**
 * Go types as dockerd's request structs declare them: enough for
 * go-decode.ts to read a JSON body the way encoding/json does. `name` is
 * Go's reflect.Type.String() (what an UnmarshalTypeError shows), `short`
 * of a struct its Type.Name() (the "Go struct field <short>.<path>" part).
 */
export type GoType =
  | { kind: 'string'; name: string }
  | { kind: 'int'; name: string; min: number; max: number }
  | { kind: 'bool'; name: string }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'array'; name: string; elem: GoType; length: number }
  | { kind: 'map'; name: string; elem: GoType }
  | { kind: 'struct'; name: string; short: string; fields: Readonly<Record<string, GoType>> }
  /** strslice.StrSlice: a JSON string or an array of strings, always kept as an array. */
  | { kind: 'strslice' }
  /** interface{}: any JSON value, kept as sent. */
  | { kind: 'any' };

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

export const goString = (name = 'string'): GoType => ({ kind: 'string', name });
export const goBool: GoType = { kind: 'bool', name: 'bool' };
export const int64: GoType = { kind: 'int', name: 'int64', min: -TWO_63, max: TWO_63 - 1 };
/** Go's int is 64 bits on every platform dockerd runs on. */
export const int: GoType = { kind: 'int', name: 'int', min: -TWO_63, max: TWO_63 - 1 };
export const uint16: GoType = { kind: 'int', name: 'uint16', min: 0, max: 65535 };
export const uint32: GoType = { kind: 'int', name: 'uint32', min: 0, max: 2 ** 32 - 1 };
export const uint64: GoType = { kind: 'int', name: 'uint64', min: 0, max: TWO_64 - 1 };
export const uint: GoType = { kind: 'int', name: 'uint', min: 0, max: TWO_64 - 1 };
export const duration: GoType = { kind: 'int', name: 'time.Duration', min: -TWO_63, max: TWO_63 - 1 };
export const strslice: GoType = { kind: 'strslice' };
export const anyValue: GoType = { kind: 'any' };

export function sliceOf(elem: GoType, name = `[]${typeName(elem)}`): GoType {
  return { kind: 'slice', name, elem };
}

export function arrayOf(elem: GoType, length: number): GoType {
  return { kind: 'array', name: `[${length}]${typeName(elem)}`, elem, length };
}

export function mapOf(elem: GoType, name = `map[string]${typeName(elem)}`): GoType {
  return { kind: 'map', name, elem };
}

/** `name` is the package-qualified type ("container.HostConfig"); the short name is what follows the dot. */
export function struct(name: string, fields: Record<string, GoType>): GoType {
  return { kind: 'struct', name, short: name.slice(name.lastIndexOf('.') + 1), fields };
}

/** Go's struct{} (a set's member): any JSON object, its contents ignored. */
export const emptyStruct: GoType = { kind: 'struct', name: 'struct {}', short: '', fields: {} };

export function typeName(t: GoType): string {
  if (t.kind === 'strslice') return 'strslice.StrSlice';
  if (t.kind === 'any') return 'interface {}';
  return t.name;
}
