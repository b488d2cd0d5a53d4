/**
 * Labs over several machines, on machines simulated in the sandbox (test/helpers/hosts.ts): each host a
 * network, mount, UTS and PID namespace with its own sshd and nslab, the controller this process, driving
 * them through the CLI as a user would. Witnesses: pings that cross, and each host's /run/netns,
 * /run/nslab, /etc/netns and processes read from inside it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nslab } from '../helpers/cli.js';
import { needsHosts, simulateHosts, type SimHosts } from '../helpers/hosts.js';

const nothing = { namespaces: [], state: [], etc: [], processes: [] };

describe('a lab over several machines', { skip: needsHosts }, () => {
  let sim: SimHosts;
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = (args: string[], code = 0): { stdout: string; stderr: string } => {
    const r = nslab(args);
    assert.equal(r.code, code, `nslab ${args.join(' ')} exited ${r.code}, not ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  /** Nothing of nslab on any live host, nor in the controller's directory. */
  const clean = (): void => {
    for (const h of sim.hosts) if (h.alive) assert.deepEqual(h.leftovers(), nothing, `host ${h.name} is clean`);
    assert.deepEqual(
      readdirSync('/run/nslab').filter((n) => n !== '.ssh'),
      [],
    );
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-mh-'));
    sim = await simulateHosts(['A', 'B', 'C']);
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the tutorial across machines: red on A, green on B, a ping crosses; status per host; down leaves nothing anywhere', () => {
    const f = file(
      'red-blue.yaml',
      `name: across\nprefix: ""\n${sim.yaml()}nodes:\n  red: { host: A }\n  green: { host: B }\nlinks:\n  - endpoints: ["red:veth-red 10.0.0.1/24", "green:veth-green 10.0.0.2/24"]\n`,
    );
    const up = run(['up', f]);
    assert.match(up.stdout, /lab across up over 2 hosts \(A: 1 nodes, B: 1 nodes\)/);
    // Each node is on its own host: red's namespace is on A only, green's on B only.
    assert.deepEqual(sim.host('A').leftovers().namespaces, ['red']);
    assert.deepEqual(sim.host('B').leftovers().namespaces, ['green']);
    assert.deepEqual(sim.host('C').leftovers(), nothing);
    // The cable is a VXLAN from A to B, its MTU what fits over the 1500-byte underlay.
    const dev = JSON.parse(sim.host('A').run(['ip', '-j', '-d', '-n', 'red', 'link', 'show', 'veth-red'])) as {
      mtu: number;
      linkinfo: { info_kind: string; info_data: { remote: string } };
    }[];
    assert.equal(dev[0]?.linkinfo.info_kind, 'vxlan');
    assert.equal(dev[0]?.linkinfo.info_data.remote, '10.99.0.2');
    assert.equal(dev[0]?.mtu, 1450);
    // A ping crosses, through the CLI on the controller (run on red's host over ssh), both ways.
    assert.match(run(['exec', 'red', '--', 'ping', '-c', '2', '-i', '0.2', '-W', '2', '10.0.0.2']).stdout, /2 received/);
    assert.match(run(['ping', 'green', 'red', '-c', '1']).stdout, /1 received/);
    // An exec's exit code is the command's, across ssh.
    assert.equal(nslab(['exec', 'green', '--', 'sh', '-c', 'exit 7']).code, 7);
    const status = JSON.parse(run(['status', '--lab', 'across', '--json']).stdout) as {
      hosts: { name: string; reachable: boolean; status?: { nodes: { name: string }[] } }[];
    };
    assert.deepEqual(
      status.hosts.map((h) => [h.name, h.reachable, h.status?.nodes.map((n) => n.name)]),
      [
        ['A', true, ['red']],
        ['B', true, ['green']],
      ],
    );
    assert.match(run(['ls']).stdout, /across/);
    // A second up changes nothing.
    assert.match(run(['up', f]).stdout, /nothing to change/);
    run(['down', '--lab', 'across']);
    clean();
  });

  test('examples/router-ring.yaml placed over 3 hosts: every host of the ring reaches every other', () => {
    const text = readFileSync('examples/router-ring.yaml', 'utf8').replace(/^name: ring$/m, `name: ring3\n${sim.yaml()}`);
    const f = file('ring.yaml', text);
    run(['up', f]);
    for (const h of sim.hosts) assert.ok(h.leftovers().namespaces.length > 0, `host ${h.name} holds part of the ring`);
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
    // Each host's address is the second of its cable's /31 (routers take the first): 10.3.0.13, .15, ...
    const address = (i: number): string => `10.3.0.${13 + 2 * i}`;
    hosts.forEach((h, i) => {
      const others = hosts
        .map((_, j) => j)
        .filter((j) => j !== i)
        .map(address);
      const r = nslab(['exec', h, '--', 'sh', '-c', others.map((a) => `ping -c 1 -W 2 ${a} >/dev/null || { echo unreached ${a}; exit 1; }`).join('; ')]);
      assert.equal(r.code, 0, `${h} reaches every other host: ${r.stdout}${r.stderr}`);
    });
    run(['down', f]);
    clean();
  });

  test('a host killed during a lab: status names it, down takes the rest down and keeps it recorded, a later down finishes', async () => {
    const f = file(
      'killed.yaml',
      `name: killed\n${sim.yaml()}nodes:\n  a: { host: A }\n  b: { host: B }\n  c: { host: C }\nlinks:\n  - endpoints: ["a 10.1.0.1/24", "b 10.1.0.2/24"]\n  - endpoints: ["b 10.2.0.1/24", "c 10.2.0.2/24"]\n`,
    );
    run(['up', f]);
    sim.host('B').kill();
    const status = run(['status', '--lab', 'killed'], 1);
    assert.match(status.stdout, /host B \(root@10\.99\.0\.2\): GONE/);
    assert.match(status.stdout, /host A \(root@10\.99\.0\.1\): up, 1 nodes/);
    const down = run(['down', '--lab', 'killed'], 1);
    assert.match(down.stderr, /lab killed is down on A, C; one host could not take its part down:\n {2}host B cannot be reached over ssh/);
    assert.match(down.stderr, /run nslab down --lab killed again once it answers/);
    for (const h of ['A', 'C']) assert.deepEqual(sim.host(h).leftovers(), nothing);
    assert.match(run(['ls']).stdout, /killed/);
    // B comes back (as a machine that rebooted: its namespaces went with it); the next down finishes.
    await sim.host('B').revive();
    run(['down', '--lab', 'killed']);
    clean();
  });

  test('an unreachable host at up: a clear error naming it, and nothing made on the others', () => {
    const f = file(
      'unreachable.yaml',
      `name: gone\nhosts:\n  A: { ssh: root@10.99.0.1 }\n  Z: { ssh: root@10.99.0.99 }\nnodes:\n  a: { host: A }\n  z: { host: Z }\nlinks:\n  - endpoints: ["a 10.1.0.1/24", "z 10.1.0.2/24"]\n`,
    );
    const r = nslab(['up', f]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /lab gone cannot be brought up over its hosts; nothing was made on any:\n {2}host Z cannot be reached over ssh \(root@10\.99\.0\.99\)/,
    );
    assert.match(r.stderr, /\[NSLAB_HOST\]/);
    clean();
  });

  test('a host that fails its part: every other rolls its part back, all or nothing', () => {
    // Something of B's is in the way of the lab there: a namespace by the name green needs.
    sim.host('B').run(['ip', 'netns', 'add', 'inway-green']);
    try {
      const f = file(
        'inway.yaml',
        `name: inway\n${sim.yaml()}nodes:\n  red: { host: A }\n  blue: { host: C }\n  green: { host: B }\nlinks:\n  - endpoints: ["red 10.1.0.1/24", "green 10.1.0.2/24"]\n  - endpoints: ["blue 10.2.0.1/24", "green 10.2.0.2/24"]\n`,
      );
      const r = nslab(['up', f]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /lab inway could not be brought up on every host; nothing of it is left on any:\n {2}host B: lab inway needs namespaces that already exist/,
      );
      for (const h of ['A', 'C']) assert.deepEqual(sim.host(h).leftovers(), nothing);
      assert.deepEqual(sim.host('B').leftovers().namespaces, ['inway-green']);
    } finally {
      sim.host('B').run(['ip', 'netns', 'del', 'inway-green']);
    }
    clean();
  });

  test('a VNI in use on a host, or an MTU the underlay cannot carry, is refused before anything is made', () => {
    const one = file(
      'vni1.yaml',
      `name: vnione\n${sim.yaml()}nodes:\n  a: { host: A }\n  b: { host: B }\nlinks:\n  - { endpoints: ["a 10.1.0.1/24", "b 10.1.0.2/24"], vni: 500 }\n`,
    );
    const two = file(
      'vni2.yaml',
      `name: vnitwo\n${sim.yaml()}nodes:\n  c: { host: A }\n  d: { host: B }\nlinks:\n  - { endpoints: ["c 10.1.0.1/24", "d 10.1.0.2/24"], vni: 500 }\n`,
    );
    run(['up', one]);
    try {
      const r = nslab(['up', two]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /lab vnitwo cannot be brought up as its file says; nothing was made on any host:\n {2}links\[0\] \(c:eth0--d:eth0, between hosts A and B\): VNI 500 is in use on A by another lab or VXLAN device/,
      );
      assert.match(r.stderr, /\[NSLAB_VNI\]/);
      for (const h of ['A', 'B']) assert.deepEqual(sim.host(h).leftovers().namespaces, h === 'A' ? ['vnione-a'] : ['vnione-b']);
    } finally {
      run(['down', '--lab', 'vnione']);
    }
    const big = file(
      'mtu.yaml',
      `name: jumbo\n${sim.yaml()}nodes:\n  a: { host: A }\n  b: { host: B }\nlinks:\n  - { endpoints: ["a 10.1.0.1/24", "b 10.1.0.2/24"], mtu: 1500 }\n`,
    );
    const r = nslab(['up', big]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /links\[0\] \(a:eth0--b:eth0\): MTU 1500 does not fit in a VXLAN between hosts A and B: their underlay MTU is 1500 \(eth0 on A: 1500, eth0 on B: 1500\), 50 bytes of which VXLAN takes, so at most 1450\. Lower the link's mtu to 1450, or raise the underlay's on both hosts \(ip link set dev eth0 mtu 1550/,
    );
    clean();
  });

  test('nslab hosts check: every host, its underlay, and the cables with their VNIs and MTUs', () => {
    const f = file('check.yaml', `name: check\n${sim.yaml()}nodes:\n  a: { host: A }\n  b: { host: C }\nlinks:\n  - endpoints: [a, b]\n`);
    const r = JSON.parse(run(['hosts', 'check', f, '--json']).stdout) as {
      ok: boolean;
      hosts: { name: string; facts: { underlay: { address: string; mtu: number } } }[];
      cables: { vni: number; mtu: number }[];
    };
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.hosts.map((h) => [h.name, h.facts.underlay.address, h.facts.underlay.mtu]),
      [
        ['A', '10.99.0.1', 1500],
        ['B', '10.99.0.2', 1500],
        ['C', '10.99.0.3', 1500],
      ],
    );
    assert.deepEqual(r.cables, [{ id: 'a:eth0--b:eth0', hosts: ['A', 'C'], vni: 10000, mtu: 1450 }]);
    clean();
  });
});
