// nslab's kernel door: the few system calls that JavaScript cannot make safely.
//
// - Persistent named network namespaces exactly as `ip netns add/del` make them: a shared mount on the
//   run directory (/run/netns) and a bind mount of the namespace file onto an empty file in it.
// - AF_NETLINK sockets born inside a namespace: on a throwaway native thread, setns -> socket -> setns back.
//   No libuv or V8 thread ever changes namespace (a thread's namespace decides where its later sockets live).
// - Batched request/ACK transactions: many netlink messages per sendmsg, every request answered (ACK,
//   error or end of dump) before the promise resolves; runs on the libuv threadpool, never on the JS thread.
// - /proc/sys values read and written from inside a namespace, on the same kind of throwaway thread.
// - Spare namespaces: made without a name on one throwaway thread while the caller still decides what
//   to call them, held only by descriptors (closing them frees them), named later by a bind mount.
// - A uv_poll watcher for multicast subscriptions (link and address events).
//
// The netlink payloads themselves are built and parsed in TypeScript (src/netlink); this file only knows
// nlmsghdr, to tell when every request has its answer.
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
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

namespace {

// ---------------------------------------------------------------------------------------------------------
// Errors travel to JavaScript as { errno, syscall, path }; src/native/index.ts turns them into NslabError.
struct SysErr {
  int err = 0;
  std::string call;
  std::string path;
  bool ok() const { return err == 0; }
};

SysErr fail(const char* call, const std::string& path) { return SysErr{errno, call, path}; }

#define NAPI_OK(expr)                                                      \
  do {                                                                     \
    if ((expr) != napi_ok) {                                               \
      napi_throw_error(env, "NSLAB_NATIVE", "N-API call failed: " #expr); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

napi_value jsString(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

napi_value jsInt(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

napi_value jsNull(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

napi_value jsError(napi_env env, const SysErr& e) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "errno", jsInt(env, e.err));
  napi_set_named_property(env, o, "syscall", jsString(env, e.call));
  napi_set_named_property(env, o, "path", jsString(env, e.path));
  napi_set_named_property(env, o, "message", jsString(env, strerror(e.err)));
  return o;
}

bool getString(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  size_t written = 0;
  if (napi_get_value_string_utf8(env, v, out->data(), len + 1, &written) != napi_ok) return false;
  out->resize(written);
  return true;
}

bool getStringArray(napi_env env, napi_value arr, std::vector<std::string>* out) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return false;
  out->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    if (napi_get_element(env, arr, i, &el) != napi_ok || !getString(env, el, &(*out)[i])) return false;
  }
  return true;
}

bool getInt(napi_env env, napi_value v, int64_t* out) { return napi_get_value_int64(env, v, out) == napi_ok; }

// ---------------------------------------------------------------------------------------------------------
// A promise whose work runs on the libuv threadpool and whose result is built back on the JS thread.
struct AsyncJob {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  std::function<void()> execute;
  std::function<napi_value(napi_env)> complete;
};

napi_value runAsync(napi_env env, const char* name, std::function<void()> execute,
                    std::function<napi_value(napi_env)> complete) {
  auto* job = new AsyncJob{nullptr, nullptr, std::move(execute), std::move(complete)};
  napi_value promise;
  NAPI_OK(napi_create_promise(env, &job->deferred, &promise));
  napi_value resourceName = jsString(env, name);
  NAPI_OK(napi_create_async_work(
      env, nullptr, resourceName, [](napi_env, void* data) { static_cast<AsyncJob*>(data)->execute(); },
      [](napi_env env, napi_status, void* data) {
        auto* job = static_cast<AsyncJob*>(data);
        napi_handle_scope scope;
        napi_open_handle_scope(env, &scope);
        napi_value result = job->complete(env);
        napi_resolve_deferred(env, job->deferred, result);
        napi_close_handle_scope(env, scope);
        napi_delete_async_work(env, job->work);
        delete job;
      },
      job, &job->work));
  NAPI_OK(napi_queue_async_work(env, job->work));
  return promise;
}

// Runs fn on a fresh native thread and waits for it: the only kind of thread that may call setns/unshare.
void onThrowawayThread(const std::function<void()>& fn) {
  std::thread t(fn);
  t.join();
}

napi_value errorList(napi_env env, const std::vector<SysErr>& errs) {
  napi_value arr;
  napi_create_array_with_length(env, errs.size(), &arr);
  for (size_t i = 0; i < errs.size(); i++) {
    napi_set_element(env, arr, i, errs[i].ok() ? jsNull(env) : jsError(env, errs[i]));
  }
  return arr;
}

// ---------------------------------------------------------------------------------------------------------
// Named namespaces, as iproute2's `ip netns add` makes them.

// The run directory must be a shared mount so that namespace mounts made later show up in every mount
// namespace that shares it (ip netns exec makes one). If it is not a mount point yet, bind it onto itself.
SysErr prepareRunDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return fail("mkdir", dir);
  bool bound = false;
  while (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound) return fail("mount --make-rshared", dir);
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) return fail("mount --rbind", dir);
    bound = true;
  }
  return {};
}

