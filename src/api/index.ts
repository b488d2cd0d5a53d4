export { Lab, Node, LinkEnd } from './lab.js';
export { runIn, type ExecResult, type ExecOptions } from './exec.js';
