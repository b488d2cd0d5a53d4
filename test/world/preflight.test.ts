/**
 * What stops a world from being made, found before anything is made (src/world/preflight.ts): each switch
 * read from a /proc/sys and an AppArmor profile list of the test's own, since a test may not change the
 * host's sysctls. test/cli/world.test.ts refuses for real with user.max_user_namespaces = 0 in a user
 * namespace of its own.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NslabError } from '../../src/errors.js';
import { explainFailure, rootlessRefusal, type HostPaths } from '../../src/world/index.js';

const root = mkdtempSync(join(tmpdir(), 'nslab-preflight-'));
after(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A host whose sysctls are `sysctls` (`user.max_user_namespaces`: '0', ...) and whose AppArmor lists `profiles`. */
function host(sysctls: Record<string, string>, profiles?: string): HostPaths {
  const dir = join(root, String(++count));
  for (const [name, value] of Object.entries(sysctls)) {
    const path = join(dir, 'sys', ...name.split('.'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${value}\n`);
  }
  const list = join(dir, 'profiles');
  if (profiles !== undefined) writeFileSync(list, profiles);
  return { sysctls: join(dir, 'sys'), apparmorProfiles: list };
}

const everyTool = (_tool: string): boolean => true;
const USER = 1000;

function refusal(uid: number, paths: HostPaths, hasTool = everyTool): NslabError | undefined {
  return rootlessRefusal(uid, paths, hasTool);
}

describe('before a world is made: what would stop it', () => {
  test('a machine that allows user namespaces (as this kernel does by default) refuses nothing', () => {
    assert.equal(refusal(USER, host({ 'user.max_user_namespaces': '63000', 'kernel.unprivileged_userns_clone': '1' })), undefined);
    assert.equal(refusal(USER, host({ 'user.max_user_namespaces': '63000' })), undefined, 'no Debian switch at all');
  });

  test('user.max_user_namespaces = 0: refused for everyone, naming the sysctl and how to set it', () => {
    for (const uid of [USER, 0]) {
      const e = refusal(uid, host({ 'user.max_user_namespaces': '0' }));
      assert.ok(e instanceof NslabError);
      assert.equal(e.code, 'NSLAB_USERNS_DISABLED');
      assert.match(e.message, /user\.max_user_namespaces = 0/);
      assert.match(e.message, /sysctl -w user\.max_user_namespaces=/);
      assert.match(e.message, /docs\/rootless\.md/);
    }
  });

  test("kernel.unprivileged_userns_clone = 0 (Debian's switch): refused for a user, not for root, whom it does not stop", () => {
    const paths = host({ 'user.max_user_namespaces': '63000', 'kernel.unprivileged_userns_clone': '0' });
    const e = refusal(USER, paths);
    assert.equal(e?.code, 'NSLAB_USERNS_DISABLED');
    assert.match(e.message, /kernel\.unprivileged_userns_clone = 0/);
    assert.match(e.message, /sysctl -w kernel\.unprivileged_userns_clone=1/);
    assert.equal(refusal(0, paths), undefined);
  });

  test("AppArmor's restriction (kernel.apparmor_restrict_unprivileged_userns = 1) without nslab's profile: refused, naming the profile and the sysctl", () => {
    const paths = host({ 'kernel.apparmor_restrict_unprivileged_userns': '1' }, 'unprivileged_userns (enforce)\npodman (unconfined)\n');
    const e = refusal(USER, paths);
    assert.equal(e?.code, 'NSLAB_USERNS_RESTRICTED');
    assert.match(e.message, /kernel\.apparmor_restrict_unprivileged_userns = 1/);
    assert.match(e.message, /etc\/apparmor\/nslab-world/);
    assert.match(e.message, /apparmor_parser -r/);
    assert.match(e.message, /sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/);
  });

  test("AppArmor's restriction with nslab's profile loaded, or for root, or with the profile list unreadable (cannot tell): not refused beforehand", () => {
    assert.equal(refusal(USER, host({ 'kernel.apparmor_restrict_unprivileged_userns': '1' }, 'nslab-world (unconfined)\n')), undefined);
    assert.equal(refusal(0, host({ 'kernel.apparmor_restrict_unprivileged_userns': '1' }, '')), undefined);
    assert.equal(refusal(USER, host({ 'kernel.apparmor_restrict_unprivileged_userns': '1' })), undefined);
    assert.equal(refusal(USER, host({ 'kernel.apparmor_restrict_unprivileged_userns': '0' }, '')), undefined);
  });

  test('a missing tool: refused, naming each missing one and its package', () => {
    const e = refusal(USER, host({}), (t) => t !== 'nsenter' && t !== 'ip');
    assert.equal(e?.code, 'NSLAB_WORLD');
    assert.match(e.message, /needs nsenter, ip on PATH/);
    assert.match(e.message, /iproute2/);
    assert.match(e.message, /util-linux/);
  });
});

describe('a world the kernel refused anyway, explained from the same facts', () => {
  test('under AppArmor restriction, whatever failed: the AppArmor refusal, with what the script said as its cause', () => {
    const e = explainFailure('mount: /run/netns: permission denied.', USER, host({ 'kernel.apparmor_restrict_unprivileged_userns': '1' }, ''));
    assert.equal(e.code, 'NSLAB_USERNS_RESTRICTED');
    assert.match(String((e.cause as Error).message), /permission denied/);
  });

  test('as many user namespaces as allowed (ENOSPC), a container that forbids them (EPERM), an old kernel without overlays in user namespaces', () => {
    const paths = host({ 'user.max_user_namespaces': '5' });
    assert.match(
      explainFailure('unshare: unshare failed: No space left on device', USER, paths).message,
      /as many user namespaces as user\.max_user_namespaces allows \(5\)/,
    );
    assert.match(explainFailure('unshare: unshare failed: Operation not permitted', USER, paths).message, /inside a container/);
    const overlay = explainFailure('mount: /run: wrong fs type, bad option, bad superblock on nslab-world (overlay)', USER, paths);
    assert.equal(overlay.code, 'NSLAB_WORLD');
    assert.match(overlay.message, /could not make your nslab world: mount: \/run: wrong fs type/);
    assert.match(overlay.message, /mkdir -p \/run\/netns \/run\/nslab \/etc\/netns/);
  });
});
