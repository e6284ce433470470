// The test run StrykerJS repeats for each mutant (`npm run test:mutation`): unit tests only. The
// engine, backend, fault, e2e and bench suites load the real model or start processes, far too slow
// to run thousands of times, and none of them needs the synthetic-model global setup here.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    // It reads the sources' text for its layout rules (function length, imports), and Stryker's
    // instrumented copy breaks them: every mutant would count as killed by it.
    exclude: ["test/unit/architecture.test.ts"],
    testTimeout: 30_000,
  },
});
