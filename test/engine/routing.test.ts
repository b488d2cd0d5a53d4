/**
 * Reading FRR's words, without FRR: vtysh's JSON as FRR 8.4 prints it (captured from the labs of
 * test/engine/frr.test.ts and frr01), told apart into converged and not yet; vtysh -b's complaints placed
 * in the file that has the line; route protocols named as `ip route` names them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configProblems } from '../../src/engine/frr.js';
import { bgpStatus, ospf6Status, ospfStatus, routeOrigin, splitJson } from '../../src/engine/routing.js';
import { protocolText } from '../../src/plan/index.js';

const neighbour = (state: string, ifaceName: string, role = 'DROther'): Record<string, unknown> => ({ nbrState: state, state, ifaceName, role });
const iface = (state: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ifUp: true, state, timerWaitSecs: 40, ...extra });

describe("FRR's words", () => {
  test('vtysh prints one JSON document per command: they are told apart, strings and all', () => {
    assert.deepEqual(splitJson('{\n"a":{"b":"}{"}\n}\n{"c":[1,2]}\n% not json\n[3]'), [{ a: { b: '}{' } }, { c: [1, 2] }, [3]]);
    assert.deepEqual(splitJson(''), []);
  });

  test('OSPF: Full neighbours and no interface waiting is converged; Init, ExStart or a DR election still waited for is not', () => {
    const general = { lsaMinIntervalMsecs: 100, holdtimeMaxMsecs: 500 };
    const done = ospfStatus(
      { neighbors: { '10.0.0.1': [neighbour('Full/-', 'eth0:10.0.0.0')], '10.0.0.3': [neighbour('Full/DR', 'eth1:10.0.1.1')] } },
      { interfaces: { eth0: iface('Point-To-Point'), eth1: iface('Backup'), eth2: iface('Waiting', { timerPassiveIface: true }) } },
      general,
      true,
    );
    assert.deepEqual(done, { protocol: 'ospf', converged: true, text: '2 of 2 neighbours Full', settleMs: 1500 });
    const forming = ospfStatus(
      { neighbors: { '10.10.10.3': [neighbour('Init/DROther', 'eth2:192.168.2.1')] } },
      { interfaces: { eth1: iface('Waiting'), eth2: iface('Waiting') } },
      {},
      false,
    );
    assert.equal(forming.converged, false);
    assert.equal(
      forming.text,
      "neighbour 10.10.10.3 on eth2 is Init; eth1 waits to elect its designated router (OSPF's wait timer: 40 s from its start); eth2 waits to elect its designated router (OSPF's wait timer: 40 s from its start)",
    );
    // FRR's own timers: a router may rest 5 s between two announcements.
    assert.equal(forming.settleMs, 6000);
    // Two routers that are neither DR nor backup stay at 2-Way, as OSPF means them to.
    assert.equal(ospfStatus({ neighbors: { x: [neighbour('2-Way/DROther', 'eth0:1.1.1.1')] } }, {}, {}, false).converged, true);
    // A configuration nslab wrote has an active interface only towards a router: none there yet is not converged.
    assert.deepEqual(ospfStatus({ neighbors: {} }, { interfaces: { eth0: iface('Point-To-Point') } }, {}, true).text, 'eth0 has no neighbour yet');
    assert.equal(ospfStatus({ neighbors: {} }, { interfaces: { eth0: iface('Point-To-Point') } }, {}, false).converged, true);
  });

  test('OSPFv3 and BGP: every neighbour Full, every session Established (but those shut down)', () => {
    assert.deepEqual(ospf6Status({ neighbors: [{ neighborId: '10.4.0.1', state: 'Full', interfaceName: 'eth0' }] }), {
      protocol: 'ospf6',
      converged: true,
      text: '1 of 1 neighbour Full',
    });
    assert.equal(ospf6Status({ neighbors: [{ neighborId: '0.0.0.0', state: 'Init', interfaceName: 'eth0' }] }).text, 'neighbour 0.0.0.0 on eth0 is Init');
    const summary = {
      ipv4Unicast: {
        peers: { '10.3.0.1': { state: 'Established' }, '10.3.0.10': { state: 'Active' }, '10.3.0.99': { state: 'Idle (Admin)', peerState: 'Admin' } },
      },
      ipv6Unicast: { peers: { 'fd00::1': { state: 'Established' } } },
    };
    assert.deepEqual(bgpStatus(summary), { protocol: 'bgp', converged: false, text: 'session with 10.3.0.10 is Active' });
    summary.ipv4Unicast.peers['10.3.0.10'].state = 'Established';
    assert.deepEqual(bgpStatus(summary), { protocol: 'bgp', converged: true, text: '3 of 3 sessions Established' });
  });

  test("vtysh -b's complaints are placed in the file that has the line", () => {
    const out = 'line 3: % Unknown command[41]:  bogus words here\nConfiguration file[/etc/frr/frr.conf] processing failure: 2\n';
    const config = 'hostname r1\nrouter ospf\n bogus words here\n';
    assert.deepEqual(configProblems(out, { kind: 'file', file: 'lab/r1.conf' }, 'r1', config), ['lab/r1.conf:3: % Unknown command: bogus words here']);
    // Written inline from line 12 of the topology file: line 3 of the config is line 14 there.
    assert.deepEqual(configProblems(out, { kind: 'inline', file: 'lab.yaml', line: 12 }, 'r1', config), ['lab.yaml:14: % Unknown command: bogus words here']);
    assert.deepEqual(configProblems('line 2: % Ambiguous command.', { kind: 'generated', routing: 'ospf' }, 'r1', config), [
      'line 2 of the configuration nslab wrote for node r1 (routing: ospf): % Ambiguous command. (router ospf)',
    ]);
  });

  test('route protocols as ip route names them, and who put a route there', () => {
    assert.deepEqual(
      [2, 3, 11, 77, 186, 188, 196, 250].map((p) => `${protocolText(p)}:${routeOrigin(p)}`),
      ['kernel:kernel', 'boot:other', 'zebra:daemon', 'nslab:nslab', 'bgp:daemon', 'ospf:daemon', 'static:daemon', '250:other'],
    );
  });
});