// Called on a throwaway thread: each unshare moves only this thread into a brand-new namespace, whose
// file we then bind-mount so that it outlives the thread.
SysErr addOneNamespace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return fail("create", path);
  close(fd);
  if (unshare(CLONE_NEWNET) != 0) {
    SysErr e = fail("unshare(CLONE_NEWNET)", path);
    unlink(path.c_str());
    return e;
  }
  if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
    SysErr e = fail("mount --bind /proc/thread-self/ns/net", path);
    unlink(path.c_str());
    return e;
  }
  return {};
}

SysErr delOneNamespace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  // EINVAL: not a mount point (a half-made namespace file); the unlink below still removes it.
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) return fail("umount", path);
  if (unlink(path.c_str()) != 0) return fail("unlink", path);
  return {};
}

// Runs fn(i) for i in [0, n) on up to `threads` native threads, striped.
void striped(size_t n, int64_t threads, const std::function<void(size_t)>& fn) {
  size_t t = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max<int64_t>(threads, 1)), n));
  std::vector<std::thread> pool;
  for (size_t k = 0; k < t; k++) {
    pool.emplace_back([&, k]() {
      for (size_t i = k; i < n; i += t) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

// The (dir, names, threads) that netnsAdd and netnsDel start with.
bool getNamespaceBatch(napi_env env, const napi_value* argv, std::string* dir, std::vector<std::string>* names,
                       int64_t* threads) {
  return getString(env, argv[0], dir) && getStringArray(env, argv[1], names) && getInt(env, argv[2], threads);
}

// netnsDel(dir: string, names: string[], threads: number): Promise<(SysErrObject|null)[]>
// Each umount waits for an RCU grace period; waiters on several threads share one, so a thousand
// namespaces go several times faster when the kernel is busy.
napi_value NetnsDel(napi_env env, napi_callback_info info) {
  const char* usage = "netnsDel(dir, names, threads)";
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto dir = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  int64_t threads = 1;
  if (argc < 3 || !getNamespaceBatch(env, argv, dir.get(), names.get(), &threads)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  auto errs = std::make_shared<std::vector<SysErr>>(names->size());
  return runAsync(
      env, usage,
      [dir, names, errs, threads]() {
        striped(names->size(), threads, [&](size_t i) { (*errs)[i] = delOneNamespace(*dir, (*names)[i]); });
      },
      [errs](napi_env env) { return errorList(env, *errs); });
}

// ---------------------------------------------------------------------------------------------------------
// Running code inside a namespace, on a throwaway thread, and coming back.

class NamespaceVisitor {
 public:
  NamespaceVisitor() { home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }
  ~NamespaceVisitor() {
    if (home_ >= 0) {
      setns(home_, CLONE_NEWNET);
      close(home_);
    }
  }
  // Enters the namespace at nsPath ("" = the thread's own, i.e. the process's namespace).
  SysErr enter(const std::string& nsPath) {
    if (home_ < 0) return fail("open", "/proc/thread-self/ns/net");
    int fd = nsPath.empty() ? dup(home_) : open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("open", nsPath);
    int rc = setns(fd, CLONE_NEWNET);
    SysErr e = rc != 0 ? fail("setns", nsPath) : SysErr{};
    close(fd);
    return e;
  }

 private:
  int home_ = -1;
};

struct SocketResult {
  SysErr err;
  int fd = -1;
  uint32_t portId = 0;
};

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

// openSockets(nsPaths: string[], protocol: number, groups: number, bufBytes: number)
//   : Promise<({fd, portId} | SysErrObject)[]>      ("" = the process's own namespace)
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
        onThrowawayThread([&]() {
          NamespaceVisitor visitor;
          for (size_t i = 0; i < paths->size(); i++) {
            const std::string& p = (*paths)[i];
            SysErr e = visitor.enter(p);
            if (!e.ok()) {
              (*results)[i].err = e;
              continue;
            }
            (*results)[i] = openNetlinkSocket(static_cast<int>(protocol), static_cast<uint32_t>(groups),
                                              static_cast<int>(buf), p.empty() ? "current namespace" : p);
          }
        });
      },
      [results](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, results->size(), &arr);
        for (size_t i = 0; i < results->size(); i++) {
          const SocketResult& r = (*results)[i];
          napi_value el;
          if (!r.err.ok()) {
            el = jsError(env, r.err);
          } else {
            napi_create_object(env, &el);
            napi_set_named_property(env, el, "fd", jsInt(env, r.fd));
            napi_set_named_property(env, el, "portId", jsInt(env, r.portId));
          }
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

// Writes a value under /proc/sys. /proc/sys/net shows the namespace of the thread that opens the file.
SysErr writeSysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/" + key;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail("open", path);
  SysErr e = write(fd, value.data(), value.size()) < 0 ? fail("write", path) : SysErr{};
  close(fd);
  return e;
}

// sysctl(items: [nsPath, key, value | null][]): Promise<(string | SysErrObject)[]>
// key is relative to /proc/sys (net/ipv4/ip_forward). A null value reads; a string writes (and returns "").
// /proc/sys/net shows the namespace of the thread that opens the file, so the open happens inside it.
napi_value Sysctl(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  struct Item {
    std::string ns, key, value;
    bool write = false;
    std::string out;
    SysErr err;
  };
  auto items = std::make_shared<std::vector<Item>>();
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl(items)");
    return nullptr;
  }
  items->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value tuple, ns, key, value;
    napi_valuetype vt;
    if (napi_get_element(env, argv[0], i, &tuple) != napi_ok || napi_get_element(env, tuple, 0, &ns) != napi_ok ||
        napi_get_element(env, tuple, 1, &key) != napi_ok || napi_get_element(env, tuple, 2, &value) != napi_ok ||
        !getString(env, ns, &(*items)[i].ns) || !getString(env, key, &(*items)[i].key) ||
        napi_typeof(env, value, &vt) != napi_ok) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl(items): each item is [nsPath, key, value|null]");
      return nullptr;
    }
    if (vt == napi_string) {
      (*items)[i].write = true;
      getString(env, value, &(*items)[i].value);
    }
    if ((*items)[i].key.find("..") != std::string::npos) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl key must not contain '..'");
      return nullptr;
    }
  }
  return runAsync(
      env, "nslab.sysctl",
      [items]() {
        onThrowawayThread([&]() {
          NamespaceVisitor visitor;
          for (auto& it : *items) {
            it.err = visitor.enter(it.ns);
            if (!it.err.ok()) continue;
            if (it.write) {
              it.err = writeSysctl(it.key, it.value);
              continue;
            }
            std::string path = "/proc/sys/" + it.key;
            int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
              it.err = fail("open", path);
              continue;
            }
            char buf[4096];
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0) it.err = fail("read", path);
            else it.out.assign(buf, static_cast<size_t>(r));
            close(fd);
          }
        });
      },
      [items](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, items->size(), &arr);
        for (size_t i = 0; i < items->size(); i++) {
          const Item& it = (*items)[i];
          napi_set_element(env, arr, i, it.err.ok() ? jsString(env, it.out) : jsError(env, it.err));
        }
        return arr;
      });
}

