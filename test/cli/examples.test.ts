/** Every example in examples/, through the CLI: up, checked in the kernel and by ping, re-up, down. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseTopology } from '../../src/topology/index.js';
import { nslab, nslabOk, ROOT } from '../helpers/cli.js';
import { assertGone, assertLabInKernel, assertLinksCarryPings } from '../helpers/lab-checks.js';
import { inWorld, needsRoot } from '../helpers/sandbox.js';

const EXAMPLES = join(ROOT, 'examples');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$|\.json$/.test(f))
  .sort();

/** In a world, a lab with FRR routers is refused (FRR's daemons switch users): test/cli/world.test.ts checks that. */
const refusedInWorld = (file: string): string | false =>
  inWorld && parseTopology(readFileSync(join(EXAMPLES, file), 'utf8'), { file }).nodes.some((n) => n.frr !== undefined)
    ? 'FRR routers, which nslab refuses in a world'
    : false;

describe('nslab CLI on every example', { skip: needsRoot }, () => {
  for (const file of exampleFiles) {
    test(`${file}: up, checked by ip -j and ping, re-up is a no-op, down leaves nothing`, { skip: refusedInWorld(file) }, () => {
      const path = join('examples', file);
      const lab = parseTopology(readFileSync(join(ROOT, path), 'utf8'), { file: path });
      try {
        const up = nslabOk(['up', path]);
        assert.match(up.stdout, new RegExp(`lab ${lab.name} up: ${lab.nodes.length} nodes`));
        assertLabInKernel(lab);
        assertLinksCarryPings(lab);
        const again = nslabOk(['up', path, '--json']);
        const j = JSON.parse(again.stdout) as { changed: boolean; operations: number };
        assert.equal(j.changed, false);
        assert.equal(j.operations, 0);
        const status = JSON.parse(nslabOk(['status', path, '--json']).stdout) as { nodes: { name: string }[] };
        assert.deepEqual(status.nodes.map((n) => n.name).sort(), lab.nodes.map((n) => n.name).sort());
      } finally {
        nslab(['down', path]);
      }
      assertGone(lab);
    });
  }
});
