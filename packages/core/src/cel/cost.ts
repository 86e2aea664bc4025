/**
 * A structural bound on the runtime cost of a CEL expression, so emitters can keep
 * ValidatingAdmissionPolicy expressions inside the API server's limits.
 *
 * What Kubernetes does (k8s.io/apiserver/pkg/apis/cel, admission plugin cel):
 * - At runtime every expression runs with a cost limit of `PerCallLimit` = 1,000,000 units (one
 *   unit ~ one field selection, function call or comprehension step; ~50 ns), and all expressions
 *   of one policy evaluation (validations, messageExpressions, variables, matchConditions) share
 *   `RuntimeCELCostBudget` = 10,000,000. Exceeding either aborts evaluation, and the policy's
 *   `failurePolicy` decides (Fail = reject the pod).
 * - Estimated (static) cost is what CRD validation rules are rejected for. There the estimator sizes
 *   a list without `maxItems` as `MaxRequestSizeBytes` (3 MiB) divided by the smallest possible
 *   serialized element, i.e. hundreds of thousands to a million items. Pod lists (`containers`,
 *   `volumes`, `volumeMounts`, `ports`) have no maxItems, so a single comprehension over containers
 *   already estimates near the limit and a nested one (containers x volumeMounts x volumes, as the
 *   hostPath read-only check needs) estimates in the 1e12+ range. ValidatingAdmissionPolicy does not
 *   reject a policy for its estimate (type checking in 1.28+ only reports warnings), so what must
 *   stay bounded is the runtime cost for the pods that actually occur, which depends on their real
 *   list sizes.
 *
 * Hence this estimate takes an assumed maximum list length (`listSize`, default 64 items per pod
 * list: far above real pods; `paramListSize` for the policy's own lists) and string length, and
 * returns the worst-case runtime cost under those assumptions: both sides of `&&`/`||` counted, the costlier branch of `?:`, every
 * comprehension run to the end. Lists written as literals are sized exactly.
 */
import { parse } from '@bufbuild/cel';

/** Runtime cost limit of one CEL expression in the Kubernetes API server. */
export const CEL_PER_CALL_LIMIT = 1_000_000;
/** Runtime cost budget of one ValidatingAdmissionPolicy evaluation (all its expressions). */
export const CEL_RUNTIME_BUDGET = 10_000_000;

/** Assumptions about the data. */
export interface CelCostOptions {
  /** Length assumed for lists and maps read from the object (default 64). */
  listSize?: number;
  /** Length assumed for strings read from the object (default 256). */
  stringLength?: number;
  /** Length assumed for lists read from the params (default 8): policy values are short lists. */
  paramListSize?: number;
  /** CEL prefixes whose lists are params (default `params`, `variables.params`). */
  paramRoots?: readonly string[];
}

type ParsedExpr = NonNullable<ReturnType<typeof parse>['expr']>;

const STRING_FUNCTIONS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'split', 'indexOf', 'substring', 'lastIndexOf', 'join', 'replace', 'lowerAscii', 'upperAscii', 'trim']);

/**
 * Worst-case runtime cost of `expr` for objects whose lists hold at most `listSize` items (see the
 * module comment). Throws when `expr` does not parse.
 */
export function estimateCelCost(expr: string, options: CelCostOptions = {}): number {
  const listSize = options.listSize ?? 64;
  const stringCost = Math.ceil((options.stringLength ?? 256) * 0.1);
  const root = parse(expr).expr;
  const paramListSize = options.paramListSize ?? 8;
  const paramRoots = options.paramRoots ?? ['params', 'variables.params'];

  /** The dotted path of a pure select chain (`params.entries`), else undefined. */
  const dotted = (e: ParsedExpr | undefined): string | undefined => {
    if (e === undefined) return undefined;
    if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
    if (e.exprKind.case === 'selectExpr') {
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
        const args = [call.target, ...call.args].filter((a): a is ParsedExpr => a !== undefined);
        if (call.function === '_?_:_') {
          const [test, then, otherwise] = call.args;
          return cost(test) + Math.max(cost(then), cost(otherwise));
        }
        const argCost = args.reduce((sum, a) => sum + cost(a), 0);
        if (call.function === '@in') {
          return 1 + argCost + sizeOf(call.args[1]);
        }
        if (STRING_FUNCTIONS.has(call.function) || call.function === '_+_') return 1 + stringCost + argCost;
        return 1 + argCost;
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        const range = c.iterRange;
        const n = sizeOf(range);
        return cost(range) + cost(c.accuInit) + n * (cost(c.loopCondition) + cost(c.loopStep) + 1) + cost(c.result);
      }
      default:
        return 1;
    }
  };
  return cost(root);
}