// ---------------------------------------------------------------------------------------------------------
// Transactions: send a buffer of netlink requests, wait until every request has its answer.

int64_t nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Transaction {
  int fd = -1;
  std::vector<uint8_t> request;
  std::vector<uint8_t> response;
  SysErr err;
};

constexpr size_t kRecvBuf = 64 * 1024;
// At most this many requests in flight per sendmsg: the kernel answers a request while we are still in
// sendmsg, and the answers must fit in the socket's receive buffer until we read them.
constexpr size_t kWindow = 256;
constexpr size_t kWindowBytes = 512 * 1024;

void runTransaction(Transaction& tx, int timeoutMs, std::vector<uint8_t>& buf) {
  struct Msg {
    size_t off, len;
    uint32_t seq;
  };
  std::vector<Msg> msgs;
  for (size_t off = 0; off + sizeof(nlmsghdr) <= tx.request.size();) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(tx.request.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > tx.request.size()) {
      tx.err = SysErr{EINVAL, "sendmsg", "malformed request buffer"};
      return;
    }
    msgs.push_back({off, NLMSG_ALIGN(h->nlmsg_len), h->nlmsg_seq});
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  int64_t deadline = nowMs() + timeoutMs;
  size_t i = 0;
  while (i < msgs.size()) {
    size_t j = i, bytes = 0;
    std::unordered_map<uint32_t, bool> pending;
    while (j < msgs.size() && j - i < kWindow && (j == i || bytes + msgs[j].len <= kWindowBytes)) {
      pending[msgs[j].seq] = true;
      bytes += msgs[j].len;
      j++;
    }
    size_t start = msgs[i].off;
    size_t len = std::min(bytes, tx.request.size() - start);
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
      sent = sendto(tx.fd, tx.request.data() + start, len, 0, reinterpret_cast<struct sockaddr*>(&kernel),
                    sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
      tx.err = fail("sendmsg", "netlink");
      return;
    }
    // The kernel answers rtnetlink requests inside sendto, so the answers are usually queued already:
    // read until the socket is empty and poll only then (one syscall an answer, not two).
    while (!pending.empty()) {
      ssize_t got;
      do {
        got = recv(tx.fd, buf.data(), buf.size(), MSG_TRUNC | MSG_DONTWAIT);
      } while (got < 0 && errno == EINTR);
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        int64_t left = deadline - nowMs();
        if (left <= 0) {
          tx.err = SysErr{ETIMEDOUT, "recvmsg", "netlink: no answer from the kernel"};
          return;
        }
        struct pollfd pfd = {tx.fd, POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) {
          tx.err = fail("poll", "netlink");
          return;
        }
        continue;
      }
      if (got < 0) {
        tx.err = fail("recvmsg", "netlink");
        return;
      }
      if (static_cast<size_t>(got) > buf.size()) {
        tx.err = SysErr{EMSGSIZE, "recvmsg", "netlink datagram larger than the receive buffer"};
        return;
      }
      size_t n = static_cast<size_t>(got);
      for (size_t off = 0; off + sizeof(nlmsghdr) <= n;) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(buf.data() + off);
        if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > n) break;
        if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) pending.erase(h->nlmsg_seq);
        off += NLMSG_ALIGN(h->nlmsg_len);
      }
      tx.response.insert(tx.response.end(), buf.begin(), buf.begin() + static_cast<long>(n));
    }
    i = j;
  }
}

