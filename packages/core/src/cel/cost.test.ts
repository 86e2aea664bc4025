import { describe, expect, test } from 'vitest';
import { policyFixture } from '../evaluate/test-support.js';
import { CEL_PER_CALL_LIMIT, celControls, estimateCelCost, policyAdmitsExpression, policyControlExpressions } from './index.js';
import { CONTROL_KINDS } from '../ir/ir.js';

describe('estimateCelCost', () => {
  test('comprehensions multiply by the assumed list size; literal lists by their length', () => {
    const one = estimateCelCost('object.spec.containers.all(c, c.name == "x")', { listSize: 10 });
    const ten = estimateCelCost('object.spec.containers.all(c, c.name == "x")', { listSize: 100 });
    expect(ten).toBeGreaterThan(one * 8);
    const nested = estimateCelCost('object.a.all(x, object.b.all(y, x == y))', { listSize: 10 });
    expect(nested).toBeGreaterThan(estimateCelCost('object.a.all(x, x == 1)', { listSize: 10 }) * 8);
    expect(estimateCelCost('[1, 2, 3].all(x, x > 0)')).toBeLessThan(estimateCelCost('object.l.all(x, x > 0)'));
  });

  test('the ternary counts its costlier branch only', () => {
    const cheap = estimateCelCost('true ? 1 : 2');
    const costly = estimateCelCost('true ? 1 : object.l.all(x, x > 0)', { listSize: 50 });
    expect(costly).toBeGreaterThan(cheap + 50);
  });

  test('params lists are sized separately from the pod lists', () => {
    const expr = 'object.spec.containers.all(c, params.allowed.exists(a, a == c.name))';
    expect(estimateCelCost(expr, { listSize: 10, paramListSize: 2 })).toBeLessThan(estimateCelCost(expr, { listSize: 10, paramListSize: 20 }));
  });

  test('a strict policy stays inside the per-expression limit for pods with 8-item lists', () => {
    const strict = policyFixture({
      controls: {
        hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/data', readOnly: false }] } },
        seLinux: { validate: { rule: 'MustRunAs', options: { level: 's0:c1,c2' } } },
        capabilities: { validate: { allowAny: false, allowed: ['NET_BIND_SERVICE'], requiredDrop: ['ALL'] } },
        hostPorts: { validate: { ranges: [{ min: 80, max: 80 }] } },
      },
    });
    for (const control of policyControlExpressions(strict, { object: 'object' })) {
      expect(estimateCelCost(control.admits, { listSize: 8 }), control.kind).toBeLessThan(CEL_PER_CALL_LIMIT);
    }
    for (const kind of CONTROL_KINDS.filter((k) => k !== 'hostPaths')) {
      expect(estimateCelCost(celControls[kind].admits({ params: 'params', object: 'object' }), { listSize: 8, paramListSize: 4 }), kind).toBeLessThan(
        CEL_PER_CALL_LIMIT,
      );
    }
    expect(estimateCelCost(policyAdmitsExpression(strict, { object: 'object' }), { listSize: 8 })).toBeLessThan(CEL_PER_CALL_LIMIT);
  });

  test('the read-only hostPath check computes the read-only volume names once: each part fits the limit at 64-item lists', () => {
    const readOnly = policyFixture({
      controls: { hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/data', readOnly: false }] } } },
    });
    const hostPaths = policyControlExpressions(readOnly, { object: 'object' }).find((c) => c.kind === 'hostPaths');
    expect(hostPaths?.parts.map((p) => p.id)).toEqual([
      'pathPrefix',
      'readOnlyMounts_containers',
      'readOnlyMounts_initContainers',
      'readOnlyMounts_ephemeralContainers',
    ]);
    for (const part of hostPaths?.parts ?? []) {
      expect(estimateCelCost(part.admits, { listSize: 64 }), part.id).toBeLessThan(CEL_PER_CALL_LIMIT / 2);
      expect(estimateCelCost(part.message, { listSize: 64 }), part.id).toBeLessThan(CEL_PER_CALL_LIMIT);
    }
    // containers x mounts x |names| plus one pass over the volumes: the search of every volume per
    // mount (containers x mounts x volumes x the prefix match) cost 1.8e8 here.
    const whole = estimateCelCost(hostPaths?.admits ?? '', { listSize: 64 });
    expect(whole).toBeLessThan(1.2 * CEL_PER_CALL_LIMIT);
    expect(hostPaths?.admits).toMatch(/\]\.all\(readOnlyVolumes, /);
  });

  test('long expressions cost what their parts do, however often a part recurs (groups read once are looked up)', () => {
    const group = `(object.spec.containers.all(c, has(c.securityContext) && c.securityContext.privileged == false))`;
    const options = { listSize: 7, stringLength: 40 };
    const single = estimateCelCost(`${group} && true`, options);
    // Padding makes the expressions long enough for the group memo; comments and constants cost nothing.
    const pad = ` // ${'x'.repeat(600)}\n`;
    const repeated = estimateCelCost(`${pad}${group} && ${group} && ${group}`, options);
    expect(repeated).toBe(3 * (single - 1) + 2);
    // A list literal's size survives the lookup: the second range is the 3-element group seen before.
    const list = '([1, 2, 3] + [])';
    const sized = estimateCelCost(`${pad}${list}.all(x, x > 0) || ${list}.all(x, x > 0)`, options);
    expect(sized).toBe(2 * estimateCelCost(`${list}.all(x, x > 0)`, options) + 1);
    // A raw string ending in a backslash misleads the parenthesis scan; the estimate must not change.
    const raw = `(r"\\" + "(" + object.metadata.name)`;
    expect(estimateCelCost(`${pad}${raw}.startsWith("a") && ${group}`, options)).toBe(
      estimateCelCost(`${raw}.startsWith("a")`, options) + estimateCelCost(`${group}`, options) + 1,
    );
  });
});
