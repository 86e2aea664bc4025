/**
 * Writing `--out-dir` all or nothing.
 *
 * Every file is first written to a staging directory beside the output directory (same file
 * system, so renames are atomic). Then each top-level subdirectory (one per target) replaces its
 * previous version by rename, and if any step fails the earlier swaps are undone. A crash or a
 * full disk therefore never leaves a mix of old and new policies, which could be applied by
 * accident.
 *
 * We only replace subdirectories psp-translate wrote itself (they hold {@link OWNERSHIP_MARKER}):
 * replacing a directory drops files that are no longer generated, which must never hit a user's
 * own files.
 */
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './errors.js';

/** A file to write, relative to the output directory. */
export interface OutputFile {
  /** `/`-separated relative path whose first segment is the subdirectory it belongs to, e.g. `gatekeeper/constraint-x.yaml`. */
  path: string;
  contents: string;
}

/** The file-system calls the writer makes (a subset of `node:fs/promises`), replaceable in tests. */
export interface OutputFileSystem {
  lstat(path: string): Promise<{ isDirectory(): boolean }>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { recursive: true; force: true }): Promise<void>;
}

/** Written into each subdirectory we own; its presence allows us to replace that subdirectory. */
// No .json/.yaml extension: `kubectl apply -f <dir>` and our own readers must not take it for a manifest.
export const OWNERSHIP_MARKER = '.psp-translate-output';

/** A safe file-name part: Kubernetes names are DNS subdomains, but input is untrusted. */
function fileNamePart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

/**
 * Where an object goes under the output directory: `<target>/<kind>-<name>.<ext>` for
 * cluster-scoped objects, `<target>/<kind>-<namespace>-<name>.<ext>` for namespaced ones (two
 * namespaces may hold objects of the same name). Kind is lower-cased.
 */
export function objectFilePath(
  target: string,
  object: { kind: string; metadata: { name: string; namespace?: string } },
  extension: 'yaml' | 'json',
): string {
  const { kind, metadata } = object;
  const parts = [kind.toLowerCase(), ...(metadata.namespace ? [metadata.namespace] : []), metadata.name];
  return `${target}/${parts.map(fileNamePart).join('-')}.${extension}`;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function exists(fs: OutputFileSystem, target: string): Promise<{ isDirectory(): boolean } | undefined> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Group files by their first path segment, rejecting paths that could escape the output directory. */
function groupBySubdirectory(files: readonly OutputFile[]): Map<string, OutputFile[]> {
  const groups = new Map<string, OutputFile[]>();
  const seen = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    const [subdirectory] = segments;
    if (
      subdirectory === undefined ||
      segments.length < 2 ||
      segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\'))
    ) {
      throw new Error(`output path "${file.path}" must be a relative path inside a subdirectory`);
    }
    if (seen.has(file.path)) {
      throw new Error(`two objects would be written to the same file "${file.path}"`);
    }
    seen.add(file.path);
    const group = groups.get(subdirectory) ?? [];
    group.push(file);
    groups.set(subdirectory, group);
  }
  return groups;
}

/**
 * Write `files` under `outDir` (relative to `options.cwd`, default the process's; messages name it
 * as given), replacing the subdirectories they belong to, all or nothing.
 * Files outside those subdirectories are left alone.
 *
 * @throws CliError when `outDir` is not a directory or a subdirectory to replace was not written
 *   by psp-translate (before anything is written); otherwise the file-system error, after undoing
 *   every change.
 */
export async function writeOutputAtomically(
  outDir: string,
  files: readonly OutputFile[],
  options: { fs?: OutputFileSystem; cwd?: string; generator?: string } = {},
): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const groups = groupBySubdirectory(files);
  const outputRoot = path.resolve(options.cwd ?? process.cwd(), outDir);

  // Check everything we would replace before touching anything.
  const rootStat = await exists(fs, outputRoot);
  if (rootStat && !rootStat.isDirectory()) {
    throw new CliError(`output directory ${outDir} exists and is not a directory; choose another output directory`);
  }
  const replaced = new Set<string>();
  for (const subdirectory of groups.keys()) {
    const destination = path.join(outputRoot, subdirectory);
    const stat = await exists(fs, destination);
    if (!stat) continue;
    if (!stat.isDirectory() || !(await exists(fs, path.join(destination, OWNERSHIP_MARKER)))) {
      throw new CliError(
        `refusing to replace ${path.join(outDir, subdirectory)}: psp-translate did not write it (it has no ${OWNERSHIP_MARKER}); move it away or choose another output directory`,
      );
    }
    replaced.add(subdirectory);
  }

  const createdParent = await fs.mkdir(path.dirname(outputRoot), { recursive: true });
  let staging: string | undefined;
  let keepStaging = false;
  try {
    staging = await fs.mkdtemp(path.join(path.dirname(outputRoot), `.${path.basename(outputRoot)}.psp-translate-`));
    const fresh = path.join(staging, 'new');
    const previous = path.join(staging, 'old');
    await fs.mkdir(previous, { recursive: true });
    for (const [subdirectory, group] of groups) {
      await fs.mkdir(path.join(fresh, subdirectory), { recursive: true });
      for (const file of group) {
        const target = path.join(fresh, ...file.path.split('/'));
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, file.contents);
      }
      const marker = {
        generator: options.generator ?? 'psp-translate',
        note: 'psp-translate replaces this directory on every run; do not keep your own files here',
        files: group.map((file) => file.path.slice(subdirectory.length + 1)).sort(),
      };
      await fs.writeFile(path.join(fresh, subdirectory, OWNERSHIP_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    }

    const createdRoot = await fs.mkdir(outputRoot, { recursive: true });
    const swapped: { subdirectory: string; movedAway: boolean; placed: boolean }[] = [];
    try {
      for (const subdirectory of groups.keys()) {
        const destination = path.join(outputRoot, subdirectory);
        const step = { subdirectory, movedAway: false, placed: false };
        swapped.push(step);
        if (replaced.has(subdirectory)) {
          await fs.rename(destination, path.join(previous, subdirectory));
          step.movedAway = true;
        }
        await fs.rename(path.join(fresh, subdirectory), destination);
        step.placed = true;
      }
    } catch (error) {
      try {
        for (const step of swapped.reverse()) {
          const destination = path.join(outputRoot, step.subdirectory);
          if (step.placed) await fs.rm(destination, { recursive: true, force: true });
          if (step.movedAway) await fs.rename(path.join(previous, step.subdirectory), destination);
        }
        if (createdRoot !== undefined) await fs.rm(createdRoot, { recursive: true, force: true });
      } catch (rollbackError) {
        keepStaging = true;
        throw new Error(
          `writing ${outDir} failed and restoring its previous content failed too; the previous files are in ${previous}: ${(rollbackError as Error).message}`,
          { cause: error },
        );
      }
      throw error;
    }
  } catch (error) {
    if (!keepStaging && createdParent !== undefined) await fs.rm(createdParent, { recursive: true, force: true });
    throw error;
  } finally {
    if (staging !== undefined && !keepStaging) await fs.rm(staging, { recursive: true, force: true });
  }
}
