/**
 * The tutorial's two computers as a lab of its own for one test: a unique lab name and namespace prefix
 * (so tests never collide), red and green, the cable rveth--gveth with 10.10.1.2/32 and 10.10.1.3/32 and
 * the host routes of examples/two-computers.yaml.
 */
import { Lab } from '../../src/index.js';
import { uniqueName } from './sandbox.js';

export function tutorialLab(stem: string): Lab {
  const name = uniqueName(stem);
  return Lab.define({
    name,
    prefix: `${name}-`,
    nodes: { red: { routes: [{ to: '10.10.1.3/32', dev: 'rveth' }] }, green: { routes: [{ to: '10.10.1.2/32', dev: 'gveth' }] } },
    links: [
      {
        endpoints: [
          { node: 'red', interface: 'rveth', addresses: ['10.10.1.2/32'] },
          { node: 'green', interface: 'gveth', addresses: ['10.10.1.3/32'] },
        ],
      },
    ],
  });
}
