/**
 * How the engine sends a node's computed routes (requests.ts, routes.add), without a kernel: the Handle's
 * batches go to a transport of the test's, which answers them. No root.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunContext } from '../../src/engine/requests.js';
import { RUNNERS, routeSpec } from '../../src/engine/requests.js';
import { decodeMessages, encodeMessage, encodeRoute, NlmF, Nlmsg, Rtm } from '../../src/netlink/index.js';
import { plan } from '../../src/plan/index.js';
import type { Op } from '../../src/plan/types.js';
import { handlesOver } from '../../src/rtnl/handle.js';
import { NetlinkError } from '../../src/rtnl/index.js';
import { routeMessage } from '../../src/rtnl/route.js';
import { parseTopology } from '../../src/topology/index.js';

/** A ring of `n` routers with a p2p pool: each has n - 2 computed routes. */
function ringOf(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  r${i}: { kind: router }`);
  const links = Array.from({ length: n }, (_, i) => `  - endpoints: [r${i}, r${(i + 1) % n}]`);
  return ['name: rq', 'addressing: { p2p: 10.0.0.0/16 }', 'routing: static', 'nodes:', ...nodes, 'links:', ...links].join('\n');
}

/** The kernel's answer to a batch: an ACK for each message, EEXIST for the routes to `refused`. */
function answer(batch: Buffer, refused: string): Buffer {
  return Buffer.concat(
    decodeMessages(batch).map((m) => {
      const body = Buffer.alloc(20);
      body.writeUInt32LE(m.seq, 12);
      const dst = `${[...m.body.subarray(16, 20)].join('.')}/${m.body[1]}`;
      if (dst === refused) body.writeInt32LE(-17, 0);
      return encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: m.seq }, body);
    }),
  );
}

test('a node’s computed routes leave a window of 256 at a time, each the bytes the per-route encoder gives; a refused one is named, and the undo deletes exactly those added', async () => {
  const lab = parseTopology(ringOf(300));
  const op = plan(lab, null).ops.find((o): o is Extract<Op, { op: 'routes.add' }> => o.op === 'routes.add' && o.node === 'r0');
  assert.ok(op !== undefined);
  const routes = op.routes;
  assert.equal(routes.length, 298);
  const refusedAt = 270;
  const refused = routes.toText(refusedAt);
  const batches: Buffer[] = [];
  const [h] = handlesOver(
    async (items) => items.map(([, buffer]) => (batches.push(Buffer.from(buffer)), answer(buffer, refused))),
    [{ netns: op.netns, fd: 1 }],
  );
  assert.ok(h !== undefined);
  const indexes: Record<string, number> = { eth0: 7, eth1: 8 };
  const dev = (ifname: string): { index: number; name: string } => ({ index: indexes[ifname] ?? 0, name: ifname });
  const undos: (() => Promise<void>)[] = [];
  const ctx = {
    dev: (_netns: string, ifname: string) => dev(ifname),
    undo: (_netns: string, undo: () => Promise<void>) => undos.push(undo),
  } as unknown as RunContext;

  const run = RUNNERS['routes.add'];
  assert.equal(run.via, 'socket');
  const failed = await run.send(op, h, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(failed instanceof NetlinkError);
  const text = `${refused} via ${routes.via(refusedAt)} dev ${routes.dev(refusedAt)}`;
  assert.equal(failed.object, `${text} (computed for node r0)`);
  assert.match(
    failed.message,
    new RegExp(`^RTM_NEWROUTE ${text.replaceAll('.', '\\.')} \\(computed for node r0\\) in netns ${op.netns}: File exists \\(EEXIST\\)`),
  );

  // Two windows: 256 routes, then the 42 others; every one as encodeRoute makes it from the route itself.
  const sent = batches.map(decodeMessages);
  assert.deepEqual(
    sent.map((b) => b.length),
    [256, 42],
  );
  const flags = NlmF.REQUEST | NlmF.ACK | NlmF.CREATE | NlmF.EXCL;
  sent.flat().forEach((m, k) => {
    const route = routes.route(k);
    assert.equal(m.type, Rtm.NEWROUTE);
    assert.equal(m.flags, flags);
    assert.equal(m.seq, k + 1);
    const expected = encodeRoute(routeMessage(routeSpec(route, dev), dev(route.dev ?? '').index));
    assert.equal(Buffer.from(m.body).toString('hex'), expected.toString('hex'), `route ${k}`);
  });

  // The undo (a namespace that stays) deletes every route added: all but the refused one.
  assert.equal(undos.length, 1);
  batches.length = 0;
  await undos[0]?.();
  const deleted = batches.flatMap(decodeMessages);
  assert.ok(deleted.every((m) => m.type === Rtm.DELROUTE));
  const expected = Array.from({ length: 298 }, (_, k) => k).filter((k) => k !== refusedAt);
  assert.deepEqual(
    deleted.map((m) => `${[...m.body.subarray(16, 20)].join('.')}/${m.body[1]}`),
    expected.map((k) => routes.toText(k)),
  );
});
