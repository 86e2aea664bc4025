/**
 * Validation in CEL, from core's one definition per control: per-control expressions where one PSP
 * decides a scope, an any-of expression where several PSPs could admit a pod (PSP admitted it when
 * any of them did), and a denial where no PSP was authorised.
 */
import { celString, policyControlExpressions, policySetExpression, type ControlKind, type PolicyIR } from '@psp-translate/core';
import { defaultsPlan } from '../mutate/defaults.js';
import { pendingDefaultsExpression } from '../mutate/mutating-policy.js';
import { kebabCase } from '../names.js';

/**
 * Boolean CEL: the request is not an UPDATE that PSP would have refused because the policy's
 * defaults were missing (PSP defaulted on CREATE only, and on UPDATE, e.g. `kubectl debug` adding
 * an ephemeral container, skipped a policy whose defaults would have changed the pod).
 * `undefined` for a policy without defaults.
 */
export function defaultsPresentOnUpdate(policy: PolicyIR): string | undefined {
  if (presentOnUpdate.has(policy)) return presentOnUpdate.get(policy);
  const pending = pendingDefaultsExpression(defaultsPlan(policy).edits);
  const expression = pending === undefined ? undefined : `request.operation != "UPDATE" || !(${pending})`;
  presentOnUpdate.set(policy, expression);
  return expression;
}

/** By policy object (the IR is immutable): the expression is wanted for every candidate set a policy is in. */
const presentOnUpdate = new WeakMap<PolicyIR, string | undefined>();

/** A named CEL validation: all `expressions` must hold. */
export interface CelValidation {
  /** Rule name (ClusterPolicy) or name suffix (ValidatingPolicy). */
  name: string;
  /** The control this validation checks, or null for a whole-policy (any-of, deny) validation. */
  control: ControlKind | null;
  variables: { name: string; expression: string }[];
  expression: string;
  message: string;
  messageExpression: string | undefined;
}

/** Validations for pods whose only candidate is `policy`: one per control that restricts anything. */
export function singlePolicyValidations(policy: PolicyIR): CelValidation[] {
  const out: CelValidation[] = policyControlExpressions(policy, { object: 'object' }).map((control) => ({
    name: kebabCase(control.kind),
    control: control.kind,
    variables: [],
    expression: control.admits,
    message: `PodSecurityPolicy ${policy.name}: ${control.kind} does not allow this pod`,
    messageExpression: `${celString(`PodSecurityPolicy ${policy.name}: `)} + ${control.message}`,
  }));
  const defaults = defaultsPresentOnUpdate(policy);
  if (defaults !== undefined) {
    out.push({
      name: 'defaults-on-update',
      control: null,
      variables: [],
      expression: defaults,
      message: `PodSecurityPolicy ${policy.name}: an update (such as an ephemeral container) must already carry the policy's defaults, which are applied on create only`,
      messageExpression: undefined,
    });
  }
  return out;
}

/**
 * One validation: some candidate admits the pod. Candidates are bound as variables. With
 * `unchangedAlways` (the mutating policies write exactly the defaults of the PSP that PSP admission
 * chose, see ../mutate/chosen.ts), a candidate admits only a pod its defaults would not change, on
 * CREATE too: the chosen PSP admits the pod as its defaults left it, unchanged; a pod PSP admitted
 * unchanged is admitted; and where PSP rejected a pod, no defaults were written and no candidate
 * admits it unchanged. Otherwise that holds on UPDATE only (PSP defaulted on CREATE).
 */
export function anyOfValidation(policies: readonly PolicyIR[], name: string, options: { unchangedAlways?: boolean } = {}): CelValidation {
  const set = policySetExpression(policies, { object: 'object', variables: 'variables.' });
  const variables = set.candidates.map((c, i) => {
    const policy = policies[i]!;
    let defaults: string | undefined;
    if (options.unchangedAlways === true) {
      const pending = pendingDefaultsExpression(defaultsPlan(policy).edits);
      defaults = pending === undefined ? undefined : `!(${pending})`;
    } else {
      defaults = defaultsPresentOnUpdate(policy);
    }
    return { name: c.variable, expression: defaults === undefined ? c.admits : `(${c.admits}) && (${defaults})` };
  });
  return {
    name,
    control: null,
    variables,
    expression: set.expression,
    message: `no PodSecurityPolicy this pod may use (${policies.map((p) => p.name).join(', ')}) admits it`,
    messageExpression: set.messageExpression,
  };
}

/** One validation rejecting every pod: PSP admission had no policy for them. */
export function denyValidation(name: string): CelValidation {
  return {
    name,
    control: null,
    variables: [],
    expression: 'false',
    message:
      'no PodSecurityPolicy was authorised for this pod (neither its service account nor its requester may use one), so PSP admission rejected it',
    messageExpression: undefined,
  };
}
