// Closing the descriptors the addon handed out (sockets, namespace fds).
#pragma once

#include "napi.h"

namespace nslab {

// closeFd(fd): closes a socket this addon opened.
napi_value CloseFd(napi_env env, napi_callback_info info);

// closeFds(fds): closes sockets this addon opened, on a threadpool thread: a netlink socket's close costs
// the kernel some work, and a lab's thousands of them held the JS thread (docs/performance.md).
napi_value CloseFds(napi_env env, napi_callback_info info);

}  // namespace nslab
