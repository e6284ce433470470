import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/engine/**/*.test.ts", "test/backends/**/*.test.ts", "test/faults/**/*.test.ts"],
    // Engine tests spawn real llama.cpp processes; two cores cannot run many at once.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ["test/fixtures/global-setup.ts"],
  },
});
