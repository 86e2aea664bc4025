/**
 * Library example: translate a cluster's PSPs in-process, as a platform team would inside its own
 * tooling, to every target (Gatekeeper, Kyverno, Pod Security Admission, ValidatingAdmissionPolicy),
 * and list what each target could not express exactly.
 *
 * It runs in CI: `test/examples.test.ts` calls `main()` on examples/cluster and checks that it lists
 * every entry that is not exact. To run it yourself: `pnpm vitest run --project corpus test/examples.test.ts`
 * (vitest resolves `@psp-translate/*` to the workspace sources). In your own project, with the
 * packages installed from npm, call `translateCluster(['path/to/manifests'])`.
 */
import { loadInputs, type EngineActions, type FidelityEntry, type TargetModule, type TranslationResult } from '@psp-translate/core';
import { gatekeeperTarget } from '@psp-translate/gatekeeper';
import { kyvernoTarget } from '@psp-translate/kyverno';
import { psaTarget } from '@psp-translate/psa';
import { vapTarget } from '@psp-translate/vap';

/** Every target, in the CLI's output order. */
const TARGETS: readonly TargetModule[] = [gatekeeperTarget, kyvernoTarget, psaTarget, vapTarget];

/**
 * What `psp-translate translate` does without `--action`: observe before blocking. The CLI builds
 * this with its own helper; a library caller states it (or `deny` for every engine).
 */
const OBSERVE_FIRST: EngineActions = { action: 'default', gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce', notes: {} };

/** Read the manifests (PSPs, RBAC, namespaces) under `paths` and translate them to every target. */
export async function translateCluster(paths: readonly string[]): Promise<Map<string, TranslationResult>> {
  const inputs = await loadInputs(paths);
  const results = new Map<string, TranslationResult>();
  for (const target of TARGETS) results.set(target.name, await target.translate(inputs, { actions: OBSERVE_FIRST }));
  return results;
}

/** One line per fidelity entry a user must read (everything but `exact`). */
function describe(target: string, entry: FidelityEntry): string {
  const where = [entry.policy ?? '(all policies)', entry.control].filter(Boolean).join('/');
  return `  ${target}: ${entry.fidelity}: ${where}: ${entry.message}`;
}

/** Translate `paths` and print, per target, the objects by kind and the entries that are not exact. */
export async function main(paths: readonly string[], print: (line: string) => void = console.log): Promise<void> {
  const results = await translateCluster(paths);
  for (const [target, result] of results) {
    const byKind = new Map<string, number>();
    for (const object of result.objects) byKind.set(object.kind, (byKind.get(object.kind) ?? 0) + 1);
    const kinds = [...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ');
    const findings = result.report.filter((entry) => entry.fidelity !== 'exact');
    print(`${target}: ${result.objects.length} objects (${kinds}); ${findings.length} of ${result.report.length} fidelity entries are not exact`);
    for (const entry of findings) print(describe(target, entry));
  }
}
