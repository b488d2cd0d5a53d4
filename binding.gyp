{
  "targets": [
    {
      "target_name": "nslab_native",
      "sources": ["src/native/nslab.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "defines": ["_GNU_SOURCE"]
    }
  ]
}
