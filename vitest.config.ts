import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the sources, so `pnpm test` needs no build and a stale dist/ cannot hide a bug.
const alias = {
  // Before '@psp-translate/core', which would otherwise match it as a prefix.
  '@psp-translate/core/testing': here('./packages/core/src/testing.ts'),
  '@psp-translate/core/inputs': here('./packages/core/src/inputs.ts'),
  '@psp-translate/core': here('./packages/core/src/index.ts'),
  '@psp-translate/gatekeeper': here('./packages/gatekeeper/src/index.ts'),
  '@psp-translate/psa': here('./packages/psa/src/index.ts'),
  '@psp-translate/kyverno': here('./packages/kyverno/src/index.ts'),
  '@psp-translate/vap': here('./packages/vap/src/index.ts'),
  '@psp-translate/report': here('./packages/report/src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'psa', include: ['packages/psa/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'gatekeeper', include: ['packages/gatekeeper/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'kyverno', include: ['packages/kyverno/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'vap', include: ['packages/vap/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'report', include: ['packages/report/{src,test}/**/*.test.ts'] } },
      { extends: true, test: { name: 'corpus', include: ['test/**/*.test.ts'] } },
    ],
    testTimeout: 60_000,
  },
});
