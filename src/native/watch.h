// Watching a socket for multicast messages (link and address events), on the event loop through uv_poll.
#pragma once

#include "napi.h"

namespace nslab {

// watch(fd, callback(err, Buffer), keepAlive: boolean): number
napi_value WatchFd(napi_env env, napi_callback_info info);

// unwatch(id): stops the watcher; the fd stays open (the caller closes it).
napi_value Unwatch(napi_env env, napi_callback_info info);

}  // namespace nslab
