/**
 * Exit codes and errors as docs/cli.md promises them: 0 success, 1 failure, 2 bad usage or an invalid
 * topology, a command's own status from exec, 128 + N for a signal; and every --json command prints JSON
 * on stdout when it fails too, so a script can always parse what it gets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab } from '../../src/api/index.js';
import { nslab, type CliResult } from '../helpers/cli.js';
import { needsRoot, uniqueName } from '../helpers/sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const GOOD = 'name: good\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a, b]\n';
const BROKEN = 'name: m\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a, b\n';

interface ErrorJson {
  error: { code: string; message: string; file?: string; problems?: unknown[] };
}

/** The JSON a failed --json command printed on stdout. */
function errorOf(r: CliResult): ErrorJson['error'] {
  const parsed = JSON.parse(r.stdout) as ErrorJson;
  assert.equal(typeof parsed.error.code, 'string');
  assert.equal(typeof parsed.error.message, 'string');
  return parsed.error;
}

describe('nslab validate', () => {
  test('a valid file: exit 0, and with --json its summary', () => {
    const r = nslab(['validate', '--json', file('good.yaml', GOOD)]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { valid: true, lab: 'good', nodes: 2, links: 1, warnings: [] });
  });

  test('an invalid file: exit 2; with --json, { valid: false, file, problems } on stdout and nothing else', () => {
    const path = file('broken.yaml', BROKEN);
    const human = nslab(['validate', path]);
    assert.equal(human.code, 2);
    assert.match(human.stderr, /broken\.yaml:6:16: YAML syntax: this "\[" is never closed/);
    const r = nslab(['validate', path, '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), {
      valid: false,
      file: path,
      problems: [
        {
          path: '',
          line: 6,
          column: 16,
          message: 'YAML syntax: this "[" is never closed',
          hint: 'add a "]" where the list ends (the YAML reader reached line 7, column 1 without finding one)',
        },
      ],
    });
    const mtu = JSON.parse(nslab(['validate', '--json', file('mtu.yaml', `${GOOD}    mtu: 1e20\n`)]).stdout) as { problems: unknown[] };
    assert.deepEqual(mtu.problems, [
      {
        path: 'links[0].mtu',
        line: 5,
        column: 10,
        message: 'MTU 100000000000000000000 is out of range',
        hint: 'an MTU is 68 to 65535; 1500 is usual for Ethernet',
      },
    ]);
  });

  test('a binary file: "not a text file", in one line', () => {
    const r = nslab([
      'validate',
      file('binary.yaml', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(20_000, 0xff)])),
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n').length, 3, r.stderr);
    assert.match(r.stderr, /binary\.yaml: not a text file: byte 8 is a NUL/);
  });

  test('a file that cannot be read is a failure (1), as for every command that reads one, and JSON with --json', () => {
    const missing = join(dir, 'missing.yaml');
    const r = nslab(['validate', missing, '--json']);
    assert.equal(r.code, 1);
    assert.equal(errorOf(r).code, 'NSLAB_NOT_FOUND');
    assert.match(r.stderr, /cannot read topology file .*missing\.yaml/);
    for (const args of [
      ['graph', missing],
      ['convert', missing],
      ['convert', dir],
    ]) {
      const other = nslab(args);
      assert.equal(other.code, 1, `${args.join(' ')}: ${other.stderr}`);
      assert.match(other.stderr, /cannot read topology file .*\[NSLAB_NOT_FOUND\]/);
    }
  });

  test('every command that reads a file reports a binary one as "not a text file"', () => {
    const binary = file('binary.clab.yml', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    for (const command of ['validate', 'graph', 'convert']) {
      const r = nslab([command, binary]);
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /binary\.clab\.yml: not a text file: byte 2 \(0x8B\) is not UTF-8/, command);
    }
  });
});

