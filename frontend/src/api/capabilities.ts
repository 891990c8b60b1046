// Which features this server offers, decided by the operations in the OpenAPI document the app
// was built against (injected by vite.config.ts). Screens whose endpoints other work adds later
// (rules, Excel, verification, statistics) ask here and show a "not available on this server"
// state until their operations exist; nothing is faked in between.

const operations = new Set<string>(__API_OPERATIONS__);

/** Every operation a feature needs, as "METHOD /path" spelled like the issues that specify them. */
export const FEATURES = {
  /** Issue 3: live validation as the clerk types. */
  validate: ['POST /api/v1/validate'],
  /** Issue 3: apply the safe fixes of a scope, undo as a whole. */
  fixes: ['POST /api/v1/fixes', 'GET /api/v1/fixes/{id}', 'POST /api/v1/fixes/{id}/undo'],
  /** Issue 4: export the Excel template of a class or school. */
  studentTemplate: ['GET /api/v1/templates/students.xlsx'],
  staffTemplate: ['GET /api/v1/templates/staff.xlsx'],
  /** Issue 4: upload → preview → commit, with the error workbook. */
  imports: [
    'POST /api/v1/imports',
    'GET /api/v1/imports/{id}',
    'POST /api/v1/imports/{id}/commit',
    'DELETE /api/v1/imports/{id}',
    'GET /api/v1/imports/{id}/report.xlsx',
  ],
  /** The latest imports, for the jobs page. */
  importList: ['GET /api/v1/imports'],
  /** Issue 5: verification jobs with progress. */
  verificationJobs: [
    'POST /api/v1/verification-jobs',
    'GET /api/v1/verification-jobs',
    'GET /api/v1/verification-jobs/{id}',
    'POST /api/v1/verification-jobs/{id}/cancel',
  ],
  /** Issue 5: copy the registry's values into a mismatched record. */
  acceptRegistryValues: ['POST /api/v1/students/{id}/accept-registry-values', 'POST /api/v1/staff/{id}/accept-registry-values'],
  /** Issue 5: the printable evidence slips of a class. */
  evidenceSlips: ['GET /api/v1/classes/{id}/evidence-requests'],
  /** Issue 5: mark records as waiting for the parent's ID-number notice. */
  markAwaitingEvidence: ['POST /api/v1/students/{id}/awaiting-evidence', 'POST /api/v1/staff/{id}/awaiting-evidence'],
  /** Issue 5: a record's answers from the registry. */
  verificationHistory: ['GET /api/v1/students/{id}/verifications', 'GET /api/v1/staff/{id}/verifications'],
  /** Issue 6: the dashboard. */
  statsProgress: ['GET /api/v1/stats/progress'],
  statsTimeline: ['GET /api/v1/stats/timeline'],
  statsReasons: ['GET /api/v1/stats/reasons'],
  statsLaggards: ['GET /api/v1/stats/laggards'],
  statsReport: ['GET /api/v1/stats/report.xlsx'],
} as const satisfies Record<string, readonly string[]>;

export type Feature = keyof typeof FEATURES;

/** True when the server offers every operation of the feature (a feature with none is off). */
export function hasFeature(feature: Feature, known: ReadonlySet<string> = operations): boolean {
  const needed: readonly string[] = FEATURES[feature];
  return needed.length > 0 && needed.every((op) => known.has(op));
}
