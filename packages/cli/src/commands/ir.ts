/**
 * `psp-translate ir`: show how each PSP was understood and who may use it, so users can check us
 * before translating.
 */
import { ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages } from '../messages.js';
import type { IrOptions } from '../program.js';
import { toJson, toYaml } from '../serialise.js';
import { loadCluster, reportSkipped } from './load.js';

/**
 * Print the IR of every PSP in `inputs` to stdout, each with `access` (its RBAC scopes, user and
 * group grants, whether anyone may use it, warnings). RBAC warnings also go to stderr.
 */
export async function irCommand(inputs: readonly string[], options: IrOptions, io: CliIO): Promise<number> {
  const say = messages(io);
  const inputSet = await loadCluster(inputs, io, {
    defaultNamespace: options.namespace,
    maxBytes: options.maxInputMib * 1024 * 1024,
    requirePolicies: true,
  });
  reportSkipped(inputSet, say, options.verbose);

  // Not the main entry point: it would also load the CEL runtime, a third of `ir`'s start-up.
  const { buildRbacIndex, policyAccess } = await import('@psp-translate/core/inputs');
  const index = buildRbacIndex(inputSet.rbac, { policies: inputSet.policies, defaultNamespace: options.namespace });
  const accessByPolicy = new Map(policyAccess(inputSet.policies, index).map(({ policy, ...access }) => [policy, access]));
  const document = {
    policies: inputSet.policies.map((policy) => ({ ...policy, access: accessByPolicy.get(policy.name) })),
    rbacWarnings: [...index.warnings],
  };

  io.stdout.write(options.format === 'json' ? toJson(document) : toYaml(document));
  for (const warning of index.warnings) say.warning(warning);
  for (const policy of document.policies) {
    for (const warning of policy.access?.warnings ?? []) say.warning(warning);
  }
  return ExitCode.ok;
}
