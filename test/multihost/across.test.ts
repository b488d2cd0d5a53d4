/**
 * Seeing and asking a lab over several machines: why, graph, capture and the web page's picture, on
 * machines simulated in the sandbox (test/helpers/hosts.ts), driven from this process as the controller.
 * Witnesses: the answers' hosts and causes, pcap bytes read back by tcpdump, and a host killed for real.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nslab, ROOT } from '../helpers/cli.js';
import { needsHosts, simulateHosts, type SimHosts } from '../helpers/hosts.js';
import { LabSession, type SessionEvent } from '../../src/web/session.js';

const nothing = { namespaces: [], state: [], etc: [], processes: [] };

interface Why {
  reaches: boolean;
  hosts?: string[];
  there: { hops: { node: string; host?: string }[] };
  cause?: { kind: string; node: string; text: string };
  advice: { kind: string; command?: string }[];
  verdict: string;
}

describe('a lab over several machines, seen and asked', { skip: needsHosts }, () => {
  let sim: SimHosts;
  let dir: string;
  let lab: string;
  const run = (args: string[], code = 0): { stdout: string; stderr: string } => {
    const r = nslab(args);
    assert.equal(r.code, code, `nslab ${args.join(' ')} exited ${r.code}, not ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-mh2-'));
    sim = await simulateHosts(['A', 'B']);
    // red and the router on A, green on B: red -> r stays on A, red -> green crosses to B.
    lab = join(dir, 'seen.yaml');
    writeFileSync(
      lab,
      `name: seen\nrouting: static\n${sim.yaml()}nodes:\n  red: { host: A }\n  r: { kind: router, host: A }\n  green: { host: B }\nlinks:\n  - endpoints: ["red 10.1.0.1/24", "r 10.1.0.2/24"]\n  - endpoints: ["r 10.2.0.1/24", "green 10.2.0.2/24"]\n`,
    );
    run(['up', lab]);
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('why names the hosts a path crosses; a path within one host is asked there', () => {
    const across = JSON.parse(run(['why', 'red', 'green', '--json']).stdout) as Why;
    assert.equal(across.reaches, true, across.verdict);
    assert.deepEqual(across.hosts, ['A', 'B', 'A']);
    assert.deepEqual(
      across.there.hops.map((h) => [h.node, h.host]),
      [
        ['red', 'A'],
        ['r', 'A'],
        ['green', 'B'],
      ],
    );
    const text = run(['why', 'red', 'green']).stdout;
    assert.match(text, /^over hosts A -> B -> A:\n {2}\[A\] red/);
    const within = JSON.parse(run(['why', 'red', 'r', '--json']).stdout) as Why;
    assert.equal(within.reaches, true, within.verdict);
    assert.deepEqual(within.hosts, ['A']);
  });

  test('graph draws each host as a group: clusters in DOT, subgraphs in mermaid, a field in JSON, boxes in SVG', () => {
    const json = JSON.parse(run(['graph', '--lab', 'seen', '-f', 'json']).stdout) as {
      hosts: string[];
      nodes: { name: string; host: string }[];
      cables: { a: { up?: boolean }; b: { up?: boolean } }[];
    };
    assert.deepEqual(json.hosts, ['A', 'B']);
    assert.deepEqual(
      json.nodes.map((n) => [n.name, n.host]),
      [
        ['red', 'A'],
        ['r', 'A'],
        ['green', 'B'],
      ],
    );
    // Each end's state, from its host's status.
    assert.deepEqual(
      json.cables.map((c) => [c.a.up, c.b.up]),
      [
        [true, true],
        [true, true],
      ],
    );
    assert.match(
      run(['graph', '--lab', 'seen', '-f', 'dot']).stdout,
      /subgraph "cluster_0" \{\n {4}graph \[label="host A"[^\n]*\n {4}"red"[^\n]*\n {4}"r"[^\n]*\n {2}\}\n {2}subgraph "cluster_1" \{\n {4}graph \[label="host B"[^\n]*\n {4}"green"/,
    );
    assert.match(run(['graph', lab, '-f', 'mermaid']).stdout, /subgraph h1\["host B"\]\n {4}n2\["green<br\/>host"\]\n {2}end/);
    const svg = run(['graph', '--lab', 'seen']).stdout;
    assert.match(svg, /<g class="host" data-host="A">/);
    assert.match(svg, /<g class="host" data-host="B">/);
  });

  test('capture of a node on another host: tcpdump runs there, -w FILE is written here', async () => {
    const pcap = join(dir, 'green.pcap');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'bin', 'nslab.mjs'), 'capture', 'green:eth0', '--filter', 'icmp', '-c', '2', '-w', pcap], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        said += d.toString();
        if (/capturing on green:eth0/.test(said)) resolve();
      });
      child.once('exit', () => reject(new Error(`capture ended early: ${said}`)));
    });
    run(['exec', 'red', '--', 'ping', '-c', '1', '-W', '2', '10.2.0.2']);
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    assert.equal(code, 0, said);
    assert.match(said, /2 packets captured on green:eth0/);
    assert.deepEqual([...readFileSync(pcap).subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]);
    const read = execFileSync('tcpdump', ['-n', '-r', pcap], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(read, /10\.1\.0\.1 > 10\.2\.0\.2: ICMP echo request/);
    assert.match(read, /10\.2\.0\.2 > 10\.1\.0\.1: ICMP echo reply/);
  });

  test("the web page's picture: the nodes in their hosts' boxes, each end's state from its host", async () => {
    const session = new LabSession('seen', 1000, () => undefined);
    const snapshot = await new Promise<SessionEvent>((resolve) => session.join((e) => void (e.type === 'lab' || e.type === 'down' ? resolve(e) : undefined)));
    await session.close();
    assert.equal(snapshot.type, 'lab', JSON.stringify(snapshot.data));
    const data = snapshot.data as { svg: string; links: { node: string; ifname: string; up: boolean }[] };
    assert.match(data.svg, /data-host="A"/);
    assert.match(data.svg, /data-host="B"/);
    assert.deepEqual(data.links.map((l) => `${l.node}:${l.ifname}:${l.up}`).sort(), ['green:eth0:true', 'r:eth0:true', 'r:eth1:true', 'red:eth0:true']);
  });

  test('a dead host: why says it is the cause and what to do; the graph says which; clean finishes the down it interrupted', async () => {
    sim.host('B').kill();
    const r = nslab(['why', 'red', 'green', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const dead = JSON.parse(r.stdout) as Why;
    assert.equal(dead.reaches, false);
    assert.equal(dead.cause?.kind, 'host-gone');
    assert.match(dead.verdict, /red does not reach green \(10\.2\.0\.2\): host B, where green runs, does not answer/);
    assert.match(dead.verdict, /Fix: bring host B back \(ssh root@10\.99\.0\.2 true must succeed\)/);
    assert.equal(dead.advice[0]?.command, 'ssh root@10.99.0.2 true');
    const graph = JSON.parse(run(['graph', '--lab', 'seen', '-f', 'json']).stdout) as { hostsGone: string[]; cables: { b: { up?: boolean } }[] };
    assert.deepEqual(graph.hostsGone, ['B']);
    assert.equal(graph.cables[1]?.b.up, undefined);
    // down reaches A, not B; B comes back (a rebooted machine: its part is gone); clean finishes.
    assert.match(run(['down', '--lab', 'seen'], 1).stderr, /lab seen is down on A; one host could not take its part down/);
    await sim.host('B').revive();
    assert.match(run(['clean']).stdout, /removed lab seen from hosts B/);
    assert.doesNotMatch(run(['ls']).stdout, /seen/);
    for (const h of sim.hosts) assert.deepEqual(h.leftovers(), nothing, `host ${h.name} is clean`);
    assert.deepEqual(
      readdirSync('/run/nslab').filter((n) => n !== '.ssh'),
      [],
    );
  });
});
