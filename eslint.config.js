import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of docs/architecture.md, top to bottom, and the layers each may import (arrows point down).
 * errors.ts is shared by every layer. A pure layer also may not import I/O modules of node.
 */
const LAYERS = {
  testing: ['api'],
  cli: ['web', 'api'],
  web: ['api', 'view'],
  api: ['multihost', 'engine', 'world', 'process', 'rtnl', 'plan', 'topology', 'view', 'native'],
  multihost: ['engine', 'process', 'rtnl', 'plan', 'topology'],
  engine: ['process', 'rtnl', 'native', 'plan', 'topology', 'netlink'],
  view: ['plan', 'topology'],
  plan: ['topology', 'netlink'],
  topology: ['netlink'],
  world: ['process', 'native'],
  process: [],
  rtnl: ['native', 'netlink'],
  netlink: [],
  native: [],
};
const PURE = new Set(['view', 'plan', 'topology', 'netlink']);
const IO_MODULES = ['node:child_process', 'node:fs', 'node:fs/promises', 'node:http', 'node:dgram'];

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden.flatMap((other) => [`../${other}/**`, `../../${other}/**`, `../../../${other}/**`]),
              message: `src/${layer} may import only ${allowed.length > 0 ? allowed.join(', ') : 'nothing of the other layers'} (and errors.ts): arrows point down (docs/architecture.md).`,
            },
            ...(PURE.has(layer) ? [{ group: IO_MODULES, message: `src/${layer} is pure: no I/O (STYLE.md).` }] : []),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'schema/', '.nslab-bench/', 'prebuilds/'] },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only src/cli may exit; the library throws.',
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'scripts/**', 'bench/**', 'test/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // node --test reports each test on the test file's stdout: a test that silences it swallows the reports
    // of tests before it, which then go uncounted instead of failing (test/cli/cli.test.ts did).
    files: ['test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[left.object.object.name='process'][left.object.property.name=/^std(out|err)$/]",
          message: "Do not replace process.stdout/stderr in a test: node's test runner reports on them.",
        },
      ],
    },
  },
  ...layerRules,
);