void freeVector(napi_env, void*, void* hint) { delete static_cast<std::vector<uint8_t>*>(hint); }

// transact(items: [fd, request: Buffer][], timeoutMs): Promise<(Buffer | SysErrObject)[]>
// The items run one after another on one threadpool thread; callers split work across calls to use
// several cores.
napi_value Transact(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t n = 0;
  int64_t timeoutMs = 0;
  if (argc < 2 || napi_get_array_length(env, argv[0], &n) != napi_ok || !getInt(env, argv[1], &timeoutMs)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "transact(items, timeoutMs)");
    return nullptr;
  }
  auto txs = std::make_shared<std::vector<Transaction>>(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value tuple, fdv, bufv;
    int64_t fd = -1;
    void* data = nullptr;
    size_t len = 0;
    if (napi_get_element(env, argv[0], i, &tuple) != napi_ok || napi_get_element(env, tuple, 0, &fdv) != napi_ok ||
        napi_get_element(env, tuple, 1, &bufv) != napi_ok || !getInt(env, fdv, &fd) ||
        napi_get_buffer_info(env, bufv, &data, &len) != napi_ok) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "transact(items): each item is [fd, Buffer]");
      return nullptr;
    }
    (*txs)[i].fd = static_cast<int>(fd);
    (*txs)[i].request.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
  }
  return runAsync(
      env, "nslab.transact",
      [txs, timeoutMs]() {
        std::vector<uint8_t> buf(kRecvBuf);
        for (auto& tx : *txs) runTransaction(tx, static_cast<int>(timeoutMs), buf);
      },
      [txs](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, txs->size(), &arr);
        for (size_t i = 0; i < txs->size(); i++) {
          Transaction& tx = (*txs)[i];
          napi_value el;
          if (!tx.err.ok()) {
            el = jsError(env, tx.err);
          } else {
            auto* owned = new std::vector<uint8_t>(std::move(tx.response));
            if (owned->empty()) {
              napi_create_buffer(env, 0, nullptr, &el);
              delete owned;
            } else {
              napi_create_external_buffer(env, owned->size(), owned->data(), freeVector, owned, &el);
            }
          }
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

// ---------------------------------------------------------------------------------------------------------
// Making namespaces, and readying each on the thread that made it while the thread is still inside.

// What each new namespace gets before its thread leaves it (netnsAdd's setup argument).
using SysctlList = std::vector<std::pair<std::string, std::string>>;  // key under /proc/sys, value

struct NamespaceSetup {
  std::vector<SysctlList> sysctls;  // per name, in the order of the names (may be shorter: none)
  int bufBytes = 0;                 // of the NETLINK_ROUTE socket
  std::vector<uint8_t> hello;  // netlink requests sent on that socket first; each must be ACKed
};

struct MadeNamespace {
  SysErr err;
  int sock = -1;
  uint32_t portId = 0;
  int nsFd = -1;
  std::string identity;  // "inode:ctime-ns" of the namespace file, as src/engine/state.ts namespaceIdentity
};

// The first error a batch of ACKed requests got (a positive errno), or 0.
int firstAckError(const std::vector<uint8_t>& answer) {
  for (size_t off = 0; off + sizeof(nlmsghdr) <= answer.size();) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(answer.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > answer.size()) break;
    if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
      int error = *reinterpret_cast<const int*>(NLMSG_DATA(h));
      if (error != 0) return -error;
    }
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return 0;
}

// A spare namespace: made ahead of its name by unshare on a throwaway thread and held only by its two
// descriptors (closing them frees it: nothing of it is visible by name).
struct Spare {
  SysErr err;
  int nsFd = -1;
  int sock = -1;
  uint32_t portId = 0;
};

// Closes spares' descriptors (which frees them) and empties the list.
void closeSpares(std::vector<Spare>& spares) {
  for (Spare& s : spares) {
    if (s.sock >= 0) close(s.sock);
    if (s.nsFd >= 0) close(s.nsFd);
  }
  spares.clear();
}

Spare makeSpare(int bufBytes) {
  Spare s;
  if (unshare(CLONE_NEWNET) != 0) {
    s.err = fail("unshare(CLONE_NEWNET)", "a spare namespace");
    return s;
  }
  s.nsFd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (s.nsFd < 0) {
    s.err = fail("open", "/proc/thread-self/ns/net");
    return s;
  }
  SocketResult r = openNetlinkSocket(0 /* NETLINK_ROUTE */, 0, bufBytes, "a spare namespace");
  if (!r.err.ok()) {
    close(s.nsFd);
    s.nsFd = -1;
    s.err = r.err;
    return s;
  }
  s.sock = r.fd;
  s.portId = r.portId;
  return s;
}

// Names a spare namespace as `ip netns add` names a new one: its file bind-mounted under dir.
SysErr nameSpare(const std::string& dir, const std::string& name, int nsFd) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return fail("create", path);
  close(fd);
  std::string source = "/proc/self/fd/" + std::to_string(nsFd);
  if (mount(source.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
    SysErr e = fail("mount --bind a spare namespace", path);
    unlink(path.c_str());
    return e;
  }
  return {};
}

// Makes one namespace (or names a spare one) and, with a setup, readies it from inside: sysctls, its
// netlink socket, the hello requests, an fd of the namespace and its identity. Whatever fails undoes the
// namespace (no file and, for a spare, no descriptor left).
MadeNamespace makeNamespace(const std::string& dir, const std::string& name, const NamespaceSetup* setup,
                            const SysctlList& sysctls, const Spare* spare, std::vector<uint8_t>& recvBuf) {
  MadeNamespace m;
  if (spare != nullptr) {
    m.err = nameSpare(dir, name, spare->nsFd);
    if (!m.err.ok()) {
      close(spare->sock);
      close(spare->nsFd);
      return m;
    }
    m.nsFd = spare->nsFd;
    m.sock = spare->sock;
    m.portId = spare->portId;
  } else {
    m.err = addOneNamespace(dir, name);
    if (!m.err.ok() || setup == nullptr) return m;
  }
  std::string path = dir + "/" + name;
  auto undo = [&](SysErr e) {
    if (m.sock >= 0) close(m.sock);
    if (m.nsFd >= 0) close(m.nsFd);
    m = MadeNamespace{};
    m.err = e;
    umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
    return m;
  };
  // Sysctls are written from inside: a spare's thread has to join it first (a new one's is there).
  if (spare != nullptr && !sysctls.empty() && setns(m.nsFd, CLONE_NEWNET) != 0) return undo(fail("setns", path));
  for (const auto& [key, value] : sysctls) {
    SysErr e = writeSysctl(key, value);
    if (!e.ok()) return undo(e);
  }
  if (m.nsFd < 0) m.nsFd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m.nsFd < 0) return undo(fail("open", path));
  struct stat st;
  if (fstat(m.nsFd, &st) != 0) return undo(fail("fstat", path));
  uint64_t ctimeNs = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  m.identity = std::to_string(static_cast<uint64_t>(st.st_ino)) + ":" + std::to_string(ctimeNs);
  if (m.sock < 0) {
    SocketResult s = openNetlinkSocket(0 /* NETLINK_ROUTE */, 0, setup->bufBytes, path);
    if (!s.err.ok()) return undo(s.err);
    m.sock = s.fd;
    m.portId = s.portId;
  }
  if (!setup->hello.empty()) {
    Transaction tx;
    tx.fd = m.sock;
    tx.request = setup->hello;
    runTransaction(tx, 10000, recvBuf);
    if (!tx.err.ok()) return undo(tx.err);
    int error = firstAckError(tx.response);
    if (error != 0) return undo(SysErr{error, "netlink request (setup)", path});
  }
  return m;
}

