/** How nslab writes its values and steps, for callers that print them (the CLI): one formatter per value. */
export { explain, describe } from '../plan/ops/index.js';
export { cidrText, routeText, rateText, destinationText, protocolText } from '../plan/format.js';
