/**
 * The cost reader (./cost.ts) against a reference: the same cost rules walked over @bufbuild/cel's
 * own parse tree (the estimator's first implementation). Both must agree on every expression we
 * emit and on CEL syntax we do not emit but users' policies may hold.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@bufbuild/cel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { arbitraryPolicy } from '../evaluate/arbitrary.js';
import { CONTROL_KINDS, type PolicyIR } from '../ir/ir.js';
import { parseInputs } from '../parse/index.js';
import { celControls, estimateCelCost, policyControlExpressions, policyMessageExpression, policySetExpression, type CelCostOptions } from './index.js';

type ParsedExpr = NonNullable<ReturnType<typeof parse>['expr']>;
const STRING_FUNCTIONS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'split', 'indexOf', 'substring', 'lastIndexOf', 'join', 'replace', 'lowerAscii', 'upperAscii', 'trim']);

/** The reference: cost rules over the parse tree of @bufbuild/cel (macros already expanded). */
function referenceCost(expr: string, options: CelCostOptions = {}): number {
  const listSize = options.listSize ?? 64;
  const stringCost = Math.ceil((options.stringLength ?? 256) * 0.1);
  const paramListSize = options.paramListSize ?? 8;
  const paramRoots = options.paramRoots ?? ['params', 'variables.params'];
  const dotted = (e: ParsedExpr | undefined): string | undefined => {
    if (e?.exprKind.case === 'identExpr') return e.exprKind.value.name;
    if (e?.exprKind.case === 'selectExpr') {
      const base = dotted(e.exprKind.value.operand);
      return base === undefined ? undefined : `${base}.${e.exprKind.value.field}`;
    }
    return undefined;
  };
  const sizeOf = (range: ParsedExpr | undefined): number => {
    if (range?.exprKind.case === 'listExpr') return range.exprKind.value.elements.length;
    const path = dotted(range);
    if (path !== undefined && paramRoots.some((r) => path === r || path.startsWith(`${r}.`))) return paramListSize;
    return listSize;
  };
  const cost = (e: ParsedExpr | undefined): number => {
    if (e === undefined) return 0;
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return 0;
      case 'identExpr':
        return 1;
      case 'selectExpr':
        return 1 + cost(kind.value.operand);
      case 'listExpr':
        return 10 + kind.value.elements.reduce((sum, item) => sum + cost(item), 0);
      case 'structExpr':
        return 30 + kind.value.entries.reduce((sum, entry) => sum + cost(entry.value) + (entry.keyKind.case === 'mapKey' ? cost(entry.keyKind.value) : 0), 0);
      case 'callExpr': {
        const call = kind.value;
        if (call.function === '_?_:_') return cost(call.args[0]) + Math.max(cost(call.args[1]), cost(call.args[2]));
        const argCost = [call.target, ...call.args].reduce((sum, a) => sum + cost(a), 0);
        if (call.function === '@in') return 1 + argCost + sizeOf(call.args[1]);
        if (STRING_FUNCTIONS.has(call.function) || call.function === '_+_') return 1 + stringCost + argCost;
        return 1 + argCost;
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        return cost(c.iterRange) + cost(c.accuInit) + sizeOf(c.iterRange) * (cost(c.loopCondition) + cost(c.loopStep) + 1) + cost(c.result);
      }
      default:
        return 1;
    }
  };
  return cost(parse(expr).expr);
}

function agree(expr: string, options?: CelCostOptions): void {
  expect(estimateCelCost(expr, options), expr.slice(0, 300)).toBe(referenceCost(expr, options));
}

/** The CEL core prints for a policy: each control's check and message (messages hold every part's code). */
function expressionsOf(policy: PolicyIR): string[] {
  return policyControlExpressions(policy, { object: 'object' }).flatMap((c) => [c.admits, c.message]);
}

const corpusDir = fileURLToPath(new URL('../../../../../shared/corpus/psp/', import.meta.url));
const corpusPresent = existsSync(corpusDir);
if (!corpusPresent) console.warn(`SKIPPED: cost reader on the corpus, ${corpusDir} is absent.`);

