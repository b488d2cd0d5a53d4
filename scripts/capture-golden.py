#!/usr/bin/env python3
"""Captures the golden netlink bytes under test/netlink/fixtures/ from the real kernel.

Run as root:  python3 scripts/capture-golden.py

It first re-executes itself inside a private sandbox (`unshare --net --mount`, a tmpfs on /run/netns), so
every device, address, route and namespace it makes lives in a throwaway network namespace and vanishes
with the process. It never touches the host's interfaces.

Two kinds of fixture are written:
  * requests that iproute2 sends, seen with `strace -e trace=sendmsg -e write=all ip ...` (the full hex
    dump of each sendmsg; we keep the message of the wanted type);
  * what the kernel answers, read with python's own AF_NETLINK socket (dumps, single gets, an ACK, errors
    with extended ACK text in the uncapped and the NETLINK_CAP_ACK layout).

Fixture format: lines starting with '#' are comments (the first says how it was captured), a line '--'
separates datagrams, everything else is hex (whitespace ignored).
"""
import os
import re
import socket
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'netlink', 'fixtures')

if os.environ.get('NSLAB_CAPTURE_SANDBOX') != '1':
    if os.getuid() != 0:
        sys.exit('capture-golden: needs root (it runs inside its own network namespace)')
    env = dict(os.environ, NSLAB_CAPTURE_SANDBOX='1')
    os.execvpe('unshare', ['unshare', '--net', '--mount', '--propagation', 'private', '--',
                           sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)

# Inside the sandbox from here on: a private /run/netns for `ip netns add`.
os.makedirs('/run/netns', exist_ok=True)
subprocess.run(['mount', '-t', 'tmpfs', 'nslab-capture', '/run/netns'], check=True)

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_DUMP = 0x1, 0x4, 0x200, 0x400, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 16, 18, 22, 26, 30
IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 4, 18, 1

KERNEL = os.uname().release
IPROUTE2 = subprocess.run(['ip', '-V'], capture_output=True, text=True).stdout.strip()


def sh(*args):
    subprocess.run(args, check=True)


def write_fixture(name, how, datagrams):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        f.write(f'# {how}\n')
        f.write(f'# kernel {KERNEL}, {IPROUTE2}; written by scripts/capture-golden.py\n')
        for i, d in enumerate(datagrams):
            if i > 0:
                f.write('--\n')
            for off in range(0, len(d), 32):
                f.write(d[off:off + 32].hex() + '\n')
    print(f'wrote {name} ({sum(len(d) for d in datagrams)} bytes)')


def messages(buf):
    off = 0
    while off + 16 <= len(buf):
        length, mtype, flags, seq, pid = struct.unpack_from('=IHHII', buf, off)
        if length < 16 or off + length > len(buf):
            break
        yield mtype, flags, buf[off:off + length]
        off += (length + 3) & ~3


def attrs(body, start):
    off = start
    while off + 4 <= len(body):
        length, atype = struct.unpack_from('=HH', body, off)
        if length < 4 or off + length > len(body):
            break
        yield atype & 0x3fff, body[off + 4:off + length]
        off += (length + 3) & ~3


def strace_request(args, want_type, tool='ip', check=True, calls='sendmsg'):
    """Runs `TOOL ARGS` (ip or tc) under strace and returns the bytes of the one message of type want_type it
    sends (by sendmsg, or the system calls named in `calls`). With check=False the command may fail (the
    kernel refusing it): what it sent is captured all the same."""
    log = '/tmp/nslab-capture-strace.log'
    subprocess.run(['strace', '-qq', '-o', log, '-e', f'trace={calls}', '-e', 'write=all', tool] + args, check=check)
    dumps, cur = [], None
    with open(log) as f:
        for line in f:
            # sendmsg dumps each iovec after a '* N bytes in buffer' line; sendto its one buffer after the call.
            if re.match(r'\s*\* \d+ bytes in buffer', line) or line.startswith('sendto('):
                cur = bytearray()
                dumps.append(cur)
                continue
            m = re.match(r' \| [0-9a-f]{5}  (.{49})', line)
            if m and cur is not None:
                cur.extend(bytes.fromhex(''.join(re.findall(r'[0-9a-f]{2}', m.group(1)))))
    os.unlink(log)
    found = [bytes(d) for d in dumps if len(d) >= 16 and struct.unpack_from('=H', d, 4)[0] == want_type]
    if len(found) != 1:
        sys.exit(f'capture-golden: expected one message of type {want_type} from {tool} {" ".join(args)}, got {len(found)}')
    return found[0]


class Netlink:
    def __init__(self, ext_ack=True, cap_ack=False):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1 if ext_ack else 0)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1 if cap_ack else 0)
        self.s.bind((0, 0))
        self.seq = 1000

    def send(self, mtype, flags, body):
        self.seq += 1
        self.s.send(struct.pack('=IHHII', 16 + len(body), mtype, flags, self.seq, 0) + body)

    def until_done(self):
        """Receives datagrams until NLMSG_DONE or NLMSG_ERROR; returns the list of datagrams."""
        grams = []
        while True:
            d = self.s.recv(65536)
            grams.append(d)
            if any(t in (NLMSG_DONE, NLMSG_ERROR) for t, _, _ in messages(d)):
                return grams

    def one(self):
        return self.s.recv(65536)


