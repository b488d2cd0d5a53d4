/**
 * What containerlab's topology format has (from its JSON Schema, schemas/clab.schema.json, and its Go
 * types), and what nslab does with each part: used, ignored with a warning (a container's setting, which a
 * network namespace has no use for), or refused (a lab nslab cannot make as written). containerlab reads
 * its files strictly, so a key it does not know is an error here too.
 */

/** Keys at the top of a containerlab file. */
export const TOP_KEYS = ['name', 'prefix', 'mgmt', 'topology', 'settings', 'debug'] as const;

/** Keys under `topology`. */
export const TOPOLOGY_KEYS = ['nodes', 'groups', 'kinds', 'defaults', 'links'] as const;

/** Keys of a node definition (and of a group, kind or the defaults). */
export const NODE_KEYS = [
  'image',
  'image-pull-policy',
  'restart-policy',
  'kind',
  'license',
  'type',
  'group',
  'startup-config',
  'startup-delay',
  'enforce-startup-config',
  'suppress-startup-config',
  'auto-remove',
  'exec',
  'binds',
  'volumes',
  'ports',
  'env',
  'credentials',
  'env-files',
  'user',
  'hostname',
  'entrypoint',
  'cmd',
  'labels',
  'runtime',
  'mgmt-ipv4',
  'mgmt-ipv6',
  'network-mode',
  'link-apply-mode',
  'cpu',
  'memory',
  'cpu-set',
  'extras',
  'config',
  'stages',
  'dns',
  'certificate',
  'healthcheck',
  'components',
  'aliases',
  'shm-size',
  'cap-add',
  'privileged',
  'cgroupns-mode',
  'cgroup-parent',
  'pid-mode',
  'tmpfs',
  'security-opts',
  'sysctls',
  'devices',
  // Older spellings containerlab still reads (NodeDefinition's deprecated fields).
  'username',
  'password',
] as const;

/** Node keys nslab reads (the others are warned of, see IGNORED). */
export const USED_NODE_KEYS: ReadonlySet<string> = new Set(['kind', 'group', 'exec', 'binds', 'startup-config', 'sysctls', 'network-mode', 'image', 'extras']);

/** Why each node key nslab does not use is left out: said once per node and key. */
export const IGNORED_BECAUSE: Readonly<Record<string, string>> = {
  ports: 'it publishes a container port on the host, and nothing of a lab is reachable from the host',
  'mgmt-ipv4': 'nslab makes no management network',
  'mgmt-ipv6': 'nslab makes no management network',
  cmd: "it is the container's own program, and nslab starts none: add the program to exec with background: true if this machine has it",
  entrypoint: "it is the container's own program, and nslab starts none: add the program to exec with background: true if this machine has it",
  env: "it is the environment of the container's processes; exec commands run with nslab's",
  'env-files': "it is the environment of the container's processes; exec commands run with nslab's",
  hostname: "it is the container's host name, and a node's is its name",
  type: 'it chooses a vendor platform, and a node is no vendor platform',
  license: 'it is a vendor platform licence',
  'startup-delay': 'every node starts with the lab, in one go',
  'enforce-startup-config': 'it is about a vendor platform config',
  'suppress-startup-config': 'it is about a vendor platform config',
};

/** The reason given for the other container settings. */
export const CONTAINER_SETTING = 'it is a container setting, which a network namespace has no use for';

/** Kinds of node nslab makes, and how (see convert.ts). */
export const MADE_KINDS = ['linux', 'bridge', 'ovs-bridge', 'frr'] as const;

/**
 * containerlab's kinds (its schema's list) that nslab refuses, each with why: a vendor's network OS runs
 * in its image (a container or a VM), which a namespace cannot be.
 */
export const REFUSED_KINDS: Readonly<Record<string, string>> = {
  host: "it stands for this machine's own network, which nslab never touches",
  'ext-container': 'it is a container made outside the lab, whose namespace nslab did not make',
  'k8s-kind': 'it is a Kubernetes cluster in containers',
  k8s_kind: 'it is a Kubernetes cluster in containers',
};

