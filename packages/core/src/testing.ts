/**
 * Test support for code built on `@psp-translate/core`, kept out of the main entry point so it does
 * not ship in users' bundles by accident: `import { policyFixture } from '@psp-translate/core/testing'`.
 *
 * @module
 */
export { policyFixture, type PolicyFixtureOverrides } from './evaluate/test-support.js';
