/**
 * A small validator for Kubernetes structural OpenAPI v3 schemas (what a CRD's `openAPIV3Schema`
 * is), shared by the target packages' tests: every object we emit is checked against the CRDs each
 * package keeps as test data (packages/gatekeeper/test/schemas, packages/kyverno/test/schemas).
 *
 * Stricter than the API server in one way on purpose: a field the schema does not declare (and no
 * `x-kubernetes-preserve-unknown-fields` / `additionalProperties` allows) is an error here, because
 * the API server would silently prune it and the user would lose what we meant to say.
 *
 * Supports: type (object, array, string, integer, number, boolean), properties, required,
 * additionalProperties (schema or boolean), items, enum, nullable, minLength/maxLength, pattern,
 * minimum/maximum, minItems/maxItems, x-kubernetes-preserve-unknown-fields,
 * x-kubernetes-int-or-string, anyOf/oneOf/allOf (as value constraints). Ignores: format,
 * description, default, x-kubernetes-list-* and validations (x-kubernetes-validations CEL rules).
 */
import { readFileSync } from 'node:fs';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface CrdSchemaFile {
  group: string;
  version: string;
  kind: string;
  openAPIV3Schema: Schema;
}

/** Read a CRD schema file kept as test data (`{group, version, kind, openAPIV3Schema}`), e.g. `new URL('./schemas/assign-v1.json', import.meta.url)`. */
export function loadCrdSchema(file: URL): CrdSchemaFile {
  return JSON.parse(readFileSync(file, 'utf8')) as CrdSchemaFile;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Errors as `path: message`; empty when the value conforms. */
export function validateStructural(value: unknown, schema: Schema, path = ''): string[] {
  const errors: string[] = [];
  const at = path === '' ? '<root>' : path;
  if (value === null) {
    if (!schema.nullable) errors.push(`${at}: null is not allowed`);
    return errors;
  }
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') errors.push(`${at}: expected integer or string, got ${actual}`);
  } else if (schema.type !== undefined) {
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) {
      errors.push(`${at}: expected ${schema.type}, got ${actual}`);
      return errors;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items !== undefined) value.forEach((item, i) => errors.push(...validateStructural(item, schema.items!, `${path}[${i}]`)));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) errors.push(`${at}: missing required field ${key}`);
    for (const [key, child] of Object.entries(object)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const declared = schema.properties?.[key];
      if (declared !== undefined) errors.push(...validateStructural(child, declared, childPath));
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateStructural(child, schema.additionalProperties, childPath));
      else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) continue;
      else if (schema.properties !== undefined || schema.type === 'object') errors.push(`${childPath}: unknown field (the API server would prune it)`);
    }
  }
  for (const sub of schema.allOf ?? []) errors.push(...validateStructural(value, sub, path));
  if (schema.anyOf !== undefined && !schema.anyOf.some((sub) => validateStructural(value, stripUnknownCheck(sub), path).length === 0)) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (schema.oneOf !== undefined && schema.oneOf.filter((sub) => validateStructural(value, stripUnknownCheck(sub), path).length === 0).length !== 1) {
    errors.push(`${at}: does not match exactly one of oneOf`);
  }
  return errors;
}

// anyOf/oneOf branches of structural schemas only constrain values; they declare no fields.
function stripUnknownCheck(schema: Schema): Schema {
  return { ...schema, 'x-kubernetes-preserve-unknown-fields': true };
}

/** Validate a whole object (apiVersion/kind/metadata too) against a CRD schema file. */
export function validateAgainstCrd(object: Record<string, unknown>, crd: CrdSchemaFile): string[] {
  const errors: string[] = [];
  if (object.apiVersion !== `${crd.group}/${crd.version}`) errors.push(`apiVersion: expected ${crd.group}/${crd.version}`);
  if (object.kind !== crd.kind) errors.push(`kind: expected ${crd.kind}`);
  const metadata = object.metadata as { name?: unknown } | undefined;
  if (typeof metadata?.name !== 'string' || metadata.name.length === 0) errors.push('metadata.name: required');
  const { metadata: _metadata, ...rest } = object;
  void _metadata;
  const schema: Schema = { ...crd.openAPIV3Schema, properties: { ...crd.openAPIV3Schema.properties } };
  delete schema.properties!.metadata;
  return [...errors, ...validateStructural(rest, schema)];
}