/** The kinds containerlab knows (its schema's enum, and names it still accepts): any other is a typo. */
export const CLAB_KINDS = [
  'nokia_srlinux',
  'srl',
  'arista_ceos',
  'ceos',
  'juniper_crpd',
  'crpd',
  'juniper_csrx',
  'sonic-vs',
  'sonic-vm',
  'nokia_sros',
  'vr-sros',
  'nokia_srsim',
  'juniper_vmx',
  'vr-vmx',
  'juniper_vqfx',
  'juniper_vsrx',
  'juniper_vjunosrouter',
  'juniper_vjunosswitch',
  'juniper_vjunosevolved',
  'juniper_cjunosevolved',
  'cisco_xrv',
  'cisco_xrv9k',
  'arista_veos',
  'cisco_csr1000v',
  'paloalto_panos',
  'mikrotik_ros',
  '6wind_vsr',
  'cisco_n9kv',
  'cisco_ftdv',
  'dell_ftosv',
  'dell_sonic',
  'aruba_aoscx',
  'linux',
  'bridge',
  'ovs-bridge',
  'border0',
  'host',
  'keysight_ixia-c-one',
  'ipinfusion_ocnos',
  'checkpoint_cloudguard',
  'ciena_saos',
  'ext-container',
  'rare',
  'cisco_xrd',
  'cisco_xrd_vrouter',
  'cisco_c8000',
  'cisco_c8000v',
  'cisco_cat9kv',
  'cisco_iol',
  'cisco_asav',
  'cisco_vios',
  'nvidia_cumulusvx',
  'cumulus_cvx',
  'huawei_vrp',
  'openbsd',
  'freebsd',
  'generic_vm',
  'fortinet_fortigate',
  'k8s-kind',
  'k8s_kind',
  'fdio_vpp',
  'vyosnetworks_vyos',
  'arrcus_arcos',
  'f5_bigip-ve',
  'cisco_sdwan',
  'openwrt',
  'spirent_stc',
  'veesix_osvbng',
  'ostinato',
  'plvision_sonic',
] as const;

/** Keys of a brief link (`endpoints: ["a:eth1", "b:eth1"]`). */
export const BRIEF_LINK_KEYS = ['endpoints', 'mtu', 'ipv4', 'ipv6', 'vars', 'labels'] as const;
/** Keys of a `type: veth` (or veth-stitch) link. */
export const VETH_LINK_KEYS = ['type', 'endpoints', 'mtu', 'ipv4', 'ipv6', 'vars', 'labels'] as const;
/** Keys of an endpoint of a veth link. */
export const ENDPOINT_KEYS = ['node', 'interface', 'mac', 'ipv4', 'ipv6', 'vars'] as const;

/** Link types nslab refuses, each with why and what to do. */
export const REFUSED_LINK_TYPES: Readonly<Record<string, { why: string; hint: string }>> = {
  host: { why: "it puts the other end in this machine's own network, which nslab never touches", hint: 'remove the link, or use containerlab for this lab' },
  'mgmt-net': { why: 'it joins the management network, and nslab makes none', hint: 'remove the link, or use containerlab for this lab' },
  macvlan: { why: "it hangs off one of this machine's interfaces, which nslab never touches", hint: 'remove the link, or use containerlab for this lab' },
  vxlan: { why: 'it tunnels to another machine, and an nslab lab lives on one', hint: 'remove the link, or use containerlab for this lab' },
  'vxlan-stitch': { why: 'it tunnels to another machine, and an nslab lab lives on one', hint: 'remove the link, or use containerlab for this lab' },
  dummy: { why: 'nslab makes no dummy interfaces', hint: 'remove the link and make the interface in exec: ip link add NAME type dummy && ip link set NAME up' },
};

/** The node names a brief endpoint may give instead of a node: each makes a link of that type. */
export const SPECIAL_ENDPOINT_NODES = ['host', 'mgmt-net', 'macvlan'] as const;

/** containerlab gives each veth this MTU unless the link says another (its constants.DefaultLinkMTU). */
export const CLAB_DEFAULT_MTU = 9500;

/** Where FRR keeps its files in its images, and so where a lab binds them. */
export const FRR_DIR = '/etc/frr';
