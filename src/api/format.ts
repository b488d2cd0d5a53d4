/** How nslab writes its values and steps, for callers that print them (the CLI): one formatter per value. */
export { explain, describe, cidrText, routeText, rateText, destinationText } from '../plan/index.js';
