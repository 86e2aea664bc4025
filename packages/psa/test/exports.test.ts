import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('@psp-translate/psa')).sort()).toEqual([
    'DEFAULT_NAMESPACE_POLICY',
    'LATEST_VERSION',
    'LEVELS',
    'PSA_LABEL_PREFIX',
    'PSP_MAPPING',
    'assessPolicy',
    'checks',
    'checksFor',
    'compareLevels',
    'effectiveMinor',
    'evaluateNamespacePolicy',
    'evaluatePod',
    'evaluatePodSpec',
    'formatLevelVersion',
    'formatVersion',
    'isLevel',
    'kubectlLabelCommands',
    'mirrorSeccompProfiles',
    'namespaceLabels',
    'namespacesOf',
    'parseKubeVersion',
    'parseLevel',
    'parseLevelVersion',
    'parseNamespacePolicy',
    'parseVersion',
    'psaTarget',
    'translatePsa',
  ]);
});
