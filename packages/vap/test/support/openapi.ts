/**
 * Checks emitted objects against the admissionregistration.k8s.io/v1 OpenAPI schema kept in
 * ../schemas (component schemas with `$ref`), plus the rules the API server's validation states in
 * those schemas' field descriptions (enums, selector operators, name formats, Deny with Warn).
 *
 * Written for this package's tests: the Gatekeeper tests' validator checks CRD structural schemas,
 * which have no `$ref`, and lives in that package's test folder, not in a shared place.
 */
import { readFileSync } from 'node:fs';
import { compileCel } from '@psp-translate/core';
import { matchConditionErrors, type KubernetesObject } from '../../src/index.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  allOf?: Schema[];
  $ref?: string;
}

const document = JSON.parse(readFileSync(new URL('../schemas/admissionregistration-v1.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};
const PREFIX = '#/components/schemas/';

function resolve(schema: Schema): Schema {
  if (schema.$ref !== undefined) {
    const target = document.components.schemas[schema.$ref.slice(PREFIX.length)];
    if (target === undefined) throw new Error(`schema file lacks ${schema.$ref}`);
    return resolve(target);
  }
  if (schema.allOf !== undefined && schema.allOf.length === 1 && schema.properties === undefined && schema.type === undefined) return resolve(schema.allOf[0] as Schema);
  return schema;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Structural errors of `value` against `schema`, as `path: message`. */
export function structuralErrors(value: unknown, schema: Schema, path = ''): string[] {
  const s = resolve(schema);
  const at = path || '<root>';
  const actual = typeOf(value);
  if (s.type !== undefined && s.type !== actual) return [`${at}: expected ${s.type}, got ${actual}`];
  const errors: string[] = [];
  if (Array.isArray(value) && s.items !== undefined) value.forEach((item, i) => errors.push(...structuralErrors(item, s.items as Schema, `${path}[${i}]`)));
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in object)) errors.push(`${at}: missing required field ${key}`);
    for (const [key, child] of Object.entries(object)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const declared = s.properties?.[key];
      if (declared !== undefined) errors.push(...structuralErrors(child, declared, childPath));
      else if (s.additionalProperties !== undefined) errors.push(...structuralErrors(child, s.additionalProperties, childPath));
      else errors.push(`${childPath}: unknown field (the API server would drop it)`);
    }
  }
  return errors;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CEL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Obj = Record<string, unknown>;
const list = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);

function selectorErrors(selector: unknown, at: string): string[] {
  return list((selector as Obj | undefined)?.matchExpressions).flatMap((r, i) => {
    const errors: string[] = [];
    const operator = r.operator as string;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) errors.push(`${at}.matchExpressions[${i}].operator: ${operator}`);
    const values = list(r.values);
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) errors.push(`${at}.matchExpressions[${i}]: ${operator} needs values`);
    return errors;
  });
}

function matchResourcesErrors(match: unknown, at: string): string[] {
  if (match === undefined) return [];
  const m = match as Obj;
  const errors = [...selectorErrors(m.namespaceSelector, `${at}.namespaceSelector`)];
  list(m.resourceRules).forEach((rule, i) => {
    for (const op of list(rule.operations) as unknown as string[]) {
      if (!['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'].includes(op)) errors.push(`${at}.resourceRules[${i}].operations: ${op}`);
    }
    if (list(rule.resources).length === 0) errors.push(`${at}.resourceRules[${i}].resources: required`);
  });
  return errors;
}

