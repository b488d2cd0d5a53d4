// Netlink sockets born inside a namespace: on a throwaway native thread, setns -> socket -> setns back.
// No libuv or V8 thread ever changes namespace (a thread's namespace decides where its later sockets live).
#pragma once

#include <cstdint>
#include <string>

#include "napi.h"

namespace nslab {

// Moves the calling (throwaway) thread into namespaces one after another, and back home when it goes.
class NamespaceVisitor {
 public:
  NamespaceVisitor();
  ~NamespaceVisitor();
  // Enters the namespace at nsPath ("" = the thread's own, i.e. the process's namespace).
  SysErr enter(const std::string& nsPath);

 private:
  int home_ = -1;
};

struct SocketResult {
  SysErr err;
  int fd = -1;
  uint32_t portId = 0;
};

// Opens a netlink socket in the calling thread's namespace, bound, with the options every nslab socket has.
SocketResult openNetlinkSocket(int protocol, uint32_t groups, int bufBytes, const std::string& where);

// openSockets(nsPaths: string[], protocol: number, groups: number, bufBytes: number)
//   : Promise<({fd, portId} | SysErrObject)[]>      ("" = the process's own namespace)
napi_value OpenSockets(napi_env env, napi_callback_info info);

// openInetSockets(nsPaths: string[], family: number, type: number)
//   : Promise<({fd} | SysErrObject)[]>      ("" = the process's own namespace)
// An IP socket (AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM) born inside each namespace, unconnected and
// non-blocking: the caller hands it to libuv and connects it there, so no thread waits on the network.
napi_value OpenInetSockets(napi_env env, napi_callback_info info);

}  // namespace nslab
