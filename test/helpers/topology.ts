/** Topology test helpers: what a refused topology reports. */
import assert from 'node:assert/strict';
import { TopologyError } from '../../src/errors.js';
import { parseTopology } from '../../src/topology/index.js';

/** The TopologyError `refuse` throws (the test fails if it throws nothing, or something else). */
export function thrown(refuse: () => unknown): TopologyError {
  let caught: unknown;
  assert.throws(
    refuse,
    (e: unknown) => {
      caught = e;
      return e instanceof TopologyError;
    },
    'the topology is refused with a TopologyError',
  );
  return caught as TopologyError;
}

/** The TopologyError a text gives, read as `file`. */
export function errorOf(text: string, file = 'lab.yaml'): TopologyError {
  return thrown(() => parseTopology(text, { file }));
}

/** The report of a topology that must be refused: its problem lines, each trimmed. */
export function problems(text: string): string[] {
  return errorOf(text)
    .message.split('\n')
    .slice(1)
    .map((l) => l.trim());
}
