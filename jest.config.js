/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // istanbul's counters would be serialized into every dynamic provider's state (docs/pulumi.md).
  coverageProvider: "v8",
  testTimeout: 120000,
  maxWorkers: 2,
};
