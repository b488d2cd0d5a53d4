/**
 * The built-in lab: the tutorial's two computers, red and green, joined by one veth cable with a /32 on
 * each end and a host route to the other. The CLI brings it up when no file is given. A string constant,
 * byte for byte examples/two-computers.yaml (a test holds them equal), so nothing here reads a file.
 */

export const DEFAULT_LAB_NAME = 'two-computers';

export const DEFAULT_LAB_TEXT = `# examples/two-computers.yaml — the tutorial: two namespaces joined by one veth cable
name: two-computers         # required; lab name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}
prefix: ""                  # optional; namespace = prefix + node name. Absent -> "<name>-". "" makes \`ip netns exec red bash\` work as in the tutorial
nodes:                      # a map: node name -> settings (null or {} allowed)
  red:
    routes:
      - { to: 10.10.1.3/32, dev: rveth }
  green:
    routes:
      - { to: 10.10.1.2/32, dev: gveth }
links:
  - endpoints:
      - { node: red, interface: rveth, addresses: [10.10.1.2/32] }
      - { node: green, interface: gveth, addresses: [10.10.1.3/32] }
`;
