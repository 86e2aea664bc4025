// Parsing: manifests in, InputSet (policies in IR form, RBAC, workloads) out.
import { type InputSet, type ParseOptions, parseInputs } from './parse-inputs.js';
import { type ReadOptions, readInputs } from './read-inputs.js';

export { formatInputIssue, InputError, type InputIssue } from './input-error.js';
export {
  type InputSet,
  isAdmissionPolicyObject,
  type ManifestObject,
  type ParseOptions,
  parseInputs,
  requirePolicies,
  type SkippedObject,
  type Workload,
} from './parse-inputs.js';
export { DEFAULT_MAX_INPUT_BYTES, type InputFile, type ReadOptions, readInputs, STDIN_PATH } from './read-inputs.js';
export { MAX_ALIAS_EXPANSIONS } from './yaml-source.js';

/**
 * {@link readInputs} then {@link parseInputs}: files, directories (recursive) and `-` for stdin in,
 * one InputSet out.
 *
 * @throws {InputError} with every problem found.
 */
export async function loadInputs(paths: readonly string[], options: ReadOptions & ParseOptions = {}): Promise<InputSet> {
  const files = await readInputs(paths, options);
  return parseInputs(files, options);
}
