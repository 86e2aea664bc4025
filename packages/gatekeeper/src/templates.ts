/**
 * ConstraintTemplates: one static template per control (the PSP's values arrive as Constraint
 * parameters) and one policy-set template (candidates' values as parameters). Each carries CEL
 * (K8sNativeValidation) printed by core from the control definitions and Rego printed here from
 * the same definitions.
 *
 * Placement: Rego goes in the legacy `targets[].rego` field, CEL in `targets[].code`. Gatekeeper
 * 3.11-3.12 know no `code` (pruned) and run the Rego; 3.13+ evaluate CEL when
 * `--enable-k8s-native-validation` is on (default from 3.16) and the Rego otherwise.
 */
import { CONTROL_KINDS, celControls, controlDefinitions, type ControlKind } from '@psp-translate/core';
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
  'Rego: Gatekeeper 3.11+ (future.keywords). CEL (K8sNativeValidation, variables.params): Gatekeeper 3.16+, ' +
  'preferred over the Rego when enabled.';

const POD = 'object';

/** CEL: a selector `{op, values}` (CEL expression `sel`) holds for the CEL string `value`. */
function celSelects(sel: string, value: string): string {
  return `((${sel}.op == "In") == (${value} in ${sel}.values))`;
}

/** CEL: the pod is in one of the constraint's scopes. */
export function celInScope(scopes: string): string {
  const namespace = `(has(${POD}.metadata.namespace) ? ${POD}.metadata.namespace : "")`;
  const serviceAccount = `(has(${POD}.spec.serviceAccountName) ? ${POD}.spec.serviceAccountName : "default")`;
  const requester = '(has(request.userInfo) && has(request.userInfo.username) ? request.userInfo.username : "")';
  return (
    `${scopes}.exists(s, ${celSelects('s.namespace', namespace)} && ${celSelects('s.serviceAccount', serviceAccount)} && ` +
    // Most scopes do not depend on the requester: do not read `request` then.
    `((s.requester.op == "NotIn" && size(s.requester.values) == 0) || ${celSelects('s.requester', requester)}))`
  );
}

/** The CEL validation of one control: pods outside the scopes pass; others must be admitted. */
export function perControlCel(kind: ControlKind): { expression: string; messageExpression: string } {
  const options = { params: 'variables.params', object: POD };
  return {
    expression: `!${celInScope('variables.params.scopes')} || ${celControls[kind].admits(options)}`,
    messageExpression: celControls[kind].message(options),
  };
}

/** The CEL validation of the policy set: some candidate admits the pod. */
export function policySetCel(): { expression: string; messageExpression: string } {
  const admits = CONTROL_KINDS.map((kind) => celControls[kind].admits({ params: `c.controls.${kind}`, object: POD })).join(' && ');
  const messages = CONTROL_KINDS.map((kind) => celControls[kind].message({ params: `c.controls.${kind}`, object: POD })).join(', ');
  return {
    expression: `!${celInScope('variables.params.scopes')} || variables.params.candidates.exists(c, ${admits})`,
    messageExpression:
      'size(variables.params.candidates) == 0 ? "no PodSecurityPolicy may be used by this pod" : ' +
      `"no PodSecurityPolicy admits this pod: " + variables.params.candidates.map(c, c.name + ": " + [${messages}].filter(m, m != "").join("; ")).join(" | ")`,
  };
}

function template(kind: string, parameters: OpenApiSchema, cel: { expression: string; messageExpression: string }, rego: string, description: string): KubernetesObject {
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
          code: [{ engine: 'K8sNativeValidation', source: { validations: [cel] } }],
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

/** The per-control template of `kind` (static: built once, then copied). */
export function perControlTemplate(kind: ControlKind): KubernetesObject {
  let cached = perControlCache.get(kind);
  if (cached === undefined) perControlCache.set(kind, (cached = buildPerControlTemplate(kind)));
  return structuredClone(cached);
}

/** The policy-set template (static: built once, then copied). */
export function policySetTemplate(): KubernetesObject {
  policySetCache ??= buildPolicySetTemplate();
  return structuredClone(policySetCache);
}

function buildPerControlTemplate(kind: ControlKind): KubernetesObject {
  const name = constraintKind(kind);
  return template(
    name,
    controlParameters(kind),
    perControlCel(kind),
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
    policySetCel(),
    policySetRego(templateName(POLICY_SET_KIND)),
    'Pods admitted when any PodSecurityPolicy they may use admits them, as PSP admission decided.',
  );
}
