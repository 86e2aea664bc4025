// Public API of @psp-translate/core. Explicit named exports only; the list is pinned by a test.
export * from './schema/psp.js';
export * from './schema/rbac.js';
export * from './ir/ir.js';
export * from './ir/from-psp.js';
export * from './parse/index.js';
export * from './evaluate/index.js';
export * from './workload/index.js';
export * from './rbac/index.js';
export * from './cel/index.js';
export type * from './pod/types.js';
export type * from './target.js';
