import { defineConfig } from 'vitest/config';

// Two projects (issue 11): `fast` is the edit–test loop (`npm run test:fast`); `slow` holds the files
// that start servers, simulators or child processes, inject faults, or run property and mutant
// sweeps. `npm test` runs both. A new test file is fast unless it is listed here.
const SLOW = [
  'test/archive/archive.test.ts',
  'test/cli/first-hour.test.ts',
  'test/cli/fleet.test.ts',
  'test/cli/issuing.test.ts',
  'test/egs/fleet.test.ts',
  'test/egs/kill.test.ts',
  'test/egs/resume.test.ts',
  'test/issuing/crash.test.ts',
  'test/issuing/db-outage.test.ts',
  'test/issuing/faults.test.ts',
  'test/issuing/issue.test.ts',
  'test/issuing/offline.test.ts',
  'test/model/compute.property.test.ts',
  'test/render/golden.test.ts',
  'test/reports/**/*.test.ts',
  'test/rules/built-mutants.test.ts',
  'test/rules/mutants.test.ts',
  'test/scale/**/*.test.ts',
  'test/security/event-loop.test.ts',
  'test/security/secrets.test.ts',
  'test/server/busy.test.ts',
  'test/server/db-outage.test.ts',
  'test/server/documents.test.ts',
  'test/server/fleet-routes.test.ts',
  'test/server/serve-db-outage.test.ts',
  'test/server/start.test.ts',
  'test/simulator/e2e.test.ts',
  'test/store/backup.test.ts',
  'test/store/faults.test.ts',
  'test/sync/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
