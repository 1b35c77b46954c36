// One jest run for every package and the cross-package tests. Sources are transformed by swc
// and imported from src/ directly (no build needed for unit tests).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// NTLMKIT_PEER_DEPS_DIR=DIR runs the tests against other versions of the adapters' peer dependencies:
// each of undici and axios installed in DIR (`npm install --prefix DIR undici@8`) replaces the
// workspace's copy for the tests and the sources alike (.ci/run uses it for undici 8 and axios 1.7).
function peerDependencyMapper(dir) {
  const mapper = {};
  for (const name of ['undici', 'axios']) {
    if (!dir || !existsSync(join(dir, 'node_modules', name, 'package.json'))) continue;
    mapper[`^${name}$`] = require.resolve(name, { paths: [dir] });
    mapper[`^${name}/(.*)$`] = join(dir, 'node_modules', name, '$1');
  }
  return mapper;
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // @noble/hashes ships ESM only; with pnpm's layout the pattern must let `.pnpm` through too.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm|@noble))'],
  moduleNameMapper: {
    ...peerDependencyMapper(process.env.NTLMKIT_PEER_DEPS_DIR),
    '^@ntlmkit/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@ntlmkit/([a-z-]+)/(http|node|internal)$': '<rootDir>/packages/$1/src/$2',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
  // The default reporter, plus one line per group of interop tests skipped for a missing peer.
  reporters: ['default', '<rootDir>/scripts/jest-peer-notice.cjs'],
};