bool getSysctlList(napi_env env, napi_value list, SysctlList* out) {
  uint32_t n = 0;
  if (napi_get_array_length(env, list, &n) != napi_ok) return false;
  for (uint32_t i = 0; i < n; i++) {
    napi_value pair, key, value;
    std::string k, val;
    if (napi_get_element(env, list, i, &pair) != napi_ok || napi_get_element(env, pair, 0, &key) != napi_ok ||
        napi_get_element(env, pair, 1, &value) != napi_ok || !getString(env, key, &k) || !getString(env, value, &val) ||
        k.find("..") != std::string::npos)
      return false;
    out->emplace_back(k, val);
  }
  return true;
}

bool getSetup(napi_env env, napi_value v, NamespaceSetup* out) {
  napi_value sysctls, buf, hello;
  uint32_t n = 0;
  int64_t bytes = 0;
  void* data = nullptr;
  size_t len = 0;
  if (napi_get_named_property(env, v, "sysctls", &sysctls) != napi_ok || napi_get_array_length(env, sysctls, &n) != napi_ok ||
      napi_get_named_property(env, v, "bufBytes", &buf) != napi_ok || !getInt(env, buf, &bytes) ||
      napi_get_named_property(env, v, "hello", &hello) != napi_ok || napi_get_buffer_info(env, hello, &data, &len) != napi_ok)
    return false;
  out->bufBytes = static_cast<int>(bytes);
  out->hello.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
  out->sysctls.resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value list;
    if (napi_get_element(env, sysctls, i, &list) != napi_ok || !getSysctlList(env, list, &out->sysctls[i])) return false;
  }
  return true;
}

