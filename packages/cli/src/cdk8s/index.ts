/**
 * `translate --format cdk8s` for the translate command: one module on stdout, or one module per
 * target with `--out-dir`. Import this file dynamically, only for that format (it loads ts-morph).
 */
import type { KubernetesObject } from '../targets.js';
import type { TargetName } from '../target-names.js';
import type { OutputFile } from '../write-output.js';
import { chartModule } from './chart-module.js';

export { chartModule, constructId, type ChartModuleSource, type ChartObject } from './chart-module.js';

/** One target's translation, as the translate command holds it. */
export interface TargetObjects {
  target: TargetName;
  objects: readonly KubernetesObject[];
}

/** The class name of a target's chart: `gatekeeper` -> `GatekeeperChart`. */
export function chartClassName(target: TargetName): string {
  return `${target.charAt(0).toUpperCase()}${target.slice(1)}Chart`;
}

/** The module printed on stdout: `PspTranslateChart` with every target's objects. */
export function cdk8sStdoutModule(results: readonly TargetObjects[], generator: string): string {
  return chartModule({
    className: 'PspTranslateChart',
    description: `The policies psp-translate translated from your PodSecurityPolicies, for ${results.map(({ target }) => target).join(', ')}.`,
    objects: results.flatMap(({ target, objects }) => objects.map((object) => ({ target, object }))),
    generator,
  });
}

/** The files written with `--out-dir`: `<target>/chart.ts`, exporting `<Target>Chart`, per target. */
export function cdk8sOutputFiles(results: readonly TargetObjects[], generator: string): OutputFile[] {
  return results.map(({ target, objects }) => ({
    path: `${target}/chart.ts`,
    contents: chartModule({
      className: chartClassName(target),
      description: `The ${target} policies psp-translate translated from your PodSecurityPolicies.`,
      objects: objects.map((object) => ({ target, object })),
      generator,
    }),
  }));
}
