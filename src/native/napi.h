// What every part of the addon shares: the error record that travels to JavaScript, the few N-API
// conversions the parts use, and the two ways native work runs off the JS thread (the libuv threadpool
// for work that stays in the process's namespace, a throwaway thread for work that changes namespace).
#pragma once

#include <node_api.h>

#include <errno.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nslab {

// Errors travel to JavaScript as { errno, syscall, path }; src/native/index.ts turns them into NslabError.
struct SysErr {
  int err = 0;
  std::string call;
  std::string path;
  bool ok() const { return err == 0; }
};

// The error of the system call that just failed (errno), naming the call and what it acted on.
SysErr fail(const char* call, const std::string& path);

// In a function of (napi_env env, ...) that returns napi_value: throws and returns when an N-API call fails.
#define NAPI_OK(expr)                                                      \
  do {                                                                     \
    if ((expr) != napi_ok) {                                               \
      napi_throw_error(env, "NSLAB_NATIVE", "N-API call failed: " #expr); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

napi_value jsString(napi_env env, const std::string& s);
napi_value jsInt(napi_env env, int64_t n);
napi_value jsNull(napi_env env);
// An error record as JavaScript sees it: { errno, syscall, path, message }.
napi_value jsError(napi_env env, const SysErr& e);
// Per item: null where it went well, else its error record.
napi_value errorList(napi_env env, const std::vector<SysErr>& errs);

bool getString(napi_env env, napi_value v, std::string* out);
bool getStringArray(napi_env env, napi_value arr, std::vector<std::string>* out);
bool getInt(napi_env env, napi_value v, int64_t* out);

// A promise whose work runs on the libuv threadpool and whose result is built back on the JS thread.
napi_value runAsync(napi_env env, const char* name, std::function<void()> execute,
                    std::function<napi_value(napi_env)> complete);

// Runs fn(i) for i in [0, n) on up to `threads` fresh native threads, striped, and waits for them.
void striped(size_t n, int64_t threads, const std::function<void(size_t)>& fn);

// Runs fn on a fresh native thread and waits for it: the only kind of thread that may call setns/unshare.
void onThrowawayThread(const std::function<void()>& fn);

// workerNice(nice): the nice value every thread that runs the addon's work takes (workerPriority). The JS
// thread's own is higher when the command favours its event loop (src/process/priority.ts); the threads
// it makes after that inherit its value, and give it back here.
napi_value WorkerNice(napi_env env, napi_callback_info info);

// Called first by every thread that runs the addon's work (runAsync, onThrowawayThread, the addon's own
// threads): takes the nice value workerNice set, if any.
void workerPriority();

}  // namespace nslab
