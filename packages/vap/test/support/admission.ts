/**
 * The tests' view of the in-process admission chain, which lives in ../../src/evaluate.ts
 * (`vapAdmission`, also used by `check --target vap` and `evaluate`). `allowed` here means that no
 * validation of a matching policy failed, whatever the binding's actions: the differential tests
 * translate with the default `[Audit, Warn]`.
 *
 * Before running an emitted MutatingAdmissionPolicy, its mutations are checked to be exactly the
 * typed print of the defaults plan of the PSP it names (`psp-translate.io/defaults-of`) (where
 * several candidates default: after a first mutation recording the choice in the kubernetes.io/psp
 * annotation, each under one guard on that annotation); the chain
 * then runs the emitted text itself.
 */
import type { Pod, PolicyIR } from '@psp-translate/core';
import { defaultsPlan, mutationExpression, vapAdmission, type AdmissionRequest as Request, type KubernetesObject } from '../../src/index.js';

/** What the request looks like to admission. */
export type AdmissionRequest = Request;

/** What admission decided. */
export interface AdmissionOutcome {
  /** No validation of a matching policy failed (whatever the binding's actions). */
  allowed: boolean;
  /** The pod after the mutating policies. */
  pod: Pod;
  /** Names of the ValidatingAdmissionPolicies that matched. */
  validatedBy: string[];
  /** Names of the MutatingAdmissionPolicies that matched. */
  mutatedBy: string[];
  /** Names of the MutatingAdmissionPolicies that changed the pod. */
  changedBy: string[];
  /** Failure messages (messageExpression results). */
  messages: string[];
}

const checked = new WeakSet<KubernetesObject>();
const GUARDED = /^(\(has\(object\.metadata\.annotations\) && "kubernetes\.io\/psp" in [^?]*\)) \? \((.*)\) : Object\{\}$/s;

/** The emitted mutations of a MutatingAdmissionPolicy are the typed print of its PSP's defaults plan. */
function checkMutations(policy: KubernetesObject, policies: ReadonlyMap<string, PolicyIR>): void {
  if (checked.has(policy)) return;
  const name = policy.metadata.annotations?.['psp-translate.io/defaults-of'];
  const psp = name === undefined ? undefined : policies.get(name);
  if (psp === undefined) throw new Error(`${policy.metadata.name} names no known PSP in psp-translate.io/defaults-of`);
  const typed = defaultsPlan(psp).mutations.filter((m) => m.apply !== undefined).map((m) => mutationExpression(m));
  const emitted = ((policy.spec as { mutations: { applyConfiguration: { expression: string } }[] }).mutations).map((m) => m.applyConfiguration.expression);
  // Where several candidates default, a first mutation records the choice in the kubernetes.io/psp
  // annotation and every default is guarded by the same test of that annotation.
  const recording = emitted[0] !== undefined && emitted[0].startsWith('variables.') && emitted[0].includes('"kubernetes.io/psp"');
  const rest = recording ? emitted.slice(1) : emitted;
  const guards = new Set(rest.map((e) => GUARDED.exec(e)?.[1]));
  const unguarded = recording && guards.size === 1 && !guards.has(undefined) ? rest.map((e) => GUARDED.exec(e)?.[2]) : emitted;
  if (JSON.stringify(typed) !== JSON.stringify(unguarded)) throw new Error(`${policy.metadata.name}: emitted mutations differ from the PSP's defaults plan`);
  checked.add(policy);
}

const prepared = new WeakMap<readonly KubernetesObject[], Map<boolean, ReturnType<typeof vapAdmission>>>();

/** Run `request` through the emitted objects. */
export function admitThrough(
  objects: readonly KubernetesObject[],
  policies: ReadonlyMap<string, PolicyIR>,
  request: AdmissionRequest,
  options: { /** Evaluate messageExpressions of failed validations (default true). */ messages?: boolean } = {},
): AdmissionOutcome {
  for (const policy of objects) if (policy.kind === 'MutatingAdmissionPolicy') checkMutations(policy, policies);
  const messages = options.messages !== false;
  let byOption = prepared.get(objects);
  if (byOption === undefined) prepared.set(objects, (byOption = new Map()));
  let chain = byOption.get(messages);
  if (chain === undefined) byOption.set(messages, (chain = vapAdmission(objects, { messages })));
  const outcome = chain.admit(request);
  if (outcome.notEvaluated.length > 0) throw new Error(`our own objects must be evaluable: ${outcome.notEvaluated.join('; ')}`);
  return { allowed: outcome.violations.length === 0, pod: outcome.pod, validatedBy: outcome.validatedBy, mutatedBy: outcome.mutatedBy, changedBy: outcome.changedBy, messages: outcome.messages };
}
