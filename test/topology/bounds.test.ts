/**
 * Bounded, honest errors: a report reads the same for 100,000 nodes or a 10 MB value as for a small file.
 * Lists of names are cut to their first ten and a count, quoted input to an excerpt and its length, and
 * the work of "did you mean" stays small however many names there are.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { TopologyError, TopologyIssue } from '../../src/errors.js';
import { resolveTopology } from '../../src/topology/index.js';
import { ROOT } from '../helpers/cli.js';
import { errorOf, thrown } from '../helpers/topology.js';

/** The text of a lab of n nodes n0, n1, ... and these links, as the source of a function the child runs. */
const MANY_NODES = `(n, links) => {
  const lines = ['name: huge', 'nodes:'];
  for (let i = 0; i < n; i++) lines.push('  n' + i + ': {}');
  return lines.join('\\n') + '\\nlinks:\\n' + links;
}`;

interface Refusal {
  count: number;
  /** The most characters one issue says. */
  longest: number;
  issues: TopologyIssue[];
  /** The report's lines. */
  lines: number;
  head: string[];
  tail: string[];
}

/**
 * Parses the text `build` (JavaScript source) makes, in a child process that has `seconds` to do it: a
 * parse that takes minutes fails here instead of hanging the test run (node:test cannot interrupt a
 * synchronous function).
 */
function refusedInChild(build: string, seconds = 60): Refusal {
  const code = `
    import { parseTopology } from './src/topology/index.js';
    const text = ${build};
    try {
      parseTopology(text, { file: 'lab.yaml' });
      console.log('null');
    } catch (e) {
      const lines = e.message.split('\\n');
      const longest = Math.max(...e.issues.map((i) => (i.path + ': ' + i.message + '; ' + (i.hint ?? '')).length));
      console.log(JSON.stringify({ count: e.issues.length, longest, issues: e.issues.slice(0, 3), lines: lines.length, head: lines.slice(0, 3), tail: lines.slice(-3) }));
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: seconds * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.signal, null, `the parse did not finish in ${seconds} s`);
  assert.equal(r.status, 0, r.stderr);
  const refusal = JSON.parse(r.stdout) as Refusal | null;
  assert.ok(refusal !== null, 'the topology is refused');
  return refusal;
}

/** No issue says more than this many characters, whatever the input. */
function assertBounded(e: TopologyError, most: number): void {
  for (const i of e.issues) {
    const text = `${i.path}: ${i.message}; ${i.hint ?? ''}`;
    assert.ok(text.length <= most, `an issue of ${text.length} characters: ${text.slice(0, 300)}...`);
  }
}

const line = (i: TopologyIssue | undefined): string => `${i?.line}:${i?.column}: ${i?.path}: ${i?.message}; ${i?.hint ?? ''}`;

test('an unknown node in a file of 100,000 nodes names ten of them and counts the rest, with the closest name', () => {
  const r = refusedInChild(`(${MANY_NODES})(100000, '  - endpoints: [n1, n12354x]\\n  - endpoints: [n1, zzz]\\n')`);
  assert.deepEqual(r.issues.map(line), [
    '100004:21: links[0].endpoints[1]: unknown node "n12354x"; did you mean "n12354"? The nodes are n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 ... and 99,990 more',
    '100005:21: links[1].endpoints[1]: unknown node "zzz"; add "zzz" under nodes:, or use one of n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 ... and 99,990 more',
  ]);
});

test('"did you mean" stays cheap: 2,000 unknown nodes among 100,000 are reported in seconds', () => {
  const links = "Array.from({ length: 2000 }, (_, i) => '  - endpoints: [n' + i + ', m' + i * 37 + ']').join('\\n') + '\\n'";
  const r = refusedInChild(`(${MANY_NODES})(100000, ${links})`);
  assert.equal(r.count, 2000);
  assert.ok(r.longest < 1500, `an issue of ${r.longest} characters`);
  // Close names are still found: m37 is one letter from n37.
  assert.match(r.issues[1]?.hint ?? '', /^did you mean "n37"\?/);
});

test('a report of 100,000 problems prints the first 100 and counts the rest; the error keeps them all', () => {
  const r = refusedInChild("'name: huge\\nnodes:\\n' + Array.from({ length: 100000 }, (_, i) => '  -n' + i + ': {}').join('\\n') + '\\n'");
  assert.equal(r.count, 100_000);
  assert.equal(r.lines, 1 + 100 + 1);
  assert.equal(r.head[0], 'lab.yaml has 100,000 problems:');
  assert.match(r.tail[1] ?? '', /^ {2}lab\.yaml:102:3: nodes\["-n99"\]: node name "-n99" starts with "-"/);
  assert.equal(r.tail[2], '  ... and 99,900 more problems');
});

test('long input is quoted as an excerpt and its length, in messages, hints and paths', () => {
  const long = 'q'.repeat(100_000);
  // JSON, since YAML allows no block mapping key over 1,024 characters.
  const lab = {
    name: long,
    prefix: `${long}/`,
    nodes: {
      [`${long}!`]: {},
      a: { kind: long, routes: [{ to: long, via: long, dev: long }] },
      b: { [long]: 1, exec: long },
    },
    addressing: { p2p: long, lan: `10.0.0.0/${long}` },
    links: [
      { endpoints: [`a:${long}`, `b ${long}/24`], rate: long, delay: `1${long}`, loss: `${long}%` },
      { endpoints: ['a', long] },
      { endpoints: ['a', { node: 'b', addresses: [`10.${long}.0.1/24`, `fd00::${long}/64`, `10.0.0.1/${long}`] }] },
    ],
  };
  const e = errorOf(JSON.stringify(lab, null, 1));
  assert.ok(e.issues.length >= 15, `${e.issues.length} issues`);
  assertBounded(e, 600);
  assert.ok(!e.message.includes('q'.repeat(100)), 'no issue echoes 100 characters of the input');
  assert.match(e.message, /"q{60}\.\.\." \(100,000 characters\)/);
  // In YAML, long values, and the YAML reader's own message about a long key.
  const yaml = errorOf(`name: x\nnodes:\n  a: { exec: ${long} }\n  ${long}: {}\n`);
  assertBounded(yaml, 600);
  assert.ok(!yaml.message.includes('q'.repeat(100)));
});

test('a value built in code with a long string is quoted the same way', () => {
  const e = thrown(() => resolveTopology({ name: 'x', nodes: { a: { kind: 'k'.repeat(50_000) } }, links: 'l'.repeat(50_000) }));
  assertBounded(e, 400);
  assert.ok(!e.message.includes('k'.repeat(100)) && !e.message.includes('l'.repeat(100)));
});
