/**
 * policyControlExpressions and friends memoise by policy object and by each control's params value:
 * a result must be what folding and printing that control with those params gives, whatever was
 * asked before (another policy, another pod expression, the message before the controls).
 */
import { describe, expect, test } from 'vitest';
import { CONTROL_KINDS, type PolicyIR } from '../ir/ir.js';
import { policyFixture } from '../evaluate/test-support.js';
import { controlCondition, policyAdmitsExpression, policyControlExpressions, policyMessageExpression, policyParams } from './control-cel.js';
import { fold } from './fold.js';
import { printCel } from './print.js';

/** What the control's `admits` must be: the control folded with the policy's params, printed. */
function expectedAdmits(policy: PolicyIR, object: string): Map<string, string> {
  const params = policyParams(policy);
  const out = new Map<string, string>();
  for (const kind of CONTROL_KINDS) {
    const condition = fold(controlCondition(kind), { params: params[kind] });
    if (condition.op === 'lit' && condition.value === true) continue;
    out.set(kind, printCel(condition, { object, params: '__params_are_inlined__' }));
  }
  return out;
}

const restricted = () =>
  policyFixture({
    name: 'restricted',
    controls: { privileged: { validate: { allowPrivileged: false } }, readOnlyRootFilesystem: { validate: { required: true } } },
  });
const privileged = () => policyFixture({ name: 'privileged', controls: { privileged: { validate: { allowPrivileged: true } } } });

describe('control CEL memoisation', () => {
  test('each control prints as its folded condition, for the policy and pod expression asked', () => {
    for (const object of ['object', 'request.object', 'object']) {
      for (const policy of [restricted(), privileged(), restricted()]) {
        const controls = policyControlExpressions(policy, { object });
        expect(new Map(controls.map((c) => [c.kind, c.admits]))).toEqual(expectedAdmits(policy, object));
        for (const c of controls) expect(c.admits.includes(object)).toBe(true);
      }
    }
    // The privileged control differs between the two policies; readOnlyRootFilesystem is only in the restricted one.
    const strict = policyControlExpressions(restricted(), { object: 'object' });
    const loose = policyControlExpressions(privileged(), { object: 'object' });
    expect(strict.map((c) => c.kind)).toContain('privileged');
    expect(strict.map((c) => c.kind)).toContain('readOnlyRootFilesystem');
    expect(loose.map((c) => c.kind)).not.toContain('privileged');
    expect(loose.map((c) => c.kind)).not.toContain('readOnlyRootFilesystem');
  });

  test('equal controls of different policy objects share their printed CEL; the arrays are fresh and the elements frozen', () => {
    const a = policyControlExpressions(restricted(), { object: 'object' });
    const b = policyControlExpressions(restricted(), { object: 'object' });
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    expect(b[0]).toBe(a[0]);
    const again = policyControlExpressions(restricted(), { object: 'object' });
    again.pop(); // the caller's own array
    expect(policyControlExpressions(restricted(), { object: 'object' })).toHaveLength(a.length);
    expect(Object.isFrozen(a[0])).toBe(true);
    expect(Object.isFrozen(a[0]?.parts)).toBe(true);
  });

  test('a policy message asked first (before its controls) is the same as asked after, and names the failing control', () => {
    const first = restricted();
    const messageFirst = policyMessageExpression(first, { object: 'pod' });
    const second = restricted();
    policyControlExpressions(second, { object: 'pod' });
    expect(policyMessageExpression(second, { object: 'pod' })).toBe(messageFirst);
    expect(messageFirst).toContain('privileged: ');
    expect(messageFirst).toContain('readOnlyRootFilesystem: ');
    expect(messageFirst).toContain('pod.spec');
    expect(policyAdmitsExpression(first, { object: 'pod' })).toBe([...expectedAdmits(first, 'pod').values()].join(' && '));
  });
});
