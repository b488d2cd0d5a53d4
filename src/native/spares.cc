#include "spares.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "sockets.h"

namespace nslab {

void closeSpares(std::vector<Spare>& spares) {
  for (Spare& s : spares) {
    if (s.sock >= 0) close(s.sock);
    if (s.nsFd >= 0) close(s.nsFd);
  }
  spares.clear();
}

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

namespace {

// Makes one spare: unshare moves the calling thread (the maker's own) into a new namespace, then an fd of
// it and a NETLINK_ROUTE socket born in it hold it.
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

}  // namespace

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
    workerPriority();
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

napi_value SparesHeld(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  std::shared_ptr<SpareMaker> maker;
  if (!getMakerArgs(env, info, "sparesHeld(maker)", 1, argv, &maker)) return nullptr;
  std::lock_guard<std::mutex> lock(maker->mu);
  return jsInt(env, static_cast<int64_t>(maker->made.size()));
}

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

}  // namespace nslab
