#include "watch.h"

#include <errno.h>
#include <sys/socket.h>
#include <uv.h>

#include <map>
#include <vector>

#include "transact.h"

namespace nslab {

namespace {

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

}  // namespace

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

}  // namespace nslab
