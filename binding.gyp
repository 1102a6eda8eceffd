{
  # Standard SM2 and SM4-GCM addon (native/tongban_sm.c, native/sm4_gcm.c). It uses the OpenSSL that Node itself exports and
  # the headers Node ships, so it links no library of its own. Built by native/build.mjs on
  # `npm install` / `npm ci`; when the build is impossible the pure-JS fallback is used.
  "targets": [
    {
      "target_name": "tongban_sm",
      "sources": ["native/tongban_sm.c", "native/sm4_gcm.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"]
    }
  ]
}