/** The API server's semantic rules for the objects we emit, beyond the schema. */
function semanticErrors(object: KubernetesObject, all: readonly KubernetesObject[]): string[] {
  const errors: string[] = [];
  const spec = (object.spec ?? {}) as Obj;
  if (!DNS_SUBDOMAIN.test(object.metadata.name) || object.metadata.name.length > 253) errors.push(`metadata.name: ${object.metadata.name} is not a DNS subdomain`);
  const compiles = (expression: unknown, at: string) => {
    if (typeof expression !== 'string' || expression === '') return errors.push(`${at}: required`);
    try {
      compileCel(expression);
    } catch (cause) {
      errors.push(`${at}: ${(cause as Error).message.split('\n')[0]}`);
    }
    return 0;
  };
  if (object.kind === 'ValidatingAdmissionPolicy' || object.kind === 'MutatingAdmissionPolicy') {
    if (!['Fail', 'Ignore'].includes(spec.failurePolicy as string)) errors.push(`spec.failurePolicy: ${String(spec.failurePolicy)}`);
    if (spec.matchConstraints === undefined || list((spec.matchConstraints as Obj).resourceRules).length === 0) errors.push('spec.matchConstraints.resourceRules: required');
    errors.push(...matchResourcesErrors(spec.matchConstraints, 'spec.matchConstraints'));
    const conditions = list(spec.matchConditions);
    if (conditions.length > 64) errors.push('spec.matchConditions: more than 64');
    conditions.forEach((c, i) => {
      if (!QUALIFIED_NAME.test(c.name as string)) errors.push(`spec.matchConditions[${i}].name: ${String(c.name)}`);
      compiles(c.expression, `spec.matchConditions[${i}].expression`);
    });
    // API validation compiles matchConditions with the stateless compiler (no variables), for both
    // kinds; the mutating plugin's runtime compilation would accept variables, but the object is refused.
    errors.push(...matchConditionErrors(conditions));
    const seen = new Set<string>();
    list(spec.variables).forEach((v, i) => {
      const name = v.name as string;
      if (!CEL_IDENTIFIER.test(name) || seen.has(name)) errors.push(`spec.variables[${i}].name: ${name} (must be a unique CEL identifier)`);
      for (const [, used] of (v.expression as string).matchAll(/\bvariables\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (!seen.has(used as string)) errors.push(`spec.variables[${i}]: reads ${String(used)} before it is defined`);
      }
      seen.add(name);
      compiles(v.expression, `spec.variables[${i}].expression`);
    });
    list(spec.validations).forEach((v, i) => {
      compiles(v.expression, `spec.validations[${i}].expression`);
      if (v.messageExpression !== undefined) compiles(v.messageExpression, `spec.validations[${i}].messageExpression`);
      if (typeof v.message === 'string' && /[\r\n]/.test(v.message)) errors.push(`spec.validations[${i}].message: line break`);
      if (v.reason !== undefined && !['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'].includes(v.reason as string)) errors.push(`spec.validations[${i}].reason: ${String(v.reason)}`);
    });
    if (object.kind === 'ValidatingAdmissionPolicy' && list(spec.validations).length === 0 && list(spec.auditAnnotations).length === 0) errors.push('spec: validations or auditAnnotations required');
    if (object.kind === 'MutatingAdmissionPolicy') {
      if (list(spec.mutations).length === 0) errors.push('spec.mutations: at least one required');
      list(spec.mutations).forEach((m, i) => {
        if (m.patchType !== 'ApplyConfiguration') errors.push(`spec.mutations[${i}].patchType: ${String(m.patchType)}`);
        if (typeof (m.applyConfiguration as Obj | undefined)?.expression !== 'string') errors.push(`spec.mutations[${i}].applyConfiguration.expression: required`);
      });
      if (!['Never', 'IfNeeded'].includes(spec.reinvocationPolicy as string)) errors.push(`spec.reinvocationPolicy: ${String(spec.reinvocationPolicy)}`);
      if (list((spec.matchConstraints as Obj | undefined)?.resourceRules).some((r) => (list(r.operations) as unknown as string[]).includes('DELETE'))) errors.push('MutatingAdmissionPolicy may not match DELETE');
    }
  }
  if (object.kind === 'ValidatingAdmissionPolicyBinding' || object.kind === 'MutatingAdmissionPolicyBinding') {
    const policyKind = object.kind.replace(/Binding$/, '');
    if (!all.some((o) => o.kind === policyKind && o.metadata.name === spec.policyName)) errors.push(`spec.policyName: no ${policyKind} ${String(spec.policyName)}`);
    errors.push(...matchResourcesErrors(spec.matchResources, 'spec.matchResources'));
    if (object.kind === 'ValidatingAdmissionPolicyBinding') {
      const actions = list(spec.validationActions) as unknown as string[];
      if (actions.length === 0) errors.push('spec.validationActions: required');
      if (actions.some((a) => !['Deny', 'Warn', 'Audit'].includes(a)) || new Set(actions).size !== actions.length) errors.push(`spec.validationActions: ${actions.join(',')}`);
      if (actions.includes('Deny') && actions.includes('Warn')) errors.push('spec.validationActions: Deny and Warn may not be used together');
    }
  }
  return errors;
}

const KINDS: Readonly<Record<string, string>> = {
  ValidatingAdmissionPolicy: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
  ValidatingAdmissionPolicyBinding: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
};

/**
 * Every error of every object: schema (ValidatingAdmissionPolicy and binding, v1) and the API
 * server's semantic rules (all four kinds). The MutatingAdmissionPolicy kinds are not in the kept
 * v1 schema (that commit predates their GA) and get the semantic checks only.
 */
export function admissionObjectErrors(objects: readonly KubernetesObject[]): string[] {
  return objects.flatMap((object) => {
    const id = `${object.kind}/${object.metadata.name}`;
    const definition = KINDS[object.kind];
    const structural = definition === undefined ? [] : structuralErrors(object, { $ref: `${PREFIX}${definition}` });
    if (definition !== undefined && object.apiVersion !== 'admissionregistration.k8s.io/v1') structural.push(`apiVersion ${object.apiVersion}`);
    return [...structural, ...semanticErrors(object, objects)].map((e) => `${id}: ${e}`);
  });
}
