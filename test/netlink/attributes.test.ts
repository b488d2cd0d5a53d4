import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAttributes, defineAttributes, encodeAttributes, encodeAttributesAfter } from '../../src/netlink/attributes.js';
import type { AttributeCodec, AttributeValues } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/error.js';

const inner = defineAttributes('INNER', { a: { type: 1, kind: 'u16' } });
const table = defineAttributes(
  'TEST',
  {
    u8: { type: 1, kind: 'u8' },
    u16: { type: 2, kind: 'u16' },
    u32: { type: 3, kind: 'u32' },
    s32: { type: 4, kind: 's32' },
    be16: { type: 5, kind: 'be16' },
    be32: { type: 6, kind: 'be32' },
    u64: { type: 7, kind: 'u64' },
    bool: { type: 8, kind: 'bool8' },
    name: { type: 9, kind: 'string' },
    blob: { type: 10, kind: 'bytes' },
    on: { type: 11, kind: 'flag' },
    v4: { type: 12, kind: 'ipv4' },
    v6: { type: 13, kind: 'ipv6' },
    ip: { type: 14, kind: 'ip' },
    mac: { type: 15, kind: 'mac' },
    nest: { type: 16, kind: 'nested', table: inner },
    uint: { type: 17, kind: 'uint' },
  },
  { ignore: [99] },
);
type Values = AttributeValues<typeof table.fields>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('each kind encodes to exact bytes, padded to 4, nests flagged NLA_F_NESTED', () => {
  const cases: [Values, string][] = [
    [{ u8: 7 }, '0500010007000000'],
    [{ u16: 0x1234 }, '0600020034120000'],
    [{ u32: 0x01020304 }, '0800030004030201'],
    [{ s32: -1 }, '08000400ffffffff'],
    [{ be16: 4789 }, '0600050012b50000'],
    [{ be32: 0x01020304 }, '0800060001020304'],
    [{ u64: 0x0102030405060708n }, '0c0007000807060504030201'],
    [{ bool: true }, '0500080001000000'],
    [{ bool: false }, '0500080000000000'],
    [{ name: 'rveth' }, '0a00090072766574680000000'.slice(0, 24)],
    [{ blob: Uint8Array.of(1, 2, 3) }, '07000a0001020300'],
    [{ on: true }, '04000b00'],
    [{ v4: '10.0.0.1' }, '08000c000a000001'],
    [{ v6: 'fd00::1' }, '14000d00fd000000000000000000000000000001'],
    [{ ip: '10.0.0.1' }, '08000e000a000001'],
    [{ mac: '02:00:00:00:00:01' }, '0a000f00020000000001' + '0000'],
    [{ nest: { a: 1 } }, '0c0010800600010001000000'],
  ];
  for (const [values, want] of cases)
    assert.equal(
      hex(encodeAttributes(table, values)),
      want,
      JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
});

test('absent fields and a false flag are not sent; table order is wire order; unknown ones go last', () => {
  assert.equal(encodeAttributes(table, {}).length, 0);
  assert.equal(encodeAttributes(table, { on: undefined as unknown as true }).length, 0);
  const buf = encodeAttributes(table, {
    u16: 1,
    u8: 2,
    unknown: [
      { type: 200, data: Uint8Array.of(9) },
      { type: 201, nested: true, data: new Uint8Array(0) },
    ],
  });
  assert.equal(hex(buf), '0500010002000000' + '0600020001000000' + '0500c80009000000' + '0400c980');
});

test('decoding masks the type flags, keeps unknown attributes raw, skips ignored ones, last duplicate wins', () => {
  const buf = Buffer.from(
    '06000280' +
      '05000000' + // u16 with NLA_F_NESTED set on the type (masked off): 5
      '0600024002000000' + // u16 again with NLA_F_NET_BYTEORDER: 2 wins
      '08006300aaaaaaaa' + // type 99: ignored
      '0500c80009000000' + // type 200: unknown, raw
      '0400c980', // type 201, nested, empty
    'hex',
  );
  assert.deepEqual(decodeAttributes(table, buf), {
    u16: 2,
    unknown: [
      { type: 200, data: Uint8Array.of(9) },
      { type: 201, nested: true, data: new Uint8Array(0) },
    ],
  });
});

test('round trip of every kind', () => {
  const values: Values = {
    u8: 255,
    u16: 65535,
    u32: 4294967295,
    s32: -2147483648,
    be16: 1,
    be32: 0xdeadbeef,
    u64: 18446744073709551615n,
    bool: true,
    name: 'größe',
    blob: Uint8Array.of(0, 1),
    on: true,
    v4: '192.0.2.1',
    v6: '2001:db8::1',
    ip: 'fd00::2',
    mac: 'aa:bb:cc:dd:ee:ff',
    nest: { a: 3, unknown: [{ type: 9, data: Uint8Array.of(1, 2, 3, 4) }] },
    uint: 5n,
  };
  assert.deepEqual(decodeAttributes(table, encodeAttributes(table, values)), values);
  assert.equal(decodeAttributes(table, Buffer.from('0800110005000000', 'hex')).uint, 5n);
});

test('lengths are checked: wrong size for the kind, past the end, below the header, stray bytes', () => {
  const bad: [string, number, RegExp][] = [
    ['0600030001000000', 0, /TEST attribute 3 \(u32\) has 2 payload bytes, expected 4/],
    ['0c00010001000000', 0, /runs past the end/],
    ['0200010001000000', 0, /below the 4-byte header/],
    ['0500010001000000ff', 8, /stray bytes/],
    ['05000b0001000000', 0, /\(on\) has 1 payload bytes, expected 0/],
    ['07000e00010203', 0, /expected 4 or 16/],
    ['0c0010800500010001000000', 4, /INNER attribute 1 \(a\) has 1 payload bytes, expected 2/],
  ];
  for (const [h, offset, message] of bad) {
    assert.throws(
      () => decodeAttributes(table, Buffer.from(h, 'hex')),
      (e: unknown) => e instanceof NetlinkDecodeError && e.code === 'NSLAB_NETLINK_DECODE' && e.offset === offset && message.test(e.message),
      h,
    );
  }
  // The base offset shifts error positions into the caller's buffer.
  assert.throws(
    () => decodeAttributes(table, Buffer.from('0600030001000000', 'hex'), 100),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 100,
  );
});

test('out-of-range values refuse to encode', () => {
  assert.throws(() => encodeAttributes(table, { u8: 256 }), NetlinkEncodeError);
  assert.throws(() => encodeAttributes(table, { u16: -1 }), NetlinkEncodeError);
  assert.throws(() => encodeAttributes(table, { u32: 1.5 }), NetlinkEncodeError);
  assert.throws(() => encodeAttributes(table, { u64: -1n }), NetlinkEncodeError);
  assert.throws(() => encodeAttributes(table, { v4: 'fd00::1' }), NetlinkEncodeError);
  assert.throws(() => encodeAttributes(table, { blob: new Uint8Array(70000) }), NetlinkEncodeError);
});

test('strings encode as UTF-8 with their NUL, whatever the characters', () => {
  for (const name of ['', 'rveth', 'größe', 'nslab:😀:x', 'a\ud800b', 'x'.repeat(300)]) {
    const payload = Buffer.from(`${name}\0`, 'utf8');
    const want = Buffer.alloc((4 + payload.length + 3) & ~3);
    want.writeUInt16LE(4 + payload.length, 0);
    want.writeUInt16LE(9, 2);
    payload.copy(want, 4);
    assert.equal(hex(encodeAttributes(table, { name })), want.toString('hex'), name);
  }
  assert.throws(() => encodeAttributes(table, { name: 5 as unknown as string }), NetlinkEncodeError);
});

test('the order of keys in the values does not matter: table order is wire order', () => {
  const inOrder = encodeAttributes(table, { u8: 1, u32: 3, name: 'n', v4: '10.0.0.1', nest: { a: 1 }, uint: 2n });
  const shuffled = encodeAttributes(table, { uint: 2n, v4: '10.0.0.1', u32: 3, nest: { a: 1 }, name: 'n', u8: 1 });
  assert.equal(hex(shuffled), hex(inOrder));
  // The first bad value in table order is the one reported, whatever order the keys come in.
  assert.throws(() => encodeAttributes(table, { u32: -1, u8: -1 }), /TEST u8 /);
});

test('a custom codec that returns undefined sends nothing; keys that are not fields are ignored', () => {
  const nothing: AttributeCodec<number> = { encode: () => undefined, decode: () => undefined };
  const custom = defineAttributes('CUSTOM', {
    a: { type: 1, kind: 'u8' },
    skip: { type: 2, kind: 'custom', codec: nothing },
    b: { type: 3, kind: 'u8' },
  });
  assert.equal(hex(encodeAttributes(custom, { b: 2, skip: 1, a: 1 })), '0500010001000000' + '0500030002000000');
  assert.equal(hex(encodeAttributes(custom, { a: 1, other: 7 } as AttributeValues<typeof custom.fields>)), '0500010001000000');
});

test("encodeAttributesAfter leaves zeroed room for the caller's struct", () => {
  assert.equal(hex(encodeAttributesAfter(8, table, { u16: 0x1234 })), '0000000000000000' + '0600020034120000');
  assert.equal(hex(encodeAttributesAfter(4, table, {})), '00000000');
});
