/** How nslab writes its values and steps, for callers that print them (the CLI): one formatter per value. */
export { explain, describe, cidrText, routeText, rateText, destinationText, protocolText } from '../plan/index.js';
