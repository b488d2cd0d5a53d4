#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sockets.h"
#include "spares.h"
#include "sysctl.h"
#include "transact.h"

namespace nslab {

namespace {

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

// Gives the namespace of `nsFd` its name: the file `path`, made new (O_EXCL), with the namespace
// bind-mounted on it as `ip netns add` does, so that it outlives the descriptors.
SysErr nameNamespace(const std::string& path, int nsFd) {
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return fail("create", path);
  close(fd);
  std::string source = "/proc/self/fd/" + std::to_string(nsFd);
  if (mount(source.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
    SysErr e = fail("mount --bind", path);
    unlink(path.c_str());
    return e;
  }
  return {};
}

// "inode:ctime-ns": a namespace's identity (src/engine/state.ts LabState.identities): the nsfs inode of its
// file with that inode's change time, fixed when the namespace was made.
std::string identityOf(const struct stat& st) {
  uint64_t ctimeNs = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  return std::to_string(static_cast<uint64_t>(st.st_ino)) + ":" + std::to_string(ctimeNs);
}

SysErr delOneNamespace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  // EINVAL: not a mount point (a half-made namespace file); the unlink below still removes it.
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) return fail("umount", path);
  if (unlink(path.c_str()) != 0) return fail("unlink", path);
  return {};
}

// Runs fn(i) for every i in [0, n), in any order, on one native thread, joined by up to `threads` - 1
// more once a window of kWindow calls (not the first: a process's first calls are slow anyway) has
// averaged over `slowNs` a call. Returns how many threads ran. A deletion that only works (on this kernel
// an umount waits for an expedited RCU grace period, 25-45 us a namespace when the machine is quiet) goes
// fastest alone: threads waiting on each other's grace periods took a thousand namespaces from 30 ms to
// 70-260. One that waits long (a grace period while the kernel tears down thousands of namespaces freed
// just before, from about 3,000 on here; a full grace period per umount on older kernels) shares the
// waits across threads: 10,000 in 2.6-3.6 s against 4.4-5.6 alone. docs/performance.md has the runs.
size_t widening(size_t n, int64_t threads, int64_t slowNs, const std::function<void(size_t)>& fn) {
  constexpr size_t kWindow = 64;
  size_t extra = static_cast<size_t>(std::max<int64_t>(threads, 1)) - 1;
  std::atomic<size_t> next{0};
  std::vector<std::thread> helpers;
  auto windowStart = std::chrono::steady_clock::now();
  size_t inWindow = 0;
  bool warm = false;
  for (size_t i = next++; i < n; i = next++) {
    fn(i);
    if (extra == 0 || !helpers.empty() || ++inWindow < kWindow) continue;
    auto now = std::chrono::steady_clock::now();
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - windowStart).count();
    if (warm && ns > slowNs * static_cast<int64_t>(kWindow)) {
      for (size_t k = 0; k < extra; k++) {
        helpers.emplace_back([&]() {
          workerPriority();
          for (size_t j = next++; j < n; j = next++) fn(j);
        });
      }
    }
    windowStart = now;
    inWindow = 0;
    warm = true;
  }
  for (auto& th : helpers) th.join();
  return 1 + helpers.size();
}

// The (dir, names, threads) that netnsAdd and netnsDel start with.
bool getNamespaceBatch(napi_env env, const napi_value* argv, std::string* dir, std::vector<std::string>* names,
                       int64_t* threads) {
  return getString(env, argv[0], dir) && getStringArray(env, argv[1], names) && getInt(env, argv[2], threads);
}

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
  std::string identity;  // "inode:ctime-ns" of the namespace file (identityOf)
};

