import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { daemonsNeededBy, FRR_DAEMON_NAMES, inStartOrder, missingFrrDaemons, readDaemonsFile } from '../../src/topology/frr-daemons.js';

const fixture = (path: string): string => readFileSync(new URL(`../fixtures/clab/${path}`, import.meta.url), 'utf8');

test("a containerlab lab's daemons file: the daemons set to yes, in FRR's start order, and nothing of the init script's settings", () => {
  assert.deepEqual(readDaemonsFile(fixture('frr01/router1/daemons')), { daemons: ['zebra', 'ospfd', 'ldpd'], problems: [] });
  assert.deepEqual(readDaemonsFile(fixture('srlfrr01/daemons')).daemons, ['bgpd', 'ospfd', 'ospf6d', 'isisd', 'pimd', 'ldpd', 'nhrpd', 'bfdd']);
});

test('a daemons file: quotes, comments and spaces as the init script reads them; a name it does not know is said with its line', () => {
  const text = [
    '# comment',
    'bgpd = "yes"  # on',
    "ospfd='no'",
    'frr_profile="traditional"',
    'mgmtd=yes',
    'vtysh_enable=yes',
    'foo=yes',
    'MAX_FDS=1024',
    '',
  ].join('\n');
  assert.deepEqual(readDaemonsFile(text), {
    daemons: ['bgpd'],
    problems: [{ line: 7, text: 'foo=yes', message: `foo is not an FRR daemon nslab knows (it knows ${FRR_DAEMON_NAMES.join(', ')})` }],
  });
});

test('the daemons a configuration needs, each with the first line that says so', () => {
  const config = fixture('frr01/router1/frr.conf');
  assert.deepEqual(daemonsNeededBy(config), [{ daemon: 'ospfd', line: 18, text: 'router ospf' }]);
  const more = [
    'interface eth0',
    ' ip ospf area 0',
    ' ipv6 ospf6 area 0',
    '!',
    'router bgp 65001',
    '!',
    'ip route 10.0.0.0/8 eth0',
    'router ospf6',
    'bfd',
  ].join('\n');
  assert.deepEqual(
    daemonsNeededBy(more).map((n) => `${n.daemon}@${n.line}`),
    ['bgpd@5', 'ospfd@2', 'ospf6d@3', 'staticd@7', 'bfdd@9'],
  );
});

test('start order: zebra first, as FRR starts them', () => {
  assert.deepEqual(inStartOrder(['staticd', 'bgpd', 'zebra', 'ospfd', 'bgpd']), ['zebra', 'bgpd', 'ospfd', 'staticd']);
});

test('missing FRR: all of it names the Debian package; one daemon names itself; one Debian lacks says so', () => {
  const none = missingFrrDaemons(['zebra', 'ospfd'], () => false);
  assert.deepEqual(none.missing, ['zebra', 'ospfd']);
  assert.equal(
    none.message,
    'FRR is not installed (no zebra in /usr/lib/frr, /usr/sbin, /usr/local/sbin): install the Debian package frr (apt-get install frr)',
  );
  const have = new Set(['/usr/lib/frr/zebra', '/usr/lib/frr/ospfd']);
  assert.deepEqual(
    missingFrrDaemons(['zebra', 'ospfd'], (p) => have.has(p)),
    { missing: [] },
  );
  assert.equal(
    missingFrrDaemons(['zebra', 'bgpd'], (p) => have.has(p)).message,
    'FRR daemon bgpd not found in /usr/lib/frr, /usr/sbin, /usr/local/sbin; reinstall the frr package',
  );
  assert.equal(
    missingFrrDaemons(['zebra', 'sharpd'], (p) => have.has(p)).message,
    "FRR daemon sharpd not found in /usr/lib/frr, /usr/sbin, /usr/local/sbin; Debian's frr package does not build sharpd: use FRR's own packages",
  );
});

test('this machine: every daemon of the list Debian builds is where the list says (skipped without FRR)', (t) => {
  if (!existsSync('/usr/lib/frr/zebra')) return t.skip('FRR is not installed here');
  const debian = FRR_DAEMON_NAMES.filter((d) => d !== 'sharpd' && d !== 'pim6d');
  assert.deepEqual(missingFrrDaemons(debian, existsSync), { missing: [] });
});
