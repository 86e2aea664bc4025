/**
 * Reading inputs without the rest of the library: parsing (files in, an `InputSet` out, PSPs as
 * IR) and RBAC resolution. The main entry point also loads the CEL runtime (`@bufbuild/cel`, about
 * 130 modules), which reading inputs never needs; the CLI's `ir` command and its input loading
 * import this entry point so that start-up stays short:
 * `import { loadInputs, buildRbacIndex } from '@psp-translate/core/inputs'`.
 *
 * @module
 */
export * from './parse/index.js';
export * from './rbac/index.js';
