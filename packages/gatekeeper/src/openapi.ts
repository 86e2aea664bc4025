/**
 * Constraint parameter schemas for ConstraintTemplates: core's zod schemas of each control's
 * params, as a Kubernetes structural OpenAPI v3 schema (no `$schema`, no `additionalProperties:
 * false`, integers without JavaScript's safe-integer bounds).
 */
import { z } from 'zod';

export type OpenApiSchema = { [key: string]: unknown };

const KEEP = new Set(['type', 'properties', 'items', 'enum', 'required', 'description']);

function structural(schema: unknown): OpenApiSchema {
  if (schema === null || typeof schema !== 'object') return {};
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEEP.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, structural(v)]));
    } else if (key === 'items') out.items = structural(value);
    else out[key] = value;
  }
  return out;
}

/** A zod schema (core's control params) as a structural OpenAPI v3 schema. */
export function openApiOf(schema: z.ZodType): OpenApiSchema {
  return structural(z.toJSONSchema(schema));
}

const selector: OpenApiSchema = {
  type: 'object',
  properties: { op: { type: 'string', enum: ['In', 'NotIn'] }, values: { type: 'array', items: { type: 'string' } } },
  required: ['op', 'values'],
};

/** `scopes`: which pods (namespace, service account, requester) the constraint speaks for. */
export const SCOPES_SCHEMA: OpenApiSchema = {
  type: 'array',
  description: 'Pods this constraint applies to: namespace, service account and requesting user selectors (PSP RBAC scopes).',
  items: {
    type: 'object',
    properties: { namespace: selector, serviceAccount: selector, requester: selector },
    required: ['namespace', 'serviceAccount', 'requester'],
  },
};
