/**
 * Machines simulated inside the test sandbox, for labs over several hosts. Each host is a network, mount,
 * UTS and PID namespace of its own with its own sshd (Debian's openssh-server, run with a config, host key
 * and authorized_keys under the test's temporary directory, never the machine's), its own /run (so its own
 * /run/netns and /run/nslab) and /etc/netns, and `nslab` (this checkout's bin/nslab) on its PATH. The hosts
 * and the test process (the controller) share a bridge: the underlay, 10.99.0.0/24. ssh is pointed at them
 * with a config of its own (NSLAB_SSH_CONFIG), never ~/.ssh.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { inWorld, needsRoot } from './sandbox.js';

/**
 * Pass as `{ skip: needsHosts }`: false inside the root sandbox, else the reason. Not in a world (npm test
 * without root): the simulated machines are sshd in namespaces, and sshd's privilege separation switches
 * users, which a world forbids; a real lab over machines needs the host's network besides, which a world
 * has no way out to (docs/rootless.md, limits).
 */
export const needsHosts: string | false =
  needsRoot !== false ? needsRoot : inWorld ? 'a lab over several machines needs sshd and the host network, neither of which a world has' : false;

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BRIDGE = 'mhbr0';

export interface SimHost {
  name: string;
  /** Its underlay address (the one ssh reaches). */
  address: string;
  /** The named namespace (in the sandbox's /run/netns) its network lives in. */
  netns: string;
  /** The pid of its sshd: PID 1 of its PID namespace (killing it ends the host). */
  pid: number;
  /** Runs a command inside the host (its network, mounts and processes), as the host's root would. */
  run(argv: string[]): string;
  /** What of nslab is on the host: namespaces, state, hosts files, processes besides sshd. */
  leftovers(): { namespaces: string[]; state: string[]; etc: string[]; processes: string[] };
  /** Kills the host at once (its sshd, and with it every process it has), as a machine that dies. */
  kill(): void;
  /** Starts a killed host again, as a machine that reboots: empty /run, the same address and key. */
  revive(): Promise<void>;
  alive: boolean;
}

export interface SimHosts {
  hosts: SimHost[];
  host(name: string): SimHost;
  /** The ssh config file to use (set as NSLAB_SSH_CONFIG while the hosts are up). */
  sshConfig: string;
  /** A `hosts:` section for a topology file: every host by its address, as `root@ADDRESS`. */
  yaml(): string;
  /** Ends every host and removes the bridge, the namespaces and the files. */
  close(): Promise<void>;
}

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

/** The pid of the first child of `pid` (unshare --fork's child: the host's PID 1). */
async function childOf(pid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children[0] !== undefined) return Number(children[0]);
    } catch {
      // not yet
    }
    await sleep(10);
  }
  throw new Error(`host process ${pid} started no child`);
}