// Makes one namespace (or names a spare one) and, with a setup, readies it from inside: sysctls, its
// netlink socket, the hello requests (lo up with the lab's mark), an fd of the namespace and its identity,
// and only then gives it its name. A namespace is never seen by name unmarked: a run killed at any instant
// leaves either no file, an empty file the lab's state has journaled (no namespace mounted on it yet), or a
// marked namespace. Whatever fails undoes it (no file and no descriptor left; an unnamed namespace goes
// when its last descriptor closes).
MadeNamespace makeNamespace(const std::string& dir, const std::string& name, const NamespaceSetup* setup,
                            const SysctlList& sysctls, const Spare* spare, std::vector<uint8_t>& recvBuf) {
  MadeNamespace m;
  std::string path = dir + "/" + name;
  bool named = false;
  auto undo = [&](SysErr e) {
    if (m.sock >= 0) close(m.sock);
    if (m.nsFd >= 0) close(m.nsFd);
    m = MadeNamespace{};
    m.err = e;
    if (named) {
      umount2(path.c_str(), MNT_DETACH);
      unlink(path.c_str());
    }
    return m;
  };
  if (spare != nullptr) {
    m.nsFd = spare->nsFd;
    m.sock = spare->sock;
    m.portId = spare->portId;
  } else {
    // A name taken fails at once, before a namespace is made for it.
    if (access(path.c_str(), F_OK) == 0) {
      errno = EEXIST;
      return undo(fail("create", path));
    }
    if (unshare(CLONE_NEWNET) != 0) return undo(fail("unshare(CLONE_NEWNET)", path));
    m.nsFd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (m.nsFd < 0) return undo(fail("open /proc/thread-self/ns/net", path));
  }
  if (setup != nullptr) {
    // Sysctls are written from inside: a spare's thread has to join it first (a new one's is there).
    if (spare != nullptr && !sysctls.empty() && setns(m.nsFd, CLONE_NEWNET) != 0) return undo(fail("setns", path));
    for (const auto& [key, value] : sysctls) {
      SysErr e = writeSysctl(key, value);
      if (!e.ok()) return undo(e);
    }
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
  }
  SysErr e = nameNamespace(path, m.nsFd);
  if (!e.ok()) return undo(e);
  named = true;
  struct stat st;
  if (fstat(m.nsFd, &st) != 0) return undo(fail("fstat", path));
  m.identity = identityOf(st);
  if (setup == nullptr) {
    // A plain add hands back nothing: its namespace is held by its name alone.
    close(m.nsFd);
    m.nsFd = -1;
    if (m.sock >= 0) close(m.sock);
    m.sock = -1;
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

}  // namespace

// One thread, widened to `threads` when the umounts wait (see widening). Answers the error list (null
// where a name went) with `threads`: how many threads ran.
napi_value NetnsDel(napi_env env, napi_callback_info info) {
  const char* usage = "netnsDel(dir, names, threads, slowNs)";
  size_t argc = 4;
  napi_value argv[4];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto dir = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  int64_t threads = 1;
  int64_t slowNs = 0;
  if (argc < 4 || !getNamespaceBatch(env, argv, dir.get(), names.get(), &threads) || !getInt(env, argv[3], &slowNs)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  auto errs = std::make_shared<std::vector<SysErr>>(names->size());
  auto ran = std::make_shared<size_t>(0);
  return runAsync(
      env, usage,
      [dir, names, errs, threads, slowNs, ran]() {
        *ran = widening(names->size(), threads, slowNs, [&](size_t i) { (*errs)[i] = delOneNamespace(*dir, (*names)[i]); });
      },
      [errs, ran](napi_env env) {
        napi_value list = errorList(env, *errs);
        napi_set_named_property(env, list, "threads", jsInt(env, static_cast<int64_t>(*ran)));
        return list;
      });
}

// Every stat on one threadpool thread: the first stat of a namespace file costs several microseconds (a
// thousand took 9 ms in C, 20-26 ms as statSync calls from JavaScript).
napi_value NetnsIdentities(napi_env env, napi_callback_info info) {
  const char* usage = "netnsIdentities(paths)";
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto paths = std::make_shared<std::vector<std::string>>();
  if (argc < 1 || !getStringArray(env, argv[0], paths.get())) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  auto ids = std::make_shared<std::vector<std::string>>(paths->size());
  return runAsync(
      env, usage,
      [paths, ids]() {
        striped(paths->size(), paths->size() >= 256 ? 2 : 1, [&](size_t i) {
          struct stat st;
          if (stat((*paths)[i].c_str(), &st) == 0) (*ids)[i] = identityOf(st);
        });
      },
      [ids](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, ids->size(), &arr);
        for (size_t i = 0; i < ids->size(); i++) napi_set_element(env, arr, i, (*ids)[i].empty() ? jsNull(env) : jsString(env, (*ids)[i]));
        return arr;
      });
}

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

}  // namespace nslab