def rta(atype, payload):
    raw = struct.pack('=HH', 4 + len(payload), atype) + payload
    return raw + b'\0' * ((4 - len(raw) % 4) % 4)


IFINFOMSG_ZERO = struct.pack('=BxHiII', 0, 0, 0, 0, 0)


def main():
    os.makedirs(OUT, exist_ok=True)
    sh('ip', 'link', 'set', 'lo', 'up')  # the sandbox's own lo
    sh('ip', 'netns', 'add', 'red')

    # --- what iproute2 sends -------------------------------------------------------------------------
    reqs = [
        ('req-link-add-veth.hex', ['link', 'add', 'rveth', 'type', 'veth', 'peer', 'name', 'gveth'], RTM_NEWLINK),
        ('req-link-add-veth-netns.hex', ['link', 'add', 'rv2', 'type', 'veth', 'peer', 'name', 'gv2', 'netns', 'red'], RTM_NEWLINK),
        ('req-link-add-bridge.hex', ['link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '400', 'stp_state', '0', 'mcast_snooping', '0'], RTM_NEWLINK),
        ('req-link-add-vxlan.hex', ['link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.10.1.2', 'ttl', '64', 'nolearning'], RTM_NEWLINK),
        ('req-link-set-master.hex', ['link', 'set', 'gveth', 'master', 'br0'], RTM_NEWLINK),
        ('req-link-set-up.hex', ['link', 'set', 'rveth', 'up'], RTM_NEWLINK),
        ('req-addr-add-v4.hex', ['addr', 'add', '10.10.1.2/32', 'dev', 'rveth'], 20),
        ('req-addr-add-v6.hex', ['addr', 'add', 'fd00::2/128', 'dev', 'rveth', 'nodad'], 20),
        ('req-route-add-v4.hex', ['route', 'add', '10.10.1.3/32', 'dev', 'rveth'], 24),
        ('req-route-add-v6.hex', ['route', 'add', 'fd00::3/128', 'dev', 'rveth'], 24),
        ('req-neigh-add.hex', ['neigh', 'add', '10.10.1.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'rveth'], 28),
        ('req-linkprop-add.hex', ['link', 'property', 'add', 'dev', 'rveth', 'altname', 'rveth-alt'], 108),
    ]
    for name, args, mtype in reqs:
        write_fixture(name, f'iproute2 request: strace -e trace=sendmsg -e write=all ip {" ".join(args)}',
                      [strace_request(args, mtype)])
    sh('ip', 'link', 'set', 'gveth', 'up')
    sh('ip', 'link', 'set', 'br0', 'up')

    # --- what the kernel answers ---------------------------------------------------------------------
    nl = Netlink()

    def get_link(name):
        nl.send(RTM_GETLINK, NLM_F_REQUEST, IFINFOMSG_ZERO + rta(IFLA_IFNAME, name.encode() + b'\0'))
        return nl.one()

    for fname, ifname in [('link-lo.hex', 'lo'), ('link-veth.hex', 'rveth'), ('link-bridge.hex', 'br0'),
                          ('link-vxlan.hex', 'vx0'), ('link-bridge-port.hex', 'gveth')]:
        write_fixture(fname, f'kernel reply to RTM_GETLINK (NLM_F_REQUEST, IFLA_IFNAME "{ifname}") after the requests in req-*.hex',
                      [get_link(ifname)])

    nl.send(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, IFINFOMSG_ZERO)
    write_fixture('link-dump.hex', 'kernel reply to an RTM_GETLINK dump (NLM_F_REQUEST|NLM_F_DUMP, empty ifinfomsg): multipart, ends in NLMSG_DONE',
                  nl.until_done())

    def pick(mtype, family, body_len, attr_type, want):
        """Dumps mtype for family; returns the one message whose attribute attr_type equals want."""
        nl.send(mtype, NLM_F_REQUEST | NLM_F_DUMP, struct.pack('=B', family) + b'\0' * (body_len - 1))
        hits = []
        for d in nl.until_done():
            for t, _, msg in messages(d):
                if t in (NLMSG_DONE, NLMSG_ERROR):
                    continue
                body = msg[16:]
                if any(a == attr_type and v == want for a, v in attrs(body, body_len)):
                    hits.append(msg)
        if len(hits) != 1:
            sys.exit(f'capture-golden: {len(hits)} messages match in dump of type {mtype}')
        return hits[0]

    v4 = socket.inet_pton(socket.AF_INET, '10.10.1.2')
    v6 = socket.inet_pton(socket.AF_INET6, 'fd00::2')
    write_fixture('addr-v4.hex', 'kernel RTM_NEWADDR for 10.10.1.2/32 on rveth, picked from an RTM_GETADDR dump (AF_INET)',
                  [pick(RTM_GETADDR, socket.AF_INET, 8, 1, v4)])
    write_fixture('addr-v6.hex', 'kernel RTM_NEWADDR for fd00::2/128 (nodad) on rveth, picked from an RTM_GETADDR dump (AF_INET6)',
                  [pick(RTM_GETADDR, socket.AF_INET6, 8, 1, v6)])
    write_fixture('route-v4.hex', 'kernel RTM_NEWROUTE for 10.10.1.3/32 dev rveth, picked from an RTM_GETROUTE dump (AF_INET)',
                  [pick(RTM_GETROUTE, socket.AF_INET, 12, 1, socket.inet_pton(socket.AF_INET, '10.10.1.3'))])
    write_fixture('route-v6.hex', 'kernel RTM_NEWROUTE for fd00::3/128 dev rveth, picked from an RTM_GETROUTE dump (AF_INET6)',
                  [pick(RTM_GETROUTE, socket.AF_INET6, 12, 1, socket.inet_pton(socket.AF_INET6, 'fd00::3'))])
    write_fixture('neigh.hex', 'kernel RTM_NEWNEIGH for 10.10.1.9 lladdr 02:00:00:00:00:09 dev rveth (permanent), picked from an RTM_GETNEIGH dump (AF_INET)',
                  [pick(RTM_GETNEIGH, socket.AF_INET, 12, 1, socket.inet_pton(socket.AF_INET, '10.10.1.9'))])

    # An ACK: set lo's MTU to what it already is, with NLM_F_ACK.
    nl.send(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, struct.pack('=BxHiII', 0, 0, 1, 0, 0) + rta(IFLA_MTU, struct.pack('=I', 65536)))
    write_fixture('ack.hex', 'kernel ACK (NLMSG_ERROR, error 0, NLM_F_CAPPED) to RTM_NEWLINK index 1 IFLA_MTU 65536 with NLM_F_ACK', [nl.one()])

    # Errors with extended ACK text. Uncapped: the whole request is echoed, TLVs follow it.
    linkinfo = rta(IFLA_LINKINFO, rta(IFLA_INFO_KIND, b'nslabnosuchkind\0'))
    nl.send(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            IFINFOMSG_ZERO + rta(IFLA_IFNAME, b'bad0\0') + linkinfo)
    write_fixture('error-extack.hex', 'kernel NLMSG_ERROR (uncapped, NETLINK_EXT_ACK on) to RTM_NEWLINK IFLA_IFNAME "bad0" IFLA_LINKINFO{IFLA_INFO_KIND "nslabnosuchkind"}', [nl.one()])

    # Capped (NETLINK_CAP_ACK): only the request header is echoed; a policy violation also brings an offset.
    capped = Netlink(ext_ack=True, cap_ack=True)
    capped.send(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, struct.pack('=BxHiII', 0, 0, 1, 0, 0) + rta(IFLA_MTU, b'\x00\x01'))
    write_fixture('error-capped.hex', 'kernel NLMSG_ERROR (NETLINK_CAP_ACK and NETLINK_EXT_ACK on) to RTM_NEWLINK index 1 with a 2-byte IFLA_MTU (policy violation: message and offset)', [capped.one()])


RTM_NEWQDISC, RTM_DELQDISC, RTM_GETQDISC = 36, 37, 38
TCA_KIND, TCA_OPTIONS = 1, 2
TC_H_ROOT = 0xFFFFFFFF


def tcmsg(ifindex=0, handle=0, parent=0):
    return struct.pack('=BxxxiIII', 0, ifindex, handle, parent, 0)


def main_tc():
    """Traffic control: a tbf on one end of a veth pair in the sandbox, as `tc` sends and the kernel dumps it."""
    sh('ip', 'link', 'add', 'tva', 'type', 'veth', 'peer', 'name', 'tvb')
    sh('ip', 'link', 'set', 'tva', 'up')
    sh('ip', 'link', 'set', 'tvb', 'up')
    tva = socket.if_nametoindex('tva')

    tbf = ['qdisc', 'add', 'dev', 'tva', 'root', 'tbf', 'rate', '10mbit', 'burst', '32kbit', 'latency', '50ms']
    write_fixture('req-qdisc-add-tbf.hex', f'iproute2 request: strace -e trace=sendmsg -e write=all tc {" ".join(tbf)} (tva has ifindex {tva})',
                  [strace_request(tbf, RTM_NEWQDISC, 'tc')])

    nl = Netlink()
    nl.send(RTM_GETQDISC, NLM_F_REQUEST | NLM_F_DUMP, tcmsg())
    grams = nl.until_done()
    write_fixture('qdisc-dump.hex', 'kernel reply to an RTM_GETQDISC dump (NLM_F_REQUEST|NLM_F_DUMP, empty tcmsg) after req-qdisc-add-tbf.hex: multipart, ends in NLMSG_DONE',
                  grams)
    hits = [msg for d in grams for t, _, msg in messages(d)
            if t == RTM_NEWQDISC and struct.unpack_from('=i', msg, 16 + 4)[0] == tva]
    if len(hits) != 1:
        sys.exit(f'capture-golden: {len(hits)} qdiscs on tva in the dump')
    write_fixture('qdisc-tbf.hex', f'kernel RTM_NEWQDISC for the tbf of req-qdisc-add-tbf.hex on tva (ifindex {tva}), picked from an RTM_GETQDISC dump',
                  [hits[0]])

    # netem: what tc sends, whether or not this kernel has sch_netem (without it the request fails, ENOENT).
    netem = ['qdisc', 'replace', 'dev', 'tva', 'root', 'netem', 'delay', '20ms', '5ms', 'loss', '1%', 'rate', '10mbit']
    write_fixture('req-qdisc-replace-netem.hex', f'iproute2 request: strace -e trace=sendmsg -e write=all tc {" ".join(netem)} (tva has ifindex {tva}; sent whether or not the kernel has netem)',
                  [strace_request(netem, RTM_NEWQDISC, 'tc', check=False)])
    sh('tc', 'qdisc', 'replace', 'dev', 'tva', 'root', 'tbf', 'rate', '10mbit', 'burst', '32kbit', 'latency', '50ms')

    delete = ['qdisc', 'del', 'dev', 'tva', 'root']
    write_fixture('req-qdisc-del-root.hex', f'iproute2 request: strace -e trace=sendmsg -e write=all tc {" ".join(delete)} (tva has ifindex {tva})',
                  [strace_request(delete, RTM_DELQDISC, 'tc')])

    # Deleting the root qdisc again: only the default is left (handle 0), which cannot be deleted.
    nl.send(RTM_DELQDISC, NLM_F_REQUEST | NLM_F_ACK, tcmsg(tva, 0, TC_H_ROOT))
    write_fixture('error-qdisc-del-default.hex', 'kernel NLMSG_ERROR (uncapped, NETLINK_EXT_ACK on) to RTM_DELQDISC parent root on tva, whose root qdisc is the default (handle 0)', [nl.one()])

    # A qdisc kind the kernel does not have: the answer a kernel without sch_netem gives for netem.
    nl.send(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | 0x100,
            tcmsg(tva, 0, TC_H_ROOT) + rta(TCA_KIND, b'nslabnosuchq\0'))
    write_fixture('error-qdisc-unknown.hex', 'kernel NLMSG_ERROR (uncapped, NETLINK_EXT_ACK on) to RTM_NEWQDISC (NLM_F_CREATE|NLM_F_REPLACE) parent root on tva with TCA_KIND "nslabnosuchq"', [nl.one()])
    sh('ip', 'link', 'del', 'tva')


RTM_GETNETCONF = 82


def main_netconf():
    """IPv4 device configuration (`ip -4 netconf show`): forwarding and rp_filter of all, default and each device."""
    os.makedirs(OUT, exist_ok=True)
    sh('ip', 'link', 'set', 'lo', 'up')
    sh('ip', 'link', 'add', 'nca', 'type', 'veth', 'peer', 'name', 'ncb')
    sh('sysctl', '-qw', 'net.ipv4.ip_forward=1')
    sh('sysctl', '-qw', 'net.ipv4.conf.nca.rp_filter=2')
    write_fixture('req-netconf-dump-v4.hex', 'iproute2 request: strace -e trace=sendmsg,sendto -e write=all ip -4 netconf show',
                  [strace_request(['-4', 'netconf', 'show'], RTM_GETNETCONF, calls='sendmsg,sendto')])
    nl = Netlink()
    nl.send(RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_DUMP, struct.pack('=Bxxx', socket.AF_INET))
    write_fixture('netconf-dump-v4.hex', 'kernel answer to an RTM_GETNETCONF dump (AF_INET) after net.ipv4.ip_forward=1 and net.ipv4.conf.nca.rp_filter=2 (veth nca/ncb, lo)',
                  nl.until_done())
    sh('ip', 'link', 'del', 'nca')


# `capture-golden.py tc` (or `netconf`) captures only those fixtures; no argument captures everything.
only = sys.argv[1:]
if only == []:
    main()
if only in ([], ['tc']):
    main_tc()
if only in ([], ['netconf']):
    main_netconf()
