export { Lab, Node, LinkEnd, runIn, type ExecResult, type ExecOptions } from './lab.js';
