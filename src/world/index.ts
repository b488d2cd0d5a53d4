/**
 * The world: one user + mount + network namespace per user, in which nslab without root works as it works
 * as root on the host (docs/rootless.md). This layer makes it, finds it, enters it and ends what runs in
 * it; src/api/world.ts puts these together with the labs.
 */
export { worldPlace, prepareDir, checkDir, labsDir, recordPath, WORLD_ENV, type WorldPlace } from './place.js';
export { readRecord, writeRecord, removeRecord, holderRunning, insideRecord, type WorldRecord } from './record.js';
export { rootlessRefusal, explainFailure, onPath, HOST_PATHS, APPARMOR_PROFILE, WORLD_TOOLS, type HostPaths } from './preflight.js';
export { makeWorld, worldScript, launcher } from './make.js';
export { findWorld, insideWorld, lockWorld, enterCommand, worldProcesses, endWorldProcesses, type FoundWorld } from './world.js';
