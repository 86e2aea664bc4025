import { expect, it } from 'vitest';

it('pins the public API of @psp-translate/report', async () => {
  expect(Object.keys(await import('@psp-translate/report')).sort()).toMatchInlineSnapshot(`
    [
      "BUILTIN_TARGETS",
      "ENFORCING_ACTIONS",
      "EXCEPTION_PART_ANNOTATION",
      "FINE_CHECKS",
      "KYVERNO_CONTROL_NAMES",
      "KYVERNO_DEFAULT_POLICIES",
      "OBSERVING_ACTIONS",
      "PSP_MODELLED_CHECKS",
      "REPORT_FORMATS",
      "admittedWithExceptions",
      "applyGatekeeperExclusions",
      "chartPolicy",
      "chartSelector",
      "escapeGoTemplate",
      "escapeHtml",
      "exceptions",
      "gatekeeperBaselineObjects",
      "gatekeeperExceptions",
      "helmTemplates",
      "kyvernoExceptions",
      "levelPolicy",
      "levelPolicyName",
      "needsFor",
      "readOnlyHostPaths",
      "renderReport",
      "report",
      "sanitise",
      "vapBaselineObjects",
      "vapExceptions",
    ]
  `);
});
