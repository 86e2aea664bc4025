/**
 * Validation in CEL, from core's one definition per control: per-control expressions where one PSP
 * decides a scope, an any-of expression where several PSPs could admit a pod (PSP admitted it when
 * any of them did), and a denial where no PSP was authorised.
 */
import { celString, policyControlExpressions, policySetExpression, type ControlKind, type PolicyIR } from '@psp-translate/core';
import { kebabCase } from '../names.js';

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
  return policyControlExpressions(policy, { object: 'object' }).map((control) => ({
    name: kebabCase(control.kind),
    control: control.kind,
    variables: [],
    expression: control.admits,
    message: `PodSecurityPolicy ${policy.name}: ${control.kind} does not allow this pod`,
    messageExpression: `${celString(`PodSecurityPolicy ${policy.name}: `)} + ${control.message}`,
  }));
}

/** One validation: some candidate admits the pod. Candidates are bound as variables. */
export function anyOfValidation(policies: readonly PolicyIR[], name: string): CelValidation {
  const set = policySetExpression(policies, { object: 'object', variables: 'variables.' });
  return {
    name,
    control: null,
    variables: set.candidates.map((c) => ({ name: c.variable, expression: c.admits })),
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
