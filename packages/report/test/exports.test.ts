import { expect, it } from 'vitest';

it('pins the public API of @psp-translate/report', async () => {
  expect(Object.keys(await import('@psp-translate/report')).sort()).toMatchInlineSnapshot(`
    [
      "BUILTIN_TARGETS",
      "ENFORCING_ACTIONS",
      "OBSERVING_ACTIONS",
      "REPORT_FORMATS",
      "aspectOf",
      "escapeHtml",
      "gatekeeperReportTarget",
      "kyvernoReportTarget",
      "psaReportTarget",
      "renderReport",
      "report",
      "vapReportTarget",
    ]
  `);
});
