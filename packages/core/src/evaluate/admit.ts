/**
 * PSP admission over several candidate policies: which one admits the pod, and with what defaults.
 */
import type { PolicyIR } from '../ir/ir.js';
import type { Pod } from '../pod/types.js';
import { evaluateVerdict } from './evaluate.js';
import { VALIDATED_PSP_ANNOTATION } from './profiles.js';
import type { AdmissionResult, AdmissionWarning, AdmitOptions, JsonPatchOp, PolicyVerdict, Reason } from './types.js';

/** The reason given when no candidate policy exists. */
export const NO_CANDIDATES_MESSAGE = "no PodSecurityPolicy is authorised for this pod's service account or requesting user";

/** Go's `strings.Compare` order (byte-wise; equal to UTF-16 order for the ASCII names PSPs have). */
function byName(a: PolicyIR, b: PolicyIR): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Decide as PSP admission did over the candidate policies (those the pod's service account or the
 * requesting user may `use`; RBAC is resolved elsewhere).
 *
 * Policies are tried in name order. CREATE: the first policy that admits the pod without changing it
 * wins; failing that, the first (by name) that admits it after its defaults. UPDATE (pod updates and
 * `pods/ephemeralcontainers`): nothing may change, so the first policy that admits the pod as it is
 * wins, with the policy named in the pod's `kubernetes.io/psp` annotation tried first. On rejection
 * the reasons of every candidate are returned.
 *
 * PSP also wrote `kubernetes.io/psp: <policy>` on every pod it admitted; that annotation is not part
 * of `mutations`, which are the chosen policy's defaults only.
 */
export function admit(pod: Pod, candidates: readonly PolicyIR[], options: AdmitOptions = {}): AdmissionResult {
  const operation = options.operation ?? 'CREATE';
  const ordered = inNameOrder(candidates);
  if (operation === 'UPDATE') {
    const hint = pod.metadata.annotations?.[VALIDATED_PSP_ANNOTATION];
    const hinted = ordered.findIndex((p) => p.name === hint);
    if (hinted > 0) ordered.unshift(...ordered.splice(hinted, 1));
  }
  if (ordered.length === 0) {
    return {
      admitted: false,
      policy: null,
      candidates: [],
      mutations: [],
      mutatedPod: pod,
      reasons: [{ policy: '', path: '', message: NO_CANDIDATES_MESSAGE }],
      warnings: [],
      warningDetails: [],
      verdicts: [],
    };
  }

  const names: string[] = new Array<string>(ordered.length);
  const verdicts: PolicyVerdict[] = new Array<PolicyVerdict>(ordered.length);
  let winner: PolicyVerdict | undefined;
  let winnerPod: Pod = pod;
  let unchangedWinner = false;
  for (let i = 0; i < ordered.length; i++) {
    const policy = ordered[i] as PolicyIR;
    const evaluated = evaluateVerdict(policy, pod, operation);
    const verdict = evaluated.verdict;
    names[i] = policy.name;
    verdicts[i] = verdict;
    // The first that admits unchanged wins; failing that, the first that admits.
    if (verdict.allowed && !unchangedWinner && (winner === undefined || !verdict.mutated)) {
      winner = verdict;
      winnerPod = evaluated.pod;
      unchangedWinner = !verdict.mutated;
    }
  }
  const warningDetails = options.warnings === false || operation === 'UPDATE' || winner === undefined || unchangedWinner ? [] : nameOrderWarnings(verdicts, winner.policy);
  const warnings = warningDetails.length === 0 ? [] : warningDetails.map((w) => w.message);

  if (!winner) {
    // A loop, not `flatMap`, which V8 runs several times slower (half of the bench's pods end here).
    const reasons: Reason[] = [];
    for (const verdict of verdicts) for (const r of verdict.reasons) reasons.push(r);
    return { admitted: false, policy: null, candidates: names, mutations: [], mutatedPod: pod, reasons, warnings, warningDetails, verdicts };
  }
  const changed = operation === 'CREATE' && winner.mutated;
  return {
    admitted: true,
    policy: winner.policy,
    candidates: names,
    mutations: changed ? winner.mutations : [],
    mutatedPod: changed ? winnerPod : pod,
    reasons: [],
    warnings,
    warningDetails,
    verdicts,
  };
}

/** A copy of the candidates sorted by name (callers usually pass them sorted already: then no sort runs). */
function inNameOrder(candidates: readonly PolicyIR[]): PolicyIR[] {
  const ordered = candidates.slice();
  for (let i = 1; i < ordered.length; i++) {
    if (byName(ordered[i - 1] as PolicyIR, ordered[i] as PolicyIR) > 0) return ordered.sort(byName);
  }
  return ordered;
}

/**
 * The `name-order` trap: no candidate admits the pod unchanged, several admit it after their
 * defaults, and they default it differently. PSP then picks the first by name, so renaming a policy
 * silently changes what runs.
 */
function nameOrderWarnings(verdicts: readonly PolicyVerdict[], winner: string): AdmissionWarning[] {
  // One pass deciding whether to warn: this runs for every pod admitted only after defaults.
  let first: readonly JsonPatchOp[] | undefined;
  let differ = false;
  for (const v of verdicts) {
    if (!v.allowed) continue;
    if (!v.mutated) return [];
    if (first === undefined) first = v.mutations;
    else if (!differ && !sameOps(v.mutations, first)) differ = true;
  }
  if (!differ) return [];
  const mutating = verdicts.filter((v) => v.allowed && v.mutated);
  const policies = mutating.map((v) => v.policy);
  const losers = policies.filter((p) => p !== winner);
  const message =
    `policies ${policies.map((p) => `"${p}"`).join(', ')} all admit this pod only after changing it, and change it differently; ` +
    `PodSecurityPolicy applied "${winner}" because its name sorts first (no candidate admits the pod unchanged). ` +
    `Renaming a policy would change the pod's settings; a translation must reproduce "${winner}"'s defaults, not ${losers.map((p) => `"${p}"`).join(', ')}'s.`;
  return [{ code: 'name-order', policies, message }];
}

function sameOps(a: readonly JsonPatchOp[], b: readonly JsonPatchOp[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as JsonPatchOp;
    const y = b[i] as JsonPatchOp;
    if (x.op !== y.op || x.path !== y.path || !sameJson(x.value, y.value)) return false;
  }
  return true;
}

/** Deep equality of plain JSON data. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
