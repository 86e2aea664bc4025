import { expect, it } from 'vitest';

it('pins the public API of @psp-translate/report', async () => {
  expect(Object.keys(await import('@psp-translate/report')).sort()).toMatchInlineSnapshot(`
    [
      "BUILTIN_TARGETS",
      "ENFORCING_ACTIONS",
      "FINE_CHECKS",
      "KYVERNO_CONTROL_NAMES",
      "KYVERNO_DEFAULT_POLICIES",
      "OBSERVING_ACTIONS",
      "REPORT_FORMATS",
      "admittedWithExceptions",
      "escapeGoTemplate",
      "escapeHtml",
      "exceptions",
      "helmTemplates",
      "kyvernoExceptions",
      "needsFor",
      "renderReport",
      "report",
      "sanitise",
    ]
  `);
});
