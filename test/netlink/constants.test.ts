import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ifla, NlmF, Nlmsg, Rtm, errnoDescription, errnoName, errnoNumber, messageTypeName } from '../../src/netlink/constants.js';
import { IflaVxlan } from '../../src/netlink/kinds/vxlan.js';

test('errno names and glibc texts', () => {
  assert.equal(errnoName(17), 'EEXIST');
  assert.equal(errnoDescription(17), 'File exists');
  assert.equal(errnoName(-19), 'ENODEV');
  assert.equal(errnoDescription(19), 'No such device');
  assert.equal(errnoName(95), 'EOPNOTSUPP');
  assert.equal(errnoDescription(95), 'Operation not supported');
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(35), 'EDEADLK');
  assert.equal(errnoName(133), 'EHWPOISON');
  assert.equal(errnoDescription(133), 'Memory page has hardware error');
  assert.equal(errnoName(1), 'EPERM');
  assert.equal(errnoDescription(1), 'Operation not permitted');
  assert.equal(errnoDescription(34), 'Numerical result out of range');
  assert.equal(errnoName(41), 'errno 41');
  assert.equal(errnoDescription(41), 'Unknown error 41');
  assert.equal(errnoName(524), 'ENOTSUPP');
  assert.equal(errnoNumber('EBUSY'), 16);
  assert.equal(errnoNumber('ENOPE'), undefined);
});

test('every errno 1..133 except the two holes has a name and a text', () => {
  for (let n = 1; n <= 133; n++) {
    if (n === 41 || n === 58) continue;
    assert.match(errnoName(n), /^E[A-Z0-9]+$/, `errno ${n}`);
    assert.doesNotMatch(errnoDescription(n), /^Unknown error/, `errno ${n}`);
  }
});

test('message type names and key numbers from the uapi headers', () => {
  assert.equal(messageTypeName(16), 'RTM_NEWLINK');
  assert.equal(messageTypeName(Rtm.DELLINKPROP), 'RTM_DELLINKPROP');
  assert.equal(messageTypeName(Nlmsg.DONE), 'NLMSG_DONE');
  assert.equal(messageTypeName(99), 'type 99');
  assert.equal(Rtm.NEWLINKPROP, 108);
  assert.equal(NlmF.DUMP, NlmF.ROOT | NlmF.MATCH);
  assert.equal(NlmF.ACK_TLVS, 0x200);
  assert.equal(Ifla.PROP_LIST, 52);
  assert.equal(Ifla.ALT_IFNAME, 53);
  assert.equal(Ifla.PERM_ADDRESS, 54);
  assert.equal(Ifla.NET_NS_FD, 28);
  assert.equal(IflaVxlan.PORT, 15);
  assert.equal(IflaVxlan.GROUP6, 16);
});
