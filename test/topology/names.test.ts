import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInterfaceName, checkLabName, checkNetnsName, checkNodeName } from '../../src/topology/names.js';
import { closest } from '../../src/topology/suggest.js';

test('interface names Linux takes', () => {
  for (const name of ['eth0', 'rveth', 'veth-red', 'a', 'x'.repeat(15), 'br.lan', 'e_1', 'ethé', 'toString', 'constructor'])
    assert.equal(checkInterfaceName(name), undefined, name);
});

test('interface names Linux refuses (dev_valid_name), and those that would collide or be renamed', () => {
  const cases: [string, string][] = [
    ['', 'the interface name is empty'],
    ['x'.repeat(16), `interface name "${'x'.repeat(16)}" is 16 characters`],
    ['éééééééé', 'interface name "éééééééé" is 16 bytes in UTF-8'],
    ['.', '"." cannot be an interface name'],
    ['..', '".." cannot be an interface name'],
    ['a/b', 'interface name "a/b" contains "/"'],
    ['a:b', 'interface name "a:b" contains ":"'],
    ['a b', 'interface name "a b" contains " " (a space)'],
    ['a\tb', 'interface name "a\\tb" contains "\\t" (a tab)'],
    ['a\u0007', 'interface name "a\\u0007" contains the control character U+0007'],
    ['eth%d', 'interface name "eth%d" contains "%"'],
    ['lo', 'interface name "lo" is taken: it is the loopback device every namespace has'],
    ['tunl0', 'interface name "tunl0" is taken: it is made in every namespace by the ipip module'],
  ];
  for (const [name, message] of cases) assert.equal(checkInterfaceName(name)?.message, message, JSON.stringify(name));
});

test('lab and node names', () => {
  assert.equal(checkLabName('two-computers'), undefined);
  assert.equal(checkLabName('a'.repeat(63)), undefined);
  assert.equal(checkLabName('')?.message, 'the lab name is empty');
  assert.equal(checkLabName('.hidden')?.message, 'lab name ".hidden" starts with "."');
  assert.equal(checkLabName('a/b')?.message, 'lab name "a/b" contains "/"');
  assert.equal(checkNodeName('host-1.lan_2'), undefined);
  assert.equal(checkNodeName('1'), undefined);
  assert.equal(checkNodeName('_x')?.message, 'node name "_x" starts with "_"');
  assert.equal(checkNodeName('a:b')?.message, 'node name "a:b" contains ":"');
});

test('namespace names are safe file names under /run/netns', () => {
  assert.equal(checkNetnsName('red'), undefined);
  assert.equal(checkNetnsName('x'.repeat(255)), undefined);
  assert.equal(checkNetnsName('x'.repeat(256))?.message, `namespace name "${'x'.repeat(60)}..." is 256 bytes`);
  assert.equal(checkNetnsName('..')?.message, 'namespace name ".." is not a file name');
  assert.equal(checkNetnsName('a/b')?.message, 'namespace name "a/b" contains "/"');
  assert.equal(checkNetnsName('a\0b')?.message, 'namespace name "a\\u0000b" contains a NUL character');
});

test('"did you mean" suggests only what is close enough to be a typo', () => {
  assert.equal(closest('adresses', ['node', 'interface', 'addresses']), 'addresses');
  assert.equal(closest('gren', ['red', 'green']), 'green');
  assert.equal(closest('eht0', ['eth0', 'eth1']), 'eth0');
  assert.equal(closest('Prefix', ['name', 'prefix']), 'prefix');
  assert.equal(closest('end_points', ['endpoints', 'mtu']), 'endpoints');
  assert.equal(closest('b', ['a', 'c']), undefined);
  assert.equal(closest('router', ['red', 'green']), undefined);
  assert.equal(closest('gren', ['red']), undefined);
});
