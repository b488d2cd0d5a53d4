import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { addNamespaces, closeSocket, deleteNamespaces, netnsPath, openSockets, sysctl, transact } from '../../src/native/index.js';
import { needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

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
  for (let off = 0; off + 16 <= buf.length; ) {
    const len = buf.readUInt32LE(off);
    const type = buf.readUInt16LE(off + 4);
    if (type === 16 /* RTM_NEWLINK */) {
      for (let a = off + 32; a + 4 <= off + len; ) {
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

describe('native addon', { skip: needsRoot }, () => {
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

  test('a socket of the current namespace does not see a namespace\'s links', async () => {
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
    assert.deepEqual(await addNamespaces(names, { threads: 2 }), names.map(() => undefined));
    const listed = new Set(netnsList());
    assert.ok(names.every((n) => listed.has(n)));
    assert.deepEqual(await deleteNamespaces(names), names.map(() => undefined));
    const after = new Set(netnsList());
    assert.ok(names.every((n) => !after.has(n)));
  });
});
