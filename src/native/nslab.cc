// nslab's kernel door: the few system calls that JavaScript cannot make safely. This file only registers
// the functions; each concern has its own file (see docs/architecture.md):
//
// - namespaces.cc  persistent named network namespaces exactly as `ip netns add/del` make them, each made
//                  ready on the thread that made it
// - sockets.cc     AF_NETLINK sockets born inside a namespace: on a throwaway native thread, setns ->
//                  socket -> setns back. No libuv or V8 thread ever changes namespace (a thread's
//                  namespace decides where its later sockets live). IP sockets born the same way, handed
//                  to libuv to connect (a probe from a node).
// - transact.cc    batched request/ACK transactions: many netlink messages per sendmsg, every request
//                  answered (ACK, error or end of dump) before the promise resolves; on the libuv
//                  threadpool, never on the JS thread
// - sysctl.cc      /proc/sys values read and written from inside a namespace, on a throwaway thread
// - spares.cc      namespaces made without a name on one throwaway thread while the caller still decides
//                  what to call them, held only by descriptors, named later by a bind mount
// - watch.cc       a uv_poll watcher for multicast subscriptions (link and address events)
// - files.cc       the hosts files a lab's down removes, each checked by its header, in one batch
// - fds.cc         closing the descriptors handed out
// - lock.cc        a lab's lock: flock, released by the kernel when its holder dies
// - napi.cc        what they share: the error record, N-API conversions, threadpool and throwaway threads
//
// Plain N-API (node_api.h), not node-addon-api: the addon is a dozen functions over a small helper layer
// (napi.h) that needs no C++ exceptions, and a compile where no prebuilt addon fits needs only Node's own
// headers, no package of headers downloaded with every install.
//
// The netlink payloads themselves are built and parsed in TypeScript (src/netlink); this addon only knows
// nlmsghdr, to tell when every request has its answer.
#include "fds.h"
#include "files.h"
#include "namespaces.h"
#include "napi.h"
#include "sockets.h"
#include "spares.h"
#include "lock.h"
#include "sysctl.h"
#include "transact.h"
#include "watch.h"

namespace nslab {
namespace {

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"netnsAdd", nullptr, NetnsAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesStart", nullptr, SparesStart, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesTake", nullptr, SparesTake, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesHeld", nullptr, SparesHeld, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesTarget", nullptr, SparesTarget, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netnsDel", nullptr, NetnsDel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netnsIdentities", nullptr, NetnsIdentities, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"removeHostsFiles", nullptr, RemoveHostsFiles, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"openSockets", nullptr, OpenSockets, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"openInetSockets", nullptr, OpenInetSockets, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sysctl", nullptr, Sysctl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transact", nullptr, Transact, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"watch", nullptr, WatchFd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unwatch", nullptr, Unwatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeFd", nullptr, CloseFd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeFds", nullptr, CloseFds, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tryLock", nullptr, TryLock, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"workerNice", nullptr, WorkerNice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"raiseFileLimit", nullptr, RaiseFileLimit, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace nslab

NAPI_MODULE(NODE_GYP_MODULE_NAME, nslab::Init)
