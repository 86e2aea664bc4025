/**
 * Every object every target emits for the PSP corpus stays well inside what Kubernetes stores:
 * client-side `kubectl apply` copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and an object's annotations may
 * total at most 256 KiB (262,144 bytes). The Gatekeeper templates, static and emitted with every
 * translation, are held to tight bounds of their own so that they stay reviewable.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseInputs, type EngineActions, type TargetModule } from '@psp-translate/core';
import { gatekeeperTarget, POLICY_SET_KIND } from '@psp-translate/gatekeeper';
import { kyvernoTarget } from '@psp-translate/kyverno';
import { psaTarget } from '@psp-translate/psa';
import { vapTarget } from '@psp-translate/vap';

/** The annotation limit (apimachinery `TotalAnnotationSizeLimitB`), which last-applied-configuration must fit in. */
const ANNOTATIONS_LIMIT = 256 * 1024;
/** The policy-set template (every control's CEL and Rego for any number of candidates): 81 KB when written, was 254 KB. */
const POLICY_SET_TEMPLATE_LIMIT = 88 * 1024;
/** Any per-control template: at most 14 KB when written (seLinux), was up to 57 KB. */
const PER_CONTROL_TEMPLATE_LIMIT = 16 * 1024;

const TARGETS: readonly TargetModule[] = [gatekeeperTarget, kyvernoTarget, psaTarget, vapTarget];
const ACTIONS: EngineActions = { action: 'default', gatekeeper: 'deny', kyverno: 'Enforce', vap: ['Deny'], psa: 'enforce', notes: {} };

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const corpus = join(repoRoot, '..', 'shared', 'corpus', 'psp');
const present = existsSync(corpus);
if (!present) console.warn(`object-size: SKIPPED, corpus not found at ${corpus} (expected ../shared/corpus from the repo root)`);

/** Bytes of the object as kubectl stores it in last-applied-configuration (compact JSON, UTF-8). */
const jsonBytes = (object: unknown): number => Buffer.byteLength(JSON.stringify(object), 'utf8');

interface Emitted {
  file: string;
  target: string;
  kind: string;
  name: string;
  bytes: number;
  templateKind?: string;
}

describe.skipIf(!present)('object sizes over the PSP corpus', () => {
  const files = present ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];
  const texts = files.map((file) => ({ path: file, text: readFileSync(join(corpus, file), 'utf8') }));

  async function emitted(): Promise<Emitted[]> {
    const out: Emitted[] = [];
    // Each chart alone, then the charts together (several PSPs for most pods: the policy-set template).
    // Charts reuse PSP names (`privileged`, `restricted`): the merged run keeps each name's first file.
    const merged: typeof texts = [];
    for (const text of texts) {
      try {
        parseInputs([...merged, text]);
        merged.push(text);
      } catch {
        // A name clash with an earlier chart: left out of the merged run (it ran alone above).
      }
    }
    const runs = [...texts.map((t) => ({ label: t.path, inputs: [t] })), { label: `(${merged.length} charts at once)`, inputs: merged }];
    for (const run of runs) {
      const inputs = parseInputs(run.inputs);
      if (inputs.policies.length === 0) continue;
      for (const target of TARGETS) {
        const result = await target.translate(inputs, { actions: ACTIONS });
        for (const object of result.objects) {
          const templateKind = object.kind === 'ConstraintTemplate' ? (object.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind : undefined;
          out.push({
            file: run.label,
            target: target.name,
            kind: object.kind,
            name: object.metadata.name,
            bytes: jsonBytes(object),
            ...(templateKind === undefined ? {} : { templateKind }),
          });
        }
      }
    }
    return out;
  }

  it('every object of every target fits in the last-applied-configuration annotation; Gatekeeper templates stay small', async () => {
    const objects = await emitted();
    expect(objects.length).toBeGreaterThan(files.length);
    const describe = (o: Emitted) => `${o.file}: ${o.target} ${o.kind}/${o.name}: ${o.bytes} bytes`;
    expect(objects.filter((o) => o.bytes >= ANNOTATIONS_LIMIT).map(describe)).toEqual([]);

    const templates = objects.filter((o) => o.target === 'gatekeeper' && o.kind === 'ConstraintTemplate');
    const policySet = templates.filter((o) => o.templateKind === POLICY_SET_KIND);
    expect(policySet.length, 'the charts at once use the policy-set template').toBeGreaterThan(0);
    expect(policySet.filter((o) => o.bytes >= POLICY_SET_TEMPLATE_LIMIT).map(describe)).toEqual([]);
    const perControl = templates.filter((o) => o.templateKind !== POLICY_SET_KIND);
    expect(perControl.length).toBeGreaterThan(0);
    expect(perControl.filter((o) => o.bytes >= PER_CONTROL_TEMPLATE_LIMIT).map(describe)).toEqual([]);
  }, 240_000);
});
