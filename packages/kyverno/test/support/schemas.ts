/**
 * The Kyverno CRD schemas kept in ../schemas (test data, with provenance in each file's $comment),
 * checked with the structural-schema validator the Gatekeeper tests use. That validator lives in
 * packages/gatekeeper/test/support for now; it is imported, not copied, until it moves to a shared place.
 */
import { readFileSync } from 'node:fs';
import { validateAgainstCrd, type CrdSchemaFile } from '../../../gatekeeper/test/support/structural-schema.js';
import type { KubernetesObject } from '../../src/index.js';

const FILES = [
  'clusterpolicy-v1.json',
  'policyexception-v2.json',
  'validatingpolicy-v1.json',
  'mutatingpolicy-v1.json',
  'policies-policyexception-v1.json',
  'cli-test-v1alpha1.json',
];

const crds: CrdSchemaFile[] = FILES.map((file) => JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8')) as CrdSchemaFile);

/** Errors of one object against the CRD of its apiVersion and kind; an unknown kind is an error. */
export function schemaErrors(object: KubernetesObject): string[] {
  const crd = crds.find((c) => `${c.group}/${c.version}` === object.apiVersion && c.kind === object.kind);
  if (crd === undefined) return [`no schema kept for ${object.apiVersion} ${object.kind}`];
  return validateAgainstCrd(object as unknown as Record<string, unknown>, crd).map((e) => `${object.kind}/${object.metadata.name}: ${e}`);
}
