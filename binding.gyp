# The addon, one file per concern (src/native/nslab.cc lists them). NAPI_VERSION 8 (Node >= 12.22) keeps
# to the N-API that every Node nslab supports has, so one build serves them all (prebuildify --napi).
{
  "targets": [
    {
      "target_name": "nslab_native",
      "sources": [
        "src/native/nslab.cc",
        "src/native/napi.cc",
        "src/native/namespaces.cc",
        "src/native/sockets.cc",
        "src/native/transact.cc",
        "src/native/sysctl.cc",
        "src/native/spares.cc",
        "src/native/watch.cc",
        "src/native/fds.cc",
        "src/native/files.cc",
        "src/native/lock.cc"
      ],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