// A spare (as sparesTake answers it) from JavaScript: { nsFd, fd, portId }.
bool getSpare(napi_env env, napi_value v, Spare* out) {
  napi_value nsFd, fd, portId;
  int64_t a = -1, b = -1, c = 0;
  if (napi_get_named_property(env, v, "nsFd", &nsFd) != napi_ok || napi_get_named_property(env, v, "fd", &fd) != napi_ok ||
      napi_get_named_property(env, v, "portId", &portId) != napi_ok || !getInt(env, nsFd, &a) || !getInt(env, fd, &b) ||
      !getInt(env, portId, &c) || a < 0 || b < 0)
    return false;
  out->nsFd = static_cast<int>(a);
  out->sock = static_cast<int>(b);
  out->portId = static_cast<uint32_t>(c);
  return true;
}

// netnsAdd(dir, names, threads, setup: { sysctls: [key, value][][], bufBytes, hello: Buffer } | null,
//          spares?: ({nsFd, fd, portId} | null)[])
//   (setup.sysctls[i] are the sysctls of names[i]; spares[i], when given, becomes names[i] instead of a new
//   namespace, and its descriptors pass to the answer, or are closed if naming it fails)
//   : Promise<(null | {fd, portId, nsFd, identity} | SysErrObject)[]>
// Without a setup a made namespace answers null; with one, its ready socket and fd (the caller closes them).
napi_value NetnsAdd(napi_env env, napi_callback_info info) {
  const char* usage = "netnsAdd(dir, names, threads, setup, spares?)";
  size_t argc = 5;
  napi_value argv[5];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto dir = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<NamespaceSetup> setup;
  auto spares = std::make_shared<std::vector<Spare>>();
  int64_t threads = 1;
  napi_valuetype setupType = napi_null;
  if (argc < 4 || !getNamespaceBatch(env, argv, dir.get(), names.get(), &threads) ||
      napi_typeof(env, argv[3], &setupType) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  if (setupType == napi_object) {
    setup = std::make_shared<NamespaceSetup>();
    if (!getSetup(env, argv[3], setup.get())) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "netnsAdd setup: { sysctls: [key, value][][], bufBytes: number, hello: Buffer }");
      return nullptr;
    }
  }
  napi_valuetype sparesType = napi_undefined;
  if (argc >= 5 && napi_typeof(env, argv[4], &sparesType) == napi_ok && sparesType == napi_object) {
    // A spare's descriptors must reach the answer: only with a setup.
    uint32_t n = 0;
    bool ok = setup != nullptr && napi_get_array_length(env, argv[4], &n) == napi_ok && n <= names->size();
    spares->resize(ok ? n : 0);
    for (uint32_t i = 0; ok && i < n; i++) {
      napi_value el;
      napi_valuetype t = napi_null;
      ok = napi_get_element(env, argv[4], i, &el) == napi_ok && napi_typeof(env, el, &t) == napi_ok &&
           (t == napi_null || getSpare(env, el, &(*spares)[i]));
    }
    if (!ok) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "netnsAdd spares: ({ nsFd, fd, portId } | null)[], no longer than names, and only with a setup");
      return nullptr;
    }
  }
  auto made = std::make_shared<std::vector<MadeNamespace>>(names->size());
  return runAsync(
      env, usage,
      [dir, names, made, threads, setup, spares]() {
        SysErr prep = prepareRunDir(*dir);
        if (!prep.ok()) {
          for (auto& m : *made) m.err = prep;
          closeSpares(*spares);
          return;
        }
        striped(names->size(), threads, [&](size_t i) {
          thread_local std::vector<uint8_t> recvBuf(kRecvBuf);
          static const SysctlList none;
          const SysctlList& sysctls = setup != nullptr && i < setup->sysctls.size() ? setup->sysctls[i] : none;
          const Spare* spare = i < spares->size() && (*spares)[i].nsFd >= 0 ? &(*spares)[i] : nullptr;
          (*made)[i] = makeNamespace(*dir, (*names)[i], setup.get(), sysctls, spare, recvBuf);
        });
      },
      [made, setup](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, made->size(), &arr);
        for (size_t i = 0; i < made->size(); i++) {
          const MadeNamespace& m = (*made)[i];
          napi_value el;
          if (!m.err.ok()) {
            el = jsError(env, m.err);
          } else if (setup == nullptr) {
            el = jsNull(env);
          } else {
            napi_create_object(env, &el);
            napi_set_named_property(env, el, "fd", jsInt(env, m.sock));
            napi_set_named_property(env, el, "portId", jsInt(env, m.portId));
            napi_set_named_property(env, el, "nsFd", jsInt(env, m.nsFd));
            napi_set_named_property(env, el, "identity", jsString(env, m.identity));
          }
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

// A spare maker: one throwaway thread making spares one after another until it has `count` of them, is
// told to stop, or fails (the error ends it: the run makes the rest itself). One thread, not one per core:
// spares are made while the JS thread is busy reading and planning the lab, on the core it leaves idle.
struct SpareMaker {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Spare> made;
  size_t target = 0;      // how many to make; sparesTarget changes it while the thread waits or works
  bool stop = false;      // take() or the finalizer asked the thread to end
  bool done = false;      // the thread has ended
  bool orphaned = false;  // JavaScript dropped the maker without take(): nothing will claim its spares
};

// The most spares a maker is asked for (sparesStart, sparesTarget): far above any lab, a bound on a typo.
constexpr int64_t kMaxSpares = 1000000;

// sparesStart(count, bufBytes): SpareMaker (an external). Starts the maker's thread and returns at once.
// The thread lives until take or the finalizer stops it, waiting once it has made its target.
napi_value SparesStart(napi_env env, napi_callback_info info) {
  const char* usage = "sparesStart(count, bufBytes)";
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t count = 0, buf = 0;
  if (argc < 2 || !getInt(env, argv[0], &count) || !getInt(env, argv[1], &buf) || count < 0 || count > kMaxSpares) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  auto maker = std::make_shared<SpareMaker>();
  maker->target = static_cast<size_t>(count);
  // Makes spares up to the target, then waits (a later target may ask for more) until stopped.
  std::thread([maker, buf]() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(maker->mu);
        maker->cv.wait(lock, [&] { return maker->stop || maker->made.size() < maker->target; });
        if (maker->stop) break;
      }
      Spare s = makeSpare(static_cast<int>(buf));
      std::lock_guard<std::mutex> lock(maker->mu);
      if (!s.err.ok()) break;
      maker->made.push_back(s);
    }
    std::lock_guard<std::mutex> lock(maker->mu);
    maker->done = true;
    if (maker->orphaned) closeSpares(maker->made);
    maker->cv.notify_all();
  }).detach();
  auto* holder = new std::shared_ptr<SpareMaker>(maker);
  napi_value external;
  NAPI_OK(napi_create_external(
      env, holder,
      [](napi_env, void* data, void*) {
        auto* h = static_cast<std::shared_ptr<SpareMaker>*>(data);
        {
          std::lock_guard<std::mutex> lock((*h)->mu);
          (*h)->stop = true;
          (*h)->orphaned = true;
          if ((*h)->done) closeSpares((*h)->made);
          (*h)->cv.notify_all();
        }
        delete h;
      },
      nullptr, &external));
  return external;
}