describe('the cost reader agrees with the parse-tree reference', () => {
  test('CEL syntax beyond what we emit', () => {
    const cases = [
      'true', '1', '-1', '- 1', '-x', '--x', '!x', '!!x', '!(!x)', '!!!x', '-(-x)', '1.5e3 + 2u + 0x1F + -0.5',
      'a ? b : c ? d.e.f : [1, 2, 3].all(x, x > 0)', 'x in [1, 2]', 'x in params.l', 'x in variables.params.l', 'x in object.l',
      '"a\\"b" + \'c\\\'d\' + """tri"ple""" + \'\'\'t\'\'\' + r"raw\\" + b"bytes" + br\'x\' + R"\\d"',
      'object.l.exists_one(x, x == 1)', 'object.l.map(x, x > 1, x * 2)', 'object.l.map(x, x * 2)', 'object.l.filter(x, x % 2 == 0)',
      'has(object.a) && has(object.a.b) && has(x[0])', 'object.a["b"][0].c.size() > 0 && size(object.l) < 3',
      '{"a": 1, "b": object.x, object.k: [1]}', 'Object{spec: Object.spec{containers: [Object.spec.containers{name: "x"}]}}',
      'object.l.all(x, object.m.exists(y, x == y)) || object.s.startsWith("a") || object.s.matches("^a$")',
      'a.all(b) || a.all(b.c, d) || a.map(b, c, d, e) // trailing comment\n  && true', '.a.b == a', 'x.split(",").join("-").lowerAscii()',
      '[1, 2, ].size() + [].size()', '{}.size()', 'a == b != c <= d >= e < f > g',
      // Operators of every precedence mixed, both ways round (the reader climbs precedences in one loop).
      'a || b && c == d + e * f', 'a * b + c == d && e || f', 'a + b * c - d / e % f < g - h', 'a - b - c * d * e', '!a || -b * c > d && e in [1, 2] + params.l',
      'x in object.l + [1] || (a || b) && (c + d) * e', 'a ? b || c : d && e ? f + g : h * i', 'a/b//comment\n/c',
    ];
    for (const expr of cases) {
      agree(expr);
      agree(expr, { listSize: 7, stringLength: 10, paramListSize: 3, paramRoots: ['object.l'] });
    }
  });

  test('every expression core prints for generated policies, and their policy sets', () => {
    fc.assert(
      fc.property(fc.array(arbitraryPolicy, { minLength: 1, maxLength: 2 }), (policies) => {
        for (const policy of policies) for (const expr of expressionsOf(policy)) agree(expr);
        agree(policySetExpression(policies, { object: 'object' }).inlineExpression);
        agree(policyMessageExpression(policies[0] as PolicyIR, { object: 'object' }));
      }),
      // The reference parses at ~7 µs per character: a few dozen policies keep this test short.
      { seed: Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42), numRuns: 12 },
    );
    for (const kind of CONTROL_KINDS) {
      agree(celControls[kind].admits({ params: 'variables.params', object: 'object' }));
      agree(celControls[kind].message({ params: 'params', object: 'object' }));
    }
  });

  test.skipIf(!corpusPresent)('every expression core prints for the corpus PSPs', () => {
    const files = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      for (const policy of parseInputs([{ path: file, text: readFileSync(corpusDir + file, 'utf8') }]).policies) {
        // Messages repeat the checks (covered by the generated policies above): the checks alone keep this short.
        for (const control of policyControlExpressions(policy, { object: 'object' })) agree(control.admits);
      }
    }
  });

  test('what does not parse is an error naming the offset', () => {
    expect(() => estimateCelCost('a &&')).toThrow(/does not parse: .* at offset 4/);
    expect(() => estimateCelCost('"open')).toThrow(/unterminated string/);
    expect(() => estimateCelCost('a b')).toThrow(/unexpected input at offset 2/);
  });
});
