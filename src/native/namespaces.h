// Persistent named network namespaces exactly as `ip netns add/del` make them: a shared mount on the run
// directory (/run/netns) and a bind mount of the namespace file onto an empty file in it. netnsAdd can
// also ready each one on the thread that made it while the thread is still inside (sysctls, its netlink
// socket, first requests), and name spare namespaces (spares.h) instead of making new ones.
#pragma once

#include "napi.h"

namespace nslab {

// netnsAdd(dir, names, threads, setup: { sysctls: [key, value][][], bufBytes, hello: Buffer } | null,
//          spares?: ({nsFd, fd, portId} | null)[])
//   (setup.sysctls[i] are the sysctls of names[i]; spares[i], when given, becomes names[i] instead of a new
//   namespace, and its descriptors pass to the answer, or are closed if naming it fails)
//   : Promise<(null | {fd, portId, nsFd, identity} | SysErrObject)[]>
// Without a setup a made namespace answers null; with one, its ready socket and fd (the caller closes them).
napi_value NetnsAdd(napi_env env, napi_callback_info info);

// netnsDel(dir: string, names: string[], threads: number, slowNs: number): Promise<(SysErrObject|null)[]>
napi_value NetnsDel(napi_env env, napi_callback_info info);

// netnsIdentities(paths: string[]): Promise<(string|null)[]>: each file's "inode:ctime-ns", null where
// there is none to stat.
napi_value NetnsIdentities(napi_env env, napi_callback_info info);

}  // namespace nslab
