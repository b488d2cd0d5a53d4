#include "napi.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>

#include <thread>
#include <utility>

namespace nslab {

SysErr fail(const char* call, const std::string& path) { return SysErr{errno, call, path}; }

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

napi_value errorList(napi_env env, const std::vector<SysErr>& errs) {
  napi_value arr;
  napi_create_array_with_length(env, errs.size(), &arr);
  for (size_t i = 0; i < errs.size(); i++) {
    napi_set_element(env, arr, i, errs[i].ok() ? jsNull(env) : jsError(env, errs[i]));
  }
  return arr;
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

namespace {

// What runAsync keeps between the JS thread and the threadpool thread.
struct AsyncJob {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  std::function<void()> execute;
  std::function<napi_value(napi_env)> complete;
};

}  // namespace

napi_value runAsync(napi_env env, const char* name, std::function<void()> execute,
                    std::function<napi_value(napi_env)> complete) {
  auto* job = new AsyncJob{nullptr, nullptr, std::move(execute), std::move(complete)};
  napi_value promise;
  NAPI_OK(napi_create_promise(env, &job->deferred, &promise));
  napi_value resourceName = jsString(env, name);
  NAPI_OK(napi_create_async_work(
      env, nullptr, resourceName, [](napi_env, void* data) {
        workerPriority();
        static_cast<AsyncJob*>(data)->execute();
      },
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

void striped(size_t n, int64_t threads, const std::function<void(size_t)>& fn) {
  size_t t = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max<int64_t>(threads, 1)), n));
  std::vector<std::thread> pool;
  for (size_t k = 0; k < t; k++) {
    pool.emplace_back([&, k]() {
      workerPriority();
      for (size_t i = k; i < n; i += t) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

void onThrowawayThread(const std::function<void()>& fn) {
  std::thread t([&fn]() {
    workerPriority();
    fn();
  });
  t.join();
}

namespace {

// The nice value the addon's worker threads take (workerNice); INT_MIN: they keep what they were born with.
std::atomic<int> workerNice{INT_MIN};

pid_t threadId() { return static_cast<pid_t>(syscall(SYS_gettid)); }

}  // namespace

void workerPriority() {
  // What this thread was given last (INT_MIN: nothing yet, so its nice is what it was born with).
  thread_local int given = INT_MIN;
  int want = workerNice.load();
  if (want == INT_MIN || want == given) return;
  // Raising a thread's nice value needs no privilege.
  setpriority(PRIO_PROCESS, static_cast<id_t>(threadId()), want);
  given = want;
}

napi_value WorkerNice(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t nice = 0;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 1 || !getInt(env, argv[0], &nice) || nice < -20 || nice > 19) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "workerNice(nice): nice from -20 to 19");
    return nullptr;
  }
  workerNice.store(static_cast<int>(nice));
  return nullptr;
}

}  // namespace nslab
