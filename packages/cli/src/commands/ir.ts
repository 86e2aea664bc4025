/** `psp-translate ir`: show how each PSP was understood, so users can check us before translating. */
import { ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages } from '../messages.js';
import type { IrOptions } from '../program.js';
import { toJson, toYaml } from '../serialise.js';
import { loadCluster, reportSkipped } from './load.js';

/** Print the IR of every PSP in `inputs` to stdout. */
export async function irCommand(inputs: readonly string[], options: IrOptions, io: CliIO): Promise<number> {
  const say = messages(io);
  const inputSet = await loadCluster(inputs, io, {
    defaultNamespace: options.namespace,
    maxBytes: options.maxInputMib * 1024 * 1024,
    requirePolicies: true,
  });
  reportSkipped(inputSet, say, options.verbose);

  const document = { policies: inputSet.policies };
  io.stdout.write(options.format === 'json' ? toJson(document) : toYaml(document));
  return ExitCode.ok;
}