describe('usage', () => {
  test('help and the version succeed; no command, an unknown one, a missing argument or option are bad usage (2)', () => {
    assert.equal(nslab(['help']).code, 0);
    assert.equal(nslab(['help', 'up']).code, 0);
    assert.equal(nslab(['up', '--help']).code, 0);
    assert.equal(nslab(['--version']).code, 0);
    const none = nslab([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: nslab/);
    assert.equal(nslab(['link']).code, 2);
    assert.equal(nslab(['frobnicate']).code, 2);
    assert.equal(nslab(['ping', 'a']).code, 2);
    assert.equal(nslab(['up', '--bogus']).code, 2);
  });

  test('with --json, a usage error is JSON on stdout too (NSLAB_USAGE)', () => {
    const missing = nslab(['validate', '--json']);
    assert.equal(missing.code, 2);
    assert.deepEqual(errorOf(missing), { code: 'NSLAB_USAGE', message: "missing required argument 'file'" });
    const bogus = nslab(['status', '--json', '--bogus']);
    assert.equal(bogus.code, 2);
    assert.deepEqual(errorOf(bogus), { code: 'NSLAB_USAGE', message: "unknown option '--bogus'" });
    // After `--`, a --json is the command's own, not nslab's.
    const exec = nslab(['exec', 'nosuchnode', '--', 'echo', '--json']);
    assert.equal(exec.code, 1);
    assert.equal(exec.stdout, '');
  });
});

describe('every --json command prints its errors as JSON on stdout, with the exit code its code implies', () => {
  const broken = file('broken-lab.yaml', BROKEN);
  const runs: string[][] = [
    ['up', broken, '--json'],
    ['up', broken, '--dry-run', '--json'],
    ['down', join(dir, 'missing.yaml'), '--json'],
    ['status', '--lab', 'nslab-no-such-lab', '--json'],
    ['routes', 'a', '--lab', 'nslab-no-such-lab', '--json'],
    ['why', 'a', 'b', '--lab', 'nslab-no-such-lab', '--json'],
    ['clean', '--json', '--lab'],
    ['ls', '--json', 'extra'],
  ];
  for (const args of runs) {
    test(`nslab ${args.join(' ')}`, () => {
      const r = nslab(args);
      assert.notEqual(r.code, 0);
      const error = errorOf(r);
      assert.match(error.code, /^NSLAB_[A-Z_]+$/);
      assert.equal(r.code, error.code === 'NSLAB_USAGE' || error.code === 'NSLAB_TOPOLOGY' ? 2 : 1, `${error.code}: ${error.message}`);
      if (error.code === 'NSLAB_TOPOLOGY') {
        assert.equal(error.file, broken);
        assert.deepEqual(error.problems, [
          {
            path: '',
            line: 6,
            column: 16,
            message: 'YAML syntax: this "[" is never closed',
            hint: 'add a "]" where the list ends (the YAML reader reached line 7, column 1 without finding one)',
          },
        ]);
      }
      assert.match(r.stderr, /\S/, 'the error is also said on stderr');
    });
  }
});

describe('nslab ping', { skip: needsRoot }, () => {
  const name = uniqueName('ping');
  const lab = Lab.define({ name, nodes: { a: {}, b: {} }, links: [{ endpoints: ['a 10.78.0.1/24', 'b 10.78.0.2/24'] }] });
  before(async () => {
    await lab.up();
  });
  after(async () => {
    await lab.down();
  });

  test('a reply: 0; an unreachable network or no reply: 1, never 2 (which is bad usage in nslab)', () => {
    assert.equal(nslab(['ping', '--lab', name, 'a', 'b', '-c', '1']).code, 0);
    // No route to 10.99.0.1: ping itself exits 2 ("Network is unreachable").
    const unreachable = nslab(['ping', '--lab', name, 'a', '10.99.0.1', '-c', '1']);
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /Network is unreachable/);
    // On the link's subnet, but no one has the address: no reply, ping exits 1.
    assert.equal(nslab(['ping', '--lab', name, 'a', '10.78.0.9', '-c', '1']).code, 1);
    // nslab's own usage errors stay 2.
    assert.equal(nslab(['ping', '--lab', name, 'a', 'b', '-c', 'many']).code, 2);
  });
});
