/** The sysctls the planner sets, and why. */

/** The sysctls a node with `forwarding: true` gets, each set to 1. */
export const FORWARDING_SYSCTLS = ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding'] as const;

/**
 * The sysctls every node of a lab with IPv6 gets, each set to 0: no duplicate address detection. A lab's
 * addresses are checked unique; devices made later inherit `default`; and without DAD their IPv6 addresses,
 * link-local ones included, work at once instead of a second later (neighbour discovery between routers
 * failed in that second). A lab without IPv6 leaves them as the kernel has them: the first sysctl written
 * in a new namespace costs the kernel a good part of what making the namespace costs.
 */
export const NO_DAD_SYSCTLS = ['net/ipv6/conf/default/accept_dad', 'net/ipv6/conf/all/accept_dad'] as const;

/** Every sysctl the planner may set, which the engine reads back for it. */
export const PLANNED_SYSCTLS = [...FORWARDING_SYSCTLS, ...NO_DAD_SYSCTLS] as const;
