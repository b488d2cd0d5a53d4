import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addNamespaces, deleteNamespaces } from '../../src/native/index.js';
import { Handle, NetlinkError, type RtnlEvent } from '../../src/rtnl/index.js';
import { ipJson, needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

interface IpAddr {
  ifname: string;
  operstate: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}
interface IpRoute {
  dst: string;
  dev: string;
  gateway?: string;
}

/** Makes namespaces for one test and removes them (and checks they are gone) afterwards. */
async function withNamespaces(stems: string[], body: (names: string[], handles: Handle[]) => Promise<void>): Promise<void> {
  const names = stems.map((s) => uniqueName(s));
  assert.deepEqual(
    await addNamespaces(names),
    names.map(() => undefined),
  );
  const handles = await Handle.openMany(names);
  try {
    await body(names, handles);
  } finally {
    for (const h of handles) h.close();
    await deleteNamespaces(names);
    const left = new Set(netnsList());
    assert.ok(
      names.every((n) => !left.has(n)),
      'namespaces of the test are gone',
    );
  }
}

function ping(netns: string, address: string): string {
  return sh('ip', ['netns', 'exec', netns, 'ping', ...(address.includes(':') ? ['-6'] : []), '-n', '-c', '1', '-W', '2', address]);
}

describe('Handle', { skip: needsRoot }, () => {
  test('a veth peer named by namespace is found in the directory of the handle, not only /run/netns', async () => {
    // A directory of the test's own (in /tmp: a world may make nothing in /run), which the addon makes a
    // mount point as `ip netns add` makes /run/netns one.
    const dir = mkdtempSync(join(tmpdir(), 'nslab-test-netns-'));
    const names = [uniqueName('dira'), uniqueName('dirb')];
    assert.deepEqual(await addNamespaces(names, { dir }), [undefined, undefined]);
    const handles = await Handle.openMany(names, dir);
    try {
      const [a, b] = handles as [Handle, Handle];
      await a.link.addVeth({ name: 'to-b', peer: { name: 'to-a', netns: names[1] as string } });
      assert.equal((await b.link.get('to-a'))?.kind, 'veth');
    } finally {
      for (const h of handles) h.close();
      assert.deepEqual(await deleteNamespaces(names, { dir }), [undefined, undefined]);
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the tutorial: veth straight into two namespaces, /32 addresses, host routes, a ping', async () => {
    await withNamespaces(['red', 'green'], async ([red, green], [r, g]) => {
      assert.ok(r !== undefined && g !== undefined && red !== undefined && green !== undefined);
      await r.link.addVeth({ name: 'rveth', peer: { name: 'gveth', netns: green } });
      await Promise.all([r.link.set('lo', { up: true }), g.link.set('lo', { up: true }), r.link.set('rveth', { up: true }), g.link.set('gveth', { up: true })]);
      await Promise.all([r.addr.add('rveth', '10.10.1.2/32'), g.addr.add('gveth', '10.10.1.3/32')]);
      await Promise.all([r.route.add({ to: '10.10.1.3/32', dev: 'rveth' }), g.route.add({ to: '10.10.1.2/32', dev: 'gveth' })]);

      // The independent witness: iproute2's own view of the kernel.
      const [rv] = ipJson<IpAddr[]>(['-n', red, 'addr', 'show', 'rveth']);
      assert.equal(rv?.operstate, 'UP');
      assert.deepEqual(
        rv?.addr_info.filter((a) => a.family === 'inet').map((a) => [a.local, a.prefixlen]),
        [['10.10.1.2', 32]],
      );
      const [gv] = ipJson<IpAddr[]>(['-n', green, 'addr', 'show', 'gveth']);
      assert.deepEqual(
        gv?.addr_info.filter((a) => a.family === 'inet').map((a) => [a.local, a.prefixlen]),
        [['10.10.1.3', 32]],
      );
      assert.deepEqual(
        ipJson<IpRoute[]>(['-n', red, 'route', 'show']).map((x) => [x.dst, x.dev]),
        [['10.10.1.3', 'rveth']],
      );
      assert.deepEqual(
        ipJson<IpRoute[]>(['-n', green, 'route', 'show']).map((x) => [x.dst, x.dev]),
        [['10.10.1.2', 'gveth']],
      );
      assert.match(ping(red, '10.10.1.3'), /1 received/);
      assert.match(ping(green, '10.10.1.2'), /1 received/);

      // And our own reading agrees.
      const links = await r.link.list();
      const rveth = links.find((l) => l.name === 'rveth');
      assert.equal(rveth?.kind, 'veth');
      assert.equal(rveth?.up, true);
      assert.deepEqual(
        (await r.addr.list({ dev: 'rveth', family: 4 })).map((a) => a.cidr),
        ['10.10.1.2/32'],
      );
      assert.deepEqual(
        (await r.route.list({ family: 4 })).map((x) => x.to),
        ['10.10.1.3/32'],
      );
    });
  });

  test('a bridge in its own namespace joins three hosts on one /24', async () => {
    await withNamespaces(['br', 'h1', 'h2', 'h3'], async ([, ...hosts], [b, ...hh]) => {
      assert.ok(b !== undefined);
      await b.link.addBridge({ name: 'br0' });
      await Promise.all(hosts.map((h, i) => b.link.addVeth({ name: `p${i + 1}`, peer: { name: 'eth0', netns: h as string } })));
      await Promise.all([b.link.set('br0', { up: true }), ...hosts.map((_, i) => b.link.set(`p${i + 1}`, { master: 'br0', up: true }))]);
      await Promise.all(
        hh.map((h, i) => Promise.all([h.link.set('lo', { up: true }), h.link.set('eth0', { up: true }), h.addr.add('eth0', `10.20.0.${i + 1}/24`)])),
      );
      const ports = ipJson<{ ifname: string; master?: string }[]>(['-n', b.netns as string, 'link', 'show', 'master', 'br0']);
      assert.deepEqual(ports.map((p) => p.ifname).sort(), ['p1', 'p2', 'p3']);
      assert.match(ping(hosts[0] as string, '10.20.0.3'), /1 received/);
      assert.match(ping(hosts[2] as string, '10.20.0.2'), /1 received/);
      const br0 = await b.link.get('br0');
      assert.equal(br0?.kind, 'bridge');
      const p1 = await b.link.get('p1');
      assert.equal(p1?.master, br0?.index);
    });
  });

  test('IPv6: addresses without DAD, routes, a ping', async () => {
    await withNamespaces(['v6a', 'v6b'], async ([a, bName], [ha, hb]) => {
      assert.ok(ha !== undefined && hb !== undefined);
      await ha.link.addVeth({ name: 'a0', peer: { name: 'b0', netns: bName as string } });
      await Promise.all([ha.link.set('a0', { up: true }), hb.link.set('b0', { up: true })]);
      await Promise.all([ha.addr.add('a0', 'fd00:10::1/64', { nodad: true }), hb.addr.add('b0', 'fd00:10::2/64', { nodad: true })]);
      await ha.route.add({ to: 'fd00:99::/64', via: 'fd00:10::2', dev: 'a0' });
      const v6 = ipJson<IpAddr[]>(['-n', a as string, '-6', 'addr', 'show', 'a0']);
      assert.ok(v6[0]?.addr_info.some((x) => x.local === 'fd00:10::1' && x.prefixlen === 64));
      const routes = ipJson<IpRoute[]>(['-n', a as string, '-6', 'route', 'show', 'fd00:99::/64']);
      assert.deepEqual(
        routes.map((x) => [x.dst, x.gateway, x.dev]),
        [['fd00:99::/64', 'fd00:10::2', 'a0']],
      );
      assert.match(ping(a as string, 'fd00:10::2'), /1 received/);
      assert.deepEqual(
        (await ha.addr.list({ dev: 'a0', family: 6 })).filter((x) => !x.address.startsWith('fe80')).map((x) => x.cidr),
        ['fd00:10::1/64'],
      );
    });
  });

  test('the kernel refusing says the operation, the object, the namespace, the errno and its text', async () => {
    await withNamespaces(['er1', 'er2'], async ([, two], [one]) => {
      assert.ok(one !== undefined);
      await one.link.addVeth({ name: 'x0', peer: { name: 'y0', netns: two as string } });
      await assert.rejects(one.link.addVeth({ name: 'x0', peer: { name: 'y1', netns: two as string } }), (e: unknown) => {
        assert.ok(e instanceof NetlinkError);
        assert.equal(e.errnoName, 'EEXIST');
        assert.ok(e.message.startsWith(`RTM_NEWLINK veth ${one.netns}:x0<->${two}:y1 in netns ${one.netns}: File exists (EEXIST)`), e.message);
        return true;
      });
      await assert.rejects(one.addr.add('nosuch0', '10.0.0.1/24'), /no interface nosuch0 in netns/);
      await assert.rejects(one.route.add({ to: '10.99.0.0/24', via: '10.98.0.1' }), (e: unknown) => e instanceof NetlinkError && e.errnoName === 'ENETUNREACH');
    });
  });

  test('a handle on the namespace nslab runs in reads but refuses changes', async () => {
    await using here = await Handle.open();
    const links = await here.link.list();
    assert.deepEqual(
      links.map((l) => l.name),
      ['lo'],
    ); // the test sandbox's own namespace
    await assert.rejects(here.link.set('lo', { alias: 'x' }), /refusing RTM_NEWLINK .* in the namespace nslab runs in/);
  });

  test('events: a subscription sees a link appear and an address added', async () => {
    await withNamespaces(['ev1', 'ev2'], async ([, two], [one]) => {
      assert.ok(one !== undefined);
      const events: RtnlEvent[] = [];
      const sub = await one.subscribe(['link', 'ipv4-addr'], (e) => events.push(e));
      await one.link.addVeth({ name: 'ev0', peer: { name: 'ev0', netns: two as string } });
      await one.addr.add('ev0', '10.77.0.1/24');
      for (let i = 0; i < 100 && !events.some((e) => e.type === 'addr-new'); i++) await new Promise((r) => setTimeout(r, 10));
      sub.close();
      sub.close(); // idempotent
      assert.ok(events.some((e) => e.type === 'link-new' && e.link.name === 'ev0'));
      assert.ok(events.some((e) => e.type === 'addr-new' && e.address.cidr === '10.77.0.1/24'));
    });
  });

  test('requests issued together leave together and keep their order', async () => {
    await withNamespaces(['ba1', 'ba2'], async ([, two], [one]) => {
      assert.ok(one !== undefined);
      // Index chosen at creation lets the address follow its device in the same sendmsg.
      const made = one.link.addVeth({ name: 'bb0', index: 40, peer: { name: 'bb0', netns: two as string, index: 41 } });
      const up = one.link.set({ index: 40, name: 'bb0' }, { up: true });
      const addr = one.addr.add({ index: 40, name: 'bb0' }, '10.88.0.1/24');
      await Promise.all([made, up, addr]);
      const [link] = ipJson<{ ifindex: number; ifname: string }[]>(['-n', one.netns as string, 'link', 'show', 'bb0']);
      assert.equal(link?.ifindex, 40);
      assert.deepEqual(
        (await one.addr.list({ dev: 'bb0', family: 4 })).map((a) => a.cidr),
        ['10.88.0.1/24'],
      );
      await one.link.del('bb0');
      assert.equal(await one.link.get('bb0'), undefined);
    });
  });
});

describe('Handle lifecycle', { skip: needsRoot }, () => {
  let name = '';
  before(async () => {
    name = uniqueName('life');
    await addNamespaces([name]);
  });
  after(async () => {
    await deleteNamespaces([name]);
  });

  test('close() is idempotent and a closed handle refuses requests', async () => {
    const h = await Handle.open({ netns: name });
    h.close();
    h.close();
    await assert.rejects(h.link.list(), /closed/);
  });

  test('opening a namespace that does not exist says which', async () => {
    await assert.rejects(Handle.open({ netns: 'no-such-ns-here' }), /\/run\/netns\/no-such-ns-here: No such file or directory \(ENOENT\)/);
  });
});

describe('Handle dumps', { skip: needsRoot }, () => {
  test('several dumps asked at once each get their whole answer (one dump per sendmsg)', async () => {
    const name = uniqueName('dmp');
    await addNamespaces([name]);
    try {
      await using h = await Handle.open({ netns: name });
      const [links, addrs, routes, again] = await Promise.all([h.link.list(), h.addr.list(), h.route.list({ family: 4 }), h.link.list()]);
      assert.deepEqual(
        links.map((l) => l.name),
        ['lo'],
      );
      assert.deepEqual(
        again.map((l) => l.name),
        ['lo'],
      );
      assert.deepEqual(addrs, []); // lo is down: no 127.0.0.1 yet
      assert.deepEqual(routes, []);
    } finally {
      await deleteNamespaces([name]);
    }
  });
});
