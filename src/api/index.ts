export { Lab, Node, runIn, type ExecResult, type ExecOptions } from './lab.js';
