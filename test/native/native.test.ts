import assert from 'node:assert/strict';
import { closeSync, existsSync, fstatSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  addNamespaces,
  closeSocket,
  closeSockets,
  deleteNamespaces,
  makeNamespaces,
  namespaceIdentities,
  netnsPath,
  openSockets,
  startSpares,
  sysctl,
  transact,
} from '../../src/native/index.js';
import { heldBeyond, heldNamespaces, needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

/** RTM_GETLINK dump request: nlmsghdr + ifinfomsg, built by hand so this test does not lean on the codec. */
function getLinkDump(seq: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(18 /* RTM_GETLINK */, 4);
  b.writeUInt16LE(0x301 /* REQUEST|DUMP */, 6);
  b.writeUInt32LE(seq, 8);
  return b;
}

/** Interface names in a dump answer (IFLA_IFNAME = 3), parsed by hand. */
function ifnames(buf: Buffer): string[] {
  const names: string[] = [];
  for (let off = 0; off + 16 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    const type = buf.readUInt16LE(off + 4);
    if (type === 16 /* RTM_NEWLINK */) {
      for (let a = off + 32; a + 4 <= off + len;) {
        const alen = buf.readUInt16LE(a);
        if (alen < 4) break;
        if ((buf.readUInt16LE(a + 2) & 0x3fff) === 3) names.push(buf.toString('utf8', a + 4, a + alen - 1));
        a += (alen + 3) & ~3;
      }
    }
    off += (len + 3) & ~3;
  }
  return names;
}

/** RTM_NEWLINK: link `index` up with IFLA_IFALIAS (20) = alias, ACK asked; by hand, as getLinkDump. */
function upWithAlias(index: number, alias: string): Buffer {
  const text = Buffer.from(`${alias}\0`);
  const attrLen = 4 + text.length;
  const len = 32 + ((attrLen + 3) & ~3);
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(16 /* RTM_NEWLINK */, 4);
  b.writeUInt16LE(0x5 /* REQUEST|ACK */, 6);
  b.writeUInt32LE(1, 8);
  b.writeInt32LE(index, 20);
  b.writeUInt32LE(1 /* IFF_UP */, 24);
  b.writeUInt32LE(1, 28);
  b.writeUInt16LE(attrLen, 32);
  b.writeUInt16LE(20, 34);
  text.copy(b, 36);
  return b;
}

describe('native addon', { skip: needsRoot }, () => {
  test('namespaces made ready: sysctls written inside, socket and fd open, hello answered, identity read', async () => {
    const names = [uniqueName('rdy'), uniqueName('rdy'), uniqueName('rdy')];
    const forward: [string, string][] = [
      ['net/ipv6/conf/default/accept_dad', '0'],
      ['net/ipv4/ip_forward', '1'],
    ];
    const made = await makeNamespaces(names, {
      sysctls: new Map([
        [names[0] as string, forward],
        [names[2] as string, forward],
      ]),
      hello: upWithAlias(1, 'hello-lo'),
    });
    try {
      for (const [i, m] of made.entries()) {
        const name = names[i] as string;
        assert.ok(!(m instanceof Error), String(m));
        // Each namespace gets its own sysctls: the middle one none.
        assert.equal(sh('ip', ['netns', 'exec', name, 'cat', '/proc/sys/net/ipv6/conf/default/accept_dad']), i === 1 ? '1\n' : '0\n');
        assert.equal(sh('ip', ['netns', 'exec', name, 'cat', '/proc/sys/net/ipv4/ip_forward']), i === 1 ? '0\n' : '1\n');
        assert.match(sh('ip', ['-n', name, '-o', 'link', 'show', 'lo']), /<LOOPBACK,UP,LOWER_UP>.*alias hello-lo/);
        const st = statSync(netnsPath(name), { bigint: true });
        assert.equal(m.identity, `${st.ino}:${st.ctimeNs}`);
        // Read back later by the file's name, as a down checks it: the same identity.
        assert.deepEqual(await namespaceIdentities([netnsPath(name), netnsPath(`${name}-none`)]), [m.identity, undefined]);
        assert.equal(BigInt(fstatSync(m.nsFd).ino), st.ino);
        const [answer] = await transact([[m.fd, getLinkDump(2)]]);
        assert.ok(Buffer.isBuffer(answer));
        assert.deepEqual(ifnames(answer), ['lo']);
      }
      assert.equal(sh('cat', ['/proc/sys/net/ipv4/ip_forward']), '0\n'); // the sandbox's own, untouched
    } finally {
      for (const m of made) {
        if (m instanceof Error) continue;
        closeSocket(m.fd);
        closeSync(m.nsFd);
      }
      assert.deepEqual(
        await deleteNamespaces(names),
        names.map(() => undefined),
      );
    }
  });

  test('spare namespaces: made unnamed, each its own; named and readied by makeNamespaces like new ones; one never named is freed by closing it', async () => {
    const before = heldNamespaces();
    const maker = startSpares(3);
    // The maker's thread makes them while this one goes on: wait until it holds three (or give up).
    await heldBeyond(before, 3);
    const spares = await maker.take();
    assert.equal(spares.length, 3);
    assert.deepEqual(await maker.take(), [], 'a second take gets none');
    const own = statSync('/proc/self/ns/net').ino;
    const inodes = spares.map((s) => fstatSync(s.nsFd).ino);
    assert.equal(new Set([own, ...inodes]).size, 4, 'three new namespaces, none of them ours');
    const [first, second, third] = spares;
    assert.ok(first !== undefined && second !== undefined && third !== undefined);
    const names = [uniqueName('spr'), uniqueName('spr')];
    assert.ok(
      names.every((n) => !existsSync(netnsPath(n))),
      'a spare has no name',
    );
    const made = await makeNamespaces(names, {
      spares: [first, second],
      sysctls: new Map([[names[0] as string, [['net/ipv4/ip_forward', '1'] as const]]]),
      hello: upWithAlias(1, 'spare-lo'),
    });
    try {
      for (const [i, m] of made.entries()) {
        const name = names[i] as string;
        const spare = spares[i];
        assert.ok(!(m instanceof Error), String(m));
        assert.ok(spare !== undefined);
        // The name is the spare itself, and its descriptors pass through.
        assert.equal(statSync(netnsPath(name)).ino, inodes[i]);
        assert.deepEqual([m.nsFd, m.fd, m.portId], [spare.nsFd, spare.fd, spare.portId]);
        const st = statSync(netnsPath(name), { bigint: true });
        assert.equal(m.identity, `${st.ino}:${st.ctimeNs}`);
        // Read back later by the file's name, as a down checks it: the same identity.
        assert.deepEqual(await namespaceIdentities([netnsPath(name), netnsPath(`${name}-none`)]), [m.identity, undefined]);
        assert.ok(netnsList().includes(name));
        assert.equal(sh('ip', ['netns', 'exec', name, 'cat', '/proc/sys/net/ipv4/ip_forward']), i === 0 ? '1\n' : '0\n');
        assert.match(sh('ip', ['-n', name, '-o', 'link', 'show', 'lo']), /<LOOPBACK,UP,LOWER_UP>.*alias spare-lo/);
        const [answer] = await transact([[m.fd, getLinkDump(3)]]);
        assert.ok(Buffer.isBuffer(answer));
        assert.deepEqual(ifnames(answer), ['lo']);
      }
      assert.equal(sh('cat', ['/proc/sys/net/ipv4/ip_forward']), '0\n'); // the sandbox's own, untouched
      await closeSockets([third.fd, third.nsFd]);
      assert.ok(!heldNamespaces().has(`net:[${inodes[2]}]`), 'the unnamed spare is no longer held');
    } finally {
      await closeSockets(made.flatMap((m) => (m instanceof Error ? [] : [m.fd, m.nsFd])));
      assert.deepEqual(
        await deleteNamespaces(names),
        names.map(() => undefined),
      );
    }
  });

  test('a spare maker makes up to its target and waits there; a higher target makes it go on', async () => {
    const before = heldNamespaces();
    const maker = startSpares(1);
    assert.equal((await heldBeyond(before, 1)).length, 1);
    // Given time, it makes no more than its target.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(heldNamespaces().size - before.size, 1);
    maker.target(3);
    assert.equal((await heldBeyond(before, 3)).length, 3);
    const spares = await maker.take();
    assert.equal(spares.length, 3);
    await closeSockets(spares.flatMap((s) => [s.fd, s.nsFd]));
    assert.deepEqual(heldNamespaces(), before);
  });

  test('a namespace whose setup fails is undone: the error says which step, no file is left', async () => {
    const [refused, badKey] = [uniqueName('bad'), uniqueName('bad')];
    const [m1] = await makeNamespaces([refused], { hello: upWithAlias(4242, 'x') });
    assert.ok(m1 instanceof Error);
    assert.equal(m1.message, `making namespace ${refused}: netlink request (setup) /run/netns/${refused}: No such device (ENODEV)`);
    const [m2] = await makeNamespaces([badKey], { sysctls: new Map([[badKey, [['net/ipv4/no_such_key', '1'] as const]]]) });
    assert.ok(m2 instanceof Error);
    assert.equal(m2.message, `making namespace ${badKey}: open /proc/sys/net/ipv4/no_such_key: No such file or directory (ENOENT)`);
    assert.ok(!existsSync(netnsPath(refused)) && !existsSync(netnsPath(badKey)));
    assert.ok(!netnsList().includes(refused) && !netnsList().includes(badKey));
  });

  test('a namespace made by nslab is listed by `ip netns list` and runs `ip netns exec`', async () => {
    const name = uniqueName('nat');
    const [err] = await addNamespaces([name]);
    assert.equal(err, undefined);
    try {
      assert.ok(netnsList().includes(name));
      assert.match(sh('ip', ['netns', 'exec', name, 'ip', '-o', 'link']), /^1: lo:/);
    } finally {
      assert.deepEqual(await deleteNamespaces([name]), [undefined]);
    }
    assert.ok(!netnsList().includes(name));
    assert.ok(!existsSync(netnsPath(name)));
  });

  test('closeSockets closes every descriptor it is given, off the JS thread', async () => {
    const sockets = await openSockets(['', '']);
    const fds = sockets.map((s) => {
      assert.ok(!(s instanceof Error), String(s));
      return s.fd;
    });
    for (const fd of fds) assert.ok(fstatSync(fd).isSocket());
    await closeSockets(fds);
    for (const fd of fds) assert.throws(() => fstatSync(fd), { code: 'EBADF' });
  });

  test('a namespace made by `ip netns add` opens a socket that sees only its own links', async () => {
    const name = uniqueName('ipn');
    sh('ip', ['netns', 'add', name]);
    try {
      sh('ip', ['-n', name, 'link', 'add', 'only-here', 'type', 'veth', 'peer', 'name', 'only-here2']);
      const [sock] = await openSockets([netnsPath(name)]);
      assert.ok(sock !== undefined && !(sock instanceof Error), String(sock));
      const [answer] = await transact([[sock.fd, getLinkDump(1)]]);
      closeSocket(sock.fd);
      assert.ok(Buffer.isBuffer(answer));
      assert.deepEqual(ifnames(answer).sort(), ['lo', 'only-here', 'only-here2']);
    } finally {
      sh('ip', ['netns', 'del', name]);
    }
  });

  test("a socket of the current namespace does not see a namespace's links", async () => {
    const name = uniqueName('cur');
    const [err] = await addNamespaces([name]);
    assert.equal(err, undefined);
    try {
      const [sock] = await openSockets(['']);
      assert.ok(sock !== undefined && !(sock instanceof Error));
      const [answer] = await transact([[sock.fd, getLinkDump(9)]]);
      closeSocket(sock.fd);
      assert.ok(Buffer.isBuffer(answer));
      assert.deepEqual(ifnames(answer), ['lo']); // the sandbox's own namespace holds only lo
    } finally {
      await deleteNamespaces([name]);
    }
  });

  test('sysctl writes inside one namespace only', async () => {
    const [a, b] = [uniqueName('sya'), uniqueName('syb')];
    assert.deepEqual(await addNamespaces([a, b]), [undefined, undefined]);
    try {
      const res = await sysctl([
        [netnsPath(a), 'net/ipv4/ip_forward', '1'],
        [netnsPath(a), 'net/ipv4/ip_forward', null],
        [netnsPath(b), 'net/ipv4/ip_forward', null],
        ['', 'net/ipv4/ip_forward', null],
      ]);
      assert.deepEqual(res, ['', '1\n', '0\n', '0\n']);
      assert.equal(sh('ip', ['netns', 'exec', a, 'cat', '/proc/sys/net/ipv4/ip_forward']), '1\n');
    } finally {
      await deleteNamespaces([a, b]);
    }
  });

  test('errors name the call, the path and the errno, and a failed add leaves no file', async () => {
    const name = uniqueName('dup');
    await addNamespaces([name]);
    try {
      const [again] = await addNamespaces([name]);
      assert.ok(again instanceof Error);
      assert.equal(again.message, `adding namespace ${name}: create /run/netns/${name}: File exists (EEXIST)`);
    } finally {
      await deleteNamespaces([name]);
    }
    const [gone] = await deleteNamespaces([name]);
    assert.equal(gone?.message, `deleting namespace ${name}: umount /run/netns/${name}: No such file or directory (ENOENT)`);
    const [bad] = await openSockets(['/run/netns/does-not-exist']);
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /open \/run\/netns\/does-not-exist: No such file or directory \(ENOENT\)/);
  });

  test('many namespaces at once, on several threads', async () => {
    const names = Array.from({ length: 50 }, () => uniqueName('many'));
    assert.deepEqual(
      await addNamespaces(names, { threads: 2 }),
      names.map(() => undefined),
    );
    const listed = new Set(netnsList());
    assert.ok(names.every((n) => listed.has(n)));
    assert.deepEqual(
      await deleteNamespaces(names),
      names.map(() => undefined),
    );
    const after = new Set(netnsList());
    assert.ok(names.every((n) => !after.has(n)));
  });

  test('deletions stay on one thread while they are quick, and widen to more once a window of them is slow', async () => {
    // 200 names: three windows of 64, the first not judged. slowUs 0: every deletion is slow.
    for (const [slowUs, threads] of [
      [0, 4],
      [1e9, 1],
    ] as const) {
      const names = Array.from({ length: 200 }, () => uniqueName('wide'));
      assert.deepEqual(
        await addNamespaces(names, { threads: 2 }),
        names.map(() => undefined),
      );
      const missing = uniqueName('gone');
      const all = [...names.slice(0, 150), missing, ...names.slice(150)];
      const res = await deleteNamespaces(all, { threads, slowUs });
      assert.equal(res.threads, threads, `slowUs ${slowUs}`);
      assert.deepEqual(
        res.map((e) => e?.message),
        all.map((n) => (n === missing ? `deleting namespace ${n}: umount /run/netns/${n}: No such file or directory (ENOENT)` : undefined)),
      );
      const after = new Set(netnsList());
      assert.deepEqual(
        names.filter((n) => after.has(n)),
        [],
      );
    }
  });
});
