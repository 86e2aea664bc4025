/**
 * ConstraintTemplates: one static template per control (the PSP's values arrive as Constraint
 * parameters) and one policy-set template (candidates' values as parameters). Each carries CEL
 * (K8sNativeValidation, ./cel.ts) and Rego (./rego), both printed here from core's control
 * definitions.
 *
 * Placement: Rego goes in the legacy `targets[].rego` field, CEL in `targets[].code`. Gatekeeper
 * 3.11-3.12 know no `code` (pruned) and run the Rego; 3.13+ evaluate CEL when
 * `--enable-k8s-native-validation` is on (default from 3.16) and the Rego otherwise.
 */
import { CONTROL_KINDS, controlDefinitions, type ControlKind } from '@psp-translate/core';
import { perControlCelSource, policySetCelSource, type CelSource } from './cel.js';
import { constraintKind, POLICY_SET_KIND, templateName } from './names.js';
import { openApiOf, SCOPES_SCHEMA, type OpenApiSchema } from './openapi.js';
import { perControlRego, policySetRego } from './rego/control-rego.js';
import type { KubernetesObject } from './types.js';

export const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';

/** Annotation telling operators which webhook setting routes `kubectl debug` to the template. */
export const EPHEMERAL_CONTAINERS_ANNOTATION = 'psp-translate.io/ephemeral-containers';
export const EPHEMERAL_CONTAINERS_NOTE =
  'Checks UPDATE of pods/ephemeralcontainers (kubectl debug). Gatekeeper 3.9+ routes that subresource to its ' +
  'validating webhook by default (Helm value validatingWebhookSubResources lists pods/ephemeralcontainers); ' +
  'keep it there if you set validatingWebhookCustomRules.';

/** Annotation stating the minimum Gatekeeper version per engine. */
export const ENGINES_ANNOTATION = 'psp-translate.io/engines';
export const ENGINES_NOTE =
  'Rego: Gatekeeper 3.11+ (future.keywords). CEL (K8sNativeValidation with source.variables and variables.params): Gatekeeper 3.16+, ' +
  'preferred over the Rego when enabled.';

function template(kind: string, parameters: OpenApiSchema, cel: CelSource, rego: string, description: string): KubernetesObject {
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: {
      name: templateName(kind),
      annotations: {
        description,
        [EPHEMERAL_CONTAINERS_ANNOTATION]: EPHEMERAL_CONTAINERS_NOTE,
        [ENGINES_ANNOTATION]: ENGINES_NOTE,
      },
    },
    spec: {
      crd: { spec: { names: { kind }, validation: { openAPIV3Schema: parameters } } },
      targets: [
        {
          target: GATEKEEPER_TARGET,
          rego,
          code: [{ engine: 'K8sNativeValidation', source: { variables: cel.variables, validations: cel.validations } }],
        },
      ],
    },
  };
}

/** Parameter schema of one control's constraint: the control's params plus `scopes`. */
function controlParameters(kind: ControlKind): OpenApiSchema {
  const params = openApiOf(controlDefinitions[kind].params);
  return {
    type: 'object',
    properties: { ...(params.properties as object), scopes: SCOPES_SCHEMA },
    required: [...((params.required as string[] | undefined) ?? []), 'scopes'],
  };
}

const perControlCache = new Map<ControlKind, KubernetesObject>();
let policySetCache: KubernetesObject | undefined;

/**
 * The per-control template of `kind`: static, so built once and shared, deep-frozen (no caller
 * changes a template; one that tried would throw rather than change every later translation).
 */
export function perControlTemplate(kind: ControlKind): KubernetesObject {
  let cached = perControlCache.get(kind);
  if (cached === undefined) perControlCache.set(kind, (cached = deepFreeze(buildPerControlTemplate(kind))));
  return cached;
}

/** The policy-set template: static, so built once and shared, deep-frozen (see perControlTemplate). */
export function policySetTemplate(): KubernetesObject {
  policySetCache ??= deepFreeze(buildPolicySetTemplate());
  return policySetCache;
}

/** Freezes `value` and every object and array it holds. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
  return value;
}

function buildPerControlTemplate(kind: ControlKind): KubernetesObject {
  const name = constraintKind(kind);
  return template(
    name,
    controlParameters(kind),
    perControlCelSource(kind),
    perControlRego(kind, templateName(name)),
    `PodSecurityPolicy ${kind} control, for pods whose only usable PSP sets it (parameters: the PSP's values).`,
  );
}

/** The policy-set template: a violation when no candidate PSP admits the pod. */
function buildPolicySetTemplate(): KubernetesObject {
  const controls = Object.fromEntries(CONTROL_KINDS.map((kind) => [kind, openApiOf(controlDefinitions[kind].params)]));
  const parameters: OpenApiSchema = {
    type: 'object',
    properties: {
      scopes: SCOPES_SCHEMA,
      candidates: {
        type: 'array',
        description: 'The PSPs these pods may use, in the order PSP admission tried them.',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, controls: { type: 'object', properties: controls, required: [...CONTROL_KINDS] } },
          required: ['name', 'controls'],
        },
      },
    },
    required: ['scopes', 'candidates'],
  };
  return template(
    POLICY_SET_KIND,
    parameters,
    policySetCelSource(),
    policySetRego(templateName(POLICY_SET_KIND)),
    'Pods admitted when any PodSecurityPolicy they may use admits them, as PSP admission decided.',
  );
}
