/** Unit specs live beside the code (src/**\/*.spec.ts); e2e specs in test/ (*.e2e-spec.ts). */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.e2e-spec\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Two cores: most e2e files spend their time waiting on processes they started (registry
  // replicas, the CLI, Postgres), so two workers keep both cores busy without starving those
  // processes. Timings per worker count are in bench/README.md.
  maxWorkers: 2,
  // A hang bound, not a speed expectation: a test that spawns several processes (CLI runs,
  // replicas) can take over a minute on a 2-core machine that other work keeps busy.
  testTimeout: 180_000,
  slowTestThreshold: 20,
  reporters: ['default', ['<rootDir>/test/support/slowest-files-reporter.js', { count: 10 }]],
};
