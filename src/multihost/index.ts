/**
 * A lab over several machines: one engine per host, driven from here over the user's own ssh (the layer
 * above engine/ that STYLE.md describes). The controller (controller.ts) splits the lab by host
 * (cables.ts); each host runs its part exactly as a one-machine lab (part.ts), after saying what it is
 * (probe.ts).
 */
export {
  upHosts,
  downHosts,
  statusHosts,
  probeHosts,
  hostOfNode,
  type HostsOptions,
  type HostsUpResult,
  type HostsDownResult,
  type HostStatus,
  type HostCheck,
} from './controller.js';
export { partUp, type PartRequest, type PartEvent } from './part.js';
export { probeHost, type ProbeRequest } from './probe.js';
export { planCables, splitParts, hostProblems, vxlanOverhead, VXLAN_PORT, type Cable, type HostFacts } from './cables.js';
export { runNslab, startNslab, sshFailure, stopMasters, type HostRef, type SshOptions } from './ssh.js';
export { readHostsState, listHostsStates, type HostsState } from './state.js';
export { nslabVersion } from './version.js';
export { whyHosts, type WhyHostsOptions } from './why.js';
