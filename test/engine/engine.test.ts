import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { down, Spares, status, up } from '../../src/engine/index.js';
import { NslabError } from '../../src/errors.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { chain, gone } from '../helpers/labs.js';
import { heldBeyond, heldNamespaces, ipJson, needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

describe('engine', { skip: needsRoot }, () => {
  test('up, then the same up again changes nothing, then down removes everything', async () => {
    const lab = chain(uniqueName('eng'), 4);
    try {
      const first = await up(lab);
      assert.equal(first.changed, true);
      assert.equal(first.existed, false);
      const second = await up(lab);
      assert.equal(second.changed, false);
      assert.deepEqual(second.plan.ops, []);
      const s = await status(lab.name);
      assert.deepEqual(Object.keys(s.observed.namespaces).sort(), lab.nodes.map((n) => n.netns).sort());
      const n1 = s.observed.namespaces[`${lab.name}-n1`];
      assert.deepEqual(n1?.links.map((l) => [l.ifname, l.up, l.peer?.netns]).sort(), [
        ['left', true, `${lab.name}-n0`],
        ['right', true, `${lab.name}-n2`],
      ]);
      // The marks are in the kernel: lo's alias names the lab.
      const [lo] = ipJson<{ ifalias?: string }[]>(['-n', `${lab.name}-n0`, 'link', 'show', 'lo']);
      assert.match(lo?.ifalias ?? '', new RegExp(`^nslab:${lab.name}:[0-9a-f]{8}$`));
      assert.match(sh('ip', ['netns', 'exec', `${lab.name}-n3`, 'ping', '-c', '1', '-W', '2', '10.2.0.1']), /1 received/);
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  /** The lab with a last step that fails once everything else is made: an exec entry on `node` that exits 3. */
  function failingAt(lab: ResolvedLab, node: string): ResolvedLab {
    return { ...lab, nodes: lab.nodes.map((n) => (n.name === node ? { ...n, exec: [{ run: 'echo giving up; exit 3', background: false }] } : n)) };
  }

  test('a failure at the end of up rolls back that run and reports the cause', async () => {
    const lab = failingAt(chain(uniqueName('rb'), 3), 'n1');
    await assert.rejects(
      up(lab),
      (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_EXEC' && /node n1 failed with exit code 3/.test(e.message) && /giving up/.test(e.message),
    );
    gone(lab);
  });

  test('a failed reconcile removes what it added and keeps what was there', async () => {
    const lab = chain(uniqueName('rc'), 2);
    const bigger = chain(lab.name, 3);
    try {
      await up(lab);
      await assert.rejects(up(failingAt(bigger, 'n2')), /node n2 failed with exit code 3/);
      const s = await status(lab.name);
      assert.deepEqual(Object.keys(s.observed.namespaces).sort(), [`${lab.name}-n0`, `${lab.name}-n1`]);
      assert.deepEqual(
        s.observed.namespaces[`${lab.name}-n1`]?.links.map((l) => l.ifname),
        ['left'],
        'the new cable of n1 was removed',
      );
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('two ups of one lab at once do not interleave; two labs run side by side', async () => {
    const one = chain(uniqueName('lk'), 3);
    const other = chain(uniqueName('lk'), 3);
    try {
      const results = await Promise.all([up(one), up(one), up(other)]);
      assert.deepEqual(results.map((r) => r.changed).sort(), [false, true, true]);
      assert.equal((await status(one.name)).observed.processes.length, 0);
    } finally {
      await Promise.all([down(one.name), down(other.name)]);
    }
    gone(one);
    gone(other);
  });

  test('DAD: an IPv4 lab leaves it as the kernel has it; adding IPv6 turns it off in every namespace, and an IPv6 address works at once', async () => {
    const lab = chain(uniqueName('dad'), 2);
    const dad = (netns: string): string => sh('ip', ['netns', 'exec', netns, 'cat', '/proc/sys/net/ipv6/conf/default/accept_dad']).trim();
    try {
      await up(lab);
      assert.deepEqual(
        lab.nodes.map((n) => dad(n.netns)),
        ['1', '1'],
      );
      const link = lab.links[0];
      assert.ok(link !== undefined);
      const six: ResolvedLab = {
        ...lab,
        links: [
          {
            ...link,
            a: { ...link.a, addresses: [...link.a.addresses, { family: 6, address: 'fd00::1', prefixLength: 64 }] },
            b: { ...link.b, addresses: [...link.b.addresses, { family: 6, address: 'fd00::2', prefixLength: 64 }] },
          },
        ],
      };
      const again = await up(six);
      assert.deepEqual(
        again.plan.ops
          .filter((o) => o.op === 'sysctl.set')
          .map((o) => o.id)
          .sort(),
        ['sysctl:n0:net/ipv6/conf/default/accept_dad', 'sysctl:n1:net/ipv6/conf/default/accept_dad'],
      );
      assert.deepEqual(
        lab.nodes.map((n) => dad(n.netns)),
        ['0', '0'],
      );
      // No tentative address: the other end answers at once.
      sh('ip', ['netns', 'exec', `${lab.name}-n0`, 'ping', '-6', '-c', '1', '-W', '2', 'fd00::2']);
      assert.deepEqual((await up(six)).plan.ops, []);
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('a namespace the lab wants that is not its own: up refuses, names it and touches nothing; a lab that was up stays up', async () => {
    const lab = chain(uniqueName('ours'), 2);
    const grown = chain(lab.name, 3);
    const theirs = `${lab.name}-n2`;
    try {
      await up(lab);
      sh('ip', ['netns', 'add', theirs]);
      await assert.rejects(up(grown), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NSLAB_NOT_OURS');
        assert.match(e.message, new RegExp(`namespace ${theirs} \\(node n2\\): not made by nslab`));
        return true;
      });
      assert.ok(netnsList().includes(theirs), 'the other namespace is untouched');
      const s = await status(lab.name);
      assert.deepEqual(Object.keys(s.observed.namespaces).sort(), [`${lab.name}-n0`, `${lab.name}-n1`], 'the lab that was up is still up, with its state');
      await down(lab.name);
      assert.ok(netnsList().includes(theirs), 'down leaves the other namespace alone');
      gone(lab);
    } finally {
      await down(lab.name).catch(() => undefined);
      sh('ip', ['netns', 'del', theirs]);
    }
  });

  test('a namespace file left without its namespace (a run killed mid-make): up makes it anew, down removes it', async () => {
    const lab = chain(uniqueName('half'), 3);
    const path = `/run/netns/${lab.name}-n1`;
    try {
      await up(lab);
      // What a run killed between creating the file and mounting the namespace on it leaves.
      sh('umount', [path]);
      assert.ok(existsSync(path));
      const again = await up(lab);
      assert.ok(again.plan.ops.some((op) => op.op === 'netns.add' && op.netns === `${lab.name}-n1`));
      assert.match(sh('ip', ['netns', 'exec', `${lab.name}-n0`, 'ping', '-c', '1', '-W', '2', '10.0.0.2']), /1 received/);
      sh('umount', [path]);
      const r = await down(lab.name);
      assert.equal(r.found, true);
      assert.ok(r.plan.ops.some((op) => op.op === 'netns.del' && op.netns === `${lab.name}-n1`));
      gone(lab);
      assert.ok(!existsSync(path), 'the file is gone');
    } finally {
      await down(lab.name).catch(() => undefined);
    }
  });

  test('spares: up names them as its namespaces (a router among them gets its sysctls) and frees those it does not use; a lab that is up gets none', async () => {
    const lab = chain(uniqueName('spr'), 4);
    const router = lab.nodes[1];
    assert.ok(router !== undefined);
    router.forwarding = true;
    const before = heldNamespaces();
    const spares = Spares.start(lab.name, lab.nodes.length + 2);
    assert.ok(spares !== undefined);
    // Let the maker hold all six (or give up waiting), so that up both names spares and has some left.
    const spareInodes = await heldBeyond(before, 6);
    assert.equal(spareInodes.length, 6);
    try {
      const result = await up(lab, { spares });
      assert.equal(result.changed, true);
      // Every namespace of the lab is one of the spares.
      const named = lab.nodes.map((n) => `net:[${sh('stat', ['-L', '-c', '%i', `/run/netns/${n.netns}`]).trim()}]`);
      assert.deepEqual(
        named.filter((n) => !spareInodes.includes(n)),
        [],
      );
      assert.equal(sh('ip', ['netns', 'exec', `${lab.name}-n1`, 'cat', '/proc/sys/net/ipv4/ip_forward']), '1\n');
      assert.equal(sh('ip', ['netns', 'exec', `${lab.name}-n2`, 'cat', '/proc/sys/net/ipv4/ip_forward']), '0\n');
      const [lo] = ipJson<{ ifalias?: string }[]>(['-n', `${lab.name}-n3`, 'link', 'show', 'lo']);
      assert.match(lo?.ifalias ?? '', new RegExp(`^nslab:${lab.name}:[0-9a-f]{8}$`));
      assert.match(sh('ip', ['netns', 'exec', `${lab.name}-n3`, 'ping', '-c', '1', '-W', '2', '10.2.0.1']), /1 received/);
      // The two spares up did not name are closed, and nothing else of the run is held.
      assert.deepEqual(heldNamespaces(), before);
      assert.equal(Spares.start(lab.name, lab.nodes.length), undefined, 'a lab with state gets no spares');
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('down of a lab that is not up finds nothing and removes nothing', async () => {
    const name = uniqueName('none');
    const before = netnsList();
    const r = await down(name);
    assert.equal(r.found, false);
    assert.deepEqual(netnsList(), before);
  });

  test('a lab bigger than the working set is made a window at a time: the descriptors held stay bounded, and it pings end to end', async () => {
    const lab = chain(uniqueName('win'), 40);
    for (const n of lab.nodes) n.forwarding = true;
    const last = lab.links.length - 1;
    // Routes along the chain both ways to the end cables' subnets (where they are not connected already).
    lab.nodes.forEach((n, i) => {
      n.routes = [];
      if (i < last) n.routes.push({ family: 4, to: { family: 4, address: `10.${last}.0.0`, prefixLength: 24 }, via: `10.${i}.0.2` });
      if (i > 1) n.routes.push({ family: 4, to: { family: 4, address: '10.0.0.0', prefixLength: 24 }, via: `10.${i - 1}.0.1` });
    });
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const base = fds();
    let peak = 0;
    const watch = (): void => void (peak = Math.max(peak, fds()));
    try {
      await up(lab, { maxOpenNamespaces: 6, onProgress: watch });
      assert.ok(peak - base <= 6 * 2 + 8, `at most 6 namespaces open at once: ${peak - base} descriptors above the ${base} before`);
      assert.equal(fds(), base, 'everything is closed at the end');
      assert.match(sh('ip', ['netns', 'exec', `${lab.name}-n0`, 'ping', '-c', '1', '-W', '2', `10.${last}.0.2`]), /1 received/);
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });
});
