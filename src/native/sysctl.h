// Values under /proc/sys, read and written from inside a namespace: /proc/sys/net shows the namespace of
// the thread that opens the file, so the open happens on a throwaway thread that has entered it.
#pragma once

#include <string>

#include "napi.h"

namespace nslab {

// Writes a value under /proc/sys (key: net/ipv4/ip_forward) in the calling thread's namespace.
SysErr writeSysctl(const std::string& key, const std::string& value);

// sysctl(items: [nsPath, key, value | null][]): Promise<(string | SysErrObject)[]>
// key is relative to /proc/sys (net/ipv4/ip_forward). A null value reads; a string writes (and returns "").
napi_value Sysctl(napi_env env, napi_callback_info info);

}  // namespace nslab
