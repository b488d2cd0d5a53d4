#include "sockets.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <vector>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace nslab {

NamespaceVisitor::NamespaceVisitor() { home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

NamespaceVisitor::~NamespaceVisitor() {
  if (home_ >= 0) {
    setns(home_, CLONE_NEWNET);
    close(home_);
  }
}

SysErr NamespaceVisitor::enter(const std::string& nsPath) {
  if (home_ < 0) return fail("open", "/proc/thread-self/ns/net");
  int fd = nsPath.empty() ? dup(home_) : open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("open", nsPath);
  int rc = setns(fd, CLONE_NEWNET);
  SysErr e = rc != 0 ? fail("setns", nsPath) : SysErr{};
  close(fd);
  return e;
}

SocketResult openNetlinkSocket(int protocol, uint32_t groups, int bufBytes, const std::string& where) {
  SocketResult r;
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (s < 0) {
    r.err = fail("socket(AF_NETLINK)", where);
    return r;
  }
  int one = 1;
  // Extended ACK: the kernel's own error text reaches the user. Capped ACK: errors do not echo the whole
  // request. Strict checking: dump filters (family, index) are honoured by the kernel.
  setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  if (bufBytes > 0) {
    // FORCE variants need CAP_NET_ADMIN (we have it); fall back to the capped ones otherwise.
    if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &bufBytes, sizeof bufBytes) != 0)
      setsockopt(s, SOL_SOCKET, SO_SNDBUF, &bufBytes, sizeof bufBytes);
    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &bufBytes, sizeof bufBytes) != 0)
      setsockopt(s, SOL_SOCKET, SO_RCVBUF, &bufBytes, sizeof bufBytes);
  }
  struct sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = groups;
  if (bind(s, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    r.err = fail("bind(AF_NETLINK)", where);
    close(s);
    return r;
  }
  socklen_t len = sizeof addr;
  if (getsockname(s, reinterpret_cast<struct sockaddr*>(&addr), &len) != 0) {
    r.err = fail("getsockname", where);
    close(s);
    return r;
  }
  r.fd = s;
  r.portId = addr.nl_pid;
  return r;
}

// Opens one socket in each namespace of `paths` ("" for the current one), on a throwaway thread that
// enters them in turn: `open(where)` makes the socket once inside. A namespace that cannot be entered gets
// that error instead.
static void openInEach(const std::vector<std::string>& paths, std::vector<SocketResult>& results,
                       const std::function<SocketResult(const std::string& where)>& open) {
  onThrowawayThread([&]() {
    NamespaceVisitor visitor;
    for (size_t i = 0; i < paths.size(); i++) {
      const std::string& p = paths[i];
      SysErr e = visitor.enter(p);
      if (!e.ok()) {
        results[i].err = e;
        continue;
      }
      results[i] = open(p.empty() ? "current namespace" : p);
    }
  });
}

/** Each socket opened as `{ fd }` (with `portId` for netlink ones), or the error that kept it from opening. */
static napi_value socketArray(napi_env env, const std::vector<SocketResult>& results, bool withPort) {
  napi_value arr;
  napi_create_array_with_length(env, results.size(), &arr);
  for (size_t i = 0; i < results.size(); i++) {
    const SocketResult& r = results[i];
    napi_value el;
    if (!r.err.ok()) {
      el = jsError(env, r.err);
    } else {
      napi_create_object(env, &el);
      napi_set_named_property(env, el, "fd", jsInt(env, r.fd));
      if (withPort) napi_set_named_property(env, el, "portId", jsInt(env, r.portId));
    }
    napi_set_element(env, arr, i, el);
  }
  return arr;
}

napi_value OpenSockets(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto paths = std::make_shared<std::vector<std::string>>();
  int64_t protocol = 0, groups = 0, buf = 0;
  if (argc < 4 || !getStringArray(env, argv[0], paths.get()) || !getInt(env, argv[1], &protocol) ||
      !getInt(env, argv[2], &groups) || !getInt(env, argv[3], &buf)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "openSockets(nsPaths, protocol, groups, bufBytes)");
    return nullptr;
  }
  auto results = std::make_shared<std::vector<SocketResult>>(paths->size());
  return runAsync(
      env, "nslab.openSockets",
      [paths, results, protocol, groups, buf]() {
        openInEach(*paths, *results, [&](const std::string& where) {
          return openNetlinkSocket(static_cast<int>(protocol), static_cast<uint32_t>(groups), static_cast<int>(buf),
                                   where);
        });
      },
      [results](napi_env env) { return socketArray(env, *results, true); });
}

napi_value OpenInetSockets(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto paths = std::make_shared<std::vector<std::string>>();
  int64_t family = 0, type = 0;
  if (argc < 3 || !getStringArray(env, argv[0], paths.get()) || !getInt(env, argv[1], &family) || !getInt(env, argv[2], &type)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "openInetSockets(nsPaths, family, type)");
    return nullptr;
  }
  auto results = std::make_shared<std::vector<SocketResult>>(paths->size());
  return runAsync(
      env, "nslab.openInetSockets",
      [paths, results, family, type]() {
        openInEach(*paths, *results, [&](const std::string& where) {
          SocketResult r;
          int s = socket(static_cast<int>(family), static_cast<int>(type) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
          if (s < 0) r.err = fail("socket", where);
          else r.fd = s;
          return r;
        });
      },
      [results](napi_env env) { return socketArray(env, *results, false); });
}

}  // namespace nslab