// The arguments of a call whose first is a sparesStart external (`n` of them, into argv) and its
// SpareMaker; false, with a TypeError thrown, when they are not that.
bool getMakerArgs(napi_env env, napi_callback_info info, const char* usage, size_t n, napi_value* argv,
                  std::shared_ptr<SpareMaker>* out) {
  size_t argc = n;
  void* data = nullptr;
  napi_valuetype t = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < n ||
      napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return false;
  }
  *out = *static_cast<std::shared_ptr<SpareMaker>*>(data);
  return true;
}

// sparesTarget(maker, count): sets how many spares the maker makes in all (more than it has made: it goes
// on; fewer: it stops there). No effect once taken.
napi_value SparesTarget(napi_env env, napi_callback_info info) {
  const char* usage = "sparesTarget(maker, count)";
  napi_value argv[2];
  std::shared_ptr<SpareMaker> maker;
  int64_t count = 0;
  if (!getMakerArgs(env, info, usage, 2, argv, &maker)) return nullptr;
  if (!getInt(env, argv[1], &count) || count < 0 || count > kMaxSpares) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(maker->mu);
  maker->target = static_cast<size_t>(count);
  maker->cv.notify_all();
  return nullptr;
}

// sparesTake(maker): Promise<{nsFd, fd, portId}[]>. Stops the maker (after the spare it is making) and
// hands over every spare it made; the caller owns their descriptors from then on. A second take gets [].
napi_value SparesTake(napi_env env, napi_callback_info info) {
  const char* usage = "sparesTake(maker)";
  napi_value argv[1];
  std::shared_ptr<SpareMaker> maker;
  if (!getMakerArgs(env, info, usage, 1, argv, &maker)) return nullptr;
  auto taken = std::make_shared<std::vector<Spare>>();
  return runAsync(
      env, usage,
      [maker, taken]() {
        std::unique_lock<std::mutex> lock(maker->mu);
        maker->stop = true;
        maker->cv.notify_all();
        maker->cv.wait(lock, [&] { return maker->done; });
        taken->swap(maker->made);
      },
      [taken](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, taken->size(), &arr);
        for (size_t i = 0; i < taken->size(); i++) {
          const Spare& s = (*taken)[i];
          napi_value el;
          napi_create_object(env, &el);
          napi_set_named_property(env, el, "nsFd", jsInt(env, s.nsFd));
          napi_set_named_property(env, el, "fd", jsInt(env, s.sock));
          napi_set_named_property(env, el, "portId", jsInt(env, s.portId));
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

// ---------------------------------------------------------------------------------------------------------
// Watching a socket for multicast messages (events), on the event loop through uv_poll.

struct Watch {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int fd;
  uint32_t id;
};

std::map<uint32_t, Watch*> watches;
uint32_t nextWatchId = 1;

void onReadable(uv_poll_t* handle, int status, int) {
  auto* w = static_cast<Watch*>(handle->data);
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, global, args[2];
  napi_get_reference_value(env, w->callback, &cb);
  napi_get_global(env, &global);
  std::vector<uint8_t> all;
  SysErr err;
  if (status < 0) {
    err = SysErr{-status, "poll", "netlink"};
  } else {
    std::vector<uint8_t> buf(kRecvBuf);
    for (int k = 0; k < 64; k++) {
      ssize_t got = recv(w->fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) err = fail("recvmsg", "netlink");
        break;
      }
      all.insert(all.end(), buf.begin(), buf.begin() + got);
    }
  }
  args[0] = err.ok() ? jsNull(env) : jsError(env, err);
  if (all.empty()) {
    napi_create_buffer(env, 0, nullptr, &args[1]);
  } else {
    void* data;
    napi_create_buffer_copy(env, all.size(), all.data(), &data, &args[1]);
  }
  if (!err.ok() || !all.empty()) {
    napi_value result;
    napi_make_callback(env, w->context, global, cb, 2, args, &result);
  }
  napi_close_handle_scope(env, scope);
}

// watch(fd, callback(err, Buffer), keepAlive: boolean): number
napi_value WatchFd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd = -1;
  bool keepAlive = true;
  if (argc < 3 || !getInt(env, argv[0], &fd) || napi_get_value_bool(env, argv[2], &keepAlive) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "watch(fd, callback, keepAlive)");
    return nullptr;
  }
  uv_loop_t* loop;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  auto* w = new Watch();
  w->env = env;
  w->fd = static_cast<int>(fd);
  w->id = nextWatchId++;
  NAPI_OK(napi_create_reference(env, argv[1], 1, &w->callback));
  NAPI_OK(napi_async_init(env, nullptr, jsString(env, "nslab.watch"), &w->context));
  if (uv_poll_init(loop, &w->poll, w->fd) != 0) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->context);
    delete w;
    napi_throw_error(env, "NSLAB_NATIVE", "uv_poll_init failed on a netlink socket");
    return nullptr;
  }
  w->poll.data = w;
  uv_poll_start(&w->poll, UV_READABLE, onReadable);
  if (!keepAlive) uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
  watches[w->id] = w;
  return jsInt(env, w->id);
}

