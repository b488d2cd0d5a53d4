import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { headStart } from '../../src/cli/early.js';
import { main } from '../../src/cli/program.js';
import { Spares } from '../../src/engine/spares.js';
import { parseTopology } from '../../src/topology/index.js';
import { nslab, nslabOk, ROOT } from '../helpers/cli.js';
import { assertGone, assertLabInKernel, assertLinksCarryPings } from '../helpers/lab-checks.js';
import { heldBeyond, heldNamespaces, ipJson, needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

describe('nslab CLI', { skip: needsRoot }, () => {
  test('`nslab up` with no file brings up the tutorial and proves it with a ping', () => {
    try {
      const r = nslabOk(['up']);
      assert.match(r.stdout, /lab two-computers up: 2 nodes, 1 link/);
      assert.match(r.stdout, /proof: red pings green \(10\.10\.1\.3\)/);
      assert.match(r.stdout, /3 packets transmitted, 3 received/);
      // The tutorial's own commands work on nslab's namespaces (empty prefix).
      assert.match(sh('ip', ['netns', 'exec', 'red', 'ping', '-c', '1', '-W', '1', '10.10.1.3']), /1 received/);
      const exec = nslab(['exec', 'green', '--', 'sh', '-c', 'ip -o -4 addr show gveth; exit 7']);
      assert.equal(exec.code, 7);
      assert.match(exec.stdout, /inet 10\.10\.1\.3\/32/);
      const ping = nslab(['ping', 'green', 'red', '-c', '1']);
      assert.equal(ping.code, 0, ping.stderr);
      const ls = JSON.parse(nslabOk(['ls', '--json']).stdout) as { name: string; nodes: number }[];
      assert.deepEqual(
        ls.map((l) => [l.name, l.nodes]),
        [['two-computers', 2]],
      );
    } finally {
      nslab(['down']);
    }
    assert.deepEqual(
      netnsList().filter((n) => n === 'red' || n === 'green'),
      [],
    );
  });

  test('--explain prints each step as the ip command it equals, as a script; --dry-run changes nothing', () => {
    const dry = nslabOk(['up', 'examples/two-computers.yaml', '--dry-run', '--explain']);
    assert.match(dry.stdout, /^#!\/bin\/sh\n/);
    assert.match(dry.stdout, /^ip netns add red$/m);
    assert.match(
      dry.stdout,
      /^ip link add rveth netns red address (?:[0-9a-f]{2}:){5}[0-9a-f]{2} type veth peer name gveth netns green address (?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/m,
    );
    // Everything that is not a command is a comment.
    assert.deepEqual(
      dry.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !/^(ip|tc|set -e)\b/.test(l)),
      [],
    );
    assert.deepEqual(
      netnsList().filter((n) => n === 'red'),
      [],
    );
    try {
      const up = nslabOk(['up', 'examples/two-computers.yaml', '--explain']);
      assert.match(up.stdout, /^ip -n red addr add 10\.10\.1\.2\/32 dev rveth$/m);
      assert.match(up.stdout, /^ip -n green route add 10\.10\.1\.2\/32 dev gveth proto 77$/m);
      assert.match(up.stdout, /^# lab two-computers up: 2 nodes/m);
    } finally {
      nslabOk(['down', '--lab', 'two-computers']);
    }
  });

  test('an edited file is reconciled: a link added, a link removed, nothing else touched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'lab.yaml');
    const v1 = `name: recon\nnodes: { a: {}, b: {}, c: {} }\nlinks:\n  - endpoints: ["a:x0 10.1.0.1/24", "b:x0 10.1.0.2/24"]\n  - endpoints: ["b:y0 10.2.0.1/24", "c:y0 10.2.0.2/24"]\n`;
    const v2 = `name: recon\nnodes: { a: {}, b: {}, c: {} }\nlinks:\n  - endpoints: ["a:x0 10.1.0.1/24", "b:x0 10.1.0.2/24"]\n  - endpoints: ["a:z0 10.3.0.1/24", "c:z0 10.3.0.2/24"]\n`;
    try {
      writeFileSync(file, v1);
      nslabOk(['up', file]);
      const before = ipJson<{ ifindex: number; ifname: string }[]>(['-n', 'recon-a', 'link', 'show', 'x0'])[0]?.ifindex;
      writeFileSync(file, v2);
      const r = JSON.parse(nslabOk(['up', file, '--json']).stdout) as { plan: { ops: { op: string }[] } };
      assert.deepEqual(r.plan.ops.map((o) => o.op).sort(), ['addr.add', 'addr.add', 'link.set', 'link.set', 'veth.add', 'veth.del'].sort());
      assertLabInKernel(parseTopology(v2));
      assert.deepEqual(
        ipJson<{ ifname: string }[]>(['-n', 'recon-b', 'link', 'show'])
          .map((l) => l.ifname)
          .sort(),
        ['lo', 'x0'],
        'the removed link is gone',
      );
      assert.equal(ipJson<{ ifindex: number }[]>(['-n', 'recon-a', 'link', 'show', 'x0'])[0]?.ifindex, before, 'the kept link was not remade');
      assert.match(sh('ip', ['netns', 'exec', 'recon-a', 'ping', '-c', '1', '-W', '2', '10.3.0.2']), /1 received/);
      assert.equal(JSON.parse(nslabOk(['up', file, '--json']).stdout).changed, false);
    } finally {
      nslab(['down', '--lab', 'recon']);
      rmSync(dir, { recursive: true, force: true });
    }
    assertGone(parseTopology(v2));
  });

  test('up FILE names the namespaces of the head start the executable took for it (early.ts), and frees one glanced for another lab', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      'name: headstart\nnodes:\n  a: {}\n  b: {}\n  c: {}\nlinks:\n  - endpoints: ["a:e0 10.9.0.1/24", "b:e0 10.9.0.2/24"]\n  - endpoints: ["b:e1 10.9.1.1/24", "c:e1 10.9.1.2/24"]\n',
    );
    const lab = parseTopology(readFileSync(file, 'utf8'));
    const before = heldNamespaces();
    const named = (): string[] => lab.nodes.map((n) => `net:[${statSync(`/run/netns/${n.netns}`).ino}]`);
    // What main prints stays in this file's output: node's test runner reports each test on this process's
    // stdout, and a stdout silenced across an await swallowed the reports of the tests before this one
    // (they then went uncounted, not failed).
    const run = (argv: string[], early?: Spares): Promise<number> => main(argv, early !== undefined ? { early } : {});
    try {
      for (const argv of [['up', '--dry-run', file], ['down', file], ['up', join(dir, 'missing.yaml')], ['up']])
        assert.equal(headStart(argv), undefined, argv.join(' '));
      const early = headStart(['up', file]);
      assert.equal(early?.lab, 'headstart');
      const spares = await heldBeyond(before, 3);
      assert.equal(spares.length, 3);
      assert.equal(await run(['up', file], early), 0);
      assert.deepEqual(
        named().filter((n) => !spares.includes(n)),
        [],
        'every namespace of the lab is one of the head start',
      );
      assertLabInKernel(lab);
      assertLinksCarryPings(lab);
      assert.deepEqual(heldNamespaces(), before);
      assert.equal(await run(['down', '--lab', 'headstart']), 0);

      const other = Spares.start('another-lab', 2);
      const others = await heldBeyond(before, 2);
      assert.equal(others.length, 2);
      assert.equal(await run(['up', file], other), 0);
      assert.deepEqual(
        named().filter((n) => others.includes(n)),
        [],
        'none of the lab is a spare glanced for another',
      );
      assert.deepEqual(heldNamespaces(), before, 'the spares of the other lab are freed');
      assertLinksCarryPings(lab);
    } finally {
      await run(['down', '--lab', 'headstart']);
      rmSync(dir, { recursive: true, force: true });
    }
    assertGone(lab);
  });

  test('a failure in the middle of up rolls back everything that run made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'bad-gw.yaml');
    // Valid as a file, refused by the kernel at the route step: the gateway is in no connected subnet.
    writeFileSync(
      file,
      'name: rollback\nnodes:\n  a:\n    routes: [{ to: 10.9.0.0/24, via: 10.8.0.1 }]\n  b: {}\nlinks:\n  - endpoints: ["a:e0 10.1.0.1/24", "b:e0 10.1.0.2/24"]\n',
    );
    try {
      const r = nslab(['up', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /RTM_NEWROUTE 10\.9\.0\.0\/24 via 10\.8\.0\.1 in netns rollback-a: Network is unreachable \(ENETUNREACH\)/);
      assertGone(parseTopology(readFileSync(file, 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a namespace that exists and is not ours is refused, named, and left alone', () => {
    sh('ip', ['netns', 'add', 'green']);
    try {
      const r = nslab(['up', 'examples/two-computers.yaml']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /namespace green \(node green\): not made by nslab/);
      assert.ok(netnsList().includes('green'), 'the foreign namespace is still there');
      assert.ok(!netnsList().includes('red'), 'nothing of the lab was made');
    } finally {
      sh('ip', ['netns', 'del', 'green']);
    }
  });

  test('down works with the file gone (by name) and with the state gone (by marks)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'gone.yaml');
    const text = 'name: gone\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.5.0.1/24", "b 10.5.0.2/24"]\n';
    writeFileSync(file, text);
    nslabOk(['up', file]);
    rmSync(dir, { recursive: true, force: true });
    nslabOk(['down', '--lab', 'gone']);
    assertGone(parseTopology(text));

    const dir2 = mkdtempSync(join(tmpdir(), 'nslab-'));
    writeFileSync(join(dir2, 'gone.yaml'), text);
    nslabOk(['up', join(dir2, 'gone.yaml')]);
    rmSync('/run/nslab/gone', { recursive: true, force: true }); // as after a crash that lost the state
    const d = nslabOk(['down', '--lab', 'gone']);
    assert.match(d.stdout, /lab gone down/);
    assertGone(parseTopology(text));
    rmSync(dir2, { recursive: true, force: true });
  });

  test('exit code 2 and every problem with its line for an invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      'name: broken\nnodes:\n  red: {}\nlinks:\n  - endpoints: ["red:eth0", "blue:eth0"]\n  - endpoints: ["red:an-interface-name-too-long", "red:eth1"]\n',
    );
    try {
      const v = nslab(['validate', file]);
      assert.equal(v.code, 2);
      assert.match(v.stderr, /broken\.yaml:5:\d+: links\[0\]\.endpoints\[1\]/);
      assert.match(v.stderr, /broken\.yaml:6:\d+: links\[1\]/);
      const up = nslab(['up', file]);
      assert.equal(up.code, 2);
      assert.doesNotMatch(up.stderr, /\n\s+at /, 'no stack trace without --debug');
      assert.equal(nslab(['frobnicate']).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a background exec entry runs until down ends it by its pid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'srv.yaml');
    writeFileSync(
      file,
      'name: srv\nnodes:\n  a:\n    exec:\n      - echo ready > /run/nslab/srv/a-ran\n      - { run: "sleep 300", background: true }\n  b: {}\nlinks:\n  - endpoints: ["a 10.6.0.1/24", "b 10.6.0.2/24"]\n',
    );
    try {
      nslabOk(['up', file]);
      assert.equal(readFileSync('/run/nslab/srv/a-ran', 'utf8'), 'ready\n');
      const s = JSON.parse(nslabOk(['status', '--lab', 'srv', '--json']).stdout) as { processes: { pid: number; run: string }[] };
      assert.equal(s.processes.length, 1);
      const pid = s.processes[0]?.pid as number;
      assert.ok(existsSync(`/proc/${pid}`));
      nslabOk(['down', '--lab', 'srv']);
      assert.ok(!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 'the background process has ended');
    } finally {
      nslab(['down', '--lab', 'srv']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nslab shell', { skip: needsRoot }, () => {
  test('opens a shell inside the node whose prompt names it', () => {
    try {
      nslabOk(['up', '--no-proof']);
      const r = nslab(['shell', 'red'], { input: 'ip -o -4 addr show rveth\necho "node=$NSLAB_NODE"\nexit 3\n' });
      assert.equal(r.code, 3);
      assert.match(r.stdout, /inet 10\.10\.1\.2\/32/);
      assert.match(r.stdout, /node=red/);
      assert.match(r.stderr, /\[red\] /, 'the prompt shows the node');
    } finally {
      nslab(['down']);
    }
  });
});

describe('nslab link set and routes', { skip: needsRoot }, () => {
  test('a link goes down and up at run time; bad words are usage errors', () => {
    try {
      nslabOk(['up', '--no-proof']);
      nslabOk(['link', 'set', 'red:rveth', 'down']);
      assert.equal(ipJson<{ operstate: string }[]>(['-n', 'red', 'link', 'show', 'rveth'])[0]?.operstate, 'DOWN');
      assert.notEqual(nslab(['ping', 'red', 'green', '-c', '1']).code, 0);
      const why = nslab(['why', 'red', 'green']);
      assert.match(why.stdout, /red:rveth is down: the kernel took away every route through it/);
      assert.deepEqual(why.stdout.trim().split('\n').slice(-2), ['fix: nslab up', ' or: nslab link set red:rveth up --lab two-computers']);
      nslabOk(['link', 'set', 'red:rveth', 'up', 'mtu', '1400']);
      assert.equal(ipJson<{ mtu: number }[]>(['-n', 'red', 'link', 'show', 'rveth'])[0]?.mtu, 1400);
      assert.equal(nslab(['ping', 'red', 'green', '-c', '1']).code, 0);
      assert.equal(nslab(['link', 'set', 'red:rveth', 'sideways']).code, 2);
      const missing = nslab(['link', 'set', 'red:nope0', 'up']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /node red of lab two-computers has no interface nope0; its interfaces are rveth/);
      // A node the lab does not have is a mistake on the command line too, whatever the command.
      for (const args of [
        ['ping', 'red', 'blue', '-c', '1'],
        ['ping', 'blue', 'red', '-c', '1'],
        ['why', 'red', 'blue'],
        ['exec', 'blue', '--', 'true'],
        ['routes', 'blue'],
      ]) {
        const r = nslab(args);
        assert.equal(r.code, 2, args.join(' '));
        assert.match(r.stderr, /lab two-computers has no node blue; its nodes are red and green \[NSLAB_NOT_FOUND\]/, args.join(' '));
      }
      const notUp = nslab(['status', '--lab', 'nosuchlab']);
      assert.equal(notUp.code, 1, 'a lab that is simply not up is a failure, not a usage mistake');
      const routes = JSON.parse(nslabOk(['routes', 'green', '--json']).stdout) as { routes: { to: string; dev: string; source: string }[]; installed: number };
      assert.deepEqual(routes.routes, [{ to: '10.10.1.2/32', dev: 'gveth', source: 'file' }]);
      assert.equal(routes.installed, 1);
    } finally {
      nslab(['down']);
    }
  });
});

describe('nslab routes with routing: static', { skip: needsRoot }, () => {
  test('computed routes reach the kernel, nslab routes shows them with their reasons, and a link brought back up gets its routes back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const name = uniqueName('rr');
    const file = join(dir, 'ring.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'examples', 'router-ring.yaml'), 'utf8').replace('name: ring', `name: ${name}`));
    const netns = `${name}-r4`;
    const kernel = (): string[] =>
      ipJson<{ dst: string; gateway: string; dev: string }[]>(['-n', netns, 'route', 'show', 'proto', '77'])
        .map((r) => `${r.dst} via ${r.gateway} dev ${r.dev}`)
        .sort();
    try {
      nslabOk(['up', file]);
      const shown = JSON.parse(nslabOk(['routes', 'r4', '--lab', name, '--json']).stdout) as {
        routes: { to: string; via: string; dev: string; source: string; reason: string }[];
        installed: number;
      };
      assert.equal(shown.routes.length, 9);
      assert.ok(shown.routes.every((r) => r.source === 'computed' && r.reason.startsWith('shortest path to ')));
      assert.equal(shown.installed, 9);
      assert.deepEqual(kernel(), shown.routes.map((r) => `${r.to} via ${r.via} dev ${r.dev}`).sort());
      const human = nslabOk(['routes', 'r4', '--lab', name]).stdout;
      assert.match(human, /10\.3\.0\.22\/31 via 10\.3\.0\.7 dev eth1 {2}\[computed: shortest path to 10\.3\.0\.22\/31 via r5, 3 hops\]/);
      // The kernel drops the IPv4 routes of a device that goes down; up puts them back.
      nslabOk(['link', 'set', 'r4:eth0', 'down']);
      assert.ok(kernel().every((r) => r.endsWith('dev eth1')));
      nslabOk(['link', 'set', 'r4:eth0', 'up']);
      assert.deepEqual(kernel(), shown.routes.map((r) => `${r.to} via ${r.via} dev ${r.dev}`).sort());
      const again = JSON.parse(nslabOk(['up', file, '--json']).stdout) as { changed: boolean };
      assert.equal(again.changed, false);
    } finally {
      nslab(['down', '--lab', name]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a lab over a limit of the machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
  const file = join(dir, 'chain.yaml');
  const nodes = Array.from({ length: 100 }, (_, i) => `n${i}`);
  writeFileSync(
    file,
    `name: limited\naddressing: { p2p: 10.0.0.0/8 }\nnodes: { ${nodes.map((n) => `${n}: {}`).join(', ')} }\nlinks:\n${nodes
      .slice(1)
      .map((n, i) => `  - endpoints: [n${i}, ${n}]\n`)
      .join('')}`,
  );
  const refused = (r: { code: number; stderr: string }): void => {
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^nslab: lab limited does not fit this machine, and nslab makes nothing of a lab that does not fit:\n {2}lab limited needs about \d+ open files \(\d+ open now and 514 at most for the namespaces it works on at once and the rest\), and this process may open 200 \(RLIMIT_NOFILE, ulimit -n; hard limit 200\): raise the hard limit and then the soft one, as root: ulimit -Hn \d+; ulimit -Sn \d+ \(or nofile in \/etc\/security\/limits.conf\) \[NSLAB_MACHINE_LIMIT\]\n$/,
    );
  };

  test('nslab validate refuses it with the limit, its value and how to raise it', () => {
    refused(nslab(['validate', file], { openFiles: 200 }));
    assert.equal(nslab(['validate', file], { openFiles: 1000 }).code, 0);
  });

  test('nslab up --dry-run refuses it, and makes nothing', { skip: needsRoot }, () => {
    refused(nslab(['up', file, '--dry-run'], { openFiles: 200 }));
    refused(nslab(['up', file], { openFiles: 200 }));
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith('limited-')),
      [],
    );
    assert.ok(!existsSync('/run/nslab/limited'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));
});

describe('nslab clean', { skip: needsRoot }, () => {
  test('removes labs by their kernel marks after the state is lost, and nothing unmarked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const file = join(dir, 'crash.yaml');
    writeFileSync(file, 'name: crash\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.7.0.1/24", "b 10.7.0.2/24"]\n');
    sh('ip', ['netns', 'add', 'crash-c']); // looks like the lab's by name, but is not: must stay
    try {
      nslabOk(['up', file]);
      rmSync('/run/nslab/crash', { recursive: true, force: true }); // as after a crash that lost the state
      const r = JSON.parse(nslabOk(['clean', '--json']).stdout) as { lab: string; operations: number }[];
      assert.deepEqual(r, [{ lab: 'crash', operations: 2 }]);
      const left = netnsList();
      assert.ok(!left.includes('crash-a') && !left.includes('crash-b'), 'the lab is gone');
      assert.ok(left.includes('crash-c'), 'the unmarked namespace is untouched');
      assert.equal(JSON.parse(nslabOk(['clean', '--json']).stdout).length, 0, 'a second clean finds nothing');
    } finally {
      nslab(['down', '--lab', 'crash']);
      sh('ip', ['netns', 'del', 'crash-c']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