/** Starts the hosts (names in order: A is 10.99.0.1, B .2, ...), each answering ssh before this resolves. */
export async function simulateHosts(names: readonly string[], options: { mtu?: number } = {}): Promise<SimHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-hosts-'));
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id'), '-C', 'nslab-test']);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key'), '-C', 'nslab-test-host']);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host *',
      '  User root',
      `  IdentityFile ${join(dir, 'id')}`,
      '  IdentitiesOnly yes',
      '  UserKnownHostsFile /dev/null',
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking no',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const mtu = String(options.mtu ?? 1500);
  sh('ip', ['link', 'add', BRIDGE, 'mtu', mtu, 'type', 'bridge']);
  sh('ip', ['addr', 'add', '10.99.0.254/24', 'dev', BRIDGE]);
  sh('ip', ['link', 'set', BRIDGE, 'up']);
  const children: ChildProcess[] = [];
  /** Waits until the host answers ssh. */
  const answers = async (h: SimHost): Promise<void> => {
    for (let i = 0; ; i++) {
      try {
        sh('ssh', ['-F', sshConfig, '-o', 'ConnectTimeout=2', '-o', 'ControlPath=none', h.address, 'true']);
        return;
      } catch (e) {
        if (i > 100) throw e;
        await sleep(50);
      }
    }
  };
  const hosts: SimHost[] = [];
  for (const [i, name] of names.entries()) {
    const address = `10.99.0.${i + 1}`;
    const netns = `simhost-${name}`;
    sh('ip', ['netns', 'add', netns]);
    sh('ip', ['link', 'add', `mh-${name}`, 'mtu', mtu, 'master', BRIDGE, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns, 'mtu', mtu]);
    sh('ip', ['link', 'set', `mh-${name}`, 'up']);
    sh('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const config = join(dir, `sshd_${name}`);
    writeFileSync(
      config,
      [
        `ListenAddress ${address}`,
        `HostKey ${join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PidFile none',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'MaxSessions 100',
        'MaxStartups 100',
        `SetEnv PATH=${join(REPO, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        '',
      ].join('\n'),
    );
    const setup = [
      'set -e',
      'mount -t tmpfs -o mode=755 simhost-run /run',
      'mkdir -p /run/netns /run/nslab /run/sshd',
      'mount -t tmpfs -o mode=755 simhost-etc-netns /etc/netns',
      'mount -t sysfs sysfs /sys',
      `hostname ${name}`,
      `exec /usr/sbin/sshd -D -e -f ${config}`,
    ].join('\n');
    const start = async (): Promise<number> => {
      const child = spawn(
        'nsenter',
        [
          `--net=/run/netns/${netns}`,
          '--',
          'unshare',
          '--mount',
          '--uts',
          '--pid',
          '--fork',
          '--mount-proc',
          '--propagation',
          'private',
          '--',
          'sh',
          '-c',
          setup,
        ],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      children.push(child);
      // nsenter execs unshare, whose one child is the host's PID 1: sh, which execs sshd.
      return childOf(child.pid as number);
    };
    const host: SimHost = {
      name,
      address,
      netns,
      pid: await start(),
      alive: true,
      run: (argv) => sh('nsenter', ['-t', String(host.pid), '-n', '-m', '-p', '-u', '--', ...argv]),
      leftovers() {
        const ls = (d: string): string[] =>
          host
            .run(['ls', '-A', d])
            .split('\n')
            .filter((x) => x !== '');
        const processes = host
          .run(['sh', '-c', 'for p in /proc/[0-9]*; do echo "${p#/proc/} $(tr "\\0" " " < $p/cmdline 2>/dev/null)"; done'])
          .split('\n')
          .filter((l) => l.trim() !== '' && !/^1 /.test(l) && !/sshd/.test(l) && !/^\d+ sh -c for p in/.test(l) && !/^\d+ tr /.test(l) && !/^\d+ *$/.test(l));
        return { namespaces: ls('/run/netns'), state: ls('/run/nslab'), etc: ls('/etc/netns'), processes };
      },
      kill() {
        if (!host.alive) return;
        host.alive = false;
        try {
          process.kill(host.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      },
      async revive() {
        host.pid = await start();
        host.alive = true;
        await answers(host);
      },
    };
    hosts.push(host);
  }
  for (const h of hosts) await answers(h);
  const previous = process.env.NSLAB_SSH_CONFIG;
  process.env.NSLAB_SSH_CONFIG = sshConfig;
  return {
    hosts,
    sshConfig,
    host(name) {
      const h = hosts.find((x) => x.name === name);
      if (h === undefined) throw new Error(`no simulated host ${name}`);
      return h;
    },
    yaml: () => `hosts:\n${hosts.map((h) => `  ${h.name}: { ssh: root@${h.address} }`).join('\n')}\n`,
    async close() {
      // The controller's ssh masters first (they are this sandbox's processes), then the hosts.
      for (const h of hosts) {
        try {
          sh('ssh', ['-F', sshConfig, '-o', 'ControlPath=/run/nslab/.ssh/%C', '-O', 'exit', h.address]);
        } catch {
          // no master
        }
      }
      for (const h of hosts) h.kill();
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
      for (const h of hosts) sh('ip', ['netns', 'del', h.netns]);
      sh('ip', ['link', 'del', BRIDGE]);
      rmSync(dir, { recursive: true, force: true });
      if (previous === undefined) delete process.env.NSLAB_SSH_CONFIG;
      else process.env.NSLAB_SSH_CONFIG = previous;
      for (const d of ['/run/nslab/.ssh', '/run/nslab/.hosts']) {
        try {
          if (readdirSync(d).length === 0) rmSync(d, { recursive: true });
        } catch {
          // not there
        }
      }
    },
  };
}