// unwatch(id): stops the watcher; the fd stays open (the caller closes it).
napi_value Unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t id = 0;
  if (argc < 1 || !getInt(env, argv[0], &id)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "unwatch(id)");
    return nullptr;
  }
  auto it = watches.find(static_cast<uint32_t>(id));
  if (it == watches.end()) return nullptr;
  Watch* w = it->second;
  watches.erase(it);
  uv_poll_stop(&w->poll);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->context);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) { delete static_cast<Watch*>(h->data); });
  return nullptr;
}

// closeFd(fd): closes a socket this addon opened.
napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd = -1;
  if (argc < 1 || !getInt(env, argv[0], &fd)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "closeFd(fd)");
    return nullptr;
  }
  close(static_cast<int>(fd));
  return nullptr;
}

// closeFds(fds): closes sockets this addon opened, on a threadpool thread (a netlink socket's close costs
// the kernel some work: a thousand of them held the JS thread about 15 ms).
napi_value CloseFds(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "closeFds(fds)");
    return nullptr;
  }
  auto fds = std::make_shared<std::vector<int>>();
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    int64_t fd = -1;
    if (napi_get_element(env, argv[0], i, &el) != napi_ok || !getInt(env, el, &fd)) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "closeFds(fds): each fd is a number");
      return nullptr;
    }
    fds->push_back(static_cast<int>(fd));
  }
  return runAsync(
      env, "nslab.closeFds",
      [fds]() {
        for (int fd : *fds) close(fd);
      },
      [](napi_env env) { return jsNull(env); });
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"netnsAdd", nullptr, NetnsAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesStart", nullptr, SparesStart, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesTake", nullptr, SparesTake, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sparesTarget", nullptr, SparesTarget, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netnsDel", nullptr, NetnsDel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"openSockets", nullptr, OpenSockets, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sysctl", nullptr, Sysctl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transact", nullptr, Transact, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"watch", nullptr, WatchFd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unwatch", nullptr, Unwatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeFd", nullptr, CloseFd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeFds", nullptr, CloseFds, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
