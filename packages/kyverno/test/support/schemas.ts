/**
 * The Kyverno CRD schemas kept in ../schemas (test data, with provenance in each file's $comment),
 * checked with the structural-schema validator shared by the targets' tests (test/support at the repo root).
 */
import { loadCrdSchema, validateAgainstCrd, type CrdSchemaFile } from '../../../../test/support/structural-schema.js';
import type { KubernetesObject } from '../../src/index.js';

const FILES = [
  'clusterpolicy-v1.json',
  'policyexception-v2.json',
  'validatingpolicy-v1.json',
  'mutatingpolicy-v1.json',
  'policies-policyexception-v1.json',
  'cli-test-v1alpha1.json',
];

const crds: CrdSchemaFile[] = FILES.map((file) => loadCrdSchema(new URL(`../schemas/${file}`, import.meta.url)));

/** Errors of one object against the CRD of its apiVersion and kind; an unknown kind is an error. */
export function schemaErrors(object: KubernetesObject): string[] {
  const crd = crds.find((c) => `${c.group}/${c.version}` === object.apiVersion && c.kind === object.kind);
  if (crd === undefined) return [`no schema kept for ${object.apiVersion} ${object.kind}`];
  return validateAgainstCrd(object as unknown as Record<string, unknown>, crd).map((e) => `${object.kind}/${object.metadata.name}: ${e}`);
}
